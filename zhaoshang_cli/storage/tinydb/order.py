"""Sorted answers on a column the index holds (dates, regions) or by ID, in memory that
does not grow with the store.

A match is its segment's place in the listing and its row there; its sort key is one
integer (``_keyed``: the value, then kind, then number), so neither a list of rows per
segment nor the segments' indexes are held while the matches are gathered.  With a
limit, a heap keeps only that many.  Without one, the matches go into one array per
(sort value, kind), eight bytes a match, each already in number order since matches
come segment by segment; the values are then taken in order.  The ordered matches are
turned back into rows a window at a time: each segment the window touches has its index
read once and cut down to the window's rows (``SegmentView.narrowed``), so that reading
the records afterwards, a few thousand at a time in file order, needs no index again.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Iterator

from .matches import Hits, Row
from .segments import SegmentView

WINDOW = 65536  # ordered matches turned back into rows at a time (about 4 MB of cut indexes)
_ROW = 32  # a match is (segment << _ROW) | row


def _keyed(hits: Hits, column: str | None, k: int) -> Iterator[tuple[int, int]]:
    """(sort key, match) for each row of ``hits``, the segment ``k`` of the listing: the key
    orders by ``column`` (by ID alone when None), then kind, then number."""
    arrays = hits.view.index().arrays
    numbers = arrays["n"]
    prefix = ord(hits.view.kind.prefix) << 40
    segment = k << _ROW
    if column is None:
        return ((prefix | numbers[i], segment | i) for i in hits.rows)
    values = arrays[column]
    return (((values[i] << 48) | prefix | numbers[i], segment | i) for i in hits.rows)


def first(matched: Iterable[Hits], columns: dict[str, str | None], limit: int, descending: bool,
          views: list[SegmentView]) -> list[Row]:
    """The first ``limit`` matches in the order: a heap of that many.  A document a filter
    read already is read again for the few chosen, not kept for every match."""
    place = {view: k for k, view in enumerate(views)}
    keyed = (pair for hits in matched for pair in _keyed(hits, columns[hits.view.kind.name], place[hits.view]))
    chosen = (heapq.nlargest if descending else heapq.nsmallest)(limit, keyed)
    return [Row(views[match >> _ROW], match & ((1 << _ROW) - 1), None) for _, match in chosen]


def every(matched: Iterable[Hits], columns: dict[str, str | None], descending: bool,
          views: list[SegmentView]) -> Iterator[Row]:
    """Every match in the order, gathered by (sort value, kind)."""
    place = {view: k for k, view in enumerate(views)}
    groups: dict[tuple[int, int], array] = {}
    for hits in matched:
        prefix = ord(hits.view.kind.prefix)
        for key, match in _keyed(hits, columns[hits.view.kind.name], place[hits.view]):
            group = groups.get((key >> 48, prefix))
            if group is None:
                group = groups[key >> 48, prefix] = array("q")
            group.append(match)
    window = array("q")  # the next matches in the order
    for value, prefix in sorted(groups, reverse=descending):
        group = groups.pop((value, prefix))
        if descending:
            group.reverse()
        for start in range(0, len(group), WINDOW):
            window += group[start:start + WINDOW]
            while len(window) >= WINDOW:
                yield from _rows(window[:WINDOW], views)
                del window[:WINDOW]
    yield from _rows(window, views)


def _rows(window: array, views: list[SegmentView]) -> Iterator[Row]:
    """Rows for these matches, in this order, over views cut down to them."""
    by_segment: dict[int, list[int]] = {}  # segment → the places of its matches in the window
    for j, match in enumerate(window):
        by_segment.setdefault(match >> _ROW, []).append(j)
    cut: list[SegmentView] = []
    which, where = array("i", bytes(4 * len(window))), array("i", bytes(4 * len(window)))
    mask = (1 << _ROW) - 1
    for k, places in by_segment.items():
        places.sort(key=window.__getitem__)  # in row order
        narrowed, positions = views[k].narrowed([window[j] & mask for j in places])
        for j, at in zip(places, positions):
            which[j], where[j] = len(cut), at
        cut.append(narrowed)
    for j in range(len(window)):
        yield Row(cut[which[j]], where[j], None)
