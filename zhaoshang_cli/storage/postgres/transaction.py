"""One transaction on a PostgreSQL store: the state of the database it finds (``State``),
read access (``Reader``) and write access (``Writer``), and the row a record is stored as.

The database does the concurrency:

* IDs: a sequence per kind (ids.py): a number is issued once, without a lock held to the
  commit, so a long import does not make anyone wait for a number.
* No duplicates, and no kind-wide lock: the unique index on each table's ``key_hash`` waits
  only on a record with the same natural key that another writer is adding.  A writer adds
  records in key order under a savepoint; when another committed one of the keys since this
  writer looked (``KeysTaken``), the savepoint is undone and the import looks again: the
  records are stored ones now.  Two imports of the same file therefore store every record
  once, and a colleague's ``add`` of another company never waits on an import.
* A record a writer reads (``get``) is locked (``SELECT … FOR UPDATE``) until its commit:
  two people moving the same lead at once are served one after the other, and the second
  move is appended to a history that already holds the first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ... import messages
from ...domain import dates
from ...domain.body import RawBody
from ...domain.changes import ChangeQuery
from ...domain.kind import KINDS, Kind, kind_of_id, record_id
from ...domain.people import current_user
from ...domain.search import pieces
from ...errors import StoreError, UserError
from ..base import MAX_NUMBER, KeysTaken, Query, Record, SyncState, Tally, new_document, split_id
from . import ids, schema
from .query import Runner
from .schema import CHANGES, COUNTERS, META, SYNC, quoted, table_name


# -- the stored form of a record -------------------------------------------------------------
def _unplaned(low: bytes, high: bytes) -> str:
    data = bytearray(len(low) * 2)
    data[0::2] = low
    data[1::2] = high
    return data.decode("utf-16-le", "surrogatepass")


def _body_cells(body: Any) -> tuple[str, str | None]:
    """(the body as a JSON string literal, its searched form: casefolded, or None when that is
    the body's text itself and the server can read it from the literal, schema.BODY_TEXT)."""
    if isinstance(body, RawBody):
        literal = bytes(body.literal).decode("utf-8")
        if body.plain and "\\u" not in literal:  # known unchanged by casefolding (import_worker)
            return literal, None
        planes = body.planes
        text = body.text() if planes is None or "\\u" not in literal else None
        folded = _unplaned(*planes) if planes is not None else text.casefold()  # type: ignore[union-attr]
    else:
        literal = orjson.dumps(body).decode("utf-8")
        text, folded = body, body.casefold()
    # a literal with a \u escape (NUL, a lone surrogate…) keeps its searched form: the server
    # would refuse to read such a literal as text
    if "\\u" not in literal and folded == text:
        return literal, None
    return literal, schema.search_text([folded])


def _doc_text(doc: Mapping[str, Any]) -> str:
    try:
        return orjson.dumps(doc).decode("utf-8")
    except orjson.JSONEncodeError as exc:
        raise StoreError(messages.STORE_VALUE_UNSTORABLE.format(reason=exc)) from None


def row_cells(kind: Kind, doc: Mapping[str, Any],
              keyed: tuple[str | None, bytes | None] | None = None) -> list[Any]:
    """doc, natural_key, key_hash, search, created_at, updated_at and the field columns
    (``keyed``: the natural key's cells, when worked out already)."""
    key, digest = keyed or schema.key_cells(kind, doc)
    return [_doc_text(doc), key, digest, schema.search_text(list(pieces(kind, doc))),
            schema.stamp(doc.get("created_at")), schema.stamp(doc.get("updated_at")), *schema.cells(kind, doc)]


def row_names(kind: Kind) -> list[str]:
    return ["doc", "natural_key", "key_hash", "search", "created_at", "updated_at",
            *(quoted(c.name) for c in schema.columns(kind))]


# -- the state of a database -------------------------------------------------------------------
@dataclass
class State:
    schema: int | None  # None: no zhaoshang tables yet
    layouts: dict[str, str] = field(default_factory=dict)  # kind name → its table's layout
    applied: list[str] = field(default_factory=list)  # the named migrations it has
    recorded: bool = False  # …as rows of zs_meta (else read from what it holds)

    def ready(self, kind: Kind) -> bool:
        return self.layouts.get(kind.name) == schema.layout(kind)


def trigram_schema(conn: Any) -> str | None:
    """The schema holding pg_trgm, None when it is not installed.  Asked only where tables
    are made and by doctor: on a fresh connection this catalog query cost every command 10 ms."""
    row = conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                       "WHERE e.extname = 'pg_trgm'").fetchone()
    return row[0] if row else None


