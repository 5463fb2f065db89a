"""Where a command's data goes: stdout, or an ``-o FILE`` replaced atomically and guarded.

Every command with ``-o/--output`` writes through ``opened``.  A file is rendered whole in
memory, then replaced in one step (temp file beside it, fsync, rename): readers see the
old file or the new one.  Binary data (an .xlsx workbook) goes the same way; to stdout
it goes whole once rendered, and never to a terminal, where it would be garbage.
Because a rename replaces whatever has the name, ``-o`` refuses

* the store file, and anything in the store's side directory ``STORE.d/`` (bodies,
  index, lock, backups), compared by real path and by file identity, so a symlink, a
  ``../`` spelling or a hard link does not get past;
* an existing path that is not a regular file: a device (``/dev/null`` as root would
  become a regular file), a FIFO, a directory, a socket.

A symlink to a regular file is followed: the file it points to is replaced.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO, overload

from .. import messages
from ..atomic import TEMP_SUFFIX, fsync_dir, temp_prefix
from ..errors import UsageError, UserError

if TYPE_CHECKING:
    from ..storage.base import Backend


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "dir"), (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "chr"),
                       (stat.S_ISBLK, "blk"), (stat.S_ISSOCK, "sock")):
        if test(mode):
            return name
    return "other"


def _unwritable(path: Path, exc: OSError) -> UserError:
    return UserError(messages.OUTPUT_UNWRITABLE.format(path=path, reason=exc.strerror or exc))


def target(path: Path, store: Backend) -> Path:
    """The real path that ``-o path`` replaces; UserError when it must not be written."""
    real = os.path.realpath(path)
    own = store.own_files()  # the store file and its folder, for a store kept in files
    if own:
        store_path, side = own
        store_file = os.path.realpath(store_path)
        store_dirs = {os.path.realpath(side), store_file + ".d"}
        in_store = UserError(messages.OUTPUT_IN_STORE.format(path=path, side=side))
        if real == store_file:
            raise UserError(messages.OUTPUT_IS_STORE.format(path=path, store=store_path))
        if any(_within(real, d) for d in store_dirs):
            raise in_store
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _unwritable(path, exc) from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            what = messages.OUTPUT_FILE_TYPES[_file_type(st.st_mode)]
            raise UserError(messages.OUTPUT_NOT_A_FILE.format(path=path, what=what))
        if own and (st.st_dev, st.st_ino) == _identity(own[0]):
            raise UserError(messages.OUTPUT_IS_STORE.format(path=path, store=own[0]))
    directory = Path(real).parent
    if not directory.is_dir():
        raise UserError(messages.OUTPUT_NO_DIR.format(path=path, directory=directory))
    if own:  # the same directories under another name (a case-insensitive disk, a bind mount)
        dir_ids = {_identity(d) for d in store_dirs} - {None}
        if dir_ids and any(_identity(parent) in dir_ids for parent in Path(real).parents):
            raise in_store
    return Path(real)


@overload
def opened(path: Path | None, store: Backend, *, private: bool = False,
           binary: Literal[False] = False) -> AbstractContextManager[TextIO]: ...


@overload
def opened(path: Path | None, store: Backend, *, private: bool = False,
           binary: bool) -> AbstractContextManager[IO[Any]]: ...


@contextmanager
def opened(path: Path | None, store: Backend, *, private: bool = False, binary: bool = False) -> Iterator[Any]:
    """stdout, or a buffer that replaces ``path`` atomically when the block ends without
    an error (mode 0600 when ``private``: personal data; else 0644).  A path that must
    not be written is refused on entry, before any work, and checked again at the end.
    ``binary`` gives a bytes buffer; without ``path`` it is refused on entry when stdout
    is a terminal, else written to stdout when the block ends without an error."""
    if path is None:
        if not binary:
            yield sys.stdout
            return
        from .terminal import is_terminal

        if is_terminal(sys.stdout):
            raise UsageError(messages.OUTPUT_BINARY_TERMINAL)
        buffer = io.BytesIO()
        yield buffer
        sys.stdout.flush()
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()
        return
    real = target(path, store)
    try:
        fd, temp = tempfile.mkstemp(prefix=temp_prefix(real), suffix=TEMP_SUFFIX, dir=real.parent)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        os.fchmod(fd, 0o600 if private else 0o644)
        with (os.fdopen(fd, "wb") if binary else open(fd, "w", encoding="utf-8", newline="")) as out:
            yield out  # written as it is made: an export of any size holds one record at a time
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target(path, store))
        fsync_dir(real.parent)
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _unwritable(path, exc) from None
        raise
