"""Queries of the PostgreSQL backend: the protocol's ``Query`` compiled into SQL that answers
exactly as the TinyDB engine does (storage/tinydb/engine.py is the reference).

* Filters become a WHERE clause per kind over the typed columns (schema.py): region codes
  and prefixes as integer ranges, zones beside their district, dates, statuses, follow-ups
  not yet closed, ``--where`` on any column (``FIELD=`` for none), and ``--text`` as a
  LIKE over the casefolded searched text (served by the trigram indexes when the store
  keeps them: db text-index on).
* Sorts follow domain/sorting.py: missing values first (last when descending), text in
  code point order (COLLATE "C"), ties by ID prefix and number; amounts each currency
  apart, yuan first, records without one last whichever the direction.  Several kinds are
  one UNION ALL ordered and cut to the limit by the server.
* What SQL cannot say exactly (a sort or ``--where`` on a list field such as tags, one
  sort key of different types in two kinds) is done in Python with the same key functions
  over the documents, after the server has applied the rest of the filters.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from ...domain.currencies import CURRENCIES
from ...domain.kind import Kind
from ...domain.sorting import Sort
from ..base import Filters, Query, Record, Tally, document_test, tally_records
from .schema import BODY_TEXT, SEPARATOR, Column, column_of, decoder, quoted, shown, table_name

_BATCH = 2000  # rows fetched at a time


@dataclass
class Where:
    """A kind's filters: an SQL condition, and a test over documents for what SQL cannot say."""

    sql: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    doc_tests: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (key, wanted) on documents
    signing: Callable[[Mapping[str, Any]], bool] | None = None  # the signing days, checked on documents
    none: bool = False  # the kind matches nothing

    @property
    def on_documents(self) -> bool:
        return bool(self.doc_tests) or self.signing is not None

    def clause(self) -> str:
        return " AND ".join(self.sql) if self.sql else "TRUE"

    def doc_test(self) -> Callable[[Mapping[str, Any]], bool] | None:
        return document_test(self.doc_tests, self.signing)


def where(kind: Kind, filters: Filters) -> Where:
    found = Where()
    cols = column_of(kind)
    add = found.sql.append
    roles = kind.roles
    if (filters.statuses or filters.due_before) and (kind.pipeline is None or roles.status not in cols):
        found.none = True
    if filters.due_before and roles.follow_up not in cols:
        found.none = True
    if filters.places and "region_code" not in cols:
        found.none = True
    if (filters.since or filters.until) and roles.date not in cols:
        found.none = True
    if filters.signed and (kind.pipeline is None or roles.status not in cols):
        found.none = True
    if found.none:
        return found
    if filters.signed:  # only records at the end of their pipeline can have been signed
        add(f"{quoted(cols[roles.status].name)} = %s")  # type: ignore[index]
        found.params.append(kind.pipeline.won)  # type: ignore[union-attr]
        found.signing = filters.signing_test(kind)
        signed_on = cols.get(roles.won_on or "")
        if signed_on is not None and signed_on.sql == "date":  # a signing day kept is the day (domain/signing.py):
            on = quoted(signed_on.name)  # only records without one need their history read
            bounds = [f"{on} {op} %s::date"
                      for op, value in ((">=", filters.signed_since), ("<=", filters.signed_until)) if value]
            add(f"({on} IS NULL OR ({' AND '.join(bounds)}))")
            found.params += [v for v in (filters.signed_since, filters.signed_until) if v]
    if filters.places:
        ranges, zones = filters.place_ranges()
        parts = []
        for low, high in ranges:
            parts.append("(region_code >= %s AND region_code < %s)")
            found.params += [low, high]
        for code, name in zones:
            parts.append("(region_code = %s AND zone = %s)")
            found.params += [code, name]
        add("(" + " OR ".join(parts) + ")")
    if filters.since or filters.until:
        day = quoted(cols[roles.date].name)  # type: ignore[index]
        add(f"{day} IS NOT NULL")
        if filters.since:
            add(f"{day} >= %s::date")
            found.params.append(filters.since)
        if filters.until:
            add(f"{day} <= %s::date")
            found.params.append(filters.until)
    if filters.statuses:
        add(f"{quoted(cols[roles.status].name)} = ANY(%s)")  # type: ignore[index]
        found.params.append(list(filters.statuses))
    if filters.due_before:
        due, status = quoted(cols[roles.follow_up].name), quoted(cols[roles.status].name)  # type: ignore[index]
        add(f"{due} IS NOT NULL AND {due} <= %s::date AND ({status} IS NULL OR {status} <> ALL(%s))")
        found.params += [filters.due_before, list(kind.pipeline.closed)]  # type: ignore[union-attr]
    for name, wanted in filters.fields:
        spec = kind.region if name == "zone" else kind.field(name)
        if spec is None:
            found.none = True
            return found
        key = "zone" if name == "zone" else spec.key
        column = cols.get(key)
        if column is None:
            found.doc_tests.append((key, wanted))
            continue
        add(_equals(column, wanted, found.params))
    if filters.text:
        if SEPARATOR in filters.text:
            found.none = True
            return found
        pattern = "%" + _like_escaped(filters.text) + "%"
        if kind.has_body:
            from ...domain.body import text_literal

            # A body kept once (body_search NULL) is its own searched text, and its JSON literal
            # holds the needle's escaped form wherever its text holds the needle: that cheap test
            # on the stored literal comes first, the exact one (which the text index serves) after.
            literal = "%" + _like_escaped(text_literal(filters.text)[1:-1].decode("utf-8")) + "%"
            add(f"(search LIKE %s OR ((body_search IS NOT NULL OR body::text LIKE %s) AND {BODY_TEXT} LIKE %s))")
            found.params += [pattern, literal, pattern]
        else:
            add("search LIKE %s")
            found.params.append(pattern)
    return found


