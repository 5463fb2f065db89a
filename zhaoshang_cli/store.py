"""The store: a TinyDB file plus a side directory, safe against crashes and parallel writers.

    zhaoshang.json            TinyDB document: tables articles, policies, leads, _meta
    zhaoshang.json.d/lock     flock: shared for readers, exclusive for writers
    zhaoshang.json.d/bodies.<gen>.log   article and policy bodies (append-only)
    zhaoshang.json.d/backups/ the last few versions of zhaoshang.json

Every write holds the exclusive lock from read to replace, appends bodies (fsynced)
first and then replaces the TinyDB file atomically, so a killed process leaves the
state before or after, never a mix.  The store never prints.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import orjson
from tinydb import TinyDB
from tinydb.table import Document

from . import dates, messages, migrations, models
from .atomic import atomic_write, stale_temp_files
from .bodies import Appender, BodyLog, Ref
from .errors import StoreError, UserError
from .index import Index
from .index import load as load_index
from .index import write as write_index
from .locking import FileLock
from .models import Kind
from .storage import AtomicJSONStorage, load_document

APP = "zhaoshang-cli"
META = "_meta"
BODY = "_body"  # a document's reference into the body log
DEFAULT_LOCK_TIMEOUT = 10.0
DEFAULT_BACKUPS = 5
_BACKUP_NAME = re.compile(r"\.(\d{8}T\d{6}\.\d{6}Z)\.g(\d+)$")


def new_meta() -> dict[str, Any]:
    return {"app": APP, "schema": migrations.CURRENT, "next": {k.prefix: 1 for k in models.KINDS.values()},
            "log": 1, "bodies": "json"}


def check_document(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The document's meta, after migrating it in memory; StoreError if it is not ours."""
    if not data:
        return new_meta()
    meta = data.get(META, {})
    meta = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or meta.get("app") != APP or not isinstance(meta.get("schema"), int):
        raise StoreError(messages.STORE_FOREIGN.format(path=path))
    for kind in models.KINDS.values():
        if not isinstance(data.get(kind.table, {}), dict):
            raise StoreError(messages.STORE_FOREIGN.format(path=path))
    if meta["schema"] > migrations.CURRENT:
        raise StoreError(messages.STORE_TOO_NEW.format(path=path, found=meta["schema"],
                                                       supported=migrations.CURRENT))
    migrations.upgrade(data, meta)
    return meta


def split_id(record_id: str) -> tuple[Kind, str]:
    from .values import parse_record_id

    rid = parse_record_id(record_id)
    return models.kind_of_id(rid), rid[1:]


