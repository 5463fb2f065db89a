"""The TinyDB backend: a store file (the manifest) beside a private side folder.

    zhaoshang.json                       the manifest: meta and the list of segments
    zhaoshang.json.d/segments/           TinyDB documents of a few thousand records each,
                                         and their listing indexes (never changed once written)
    zhaoshang.json.d/bodies.<gen>.log    article and policy bodies (append-only)
    zhaoshang.json.d/counters            the highest ID numbers ever issued (they never go back)
    zhaoshang.json.d/config.json         the store's settings
    zhaoshang.json.d/backups/            earlier manifests, numbered in order
    zhaoshang.json.d/lock                flock: shared for readers, exclusive for writers

A write holds the exclusive lock from read to replace.  It writes the segments it changed
to new files and appends bodies (all fsynced), saves the ID counters, keeps the old
manifest as a backup (a hard link; the segments it names stay while it is kept), then
replaces the manifest atomically: that rename is the commit point.  Before it, a failure
deletes what the write created and cuts the body log back, and nothing is saved; after
it, pruning old files can only warn.  A killed process leaves the state before or after.

The store path is resolved once (a store reached through a link lives beside its target),
and the side folder must be this user's and private: nothing in it is followed through a
link.  Warnings are collected in ``warnings`` for the caller to show.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ... import messages
from ...atomic import (
    atomic_write,
    fsync_dir,
    is_user_os_error,
    make_private_dir,
    os_error_message,
    private_dir_problem,
    read_private,
)
from ...domain.kind import KINDS, Kind
from ...errors import StoreError, UserError
from ..base import BackupInfo, Finding, Query, Record, SyncState, split_id
from . import manifest as manifests
from . import migrations
from . import side as sides
from .bodies import BodyLog, body_log_of
from .document import load_document
from .engine import Engine
from .index import key_hash
from .kept import KeptVersions
from .kept import reason as _reason
from .locking import FileLock
from .manifest import Legacy, Manifest
from .segments import MemoryView, SegmentView, may_hold, split

if TYPE_CHECKING:
    from .writer import Transaction

DEFAULT_LOCK_TIMEOUT = 10.0
DEFAULT_BACKUPS = 5
SETTINGS_FILE = "config.json"


class Reader:
    """Read access to the committed state (see storage/base.py)."""

    def __init__(self, engine: Engine, meta: Mapping[str, Any]):
        self.engine = engine
        self.meta = meta

    def select(self, query: Query) -> Iterator[Record]:
        return self.engine.select(query)

    def count(self, query: Query) -> int:
        return self.engine.count(query)

    def get(self, record_id: str, with_body: bool = True) -> Record:
        kind, number = split_id(record_id)
        record = self.engine.get(kind, number, with_body)
        if record is None:
            raise UserError(messages.RECORD_NOT_FOUND.format(id=record_id))
        return record

    def find_key(self, kind: Kind, key: tuple[str, ...]) -> int | None:
        return self.engine.find_key(kind, key, key_hash(key))

    def counters(self) -> dict[str, int]:
        return dict(self.meta["next"])

    def sync_state(self) -> SyncState:
        return manifests.sync_state(self.meta)


class TinyDBBackend(KeptVersions):
    def __init__(self, path: str | Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                 keep_backups: int = DEFAULT_BACKUPS, create_folders: bool = True):
        self.given = Path(path).expanduser()
        self.path = Path(os.path.realpath(self.given))
        self.side = self.path.with_name(self.path.name + ".d")
        self.segments_dir = self.side / "segments"
        self.backups_dir = self.side / "backups"
        self.counters_path = self.side / "counters"
        self.keep_backups = keep_backups
        self.create_folders = create_folders
        self.lock = FileLock(self.side / "lock", lock_timeout)
        self.warnings: list[str] = []
        self.hold_pruning = False  # doctor --fix left something unread: nothing old may go

    def describe(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        """Whether there is a store here: its file, or its settings (`config set` first)."""
        return self.path.exists() or os.path.lexists(self.side / SETTINGS_FILE)

    def own_files(self) -> tuple[Path, Path]:
        return self.path, self.side

    def close(self) -> None:
        """Nothing is kept open between calls: each takes and leaves its lock and files."""

    def body_log(self, meta: Mapping[str, Any]) -> BodyLog:
        return body_log_of(self.side, meta)

    def log_generations(self) -> list[int]:
        try:
            names = os.listdir(self.side)
        except OSError:
            return []
        return sorted(int(m[1]) for m in map(sides.LOG_NAME.fullmatch, names) if m)

    # -- trust -------------------------------------------------------------------------------
    def check_paths(self) -> None:
        """Refuse a store whose file or side folder cannot be trusted (see atomic.py and
        side.py): nothing is read, created or changed before this passes."""
        sides.check_path(self.given)
        if self.path.is_dir():
            raise StoreError(messages.STORE_IS_DIR.format(path=self.path))
        try:
            owner = os.stat(self.path).st_uid
        except FileNotFoundError:
            owner = os.geteuid()
        if owner != os.geteuid():
            raise StoreError(messages.STORE_OWNED_BY_OTHER.format(path=self.path, uid=owner))
        for directory in (self.side, self.segments_dir):
            problem = private_dir_problem(directory)
            if problem:
                raise StoreError(problem)
        self.check_side_is_ours()

    def check_side_is_ours(self) -> None:
        """Refuse a side folder the store did not make (no mark, and not one made before there
        was a mark: its store file is ours, or it holds only names the store uses)."""
        sides.check_path(self.given)
        if not self.side.is_dir() or sides.marked(self.side):
            return
        try:
            if self.path.exists():
                manifests.read_meta(load_document(self.path), self.path)  # another program's file is refused
                return
        except StoreError:
            if not sides.holds_only_ours(self.side):
                raise
            return
        if sides.holds_only_ours(self.side):
            return
        self.refuse_if_lost()
        raise StoreError(messages.SIDE_NOT_OURS.format(side=self.side, path=self.path, marker=sides.MARKER))

    def _create_side(self) -> None:
        if not self.path.parent.is_dir():
            if not self.create_folders:
                raise StoreError(messages.STORE_FOLDER_MISSING.format(folder=self.path.parent, path=self.path))
            sides.make_private_dirs(self.path.parent)
        if not os.path.lexists(self.side):
            sides.make_private_dirs(self.side)
        make_private_dir(self.side)
        sides.mark(self.side)

    # -- loading ---------------------------------------------------------------------------
    def load(self) -> Manifest | Legacy:
        """The store file's content, refused when damaged, or when it is missing or empty
        while the backups hold records (a store lost by accident must not start over at a1)."""
        data = load_document(self.path)
        found = manifests.parse(data, self.path, self.log_generations())
        if not data:
            self.refuse_if_lost()
        return found

    def refuse_if_lost(self) -> None:
        """Refuse a missing or empty store file beside a store's data (backups holding
        records, segment files, a body log): it was lost, and must not start over at a1."""
        state = messages.STORE_STATE_EMPTY if self.path.exists() else messages.STORE_STATE_MISSING
        for path in self.backup_paths():
            try:
                backup = manifests.load(path)
            except StoreError:
                continue
            count = _record_count(backup)
            if count:
                raise StoreError(messages.STORE_LOST.format(path=self.path, state=state, backups=path,
                                                            count=count, side=self.side))
            break
        found = sides.data_beside(self.side)
        if found:
            raise StoreError(messages.STORE_LOST_DATA.format(path=self.path, state=state, found=", ".join(found)))

    def engine(self, found: Manifest | Legacy) -> Engine:
        log = self.body_log(found.meta)
        if isinstance(found, Legacy):
            views: dict[str, list[SegmentView]] = {}
            for kind in KINDS.values():
                table = found.data.get(kind.table) or {}
                views[kind.name] = [MemoryView(kind, seq, docs) for seq, docs in sorted(split(kind, table).items())]
            return Engine(views, log)
        return Engine({kind.name: [SegmentView(self.segments_dir, e) for e in found.of(kind)]
                       for kind in KINDS.values()}, log)

    # -- reading ---------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """The committed state; the shared lock is held until the block ends.  Nothing is
        created or changed, so reading works on a read-only mount."""
        self.check_paths()
        side = self.side.is_dir()
        try:
            with self.lock.shared() if side else nullcontext():
                if not self.path.exists():
                    if side:
                        self.refuse_if_lost()
                    found: Manifest | Legacy = Manifest(manifests.new_meta())
                else:
                    found = self.load()
                yield Reader(self.engine(found), found.meta)
        except OSError as exc:
            if is_user_os_error(exc):
                raise StoreError(os_error_message(exc, "read")) from None
            raise

    # -- a quick look ----------------------------------------------------------------------
    def numbers_starting(self, kind: Kind, digits: str = "") -> list[int]:
        """The numbers of the stored records of ``kind`` written starting with ``digits``, in
        order, read from the listing indexes alone.  No lock is taken and nothing is created
        or changed: the store file is replaced whole and segments never change, so this sees
        one committed state (a segment pruned meanwhile is a StoreError).  No store: none."""
        self.check_paths()
        if not self.path.is_file():
            return []
        found = manifests.load(self.path, self.log_generations())
        if isinstance(found, Legacy):
            numbers = sorted(int(key) for key in found.data.get(kind.table) or {})
        else:
            numbers = []
            for entry in found.of(kind):
                if may_hold(entry.seq, digits):
                    numbers += SegmentView(self.segments_dir, entry).numbers()
        return [n for n in numbers if str(n).startswith(digits)] if digits else numbers

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def writing(self, *, replacing: bool = False) -> Iterator[Transaction]:
        """Lock, load, let the caller change things, then commit once; nothing if it raises.

        ``replacing``: the caller puts a whole other state in place (restore, doctor --fix),
        so a damaged file does not stop it; the damaged file is kept beside the store under
        another name before the new manifest is committed.
        """
        txn: Transaction | None = None
        committed = False
        try:
            self.check_paths()
            if not self.side.is_dir():
                if self.path.exists() and not replacing:
                    self.load()  # refuse a bad file before creating anything beside it
                self._create_side()
            sides.mark(self.side)  # a side folder made before the mark, now known to be ours
            with self.lock.exclusive():
                damaged = False
                try:
                    found: Manifest | Legacy = self.load()
                except StoreError:
                    if not replacing:
                        raise
                    damaged, found = True, Manifest(manifests.new_meta())
                self._remove_temp_files()
                make_private_dir(self.segments_dir)
                saved = self.read_counters()
                current = Manifest(dict(found.meta, schema=manifests.SCHEMA), dict(getattr(found, "entries", {})),
                                   list(getattr(found, "foreign", [])))
                current.meta["next"] = dict(found.meta["next"])
                if type(current.meta.get("id")) is not str:  # the migration store_identity
                    from ...domain.versions import new_uid

                    current.meta["id"] = new_uid()
                migrations.record(current.meta)  # saved with the change: every migration applied
                for prefix, number in saved.items():
                    if number > current.meta["next"].get(prefix, 1):
                        current.meta["next"][prefix] = number
                existed = self.path.exists() and not damaged
                from .writer import Transaction  # tinydb itself is imported only to write

                if not replacing:
                    self._refuse_short_log(current)
                txn = Transaction(self.segments_dir, current, self.body_log(current.meta))
                if isinstance(found, Legacy):
                    from .rewrite import migrate

                    migrate(txn, found)
                yield txn
                if txn.changed:
                    self._commit(txn, saved, existed, damaged)
                    committed = True
        except BaseException as exc:
            if txn is not None and not committed:
                txn.rollback()
            if isinstance(exc, OSError) and is_user_os_error(exc):
                raise StoreError(os_error_message(exc)) from None
            if isinstance(exc, orjson.JSONEncodeError):
                raise StoreError(messages.STORE_VALUE_UNSTORABLE.format(reason=exc)) from None
            raise

    def _refuse_short_log(self, current: Manifest) -> None:
        """A body log that is not the store's (another token), or shorter than the store says,
        or missing while records refer to it, must not be written to: new bodies would land
        where old ones are looked for."""
        end = current.meta.get("log_end")
        log = self.body_log(current.meta)
        problem = log.problem(end if type(end) is int else None)
        if problem is None and type(end) is not int:
            end = _referenced_by_indexes(self.segments_dir, current)  # a store of before log_end: once
            problem = log.problem(end) if end else None
        if problem:
            raise StoreError(messages.STORE_LOG_REFUSED.format(problem=problem))

    def damage_seen(self, current: Manifest) -> str | None:
        """What a quick look finds wrong with a committed state: a file it names missing or of
        another size than written, its body log not the one it wrote or shorter than it says.
        While there is any, nothing is pruned: old versions may be what doctor needs."""
        for entry in current.entries.values():
            for name, size in zip(entry.files, entry.sizes or (None, None, None)):
                try:
                    st = os.lstat(self.segments_dir / name)
                except OSError:
                    return messages.SEEN_MISSING.format(file=name)
                if not stat.S_ISREG(st.st_mode) or (size is not None and st.st_size != size):
                    return messages.SEEN_CHANGED.format(file=name)
        end = current.meta.get("log_end")
        return self.body_log(current.meta).problem(end if type(end) is int else None)

    def _commit(self, txn: Transaction, saved: dict[str, int], existed: bool, damaged: bool) -> None:
        txn.finish()
        end, before = txn.log.size(), txn.meta.get("log_end")
        if not (type(before) is int and end < before and not txn.may_shrink):  # a repair leaving bodies unread
            txn.meta["log_end"] = end                                         # keeps what they are owed
        fsync_dir(self.segments_dir)
        undo: list[Any] = []
        try:
            if txn.meta["next"] != saved:
                old = self._read_counters_bytes()
                atomic_write(self.counters_path, orjson.dumps(txn.meta["next"]))
                undo.append(lambda: atomic_write(self.counters_path, old) if old is not None
                            else os.unlink(self.counters_path))
            if damaged:  # what the set-aside store file named is no backup's: nothing may be pruned
                self.hold_pruning = True
            made = self._set_aside() if damaged else self._backup() if existed else None
            if made is not None:
                undo.append(lambda: os.unlink(made))
            atomic_write(self.path, txn.manifest.dump())  # the commit point
        except BaseException:
            for step in reversed(undo):
                try:
                    step()
                except OSError:
                    pass
            raise
        self._after_commit(txn.manifest)

    def _after_commit(self, current: Manifest) -> None:
        """What follows the commit point can only warn: the change is saved either way.  Old
        backups, segment files and body logs go only while the store looks sound."""
        problem = messages.REPAIR_UNRESOLVED if self.hold_pruning else self.damage_seen(current)
        try:
            problem = problem or self.prune(current)
        except Exception as exc:  # noqa: BLE001 - reported, never raised: the data is saved
            self.warnings.append(messages.AFTER_COMMIT_FAILED.format(what=messages.AFTER_COMMIT_PRUNING,
                                                                     reason=_reason(exc)))
        if problem:
            self.warnings.append(messages.AFTER_COMMIT_DAMAGED.format(problem=problem))

    def _remove_temp_files(self) -> None:
        """Temp files of interrupted writes (we hold the write lock: none is in progress)."""
        for path in sides.temp_files(self.path, self.side):
            try:
                os.unlink(path)
            except OSError:
                pass

    def _set_aside(self) -> Path | None:
        """Keep a damaged store file under another name before replacing it."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
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

    # -- settings ----------------------------------------------------------------------------
    def settings(self) -> dict[str, str]:
        path = self.side / SETTINGS_FILE
        if not self.side.is_dir():
            return {}
        problem = private_dir_problem(self.side)
        if problem:
            raise StoreError(problem)
        try:
            raw = read_private(path)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(messages.CANNOT_READ.format(path=path, reason=exc.strerror or exc)) from None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise StoreError(messages.CONFIG_DAMAGED.format(path=path)) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise StoreError(messages.CONFIG_DAMAGED.format(path=path))
        return data

    def change_setting(self, key: str, value: str | None) -> None:
        self.check_paths()
        self._create_side()
        with self.lock.exclusive():
            saved = self.settings()
            if value is None:
                saved.pop(key, None)
            else:
                saved[key] = value
            atomic_write(self.side / SETTINGS_FILE, orjson.dumps(saved, option=orjson.OPT_INDENT_2))

    # -- maintenance -------------------------------------------------------------------------
    def doctor(self, fix: bool = False, drop_unreadable: bool = False) -> list[Finding]:
        from . import doctor

        return doctor.check(self, fix=fix, drop_unreadable=drop_unreadable)

    def backups(self) -> list[BackupInfo]:
        from . import doctor

        return doctor.backups(self)

    def restore(self, name: str | None = None) -> BackupInfo:
        from . import doctor

        return doctor.restore(self, name)


def _record_count(found: Manifest | Legacy) -> int:
    if isinstance(found, Legacy):
        return sum(len(t) for t in (found.data.get(k.table) for k in KINDS.values()) if isinstance(t, dict))
    return sum(e.count for e in found.entries.values())


def _referenced_by_indexes(directory: Path, current: Manifest) -> int:
    """The end of the last body the records refer to, from the segments' indexes."""
    end = 0
    for entry in current.entries.values():
        if entry.kind.has_body and entry.count:
            try:
                arrays = SegmentView(directory, entry).index().arrays
            except StoreError:
                continue
            end = max([end, *(at + length for at, length in zip(arrays["body_at"], arrays["body_len"]) if at >= 0)])
    return end
