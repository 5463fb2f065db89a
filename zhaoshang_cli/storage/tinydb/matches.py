"""The rows that match a query in the TinyDB backend.

Filters are compiled once per kind into tests over index columns (region and zone, dates,
status, any indexed field) and, only where they need more, over documents (a ``--where``
on a text field).  The rows of a segment that pass are its ``Hits``; a sort on a column
the index holds gives each one integer key (``_keyed``), and a row of a sorted answer is
a ``Row``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...domain.kind import Kind
from ..base import Filters, document_test
from .index import day_number, indexed_fields
from .segments import SegmentView


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
        if filters.signed and (kind.pipeline is None or roles.status is None):
            self.none = True
        self.signing = filters.signing_test(kind)
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

    def rows(self, view: SegmentView) -> Sequence[int]:
        """The index rows of ``view`` that pass every test the index can answer, ascending (a
        range when every row does: a list of each segment's rows held for a whole store of a
        million records would be 36 MB)."""
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
        return rows if isinstance(rows, range) else list(rows)

    def doc_test(self) -> Callable[[Mapping[str, Any]], bool] | None:
        return document_test(self.doc_fields, self.signing)


def _value(doc: Mapping[str, Any], key: str) -> Any:
    value = doc.get(key)
    return "" if value is None or value == "" or value == [] else value


@dataclass
class Hits:
    """The rows of one segment that match, in number order; ``docs``: the whole documents
    already read for some of them (by a document test or a text check)."""

    view: SegmentView
    rows: Sequence[int]
    docs: dict[int, dict[str, Any]]


def _tested(view: SegmentView, rows: Sequence[int], test: Callable[[Mapping[str, Any]], bool] | None,
            read: dict[int, dict[str, Any]]) -> Hits:
    """The rows of one segment that pass the document test, if there is one (``read``: the
    documents already read, by row)."""
    if test is None:
        return Hits(view, rows, read)
    missing = [i for i in rows if i not in read]
    read = {**read, **dict(zip(missing, view.docs_at(missing)))}
    return Hits(view, [i for i in rows if test(read[i])], read)


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
