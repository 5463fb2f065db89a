"""A segment's listing index: the columns queries filter and sort on, and where each document
sits in the segment file.

Parsing a segment of a few thousand records takes milliseconds; reading its index takes
microseconds.  Per record it holds the number, the byte span of the document in the
segment file, a hash of its natural key (duplicate checks need no document), the span of
its body in the body log (text search reads the log, not the documents), and one
integer per indexed field: the region code and zone, dates as YYYYMMDD, choices and
currencies as small numbers, amounts.  Which fields are indexed follows from the kind's
field types, so a new kind is indexed without code of its own.

An index file is written with its segment and named beside it; both are immutable once
the manifest refers to them.  ``doctor`` checks every index against its segment.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

import orjson

from ...domain.currencies import CURRENCIES
from ...domain.kind import Kind

FORMAT = 1
MAGIC = b"ZSSEGIDX\n"
INDEXED_TYPES = ("region", "date", "choice", "amount", "currency", "flag")
BODY = "_body"


def day_number(iso: str | None) -> int:
    """2025-07-17 → 20250717 (0 for none): dates compare as integers."""
    return int(iso[0:4] + iso[5:7] + iso[8:10]) if iso else 0


@lru_cache(maxsize=65536)
def day_text(number: int) -> str:
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"


def key_hash(key: Iterable[str] | None) -> int:
    """A natural key as a signed 64-bit number (0: the record has none)."""
    return 0 if key is None else _hashed(tuple(key))


@lru_cache(maxsize=8192)  # an import hashes each key twice: to look it up, then to store it
def _hashed(key: tuple[str, ...]) -> int:
    import hashlib  # here: listing never needs it, and it costs every command

    digest = hashlib.blake2b("\x1f".join(map(str, key)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True) or 1


class Column(NamedTuple):
    name: str
    code: str  # array type code
    field: str | None  # the stored key it holds (None: bookkeeping)
    encode: Callable[[Any], int]
    decode: Callable[[int], Any] | None = None  # None: 0 or -1 means "not stored"


def _choice_codec(values: tuple[str, ...]) -> tuple[Callable[[Any], int], Callable[[int], Any]]:
    position = {v: i + 1 for i, v in enumerate(values)}
    return (lambda v: position.get(v, 0)), (lambda n: values[n - 1] if 0 < n <= len(values) else None)


@cache
def columns(kind: Kind) -> tuple[Column, ...]:
    """The columns of a kind's index, in file order."""
    cols = [Column("n", "q", None, int), Column("start", "q", None, int), Column("end", "q", None, int),
            Column("key", "q", None, int)]
    if kind.has_body:
        cols += [Column("body_at", "q", None, int), Column("body_len", "q", None, int)]
    for spec in kind.fields:
        if spec.type not in INDEXED_TYPES or not spec.indexed:
            continue
        if spec.type == "region":
            cols.append(Column("region_code", "i", "region_code", lambda v: int(v) if v else 0,
                               lambda n: f"{n:06d}" if n else None))
            cols.append(Column("zone", "h", "zone", int))  # a position in the index's zone list
        elif spec.type == "date":
            cols.append(Column(spec.name, "i", spec.name, day_number, lambda n: day_text(n) if n else None))
        elif spec.type == "choice":
            if spec.name == kind.roles.status and kind.pipeline:
                values = tuple(kind.pipeline.statuses)
            else:
                values = tuple(dict.fromkeys((spec.choices or {}).values()))
            encode, decode = _choice_codec(values)
            cols.append(Column(spec.name, "b", spec.name, encode, decode))
        elif spec.type == "amount":
            cols.append(Column(spec.name, "q", spec.name, lambda v: v if v is not None else -1,
                               lambda n: n if n >= 0 else None))
        elif spec.type == "currency":
            encode, decode = _choice_codec(tuple(CURRENCIES))
            cols.append(Column(spec.name, "b", spec.name, encode, decode))
        elif spec.type == "flag":
            cols.append(Column(spec.name, "b", spec.name, lambda v: 1 if v else 0, lambda n: True if n else None))
    return tuple(cols)


