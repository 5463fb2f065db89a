"""The store: a TinyDB file plus a side directory, safe against crashes and parallel writers.

    zhaoshang.json            TinyDB document: tables articles, policies, leads, _meta
    zhaoshang.json.d/lock     flock: shared for readers, exclusive for writers
    zhaoshang.json.d/bodies.<gen>.log   article and policy bodies (append-only)
    zhaoshang.json.d/counters the highest ID numbers ever issued (they never go back)
    zhaoshang.json.d/index    the listing index (derived; rebuilt after every write)
    zhaoshang.json.d/backups/ the last few versions of zhaoshang.json, numbered in order

A write holds the exclusive lock from read to replace.  It appends bodies (fsynced),
saves the ID counters, keeps the old version as a backup (a hard link), then replaces
the TinyDB file atomically: that rename is the commit point.  Before it, a failure
undoes what was appended and nothing is saved; after it, updating the index and pruning
can only warn.  A killed process leaves the state before or after, never a mix.

The store path is resolved once (a store reached through a link lives beside its
target), and the side directory must be this user's and private: nothing in it is
followed through a link.  The store never prints; warnings are collected in
``Store.warnings`` for the caller to show.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import orjson
from tinydb import TinyDB
from tinydb.table import Document

from ...domain import dates, kind as models
from . import integrity, migrations
from ... import messages
from ...atomic import atomic_write, fsync_dir, is_user_os_error, make_private_dir, open_private, os_error_message, private_dir_problem, read_private, stale_temp_files, temp_files_in, write_all
from .bodies import Appender, BodyLog, BodyUnreadable, Ref
from ...errors import StoreError, UserError
from .index import Index
from .index import load as load_index
from .index import write as write_index
from .integrity import BODY, META
from .locking import FileLock
from ...domain.kind import Kind
from .document import AtomicJSONStorage, Spans, load_document

APP = "zhaoshang-cli"
DEFAULT_LOCK_TIMEOUT = 10.0
DEFAULT_BACKUPS = 5
MAX_NUMBER = 999_999_999  # the largest record number a store issues or keeps
# <name>.<sequence>.g<generation>; older versions named backups by their UTC time
_BACKUP_NAME = re.compile(r"\.(\d{6,12}|\d{8}T\d{6}\.\d{6}Z)\.g(\d+)$")
_LOG_NAME = re.compile(r"bodies\.(\d+)\.log")


def new_meta() -> dict[str, Any]:
    return {"app": APP, "schema": migrations.CURRENT, "next": {k.prefix: 1 for k in models.KINDS.values()},
            "log": 1, "bodies": "json"}


class StoreDamaged(StoreError):
    """A file of ours that is valid JSON but damaged inside; ``problems`` lists each repair."""

    def __init__(self, path: Path, problems: list[integrity.Damage]):
        self.problems = problems
        first = problems[0]
        more = messages.STORE_DAMAGED_MORE.format(count=len(problems) - 1) if len(problems) > 1 else ""
        super().__init__(messages.STORE_DAMAGED.format(path=path, where=first.where, problem=first.problem,
                                                       more=more))


def read_meta(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The meta of a document that claims to be ours; StoreError if it is another program's or too new."""
    meta = data.get(META)
    meta = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or meta.get("app") != APP:
        raise StoreError(messages.STORE_FOREIGN.format(path=path))
    if type(meta.get("schema")) is not int or meta["schema"] < 1:
        raise StoreError(messages.STORE_SCHEMA_DAMAGED.format(path=path, value=meta.get("schema")))
    if meta["schema"] > migrations.CURRENT:
        raise StoreError(messages.STORE_TOO_NEW.format(path=path, found=meta["schema"],
                                                       supported=migrations.CURRENT))
    return meta


def check_document(data: dict[str, Any], path: Path, log_generations: list[int] | None = None) -> dict[str, Any]:
    """The document's meta, after migrating it in memory; StoreError if it is not ours or damaged."""
    if not data:
        return new_meta()
    meta = read_meta(data, path)
    problems = integrity.damage(data, log_generations)
    if problems:
        raise StoreDamaged(path, problems)
    migrations.upgrade(data, meta)
    return meta


