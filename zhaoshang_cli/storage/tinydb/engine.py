"""The query engine of the TinyDB backend: one way to answer every ``Query``.

Filters are compiled once per kind into tests over index columns (region and zone, dates,
status, any indexed field) and, only where they need more, over documents (a ``--where``
on a text field) or raw bytes (``--text``: the segment files for titles and other text
fields, the body log for bodies, read in chunks, then each hit checked).  Rows are sorted
by the domain's sort keys on what the index holds, or on the fields read from the rows
that matched; a limit keeps only a heap of that size.  Documents are read last, only for
the rows returned, segment by segment, so an export or a listing of everything streams.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

import orjson

from ...domain.kind import Kind
from ..base import Filters, Query, Record
from .bodies import BodyLog, BodyUnreadable
from .index import INDEXED_TYPES, day_number, indexed_fields
from .segments import SegmentView, seq_of

_TEXT_TYPES = ("text", "suggest", "source", "choice")
_CHUNK = 16 << 20


@dataclass
class Row:
    view: SegmentView
    at: int            # the row in the view's index
    number: int
    doc: dict[str, Any]  # the stub, or the whole document once read
    full: bool = False


def _places(filters: Filters) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """Region codes and prefixes as integer ranges; zones as (district code, zone name)."""
    from ...domain.regions import table

    ranges, zones = [], []
    for place in filters.places:
        zone = table().zone_by_code.get(place)
        if zone is not None:
            zones.append((int(zone.county), zone.name))
            continue
        scale = 1 if filters.exact else 10 ** (6 - len(place))
        low = int(place) * scale
        ranges.append((low, low + scale))
    return ranges, zones


class Compiled:
    """The filters as tests for one kind: over index rows, and over documents where needed."""

    def __init__(self, kind: Kind, filters: Filters):
        self.kind = kind
        self.filters = filters
        self.none = False  # the kind cannot match at all
        self.doc_fields: list[tuple[str, tuple[str, ...]]] = []  # --where on fields the index lacks
        indexed = indexed_fields(kind)
        self.row_fields: list[tuple[str, tuple[str, ...]]] = []
        pipeline = kind.pipeline
        if (filters.statuses or filters.due_before) and (pipeline is None or kind.field("status") is None):
            self.none = True
        if filters.due_before and kind.field("due") is None:
            self.none = True
        if filters.places and kind.region is None:
            self.none = True
        for name, wanted in filters.fields:
            spec = kind.region if name == "zone" else kind.field(name)
            if spec is None:
                self.none = True
                continue
            key = "zone" if name == "zone" else spec.key
            (self.row_fields if key in indexed else self.doc_fields).append((key, wanted))
        self.ranges, self.zones = _places(filters)
        self.since = day_number(filters.since)
        self.until = day_number(filters.until) or 99991231
        self.due = day_number(filters.due_before)

    def rows(self, view: SegmentView) -> list[int]:
        """The index rows of ``view`` that pass every test the index can answer."""
        index = view.index()
        a = index.arrays
        rows: Iterable[int] = range(len(index))
        if self.filters.places:
            codes, zone_col = a["region_code"], a["zone"]
            zone_ids = {name: i + 1 for i, name in enumerate(index.zones)}
            zones = [(code, zone_ids.get(name, -1)) for code, name in self.zones]
            ranges = self.ranges
            rows = [i for i in rows if any(lo <= codes[i] < hi for lo, hi in ranges)
                    or (zones and (codes[i], zone_col[i]) in zones)]
        if self.filters.since or self.filters.until:
            day, since, until = a["date"], self.since, self.until
            rows = [i for i in rows if day[i] and since <= day[i] <= until]
        if self.filters.statuses:
            wanted = {self.kind.pipeline.statuses.index(s) + 1 for s in self.filters.statuses}  # type: ignore[union-attr]
            status = a["status"]
            rows = [i for i in rows if status[i] in wanted]
        if self.filters.due_before:
            closed = {self.kind.pipeline.statuses.index(s) + 1 for s in self.kind.pipeline.closed}  # type: ignore
            follow, status, due = a["due"], a["status"], self.due
            rows = [i for i in rows if follow[i] and follow[i] <= due and status[i] not in closed]
        if self.row_fields:
            stubs = {i: index.stub(i) for i in rows}
            rows = [i for i in rows if all(_value(stubs[i], key) in wanted for key, wanted in self.row_fields)]
        return list(rows)

    def doc_test(self) -> Callable[[Mapping[str, Any]], bool] | None:
        if not self.doc_fields:
            return None
        tests = self.doc_fields
        return lambda doc: all(_value(doc, key) in wanted for key, wanted in tests)


def _value(doc: Mapping[str, Any], key: str) -> Any:
    value = doc.get(key)
    return "" if value is None or value == "" or value == [] else value


def text_hit(kind: Kind, doc: Mapping[str, Any], needle: str) -> bool:
    """``needle`` (casefolded) in one of the record's text fields, tags or notes."""
    for spec in kind.fields:
        value = doc.get(spec.key)
        if not value or spec.apart:
            continue
        if spec.type in _TEXT_TYPES and isinstance(value, str) and needle in value.casefold():
            return True
        if spec.type == "tags" and any(needle in t.casefold() for t in value):
            return True
        if spec.type == "notes" and any(needle in n.get("text", "").casefold() for n in value):
            return True
    return False


