"""A segment's text index: the pairs of characters its searched text holds, hashed into a
bitmap that ``--text`` reads a few bytes of, so that a rare word skips every segment that
cannot hold it without reading its digest.

Kept only in a store that asks for it (``zhaoshang db text-index on``), as sqlite-utils keeps
an FTS table only after ``enable-fts``: building it costs about as much Python as the rest of
an import (bench/README.md), which a store searched for common words would pay for nothing.

Only the pairs that start at an even position of each row's text (in UTF-16 units) are set:
half the work of every pair, and a needle of three or more units still has all its pairs at
one parity or the other, whichever its position in the text.  A segment may hold a needle
when, for one of the two parities, every pair of the needle at that parity is set.  The
bitmap is a filter: a bit set for a pair that is not there (a hash collision, or a record
changed or deleted since) costs a digest read, never a missed record.  A write of a few
records sets their bits in the bitmap it had (a deleted record's stay set); a segment
written whole (import, repair) gets the bitmap its rows give.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

from ...domain.search import Planes

SETTING = "text_index"  # the manifest's meta key: present when the store keeps text indexes
_MULTIPLIER = 0x9E3779B1  # Fibonacci hashing: the top bits of code × this
_MIN_BITS = 12  # log2 of the smallest bitmap: 512 bytes
_MAX_BITS = 26  # … and of the largest: 8 MB, for a segment of some four million distinct pairs
_BITS_PER_PAIR = 8  # at least this many bits per distinct pair: an eighth of the bits set at most

Filter = tuple[int, bytes]  # (log2 of the number of bits, the bitmap)
Checks = tuple[tuple[int, ...], tuple[int, ...]]  # the needle's pair codes at even and at odd positions


def pair_codes(row: Planes) -> Iterable[int]:
    """The codes of the pairs at even positions of one row's text: two UTF-16 units, as the
    native unsigned 32-bit integer of (low, next low, high, next high) bytes."""
    low, high = row
    n = len(low) & ~1
    if n < 2:
        return ()
    joined = bytearray(2 * n)
    units = memoryview(joined).cast("H")
    units[0::2] = memoryview(low)[:n].cast("H")
    units[1::2] = memoryview(high)[:n].cast("H")
    return memoryview(joined).cast("I")


def _bit(code: int, bits: int) -> int:
    return ((code * _MULTIPLIER) & 0xFFFFFFFF) >> (32 - bits)


def _size_for(distinct: int) -> int:
    bits = _MIN_BITS
    while bits < _MAX_BITS and (1 << bits) < _BITS_PER_PAIR * distinct:
        bits += 1
    return bits


def _set(bitmap: bytearray, bits: int, codes: Iterable[int]) -> None:
    for code in codes:
        at = _bit(code, bits)
        bitmap[at >> 3] |= 1 << (at & 7)


def build(rows: Iterable[Planes]) -> Filter:
    """The filter of a whole segment's rows, sized for the pairs they hold."""
    codes: set[int] = set()
    for row in rows:
        codes.update(pair_codes(row))
    bits = _size_for(len(codes))
    bitmap = bytearray(1 << (bits - 3))
    _set(bitmap, bits, codes)
    return bits, bytes(bitmap)


def extended(old: Filter, rows: Iterable[Planes]) -> Filter:
    """``old`` with the pairs of ``rows`` set too (records written since it was built)."""
    bits, bitmap = old[0], bytearray(old[1])
    codes: set[int] = set()
    for row in rows:
        codes.update(pair_codes(row))
    _set(bitmap, bits, codes)
    return bits, bytes(bitmap)


def crowded(found: Filter) -> bool:
    """Whether so many of an index's bits are set that it rules little out: a quarter, where one
    built for its rows has an eighth at most (records added one by one to a small segment fill
    the bitmap it was first sized for; it is built again, for all its rows, when so)."""
    bits, bitmap = found
    return bits < _MAX_BITS and 4 * int.from_bytes(bitmap, "little").bit_count() > (1 << bits)


def covers(found: Filter, rows: Iterable[Planes]) -> bool:
    """Whether ``found`` has the bit of every pair ``rows`` hold (doctor's check: it may have more)."""
    bits, bitmap = found
    codes: set[int] = set()
    for row in rows:
        codes.update(pair_codes(row))
    return all(bitmap[at >> 3] >> (at & 7) & 1 for at in (_bit(code, bits) for code in codes))


class Asked:
    """What segments' text indexes are asked of one needle: its pair codes at even and at odd
    positions (``parities``), worked out for each index size once (a search asks every segment)."""

    def __init__(self, parities: Checks):
        self.parities = parities
        self._plans: dict[int, tuple[list[int], list[list[tuple[int, int]]]]] = {}

    def plan(self, bits: int) -> tuple[list[int], list[list[tuple[int, int]]]]:
        """For an index of ``bits``: the byte offsets to read, ascending, and for each parity
        the (byte offset, mask) of its pairs' bits."""
        plan = self._plans.get(bits)
        if plan is None:
            parities = [[(at >> 3, 1 << (at & 7)) for at in (_bit(code, bits) for code in parity)]
                        for parity in self.parities]
            plan = self._plans[bits] = (sorted({offset for parity in parities for offset, _ in parity}), parities)
        return plan

    def may_hold(self, bits: int, read: Mapping[int, int]) -> bool:
        """Whether a segment whose index of ``bits`` has the bytes ``read`` (offset → value, those
        ``plan`` names) may hold the needle: every pair at one parity or the other is set."""
        return any(all(read[offset] & mask for offset, mask in parity) for parity in self.plan(bits)[1])


def asked(needle: Planes) -> Asked | None:
    """What a segment's text index is asked for a needle; None when it has fewer than three
    units (its pairs all at one parity, so an index could rule nothing out)."""
    low, high = needle
    if len(low) < 3:
        return None
    codes = [int.from_bytes(bytes((low[j], low[j + 1], high[j], high[j + 1])), sys.byteorder)
             for j in range(len(low) - 1)]
    return Asked((tuple(codes[0::2]), tuple(codes[1::2])))
