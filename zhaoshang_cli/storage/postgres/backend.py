"""The PostgreSQL backend: a team store on a database server, behind the storage protocol.

``--db postgresql://user@host/dbname`` (or ``ZHAOSHANG_DB``) selects it.  psycopg 3 is
imported only here, when a URL is used; without it the user is told how to install it.

Every ``reading()`` is one REPEATABLE READ, READ ONLY transaction (a consistent snapshot,
as the TinyDB store's shared lock gives); every ``writing()`` one READ COMMITTED
transaction that commits all or nothing; the database does the concurrency (see
transaction.py).  Waiting for a lock is bounded by ``--lock-timeout`` (PostgreSQL's
``lock_timeout``).  The tables are made, and brought up to date, here (``init``).

Errors the server reports (connection refused, authentication, missing rights, a lock
not granted in time) become one line (StoreError), never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

import orjson

from ... import messages
from ...domain import dates
from ...domain.kind import KINDS, Kind
from ...errors import StoreError, UserError, optional
from ..base import BackupInfo, Finding
from ..migrations import pending, unknown
from . import ids, schema, text_index
from .schema import META, SETTINGS, quoted, table_name
from .text_index import TextIndexState
from .transaction import Reader, State, Writer, _state, row_cells, row_names, trigram_schema

_SCHEMA_LOCK = 0x7A68_6173  # pg_advisory_xact_lock key serialising schema changes ("zhas")


def _driver() -> Any:
    return optional("psycopg", messages.PG_DRIVER_MISSING)


_CONNINFO_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)")
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*")


def safe_url(url: str) -> str:
    """A URL or libpq connection string without its password, for messages."""
    if not url.startswith(("postgresql://", "postgres://")):
        return _CONNINFO_PASSWORD.sub(r"\1***", url)
    url = _QUERY_PASSWORD.sub(r"\1***", url)
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "postgresql://…"
    if password is None:
        return url
    head, _, tail = parts.netloc.rpartition("@")
    user = head.split(":", 1)[0]
    return urlunsplit((parts.scheme, f"{user}:***@{tail}", parts.path, parts.query, parts.fragment))


class Making(NamedTuple):
    """How init makes a kind's table: where pg_trgm is, whether the server has LZ4, whether
    the store keeps text indexes (db text-index on)."""

    trgm: str | None
    lz4: bool
    text_index: bool


# -- the backend -----------------------------------------------------------------------------
class PostgresBackend:
    body_planes = False  # the server casefolds a body's text itself (transaction._body_cells)

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
        conn.execute(f"SET lock_timeout = {self._lock_wait()}")
        conn.commit()
        self.user = conn.info.user
        return conn

    def _lock_wait(self) -> int:
        return max(int(self.lock_timeout * 1000), 1)  # in ms; 0 would mean "wait forever"

    @contextmanager
    def _concurrently(self, conn: Any) -> Iterator[Any]:
        """The connection out of any transaction, for CREATE or DROP INDEX CONCURRENTLY, with no
        lock timeout: such a statement waits for every transaction on the table to end (a long
        import among them), while others go on writing."""
        conn.rollback()
        conn.autocommit = True
        conn.execute("SET lock_timeout = 0")
        try:
            yield conn
        finally:
            try:
                conn.execute(f"SET lock_timeout = {self._lock_wait()}")
                conn.autocommit = False
            except _driver().Error:  # a broken connection: it is closed with the error that broke it
                pass

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
        rebuild: list[Kind] = []  # kinds whose text indexes the migration body_text builds again
        with self._connection() as conn:
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEMA_LOCK])
                state = _state(conn)
                self._check(state)
                trgm = trigram_schema(conn) or self._trigram(conn, done)
                lz4 = conn.execute("SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) FROM pg_settings "
                                   "WHERE name = 'default_toast_compression'").fetchone()[0]
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
                    for statement in schema.MIGRATION_STATEMENTS.get(migration.name, []):
                        conn.execute(statement)
                    if migration.name == "id_sequences":
                        ids.from_counters(conn)
                    if migration.name == "body_text":
                        rebuild = self._body_text(conn, state)
                    if migration.name == "store_identity":
                        conn.execute(f"INSERT INTO {META} (key, value) VALUES ('id', %s) ON CONFLICT (key) DO NOTHING",
                                     [new_uid()])
                    conn.execute(f"INSERT INTO {META} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                                 [f"migration:{migration.name}", dates.now_iso()])
                    if not fresh and migration.name not in schema.FIRST_NAMED:
                        done.append(messages.PG_INIT_MIGRATED.format(name=migration.name, what=migration.what))
                    state.applied.append(migration.name)
                made = [kind for kind in KINDS.values() if state.layouts.get(kind.name) != schema.layout(kind)]
                indexed = text_index.kept(conn, text_index.kinds_with_tables(state.ready)) if made else False
                for kind in made:
                    self._make_table(conn, kind, state, Making(trgm, lz4, indexed), done)
                from . import analyst

                viewed = analyst.bring_up_to_date(conn)
                if viewed:
                    done.append(messages.PG_INIT_VIEWS)
                if made or viewed:  # the roles `db grant` was given get the rights to new tables and views too
                    from . import grants

                    editors, readers = grants.recorded(conn)
                    if editors or readers:
                        for statement in grants.statements(conn, editors, readers):
                            conn.execute(statement)
                        done.append(messages.PG_INIT_GRANTED.format(roles=", ".join([*editors, *readers])))
                conn.commit()
                if rebuild and trgm is not None:  # after the commit, CONCURRENTLY: nobody waits on it
                    with self._concurrently(conn):
                        text_index.switch(conn, rebuild, True, trgm)
                    done += [messages.PG_INIT_TEXT_INDEX.format(table=table_name(kind)) for kind in rebuild]
            except _driver().errors.InsufficientPrivilege as exc:
                raise StoreError(messages.PG_INIT_NOT_ALLOWED.format(url=self.describe(),
                                                                     reason=_reason(exc))) from None
        return done

    def grant(self, editors: Sequence[str], readers: Sequence[str], *, run: bool = True) -> list[str]:
        """Give ``editors`` and ``readers`` exactly their rights (grants.py), as the owner; the
        SQL, run unless ``run`` is False.  A role that does not exist is an error."""
        from . import grants

        with self._connection() as conn:
            state = _state(conn)
            if state.schema is None:
                raise StoreError(messages.DB_GRANT_NO_STORE.format(url=self.describe()))
            for role in [*editors, *readers]:
                if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                    raise StoreError(messages.DB_GRANT_NO_ROLE.format(role=role))
            sql = grants.statements(conn, editors, readers)
            if run:
                try:
                    for statement in sql:
                        conn.execute(statement)
                    grants.record(conn, editors, readers, dates.now_iso())
                    conn.commit()
                except _driver().errors.InsufficientPrivilege as exc:
                    raise StoreError(messages.DB_GRANT_NOT_OWNER.format(url=self.describe(),
                                                                        reason=_reason(exc))) from None
        return sql

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
        done.append(messages.PG_INIT_TRIGRAM)
        return trigram_schema(conn)

    def _body_text(self, conn: Any, state: State) -> list[Kind]:
        """The migration ``body_text``: the index a store kept on body_search cannot serve what
        --text now reads (schema.BODY_TEXT).  It is dropped; the kinds that had one, returned,
        get the new ones once the migration is committed (built concurrently: at a million
        articles that takes minutes, which nobody should wait for)."""
        had = []
        for kind in KINDS.values():
            if not kind.has_body or not state.layouts.get(kind.name):
                continue
            former = schema.former_text_index(kind)
            if conn.execute("SELECT to_regclass(%s) IS NOT NULL", [quoted(former)]).fetchone()[0]:
                conn.execute(f"DROP INDEX {quoted(former)}")
                had.append(kind)
        return had

    def _make_table(self, conn: Any, kind: Kind, state: State, making: Making, done: list[str]) -> None:
        """A kind's table as its fields say now: created, or given the columns it lacks (their
        values copied from each stored document)."""
        table = table_name(kind)
        trgm = making.trgm
        existed = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [quoted(table)]).fetchone()[0]
        statements = schema.create_table(kind, making.lz4)
        if making.text_index and trgm is not None:
            statements += [sql for _, sql in schema.text_indexes(kind, trgm, concurrently=False)]
        for statement in statements if not existed else statements[:1]:  # indexes: once the columns are there
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
            for statement in statements[1:]:
                conn.execute(statement)
            self._rederive(conn, kind)
            done.append(messages.PG_INIT_TABLE_CHANGED.format(table=table, kind=kind.plural))
        else:
            done.append(messages.PG_INIT_TABLE.format(table=table, kind=kind.plural))
        if "id_sequences" in state.applied:
            ids.ensure(conn, kind)
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

    def text_index(self, switch: bool | None = None) -> TextIndexState:
        """Whether the store keeps its text indexes, after building (``switch`` True) or
        dropping them (False): the owner's to do (text_index.py)."""
        psycopg = _driver()
        with self._connection() as conn:
            state = _state(conn)
            if self._needs_init(state, list(KINDS.values()), reading=switch is None):
                conn.rollback()
                self.init()
                state = _state(conn)
            if state.schema is None:
                raise StoreError(messages.DB_GRANT_NO_STORE.format(url=self.describe()))
            kinds = text_index.kinds_with_tables(state.ready)
            written = 0
            if switch is not None:
                trgm = trigram_schema(conn)
                if switch and trgm is None:
                    raise StoreError(messages.DB_TEXT_INDEX_NO_TRIGRAM.format(url=self.describe()))
                try:
                    with self._concurrently(conn):
                        written = text_index.switch(conn, kinds, switch, trgm)
                except psycopg.errors.InsufficientPrivilege as exc:
                    raise StoreError(messages.DB_TEXT_INDEX_NOT_OWNER.format(url=self.describe(),
                                                                             reason=_reason(exc))) from None
            return text_index.state(conn, kinds)._replace(written=written)

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
    def writing(self, *, rehearsal: bool = False) -> Iterator[Writer]:
        with self._connection() as conn:
            state = _state(conn)
            if self._needs_init(state, list(KINDS.values()), reading=False):
                conn.rollback()
                self.init()
                state = _state(conn)
            writer = Writer(conn, state, rehearsal=rehearsal)
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
