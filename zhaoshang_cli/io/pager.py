"""Long output at a terminal goes through a pager, as git and gh do.

Output is held until it is longer than the screen: a short listing is printed as it is,
a long one is handed to the pager (``ZHAOSHANG_PAGER``, else ``PAGER``, else
``less -FRX``) with what was held, and the rest streams into it.  Piped output is never
paged.  ``ZHAOSHANG_PAGER=`` (empty), ``PAGER=cat`` or ``--no-pager`` turn it off.  When
the reader quits the pager early, the command stops writing and exits 0.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TextIO

from .terminal import extent, is_terminal

ENV = "ZHAOSHANG_PAGER"


def command() -> str | None:
    """The pager to run, or None for none."""
    for name in (ENV, "PAGER"):
        if name in os.environ:
            chosen = os.environ[name].strip()
            return None if chosen in ("", "cat") else chosen
    return "less -FRX" if shutil.which("less") else None


class _Screenful:
    """A text stream that holds a screenful, then pages; it reads as the terminal it stands
    for (``isatty``, ``fileno``), so tables still fit the terminal's width."""

    def __init__(self, out: TextIO, pager: str):
        self._out = out
        self._pager = pager
        self._room = extent(out, "LINES") - 1  # the shell prompt's line
        self._held: list[str] = []
        self._lines = 0
        self._process: subprocess.Popen[str] | None = None
        self.encoding = getattr(out, "encoding", "utf-8")

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._out.fileno()

    def flush(self) -> None:
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.flush()

    def write(self, text: str) -> int:
        if self._process is not None:
            assert self._process.stdin is not None
            return self._process.stdin.write(text)
        self._held.append(text)
        self._lines += text.count("\n")
        if self._lines > self._room:
            self._start()
        return len(text)

    def _start(self) -> None:
        env = dict(os.environ)
        env.setdefault("LESS", "FRX")
        env.setdefault("LV", "-c")
        self._out.flush()
        try:
            self._process = subprocess.Popen(shlex.split(self._pager), stdin=subprocess.PIPE, env=env, text=True,
                                             encoding="utf-8", errors="replace")
        except (OSError, ValueError):  # a pager that cannot run: print as if there were none
            self._pager = ""
            self._room = sys.maxsize
            self._out.write("".join(self._held))
            self._held = []
            return
        stdin: IO[str] = self._process.stdin  # type: ignore[assignment]
        stdin.write("".join(self._held))
        self._held = []

    def finish(self) -> None:
        if self._process is None:
            self._out.write("".join(self._held))
            self._out.flush()
            return
        try:
            assert self._process.stdin is not None
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C belongs to the pager now
        try:
            self._process.wait()
        finally:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def paged(enabled: bool = True) -> Iterator[None]:
    """Within the block, ``sys.stdout`` pages at a terminal when the output is long."""
    pager = command() if enabled and is_terminal(sys.stdout) else None
    if pager is None:
        yield
        return
    real = sys.stdout
    stream = _Screenful(real, pager)
    sys.stdout = stream
    try:
        yield
    except BrokenPipeError:  # the reader quit the pager: nothing more to show
        pass
    finally:
        sys.stdout = real
        stream.finish()