def _pattern(needle: str) -> tuple[bytes, bool]:
    """The needle as it appears in stored JSON bytes, and whether to compare ASCII lower-cased."""
    fold = any(ch.isascii() and ch.isalpha() for ch in needle)
    return orjson.dumps(needle)[1:-1].lower() if fold else orjson.dumps(needle)[1:-1], fold


def _hits(data: bytes, pattern: bytes) -> Iterator[int]:
    at = data.find(pattern)
    while at != -1:
        yield at
        at = data.find(pattern, at + 1)


class Engine:
    def __init__(self, views: Mapping[str, list[SegmentView]], log: BodyLog):
        self.views = views  # kind name → its segments in number order
        self.log = log

    def of(self, kind: Kind) -> list[SegmentView]:
        return self.views.get(kind.name, [])

    # -- selecting --------------------------------------------------------------------------
    def matches(self, query: Query) -> Iterator[Row]:
        """The rows that match, kind by kind, segment by segment, in number order."""
        for kind in query.kinds:
            compiled = Compiled(kind, query.filters)
            if compiled.none:
                continue
            if query.filters.text:
                yield from self._text_matches(kind, compiled, query.filters.text)
                continue
            test = compiled.doc_test()
            for view in self.of(kind):
                rows = compiled.rows(view)
                if rows:
                    yield from self._tested(view, rows, test, {})

    def _tested(self, view: SegmentView, rows: list[int], test: Callable[[Mapping[str, Any]], bool] | None,
                read: dict[int, dict[str, Any]]) -> Iterator[Row]:
        """Rows of one segment, through the document test when there is one (``read``: the
        documents already read, by row)."""
        index = view.index()
        numbers = index.arrays["n"]
        if test is None:
            for i in rows:
                doc = read.get(i)
                yield Row(view, i, numbers[i], doc if doc is not None else index.stub(i), doc is not None)
            return
        missing = [i for i in rows if i not in read]
        read = {**read, **dict(zip(missing, view.docs_at(missing)))}
        for i in rows:
            if test(read[i]):
                yield Row(view, i, numbers[i], read[i], True)

    def _text_matches(self, kind: Kind, compiled: Compiled, needle: str) -> Iterator[Row]:
        """Rows whose text fields (searched in the segment files) or body (searched in the
        body log, in one pass for the whole kind) hold ``needle``."""
        pattern, fold = _pattern(needle)
        per_view: list[tuple[SegmentView, list[int], dict[int, dict[str, Any]]]] = []
        refs: list[tuple[int, int, int, int]] = []  # body offset, length, view, row
        for v, view in enumerate(self.of(kind)):
            rows = compiled.rows(view)
            if not rows:
                continue
            read = self._field_hits(view, rows, pattern, fold, needle)
            if kind.has_body:
                arrays = view.index().arrays
                at_col, len_col = arrays["body_at"], arrays["body_len"]
                refs += [(at_col[i], len_col[i], v, i) for i in rows if i not in read and len_col[i] > 0]
            per_view.append((view, rows, read))
        in_bodies = self._body_hits(refs, pattern, fold)
        views = self.of(kind)
        test = compiled.doc_test()
        for view, rows, read in per_view:
            v = views.index(view)
            hits = [i for i in rows if i in read or (v, i) in in_bodies]
            if hits:
                yield from self._tested(view, hits, test, read)

    def _field_hits(self, view: SegmentView, rows: list[int], pattern: bytes, fold: bool,
                    needle: str) -> dict[int, dict[str, Any]]:
        """{row: document} of the rows whose text fields hold the needle: the segment's bytes
        are searched, then each hit is checked in its parsed document."""
        raw = view.raw()
        hay = raw.lower() if fold else raw
        starts = view.index().arrays["start"]
        wanted = set(rows)
        hit_rows = sorted({i for at in _hits(hay, pattern) if (i := bisect.bisect_right(starts, at) - 1) in wanted})
        if not hit_rows:
            return {}
        return {i: doc for i, doc in zip(hit_rows, view.docs_at(hit_rows)) if text_hit(view.kind, doc, needle)}

    def _body_hits(self, refs: list[tuple[int, int, int, int]], pattern: bytes, fold: bool) -> set[tuple[int, int]]:
        """(view, row) of the bodies holding the pattern.  Few bodies are read one by one;
        most of the log is read through in chunks, each searched at C speed."""
        if not refs:
            return set()
        refs.sort()
        found: set[tuple[int, int]] = set()
        try:
            with self.log._open() as handle:
                size = handle.seek(0, 2)
                if sum(r[1] for r in refs) < size // 4:
                    for offset, length, v, i in refs:
                        handle.seek(offset)
                        data = handle.read(length)
                        if pattern in (data.lower() if fold else data):
                            found.add((v, i))
                    return found
                starts = [r[0] for r in refs]
                overlap = len(pattern) - 1
                base = 0
                handle.seek(0)
                tail = b""
                while True:
                    chunk = handle.read(_CHUNK)
                    if not chunk:
                        break
                    data = tail + chunk
                    origin = base - len(tail)
                    hay = data.lower() if fold else data
                    for at in _hits(hay, pattern):
                        absolute = origin + at
                        k = bisect.bisect_right(starts, absolute) - 1
                        if k >= 0:
                            offset, length, v, i = refs[k]
                            if absolute + len(pattern) <= offset + length:
                                found.add((v, i))
                    base += len(chunk)
                    tail = data[-overlap:] if overlap else b""
        except FileNotFoundError:
            raise BodyUnreadable(self.log.path) from None
        return found

    def select(self, query: Query) -> Iterator[Record]:
        matched: Iterable[Row] = self.matches(query)
        if query.sort is not None:
            key, reverse = query.sort.key()
            matched = self._with_fields(matched, query.sort)

            def order(row: Row) -> Any:
                return key(row.view.kind, row.number, row.doc)

            if query.limit is not None:
                pick = heapq.nlargest if reverse else heapq.nsmallest
                matched = pick(query.limit, matched, key=order)
            else:
                matched = sorted(matched, key=order, reverse=reverse)
        elif query.limit is not None:
            matched = _first(matched, query.limit)
        yield from self._records(matched, query)

    def count(self, query: Query) -> int:
        return sum(1 for _ in self.matches(query))

    def _with_fields(self, rows: Iterable[Row], sort: Any) -> Iterator[Row]:
        """Rows whose ``doc`` holds what ``sort`` reads: read from the documents, a segment
        at a time, where the index does not hold it."""
        batch: list[Row] = []
        for row in rows:
            if row.full or set(sort.fields(row.view.kind)) <= indexed_fields(row.view.kind):
                yield row
                continue
            if batch and batch[-1].view is not row.view:
                yield from self._read(batch)
                batch = []
            batch.append(row)
        yield from self._read(batch)

    @staticmethod
    def _read(batch: list[Row]) -> list[Row]:
        if batch:
            for row, doc in zip(batch, batch[0].view.docs_at([r.at for r in batch])):
                row.doc, row.full = doc, True
        return batch

    def _records(self, rows: Iterable[Row], query: Query) -> Iterator[Record]:
        """Records for ``rows`` in their order: documents read in groups of consecutive rows
        of one segment, bodies from the log in log order."""
        group: list[Row] = []
        for row in rows:
            if group and (group[-1].view is not row.view or len(group) >= 512):
                yield from self._finish(group, query)
                group = []
            group.append(row)
        yield from self._finish(group, query)

    def _finish(self, group: list[Row], query: Query) -> Iterator[Record]:
        if not group:
            return
        view = group[0].view
        kind = view.kind
        if query.fields is None or not query.fields <= indexed_fields(kind):
            self._read([r for r in group if not r.full])
        bodies: dict[int, str] = {}
        if query.with_body and kind.has_body:
            arrays = view.index().arrays
            at_col, len_col = arrays["body_at"], arrays["body_len"]
            refs = [(r.at, [at_col[r.at], len_col[r.at]]) for r in group if len_col[r.at] > 0]
            bodies = dict(self.log.read_many(refs))
        for row in group:
            row.doc.pop("_body", None)
            yield Record(kind, row.number, row.doc, bodies.get(row.at))

    # -- single records ---------------------------------------------------------------------
    def locate(self, kind: Kind, number: int) -> tuple[SegmentView, int] | None:
        seq = seq_of(number)
        for view in self.of(kind):
            if view.entry.seq == seq:
                try:
                    return view, view.index().arrays["n"].index(number)
                except ValueError:
                    return None
        return None

    def get(self, kind: Kind, number: int, with_body: bool) -> Record | None:
        found = self.locate(kind, number)
        if found is None:
            return None
        view, at = found
        [doc] = view.docs_at([at])
        body = None
        if with_body and kind.has_body:
            index = view.index()
            if index.arrays["body_len"][at] > 0:
                body = self.log.read([index.arrays["body_at"][at], index.arrays["body_len"][at]])
        doc.pop("_body", None)
        return Record(kind, number, doc, body)

    def find_key(self, kind: Kind, key: tuple[str, ...], hashed: int) -> int | None:
        for view in self.of(kind):
            column = view.index().arrays["key"]
            at = -1
            while True:
                try:
                    at = column.index(hashed, at + 1)
                except ValueError:
                    break
                [doc] = view.docs_at([at])
                if kind.natural_key(doc) == key:
                    return view.index().arrays["n"][at]
        return None


def _first(rows: Iterable[Row], limit: int) -> Iterator[Row]:
    if limit <= 0:
        return
    for i, row in enumerate(rows, 1):
        yield row
        if i >= limit:
            return


__all__ = ["Engine", "INDEXED_TYPES", "text_hit"]