def _equals(column: Column, wanted: tuple[str, ...], params: list[Any]) -> str:
    """The column holds one of ``wanted`` ("": holds nothing)."""
    name = quoted(column.name)
    values = [v for v in wanted if v != ""]
    parts = []
    if "" in wanted:
        parts.append(f"{name} IS NULL")
    if values and column.sql == "text":  # other types are compared by their own options
        parts.append(f"{name} = ANY(%s)")
        params.append([shown(v) for v in values])
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- sorting ---------------------------------------------------------------------------------
def _sort_key(kind: Kind, sort: Sort) -> str:
    """The stored key a sort reads from records of ``kind`` (as domain/sorting.py does)."""
    return sort.field_of(kind) or ""


def sql_sort(kinds: Sequence[Kind], sort: Sort | None) -> dict[str, tuple[str, str]] | None:
    """Per kind (sort value expression, its SQL type), or None when the sort is done in Python
    (a list field, or one key of different types in different kinds).  ``{}``: by ID."""
    if sort is None or sort.name == "id":
        return {}
    if sort.name == "amount":
        return {k.name: _amount_expr(k) for k in kinds}
    found: dict[str, tuple[str, str]] = {}
    types = set()
    for kind in kinds:
        key = _sort_key(kind, sort)
        column = column_of(kind).get(key)
        if column is None:
            spec = kind.field(key)
            if spec is not None and not spec.apart:
                return None  # a field kept only in the document (tags, notes, history)
            found[kind.name] = ("NULL", "")
            continue
        types.add(column.sql)
        expr = quoted(column.name) + (' COLLATE "C"' if column.sql == "text" else "")
        found[kind.name] = (expr, column.sql)
    if len(types) > 1:
        return None
    sql_type = types.pop() if types else "text"
    return {name: (expr if expr != "NULL" else f"NULL::{sql_type}", sql_type) for name, (expr, _) in found.items()}


def _amount_expr(kind: Kind) -> tuple[str, str]:
    cols = column_of(kind)
    if kind.roles.amount not in cols:
        return "NULL::bigint", "amount"
    return quoted(cols[kind.roles.amount].name), "amount"  # type: ignore[index]


