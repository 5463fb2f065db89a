"""The PostgreSQL backend: a team store on a database server, behind the storage protocol.

``--db postgresql://user@host/dbname`` (or ``ZHAOSHANG_DB``) selects it.  psycopg 3 is
imported only here, when a URL is used; without it the user is told how to install it.

Every ``reading()`` is one REPEATABLE READ, READ ONLY transaction (a consistent snapshot,
as the TinyDB store's shared lock gives); every ``writing()`` one READ COMMITTED
transaction that commits all or nothing.  The database does the concurrency:

* IDs: ``zs_counters`` holds the next number per prefix.  A writer that inserts records of a
  kind, or looks up natural keys to decide whether to insert, first locks that kind's
  counter row (``SELECT … FOR UPDATE``) and holds it to its commit, so a number is issued
  once and a duplicate check cannot race another writer's insert: two imports of the same
  file run one after the other for that kind, and the second finds the first's records.
  The unique index on each table's ``key_hash`` stands behind it: no two records with the
  same natural key, whatever a writer does.
* A record a writer reads (``get``) is locked (``SELECT … FOR UPDATE``) until its commit:
  two people moving the same lead at once are served one after the other, and the second
  move is appended to a history that already holds the first.
* Waiting for a lock is bounded by ``--lock-timeout`` (PostgreSQL's ``lock_timeout``).

Errors the server reports (connection refused, authentication, missing rights, a lock
not granted in time) become one line (StoreError), never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from ... import messages
from ...domain import dates
from ...domain.body import RawBody
from ...domain.kind import KINDS, Kind, kind_of_id, record_id
from ...domain.search import pieces
from ...errors import StoreError, UserError, optional
from ..base import BackupInfo, Finding, Query, Record, SyncState, new_document, next_number, split_id
from ..migrations import pending, unknown
from . import schema
from .query import Runner
from .schema import COUNTERS, META, SETTINGS, quoted, table_name

_SCHEMA_LOCK = 0x7A68_6173  # pg_advisory_xact_lock key serialising schema changes ("zhas")


def _driver() -> Any:
    return optional("psycopg", messages.PG_DRIVER_MISSING)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


# -- the stored form of a record -------------------------------------------------------------
def _unplaned(low: bytes, high: bytes) -> str:
    data = bytearray(len(low) * 2)
    data[0::2] = low
    data[1::2] = high
    return data.decode("utf-16-le", "surrogatepass")


def _body_cells(body: Any) -> tuple[str, str]:
    """(the body as a JSON string literal, its searched form: casefolded)."""
    if isinstance(body, RawBody):
        literal = bytes(body.literal).decode("utf-8")
        folded = _unplaned(*body.planes) if body.planes is not None else body.text().casefold()
    else:
        literal = orjson.dumps(body).decode("utf-8")
        folded = body.casefold()
    return literal, schema.search_text([folded])


def _doc_text(doc: Mapping[str, Any]) -> str:
    try:
        return orjson.dumps(doc).decode("utf-8")
    except orjson.JSONEncodeError as exc:
        raise StoreError(messages.STORE_VALUE_UNSTORABLE.format(reason=exc)) from None


def row_cells(kind: Kind, doc: Mapping[str, Any]) -> list[Any]:
    """doc, natural_key, key_hash, search, created_at, updated_at and the field columns."""
    key, digest = schema.key_cells(kind, doc)
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
    trgm: str | None = None  # the schema holding pg_trgm, when installed
    applied: list[str] = field(default_factory=list)  # the named migrations it has
    recorded: bool = False  # …as rows of zs_meta (else read from what it holds)

    def ready(self, kind: Kind) -> bool:
        return self.layouts.get(kind.name) == schema.layout(kind)


def _state(conn: Any) -> State:
    found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [META]).fetchone()[0]
    trgm = conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                        "WHERE e.extname = 'pg_trgm'").fetchone()
    if not found:
        return State(None, trgm=trgm[0] if trgm else None)
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
    return State(version, layouts, trgm[0] if trgm else None, applied, recorded)


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
        return SyncState(store, {k.removeprefix("synced:"): v for k, v in rows.items()})

    def counters(self) -> dict[str, int]:
        found = {k.prefix: 1 for k in KINDS.values()}
        if self.state.schema is not None:
            found.update(dict(self.conn.execute(f"SELECT prefix, next FROM {COUNTERS}").fetchall()))
        return found


class Writer(Reader):
    """A write transaction: the records it reads are locked until it commits."""

    def __init__(self, conn: Any, state: State):
        super().__init__(conn, state)
        self.next: dict[str, int] = {}       # the counters of the kinds this transaction holds
        self.saved: dict[str, int] = {}      # …as they were when locked
        self.changed = False

    def _lock(self) -> str:
        return " FOR UPDATE"

    def _hold(self, kind: Kind) -> None:
        """Lock a kind's ID counter to the commit: numbers and key checks are this writer's."""
        if kind.prefix in self.next:
            return
        self.conn.execute(f"INSERT INTO {COUNTERS} (prefix, next) VALUES (%s, 1) ON CONFLICT DO NOTHING",
                          [kind.prefix])
        [number] = self.conn.execute(f"SELECT next FROM {COUNTERS} WHERE prefix = %s FOR UPDATE",
                                     [kind.prefix]).fetchone()
        self.next[kind.prefix] = self.saved[kind.prefix] = number

    def counters(self) -> dict[str, int]:
        return {**super().counters(), **self.next}

    def find_key(self, kind: Kind, key: tuple[str, ...]) -> int | None:
        return self.find_keys(kind, [key]).get(key)

    def find_keys(self, kind: Kind, keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        self._hold(kind)
        return self._find(kind, keys)

    def insert(self, kind: Kind, docs: Sequence[dict[str, Any]], numbers: Sequence[int | None] | None = None,
               now: str | None = None) -> list[int]:
        if not docs:
            return []
        self._hold(kind)
        now = now or dates.now_iso()
        rows, used = [], []
        for i, doc in enumerate(docs):
            number = next_number(self.next, kind, numbers[i] if numbers else None)
            doc = new_document(doc, now)
            body = doc.pop("body", None)
            row = [number, *row_cells(kind, doc)]
            if kind.has_body:
                row += list(_body_cells(body)) if body else [None, None]
            rows.append(row)
            used.append(number)
        names = ["number", *row_names(kind)] + (["body", "body_search"] if kind.has_body else [])
        table = quoted(table_name(kind))
        if len(rows) > 20:
            with self.conn.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            with self.conn.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows)
        self.changed = True
        return used

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

    def checkpoint(self) -> None:
        """Nothing to do: the server keeps the transaction's work, invisible to others until the commit."""

    def keep_counters(self, counters: Mapping[str, int]) -> None:
        """Raise the next numbers to at least ``counters`` (a copy keeps the IDs its source issued)."""
        for prefix, number in counters.items():
            kind = kind_of_id(prefix + "1")
            if kind is None:
                continue
            self._hold(kind)
            if number > self.next[prefix]:
                self.next[prefix] = number

    def mark_identified(self) -> None:
        """(writing() gives a store of before ids one as it begins.)"""

    def mark_synced(self, other: str, at: str) -> None:
        upsert = (f"INSERT INTO {META} (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                  "DO UPDATE SET value = excluded.value")
        self.conn.execute(upsert, [f"synced:{other}", at])
        self.changed = True

    def finish(self) -> None:
        for prefix, number in self.next.items():
            if number != self.saved.get(prefix):
                self.conn.execute(f"UPDATE {COUNTERS} SET next = %s WHERE prefix = %s", [number, prefix])
                self.changed = True


# -- the backend -----------------------------------------------------------------------------
class PostgresBackend:
    def __init__(self, url: str, *, lock_timeout: float = 10.0):
        self.url = url
        self.lock_timeout = lock_timeout
        self.warnings: list[str] = []
        self.user: str | None = None
        self._idle: Any = None  # the connection kept between calls

    def describe(self) -> str:
        return safe_url(self.url)

    def own_files(self) -> tuple[Any, ...]:
        return ()

    # -- connections ---------------------------------------------------------------------------
    @contextmanager
    def _connection(self, *, read_only: bool = False) -> Iterator[Any]:
        """A connection in a transaction, rolled back at the end unless committed.  The
        connection is kept for the next call (one command reads settings, checks the store
        and runs its query: one connection, not three); a use inside another gets its own.
        Errors of the driver and the server become one line."""
        psycopg = _driver()
        conn, self._idle = self._idle, None
        try:
            if conn is None:
                conn = self._connect(psycopg)
            conn.read_only = read_only
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ if read_only else None
            yield conn
            conn.rollback()  # nothing to undo after a commit; a reader's snapshot ends here
            if self._idle is None:
                self._idle, conn = conn, None
        except psycopg.Error as exc:
            raise self._refused(psycopg, exc) from None
        finally:
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing a broken connection must not hide the error
                    pass

    def _connect(self, psycopg: Any) -> Any:
        try:
            conn = psycopg.connect(self.url, autocommit=False, connect_timeout=10, application_name="zhaoshang-cli")
        except psycopg.OperationalError as exc:
            raise StoreError(messages.PG_CONNECT_FAILED.format(url=self.describe(), reason=_reason(exc))) from None
        except psycopg.ProgrammingError as exc:  # a URL libpq cannot read
            raise StoreError(messages.PG_URL_INVALID.format(url=self.describe(), reason=_reason(exc))) from None
        wait = max(int(self.lock_timeout * 1000), 1)  # 0 would mean "wait forever"
        conn.execute(f"SET lock_timeout = {wait}")
        conn.commit()
        self.user = conn.info.user
        return conn

    def close(self) -> None:
        """Close the connection kept between calls."""
        conn, self._idle = self._idle, None
        if conn is not None:
            conn.close()

    def _refused(self, psycopg: Any, exc: Exception) -> StoreError:
        errors = psycopg.errors
        reason = _reason(exc)
        if isinstance(exc, errors.InsufficientPrivilege):
            user = self.user or "this role"
            return StoreError(messages.PG_PERMISSION.format(url=self.describe(), user=user, reason=reason))
        if isinstance(exc, errors.UniqueViolation):
            return StoreError(messages.PG_KEY_TAKEN.format(reason=reason))
        if isinstance(exc, errors.LockNotAvailable):
            return StoreError(messages.PG_LOCK_TIMEOUT.format(url=self.describe(), seconds=self.lock_timeout))
        if isinstance(exc, (errors.DeadlockDetected, errors.SerializationFailure)):
            return StoreError(messages.PG_CONFLICT)
        if isinstance(exc, errors.ReadOnlySqlTransaction):
            return StoreError(messages.PG_READ_ONLY.format(url=self.describe()))
        if isinstance(exc, errors.UndefinedTable):
            return StoreError(messages.PG_TABLES_GONE.format(url=self.describe(), reason=reason))
        if isinstance(exc, psycopg.OperationalError):
            return StoreError(messages.PG_CONNECTION_LOST.format(url=self.describe(), reason=reason))
        return StoreError(messages.PG_REFUSED.format(url=self.describe(), reason=reason))

    # -- the schema ----------------------------------------------------------------------------
    def state(self) -> State:
        with self._connection(read_only=True) as conn:
            return _state(conn)

    def _check(self, state: State) -> None:
        newer = unknown(state.applied)
        if state.schema is not None and (state.schema > schema.SCHEMA or newer):
            found = ", ".join(newer) if newer else f"schema {state.schema}"
            raise StoreError(messages.PG_SCHEMA_TOO_NEW.format(url=self.describe(), found=found,
                                                               supported=schema.SCHEMA))

    def _needs_init(self, state: State, kinds: Sequence[Kind], reading: bool) -> bool:
        """Must the tables be made or changed first?  A reader does without the tables of
        kinds that have none yet (they hold no records)."""
        self._check(state)
        if state.schema is None:
            return not reading
        if pending(state.applied) and not reading:  # a reader reads without them
            return True
        for kind in kinds:
            layout = state.layouts.get(kind.name)
            if layout != schema.layout(kind) and (layout is not None or not reading):
                return True
        return False

    def init(self) -> list[str]:
        """Create or bring up to date the tables of every registered kind (``db init``, and
        the first write); returns what was done.  A newer schema is refused untouched."""
        from ...domain.versions import new_uid

        done: list[str] = []
        with self._connection() as conn:
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEMA_LOCK])
                state = _state(conn)
                self._check(state)
                if state.trgm is None:
                    state.trgm = self._trigram(conn, done)
                fresh = state.schema is None
                if fresh:
                    for statement in schema.BASE:
                        conn.execute(statement)
                    conn.execute(f"INSERT INTO {META} (key, value) VALUES ('schema', %s)", [str(schema.SCHEMA)])
                    done.append(messages.PG_INIT_CREATED.format(schema=schema.SCHEMA))
                    state.schema, state.applied = schema.SCHEMA, []
                if not fresh and not state.recorded:  # what a store of before has, named from now on
                    for name in state.applied:
                        conn.execute(f"INSERT INTO {META} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                                     [f"migration:{name}", dates.now_iso()])
                for migration in pending(state.applied):
                    if migration.name == "store_identity":
                        conn.execute(f"INSERT INTO {META} (key, value) VALUES ('id', %s) ON CONFLICT (key) DO NOTHING",
                                     [new_uid()])
                    conn.execute(f"INSERT INTO {META} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                                 [f"migration:{migration.name}", dates.now_iso()])
                    if not fresh and migration.name not in schema.FIRST_NAMED:
                        done.append(messages.PG_INIT_MIGRATED.format(name=migration.name, what=migration.what))
                    state.applied.append(migration.name)
                for kind in KINDS.values():
                    if state.layouts.get(kind.name) != schema.layout(kind):
                        self._make_table(conn, kind, state, done)
                conn.commit()
            except _driver().errors.InsufficientPrivilege as exc:
                raise StoreError(messages.PG_INIT_NOT_ALLOWED.format(url=self.describe(),
                                                                     reason=_reason(exc))) from None
        return done

    def _trigram(self, conn: Any, done: list[str]) -> str | None:
        """pg_trgm (PostgreSQL's contrib set) for the text search index; without it, --text
        still answers, by reading every row."""
        psycopg = _driver()
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except psycopg.Error as exc:
            self.warnings.append(messages.PG_NO_TRIGRAM.format(reason=_reason(exc)))
            return None
        row = conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                           "WHERE e.extname = 'pg_trgm'").fetchone()
        done.append(messages.PG_INIT_TRIGRAM)
        return row[0] if row else None

    def _make_table(self, conn: Any, kind: Kind, state: State, done: list[str]) -> None:
        """A kind's table as its fields say now: created, or given the columns it lacks (their
        values copied from each stored document)."""
        table = table_name(kind)
        existed = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [quoted(table)]).fetchone()[0]
        for statement in schema.create_table(kind, state.trgm):
            conn.execute(statement)
        if existed:
            have = {r[0] for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [quoted(table)])}
            wanted = [c for c in schema.columns(kind) if c.name not in have]
            extra = [("body", "json"), ("body_search", "text")] if kind.has_body else []
            for name, sql in extra:
                if name not in have:
                    conn.execute(f"ALTER TABLE {quoted(table)} ADD COLUMN {name} {sql}")
            for column in wanted:
                conn.execute(f"ALTER TABLE {quoted(table)} ADD COLUMN {quoted(column.name)} {column.sql}")
            for statement in schema.create_table(kind, state.trgm)[1:]:
                conn.execute(statement)
            self._rederive(conn, kind)
            done.append(messages.PG_INIT_TABLE_CHANGED.format(table=table, kind=kind.plural))
        else:
            done.append(messages.PG_INIT_TABLE.format(table=table, kind=kind.plural))
        conn.execute(f"INSERT INTO {META} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                     "SET value = excluded.value", [f"layout:{kind.name}", schema.layout(kind)])
        state.layouts[kind.name] = schema.layout(kind)

    def _rederive(self, conn: Any, kind: Kind) -> int:
        """Write every column copy of ``kind``'s records again from their documents; returns
        how many rows differed."""
        names = row_names(kind)[1:]
        sets = ", ".join(f"{name} = %s" for name in names)
        table = quoted(table_name(kind))
        changed = 0
        rows = conn.execute(f"SELECT number, doc::text FROM {table} ORDER BY number").fetchall()
        for number, text in rows:
            doc = orjson.loads(text)
            cells = row_cells(kind, doc)[1:]
            conn.execute(f"UPDATE {table} SET {sets} WHERE number = %s", [*cells, number])
            changed += 1
        return changed

    # -- the protocol ----------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Reader]:
        with self._connection(read_only=True) as conn:
            state = _state(conn)
            if self._needs_init(state, list(KINDS.values()), reading=True):
                conn.rollback()
                self.init()
                state = _state(conn)
            yield Reader(conn, state)

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        with self._connection() as conn:
            state = _state(conn)
            if self._needs_init(state, list(KINDS.values()), reading=False):
                conn.rollback()
                self.init()
                state = _state(conn)
            writer = Writer(conn, state)
            try:
                yield writer
                writer.finish()
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def exists(self) -> bool:
        return self.state().schema is not None

    def numbers_starting(self, kind: Kind, digits: str = "") -> list[int]:
        """The numbers of ``kind``'s records written starting with ``digits`` (shell
        completion), in one read-only snapshot, which waits for no writer."""
        with self._connection(read_only=True) as conn:
            state = _state(conn)
            self._check(state)
            if not state.ready(kind):
                return []
            rows = conn.execute(f"SELECT number FROM {quoted(table_name(kind))} WHERE number::text LIKE %s "
                                "ORDER BY number", [digits + "%"]).fetchall()
        return [number for (number,) in rows]

    def settings(self) -> Mapping[str, str]:
        with self._connection(read_only=True) as conn:
            if _state(conn).schema is None:
                return {}
            return dict(conn.execute(f"SELECT key, value FROM {SETTINGS}").fetchall())

    def change_setting(self, key: str, value: str | None) -> None:
        with self.writing() as txn:
            if value is None:
                txn.conn.execute(f"DELETE FROM {SETTINGS} WHERE key = %s", [key])
            else:
                txn.conn.execute(f"INSERT INTO {SETTINGS} (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                                 "DO UPDATE SET value = excluded.value", [key, value])

    def doctor(self, fix: bool = False, drop_unreadable: bool = False) -> list[Finding]:
        """(``drop_unreadable``: the server keeps nothing unreadable to drop.)"""
        from .doctor import check

        return check(self, fix)

    def backups(self) -> list[BackupInfo]:
        raise UserError(messages.PG_BACKUPS.format(url=self.describe()))

    def restore(self, name: str | None = None) -> BackupInfo:
        raise UserError(messages.PG_BACKUPS.format(url=self.describe()))


def _reason(exc: Exception) -> str:
    """The server's or libpq's message, on one line, without libpq's hints."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    first = lines[0]
    # libpq: 'connection to server at "h" (1.2.3.4), port 5432 failed: FATAL:  database "x" does not exist'
    match = re.search(r".*\bfailed: (.+)$", first)
    if match:
        first = match.group(1)
    first = re.sub(r"^(FATAL|ERROR):\s+", "", first)
    if first.lower().startswith("connection refused") or "No such file or directory" in first:
        first += messages.PG_IS_SERVER_RUNNING
    return first

