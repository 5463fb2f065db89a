"""Fault injection: run one `zhaoshang` command in a forked child that is killed (SIGKILL)
just before or just after its n-th call of an os operation, or sees that call fail.

Every file operation of the store goes through the ``os`` module (atomic.write_all uses
os.write, atomic.write_parts os.writev), so wrapping these functions reaches every write, fsync, rename, link and
unlink the command makes, in its own thread or the body-log thread.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

OPS = ("write", "writev", "fsync", "replace", "rename", "link", "unlink", "mkdir", "rmdir", "ftruncate", "truncate")


@dataclass(frozen=True)
class Fault:
    op: str
    n: int          # the n-th call of ``op`` (1-based)
    mode: str       # "kill-before", "kill-after" or "fail" (the call raises ENOSPC instead of running)

    def __str__(self) -> str:
        return f"{self.mode} {self.op} #{self.n}"


@dataclass
class Outcome:
    exit_code: int | None   # None when the process was killed
    counts: dict[str, int]
    stderr: str


def _install(fault: Fault | None, counts: dict[str, int]) -> None:
    for name in OPS:
        real = getattr(os, name)

        def wrapper(*args: Any, __name: str = name, __real: Any = real, **kwargs: Any) -> Any:
            counts[__name] = counts.get(__name, 0) + 1
            hit = fault is not None and fault.op == __name and fault.n == counts[__name]
            if hit and fault.mode == "kill-before":
                os.kill(os.getpid(), signal.SIGKILL)
            if hit and fault.mode == "fail":
                raise OSError(errno.ENOSPC, "No space left on device", args[0] if args and isinstance(
                    args[0], (str, bytes, os.PathLike)) else None)
            result = __real(*args, **kwargs)
            if hit and fault.mode == "kill-after":
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        setattr(os, name, wrapper)


def run(app: Any, args: list[str], env: dict[str, str], fault: Fault | None = None) -> Outcome:
    """Run the CLI in a forked child with ``fault`` injected; the parent is never touched."""
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        code = 99
        try:
            os.close(reader)
            counts: dict[str, int] = {}
            real_write, real_close = os.write, os.close
            _install(fault, counts)
            result = CliRunner().invoke(app, args, env=env, catch_exceptions=True)
            code = result.exit_code
            payload = json.dumps({"counts": counts, "stderr": result.stderr}).encode()
            view = memoryview(payload)
            while view:
                view = view[real_write(writer, view):]
            real_close(writer)
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as incoming:
        payload = incoming.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return Outcome(None, {}, "")
    report = json.loads(payload)
    return Outcome(os.waitstatus_to_exitcode(status), report["counts"], report["stderr"])


def sweep(counts: dict[str, int], modes: tuple[str, ...] = ("kill-before", "kill-after", "fail")) -> list[Fault]:
    """Every fault point of a run that made ``counts`` calls."""
    return [Fault(op, n, mode) for op in OPS for n in range(1, counts.get(op, 0) + 1) for mode in modes]
