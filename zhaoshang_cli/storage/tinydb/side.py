"""Whose the store's files are: the path given, the side folder beside the store file, and
what it holds.

* A store path may run through links, but not through one another user owns: in a shared
  sticky directory (/tmp) another user could plant ``zhaoshang.json`` as a link to a file
  of yours, which the next write would replace with a manifest.
* The side folder (``zhaoshang.json.d``) is made by the store, private (0700 whatever the
  umask, and so is every folder it makes on the way), and marked as the store's with a
  file ``.zhaoshang``.  A folder of that name the store did not make is never adopted,
  written into or tidied: commands refuse it with one line.  Side folders made before the
  mark are recognised by what they hold (only names the store uses) and marked by the
  next write.
* A store file that is missing or empty beside the data of a store (segments, a body log,
  backups) is a store lost by accident, never a new store: commands refuse to start over
  at a1, and ``doctor --fix`` rebuilds the store file from what is there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ... import messages
from ...errors import StoreError
from ...patterns import lazy
from .bodies import HEADER_SIZE

MARKER = ".zhaoshang"
_MARK = b"zhaoshang-cli: the side folder of a store; its files are the store's\n"
SET_ASIDE = "set-aside"  # what doctor --fix could not read, kept rather than deleted
LOG_NAME = lazy(r"bodies\.(\d+)\.log")
SEGMENT_NAME = lazy(r"([a-z][a-z0-9_]*)\.(\d{6})\.[0-9a-f]{8}\.(json|idx|txt)")
TEMP_NAME = lazy(r"\.(counters|config\.json)\.[A-Za-z0-9_]+\.tmp")  # atomic_write's, in the side folder
_OUR_NAMES = frozenset(("config.json", "lock", "counters", "segments", "backups", SET_ASIDE, MARKER))


def make_private_dirs(path: Path) -> None:
    """Make ``path`` and the folders missing on the way to it, each private (0700) whatever
    the umask."""
    missing = []
    current = path
    while not os.path.lexists(current):
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)


def foreign_link(path: Path) -> Path | None:
    """The first link on the way to ``path`` that belongs to another user (root's are
    trusted), or None."""
    me = os.geteuid()
    todo = list(Path(os.path.abspath(path)).parts[1:])
    current = Path(os.path.abspath(path)).anchor or "/"
    here = Path(current)
    hops = 0
    while todo:
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            here = here.parent
            continue
        candidate = here / part
        try:
            st = os.lstat(candidate)
        except OSError:
            return None  # nothing there yet: nothing to follow
        if not stat.S_ISLNK(st.st_mode):
            here = candidate
            continue
        if st.st_uid not in (me, 0):
            return candidate
        hops += 1
        if hops > 40:
            return None  # a loop of links: the open that follows reports it
        target = Path(os.readlink(candidate))
        if target.is_absolute():
            here = Path(target.anchor)
        todo = list(target.parts[1:] if target.is_absolute() else target.parts) + todo
    return None


def check_path(given: Path) -> None:
    link = foreign_link(given)
    if link is not None:
        raise StoreError(messages.STORE_LINK_FOREIGN.format(path=given, link=link, uid=os.lstat(link).st_uid))


def marked(side: Path) -> bool:
    try:
        st = os.lstat(side / MARKER)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid()


def mark(side: Path) -> None:
    """Mark ``side`` as the store's (a side folder made before the mark: at its next write)."""
    if marked(side):
        return
    from ...atomic import NOFOLLOW, write_all

    fd = os.open(side / MARKER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW, 0o600)
    try:
        write_all(fd, _MARK)
        os.fsync(fd)
    finally:
        os.close(fd)


def holds_only_ours(side: Path) -> bool:
    """A side folder made before the mark: every name in it is one the store uses, and
    something in it only a store makes (its counters, settings, segments or backups)."""
    try:
        names = os.listdir(side)
    except OSError:
        return False
    ours = all(n in _OUR_NAMES or LOG_NAME.fullmatch(n) or TEMP_NAME.fullmatch(n) for n in names)
    return ours and bool({"counters", "config.json", "segments", "backups"} & set(names))


def temp_files(path: Path, side: Path) -> list[Path]:
    """What interrupted writes of the store at ``path`` left: temp files of the store file,
    its counters, its settings and its backups, by their exact names."""
    from ...atomic import stale_temp_files

    return [*stale_temp_files(path), *stale_temp_files(side / "counters"), *stale_temp_files(side / "config.json"),
            *stale_temp_files(path, side / "backups")]


def data_beside(side: Path) -> list[str]:
    """What in ``side`` holds a store's data: segment files, body logs with bytes in them."""
    found = []
    try:
        segments = [n for n in os.listdir(side / "segments") if SEGMENT_NAME.fullmatch(n) and n.endswith(".json")]
    except OSError:
        segments = []
    if segments:
        found.append(messages.LOST_SEGMENTS.format(count=len(segments), folder=side / "segments"))
    try:
        logs = sorted(n for n in os.listdir(side) if LOG_NAME.fullmatch(n) and os.lstat(side / n).st_size > HEADER_SIZE)
    except OSError:
        logs = []
    found += logs
    return found
