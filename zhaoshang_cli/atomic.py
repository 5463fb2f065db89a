"""File-system primitives the store trusts: atomic replacement, private directories, files
opened without following links, and OS errors turned into one line for the user.

Every byte the store writes goes through ``write_all`` (``os.write``), so that the
fault-injection tests can stop a process before or after any write, fsync, rename,
link or unlink it makes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from . import messages
from .errors import StoreError

TEMP_SUFFIX = ".tmp"
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

# OS errors caused by the machine or the user (a full disk, a read-only mount, a file size
# limit, missing rights), not by a bug: one line naming the path, exit code 1.
USER_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.ELOOP,
               errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EEXIST, errno.EMLINK, errno.ENAMETOOLONG}
if hasattr(errno, "EDQUOT"):
    USER_ERRNOS.add(errno.EDQUOT)


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


_IOV = 512  # buffers per os.writev call (systems allow at least 1024)


def write_parts(fd: int, parts: list[bytes | memoryview]) -> None:
    """Write ``parts`` one after the other without joining them first (a join copies them all)."""
    for start in range(0, len(parts), _IOV):
        batch = parts[start:start + _IOV]
        done = os.writev(fd, batch)
        if done < sum(map(len, batch)):  # cut short (a signal, a pipe): the rest as one
            write_all(fd, memoryview(b"".join(batch))[done:])


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``: readers see the old file or the new one, never a mix."""
    import tempfile  # here: a command that only reads never needs it

    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        try:
            os.fchmod(fd, mode)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def stale_temp_files(path: Path) -> list[Path]:
    """Temp files a killed writer left beside ``path`` (only call while holding the write lock)."""
    prefix = temp_prefix(path)
    return [p for p in path.parent.glob(prefix + "*" + TEMP_SUFFIX) if p.name.startswith(prefix)]


def temp_files_in(directory: Path) -> list[Path]:
    """Every temp file of an interrupted atomic write in one of the store's own directories."""
    try:
        return [p for p in directory.iterdir() if p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return []


# -- trusting what we read and write -------------------------------------------------------------
def _problem(path: Path, directory: bool) -> str | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return messages.PATH_IS_LINK.format(path=path)
    if directory and not stat.S_ISDIR(st.st_mode):
        return messages.PATH_NOT_DIR.format(path=path)
    if not directory and not stat.S_ISREG(st.st_mode):
        return messages.PATH_NOT_FILE.format(path=path)
    if st.st_uid != os.geteuid():
        return messages.PATH_FOREIGN.format(path=path, uid=st.st_uid)
    if directory and st.st_mode & 0o022:
        return messages.PATH_WRITABLE_BY_OTHERS.format(path=path, mode=oct(stat.S_IMODE(st.st_mode)))
    return None


def private_dir_problem(path: Path) -> str | None:
    """Why ``path`` cannot be trusted as one of the store's directories, or None.

    It must be a real directory (not a link), owned by this user, writable by nobody else:
    otherwise another user could plant files or links in it.
    """
    return _problem(path, directory=True)


def file_problem(path: Path) -> str | None:
    """Why a file inside the store's directories cannot be trusted (a link, not a regular
    file, someone else's), or None; a missing file is no problem."""
    return _problem(path, directory=False)


def make_private_dir(path: Path) -> None:
    """Create one of the store's directories (mode 0700) or check the one that is there."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    problem = private_dir_problem(path)
    if problem:
        raise StoreError(problem)


def open_private(path: Path, flags: int, mode: int = 0o600) -> int:
    """os.open without following a link at ``path``; refuses anything but our own regular file."""
    try:
        fd = os.open(path, flags | NOFOLLOW, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(messages.PATH_IS_LINK.format(path=path)) from None
        raise
    st = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(st.st_mode):
        problem = messages.PATH_NOT_FILE.format(path=path)
    elif st.st_uid != os.geteuid():
        problem = messages.PATH_FOREIGN.format(path=path, uid=st.st_uid)
    if problem:
        os.close(fd)
        raise StoreError(problem)
    return fd


def read_private(path: Path) -> bytes:
    fd = open_private(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


_NEIGHBOURS = 16 << 10  # bytes between two spans that are read over rather than apart
_WINDOW = 1 << 20  # most bytes one read of several spans takes


def read_spans(fd: int, spans: list[tuple[int, int]]) -> list[bytes]:
    """The bytes at each (offset, length) of ``spans``, in their order: fewer at the end of
    the file, none for a span with a negative offset or length (the caller checks what it
    got).  Neighbours in the file are read together, up to a megabyte a call: a listing of
    40 000 records made 80 000 calls reading one record or body each."""
    found = [b""] * len(spans)
    order = sorted((k for k, (offset, length) in enumerate(spans) if offset >= 0 and length >= 0),
                   key=lambda k: spans[k][0])
    i = 0
    while i < len(order):
        start, end = spans[order[i]][0], sum(spans[order[i]])
        j = i + 1
        while j < len(order):
            offset, length = spans[order[j]]
            if offset > end + _NEIGHBOURS or max(end, offset + length) - start > _WINDOW:
                break
            end = max(end, offset + length)
            j += 1
        data = os.pread(fd, end - start, start)
        for k in order[i:j]:
            offset, length = spans[k]
            found[k] = data[offset - start:offset - start + length]
        i = j
    return found


def os_error_message(exc: OSError, action: str = "write") -> str:
    """One line for an OS error the user can act on: the path and the cause."""
    path = exc.filename or "?"
    reason = exc.strerror or str(exc)
    hint = messages.HINT_DISK_FULL if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG) else ""
    verb = messages.CANNOT_READ if action == "read" else messages.CANNOT_WRITE
    return verb.format(path=path, reason=reason) + hint


def is_user_os_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in USER_ERRNOS
