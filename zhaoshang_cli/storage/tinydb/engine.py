"""The query engine of the TinyDB backend: one way to answer every ``Query``.

Filters are compiled once per kind into tests over index columns (region and zone, dates,
status, any indexed field) and, only where they need more, over documents (a ``--where``
on a text field) or text digests (``--text``, see digests.py).  Matches come segment by
segment as lists of rows.  Sorts on dates, regions and IDs compare one integer per row
taken from the index; other sorts read the fields they sort on.  A limit keeps only a
heap of that size.  Documents are read last, only for the rows returned, a segment at a
time, so an export or a listing of everything streams.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ...domain.kind import Kind
from ...domain.search import needle_planes, text_hit
from ..base import Filters, Query, Record
from .bodies import BodyLog
from .digests import Digest, DigestUnreadable, search_segments
from .index import INDEXED_TYPES, day_number, indexed_fields, sort_column
from .segments import SegmentView, seq_of

_GROUP = 512  # rows read from a segment at a time
_CHUNK = 4096  # rows of a sorted listing read together, segment by segment
_KEEP_OPEN = 32  # segment files one select keeps open
_BAND = 4096  # rows a sorted, limited text search tries first (see _first_by_text) …
_BAND_PER_LIMIT = 64  # … or this many per record asked for, if more
_FIRST_RUN = 64  # rows of the band searched together first; each run after is twice the one before


class _Files:
    """The files one select reads through: a listing in date order moves from segment to
    segment row by row, and opening each file again for every row cost a sixth of it."""

    def __init__(self, log: BodyLog):
        self.log = log
        self.segments: dict[SegmentView, Any] = {}  # the least recently used first
        self.body_log: Any = None

    def segment(self, view: SegmentView) -> Any:
        handle = self.segments.pop(view, None)
        if handle is None:
            handle = view.open()
            if len(self.segments) >= _KEEP_OPEN:
                oldest = next(iter(self.segments))
                _close(self.segments.pop(oldest))
        self.segments[view] = handle
        return handle

    def bodies(self) -> Any:
        if self.body_log is None:
            self.body_log = self.log.open()
        return self.body_log

    def close(self) -> None:
        for handle in [*self.segments.values(), self.body_log]:
            _close(handle)
        self.segments, self.body_log = {}, None


def _close(handle: Any) -> None:
    if handle is not None:
        handle.close()


@dataclass
class Row:
    view: SegmentView
    at: int                         # the row in the view's index
    doc: dict[str, Any] | None      # the whole document when a filter read it already


class Compiled:
    """The filters as tests for one kind: over index rows, and over documents where needed."""

    def __init__(self, kind: Kind, filters: Filters):
        self.kind = kind
        self.filters = filters
        self.none = False  # the kind cannot match at all
        self.doc_fields: list[tuple[str, tuple[str, ...]]] = []  # --where on fields the index lacks
        indexed = indexed_fields(kind)
        self.row_fields: list[tuple[str, tuple[str, ...]]] = []
        roles = kind.roles
        if (filters.statuses or filters.due_before) and (kind.pipeline is None or roles.status is None):
            self.none = True
        if filters.due_before and roles.follow_up is None:
            self.none = True
        if (filters.since or filters.until) and roles.date is None:  # a kind without a date: no period holds it
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
        self.ranges, self.zones = filters.place_ranges()
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
            # one pass per region (no generator per row), merged when there are several
            found = [[i for i, code in enumerate(codes) if lo <= code < hi] for lo, hi in self.ranges]
            if zones:
                found.append([i for i, place in enumerate(zip(codes, zone_col)) if place in zones])
            rows = found[0] if len(found) == 1 else sorted(set().union(*found))
        roles = self.kind.roles
        if self.filters.since or self.filters.until:
            day, since, until = a[roles.date], self.since, self.until  # type: ignore[index]
            rows = [i for i in rows if day[i] and since <= day[i] <= until]
        if self.filters.statuses:
            wanted = {self.kind.pipeline.statuses.index(s) + 1 for s in self.filters.statuses}  # type: ignore[union-attr]
            status = a[roles.status]  # type: ignore[index]
            rows = [i for i in rows if status[i] in wanted]
        if self.filters.due_before:
            closed = {self.kind.pipeline.statuses.index(s) + 1 for s in self.kind.pipeline.closed}  # type: ignore
            follow, status, due = a[roles.follow_up], a[roles.status], self.due  # type: ignore[index]
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


@dataclass
class Hits:
    """The rows of one segment that match, in number order; ``docs``: the whole documents
    already read for some of them (by a document test or a text check)."""

    view: SegmentView
    rows: list[int]
    docs: dict[int, dict[str, Any]]


def _tested(view: SegmentView, rows: list[int], test: Callable[[Mapping[str, Any]], bool] | None,
            read: dict[int, dict[str, Any]]) -> Hits:
    """The rows of one segment that pass the document test, if there is one (``read``: the
    documents already read, by row)."""
    if test is None:
        return Hits(view, rows, read)
    missing = [i for i in rows if i not in read]
    read = {**read, **dict(zip(missing, view.docs_at(missing)))}
    return Hits(view, [i for i in rows if test(read[i])], read)


def _searched(digest: Digest | None, needle: Any, rows: list[int]) -> list[int] | None:
    """What ``digest`` finds in ``rows``; None when there is no digest or it cannot be read
    (then the rows are searched the slow way)."""
    try:
        return None if digest is None else digest.search(needle, rows)
    except DigestUnreadable:
        return None


def _keyed(hits: Hits, column: str | None, k: int) -> list[tuple[int, int, int]]:
    """(sort key, ``k``, row) for each row of ``hits``: the key orders by ``column`` (by ID
    alone when None), then kind, then number, in one integer."""
    arrays = hits.view.index().arrays
    numbers = arrays["n"]
    prefix = ord(hits.view.kind.prefix) << 40
    if column is None:
        return [(prefix | numbers[i], k, i) for i in hits.rows]
    values = arrays[column]
    return [((values[i] << 48) | prefix | numbers[i], k, i) for i in hits.rows]


class Engine:
    def __init__(self, views: Mapping[str, list[SegmentView]], log: BodyLog):
        self.views = views  # kind name → its segments in number order
        self.log = log

    def of(self, kind: Kind) -> list[SegmentView]:
        return self.views.get(kind.name, [])

    # -- selecting --------------------------------------------------------------------------
    def matches(self, query: Query) -> Iterator[Hits]:
        """The matching rows, kind by kind, segment by segment, in number order."""
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
                    hits = _tested(view, rows, test, {})
                    if hits.rows:
                        yield hits

    def _text_matches(self, kind: Kind, compiled: Compiled, needle: str) -> Iterator[Hits]:
        """Rows whose searched text holds ``needle``: found in each segment's text digest, or,
        for a segment without one, in its documents and bodies."""
        planes = needle_planes(needle)
        if planes is None:
            return
        work = [(view, rows) for view in self.of(kind) if (rows := compiled.rows(view))]
        test = compiled.doc_test()
        for (view, rows), found in zip(work, search_segments(work, planes)):
            hits = self._text_hits(view, rows, found, needle, test)
            if hits is not None:
                yield hits

    def _text_hits(self, view: SegmentView, rows: list[int], found: list[int] | None, needle: str,
                   test: Callable[[Mapping[str, Any]], bool] | None) -> Hits | None:
        """The matches among ``rows`` of one segment, given what its digest found in them
        (None: it has no usable digest, so documents and bodies are searched)."""
        read: dict[int, dict[str, Any]] = {}
        if found is None:
            found, read = self._searched_slowly(view, rows, needle)
        if not found:
            return None
        hits = _tested(view, found, test, read)
        return hits if hits.rows else None

    def _searched_slowly(self, view: SegmentView, rows: list[int],
                         needle: str) -> tuple[list[int], dict[int, dict[str, Any]]]:
        """The rows holding ``needle``, each document and body read (a segment without a
        text digest: written before there were digests, or with a damaged one)."""
        docs = dict(zip(rows, view.docs_at(rows)))
        bodies: dict[int, str] = {}
        if view.kind.has_body:
            arrays = view.index().arrays
            at_col, len_col = arrays["body_at"], arrays["body_len"]
            bodies = dict(self.log.read_many([(i, [at_col[i], len_col[i]]) for i in rows if len_col[i] > 0]))
        found = [i for i in rows if text_hit(view.kind, docs[i], needle, bodies.get(i))]
        return found, {i: docs[i] for i in found}

    def select(self, query: Query) -> Iterator[Record]:
        files = _Files(self.log)
        try:
            yield from self._select(query, files)
        finally:  # also when the caller stops early (a closed generator)
            files.close()

    def _select(self, query: Query, files: _Files) -> Iterator[Record]:
        if query.sort is not None:
            first = self._first_by_text(query)
            ordered = first if first is not None else self._ordered(self.matches(query), query)
            yield from self._records(ordered, query, files)
            return
        matched = self.matches(query)
        left = query.limit
        for hits in matched:  # in number order: segment by segment, as they come
            rows = hits.rows if left is None else hits.rows[:max(left, 0)]
            for start in range(0, len(rows), _GROUP):
                yield from self._build(hits.view, rows[start:start + _GROUP], hits.docs, query, files)
            if left is not None:
                left -= len(rows)
                if left <= 0:
                    return

    def count(self, query: Query) -> int:
        return sum(len(hits.rows) for hits in self.matches(query))

    def _ordered(self, matched: Iterable[Hits], query: Query) -> Iterator[Row]:
        """The rows in the query's order, cut to its limit.  Sorts on a column the index
        holds (dates, regions, IDs) compare one integer per row; others read what they sort on."""
        sort = query.sort
        assert sort is not None
        columns = {kind.name: sort_column(kind, sort.fields(kind)) for kind in query.kinds}
        if sort.name != "id" and None in columns.values():
            yield from self._ordered_by_documents(matched, query)
            return
        keyed: list[tuple[int, int, int]] = []
        found: list[Hits] = []
        for hits in matched:
            keyed += _keyed(hits, None if sort.name == "id" else columns[hits.view.kind.name], len(found))
            found.append(hits)
        if query.limit is not None:
            chosen = (heapq.nlargest if sort.descending else heapq.nsmallest)(query.limit, keyed)
        else:
            keyed.sort(reverse=sort.descending)
            chosen = keyed
        for _, k, i in chosen:
            yield Row(found[k].view, i, found[k].docs.get(i))

    def _first_by_text(self, query: Query) -> list[Row] | None:
        """The answer to a text search that wants only the first few records in an indexed
        order (``list --text 词 --limit 20``, by date): the few thousand rows that come first
        in that order are searched in that order, a growing run of them at a time, until
        enough match.  None when they hold fewer matches than the limit (or the query is not
        of that shape): then every row is searched.  A common word is found in milliseconds
        instead of a scan of every digest; a rare one costs a thousand rows more, as the
        search gives up once the band is unlikely to hold enough.  Also None when so many
        rows share the value where the band ends that there is no band to speak of.

        Exact: the band holds every row whose sort value is at or before its last one (ties
        included), so every row outside it sorts after every row inside; its rows are
        searched strictly in order, a whole run at a time, so the matches found are the first
        matches of all."""
        sort, limit, needle = query.sort, query.limit, query.filters.text
        if not needle or sort is None or sort.name == "id" or limit is None:
            return None
        columns = {kind.name: sort_column(kind, sort.fields(kind)) for kind in query.kinds}
        if None in columns.values():
            return None
        band = max(_BAND, _BAND_PER_LIMIT * limit)
        if sum(len(view.index()) for kind in query.kinds for view in self.of(kind)) < 4 * band:
            return None  # a small store: every row is searched, and soon
        candidates: list[tuple[SegmentView, list[int], Callable[[Mapping[str, Any]], bool] | None]] = []
        for kind in query.kinds:
            compiled = Compiled(kind, query.filters)
            if not compiled.none:
                test = compiled.doc_test()
                candidates += [(view, rows, test) for view in self.of(kind) if (rows := compiled.rows(view))]
        planes = needle_planes(needle)
        total = sum(len(rows) for _, rows, _ in candidates)
        if total < 4 * band or planes is None:
            return None
        # where the band ends in the order, from a sample of the sort values
        values = [view.index().arrays[columns[view.kind.name]] for view, _, _ in candidates]  # type: ignore[index]
        step = max(1, band // 64)
        sample = sorted([col[i] for col, (_, rows, _) in zip(values, candidates) for i in rows[::step]],
                        reverse=sort.descending)
        edge = sample[min(len(sample) - 1, band // step)]
        in_band: list[tuple[int, int, int]] = []  # (sort key, candidate, row), in the order
        for k, (col, (view, rows, _)) in enumerate(zip(values, candidates)):
            near = [i for i in rows if col[i] >= edge] if sort.descending else [i for i in rows if col[i] <= edge]
            if near:
                in_band += _keyed(Hits(view, near, {}), columns[view.kind.name], k)
        if len(in_band) > 2 * band:
            return None
        in_band.sort(reverse=sort.descending)
        digests: dict[int, Digest | None] = {}
        found: list[tuple[int, int, int]] = []
        docs: dict[tuple[int, int], dict[str, Any]] = {}
        start, run = 0, _FIRST_RUN
        while len(found) < limit and start < len(in_band):
            by_segment: dict[int, list[int]] = {}
            for _, k, i in in_band[start:start + run]:
                by_segment.setdefault(k, []).append(i)
            for k, rows in by_segment.items():
                view, _, test = candidates[k]
                if k not in digests:
                    digests[k] = view.digest_by_rows()
                rows.sort()
                hits = self._text_hits(view, rows, _searched(digests[k], planes, rows), needle, test)
                if hits is not None:
                    found += _keyed(hits, columns[view.kind.name], k)
                    docs.update(((k, i), doc) for i, doc in hits.docs.items())
            start, run = start + run, run * 2
            if start >= 8 * _FIRST_RUN and 2 * len(found) * len(in_band) < limit * start:
                break  # at this rate the band would not hold half the matches asked for
        if len(found) < limit:
            return None
        chosen = (heapq.nlargest if sort.descending else heapq.nsmallest)(limit, found)
        return [Row(candidates[k][0], i, docs.get((k, i))) for _, k, i in chosen]

    def _ordered_by_documents(self, matched: Iterable[Hits], query: Query) -> Iterator[Row]:
        """Sorted on fields the index lacks: each match's key is worked out from what it
        holds, and only the key is kept; the documents are read again when shown."""
        key, reverse = query.sort.key()  # type: ignore[union-attr]
        places: list[tuple[SegmentView, int]] = []
        keys: list[Any] = []
        for view, at, doc in self._with_fields(matched, query.sort):
            keys.append(key(view.kind, view.index().arrays["n"][at], doc))
            places.append((view, at))
        order = range(len(places))
        if query.limit is not None:
            chosen = (heapq.nlargest if reverse else heapq.nsmallest)(query.limit, order, key=keys.__getitem__)
        else:
            chosen = sorted(order, key=keys.__getitem__, reverse=reverse)
        for i in chosen:
            yield Row(*places[i], None)

    def _with_fields(self, matched: Iterable[Hits], sort: Any) -> Iterator[tuple[SegmentView, int, dict[str, Any]]]:
        """(view, row, what ``sort`` reads of it) for each match: stubs of the index where it
        holds that, else the documents, read a segment at a time."""
        for hits in matched:
            view, missing = hits.view, [i for i in hits.rows if i not in hits.docs]
            if set(sort.fields(view.kind)) <= indexed_fields(view.kind):
                read = view.index().stubs(missing)
            else:
                read = view.docs_at(missing)
            docs = {**hits.docs, **dict(zip(missing, read))}
            for i in hits.rows:
                yield view, i, docs[i]

    def _records(self, rows: Iterable[Row], query: Query, files: _Files) -> Iterator[Record]:
        """Records for ``rows`` in their order.  A sorted listing moves between segments row
        by row, so the rows are taken a few thousand at a time and read segment by segment in
        file order (bodies in log order), then given back in the order asked."""
        stream = iter(rows)
        while True:
            chunk = list(islice(stream, _CHUNK))
            if not chunk:
                return
            by_view: dict[SegmentView, list[Row]] = {}
            for row in chunk:
                by_view.setdefault(row.view, []).append(row)
            built: dict[tuple[SegmentView, int], Record] = {}
            for view, group in by_view.items():
                group.sort(key=lambda row: row.at)
                for start in range(0, len(group), _GROUP):
                    part = group[start:start + _GROUP]
                    known = {r.at: r.doc for r in part if r.doc is not None}
                    for row, record in zip(part, self._build(view, [r.at for r in part], known, query, files)):
                        built[view, row.at] = record
            for row in chunk:
                yield built[row.view, row.at]

    def _build(self, view: SegmentView, rows: list[int], known: Mapping[int, dict[str, Any]],
               query: Query, files: _Files) -> Iterator[Record]:
        """Records for some rows of one segment (``known``: documents already read): stubs of
        the index when the query reads only indexed fields, else the documents; bodies."""
        if not rows:
            return
        kind = view.kind
        index = view.index()
        docs = dict(known)
        pending = [i for i in rows if i not in docs]
        if pending:
            if query.fields is not None and query.fields <= indexed_fields(kind):
                docs.update(zip(pending, index.stubs(pending)))
            else:
                docs.update(zip(pending, view.docs_at(pending, files.segment(view))))
        bodies: dict[int, str] = {}
        if query.with_body and kind.has_body:
            at_col, len_col = index.arrays["body_at"], index.arrays["body_len"]
            refs = [(i, [at_col[i], len_col[i]]) for i in rows if len_col[i] > 0]
            if refs:
                bodies = dict(self.log.read_many(refs, files.bodies()))
        numbers = index.arrays["n"]
        for i in rows:
            doc = docs[i]
            doc.pop("_body", None)
            yield Record(kind, numbers[i], doc, bodies.get(i))

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
            for number in view.numbers_with_keys([hashed]).get(hashed, ()):
                record = self.get(kind, number, with_body=False)
                if record is not None and kind.natural_key(record.doc) == key:
                    return number
        return None


__all__ = ["Engine", "INDEXED_TYPES"]
