"""The query engine of the TinyDB backend: one way to answer every ``Query``.

Filters are compiled once per kind into tests (matches.py) over index columns, over
documents where they need more, or over text digests (``--text``: text_search.py).
Matches come segment by segment as lists of rows.  Sorts on dates, regions and IDs
compare one integer per row taken from the index; other sorts read the fields they sort
on.  A limit keeps only a heap of that size.  Documents are read last, only for the rows
returned, a segment at a time, so an export or a listing of everything streams.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from ...domain.kind import Kind
from ..base import Query, Record
from . import order
from .bodies import BodyLog
from .index import INDEXED_TYPES, indexed_fields, sort_column
from .matches import Compiled, Hits, Row, _tested
from .segments import SegmentView, seq_of
from .text_search import TextSearch

_GROUP = 512  # rows read from a segment at a time
_CHUNK = 4096  # rows of a sorted listing read together, segment by segment …
_CHUNK_WITH_BODIES = 1024  # … or, with their bodies, fewer (a thousand bodies are 3 MB and more)
_KEEP_OPEN = 32  # segment files one select keeps open


class _Files:
    """The files one select reads through: a listing in date order moves from segment to
    segment row by row, and opening each file again for every row cost a sixth of it."""

    def __init__(self, log: BodyLog):
        self.log = log
        self.segments: dict[str, Any] = {}  # segment file → its handle, the least recently used first
        self.body_log: Any = None

    def segment(self, view: SegmentView) -> Any:
        handle = self.segments.pop(view.entry.file, None)
        if handle is None:
            handle = view.open()
            if len(self.segments) >= _KEEP_OPEN:
                oldest = next(iter(self.segments))
                _close(self.segments.pop(oldest))
        self.segments[view.entry.file] = handle
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


class Engine(TextSearch):
    def __init__(self, views: Mapping[str, list[SegmentView]], log: BodyLog, text_index: bool = False):
        self.views = views  # kind name → its segments in number order
        self.log = log
        self.text_index = text_index  # the store keeps text indexes: --text asks them first

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
        views = [view for kind in query.kinds for view in self.of(kind)]
        if sort.name == "id":
            columns = dict.fromkeys(columns)
        if query.limit is not None:
            yield from order.first(matched, columns, query.limit, sort.descending, views)
        else:
            yield from order.every(matched, columns, sort.descending, views)

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
            chunk = list(islice(stream, _CHUNK_WITH_BODIES if query.with_body else _CHUNK))
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
                yield built.pop((row.view, row.at))  # not held once given: writing a record adds to it

    def _build(self, view: SegmentView, rows: Sequence[int], known: Mapping[int, dict[str, Any]],
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
