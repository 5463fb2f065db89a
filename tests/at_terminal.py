"""Run `zhaoshang` under a pseudo-terminal of a given size, as a person at a terminal would:
stdin, stdout and stderr are the terminal, and answers can be typed when a prompt shows."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Session:
    output: str
    code: int


def run(args: list[str], *, db: Path | None = None, env: dict[str, str] | None = None, columns: int = 80,
        lines: int = 24, answers: list[tuple[str, str]] = (), timeout: float = 60) -> Session:
    """Run ``zhaoshang ARGS`` at a terminal; ``answers`` are (prompt text to wait for, line to type)."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PAGER", "ZHAOSHANG_PAGER")}
    environ.update({"TERM": "xterm", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    if db is not None:
        environ["ZHAOSHANG_DB"] = str(db)
    environ.update(env or {})
    process = subprocess.Popen([sys.executable, "-m", "zhaoshang_cli", *args], stdin=secondary, stdout=secondary,
                               stderr=secondary, env=environ, close_fds=True, start_new_session=True)
    os.close(secondary)
    seen = b""
    pending = list(answers)
    after = 0  # a prompt is looked for after the last answer, so a prompt asked again is seen again
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:  # the terminal closed: the program is done
                    break
                if not chunk:
                    break
                seen += chunk
            if pending and pending[0][0].encode() in seen[after:]:
                _, typed = pending.pop(0)
                seen += b"\n<<" + typed.encode() + b">>\n"  # marks where each answer was typed
                after = len(seen)
                os.write(primary, typed.encode() + b"\r")
            elif process.poll() is not None and not ready:
                break
        else:
            process.kill()
            raise TimeoutError(f"zhaoshang {' '.join(args)} still running; output so far:\n{seen.decode('utf-8', 'replace')}")
    finally:
        os.close(primary)
    return Session(seen.decode("utf-8", "replace").replace("\r\n", "\n"), process.wait(timeout=10))
