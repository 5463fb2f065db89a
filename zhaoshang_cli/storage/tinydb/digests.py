"""A segment's text digest: what ``--text`` searches in its records, searchable at C speed.

Beside each segment file and its index lies ``<segment>.txt``: per row (in index order)
the planes of the record's searched text (domain/search.py), the low planes of all rows
one after the other, then the high planes.  A search finds the needle's low plane in the
low bytes (``bytes.find``, about a gigabyte a second) and confirms each hit in the high
bytes, so it reads no document and no body.  The digest is derived data: written with its
segment and never changed, rebuilt from the records and bodies when missing (doctor), and
a segment without one is searched the slow way.

Layout: MAGIC, a JSON header line, the row offsets (``rows + 1`` signed 64-bit
integers), the low bytes, the high bytes; in format 2, then the segment's text index
(text_filter.py), whose size the header states (and the manifest's entry), so that a search
reads a few bytes of the index at the end of the file, not the digest.
"""

from __future__ import annotations

import bisect
import os
import sys
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import orjson

from ...atomic import open_private, pread, read_spans
from ...domain.kind import Kind
from ...domain.search import Planes, planes, record_planes
from ...errors import StoreError
from .text_filter import Asked, Filter

FORMAT = 1
INDEXED_FORMAT = 2  # with a text index after the high bytes
_T = TypeVar("_T")
MAGIC = b"ZSSEGTXT\n"
SUFFIX = ".txt"


def encode(rows: Iterable[Planes], segment: str | None = None, index: Filter | None = None) -> bytes:
    """The digest of these rows; ``segment`` (the segment file's name) is stated in its
    header, so that a digest beside another segment is not used; ``index``: its text index."""
    rows = list(rows)
    offsets = array("q", [0])
    total = 0
    for low, _ in rows:
        total += len(low)
        offsets.append(total)
    header: dict[str, Any] = {"format": FORMAT, "rows": len(rows), "byteorder": sys.byteorder}
    if index is not None:
        header.update(format=INDEXED_FORMAT, chars=total, index_bits=index[0])
    if segment is not None:
        header["segment"] = segment
    return b"".join([MAGIC, orjson.dumps(header), b"\n", offsets.tobytes(),
                     *(low for low, _ in rows), *(high for _, high in rows), index[1] if index else b""])


def rows_of(kind: Kind, docs: Mapping[str, Mapping[str, Any]], bodies: Mapping[int, str]) -> list[Planes]:
    """The rows of the digest a segment of these documents (and bodies, by number) must have."""
    return [record_planes(kind, docs[key], planes(bodies[int(key)]) if int(key) in bodies else None)
            for key in sorted(docs, key=int)]


def of_records(kind: Kind, docs: Mapping[str, Mapping[str, Any]], bodies: Mapping[int, str],
               segment: str | None = None) -> bytes:
    """The digest a segment of these documents (and bodies, by number) must have (without a
    text index)."""
    return encode(rows_of(kind, docs, bodies), segment)


class DigestUnreadable(Exception):
    pass


_HEAD = 4096  # bytes read first from a digest file: its magic and header line
_INDEX_WINDOW = 16384  # the bytes of a text index wanted are read in one call when they lie this close