def split_id(record_id: str) -> tuple[Kind, str]:
    from ...domain.values import parse_record_id

    rid = parse_record_id(record_id)
    return models.kind_of_id(rid), rid[1:]


class Snapshot:
    """A consistent view of the store for reading.

    With a fresh listing index, queries and ``get`` read only the index and the few
    documents they show; anything needing whole tables loads the TinyDB file on first use
    (inside ``Store.reading()``, while the shared lock is held).  A document read through
    the index must sit under its own number in the file; if not, the index is dropped and
    the file is read instead.
    """

    def __init__(self, store: "Store", data: dict[str, Any] | None, meta: dict[str, Any],
                 index: Index | None = None):
        self.store = store
        self._data = data
        self.meta = meta
        self.index = index

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            data = load_document(self.store.path)
            self.meta = check_document(data, self.store.path, self.store.log_generations())
            self._data = data
        return self._data

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def table(self, kind: Kind) -> dict[str, dict[str, Any]]:
        return self.data.get(kind.table, {})

    def get(self, record_id: str) -> tuple[Kind, str, dict[str, Any]]:
        kind, number = split_id(record_id)
        doc = None
        if self._data is None and self.index is not None:
            at = self.index.kinds[kind.table].position(int(number))
            if at is not None:
                docs = self._read_docs(kind, [at])
                doc = docs[0] if docs is not None else self.table(kind).get(number)
        else:
            doc = self.table(kind).get(number)
        if doc is None:
            raise UserError(messages.RECORD_NOT_FOUND.format(id=record_id))
        return kind, number, doc

    def complete(self, rows: list[tuple[Kind, str, dict[str, Any]]]) -> list[tuple[Kind, str, dict[str, Any]]]:
        """Replace index stubs by the stored documents (parsing only those)."""
        stubs = [r for r in rows if "_at" in r[2]]
        if not stubs:
            return rows
        if self._data is None and len(stubs) <= 2000:
            by_kind: dict[Kind, list[int]] = {}
            for kind, _, doc in stubs:
                by_kind.setdefault(kind, []).append(doc["_at"])
            full: dict[tuple[Kind, int], dict[str, Any]] = {}
            for kind, ats in by_kind.items():
                docs = self._read_docs(kind, ats)
                if docs is None:
                    break
                full.update({(kind, at): doc for at, doc in zip(ats, docs)})
            else:
                return [(k, n, full[(k, d["_at"])]) if "_at" in d else (k, n, d) for k, n, d in rows]
        return [(k, n, self.table(k)[n]) if "_at" in d else (k, n, d) for k, n, d in rows]

    def complete_lacking(self, rows: list[tuple[Kind, str, dict[str, Any]]],
                         fields: Mapping[Kind, Iterable[str]]) -> list[tuple[Kind, str, dict[str, Any]]]:
        """Complete the stubs of the kinds whose listing index lacks one of ``fields[kind]``:
        a query that needs only indexed fields parses no document."""
        if self.index is None:
            return rows
        lacking = {kind for kind, names in fields.items()
                   if not set(names) <= self.index.kinds[kind.table].fields}
        picked = [i for i, (kind, _, doc) in enumerate(rows) if kind in lacking and "_at" in doc]
        if not picked:
            return rows
        done = list(rows)
        for i, row in zip(picked, self.complete([rows[i] for i in picked])):
            done[i] = row
        return done

    def _read_docs(self, kind: Kind, positions: list[int]) -> list[dict[str, Any]] | None:
        """Documents at index positions, each checked to sit under its own number; None (and
        the index dropped) when the index does not describe the file."""
        columns = self.index.kinds[kind.table].columns  # type: ignore[union-attr]
        docs = []
        with open(self.store.path, "rb") as handle:
            for at in positions:
                label = b'"%d":' % columns["n"][at]
                start, end = columns["start"][at], columns["end"][at]
                if start < len(label) or end <= start:
                    return self._drop_index()
                handle.seek(start - len(label))
                raw = handle.read(end - start + len(label))
                if not raw.startswith(label):
                    return self._drop_index()
                try:
                    doc = orjson.loads(raw[len(label):])
                except orjson.JSONDecodeError:
                    return self._drop_index()
                if type(doc) is not dict:
                    return self._drop_index()
                docs.append(doc)
        return docs

    def _drop_index(self) -> None:
        self.index = None
        return None

    @property
    def log(self) -> BodyLog:
        return self.store.body_log(self.meta["log"], self.meta.get("bodies") == "json")

    @contextmanager
    def _reading_log(self) -> Iterator[BodyLog]:
        log = self.log
        try:
            yield log
        except FileNotFoundError:
            raise StoreError(messages.STORE_BODY_MISSING.format(path=self.store.path, log=log.path)) from None
        except (BodyUnreadable, orjson.JSONDecodeError, UnicodeDecodeError):
            raise StoreError(messages.STORE_BODY_UNREADABLE.format(path=self.store.path, log=log.path)) from None

    def body(self, doc: Mapping[str, Any]) -> str | None:
        ref = doc.get(BODY)
        if not ref:
            return None
        with self._reading_log() as log:
            return log.read(ref)

    def bodies(self, docs: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, str]:
        """Bodies of many documents keyed like the input, read in log order."""
        refs = [(key, doc[BODY]) for key, doc in docs if doc.get(BODY)]
        with self._reading_log() as log:
            return dict(log.read_many(refs))

    def search_bodies(self, needle: str, docs: Iterable[tuple[str, Mapping[str, Any]]]) -> set[str]:
        refs = [(key, doc[BODY]) for key, doc in docs if doc.get(BODY)]
        with self._reading_log() as log:
            return log.search(needle, refs)

    def public(self, kind: Kind, number: str, doc: Mapping[str, Any], with_body: bool = False) -> dict[str, Any]:
        return models.to_public(kind, number, doc, self.body(doc) if with_body else None)


