"""Whole processes timed from outside, with their memory.

Every command measured is a Python program run through bench/peak.py (zhaoshang, sqlite-utils,
bench/sqlite_table.py, python -c), which reports the peak RSS of its own process and that of
its child, if it had one (the second process of a big import); the two are added.  Not
``os.wait4``: its ``ru_maxrss`` is the largest of a process and its descendants, not their
sum, and on Linux never less than the peak size of the process that started it (this one).
In MB of 2**20 bytes.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEAK_VAR = "ZHAOSHANG_BENCH_PEAK"  # read by bench/peak.py
_REPORT = Path(tempfile.gettempdir()) / f"zhaoshang-bench-peak-{os.getpid()}"

Command = list[str] | Callable[[int], list[str]]  # a command, or one that depends on the run's number


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_mb: float  # the processes' peaks summed
    parts: tuple[float, ...] = ()  # each process's peak (through peak.py)

    def memory(self) -> str:
        """The peak as the table shows it: 233 (153 + 80) when two processes ran."""
        if len(self.parts) > 1:
            return f"{self.peak_mb:.0f} ({' + '.join(f'{p:.0f}' for p in self.parts)})"
        return f"{self.peak_mb:.0f}"


def python_command(script: str, module: str) -> list[str]:
    """The command that runs a Python program of this environment through peak.py: its console
    script as the shell would run it, else its module with -m."""
    import importlib.util

    beside = Path(sys.executable).parent / script
    if beside.exists():
        return [sys.executable, str(HERE / "peak.py"), str(beside)]
    if importlib.util.find_spec(module) is not None:
        return [sys.executable, str(HERE / "peak.py"), "-m", module]
    raise SystemExit(f"{module} is not installed for {sys.executable}: pip install '.[bench]'")


def python_code(code: str) -> list[str]:
    return [sys.executable, str(HERE / "peak.py"), "-c", code]


def python_script(path: Path, *args: str) -> list[str]:
    return [sys.executable, str(HERE / "peak.py"), str(path), *args]


def once(cmd: Sequence[str], stdout: Path | None = None) -> Timing:
    """One run of ``cmd``: wall time and memory.  Its output goes to ``stdout`` (written
    afresh each run: a terminal would time the terminal) or nowhere."""
    _REPORT.unlink(missing_ok=True)
    env = {**os.environ, PEAK_VAR: str(_REPORT)}
    with open(stdout or os.devnull, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.PIPE, env=env)
        assert proc.stderr is not None
        error = proc.stderr.read()  # until it ends (a full pipe would stop it)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{error.decode(errors='replace')}")
    if not _REPORT.exists():
        if str(HERE / "peak.py") in cmd:
            raise SystemExit(f"{' '.join(cmd)} ended without reporting its memory")
        return Timing(seconds, usage.ru_maxrss / 1024)  # not through peak.py: never less than this process, see above
    own, children, unreaped = (int(n) for n in _REPORT.read_text().split())
    _REPORT.unlink()
    if unreaped:
        raise SystemExit(f"{' '.join(cmd)} left {unreaped} process(es) not waited for: their memory is not "
                         "in RUSAGE_CHILDREN, so the sum would be short")
    parts = (own / 1024, children / 1024) if children else (own / 1024,)
    return Timing(seconds, sum(parts), parts)


def summary(timings: Sequence[Timing]) -> Timing:
    """The median time of several runs and the largest memory of any of them."""
    most = max(timings, key=lambda t: t.peak_mb)
    return Timing(statistics.median(t.seconds for t in timings), most.peak_mb, most.parts)


def run(cmd: list[str], repeat: int, setup: Callable[[], None] | None = None, stdout: Path | None = None) -> Timing:
    """``repeat`` runs of ``cmd``."""
    timings = []
    for _ in range(repeat):
        if setup:
            setup()
        timings.append(once(cmd, stdout))
    return summary(timings)


def compare(ours: Command, theirs: Command, repeat: int, setup_ours: Callable[[], None] | None = None,
            setup_theirs: Callable[[], None] | None = None,
            stdout: tuple[Path, Path] | None = None) -> tuple[Timing, Timing]:
    """Both commands alternately, run by run, so that a slow spell of the machine hits both;
    their outputs into the two files of ``stdout``, if given (each holds the last run's)."""
    a: list[Timing] = []
    b: list[Timing] = []
    for i in range(repeat):
        for cmd, setup, into, sink in ((ours, setup_ours, a, stdout[0] if stdout else None),
                                       (theirs, setup_theirs, b, stdout[1] if stdout else None)):
            if setup:
                setup()
            into.append(once(cmd(i) if callable(cmd) else cmd, sink))
    return summary(a), summary(b)


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def disk_bytes(*paths: Path) -> int:
    """Bytes of every file at or under ``paths`` (their sizes, not the blocks they take)."""
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total