class Digest:
    """A digest file's content: ``row(i)`` gives a row's planes back, ``search`` finds rows."""

    def __init__(self, raw: Any, opener: Callable[[], int] | None = None, segment: str | None = None):
        """``raw``: the file's bytes, or a memory map of it; or None and ``opener``, which
        opens the file each time a search reads a few of its rows (see ``search``), so that
        a search of a few rows of every segment holds no file open in between.  A digest
        stating another segment than ``segment`` is DigestUnreadable."""
        self.raw = raw
        self.opener = opener
        self.segment = segment
        if raw is not None:
            self._read_layout(lambda at, length: raw[at:at + length], len(raw))
            return
        fd = opener()  # type: ignore[misc]
        try:
            self._read_layout(lambda at, length: pread(fd, length, at), os.fstat(fd).st_size)
        finally:
            os.close(fd)

    def _read_layout(self, read: Callable[[int, int], bytes], size: int) -> None:
        header, start = _header(read(0, _HEAD), self.segment)
        rows = header["rows"]
        self.index_bits: int | None = header.get("index_bits")
        self.stated: str | None = header.get("segment")
        offsets = array("q")
        if rows < 0 or size < start + 8 * (rows + 1):
            raise DigestUnreadable("cut short")
        offsets.frombytes(read(start, 8 * (rows + 1)))
        if offsets[0] != 0:
            raise DigestUnreadable("not a digest's offsets")
        total = offsets[-1]
        self.low_at = start + 8 * (rows + 1)
        self.high_at = self.low_at + total
        index_size = 0 if self.index_bits is None else 1 << (self.index_bits - 3)
        if self.high_at + total + index_size != size or header.get("chars", total) != total:
            raise DigestUnreadable("sizes do not add up")  # doctor compares every row
        self.offsets = offsets
        self.rows = rows

    @property
    def index(self) -> Filter | None:
        """The text index of a digest read whole, if it has one."""
        if self.index_bits is None or self.raw is None:
            return None
        at = self.high_at + self.offsets[-1]
        return self.index_bits, bytes(self.raw[at:])

    def without_index(self) -> bytes:
        """The digest's bytes but its text index, as a digest without one has them (doctor's comparison)."""
        if self.index_bits is None:
            return bytes(self.raw)
        return encode([self.row(i) for i in range(self.rows)], self.stated)

    def row(self, i: int) -> Planes:
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.raw[self.low_at + a:self.low_at + b], self.raw[self.high_at + a:self.high_at + b]

    def holds(self, needle: Planes, i: int) -> bool:
        """Whether row ``i``'s text holds the needle."""
        low, high = needle
        raw, shift = self.raw, self.high_at - self.low_at
        end = self.low_at + self.offsets[i + 1]
        at = raw.find(low, self.low_at + self.offsets[i], end)
        while at != -1:
            if raw[at + shift:at + shift + len(high)] == high:
                return True
            at = raw.find(low, at + 1, end)
        return False

    def search(self, needle: Planes, rows: Sequence[int]) -> list[int]:
        """Those of ``rows`` (ascending) whose text holds the needle."""
        if self.raw is None:
            if len(rows) * 8 < self.rows:
                return self._search_read(needle, rows)
            return self._search_low_plane(needle, rows)
        if len(rows) * 8 < self.rows:  # a few rows: each searched on its own
            return [i for i in rows if self.holds(needle, i)]
        return self._search_all(needle, rows, self.raw, self.low_at, lambda spot, size: self.raw[
            self.high_at + spot:self.high_at + spot + size])

    def _search_all(self, needle: Planes, rows: Sequence[int], lows: Any, low_at: int,
                    high: Callable[[int, int], bytes]) -> list[int]:
        """``search`` of most rows: the needle's low bytes found in ``lows`` (from ``low_at``
        to its end, or to the high bytes), each hit confirmed by ``high(spot, size)``."""
        low = needle[0]
        size = len(low)
        offsets = self.offsets
        found: list[int] = []
        wanted = set(rows) if len(rows) < self.rows else None
        end_all = low_at + offsets[-1]
        at = lows.find(low, low_at, end_all)
        while at != -1:
            spot = at - low_at
            i = bisect.bisect_right(offsets, spot) - 1
            row_end = offsets[i + 1]
            if spot + size <= row_end and (wanted is None or i in wanted) and high(spot, size) == needle[1]:
                found.append(i)
                at = lows.find(low, low_at + row_end, end_all)  # one hit per row is enough
            else:
                at = lows.find(low, at + 1, end_all)
        return found

    def _search_low_plane(self, needle: Planes, rows: Sequence[int]) -> list[int]:
        """``search`` of most rows of a digest not in memory: its low bytes read in one call
        (half the file), the high bytes of each hit as it is confirmed."""
        try:
            fd = self.opener()  # type: ignore[misc]
        except (OSError, StoreError) as exc:
            raise DigestUnreadable(str(exc)) from None
        try:
            total = self.offsets[-1]
            lows = pread(fd, total, self.low_at)
            if len(lows) != total:
                raise DigestUnreadable("cut short")
            return self._search_all(needle, rows, lows, 0, lambda spot, size: pread(fd, size, self.high_at + spot))
        except OSError as exc:
            raise DigestUnreadable(str(exc)) from None
        finally:
            os.close(fd)

    def _search_read(self, needle: Planes, rows: Sequence[int]) -> list[int]:
        """``search`` of a digest not in memory: the rows' low bytes are read, and the high
        bytes of the rows where the low ones match."""
        low, high = needle
        offsets, low_at, high_at = self.offsets, self.low_at, self.high_at
        try:
            fd = self.opener()  # type: ignore[misc]
        except (OSError, StoreError) as exc:
            raise DigestUnreadable(str(exc)) from None
        try:
            spots: dict[int, list[int]] = {}  # row → where in it the low bytes match
            spans = [(low_at + offsets[i], offsets[i + 1] - offsets[i]) for i in rows]
            for i, text in zip(rows, read_spans(fd, spans)):
                at = text.find(low)
                while at != -1:
                    spots.setdefault(i, []).append(at)
                    at = text.find(low, at + 1)
            highs = read_spans(fd, [(high_at + offsets[i], offsets[i + 1] - offsets[i]) for i in spots])
            return [i for (i, where), text in zip(spots.items(), highs)
                    if any(text[at:at + len(high)] == high for at in where)]
        except OSError as exc:
            raise DigestUnreadable(str(exc)) from None
        finally:
            os.close(fd)


