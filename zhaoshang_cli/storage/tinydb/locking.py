"""An inter-process lock on a file: shared for readers, exclusive for writers, with a timeout.

flock(2) locks belong to the open file description, so a process killed while holding
one releases it at once; no stale lock files to clean up.  Readers open the lock file
read-only (flock works on any descriptor), so reading works on a read-only mount; where
the lock file cannot even be created there, nobody can write either and reading goes on
without it.
"""

from __future__ import annotations

import errno
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ... import messages
from ...atomic import open_private
from ...errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_READ_ONLY_MOUNT = (errno.EROFS, errno.EACCES, errno.EPERM)


class FileLock:
    def __init__(self, path: Path, timeout: float):
        if not math.isfinite(timeout) or timeout < 0:
            raise StoreError(messages.LOCK_TIMEOUT_INVALID.format(value=timeout))
        self.path = path
        self.timeout = timeout

    @contextmanager
    def shared(self) -> Iterator[None]:
        fd = self._open(write=False)
        if fd is None:
            yield
            return
        with self._hold(fd, exclusive=False):
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        fd = self._open(write=True)
        assert fd is not None  # only a read finds no file it can open
        with self._hold(fd, exclusive=True):
            yield

    def _open(self, write: bool) -> int | None:
        try:
            if not write:
                try:
                    return open_private(self.path, os.O_RDONLY)
                except FileNotFoundError:
                    pass
            return open_private(self.path, os.O_RDWR | os.O_CREAT)
        except IsADirectoryError:
            raise StoreError(messages.PATH_NOT_FILE.format(path=self.path)) from None
        except OSError as exc:
            if not write and exc.errno in _READ_ONLY_MOUNT:
                return None
            raise

    @contextmanager
    def _hold(self, fd: int, exclusive: bool) -> Iterator[None]:
        try:
            self._acquire(fd, exclusive)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _acquire(self, fd: int, exclusive: bool) -> None:
        if fcntl is None:  # pragma: no cover - Windows: exclusive only
            import msvcrt

            self._poll(lambda: msvcrt.locking(fd, msvcrt.LK_NBLCK, 1))
            return
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        self._poll(lambda: fcntl.flock(fd, mode))

    def _poll(self, attempt) -> None:
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            try:
                attempt()
                return
            except OSError:
                if time.monotonic() >= deadline:
                    raise StoreError(messages.LOCK_TIMEOUT.format(path=self.path, seconds=self.timeout)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
