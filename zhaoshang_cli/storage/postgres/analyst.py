"""A team store for people who write SQL: a view per kind, a region table to join on, and
a comment on every table, view and column.

``zs_regions`` holds every region of the program's table (code, name, level, parent, and the
province, city and district names along its path; a municipality's districts have the
municipality as their city).  ``zs_articles_v``, ``zs_policies_v``, ``zs_leads_v`` (one per
kind) give each record with its text ID, its region's names at each level, its typed fields
(dates as ``date``), an amount in whole units of an explicit currency, its status label,
times as ``timestamptz``, who made and last changed it, and the document as ``jsonb``.  The
owner's ``db init`` makes them (again, when a kind or the region table changes).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ...domain.kind import KINDS, Kind
from .schema import CHANGES, META, SETTINGS, SYNC, Column, columns, quoted, table_name

REGIONS = "zs_regions"
_LEVELS = ("nation", "province", "city", "county")

TABLE_COMMENTS = {
    META: "zhaoshang's control table: schema version, table layouts, migrations applied, roles given rights. "
          "Written by the owner only.",
    SETTINGS: "The store's settings (zhaoshang config): the home region, header mappings for imports.",
    SYNC: "When this store last took each other store's records (zhaoshang copy).",
    CHANGES: "The change log (zhaoshang log): one row per change, with who made it and when. Editors add rows, "
             "never change them.",
    REGIONS: "China's regions as zhaoshang reads them (statistical division codes), to join records on region_code.",
}
_REGION_COLUMNS = {
    "code": "The 6-digit division code (120114 = 天津市武清区).", "name": "The region's name (武清区).",
    "full_name": "Its name with its parents' (天津市武清区).", "level": "nation, province, city or county.",
    "parent": "The code of the region it lies in (NULL for a province).", "province": "The province it lies in.",
    "city": "The city it lies in (a municipality's districts: the municipality).",
    "district": "The county-level region itself (NULL above that level).",
}
_RECORD_COLUMNS = {
    "number": "The record number: the ID without its letter (l7 → 7).",
    "doc": "The record as zhaoshang stores it (JSON text kept byte for byte).",
    "body": "The body text, as a JSON string literal.",
    "body_search": "The body as text search reads it (casefolded) where that differs from the body, else NULL.",
    "natural_key": "What makes the record unique (URL; title and date; phone or e-mail and company), as JSON.",
    "key_hash": "SHA-256 of natural_key: unique.", "search": "What text search reads in the fields (casefolded).",
    "created_at": "When the record was created (ISO text).", "updated_at": "When it last changed (ISO text).",
    "region_code": "The region's 6-digit division code (join zs_regions).",
    "zone": "The development zone, when the record names one.",
}


_OTHER_COLUMNS = {
    META: {"key": "What the row records (schema, layout:KIND, migration:NAME, grant:ROLE…).", "value": "Its value."},
    SETTINGS: {"key": "The setting's name (region, map.HEADER).", "value": "Its value."},
    SYNC: {"other": "The other store's id.", "at": "When this store last took its records."},
    CHANGES: {"seq": "The entry's place in the log.", "at": "When the change was made (ISO text).",
              "by": "Who made it.", "record": "The record it changed (its ID), if one.",
              "action": "What was done (added, edited, moved, noted, assigned, imported, removed, undone…).",
              "entry": "The whole entry as JSON (fields with old and new values, the file of an import)."},
}


def region_rows() -> list[tuple[int, str, str, str, int | None, str | None, str | None, str | None]]:
    from ...domain.regions import places

    table = places()
    rows = []
    for code, region in table.regions.items():
        if region.level not in _LEVELS or not code.isdigit():
            continue
        path = table.path(code)
        province = next((r.name for r in path if r.level == "province"), None)
        city = next((r.name for r in path if r.level == "city"), None)
        if city is None and region.level == "county" and province and province.endswith("市"):
            city = province  # a municipality's district: the municipality is its city
        district = region.name if region.level == "county" else None
        rows.append((int(code), region.name, table.full_name(code), region.level,
                     int(region.parent) if region.parent and region.parent.isdigit() else None,
                     province, city, district))
    return sorted(rows)


def regions_version() -> str:
    return hashlib.sha256(repr(region_rows()).encode()).hexdigest()[:16]


def make_regions(conn: Any) -> None:
    conn.execute(f"CREATE TABLE IF NOT EXISTS {REGIONS} (code integer PRIMARY KEY, name text NOT NULL, "
                 "full_name text NOT NULL, level text NOT NULL, parent integer, province text, city text, "
                 "district text)")
    conn.execute(f"TRUNCATE {REGIONS}")
    with conn.cursor() as cursor:
        with cursor.copy(f"COPY {REGIONS} FROM STDIN") as copy:
            for row in region_rows():
                copy.write_row(row)
    _comment(conn, "TABLE", REGIONS, TABLE_COMMENTS[REGIONS])
    for name, text in _REGION_COLUMNS.items():
        _comment(conn, "COLUMN", f"{REGIONS}.{name}", text)


def view_name(kind: Kind) -> str:
    return f"{table_name(kind)}_v"


def _label(kind: Kind, column: Column) -> str:
    spec = kind.field(column.key)
    if spec is None:
        return _RECORD_COLUMNS.get(column.name, column.name)
    return f"{spec.label} ({spec.name})" + (f": {spec.help}" if spec.help else "")


def view_sql(kind: Kind) -> tuple[str, dict[str, str]]:
    """The view of ``kind``'s table, and a comment for each of its columns."""
    t = "t"
    cols: list[tuple[str, str, str]] = [(f"'{kind.prefix}' || {t}.number", "id", f"The record's ID ({kind.prefix}7)."),
                                        (f"{t}.number", "number", _RECORD_COLUMNS["number"])]
    amount = kind.roles.amount
    pipeline, status, won_on = kind.pipeline, kind.roles.status, kind.roles.won_on
    won = f"{t}.{quoted(status)} = '{pipeline.won}'" if pipeline is not None and status else None
    for column in columns(kind):
        name = quoted(column.name)
        if won and column.key == won_on:  # as reports count it: the day set, else the day of the move
            cols.append((f"CASE WHEN {won} THEN coalesce({t}.{name}, left(coalesce(w.e->>'on', w.e->>'at'), 10)::date) "
                         "END", column.name, _label(kind, column) + " (as reports count signings)"))
        elif column.type == "region":
            cols += [(f"{t}.region_code", "region_code", _RECORD_COLUMNS["region_code"]),
                     ("r.province", "province", "The province of its region."),
                     ("r.city", "city", "The city of its region (a municipality's districts: the municipality)."),
                     ("r.district", "district", "Its district (the county-level region)."),
                     (f"{t}.zone", "zone", _RECORD_COLUMNS["zone"])]
        elif column.type == "zone":
            continue
        elif column.type == "currency" and amount:
            cols.append((f"coalesce({t}.{name}, CASE WHEN {t}.{quoted(amount)} IS NOT NULL THEN 'CNY' END)",
                         column.name, "The amount's currency (ISO code: CNY for yuan)."))
        elif column.type == "amount":
            cols.append((f"{t}.{name}", column.name, _label(kind, column) + " In whole units of currency."))
        else:
            cols.append((f"{t}.{name}", column.name, _label(kind, column)))
        if pipeline is not None and column.key == status:
            cases = " ".join(f"WHEN '{s}' THEN '{pipeline.label(s)}'" for s in pipeline.statuses)
            cols.append((f"CASE {t}.{name} {cases} END", f"{column.name}_label", "The status as offices say it."))
    if won and amount:  # the amount a signing counts for: said with the move, else the record's own
        said = "jsonb_typeof(w.e->'amount') = 'number'"
        cols.append((f"CASE WHEN {won} THEN CASE WHEN {said} THEN (w.e->>'amount')::bigint ELSE {t}.{quoted(amount)} "
                     "END END", f"{pipeline.won}_amount",  # type: ignore[union-attr]
                     "The amount signed (the one given with the move, else the record's), as reports count it."))
        cols.append((f"CASE WHEN {won} THEN CASE WHEN {said} THEN coalesce(w.e->>'currency', 'CNY') "
                     f"ELSE coalesce({t}.currency, 'CNY') END END", f"{pipeline.won}_currency",  # type: ignore[union-attr]
                     "The currency of that amount."))
    cols += [(f"{t}.created_at::timestamptz", "created_at", "When the record was created."),
             (f"{t}.updated_at::timestamptz", "updated_at", "When it last changed."),
             (f"{t}.doc->>'created_by'", "created_by", "Who created it."),
             (f"{t}.doc->>'updated_by'", "updated_by", "Who changed it last."),
             (f"{t}.doc::jsonb", "doc", "The whole record as jsonb (notes, history, extra columns).")]
    select = ", ".join(f"{expr} AS {quoted(name)}" for expr, name, _ in cols)
    joined = f" LEFT JOIN {REGIONS} r ON r.code = {t}.region_code" if kind.field("region") else ""
    if won:  # the last move into the won status
        history = f"{t}.doc::jsonb->'history'"
        joined += (f" LEFT JOIN LATERAL (SELECT e FROM jsonb_array_elements(CASE WHEN jsonb_typeof({history}) = "
                   f"'array' THEN {history} ELSE '[]'::jsonb END) WITH ORDINALITY AS h(e, i) "
                   f"WHERE e->>'to' = '{pipeline.won}' AND coalesce(e->>'from', '') <> '{pipeline.won}' "  # type: ignore[union-attr]
                   f"ORDER BY i DESC LIMIT 1) w ON {won}")
    sql = (f"CREATE OR REPLACE VIEW {quoted(view_name(kind))} AS SELECT {select} "
           f"FROM {quoted(table_name(kind))} {t}{joined}")
    return sql, {name: text for _, name, text in cols}