def _state(conn: Any) -> State:
    """What the database holds of ours (where pg_trgm is, only init and doctor ask: trigram_schema)."""
    found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [META]).fetchone()[0]
    if not found:
        return State(None)
    rows = dict(conn.execute(f"SELECT key, value FROM {META}").fetchall())
    try:
        version = int(rows.get("schema", ""))
    except ValueError:
        raise StoreError(messages.PG_SCHEMA_DAMAGED.format(value=rows.get("schema"))) from None
    layouts = {k.removeprefix("layout:"): v for k, v in rows.items() if k.startswith("layout:")}
    applied = [k.removeprefix("migration:") for k in rows if k.startswith("migration:")]
    recorded = bool(applied)
    if not recorded:  # a store set up before migrations had names
        applied = [*schema.FIRST_NAMED, *(["store_identity"] if "id" in rows else [])]
    return State(version, layouts, applied, recorded)


class Reader:
    """Read access inside one transaction (see storage/base.py)."""

    def __init__(self, conn: Any, state: State):
        self.conn = conn
        self.state = state
        self.runner = Runner(conn, state.ready)

    def select(self, query: Query) -> Iterator[Record]:
        return self.runner.select(query)

    def count(self, query: Query) -> int:
        return self.runner.count(query)

    def tally(self, query: Query, keys: Sequence[str], months: Collection[str] = ()) -> Tally:
        return self.runner.tally(query, keys, months, self)

    def _lock(self) -> str:
        return ""

    def get(self, record_id: str, with_body: bool = True) -> Record:
        kind, number = split_id(record_id)
        if self.state.ready(kind):
            body = ", body::text" if with_body and kind.has_body else ""
            row = self.conn.execute(f"SELECT doc::text{body} FROM {quoted(table_name(kind))} WHERE number = %s"
                                    f"{self._lock()}", [number]).fetchone()
            if row is not None:
                text = orjson.loads(row[1]) if body and row[1] is not None else None
                return Record(kind, number, orjson.loads(row[0]), text)
        raise UserError(messages.RECORD_NOT_FOUND.format(id=record_id))

    def get_many(self, kind: Kind, numbers: Sequence[int], with_body: bool = True) -> dict[int, Record]:
        """Records of one kind by number, in one round trip, unlocked (to compare, not to change)."""
        if not numbers or not self.state.ready(kind):
            return {}
        body = ", body::text" if with_body and kind.has_body else ""
        found = {}
        for row in self.conn.execute(f"SELECT number, doc::text{body} FROM {quoted(table_name(kind))} "
                                     "WHERE number = ANY(%s)", [list(numbers)]):
            text = orjson.loads(row[2]) if body and row[2] is not None else None
            found[row[0]] = Record(kind, row[0], orjson.loads(row[1]), text)
        return found

    def find_key(self, kind: Kind, key: tuple[str, ...]) -> int | None:
        return self._find(kind, [key]).get(key)

    def _find(self, kind: Kind, keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        if not keys or not self.state.ready(kind):
            return {}
        by_digest = {schema.key_digest(k): k for k in keys}
        found: dict[tuple[str, ...], int] = {}
        sql = f"SELECT number, natural_key, key_hash FROM {quoted(table_name(kind))} WHERE key_hash = ANY(%s)"
        for number, text, digest in self.conn.execute(sql, [list(by_digest)]):
            key = by_digest.get(bytes(digest))
            if key is not None and text == schema.key_text(key):
                found[key] = number
        return found

    def sync_state(self) -> SyncState:
        if self.state.schema is None:
            return SyncState()
        rows = dict(self.conn.execute(f"SELECT key, value FROM {META} WHERE key = 'id' OR key LIKE 'synced:%'"))
        store = rows.pop("id", None)
        if "id_sequences" in self.state.applied:
            rows.update({f"synced:{k}": v for k, v in self.conn.execute(f"SELECT other, at FROM {SYNC}")})
        return SyncState(store, {k.removeprefix("synced:"): v for k, v in rows.items()})

    def changes(self, query: ChangeQuery) -> Iterator[dict[str, Any]]:
        """The change log, newest first; the server selects by time, person, batch and ID, and
        an import's entries (which name the records they created as runs) are checked here."""
        if self.state.schema is None or "change_log" not in self.state.applied:
            return
        where: list[str] = []
        params: list[Any] = []
        if query.since:
            where.append("at >= %s")
            params.append(query.since)
        if query.by:
            where.append("by = ANY(%s)")
            params.append(list(query.by))
        if query.batch:
            where.append("entry->>'batch' = %s")
            params.append(query.batch)
        if query.ids:
            where.append("(record = ANY(%s) OR entry->'created' IS NOT NULL)")
            params.append(list(query.ids))
        sql = f"SELECT entry::text FROM {CHANGES}" + (f" WHERE {' AND '.join(where)}" if where else "") + \
            " ORDER BY seq DESC"
        listed = 0
        for (text,) in self.conn.execute(sql, params):
            entry = orjson.loads(text)
            if query.matches(entry):
                yield entry
                listed += 1
                if query.limit is not None and listed >= query.limit:
                    return

    def counters(self) -> dict[str, int]:
        found = {k.prefix: 1 for k in KINDS.values()}
        if self.state.schema is None:
            return found
        if "id_sequences" not in self.state.applied:  # a store set up before: read as it is
            found.update(dict(self.conn.execute(f"SELECT prefix, next FROM {COUNTERS}").fetchall()))
            return found
        return {k.prefix: self._next_free(k) for k in KINDS.values()}

    def _next_free(self, kind: Kind) -> int:
        return ids.next_free(self.conn, kind)


class Writer(Reader):
    """A write transaction: the records it reads are locked until it commits."""

    def __init__(self, conn: Any, state: State, *, rehearsal: bool = False):
        super().__init__(conn, state)
        self.changed = False
        # a dry run draws no numbers (they would be gone after its rollback): it counts on from
        # where each sequence stands
        self.rehearsed: dict[str, int] | None = {} if rehearsal else None

    def _next_free(self, kind: Kind) -> int:
        if self.rehearsed is not None and kind.prefix in self.rehearsed:
            return self.rehearsed[kind.prefix]
        return ids.next_free(self.conn, kind)

    def _draw(self, kind: Kind, count: int) -> list[int]:
        if self.rehearsed is None:
            return ids.draw(self.conn, kind, count)
        start = self._next_free(kind)
        self.rehearsed[kind.prefix] = start + count
        return list(range(start, start + count))

    def _claim(self, kind: Kind, number: int) -> None:
        if self.rehearsed is None:
            ids.claim(self.conn, kind, number)
        else:
            self.rehearsed[kind.prefix] = max(self._next_free(kind), number + 1)

    def _lock(self) -> str:
        return " FOR UPDATE"

    def find_key(self, kind: Kind, key: tuple[str, ...]) -> int | None:
        return self.find_keys(kind, [key]).get(key)

    def find_keys(self, kind: Kind, keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        return self._find(kind, keys)

    def insert(self, kind: Kind, docs: Sequence[dict[str, Any]], numbers: Sequence[int | None] | None = None,
               now: str | None = None) -> list[int]:
        """Add records; KeysTaken, with nothing added, when another writer committed one of
        their natural keys since this one looked."""
        if not docs:
            return []
        now = now or dates.now_iso()
        by = current_user()
        wanted = self._numbers_kept(kind, numbers or [None] * len(docs))
        drawn = iter(self._draw(kind, wanted.count(None)))
        # in key order: two writers adding the same keys never deadlock
        keyed = []
        used: list[int] = []
        for i, doc in enumerate(docs):
            kept = wanted[i]
            number = kept if kept is not None else next(drawn)
            doc = new_document(doc, now, by)
            cells = schema.key_cells(kind, doc)
            keyed.append((cells[1] or b"", number, doc, cells))
            used.append(number)
        keyed.sort(key=lambda item: item[0])

        def rows() -> Iterator[list[Any]]:
            """Each row made as it is sent: the server stores one while the next is made."""
            for _, number, doc, cells in keyed:
                body = doc.pop("body", None)
                row = [number, *row_cells(kind, doc, cells)]
                if kind.has_body:
                    row += list(_body_cells(body)) if body else [None, None]
                yield row

        names = ["number", *row_names(kind)] + (["body", "body_search"] if kind.has_body else [])
        table = quoted(table_name(kind))
        try:
            with self.conn.transaction():  # a savepoint: a key taken meanwhile undoes this insert alone
                if len(keyed) > 20:
                    with self.conn.cursor() as cursor:
                        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                            for row in rows():
                                copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(names))
                    with self.conn.cursor() as cursor:
                        cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", list(rows()))
        except _unique_violation() as exc:
            if "key_hash" not in str(exc):
                raise
            raise KeysTaken(messages.PG_KEY_TAKEN.format(reason=str(exc).splitlines()[0])) from None
        self.changed = True
        return used

    def _numbers_kept(self, kind: Kind, numbers: Sequence[int | None]) -> list[int | None]:
        """The numbers records bring (an imported record's own ID) that are kept: those never
        issued, as on every backend (base.next_number); None for the others, which draw new
        ones.  The sequence is moved past the highest kept."""
        following = self._next_free(kind) if any(numbers) else 1
        kept: list[int | None] = []
        for wanted in numbers:
            if wanted and following <= wanted <= MAX_NUMBER:
                kept.append(wanted)
                following = wanted + 1
            else:
                kept.append(None)
        if any(n is not None for n in kept):
            self._claim(kind, following - 1)
        return kept

    def update(self, kind: Kind, number: int, doc: dict[str, Any]) -> None:
        new = dict(doc)
        body = new.pop("body", None)
        names = row_names(kind)
        values = row_cells(kind, new)
        if kind.has_body and (body or "body" in doc):
            names += ["body", "body_search"]
            values += list(_body_cells(body)) if body else [None, None]
        sets = ", ".join(f"{name} = %s" for name in names)
        found = self.conn.execute(f"UPDATE {quoted(table_name(kind))} SET {sets} WHERE number = %s",
                                  [*values, number]).rowcount if self.state.ready(kind) else 0
        if not found:
            raise UserError(messages.RECORD_NOT_FOUND.format(id=record_id(kind, number)))
        self.changed = True

    def remove(self, kind: Kind, numbers: Sequence[int]) -> None:
        if numbers and self.state.ready(kind):
            self.conn.execute(f"DELETE FROM {quoted(table_name(kind))} WHERE number = ANY(%s)", [list(numbers)])
            self.changed = True

    def log_changes(self, entries: Sequence[Mapping[str, Any]]) -> None:
        if not entries:
            return
        with self.conn.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {CHANGES} (at, by, record, action, entry) VALUES (%s, %s, %s, %s, %s)",
                               [(e["at"], e["by"], e.get("id"), e["action"], orjson.dumps(e).decode("utf-8"))
                                for e in entries])
        self.changed = True

    def checkpoint(self) -> None:
        """Nothing to do: the server keeps the transaction's work, invisible to others until the commit."""

    def keep_counters(self, counters: Mapping[str, int]) -> None:
        """Raise the next numbers to at least ``counters`` (a copy keeps the IDs its source issued)."""
        for prefix, number in counters.items():
            kind = kind_of_id(prefix + "1")
            if kind is not None and number > 1:
                self._claim(kind, number - 1)

    def mark_identified(self) -> None:
        """(writing() gives a store of before ids one as it begins.)"""

    def mark_synced(self, other: str, at: str) -> None:
        upsert = f"INSERT INTO {SYNC} (other, at) VALUES (%s, %s) ON CONFLICT (other) DO UPDATE SET at = excluded.at"
        self.conn.execute(upsert, [other, at])
        self.changed = True

    def finish(self) -> None:
        """Nothing left: numbers were drawn as records were added."""


def _unique_violation() -> type[Exception]:
    import psycopg

    return psycopg.errors.UniqueViolation
