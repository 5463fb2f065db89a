"""The file store's change log: ``STORE.d/changes.jsonl``, one JSON line per change
(domain/changes.py), appended by the write that makes the change.

A write appends its entries as it goes (at each checkpoint and before its commit, fsynced
then) and the store file it commits records the log's new size (``changes_end``): entries
past that size belong to a write that never committed, and are neither read nor kept (the
next write cuts them off first).  A change costs its own line, whatever the store's size.
A restore or a repair puts back an older store file, but the log it keeps is the current
one: what was done stays traceable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from ...atomic import naming, open_private, write_parts
from ...domain.changes import ChangeQuery

NAME = "changes.jsonl"
END = "changes_end"  # the key of the store file's meta: the log's committed size
_BLOCK = 1 << 20


def log_path(side: Path) -> Path:
    return side / NAME


def committed_end(meta: Mapping[str, Any]) -> int:
    end = meta.get(END)
    return end if type(end) is int and end >= 0 else 0


class ChangeAppender:
    """One write transaction's entries (the exclusive lock is held)."""

    def __init__(self, path: Path, end: int):
        self.path = path
        self.start = end  # where this transaction's entries begin: the committed size
        self.end = end
        self.pending: list[bytes | memoryview] = []
        self.began = False

    def add(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.pending += [orjson.dumps(e) + b"\n" for e in entries]

    def flush(self, sync: bool = False) -> None:
        """Append what is pending (after cutting off what no commit recorded)."""
        if not self.pending and not (sync and self.end != self.start):
            return
        fd = open_private(self.path, os.O_WRONLY | os.O_CREAT)
        try:
            with naming(self.path):
                if not self.began:
                    size = os.fstat(fd).st_size
                    if size > self.start:  # left by a write that never committed
                        os.ftruncate(fd, self.start)
                    elif size < self.start:  # cut short (doctor says so): what is lost is lost
                        self.start = self.end = size
                    self.began = True
                if self.pending:
                    os.lseek(fd, self.end, os.SEEK_SET)
                    write_parts(fd, self.pending)
                    self.end += sum(map(len, self.pending))
                    self.pending = []
                if sync:
                    os.fsync(fd)
        finally:
            os.close(fd)

    def rollback(self) -> None:
        """Take back what this transaction appended."""
        if not self.began:
            return
        try:
            fd = open_private(self.path, os.O_WRONLY)
        except FileNotFoundError:
            return
        try:
            os.ftruncate(fd, self.start)
        finally:
            os.close(fd)


def problems(path: Path, end: int) -> list[tuple[str, str]]:
    """What doctor says of the change log: (level, message); a log shorter than the store
    says, or with lines that are not entries, lost entries (the records are not touched)."""
    from ... import messages

    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        return []  # named with the store's other files
    size = st.st_size if st is not None else 0
    if size < end:
        return [("warning", messages.DOCTOR_CHANGES_SHORT.format(log=path.name, size=size, end=end))]
    bad = 0
    try:
        with open(path, "rb") as log:
            data = log.read(end)
    except OSError:
        return []  # a file that is not one is named with the store's other files
    for line in data.split(b"\n"):
        if line:
            try:
                if not isinstance(orjson.loads(line), dict):
                    bad += 1
            except orjson.JSONDecodeError:
                bad += 1
    if bad:
        return [("warning", messages.DOCTOR_CHANGES_BAD.format(log=path.name, count=bad))]
    return [("ok", messages.DOCTOR_CHANGES_OK.format(count=data.count(b"\n")))] if end else []


def read(path: Path, end: int, query: ChangeQuery) -> Iterator[dict[str, Any]]:
    """The committed entries that match, newest first (the file read backwards a block at a
    time; a line that is not an entry, from damage, is passed over)."""
    if end <= 0:
        return
    try:
        fd = open_private(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    wanted = [f'"{rid}"'.encode() for rid in query.ids]
    listed = 0
    try:
        at = min(end, os.fstat(fd).st_size)
        rest = b""
        while at > 0:
            start = max(0, at - _BLOCK)
            block = os.pread(fd, at - start, start) + rest
            at = start
            lines = block.split(b"\n")
            rest = lines.pop(0) if at > 0 else b""
            for line in reversed(lines):
                if not line or (wanted and b'"created"' not in line and not any(w in line for w in wanted)):
                    continue
                try:
                    entry = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and query.matches(entry):
                    yield entry
                    listed += 1
                    if query.limit is not None and listed >= query.limit:
                        return
    finally:
        os.close(fd)
