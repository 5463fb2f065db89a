"""``zhaoshang doctor`` for a PostgreSQL store.

The server guards what a file store must check itself (whole writes, types, uniqueness),
so the doctor looks at what is ours: the schema version and each kind's table, the ID
sequences against the stored numbers, the grants against the model `db grant` gives, and the
column copies (natural key, searched text,
typed fields) against the documents they are taken from.  It also says what makes text
search slow (no pg_trgm, a database whose LC_CTYPE is C) and what the connected role may
do, and, as on a file, which records today's validation would refuse (warnings).  ``--fix``
writes the counters and the column copies again, in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from ... import messages
from ...domain.body import RawBody
from ...domain.kind import KINDS, Kind, record_id
from ..base import Finding
from ..checks import damage_findings, record_findings
from ..migrations import findings as migration_findings
from ..tinydb.integrity import record_damage
from . import ids, schema, text_index
from .backend import PostgresBackend
from .schema import COUNTERS, quoted, table_name
from .transaction import _body_cells, _state, row_cells, row_names, trigram_schema


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _mismatches(conn: Any, kind: Kind) -> list[int]:
    """Numbers of the records whose column copies differ from their documents."""
    names = row_names(kind)[1:]
    body = ", body::text, body_search" if kind.has_body else ""
    found = []
    sql = f"SELECT number, doc::text, {', '.join(names)}{body} FROM {quoted(table_name(kind))} ORDER BY number"
    for row in conn.execute(sql):
        doc = orjson.loads(row[1])
        expected = [_plain(v) for v in row_cells(kind, doc)[1:]]
        stored = [_plain(v) for v in row[2:2 + len(names)]]
        if kind.has_body:
            literal, searched = row[2 + len(names)], row[3 + len(names)]
            raw = RawBody(literal.encode("utf-8")) if literal is not None else None
            wanted = _body_cells(raw)[1] if raw else None  # from the literal stored: its escapes count
            if wanted is None and raw and searched == raw.text():
                searched = None  # a row written before body_text keeps it whole: --text reads the same
            expected.append(wanted)
            stored.append(searched)
        if expected != stored:
            found.append(row[0])
    return found


def check(backend: PostgresBackend, fix: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    url = backend.describe()
    with backend._connection(read_only=not fix) as conn:
        state = _state(conn)
        if state.schema is None:
            return [Finding("ok", messages.DOCTOR_PG_EMPTY.format(url=url))]
        if state.schema > schema.SCHEMA:
            return [Finding("error", messages.PG_SCHEMA_TOO_NEW.format(url=url, found=state.schema,
                                                                      supported=schema.SCHEMA))]
        counts, fixed, problems = [], [], []
        sequences = "id_sequences" in state.applied
        counters = {} if sequences else dict(conn.execute(f"SELECT prefix, next FROM {COUNTERS}").fetchall())
        for kind in KINDS.values():
            layout = state.layouts.get(kind.name)
            if layout is None:
                findings.append(Finding("ok", messages.DOCTOR_PG_TABLE.format(kind=kind.plural)))
                continue
            if layout != schema.layout(kind):
                findings.append(Finding("warning", messages.DOCTOR_PG_LAYOUT.format(kind=kind.plural)))
                continue
            table = quoted(table_name(kind))
            total, top = conn.execute(f"SELECT count(*), coalesce(max(number), 0) FROM {table}").fetchone()
            counts.append(f"{total} {kind.plural}")
            following = ids.next_free(conn, kind) if sequences else counters.get(kind.prefix, 1)
            if top >= following:
                if fix and sequences:
                    ids.claim(conn, kind, top)
                    fixed.append(messages.REPAIR_PG_COUNTER.format(kind=kind.plural, next=top + 1))
                elif fix:
                    conn.execute(f"INSERT INTO {COUNTERS} (prefix, next) VALUES (%s, %s) ON CONFLICT (prefix) "
                                 "DO UPDATE SET next = excluded.next", [kind.prefix, top + 1])
                    fixed.append(messages.REPAIR_PG_COUNTER.format(kind=kind.plural, next=top + 1))
                else:
                    findings.append(Finding("error", messages.DOCTOR_PG_COUNTER.format(
                        kind=kind.plural, next=record_id(kind, following), top=record_id(kind, top))))
            texts = dict(conn.execute(f"SELECT number, doc::text FROM {table} ORDER BY number").fetchall())
            docs = {str(n): orjson.loads(text) for n, text in texts.items()}
            damage = [p for key, doc in docs.items() for p in record_damage(kind, key, doc)]
            if damage and fix:
                fixed += _mend(conn, kind, texts, docs, damage)
            else:
                findings += damage_findings(damage)
            wrong = _mismatches(conn, kind)
            problems += record_findings(kind, ((int(key), doc) for key, doc in docs.items()))
            if wrong:
                if fix:
                    for number in wrong:
                        _rewrite(conn, kind, number)
                    fixed.append(messages.REPAIR_PG_DERIVED.format(count=len(wrong), kind=kind.plural))
                else:
                    findings.append(Finding("error", messages.DOCTOR_PG_DERIVED.format(
                        count=len(wrong), kind=kind.plural, first=record_id(kind, wrong[0]))))
        if fix:
            conn.commit()
        findings[:0] = [Finding("ok", messages.DOCTOR_PG_FIXED.format(action=a)) for a in fixed]
        findings.insert(0, Finding("ok", messages.DOCTOR_PG_OK.format(url=url, schema=state.schema,
                                                                       counts=", ".join(counts) or "no records")))
        findings[1:1] = [Finding(level, text) for level, text in migration_findings(state.applied)]
        findings += problems
        if trigram_schema(conn) is None:
            findings.append(Finding("warning", messages.DOCTOR_PG_NO_TRIGRAM))
        else:
            ctype = conn.execute("SELECT datctype FROM pg_database WHERE datname = current_database()").fetchone()[0]
            if ctype in ("C", "POSIX"):
                findings.append(Finding("warning", messages.DOCTOR_PG_CTYPE.format(ctype=ctype)))
            kept = text_index.state(conn, text_index.kinds_with_tables(state.ready))
            said = messages.DOCTOR_PG_TEXT_INDEX_ON if kept.on else messages.DOCTOR_PG_TEXT_INDEX_OFF
            findings.append(Finding("ok", said.format(indexed=kept.indexed, tables=kept.tables)))
        findings.append(Finding("ok", _rights(conn)))
        findings += _grants(conn)
    return findings


def _grants(conn: Any) -> list[Finding]:
    """The grants against the model `db grant` gives (grants.py)."""
    from . import grants

    said = [Finding(level, text) for level, text in grants.problems(conn)]
    editors, readers = grants.recorded(conn)
    if not said and (editors or readers):
        said.append(Finding("ok", messages.DOCTOR_GRANTS_OK.format(editors=", ".join(editors) or "-",
                                                                   readers=", ".join(readers) or "-")))
    return said


def _mend(conn: Any, kind: Kind, texts: dict[int, str], docs: dict[str, Any], damage: list[Any]) -> list[str]:
    """The repairs of the file store's doctor, made to the documents of a table; the rows
    they change written again (a record the repair drops, deleted)."""
    data = {kind.table: docs}
    done = [p.repair(data) for p in damage]
    table = quoted(table_name(kind))
    for number, text in texts.items():
        doc = data[kind.table].get(str(number))
        if doc is None:
            conn.execute(f"DELETE FROM {table} WHERE number = %s", [number])
        elif orjson.dumps(doc).decode() != text:
            conn.execute(f"UPDATE {table} SET doc = %s WHERE number = %s", [orjson.dumps(doc).decode(), number])
            _rewrite(conn, kind, number)
    return done


def _rewrite(conn: Any, kind: Kind, number: int) -> None:
    table = quoted(table_name(kind))
    text, literal = conn.execute(
        f"SELECT doc::text, {'body::text' if kind.has_body else 'NULL'} FROM {table} WHERE number = %s",
        [number]).fetchone()
    names = row_names(kind)[1:]
    values = row_cells(kind, orjson.loads(text))[1:]
    if kind.has_body:
        body = RawBody(literal.encode("utf-8")) if literal is not None else None
        names.append("body_search")
        values.append(_body_cells(body)[1] if body else None)
    sets = ", ".join(f"{name} = %s" for name in names)
    conn.execute(f"UPDATE {table} SET {sets} WHERE number = %s", [*values, number])


def _rights(conn: Any) -> str:
    """What the connected role may do with the store's tables."""
    user = conn.info.user
    tables = [table_name(k) for k in KINDS.values()]

    def every(privilege: str) -> str:
        rows = conn.execute("SELECT bool_and(has_table_privilege(c.oid, %s)) FROM pg_class c "
                            "WHERE c.relname = ANY(%s) AND pg_table_is_visible(c.oid)", [privilege, tables]).fetchone()
        return "yes" if rows and rows[0] else "no"

    own = conn.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')").fetchone()[0]
    return messages.DOCTOR_PG_ROLE.format(user=user, read=every("SELECT"), write=every("INSERT"),
                                          own="yes" if own else "no")
