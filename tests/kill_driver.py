"""Run `python -m zhaoshang_cli ARGS…` in a process of its own that can be stopped at a
chosen moment: ``python tests/kill_driver.py ARGS…`` is that command, with three knobs in
the environment (all of them test-only; the program itself has no hook):

ZS_WAIT_FOR_GO=1     import every module of the program first, then write "ready" to stderr
                     and wait for a line on stdin before running the command, so that a
                     parent's random delay measures from the start of the command, not of
                     Python.
ZS_CHUNK=N           import N rows per chunk (a checkpoint each) instead of 500, so that a
                     small import makes several checkpoints.
ZS_SYNC_BYTES=N      sync the body log after every N bytes appended instead of 16 MB, so
                     that a small import syncs it as it goes, not only before its commit.
ZS_KILL_AT=OP|WHERE|N|WHEN
                     SIGKILL this process just before (WHEN=before) or just after
                     (WHEN=after) its N-th call of os.OP on a path matching WHERE: a
                     substring of the path, or "=PATH" for that path exactly.  Calls on file
                     descriptors (write, fsync, ftruncate, close) match the path the
                     descriptor was opened with; replace, rename and link match their target.
ZS_TRACE=FILE        append "OP<TAB>PATH" to FILE for every such call (to list the points).

The process is killed with SIGKILL from inside (a real kill: no handler, no flush, no
atexit), from whichever thread makes the call (the body log is written by a thread).

``python tests/kill_driver.py --serve`` is a fork server for many short runs: it imports
the program once, then for each request (a JSON line on stdin: db, args, out, and
optionally kill_at, trace, chunk, sync_bytes) forks a child that runs the command as above, with its stdout and
stderr in OUT.out and OUT.err, and answers {"pid": PID}.  The caller may SIGKILL that
child at any moment; it then sends {"reap": PID} and gets {"code": EXIT} (-9 when killed).
A child is only reaped when asked, so its PID cannot be reused while the caller may still
kill it.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import sys
import threading
import traceback

OPS = ("open", "write", "writev", "fsync", "ftruncate", "close", "replace", "rename", "link", "unlink", "mkdir")
FD_OPS = ("write", "writev", "fsync", "ftruncate", "close")


def _install(kill_at: str | None, trace: str | None) -> None:
    real = {name: getattr(os, name) for name in OPS}
    fds: dict[int, str] = {}
    counts: dict[str, int] = {}
    guard = threading.Lock()
    trace_fd = real["open"](trace, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if trace else None
    op = where = when = None
    n = 0
    if kill_at:
        op, where, count, when = kill_at.split("|")
        n = int(count)
        assert op in OPS and when in ("before", "after"), kill_at

    def matches(path: str) -> bool:
        return path == where[1:] if where.startswith("=") else where in path

    def path_of(name: str, args: tuple) -> str:
        if name in FD_OPS:
            return fds.get(args[0], "") if args and isinstance(args[0], int) else ""
        if name in ("replace", "rename", "link"):
            return os.fsdecode(args[1]) if len(args) > 1 else ""
        return os.fsdecode(args[0]) if args and isinstance(args[0], (str, bytes, os.PathLike)) else ""

    def wrap(name: str):
        call = real[name]

        def wrapper(*args, **kwargs):
            path = path_of(name, args)
            hit = False
            if trace_fd is not None and path:
                real["write"](trace_fd, f"{name}\t{path}\n".encode())
            if name == op and path and matches(path):
                with guard:
                    counts[name] = counts.get(name, 0) + 1
                    hit = counts[name] == n
            if hit and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            if name == "close" and args:
                # forgotten before the fd is freed: the body log's writer thread may be given
                # the same number by its next open, whose path must not be dropped here
                fds.pop(args[0], None)
            result = call(*args, **kwargs)
            if name == "open" and path:
                fds[result] = path
            if hit and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return wrapper

    for name in OPS:
        setattr(os, name, wrap(name))


def _preload() -> None:
    """Every module of the program, and the region table most commands load on first use."""
    import importlib
    import pkgutil

    import zhaoshang_cli
    from zhaoshang_cli.domain.regions import table

    for module in pkgutil.walk_packages(zhaoshang_cli.__path__, "zhaoshang_cli."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    table()


def _set_chunk(chunk: int | None, sync_bytes: int | None = None) -> None:
    if chunk:
        from zhaoshang_cli.io.importers import inputs

        inputs.CHUNK = chunk
    if sync_bytes:
        from zhaoshang_cli.storage.tinydb import bodies

        bodies.SYNC_BYTES = sync_bytes


def _run_child(request: dict) -> None:
    """In the forked child: run one command and leave with its exit code, never returning."""
    code = 99
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, suffix in ((1, ".out"), (2, ".err")):
            target = os.open(request["out"] + suffix, os.O_WRONLY | os.O_APPEND)
            os.dup2(target, fd)
            os.close(target)
        os.environ.update(request.get("env", {}))
        os.environ["ZHAOSHANG_DB"] = request["db"]
        _set_chunk(request.get("chunk"), request.get("sync_bytes"))
        if request.get("kill_at") or request.get("trace"):
            _install(request.get("kill_at"), request.get("trace"))
        sys.argv = ["zhaoshang", *request["args"]]
        try:
            runpy.run_module("zhaoshang_cli", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported in OUT.err
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def serve() -> None:
    _preload()
    answer = sys.stdout

    def reply(message: dict) -> None:
        answer.write(json.dumps(message) + "\n")
        answer.flush()

    reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        if "reap" in request:
            _, status = os.waitpid(request["reap"], 0)
            reply({"code": os.waitstatus_to_exitcode(status)})
            continue
        for suffix in (".out", ".err"):  # there even for a child killed before it opens them
            os.close(os.open(request["out"] + suffix, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        pid = os.fork()
        if pid == 0:
            _run_child(request)
        reply({"pid": pid})


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    _set_chunk(int(os.environ.get("ZS_CHUNK") or 0), int(os.environ.get("ZS_SYNC_BYTES") or 0))
    if os.environ.get("ZS_WAIT_FOR_GO"):
        _preload()
        sys.stderr.write("ready\n")
        sys.stderr.flush()
        sys.stdin.readline()
    if os.environ.get("ZS_KILL_AT") or os.environ.get("ZS_TRACE"):
        _install(os.environ.get("ZS_KILL_AT"), os.environ.get("ZS_TRACE"))
    sys.argv = ["zhaoshang", *sys.argv[1:]]
    runpy.run_module("zhaoshang_cli", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
