"""`zhaoshang` on a pseudo-terminal (stdlib pty), read and answered as a person would:
stdin, stdout and stderr are the terminal, so prompts, confirmations and --editor run
as they do for a user."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path


class Terminal:
    """``zhaoshang ARGS`` on a terminal of ``size`` (columns, lines); without a size, one that
    says COLUMNS=120.  No pager is set unless ``env`` names one (less has escapes of its own)."""

    def __init__(self, args: list[str], db: Path, env: dict[str, str | None] | None = None,
                 size: tuple[int, int] | None = None):
        import fcntl
        import pty
        import struct
        import termios

        self.leader, follower = pty.openpty()
        full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PAGER")}
        full_env.update({"ZHAOSHANG_DB": str(db), "NO_COLOR": "1", "TERM": "dumb", "ZHAOSHANG_PAGER": ""})
        if size is None:
            full_env["COLUMNS"] = "120"
        else:
            fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        for name, value in (env or {}).items():  # None: not set at all
            full_env.pop(name, None) if value is None else full_env.__setitem__(name, value)
        self.proc = subprocess.Popen([sys.executable, "-m", "zhaoshang_cli", *args], stdin=follower,
                                     stdout=follower, stderr=follower, env=full_env, start_new_session=True)
        os.close(follower)
        self.seen = ""
        self._raw = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.leader], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.leader, 65536)
        except OSError:  # EIO: the program is gone
            chunk = b""
        if not chunk:
            return False
        self._raw += chunk
        self.seen = self._raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 30) -> None:
        """Wait until the terminal has shown ``text`` (after what was expected before)."""
        end = time.monotonic() + timeout
        while text not in self.seen:
            if time.monotonic() > end or not self._read(0.2) and text not in self.seen:
                raise AssertionError(f"{text!r} never shown; the terminal shows:\n{self.seen}")

    def send(self, text: str) -> None:
        os.write(self.leader, text.encode("utf-8"))

    def finish(self, timeout: float = 60) -> int:
        """Read to the end; the exit code."""
        end = time.monotonic() + timeout
        while self._read(0.2) and time.monotonic() < end:
            if self.proc.poll() is not None and not select.select([self.leader], [], [], 0.1)[0]:
                break
        code = self.proc.wait(timeout=max(1.0, end - time.monotonic()))
        os.close(self.leader)
        return code


def run(args: list[str], db: Path, *, env: dict[str, str | None] | None = None, columns: int = 80,
        lines: int = 24) -> tuple[str, int]:
    """What ``zhaoshang ARGS`` shows on a terminal of that size, and its exit code."""
    term = Terminal(args, db, env, size=(columns, lines))
    code = term.finish()
    return term.seen, code


def editor_script(path: Path, source: str) -> str:
    """An executable Python script to use as $EDITOR (the file to edit is sys.argv[1])."""
    path.write_text(f"#!{sys.executable}\nimport sys, pathlib\n{source}\n", "utf-8")
    path.chmod(0o755)
    return str(path)


def width(text: str) -> int:
    """Display cells of ``text`` as an independent library (wcwidth) counts them, not by the
    program's own rule, so that a test of widths can catch that rule being wrong."""
    from wcwidth import wcswidth

    cells = wcswidth(text)
    assert cells >= 0, f"a control character in output: {text!r}"
    return cells