@cache
def indexed_fields(kind: Kind) -> frozenset[str]:
    """The stored keys a stub (a row of the index) holds when the record has them."""
    return frozenset(c.field for c in columns(kind) if c.field)


def sort_column(kind: Kind, keys: list[str]) -> str | None:
    """The column whose integers order records as the stored value of ``keys`` would (dates
    as YYYYMMDD, region codes; 0 when not stored, first as in domain.sorting), if any."""
    if len(keys) != 1:
        return None
    for col in columns(kind):
        if col.field == keys[0] and col.code == "i":  # region codes and dates
            return col.name
    return None


@dataclass
class SegmentIndex:
    kind: Kind
    arrays: dict[str, array]
    zones: list[str]

    def __len__(self) -> int:
        return len(self.arrays["n"])

    def take(self, rows: Sequence[int]) -> SegmentIndex:
        """An index of just these rows, in this order (a sorted listing holds a few rows of
        many segments at once, not their whole indexes)."""
        return SegmentIndex(self.kind, {name: array(col.typecode, [col[i] for i in rows])
                                        for name, col in self.arrays.items()}, self.zones)

    def stub(self, i: int) -> dict[str, Any]:
        """The indexed fields of row ``i`` as the stored document holds them."""
        return self.stubs([i])[0]

    def stubs(self, rows: Sequence[int]) -> list[dict[str, Any]]:
        """The indexed fields of these rows, as the stored documents hold them: built column
        by column (a report reads a hundred thousand)."""
        docs: list[dict[str, Any]] = [{} for _ in rows]
        zones = [None, *self.zones]
        for col in columns(self.kind):
            if col.field is None:
                continue
            array_ = self.arrays[col.name]
            if col.name == "zone":
                values = [zones[array_[i]] for i in rows]
            elif col.decode is not None:
                raw = [array_[i] for i in rows]
                decoded = {v: col.decode(v) for v in set(raw)}  # few distinct dates, codes, choices
                values = [decoded[v] for v in raw]
            else:
                values = [array_[i] for i in rows]
            field = col.field
            for doc, value in zip(docs, values):
                if value is not None:
                    doc[field] = value
        return docs


def build(kind: Kind, docs: Mapping[str, Mapping[str, Any]], spans: Mapping[str, tuple[int, int]],
          keys: Mapping[int, int] | None = None, segment: str | None = None) -> bytes:
    """The index of a segment's documents (``spans``: where each sits in the segment file;
    ``keys``: natural key hashes known already, by number; ``segment``: the segment file's
    name, which the header states so that an index beside another segment is refused)."""
    zones: dict[str, int] = {}
    numbers = list(docs)
    values = list(docs.values())
    arrays: dict[str, array] = {}
    data: Iterable[int]
    for col in columns(kind):
        if col.name == "n":
            data = map(int, numbers)
        elif col.name == "start":
            data = (spans[n][0] for n in numbers)
        elif col.name == "end":
            data = (spans[n][1] for n in numbers)
        elif col.name == "key":
            known = keys or {}
            data = (known[int(n)] if int(n) in known else key_hash(kind.natural_key(d))
                    for n, d in zip(numbers, values))
        elif col.name == "body_at":
            data = (d[BODY][0] if d.get(BODY) else -1 for d in values)
        elif col.name == "body_len":
            data = (d[BODY][1] if d.get(BODY) else 0 for d in values)
        elif col.name == "zone":
            data = (zones.setdefault(d["zone"], len(zones) + 1) if d.get("zone") else 0 for d in values)
        else:
            data = (col.encode(d.get(col.field)) for d in values)  # type: ignore[arg-type]
        arrays[col.name] = array(col.code, data)
    header = {"format": FORMAT, "kind": kind.name, "rows": len(numbers), "byteorder": sys.byteorder,
              "columns": [[c.name, c.code] for c in columns(kind)], "zones": list(zones)}
    if segment is not None:
        header["segment"] = segment
    return MAGIC + orjson.dumps(header) + b"\n" + b"".join(arrays[c.name].tobytes() for c in columns(kind))


