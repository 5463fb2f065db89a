"""``--text`` in the TinyDB backend: the rows whose searched text holds a needle, found in
each segment's text digest (digests.py), or in its documents and bodies when it has none;
and the first few in an indexed order, found without searching every row
(``_first_by_text``).  A part of Engine, apart for its size.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ...domain.kind import Kind
from ...domain.search import needle_planes, text_hit
from ..base import Query
from .bodies import BodyLog
from .digests import Digest, DigestUnreadable, search_segments
from .index import sort_column
from .matches import Compiled, Hits, Row, _keyed, _tested
from .segments import SegmentView
from .text_filter import asked as index_asked

_BAND = 4096  # rows a sorted, limited text search tries first (see _first_by_text) …
_BAND_PER_LIMIT = 64  # … or this many per record asked for, if more
_FIRST_RUN = 64  # rows of the band searched together first; each run after is twice the one before


def _searched(digest: Digest | None, needle: Any, rows: Sequence[int]) -> list[int] | None:
    """What ``digest`` finds in ``rows``; None when there is no digest or it cannot be read
    (then the rows are searched the slow way)."""
    try:
        return None if digest is None else digest.search(needle, rows)
    except DigestUnreadable:
        return None


class TextSearch:
    """The text search of an Engine, which gives it ``log`` and ``of``."""

    log: BodyLog
    text_index: bool

    def of(self, kind: Kind) -> list[SegmentView]:
        raise NotImplementedError

    def _text_matches(self, kind: Kind, compiled: Compiled, needle: str) -> Iterator[Hits]:
        """Rows whose searched text holds ``needle``: found in each segment's text digest, or,
        for a segment without one, in its documents and bodies."""
        planes = needle_planes(needle)
        if planes is None:
            return
        asked = index_asked(planes) if self.text_index else None
        work = [(view, rows) for view in self.of(kind)
                if not (asked and view.ruled_out(asked)) and (rows := compiled.rows(view))]
        test = compiled.doc_test()
        for (view, rows), found in zip(work, search_segments(work, planes)):
            hits = self._text_hits(view, rows, found, needle, test)
            if hits is not None:
                yield hits

    def _text_hits(self, view: SegmentView, rows: Sequence[int], found: list[int] | None, needle: str,
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

    def _searched_slowly(self, view: SegmentView, rows: Sequence[int],
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
        if sum(view.entry.count for kind in query.kinds for view in self.of(kind)) < 4 * band:
            return None  # a small store: every row is searched, and soon
        planes = needle_planes(needle)
        if planes is None:
            return None
        asked = index_asked(planes) if self.text_index else None
        candidates: list[tuple[SegmentView, Sequence[int], Callable[[Mapping[str, Any]], bool] | None]] = []
        for kind in query.kinds:
            compiled = Compiled(kind, query.filters)
            if not compiled.none:
                test = compiled.doc_test()
                candidates += [(view, rows, test) for view in self.of(kind)
                               if not (asked and view.ruled_out(asked)) and (rows := compiled.rows(view))]
        total = sum(len(rows) for _, rows, _ in candidates)
        if total < 4 * band:
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