def make_views(conn: Any) -> None:
    """Every kind's view (made again: a kind's fields may have changed), with comments."""
    for kind in KINDS.values():
        if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", [quoted(table_name(kind))]).fetchone()[0]:
            continue
        sql, comments = view_sql(kind)
        conn.execute(f"DROP VIEW IF EXISTS {quoted(view_name(kind))}")
        conn.execute(sql)
        _comment(conn, "VIEW", view_name(kind), f"{kind.label} ({kind.plural}): one row per record, for SQL.")
        for name, text in comments.items():
            _comment(conn, "COLUMN", f"{view_name(kind)}.{name}", text)
        _comment(conn, "TABLE", table_name(kind), f"{kind.label} ({kind.plural}) as zhaoshang stores them; "
                                                  f"read {view_name(kind)} for SQL.")
        for column in columns(kind):
            _comment(conn, "COLUMN", f"{table_name(kind)}.{column.name}", _label(kind, column))
        for name in ("number", "doc", "natural_key", "key_hash", "search", "created_at", "updated_at",
                     *(("body", "body_search") if kind.has_body else ())):
            _comment(conn, "COLUMN", f"{table_name(kind)}.{name}", _RECORD_COLUMNS[name])
    for table, text in TABLE_COMMENTS.items():
        if table != REGIONS and conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]:
            _comment(conn, "TABLE", table, text)
            for name, said in _OTHER_COLUMNS.get(table, {}).items():
                _comment(conn, "COLUMN", f"{table}.{name}", said)


def version() -> str:
    """What the views and the region table are made from: when it changes, db init makes them again."""
    parts = [regions_version(), "v1"] + [view_sql(kind)[0] for kind in KINDS.values()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def bring_up_to_date(conn: Any) -> bool:
    """The region table and the views, made again when what they come from changed; True then."""
    made = version()
    row = conn.execute(f"SELECT value FROM {META} WHERE key = 'analyst'").fetchone()
    if row is not None and row[0] == made and conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", [REGIONS]).fetchone()[0]:
        return False
    make_regions(conn)
    make_views(conn)
    conn.execute(f"INSERT INTO {META} (key, value) VALUES ('analyst', %s) ON CONFLICT (key) "
                 "DO UPDATE SET value = excluded.value", [made])
    return True


def _comment(conn: Any, what: str, name: str, text: str) -> None:
    target = ".".join(quoted(part) for part in name.split("."))
    conn.execute(f"COMMENT ON {what} {target} IS " + _literal(text))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
