"""A write to a TinyDB store, from its lock to its commit point and after it.

A write holds the exclusive lock from read to replace.  It writes the segments it changed
to new files and appends bodies (all fsynced), saves the ID counters, keeps the old
manifest as a backup (a hard link; the segments it names stay while it is kept), then
replaces the manifest atomically: that rename is the commit point.  Before it, a failure
deletes what the write created and cuts the body log back, and nothing is saved; after
it, pruning old files can only warn.  A killed process leaves the state before or after.

A part of TinyDBBackend, apart for its size.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ... import messages
from ...atomic import atomic_write, fsync_dir, is_user_os_error, make_private_dir, os_error_message
from ...errors import StoreError
from . import manifest as manifests
from . import migrations
from . import side as sides
from .bodies import BodyLog
from .kept import KeptVersions
from .kept import reason as _reason
from .locking import FileLock
from .manifest import Legacy, Manifest
from .segments import SegmentView

if TYPE_CHECKING:
    from .writer import Transaction


class Committing(KeptVersions):
    """The writes of TinyDBBackend, which gives what is declared here."""

    lock: FileLock
    hold_pruning: bool

    def check_paths(self) -> None:
        raise NotImplementedError

    def _create_side(self) -> None:
        raise NotImplementedError

    def load(self) -> Manifest | Legacy:
        raise NotImplementedError

    def body_log(self, meta: Mapping[str, Any]) -> BodyLog:
        raise NotImplementedError

    @contextmanager
    def writing(self, *, replacing: bool = False, rehearsal: bool = False) -> Iterator[Transaction]:
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
