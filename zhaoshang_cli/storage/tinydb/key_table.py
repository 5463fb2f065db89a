"""The natural keys of a kind's records, for the key lookups of a big write (an import).

A dict of key hash → list of numbers costs about 190 bytes a record: an import of 10,000
articles into a store of a million held 200 MB for it, and an import of a million articles
as much again for the records it created.  Here a record is 8 bytes, the upper half of its
key hash and its number as two 32-bit integers, in buckets chosen by that half's low bits,
each bucket one ``bytearray`` searched with ``find`` (C speed, no integer objects made):
about 13 bytes a record with the buckets' own cost (a million articles: 13 MB), built and
searched faster than the dict was built.

Half a hash is not a key: a lookup gives every number whose half matches (about one false
one in four thousand lookups at a million records, besides records that truly share a
key), and the caller checks each against its document.
"""

from __future__ import annotations

from collections.abc import Iterable
from struct import Struct

from ..base import MAX_NUMBER

_PER_BUCKET = 32  # records a bucket holds on average; up to twice that before the table grows
_PAIR = Struct("<ii")  # a record: the upper half of its key hash, its number
_HALF = Struct("<i")
assert MAX_NUMBER < 2**31  # a number fits in 32 bits


class KeyTable:
    """Natural key hash → the numbers of the records that may have it (0: no key, not held)."""

    def __init__(self, expected: int = 0):
        buckets = 16
        while buckets * _PER_BUCKET < expected:
            buckets *= 2
        self._buckets = [bytearray() for _ in range(buckets)]
        self._mask = buckets - 1
        self._count = 0
        self._limit = 2 * _PER_BUCKET * buckets  # records held before the table grows

    def __len__(self) -> int:
        return self._count

    def add(self, hashed: int, number: int) -> None:
        if hashed:
            if self._count >= self._limit:
                self._grow()
            half = hashed >> 32
            self._buckets[half & self._mask] += _PAIR.pack(half, number)
            self._count += 1

    def add_all(self, hashes: Iterable[int], numbers: Iterable[int]) -> None:
        """The records of two columns (a segment index's key and number columns)."""
        pairs = [(hashed >> 32, number) for hashed, number in zip(hashes, numbers) if hashed]
        while self._count + len(pairs) > self._limit:
            self._grow()
        buckets, mask, pack = self._buckets, self._mask, _PAIR.pack
        for half, number in pairs:
            buckets[half & mask] += pack(half, number)
        self._count += len(pairs)

    def get(self, hashed: int) -> list[int]:
        """The numbers of the records whose key may hash to ``hashed``, in the order added."""
        half = hashed >> 32
        bucket = self._buckets[half & self._mask]
        wanted = _HALF.pack(half)
        found: list[int] = []
        at = bucket.find(wanted)
        while at >= 0:
            if at % _PAIR.size == 0:  # a half, not the bytes of a number or across two
                found.append(_HALF.unpack_from(bucket, at + _HALF.size)[0])
            at = bucket.find(wanted, at + 1)
        return found

    def _grow(self) -> None:
        """Twice the buckets: each splits in two by the next bit of its halves."""
        old = len(self._buckets)
        for at in range(old):
            low, high = bytearray(), bytearray()
            for half, number in _PAIR.iter_unpack(self._buckets[at]):
                if half & old:
                    high += _PAIR.pack(half, number)
                else:
                    low += _PAIR.pack(half, number)
            self._buckets[at] = low
            self._buckets.append(high)
        self._mask = 2 * old - 1
        self._limit *= 2