def next_number(counters: dict[str, int], kind: Kind, wanted: int | None = None) -> int:
    """The number the next record of ``kind`` gets (``wanted`` if it was never issued);
    advances ``counters`` past it."""
    number = wanted if wanted and counters[kind.prefix] <= wanted <= MAX_NUMBER else counters[kind.prefix]
    if number > MAX_NUMBER:
        raise StoreError(messages.IDS_EXHAUSTED.format(kind=kind.plural))
    counters[kind.prefix] = number + 1
    return number


@dataclass
class Transaction:
    """Changes made under the write lock; written in one atomic replace at the end."""

    snapshot: Snapshot
    db: TinyDB
    changed: bool = False
    committed: bool = False
    appender: Appender | None = None
    new_logs: list[Path] = field(default_factory=list)  # generations created by this transaction
    undo: list[Callable[[], Any]] = field(default_factory=list)  # what to take back if the commit fails

    @property
    def meta(self) -> dict[str, Any]:
        return self.snapshot.meta

    def table(self, kind: Kind) -> dict[str, dict[str, Any]]:
        return self.snapshot.table(kind)

    def get(self, record_id: str) -> tuple[Kind, str, dict[str, Any]]:
        return self.snapshot.get(record_id)

    def body(self, doc: Mapping[str, Any]) -> str | None:
        return self.snapshot.body(doc)

    def insert_many(self, kind: Kind, docs: list[dict[str, Any]], numbers: list[int | None] | None = None,
                    now: str | None = None) -> list[str]:
        """Insert validated documents (a ``body`` key goes to the body log); returns their IDs.

        A wanted number is kept when it was never issued; otherwise the next one is used.
        """
        now = now or dates.now_iso()
        counters = self.meta["next"]
        ready: list[dict[str, Any]] = []
        numbers_used: list[int] = []
        bodies: list[str] = []
        holders: list[dict[str, Any]] = []
        for i, doc in enumerate(docs):
            number = next_number(counters, kind, numbers[i] if numbers else None)
            doc = dict(doc)
            body = doc.pop("body", None)
            doc.setdefault("created_at", now)
            doc.setdefault("updated_at", doc["created_at"])
            if body:
                bodies.append(body)
                holders.append(doc)
            ready.append(doc)
            numbers_used.append(number)
        for holder, ref in zip(holders, self._append(bodies)):
            holder[BODY] = ref
        if ready:
            def add(table: dict[int, Any]) -> None:
                for number, doc in zip(numbers_used, ready):
                    if number in table:
                        raise ValueError(f"document {number} already exists")
                    table[number] = doc

            # TinyDB's own table update, minus the two dict copies per document of insert_multiple
            self.db.table(kind.table)._update_table(add)
            self.changed = True
        return [models.record_id(kind, n) for n in numbers_used]

    def update(self, record_id: str, changes: Mapping[str, Any], now: str | None = None) -> None:
        """Set (or, with None, clear) fields of one record; ``body`` goes to the body log."""
        kind, number, doc = self.get(record_id)
        new = dict(doc)
        for key, value in changes.items():
            if key == "body":
                new.pop(BODY, None)
            if models.is_empty(value):
                new.pop(key, None)
            else:
                new[key] = value
        new["updated_at"] = now or dates.now_iso()
        self.replace_many(kind, {number: new})

    def replace_many(self, kind: Kind, docs: Mapping[str, dict[str, Any]]) -> None:
        """Overwrite whole stored documents by number; a ``body`` key goes to the body log."""
        if not docs:
            return
        ready: dict[int, dict[str, Any]] = {}
        with_body: list[tuple[dict[str, Any], str]] = []
        for number, doc in docs.items():
            doc = dict(doc)
            body = doc.pop("body", None)
            if body:
                doc.pop(BODY, None)
                with_body.append((doc, body))
            ready[int(number)] = doc
        for (doc, _), ref in zip(with_body, self._append([b for _, b in with_body])):
            doc[BODY] = ref
        table = self.db.table(kind.table)
        table.remove(doc_ids=list(ready))
        table.insert_multiple(Document(doc, doc_id=number) for number, doc in ready.items())
        self.changed = True

    def remove(self, record_ids: Iterable[str]) -> None:
        by_kind: dict[Kind, list[int]] = {}
        for record_id in record_ids:
            kind, number, _ = self.get(record_id)
            by_kind.setdefault(kind, []).append(int(number))
        for kind, numbers in by_kind.items():
            self.db.table(kind.table).remove(doc_ids=numbers)
            self.changed = True

    def replace_document(self, new: dict[str, Any], counters: Mapping[str, int] | None = None) -> None:
        """Put a whole other document in place (restore, repair).  ID counters never go back:
        each is the highest of the current one, the new document's and ``counters``."""
        data = self.snapshot.data
        meta = self.meta
        new_meta = dict(new[META]["1"])
        new_meta["next"] = {prefix: max(meta["next"].get(prefix, 1), new_meta["next"].get(prefix, 1),
                                        (counters or {}).get(prefix, 1))
                            for prefix in (k.prefix for k in models.KINDS.values())}
        data.clear()
        data.update({name: table for name, table in new.items() if name != META})
        meta.clear()
        meta.update(new_meta)
        data[META] = {"1": meta}
        self.changed = True

    def _append(self, bodies: list[Any]) -> list[Ref]:
        if not bodies:
            return []
        if self.appender is None:
            self.appender = Appender(self.snapshot.log)
        return self.appender.append(bodies)

    def compact_bodies(self) -> tuple[int, int]:
        """Copy the bodies still referenced into a new log generation, dropping the bytes of
        edited and deleted ones; returns (old size, new size).  The old generation stays
        while a backup refers to it.  Every body is checked as it is copied."""
        self.finish()
        store = self.snapshot.store
        old = self.snapshot.log
        holders = [doc for kind in models.KINDS.values() for doc in self.table(kind).values() if doc.get(BODY)]
        holders.sort(key=lambda doc: doc[BODY][0])
        generation = max([*store.log_generations(), *store.backup_generations(), self.meta["log"]]) + 1
        new = store.body_log(generation)
        self.new_logs.append(new.path)
        fd = open_private(new.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)  # nothing refers to it yet
        try:
            chunks: list[bytes] = []
            position = 0
            if holders:
                with old._open() as source:
                    for doc in holders:
                        text = old._read_one(source, doc[BODY])
                        data = orjson.dumps(text)
                        chunks.append(data)
                        doc[BODY] = [position, len(data)]
                        position += len(data)
                        if len(chunks) >= 256:
                            write_all(fd, b"".join(chunks))
                            chunks = []
            write_all(fd, b"".join(chunks))
            os.fsync(fd)
        finally:
            os.close(fd)
        self.meta["log"] = generation
        self.meta["bodies"] = "json"
        self.changed = True
        return old.size(), new.size()

    def finish(self, raise_errors: bool = True) -> None:
        """Wait until the bodies are in the log (fsynced): the store file may then refer to them."""
        if self.appender is not None:
            try:
                self.appender.wait()
            except Exception:
                if raise_errors:
                    raise

    def rollback(self) -> None:
        """Undo what a failed write left in the side directory: appended bytes, new logs."""
        if self.appender is not None:
            self.appender.rollback()
        for path in self.new_logs:
            try:
                os.unlink(path)
            except OSError:
                pass
        for step in reversed(self.undo):
            try:
                step()
            except OSError:
                pass