class Snapshot:
    """A consistent view of the store for reading.

    With a fresh listing index, queries and ``get`` read only the index and the few
    documents they show; anything needing whole tables loads the TinyDB file on first use
    (inside ``Store.reading()``, while the shared lock is held).
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
            self.meta = check_document(data, self.store.path)
            self._data = data
        return self._data

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def table(self, kind: Kind) -> dict[str, dict[str, Any]]:
        return self.data.get(kind.table, {})

    def get(self, record_id: str) -> tuple[Kind, str, dict[str, Any]]:
        kind, number = split_id(record_id)
        if self._data is None and self.index is not None:
            at = self.index.kinds[kind.table].position(int(number))
            doc = self._read_docs(kind, [at])[0] if at is not None else None
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
        if self._data is not None or len(stubs) > 2000:
            return [(k, n, self.table(k)[n]) if "_at" in d else (k, n, d) for k, n, d in rows]
        by_kind: dict[Kind, list[int]] = {}
        for kind, _, doc in stubs:
            by_kind.setdefault(kind, []).append(doc["_at"])
        full = {(kind, at): doc for kind, ats in by_kind.items() for at, doc in zip(ats, self._read_docs(kind, ats))}
        return [(k, n, full[(k, d["_at"])]) if "_at" in d else (k, n, d) for k, n, d in rows]

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

    def _read_docs(self, kind: Kind, positions: list[int]) -> list[dict[str, Any]]:
        columns = self.index.kinds[kind.table].columns  # type: ignore[union-attr]
        docs = []
        with open(self.store.path, "rb") as handle:
            for at in positions:
                start = columns["start"][at]
                handle.seek(start)
                docs.append(orjson.loads(handle.read(columns["end"][at] - start)))
        return docs

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
        except (orjson.JSONDecodeError, UnicodeDecodeError):
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


@dataclass
class Transaction:
    """Changes made under the write lock; written in one atomic replace at the end."""

    snapshot: Snapshot
    db: TinyDB
    changed: bool = False
    appender: Appender | None = None

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
            wanted = numbers[i] if numbers else None
            number = wanted if wanted and wanted >= counters[kind.prefix] else counters[kind.prefix]
            counters[kind.prefix] = number + 1
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

    def _append(self, bodies: list[Any]) -> list[Ref]:
        if not bodies:
            return []
        if self.appender is None:
            self.appender = Appender(self.snapshot.log)
        return self.appender.append(bodies)

    def compact_bodies(self) -> tuple[int, int]:
        """Copy the bodies still referenced into a new log generation, dropping the bytes of
        edited and deleted ones; returns (old size, new size).  The old generation stays
        while a backup refers to it."""
        self.finish()
        old = self.snapshot.log
        holders = [doc for kind in models.KINDS.values() for doc in self.table(kind).values() if doc.get(BODY)]
        holders.sort(key=lambda doc: doc[BODY][0])
        generation = self.meta["log"] + 1
        new = self.snapshot.store.body_log(generation)
        fd = os.open(new.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # nothing refers to it yet
        with os.fdopen(fd, "wb") as target:
            if holders:
                with open(old.path, "rb") as source:
                    position = 0
                    for doc in holders:
                        offset, length = doc[BODY]
                        source.seek(offset)
                        data = source.read(length)
                        if not old.literals:  # a schema 2 log of plain text
                            data = orjson.dumps(data.decode("utf-8"))
                        target.write(data)
                        doc[BODY] = [position, len(data)]
                        position += len(data)
            target.flush()
            os.fsync(target.fileno())
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


class Store:
    def __init__(self, path: str | Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                 keep_backups: int = DEFAULT_BACKUPS):
        self.path = Path(path).expanduser()
        self.side = self.path.with_name(self.path.name + ".d")
        self.backups_dir = self.side / "backups"
        self.keep_backups = keep_backups
        self.lock = FileLock(self.side / "lock", lock_timeout)

    @property
    def index_path(self) -> Path:
        return self.side / "index"

    def body_log(self, generation: int, literals: bool = True) -> BodyLog:
        return BodyLog(self.side / f"bodies.{generation}.log", literals)

    # -- reading ---------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Snapshot]:
        """A snapshot; the shared lock is held until the block ends (body reads need it)."""
        if not self.path.exists() and not self.path.is_symlink():
            yield Snapshot(self, {}, new_meta())
            return
        if self.path.is_dir():
            raise StoreError(messages.STORE_IS_DIR.format(path=self.path))
        self._ensure_dirs()
        with self.lock.shared():
            index = load_index(self.index_path, self.path, migrations.CURRENT)
            if index is not None:
                yield Snapshot(self, None, index.meta, index)
            else:
                data = load_document(self.path)
                yield Snapshot(self, data, check_document(data, self.path))

    def read(self) -> Snapshot:
        """A snapshot with the whole TinyDB document loaded."""
        with self.reading() as snap:
            snap.data  # noqa: B018 - load while the lock is held
            return snap

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        """Lock, load, let the caller change things, then write once; nothing if it raises."""
        if self.path.is_dir():
            raise StoreError(messages.STORE_IS_DIR.format(path=self.path))
        self._ensure_dirs()
        with self.lock.exclusive():
            for stale in stale_temp_files(self.path):
                stale.unlink(missing_ok=True)
            data = load_document(self.path)
            meta = check_document(data, self.path)
            existed = bool(data)
            generation = meta["log"]
            txn: Transaction | None = None

            def before_replace(path: Path) -> None:
                # the bodies are written meanwhile (serialising the document overlaps them);
                # they must be in the log before the new document refers to them
                if txn is not None:
                    txn.finish()
                if existed:
                    self._backup(path, generation)

            storage = AtomicJSONStorage(
                self.path, before_replace=before_replace,
                after_replace=lambda written, spans: write_index(self.index_path, written, spans, meta, self.path))
            with storage.batch():
                # TinyDB must see a non-empty document so that it changes this very dict
                data[META] = {"1": meta}
                storage.write(data)
                txn = Transaction(Snapshot(self, data, meta), TinyDB(storage=lambda: storage))
                if meta.get("bodies") != "json":
                    txn.compact_bodies()  # a store older than schema 3: bodies become JSON literals
                try:
                    yield txn
                except BaseException:
                    txn.finish(raise_errors=False)
                    raise
                if not txn.changed:
                    storage.discard()
            self._prune_logs(meta["log"])

    def _ensure_dirs(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.side.mkdir(mode=0o700, exist_ok=True)

    # -- backups ---------------------------------------------------------------------------
    def _backup(self, path: Path, generation: int) -> None:
        """Keep the version about to be replaced (a hard link: no copy, same 0600 mode).

        The name records which body log generation the version reads from.
        """
        if self.keep_backups <= 0 or not path.exists():
            return
        self.backups_dir.mkdir(mode=0o700, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        target = self.backups_dir / f"{self.path.name}.{stamp}.g{generation}"
        try:
            os.link(path, target)
        except OSError:
            atomic_write(target, path.read_bytes())
        for old in self.backups()[self.keep_backups:]:
            old.unlink(missing_ok=True)

    def _prune_logs(self, current: int) -> None:
        """Delete body log generations that neither the store nor any backup refers to."""
        wanted = {current} | {int(_BACKUP_NAME.search(p.name)[2]) for p in self.backups()}
        for path in self.side.glob("bodies.*.log"):
            generation = path.name.split(".")[1]
            if generation.isdigit() and int(generation) not in wanted:
                path.unlink(missing_ok=True)

    def backups(self) -> list[Path]:
        """Backups, newest first."""
        if not self.backups_dir.is_dir():
            return []
        found = [p for p in self.backups_dir.iterdir() if _BACKUP_NAME.search(p.name)]
        return sorted(found, key=lambda p: _BACKUP_NAME.search(p.name)[1], reverse=True)
