"""An inter-process lock on a file: shared for readers, exclusive for writers, with a timeout.

flock(2) locks belong to the open file description, so a process killed while holding
one releases it at once; no stale lock files to clean up.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from . import messages
from .errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class FileLock:
    def __init__(self, path: Path, timeout: float):
        self.path = path
        self.timeout = timeout

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._hold(exclusive=False):
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._hold(exclusive=True):
            yield

    @contextmanager
    def _hold(self, exclusive: bool) -> Iterator[None]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
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