def _rank_expr(kind: Kind) -> str:
    """domain/sorting._currency_rank in SQL: yuan first, the others in CURRENCIES order, no amount last."""
    cols = column_of(kind)
    if kind.roles.amount not in cols:
        return str(len(CURRENCIES))
    currency = quoted(cols["currency"].name) if "currency" in cols else "NULL"
    cases = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CURRENCIES))
    return (f"CASE WHEN {quoted(cols[kind.roles.amount].name)} IS NULL THEN {len(CURRENCIES)} "  # type: ignore[index]
            f"ELSE CASE coalesce({currency}, '{CURRENCIES[0]}') {cases} ELSE {len(CURRENCIES)} END END")


# -- running ---------------------------------------------------------------------------------
@dataclass
class Plan:
    kind: Kind
    position: int  # the kind's place in the query (the order of an unsorted query)
    where: Where


class Runner:
    """Answers queries on one connection inside the caller's transaction."""

    def __init__(self, conn: Any, tables: Callable[[Kind], bool]):
        self.conn = conn
        self.has_table = tables  # does the kind have its table yet (no table: no records)
        self.cursors = 0

    def plans(self, query: Query) -> list[Plan]:
        found = []
        for i, kind in enumerate(query.kinds):
            if not self.has_table(kind):
                continue
            w = where(kind, query.filters)
            if not w.none:
                found.append(Plan(kind, i, w))
        return found

    # -- count ---------------------------------------------------------------------------------
    def count(self, query: Query) -> int:
        total = 0
        for plan in self.plans(query):
            test = plan.where.doc_test()
            t = quoted(table_name(plan.kind))
            if test is None:
                total += self.conn.execute(f"SELECT count(*) FROM {t} WHERE {plan.where.clause()}",
                                           plan.where.params).fetchone()[0]
            else:
                total += sum(1 for _, doc in self._docs(plan) if test(doc))
        return total

    # -- tally ---------------------------------------------------------------------------------
    def tally(self, query: Query, keys: Sequence[str], months: Collection[str], reader: Any) -> Tally:
        """Records per distinct values of ``keys``, grouped by the server: a few rows back
        instead of every matching one.  What the columns cannot give (a filter on documents, a
        key kept only in them) is counted by ``reader`` over the records (base.tally_records)."""
        found: Tally = {}
        for plan in self.plans(query):
            grouped = _grouping(plan.kind, keys, months)
            if grouped is None or plan.where.on_documents:
                counted = tally_records(reader, replace(query, kinds=(plan.kind,)), keys, months)
            else:
                exprs, decoders = grouped
                sql = (f"SELECT {', '.join([*exprs, 'count(*)'])} FROM {quoted(table_name(plan.kind))} "
                       f"WHERE {plan.where.clause()}")
                if exprs:
                    sql += f" GROUP BY {', '.join(str(i + 1) for i in range(len(exprs)))}"
                counted = {}
                for row in self.conn.execute(sql, plan.where.params):
                    if row[-1]:
                        counted[tuple(decode(v) for decode, v in zip(decoders, row))] = row[-1]
            for values, n in counted.items():
                found[values] = found.get(values, 0) + n
        return found

    # -- select --------------------------------------------------------------------------------
    def select(self, query: Query) -> Iterator[Record]:
        plans = self.plans(query)
        if not plans or (query.limit is not None and query.limit <= 0):
            return iter(())
        sorting = sql_sort([p.kind for p in plans], query.sort)
        if sorting is None or any(p.where.on_documents for p in plans):
            return self._in_python(plans, query)
        if len(plans) == 1:
            return self._one_kind(plans[0], query, sorting)
        return self._many_kinds(plans, query, sorting)

    def _order(self, plan: Plan, query: Query, sorting: dict[str, tuple[str, str]],
               single: bool) -> tuple[str, list[str]]:
        """(ORDER BY terms, the select expressions they name) for one kind's branch."""
        sort = query.sort
        if sort is None:
            return ("number" if single else "k, number"), []
        direction = "DESC" if sort.descending else "ASC"
        tail = [f"p {direction}"] if not single else []
        tail.append(f"number {direction}")
        if sort.name == "id":
            return ", ".join(tail), []
        expr, _ = sorting[plan.kind.name]
        nulls = "NULLS LAST" if sort.descending else "NULLS FIRST"
        if sort.name == "amount":
            return (", ".join(["r ASC", f"s {direction} NULLS FIRST", *tail]),
                    [f"{_rank_expr(plan.kind)} AS r", f"{expr} AS s"])
        return ", ".join([f"s {direction} {nulls}", *tail]), [f"{expr} AS s"]

    def _one_kind(self, plan: Plan, query: Query, sorting: dict[str, tuple[str, str]]) -> Iterator[Record]:
        kind = plan.kind
        order, extra = self._order(plan, query, sorting, single=True)
        payload, build = _payload(kind, query)
        limit = f" LIMIT {int(query.limit)}" if query.limit is not None else ""
        inner = ", ".join(["number", *payload, *extra])
        sql = f"SELECT {inner} FROM {quoted(table_name(kind))} WHERE {plan.where.clause()} ORDER BY {order}{limit}"
        if not extra:
            for row in self._stream(sql, plan.where.params, query.limit):
                yield build(row)
            return
        # the sort expressions are selected for ORDER BY; the record is built from the rest
        width = 1 + len(payload)
        for row in self._stream(sql, plan.where.params, query.limit):
            yield build(row[:width])

    def _many_kinds(self, plans: list[Plan], query: Query, sorting: dict[str, tuple[str, str]]) -> Iterator[Record]:
        branches, params = [], []
        order = ""
        for plan in plans:
            order, extra = self._order(plan, query, sorting, single=False)
            cols = [f"{plan.position} AS k", f"'{plan.kind.prefix}'::text COLLATE \"C\" AS p", "number", *extra]
            branches.append(f"SELECT {', '.join(cols)} FROM {quoted(table_name(plan.kind))} "
                            f"WHERE {plan.where.clause()}")
            params += plan.where.params
        limit = f" LIMIT {int(query.limit)}" if query.limit is not None else ""
        sql = f"SELECT k, number FROM ({' UNION ALL '.join(branches)}) AS matched ORDER BY {order}{limit}"
        by_position = {p.position: p.kind for p in plans}
        pending: list[tuple[Kind, int]] = []
        for k, number in self._stream(sql, params, query.limit):
            pending.append((by_position[k], number))
            if len(pending) >= _BATCH:
                yield from self._fetch(pending, query)
                pending = []
        if pending:
            yield from self._fetch(pending, query)

    def _fetch(self, wanted: list[tuple[Kind, int]], query: Query) -> Iterator[Record]:
        """Records for (kind, number) pairs, in the order given."""
        found: dict[tuple[str, int], Record] = {}
        for kind in {k for k, _ in wanted}:
            numbers = [n for k, n in wanted if k is kind]
            payload, build = _payload(kind, query)
            sql = f"SELECT {', '.join(['number', *payload])} FROM {quoted(table_name(kind))} WHERE number = ANY(%s)"
            for row in self.conn.execute(sql, [numbers]):
                record = build(row)
                found[(kind.name, record.number)] = record
        for kind, number in wanted:
            kept = found.get((kind.name, number))
            if kept is not None:
                yield kept

    def _docs(self, plan: Plan) -> Iterator[tuple[int, dict[str, Any]]]:
        sql = (f"SELECT number, doc::text FROM {quoted(table_name(plan.kind))} WHERE {plan.where.clause()} "
               "ORDER BY number")
        for number, doc in self._stream(sql, plan.where.params):
            yield number, orjson.loads(doc)

    def _in_python(self, plans: list[Plan], query: Query) -> Iterator[Record]:
        """Filters the server cannot apply and sorts it cannot do, done here with the same
        key functions as every backend (domain/sorting.py) over the documents."""
        rows: list[tuple[Plan, int, dict[str, Any]]] = []
        for plan in plans:
            test = plan.where.doc_test()
            rows += [(plan, n, doc) for n, doc in self._docs(plan) if test is None or test(doc)]
        sort = query.sort
        if sort is None:
            rows.sort(key=lambda r: (r[0].position, r[1]))
            chosen: Iterable[tuple[Plan, int, dict[str, Any]]] = rows
        else:
            key, reverse = sort.key()

            def order(row: tuple[Plan, int, dict[str, Any]]) -> Any:
                return key(row[0].kind, row[1], row[2])

            if query.limit is not None:
                chosen = (heapq.nlargest if reverse else heapq.nsmallest)(query.limit, rows, key=order)
            else:
                chosen = sorted(rows, key=order, reverse=reverse)
        if query.limit is not None:
            chosen = list(chosen)[:query.limit]
        bodies_of: dict[tuple[str, int], str | None] = {}
        chosen = list(chosen)
        if query.with_body:
            for plan in plans:
                if plan.kind.has_body:
                    numbers = [n for p, n, _ in chosen if p is plan]
                    sql = f"SELECT number, body::text FROM {quoted(table_name(plan.kind))} WHERE number = ANY(%s)"
                    for number, body in self.conn.execute(sql, [numbers]):
                        bodies_of[(plan.kind.name, number)] = orjson.loads(body) if body is not None else None
        for plan, number, doc in chosen:
            yield Record(plan.kind, number, doc, bodies_of.get((plan.kind.name, number)))

    def _stream(self, sql: str, params: list[Any], limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Rows of a query, a batch at a time from a server-side cursor; at most a batch of
        them (a listing's ``--limit``) in one round trip, which the server may also answer with
        a parallel scan (it never plans a cursor's query so)."""
        if limit is not None and limit <= _BATCH:
            yield from self.conn.execute(sql, params)
            return
        self.cursors += 1
        with self.conn.cursor(name=f"zs_rows_{self.cursors}") as cursor:
            cursor.itersize = _BATCH
            cursor.execute(sql, params)
            yield from cursor


_GROUPED = ("text", "integer", "date", "bigint")  # column types a tally groups on the server


def _grouping(kind: Kind, keys: Sequence[str],
              months: Collection[str]) -> tuple[list[str], list[Callable[[Any], Any]]] | None:
    """The GROUP BY expressions of a tally's keys and how to read their values back, None
    when a key has no column to group on (it is counted over the documents)."""
    cols = column_of(kind)
    exprs: list[str] = []
    decoders: list[Callable[[Any], Any]] = []
    for key in keys:
        column = cols.get(key)
        if column is None or column.sql not in _GROUPED or (key in months and column.sql != "date"):
            return None
        if key in months:
            exprs.append(f"to_char({quoted(column.name)}, 'YYYY-MM')")
            decoders.append(_as_is)
        else:
            exprs.append(quoted(column.name))
            decoders.append(decoder(column))
    return exprs, decoders


def _as_is(value: Any) -> Any:
    return value


def _payload(kind: Kind, query: Query) -> tuple[list[str], Callable[[tuple[Any, ...]], Record]]:
    """The columns a query's records are built from, and how: the columns of the keys it
    reads when they all have one (a report reads no document), else the document; the body."""
    cols = column_of(kind)
    wanted = query.fields
    with_body = query.with_body and kind.has_body
    if wanted is not None and all(key in cols for key in wanted):
        chosen = [cols[key] for key in sorted(wanted)]
        decoders = [decoder(c) for c in chosen]
        keys = [c.key for c in chosen]
        names = [quoted(c.name) for c in chosen] + (["body::text"] if with_body else [])
        n = len(chosen)

        def stub(row: tuple[Any, ...]) -> Record:
            doc = {}
            for key, decode, value in zip(keys, decoders, row[1:n + 1]):
                if value is not None:
                    doc[key] = decode(value)
            body = row[n + 1] if with_body else None
            return Record(kind, row[0], doc, orjson.loads(body) if body is not None else None)

        return names, stub
    names = ["doc::text"] + (["body::text"] if with_body else [])

    def whole(row: tuple[Any, ...]) -> Record:
        body = row[2] if with_body else None
        return Record(kind, row[0], orjson.loads(row[1]), orjson.loads(body) if body is not None else None)

    return names, whole
