"""The tables of a PostgreSQL store, derived from the registered kinds, and their migrations.

One table per kind (``zs_articles``, ``zs_policies``, ``zs_leads``, and one for any kind
registered later), each with:

    number       bigint primary key        the record number (a12 → 12)
    doc          json                      the stored document exactly as TinyDB holds it
                                           (key order, numbers and every character kept)
    body         json                      the body as a JSON string literal (kinds with one)
    natural_key  text                      the natural key as a JSON array (NULL: none)
    key_hash     bytea unique              SHA-256 of natural_key: the database refuses a
                                           second record with the same key
    search       text                      what --text searches in the fields, casefolded
                                           (domain/search.py), pieces joined by U+FFFF
    body_search  text                      …and in the body (kinds with one), where that
                                           differs from the body's text (else NULL: BODY_TEXT)
    created_at, updated_at text            as stored (ISO timestamps)
    one column per scalar field            typed from the field type: region → region_code
                                           integer and zone text; date → date; amount →
                                           bigint; flag → boolean; everything else → text

The document is the record; the columns are copies of it that filters, sorts and reports
read, written by the same statement.  A NUL character, which PostgreSQL text cannot hold,
is kept in the document and shown as U+FFFD in the column copies.

``zs_meta`` holds the schema version, each kind's layout and the migrations applied;
a sequence per kind (``zs_articles_ids``…, ids.py) issues the record numbers (a store set up
before had a table ``zs_counters``); ``zs_settings`` the store's settings; ``zs_sync`` when
it last took which other store's records; ``zs_changes`` the change log.  Indexes: region
and date columns (with the number, for sorted listings), choice fields; the trigram indexes
(pg_trgm, from PostgreSQL's contrib set) of ``search`` and of the body's searched text only
when the store keeps them (``db text-index on``, text_index.py), as a file store keeps its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson

from ...domain.kind import Kind

SCHEMA = 1  # the format older versions check; what is applied is named (storage/migrations.py)
META, COUNTERS, SETTINGS, CHANGES, SYNC = "zs_meta", "zs_counters", "zs_settings", "zs_changes", "zs_sync"
# the change log (domain/changes.py); json, not jsonb: an entry's text as written, NUL included
CREATE_CHANGES = (f"CREATE TABLE IF NOT EXISTS {CHANGES} (seq bigserial PRIMARY KEY, at text NOT NULL, "
                  "by text NOT NULL, record text, action text NOT NULL, entry json NOT NULL)")
RESERVED = frozenset({"number", "doc", "body", "body_search", "natural_key", "key_hash", "search", "created_at",
                      "updated_at"})
NUL, NUL_SHOWN = "\x00", "\ufffd"
SEPARATOR = "\uffff"  # between searched pieces: no needle holds it (domain/search.py)

SQL_TYPES = {"region": "integer", "date": "date", "amount": "bigint", "flag": "boolean"}
COLUMN_TYPES = ("text", "date", "region", "url", "phone", "email", "amount", "currency", "flag", "choice",
                "suggest", "source")  # a field of any other type (tags, notes, history) lives in doc only
INDEXED = ("region", "date", "choice", "currency")


@dataclass(frozen=True)
class Column:
    name: str        # the column (quoted in SQL)
    key: str         # the stored key it copies
    sql: str         # its SQL type
    type: str        # the field type it comes from ("zone" for the zone beside a region)


def table_name(kind: Kind) -> str:
    return f"zs_{kind.table}"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@cache
def columns(kind: Kind) -> tuple[Column, ...]:
    """A kind's field columns, in field order."""
    found: list[Column] = []
    taken = set(RESERVED)
    for spec in kind.fields:
        if spec.apart or spec.type not in COLUMN_TYPES:
            continue
        if spec.type == "region":
            found.append(Column("region_code", "region_code", "integer", "region"))
            found.append(Column("zone", "zone", "text", "zone"))
            continue
        name = spec.key if spec.key not in taken else f"field_{spec.key}"
        taken.add(name)
        found.append(Column(name, spec.key, SQL_TYPES.get(spec.type, "text"), spec.type))
    return tuple(found)


@cache
def column_of(kind: Kind) -> Mapping[str, Column]:
    """The column copying each stored key (created_at and updated_at included)."""
    found = {c.key: c for c in columns(kind)}
    for stamp in ("created_at", "updated_at"):
        found[stamp] = Column(stamp, stamp, "text", "stamp")
    return found