def _header(head: bytes, segment: str | None) -> tuple[dict[str, Any], int]:
    """A digest's header (checked) and where its offsets start, from its first bytes."""
    if head[:len(MAGIC)] != MAGIC:
        raise DigestUnreadable("not a text digest")
    newline = head.find(b"\n", len(MAGIC))
    if newline < 0:
        raise DigestUnreadable("cut short")
    try:
        header = orjson.loads(head[len(MAGIC):newline])
        if header.get("format") not in (FORMAT, INDEXED_FORMAT) or header.get("byteorder") != sys.byteorder:
            raise DigestUnreadable("another layout")
        stated = header.get("segment")
        if segment is not None and stated is not None and stated != segment:
            raise DigestUnreadable(f"it is the digest of {stated}")
        rows = header["rows"]
        if type(rows) is not int or not 0 <= rows < 1 << 32:  # numbers a read could not seek to are damage
            raise DigestUnreadable(f"not a number of rows: {rows!r}")
        if header["format"] == INDEXED_FORMAT:
            bits, chars = header["index_bits"], header["chars"]
            if type(bits) is not int or not 3 <= bits <= 32 or type(chars) is not int or not 0 <= chars < 1 << 48:
                raise DigestUnreadable("not a text index's size")
        else:
            header.pop("index_bits", None)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DigestUnreadable(str(exc)) from None
    return header, newline + 1


def _index_place(fd: int, segment: str | None) -> tuple[int, int] | None:
    """(bits, offset) of a digest file's text index, from its header; None when it has none."""
    header, start = _header(pread(fd, _HEAD, 0), segment)
    bits = header.get("index_bits")
    return None if bits is None else (bits, start + 8 * (header["rows"] + 1) + 2 * header["chars"])


def _reading(path: str | os.PathLike[str], read: Callable[[int], _T], failed: _T) -> _T:
    """``read`` of a digest file opened for it, or ``failed`` when the file cannot be read as
    a digest (missing, foreign, damaged: the caller then does without its text index)."""
    try:
        fd = open_private(path, os.O_RDONLY)
    except (OSError, StoreError):
        return failed
    try:
        return read(fd)
    except (OSError, OverflowError, DigestUnreadable):
        return failed
    finally:
        os.close(fd)


def index_size(path: str | os.PathLike[str]) -> int | None:
    """The bytes of a digest file's text index, None when it has none (or cannot be read)."""
    def size(fd: int) -> int | None:
        place = _index_place(fd, None)
        return None if place is None else 1 << (place[0] - 3)

    return _reading(path, size, None)


def read_index(path: str | os.PathLike[str]) -> Filter | None:
    """A digest file's text index, read alone; None when it has none (or cannot be read)."""
    def index(fd: int) -> Filter | None:
        place = _index_place(fd, None)
        if place is None:
            return None
        bits, at = place
        bitmap = pread(fd, 1 << (bits - 3), at)
        return (bits, bitmap) if len(bitmap) == 1 << (bits - 3) else None

    return _reading(path, index, None)


def ruled_out(path: str, segment: str | None, asked: Asked, where: tuple[int, int] | None = None) -> bool:
    """Whether a digest's text index shows that its segment cannot hold the needle ``asked``
    is of: the bytes of the index wanted are read (one read when they lie close together),
    and its header first unless ``where`` gives the digest's size and its index's bits as the
    manifest records them (the index ends the digest; a file of another size is not asked).
    False when it has no index, or one that cannot be read (the digest is searched then)."""
    def excluded(fd: int) -> bool:
        if where is not None:
            size, bits = where
            if os.fstat(fd).st_size != size:
                return False
            place: tuple[int, int] | None = bits, size - (1 << (bits - 3))
        else:
            place = _index_place(fd, segment)
        if place is None:
            return False
        bits, at = place
        wanted = asked.plan(bits)[0]
        first, last = wanted[0], wanted[-1]
        if last - first < _INDEX_WINDOW:
            window = pread(fd, last - first + 1, at + first)
            if len(window) != last - first + 1:
                return False
            read = {offset: window[offset - first] for offset in wanted}
        else:
            read = {}
            for offset in wanted:
                value = pread(fd, 1, at + offset)
                if len(value) != 1:
                    return False
                read[offset] = value[0]
        return not asked.may_hold(bits, read)

    return _reading(path, excluded, False)


# -- searching many segments ---------------------------------------------------------------
def search_segments(work: list[tuple[Any, Sequence[int]]], needle: Planes) -> list[list[int] | None]:
    """For each (segment view, rows): the rows whose text holds the needle, or None for a
    segment without a usable digest.  One segment's digest is read at a time (a read never
    forks: a second process searching half the segments earned 1.3× on a word found
    nowhere, bench/README.md, and reads must stay one process)."""
    return [_search_one(view, rows, needle) for view, rows in work]


def _search_one(view: Any, rows: Sequence[int], needle: Planes) -> list[int] | None:
    digest = view.digest_by_rows()
    try:
        return digest.search(needle, rows) if digest is not None else None
    except DigestUnreadable:
        return None
