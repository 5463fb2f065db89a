"""Run a Python program in this process and report its memory: the sum of its processes' peaks.

    python bench/peak.py SCRIPT ARGS…     # as `python SCRIPT ARGS…` (a console script: zhaoshang, sqlite-utils)
    python bench/peak.py -m MODULE ARGS…  # as `python -m MODULE ARGS…`
    python bench/peak.py -c CODE ARGS…    # as `python -c CODE ARGS…`

With ``ZHAOSHANG_BENCH_PEAK`` set to a path, writes there on exit, in KiB: this process's
own peak RSS, its reaped children's (``RUSAGE_CHILDREN``, the largest of them: zhaoshang
starts at most one, the second process of a big import), and how many children are still
there, running or not waited for (they would be missing from the second figure; zhaoshang
waits for its second process: ``Worker.close`` kills and waits for it).  The bench adds the
first two.

This process's own peak is ``VmHWM`` of /proc/self/status, the high-water mark of the memory
it mapped since it started, and not ``ru_maxrss``: Linux carries the peak RSS of the memory
a process replaces by ``execve`` into its ``ru_maxrss``, so a process started by a big one
(the bench, with what it holds) reports at least that one's size.  A child made by ``fork``
starts afresh (its peak counts the pages it shares with this process until either writes
them, as its RSS does).  The second process ends with ``os._exit`` and never reaches the
``finally`` below; the check of the process id makes sure of it anyway.
"""

import os
import sys


def _own_peak() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # where there is no /proc


def _unreaped() -> int:
    """Children of this process that still exist (running, or ended and not waited for)."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 0
    count = 0
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                count += len(handle.read().split())
        except OSError:
            pass
    return count


def _report(path: str) -> None:
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(path, "w") as handle:
        handle.write(f"{_own_peak()} {children} {_unreaped()}\n")


def main() -> None:
    report, me = os.environ.pop("ZHAOSHANG_BENCH_PEAK", None), os.getpid()
    import runpy

    how, args = sys.argv[1], sys.argv[2:]
    try:
        if how == "-c":
            sys.argv, sys.path[0] = ["-c", *args[1:]], ""
            exec(compile(args[0], "<string>", "exec"), {"__name__": "__main__"})
        elif how == "-m":
            sys.argv, sys.path[0] = [args[0], *args[1:]], os.getcwd()
            runpy.run_module(args[0], run_name="__main__", alter_sys=True)
        else:
            sys.argv, sys.path[0] = [how, *args], os.path.dirname(os.path.abspath(how))
            runpy.run_path(how, run_name="__main__")
    finally:
        if report and os.getpid() == me:
            _report(report)


if __name__ == "__main__":
    main()