def layout(kind: Kind) -> str:
    """What a kind's table looks like, to know when it must be made again (a new field)."""
    parts = [f"{c.name}:{c.sql}" for c in columns(kind)] + [f"body:{kind.has_body}", "v1"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def create_table(kind: Kind, lz4: bool = False) -> list[str]:
    """The statements creating a kind's table and indexes (its trigram indexes are
    ``text_indexes``', kept only when the store asks for them).  ``lz4``: the server compresses
    the long columns with LZ4 (PostgreSQL 14 and newer, when built with it), a third less of
    its time for an import than the default pglz."""
    table = table_name(kind)
    t = quoted(table)
    packed = " COMPRESSION lz4" if lz4 else ""
    cols = ["number bigint PRIMARY KEY CHECK (number BETWEEN 1 AND 999999999)", f"doc json{packed} NOT NULL"]
    if kind.has_body:
        cols += [f"body json{packed}", f"body_search text{packed}"]
    cols += ["natural_key text", "key_hash bytea UNIQUE", "search text NOT NULL DEFAULT ''",
             "created_at text", "updated_at text"]
    cols += [f"{quoted(c.name)} {c.sql}" for c in columns(kind)]
    statements = [f"CREATE TABLE IF NOT EXISTS {t} ({', '.join(cols)})"]
    for c in columns(kind):
        if c.type == "region":
            statements.append(_index(table, [c.name, "date"] if kind.field("date") else [c.name]))
        elif c.type == "date":
            statements.append(f"CREATE INDEX IF NOT EXISTS {quoted(table + '_' + c.name)} ON {t} "
                              f"({quoted(c.name)} NULLS FIRST, number)")
        elif c.type in INDEXED:
            statements.append(_index(table, [c.name]))
    return statements


# A body's searched form is kept in body_search only where it differs from the body's own text
# (casefolding changed it, or it holds what text cannot); else it is NULL and the body is read:
# an import sends and stores each Chinese body once, not twice.  What --text and the text index
# read is this expression.
BODY_TEXT = "coalesce(body_search, body #>> '{}')"


def _text_indexed(kind: Kind) -> list[tuple[str, str]]:
    """(index name, what it indexes) of the trigram indexes ``db text-index on`` builds: the
    fields' searched text, and the body's (BODY_TEXT)."""
    table = table_name(kind)
    found = [("search", "search")] + ([("body_text", f"({BODY_TEXT})")] if kind.has_body else [])
    return [(f"{table}_{suffix}", expr) for suffix, expr in found]


def text_index_names(kind: Kind) -> list[str]:
    return [name for name, _ in _text_indexed(kind)]


def text_indexes(kind: Kind, trgm_schema: str, *, concurrently: bool) -> list[tuple[str, str]]:
    """(name, statement) of each text index of a kind's table."""
    how = " CONCURRENTLY" if concurrently else ""
    ops = f"{quoted(trgm_schema)}.gin_trgm_ops"
    return [(name, f"CREATE INDEX{how} IF NOT EXISTS {quoted(name)} ON {quoted(table_name(kind))} "
                   f"USING gin ({expr} {ops})") for name, expr in _text_indexed(kind)]


def former_text_index(kind: Kind) -> str:
    """The name of the index a store set up before ``body_text`` kept on body_search."""
    return f"{table_name(kind)}_body_search"


def _index(table: str, names: list[str]) -> str:
    return (f"CREATE INDEX IF NOT EXISTS {quoted(table + '_' + '_'.join(names))} ON {quoted(table)} "
            f"({', '.join(map(quoted, names))})")


# when this store last took which other store's records (copy): written by editors, so kept
# out of zs_meta, the control table they may only read
CREATE_SYNC = f"CREATE TABLE IF NOT EXISTS {SYNC} (other text PRIMARY KEY, at text NOT NULL)"
BASE = [
    f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value text NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {SETTINGS} (key text PRIMARY KEY, value text NOT NULL)",
    CREATE_CHANGES,
    CREATE_SYNC,
]

# What each named migration (storage/migrations.py) does to a server store, in the transaction
# that records it; one not named here has nothing to do on a server (its tables were made with
# it).  ``schema`` in zs_meta stays the format older versions check.  Never change a shipped one.
FIRST_NAMED = ("lead_history", "bodies_as_json", "records_in_segments")  # in the tables from the start
MIGRATION_STATEMENTS = {  # what a named migration does to a server store (id_sequences: also backend.py)
    "change_log": [CREATE_CHANGES],
    "id_sequences": [CREATE_SYNC,
                     f"INSERT INTO {SYNC} (other, at) SELECT substr(key, 8), value FROM {META} "
                     "WHERE key LIKE 'synced:%' ON CONFLICT DO NOTHING",
                     f"DELETE FROM {META} WHERE key LIKE 'synced:%'"],
}


# -- a document as a row ---------------------------------------------------------------------
def shown(text: str) -> str:
    return text.replace(NUL, NUL_SHOWN) if NUL in text else text


def _cell(column: Column, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    kind = column.type
    if kind == "region":
        return int(value) if isinstance(value, str) and value.isdigit() else None
    if kind == "date":
        return value if isinstance(value, str) and len(value) == 10 else None
    if kind == "amount":
        return value if type(value) is int and -2**63 <= value < 2**63 else None
    if kind == "flag":
        return bool(value)
    return shown(value) if isinstance(value, str) else shown(str(value))


def cells(kind: Kind, doc: Mapping[str, Any]) -> list[Any]:
    """The column copies of a document, in ``columns(kind)`` order."""
    return [_cell(c, doc.get(c.key)) for c in columns(kind)]


def key_cells(kind: Kind, doc: Mapping[str, Any]) -> tuple[str | None, bytes | None]:
    key = kind.natural_key(doc)
    if key is None:
        return None, None
    return key_text(key), key_digest(key)


def key_text(key: tuple[str, ...]) -> str:
    return orjson.dumps(list(key)).decode()


def key_digest(key: tuple[str, ...]) -> bytes:
    return hashlib.sha256(orjson.dumps(list(key))).digest()


def search_text(pieces: list[str]) -> str:
    """The searched pieces of a record (casefolded), joined by a character no needle holds;
    a NUL, which PostgreSQL text cannot hold, becomes that character too."""
    text = SEPARATOR.join(pieces)
    return text.replace(NUL, SEPARATOR) if NUL in text else text


def stamp(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# -- a row as a document (only the keys a query reads, from their columns) -----------------
def decoder(column: Column) -> Callable[[Any], Any]:
    if column.type == "region":
        return lambda n: f"{n:06d}" if n is not None else None
    if column.type == "date":
        return lambda d: d.isoformat() if d is not None else None
    return lambda v: v