class Store:
    def __init__(self, path: str | Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                 keep_backups: int = DEFAULT_BACKUPS):
        self.path = Path(os.path.realpath(Path(path).expanduser()))
        self.side = self.path.with_name(self.path.name + ".d")
        self.backups_dir = self.side / "backups"
        self.keep_backups = keep_backups
        self.lock = FileLock(self.side / "lock", lock_timeout)
        self.warnings: list[str] = []

    @property
    def index_path(self) -> Path:
        return self.side / "index"

    @property
    def counters_path(self) -> Path:
        return self.side / "counters"

    def body_log(self, generation: int, literals: bool = True) -> BodyLog:
        return BodyLog(self.side / f"bodies.{generation}.log", literals)

    def log_generations(self) -> list[int]:
        try:
            names = os.listdir(self.side)
        except OSError:
            return []
        return sorted(int(m[1]) for m in map(_LOG_NAME.fullmatch, names) if m)

    def backup_generations(self) -> list[int]:
        return [int(_BACKUP_NAME.search(p.name)[2]) for p in self.backups()]

    # -- trust -------------------------------------------------------------------------------
    def check_paths(self) -> None:
        """Refuse a store whose file or side directory cannot be trusted (see atomic.py)."""
        if self.path.is_dir():
            raise StoreError(messages.STORE_IS_DIR.format(path=self.path))
        try:
            owner = os.stat(self.path).st_uid
        except FileNotFoundError:
            owner = os.geteuid()
        if owner != os.geteuid():
            raise StoreError(messages.STORE_OWNED_BY_OTHER.format(path=self.path, uid=owner))
        problem = private_dir_problem(self.side)
        if problem:
            raise StoreError(problem)

    def _create_side(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        make_private_dir(self.side)

    def _load(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The document and its meta, refused when damaged or when it is empty while the
        backups hold records (a store lost by accident must not start over at a1)."""
        data = load_document(self.path)
        meta = check_document(data, self.path, self.log_generations())
        if not data:
            self._refuse_if_lost()
        return data, meta

    def _refuse_if_lost(self) -> None:
        for path in self.backups():
            try:
                backup = load_document(path)
                read_meta(backup, path)
            except StoreError:
                continue
            count = sum(len(t) for t in (backup.get(k.table) for k in models.KINDS.values()) if isinstance(t, dict))
            if count:
                state = messages.STORE_STATE_EMPTY if self.path.exists() else messages.STORE_STATE_MISSING
                raise StoreError(messages.STORE_LOST.format(path=self.path, state=state, backups=path,
                                                            count=count, side=self.side))
            return

    # -- reading ---------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Snapshot]:
        """A snapshot; the shared lock is held until the block ends (body reads need it).
        Nothing is created or changed, so reading works on a read-only mount."""
        self.check_paths()
        side = self.side.is_dir()
        try:
            with self.lock.shared() if side else nullcontext():
                if not self.path.exists():
                    if side:
                        self._refuse_if_lost()
                    yield Snapshot(self, {}, new_meta())
                    return
                index = load_index(self.index_path, self.path, migrations.CURRENT) if side else None
                if index is not None:
                    yield Snapshot(self, None, index.meta, index)
                else:
                    data, meta = self._load()
                    yield Snapshot(self, data, meta)
        except OSError as exc:
            if is_user_os_error(exc):
                raise StoreError(os_error_message(exc, "read")) from None
            raise

    def read(self) -> Snapshot:
        """A snapshot with the whole TinyDB document loaded."""
        with self.reading() as snap:
            snap.data  # noqa: B018 - load while the lock is held
            return snap

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def writing(self, *, replacing: bool = False) -> Iterator[Transaction]:
        """Lock, load, let the caller change things, then write once; nothing if it raises.

        ``replacing``: the caller puts a whole document in place (restore, doctor --fix), so
        a damaged file does not stop it; the damaged file is kept beside the store under
        another name before the new one is committed.
        """
        txn: Transaction | None = None
        try:
            self.check_paths()
            if not self.side.is_dir():
                if self.path.exists() and not replacing:
                    self._load()  # refuse a bad file before creating anything beside it
                self._create_side()
            with self.lock.exclusive():
                damaged = False
                try:
                    data, meta = self._load()
                except StoreError:
                    if not replacing:
                        raise
                    damaged, data, meta = True, {}, new_meta()
                self._remove_temp_files()
                saved_counters = self.read_counters()
                for prefix, number in saved_counters.items():
                    if number > meta["next"].get(prefix, 1):
                        meta["next"][prefix] = number
                existed = bool(data) and not damaged
                generation = meta["log"]
                storage = AtomicJSONStorage(self.path)
                txn = Transaction(Snapshot(self, data, meta), TinyDB(storage=lambda: storage))

                def commit(payload: bytes, spans: Spans) -> None:
                    assert txn is not None
                    txn.finish()
                    if meta["next"] != saved_counters:
                        self._save_counters(meta["next"], txn)
                    made = self._set_aside() if damaged else self._backup(generation) if existed else None
                    if made is not None:
                        txn.undo.append(lambda: os.unlink(made))
                    atomic_write(self.path, payload)  # the commit point
                    txn.committed = True
                    self._after_commit(data, spans, meta)

                storage.commit = commit
                with storage.batch():
                    # TinyDB must see a non-empty document so that it changes this very dict
                    data[META] = {"1": meta}
                    storage.write(data)
                    if meta.get("bodies") != "json":
                        txn.compact_bodies()  # a store older than schema 3: bodies become JSON literals
                    yield txn
                    if not txn.changed:
                        storage.discard()
        except BaseException as exc:
            if txn is not None and not txn.committed:
                txn.rollback()
            if isinstance(exc, OSError) and is_user_os_error(exc):
                raise StoreError(os_error_message(exc)) from None
            if isinstance(exc, orjson.JSONEncodeError):
                raise StoreError(messages.STORE_VALUE_UNSTORABLE.format(reason=exc)) from None
            raise

    def _after_commit(self, data: dict[str, Any], spans: Spans, meta: dict[str, Any]) -> None:
        """What follows the commit point can only warn: the change is saved either way."""
        steps = ((messages.AFTER_COMMIT_INDEX, lambda: write_index(self.index_path, data, spans, meta, self.path)),
                 (messages.AFTER_COMMIT_BACKUPS, self._prune_backups),
                 (messages.AFTER_COMMIT_LOGS, lambda: self._prune_logs(meta["log"])))
        for what, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - reported, never raised: the data is saved
                self.warnings.append(messages.AFTER_COMMIT_FAILED.format(what=what, reason=_reason(exc)))
                if what is messages.AFTER_COMMIT_INDEX:
                    try:
                        os.unlink(self.index_path)
                    except OSError:
                        pass

    def _remove_temp_files(self) -> None:
        """Temp files of interrupted writes (we hold the write lock: none is in progress)."""
        for path in [*stale_temp_files(self.path), *temp_files_in(self.side), *temp_files_in(self.backups_dir)]:
            try:
                os.unlink(path)
            except OSError:
                pass

    def _save_counters(self, counters: dict[str, int], txn: Transaction) -> None:
        """Record the numbers issued before the store may hold them (they only grow); a write
        that fails before its commit puts the old record back."""
        try:
            old: bytes | None = read_private(self.counters_path)
        except (OSError, StoreError):
            old = None
        atomic_write(self.counters_path, orjson.dumps(counters))
        txn.undo.append(lambda: atomic_write(self.counters_path, old) if old is not None
                        else os.unlink(self.counters_path))

    def _set_aside(self) -> Path | None:
        """Keep a damaged store file under another name before replacing it."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}-{n}")
        try:
            os.link(self.path, target)
        except FileNotFoundError:
            return None
        except OSError:
            atomic_write(target, self.path.read_bytes())
        fsync_dir(self.path.parent)
        return target

    # -- ID counters -------------------------------------------------------------------------
    def read_counters(self) -> dict[str, int]:
        """The highest numbers ever issued (next per prefix); {} when missing or unreadable."""
        try:
            saved = orjson.loads(read_private(self.counters_path))
        except (OSError, StoreError, orjson.JSONDecodeError):
            return {}
        if not isinstance(saved, dict):
            return {}
        return {k: v for k, v in saved.items() if isinstance(k, str) and type(v) is int and v >= 1}

    # -- backups ---------------------------------------------------------------------------
    def _backup(self, generation: int) -> Path | None:
        """Keep the version about to be replaced (a hard link: no copy, same 0600 mode).

        Names carry a sequence number (never the clock) and the body log generation the
        version reads from.  A backup that cannot be made is a warning, not a failed write.
        """
        if self.keep_backups <= 0 or not self.path.exists():
            return None
        try:
            make_private_dir(self.backups_dir)
            numbers = [int(m[1]) for m in (_BACKUP_NAME.search(p.name) for p in self.backups()) if "T" not in m[1]]
            target = self.backups_dir / f"{self.path.name}.{max(numbers, default=0) + 1:06d}.g{generation}"
            try:
                os.link(self.path, target)
            except OSError:
                atomic_write(target, self.path.read_bytes())
            return target
        except (OSError, StoreError) as exc:
            self.warnings.append(messages.BACKUP_FAILED.format(reason=_reason(exc)))
            return None

    def _prune_backups(self) -> None:
        for old in self.backups()[self.keep_backups:]:
            old.unlink(missing_ok=True)

    def _prune_logs(self, current: int) -> None:
        """Delete body log generations that neither the store nor any backup refers to."""
        wanted = {current, *self.backup_generations()}
        for generation in self.log_generations():
            if generation not in wanted:
                self.body_log(generation).path.unlink(missing_ok=True)

    def backups(self) -> list[Path]:
        """Backups, newest first: by sequence number; old time-named ones count as older.
        A backups folder that is not this user's private directory holds none of ours."""
        if private_dir_problem(self.backups_dir):
            return []
        try:
            names = os.listdir(self.backups_dir)
        except OSError:
            return []
        found = [(m[1], name) for name in names if name.startswith(self.path.name + ".")
                 for m in [_BACKUP_NAME.search(name)] if m]

        def order(item: tuple[str, str]) -> tuple[int, Any]:
            key = item[0]
            return (0, key) if "T" in key else (1, int(key))

        return [self.backups_dir / name for _, name in sorted(found, key=order, reverse=True)]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{exc.filename}: {exc.strerror}" if exc.filename else (exc.strerror or str(exc))
    if isinstance(exc, UserError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"
