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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


@contextmanager
def naming(path: Path | str) -> Iterator[None]:
    """An OS error on a descriptor (a write, an fsync) names the file it was for."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``: readers see the old file or the new one, never a mix."""
    import tempfile  # here: a command that only reads never needs it

    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        try:
            with naming(path):
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


def stale_temp_files(path: Path, directory: Path | None = None) -> list[Path]:
    """Temp files a killed ``atomic_write`` of ``path`` (or of files named like it, as its
    backups are) left in ``directory`` (default: beside it); only call while holding the
    write lock.  Nothing else there is taken for one."""
    prefix = temp_prefix(path)
    folder = directory or path.parent
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / n for n in names if n.startswith(prefix) and n.endswith(TEMP_SUFFIX)]


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


def open_private(path: str | os.PathLike[str], flags: int, mode: int = 0o600) -> int:
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


def read_spans(fd: int, spans: Iterable[tuple[int, int]]) -> Iterator[bytes]:
    """The bytes at each (offset, length) of ``spans``, in their order, read as they are
    asked for; nothing for a span that does not lie within the file (the caller reports the
    damage, at the first bad span, as it did reading them one by one).  A span and those
    after it that follow it closely in the file are read together, up to a megabyte a call:
    a listing of 40 000 records made 80 000 calls reading one record or body each."""
    size = os.fstat(fd).st_size
    spans = list(spans)
    window_at, window = 0, b""
    for k, (offset, length) in enumerate(spans):
        if offset < 0 or length < 0 or offset + length > size:
            yield b""
            continue
        if not (window_at <= offset and offset + length <= window_at + len(window)):
            end = offset + length
            for j in range(k + 1, len(spans)):  # by index: a slice of the rest per window costs its square
                following, more = spans[j]
                if not (offset <= following <= end + _NEIGHBOURS and 0 <= more
                        and following + more <= size and max(end, following + more) - offset <= _WINDOW):
                    break
                end = max(end, following + more)
            window_at, window = offset, pread(fd, end - offset, offset)
        yield window[offset - window_at:offset - window_at + length]


def pread(fd: int, length: int, offset: int) -> bytes:
    """``length`` bytes at ``offset`` (fewer at the end of the file), on every system."""
    if hasattr(os, "pread"):
        return os.pread(fd, length, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows has no pread
    parts = []
    while length > 0 and (part := os.read(fd, length)):
        parts.append(part)
        length -= len(part)
    return b"".join(parts)


def os_error_message(exc: OSError, action: str = "write") -> str:
    """One line for an OS error the user can act on: the path and the cause."""
    path = exc.filename or "?"
    reason = exc.strerror or str(exc)
    hint = messages.HINT_DISK_FULL if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG) else ""
    verb = messages.CANNOT_READ if action == "read" else messages.CANNOT_WRITE
    return verb.format(path=path, reason=reason) + hint


def is_user_os_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in USER_ERRNOS