class IndexUnreadable(Exception):
    pass


def _header(raw: bytes, kind: Kind, segment: str | None = None) -> tuple[dict[str, Any], int]:
    """An index file's header and where its columns start; IndexUnreadable when it is not an
    index of ``kind``, or states another segment than ``segment`` (indexes written before
    they stated theirs are taken as they are)."""
    if not raw.startswith(MAGIC):
        raise IndexUnreadable("not an index")
    newline = raw.find(b"\n", len(MAGIC))
    try:
        header = orjson.loads(raw[len(MAGIC):newline])
    except orjson.JSONDecodeError as exc:
        raise IndexUnreadable(str(exc)) from None
    expected = [[c.name, c.code] for c in columns(kind)]
    if (type(header) is not dict or header.get("format") != FORMAT or header.get("kind") != kind.name
            or header.get("byteorder") != sys.byteorder or header.get("columns") != expected
            or type(header.get("rows")) is not int):
        raise IndexUnreadable("another layout")
    stated = header.get("segment")
    if segment is not None and stated is not None and stated != segment:
        raise IndexUnreadable(f"it is the index of {stated}")
    return header, newline + 1


def _offsets(header: dict[str, Any], at: int, kind: Kind, size: int) -> dict[str, tuple[int, array]]:
    """{column: (where it starts, an empty array of its type)} of an index file of ``size``
    bytes whose columns start at ``at``; IndexUnreadable when the size does not fit."""
    offsets: dict[str, tuple[int, array]] = {}
    for col in columns(kind):
        offsets[col.name] = (at, array(col.code))
        at += header["rows"] * offsets[col.name][1].itemsize
    if at != size:
        raise IndexUnreadable("cut short")
    return offsets


def numbers_at(head: bytes, size: int, kind: Kind, segment: str | None = None) -> tuple[int, int]:
    """(where the record numbers start, how many) in an index file of ``size`` bytes that
    begins with ``head`` (its header at least): the numbers read without the other columns."""
    header, at = _header(head, kind, segment)
    return _offsets(header, at, kind, size)["n"][0], header["rows"]


def numbers_with(raw: bytes, kind: Kind, column: str, values: Iterable[int],
                 segment: str | None = None) -> dict[int, list[int]]:
    """{value: record numbers} of the rows whose ``column`` holds one of ``values``, read
    from an index file without parsing it whole (a duplicate check of one new record)."""
    header, at = _header(raw, kind, segment)
    rows = header["rows"]
    offsets = _offsets(header, at, kind, len(raw))
    start, empty = offsets[column]
    size = empty.itemsize
    data = raw[start:start + rows * size]
    n_start = offsets["n"][0]
    found: dict[int, list[int]] = {}
    for value in values:
        pattern = array(empty.typecode, [value]).tobytes()
        spot = data.find(pattern)
        while spot != -1:
            if spot % size == 0:
                row = spot // size
                number = array("q", raw[n_start + 8 * row:n_start + 8 * row + 8])[0]
                found.setdefault(value, []).append(number)
            spot = data.find(pattern, spot + 1)
    return found


def parse(raw: bytes, kind: Kind, segment: str | None = None) -> SegmentIndex:
    """An index file's content; IndexUnreadable when it is not one of ``kind`` as written now
    (or of another segment than ``segment``)."""
    header, start = _header(raw, kind, segment)
    expected = [[c.name, c.code] for c in columns(kind)]
    try:
        rows = header["rows"]
        view = memoryview(raw)[start:]
        arrays: dict[str, array] = {}
        at = 0
        for name, code in expected:
            column = array(code)
            size = rows * column.itemsize
            column.frombytes(view[at:at + size])
            if len(column) != rows:
                raise IndexUnreadable("cut short")
            at += size
            arrays[name] = column
        if at != len(view):
            raise IndexUnreadable("trailing bytes")
        return SegmentIndex(kind, arrays, list(header["zones"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise IndexUnreadable(str(exc)) from None
