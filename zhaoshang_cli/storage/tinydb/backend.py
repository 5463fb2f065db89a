"""The TinyDB backend: a store file (the manifest) beside a private side folder.

    zhaoshang.json                       the manifest: meta and the list of segments
    zhaoshang.json.d/segments/           TinyDB documents of a few thousand records each,
                                         and their listing indexes (never changed once written)
    zhaoshang.json.d/bodies.<gen>.log    article and policy bodies (append-only)
    zhaoshang.json.d/counters            the highest ID numbers ever issued (they never go back)
    zhaoshang.json.d/config.json         the store's settings
    zhaoshang.json.d/backups/            earlier manifests, numbered in order
    zhaoshang.json.d/lock                flock: shared for readers, exclusive for writers

A write holds the exclusive lock from read to replace, and commits by replacing the
manifest atomically (commit.py); old versions are kept, and pruned, as kept.py says.

The store path is resolved once (a store reached through a link lives beside its target),
and the side folder must be this user's and private: nothing in it is followed through a
link.  Warnings are collected in ``warnings`` for the caller to show.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ... import messages
from ...atomic import (
    atomic_write,
    is_user_os_error,
    make_private_dir,
    os_error_message,
    private_dir_problem,
    read_private,
)
from ...domain.kind import KINDS, Kind
from ...errors import StoreError, UserError
from ..base import BackupInfo, Finding, Query, Record, SyncState, Tally, split_id, tally_records
from . import change_log
from . import manifest as manifests
from . import side as sides
from .bodies import BodyLog, body_log_of
from .commit import Committing
from .document import load_document
from .engine import Engine
from .index import key_hash
from .locking import FileLock
from .manifest import Legacy, Manifest
from .segments import MemoryView, SegmentView, may_hold, split
from .text_filter import SETTING as TEXT_INDEX

if TYPE_CHECKING:
    from ...domain.changes import ChangeQuery

DEFAULT_LOCK_TIMEOUT = 10.0
DEFAULT_BACKUPS = 5
SETTINGS_FILE = "config.json"


class Reader:
    """Read access to the committed state (see storage/base.py)."""

    def __init__(self, engine: Engine, meta: Mapping[str, Any], side: Path):
        self.engine = engine
        self.meta = meta
        self.side = side

    def select(self, query: Query) -> Iterator[Record]:
        return self.engine.select(query)

    def count(self, query: Query) -> int:
        return self.engine.count(query)

    def tally(self, query: Query, keys: Sequence[str], months: Collection[str] = ()) -> Tally:
        return tally_records(self, query, keys, months)

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

    def changes(self, query: ChangeQuery) -> Iterator[dict[str, Any]]:
        return change_log.read(change_log.log_path(self.side), change_log.committed_end(self.meta), query)


class TinyDBBackend(Committing):
    body_planes = True  # a segment's digest keeps each body's searched form as planes

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
            self._new_side()
        make_private_dir(self.side)
        sides.mark(self.side)

    def _new_side(self) -> None:
        """The side folder, made whole: under another name with its mark inside, then renamed
        into place, so that a second process starting a new store at the same moment never
        sees a side folder without its mark (it would refuse it as not the store's)."""
        import shutil

        building = self.side.with_name(f".{self.side.name}.{os.getpid()}.new")
        shutil.rmtree(building, ignore_errors=True)  # left by a process of this pid that died
        os.mkdir(building, 0o700)
        try:
            os.chmod(building, 0o700)  # whatever the umask
            sides.mark(building)
            os.rename(building, self.side)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
            if not self.side.is_dir():  # not another process's folder, made meanwhile: a real failure
                raise

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
                       for kind in KINDS.values()}, log, bool(found.meta.get(TEXT_INDEX)))

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
                yield Reader(self.engine(found), found.meta, self.side)
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
