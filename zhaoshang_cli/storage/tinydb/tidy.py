"""The side folder's files put right before a repair, and what the repair keeps aside.

``set_aside`` moves a file, a link or a folder into ``STORE.d/set-aside/`` (or links a file
there that stays in place): what doctor --fix cannot use is kept, never deleted.
``tidy_side`` makes the store's folders private again, replaces a link where a file of the
store belongs by a copy of what it points to when that is this user's very file (an intact
copy of a segment, or of the body log), else keeps the link aside; a folder squatting on one
of the store's names is kept aside too.  ``settings_aside`` keeps settings that cannot be read.
"""

from __future__ import annotations

import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ... import messages
from ...atomic import fsync_dir, make_private_dir, private_dir_problem
from ...domain.kind import KINDS
from ...errors import StoreError
from . import integrity
from . import manifest as manifests
from . import side as sides
from .bodies import body_log_of
from .doctor import own_files
from .examine import Look, all_refs, unreadable
from .manifest import Legacy
from .segments import Entry, SegmentView, numbers_of


def set_aside(backend: Any, path: Path, keep: bool = False) -> Path:
    """Move ``path`` (a file, a link or a folder) into the set-aside folder; with ``keep``, a
    file stays where it is too (a hard link, else a copy).  Returns where it went."""
    folder = backend.side / sides.SET_ASIDE
    make_private_dir(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = folder / f"{path.name}.{stamp}"
    n = 1
    while os.path.lexists(target):
        n += 1
        target = folder / f"{path.name}.{stamp}-{n}"
    if keep:
        try:
            os.link(path, target, follow_symlinks=False)
        except OSError:
            shutil.copy2(path, target, follow_symlinks=False)
    else:
        os.rename(path, target)
    fsync_dir(folder)
    return target


def before_lock(backend: Any) -> list[str]:
    """What stops the write lock itself being taken, in a side folder known to be the
    store's: its folders made private again, a link or a folder where the lock file goes
    kept aside."""
    actions = []
    for directory in (backend.side, backend.segments_dir, backend.backups_dir):
        try:
            st = os.lstat(directory)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and st.st_mode & 0o022:
            os.chmod(directory, 0o700)
            actions.append(messages.REPAIR_MODE_DIR.format(path=directory))
    lock = backend.side / "lock"
    if not private_dir_problem(backend.side) and os.path.lexists(lock) and \
            (os.path.islink(lock) or not os.path.isfile(lock)):
        actions.append(messages.REPAIR_SET_ASIDE.format(path=lock, to=set_aside(backend, lock)))
    return actions


def tidy_side(backend: Any) -> list[str]:
    """Under the write lock: a link where a file of the store belongs replaced by a copy of
    what it points to when that is this user's very file, else kept aside; a folder or a
    file squatting on one of the store's names, or a backup that cannot be read, kept aside."""
    actions: list[str] = []
    if private_dir_problem(backend.side) or not backend.side.is_dir():
        return actions
    if os.path.lexists(backend.backups_dir) and not backend.backups_dir.is_dir():
        actions.append(messages.REPAIR_SET_ASIDE.format(path=backend.backups_dir,
                                                        to=set_aside(backend, backend.backups_dir)))
    for path in backend.backup_paths():
        try:
            manifests.load(path)
        except StoreError:  # what it names is unknown: it would stop every pruning
            actions.append(messages.REPAIR_SET_ASIDE.format(path=path, to=set_aside(backend, path)))
    for path in own_files(backend)[1:]:
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            actions.append(_materialise(backend, path, st))
        elif stat.S_ISDIR(st.st_mode):
            actions.append(messages.REPAIR_SET_ASIDE.format(path=path, to=set_aside(backend, path)))
    return actions


def _materialise(backend: Any, path: Path, st: os.stat_result) -> str:
    """A link where a file of the store belongs: replaced by a copy of its target when both
    are this user's and the target reads as that very file (a segment of its kind and
    range, the body log holding the store's bodies), else kept aside."""
    try:
        target = os.stat(path)
    except OSError:
        target = None
    me = os.geteuid()
    if st.st_uid == me and target is not None and stat.S_ISREG(target.st_mode) and target.st_uid == me:
        real = Path(os.path.realpath(path))
        if _is_copy_of(backend, path, real):
            from ...atomic import atomic_write

            linked = os.readlink(path)
            atomic_write(path, real.read_bytes())  # replaces the link itself, not what it points to
            return messages.REPAIR_LINK_COPIED.format(path=path, target=linked)
    return messages.REPAIR_SET_ASIDE.format(path=path, to=set_aside(backend, path))


def _is_copy_of(backend: Any, path: Path, real: Path) -> bool:
    """Whether ``real`` reads as the store's file ``path``: a segment file holding records of
    its kind in its range, or the body log every body of the store reads from."""
    segment = sides.SEGMENT_NAME.fullmatch(path.name)
    if segment and segment[3] == "json":
        kind = next((k for k in KINDS.values() if k.table == segment[1]), None)
        if kind is None:
            return False
        try:
            docs = SegmentView(real.parent, Entry(kind, int(segment[2]), real.name, 0)).all_docs()
        except StoreError:
            return False
        allowed = numbers_of(int(segment[2]))
        if not all(integrity.is_number_key(k) and int(k) in allowed and type(d) is dict for k, d in docs.items()):
            return False
        try:  # the very file the store names, when it does: as many records, as many bytes
            found = manifests.load(backend.path)
        except StoreError:
            return True
        entry = next((e for e in getattr(found, "entries", {}).values() if e.file == path.name), None)
        return entry is None or (entry.count == len(docs) and
                                 (entry.sizes is None or entry.sizes[0] == real.stat().st_size))
    log = sides.LOG_NAME.fullmatch(path.name)
    if log:
        try:
            found = manifests.load(backend.path)
        except StoreError:
            return False
        if isinstance(found, Legacy) or found.meta.get("log") != int(log[1]):
            return False
        body_refs = all_refs(Look(backend).records(found))
        copy = body_log_of(backend.side, found.meta)
        copy.path = real
        return bool(body_refs) and not unreadable(copy, body_refs)
    return False


def settings_aside(backend: Any) -> list[str]:
    path = backend.side / "config.json"
    try:
        backend.settings()
    except StoreError:
        if os.path.lexists(path):
            return [messages.REPAIR_SETTINGS.format(path=path, to=set_aside(backend, path))]
    return []
