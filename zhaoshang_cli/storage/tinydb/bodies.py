"""Article and policy bodies, kept apart from the listing table in an append-only log.

Listing a hundred thousand articles must not parse their bodies, so a record holds
only a reference ``[offset, length]`` into the log file named in the store's meta.
Each body is stored as a JSON string literal (quotes included, non-ASCII as UTF-8):
an import can copy a body from its JSONL input without ever decoding it, and a text
search can look for the needle's JSON form in the raw bytes.

Appends are fsynced before the store file that references them is replaced (every few
megabytes as an import goes, the rest when it commits): a crash leaves at worst
unreferenced bytes at the end of the log, which nothing reads.

A log starts with a header naming a random token, which the store file's meta records
(``log_token``): a log that is not the one the store wrote (another generation named by
mistake, a file put in its place) is refused, never read as the store's bodies.  Logs
written before there were tokens have no header and are taken as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ... import messages
from ...atomic import naming, open_private, read_spans, write_parts
from ...domain.body import Body, RawBody, literal, text_of  # noqa: F401 - bodies as they come in
from ...errors import StoreError

Ref = list[int]  # [offset, length] in bytes
_CHUNK = 1 << 20
# bytes appended between two syncs of the log: an fsync per chunk an import stores would
# cost more the smaller its chunks, one at the end would wait for gigabytes at once
SYNC_BYTES = 16 << 20


class BodyUnreadable(StoreError):
    """A body whose bytes are missing or damaged (a cut, garbled or missing log)."""

    def __init__(self, log: Path, offset: int = -1, foreign: bool = False):
        template = (messages.STORE_BODY_FOREIGN if foreign else messages.STORE_BODY_MISSING if offset < 0
                    else messages.STORE_BODY_UNREADABLE)
        super().__init__(template.format(log=log))
        self.offset = offset


MAGIC = b"ZSBODY1 "
_TOKEN_LENGTH = 16  # hex digits
HEADER_SIZE = len(MAGIC) + _TOKEN_LENGTH + 1


def body_log_of(side: Path, meta: Mapping[str, Any]) -> BodyLog:
    """The body log a manifest's ``meta`` names, in the store's side folder."""
    token = meta.get("log_token")
    return BodyLog(side / f"bodies.{meta['log']}.log", meta.get("bodies") == "json",
                   token if type(token) is str else None)


class BodyLog:
    """One generation of the body log.  ``literals`` is False for logs written before bodies
    were stored as JSON literals (plain UTF-8 text, schema 2 stores): those are read as they
    are and converted by the next write (see rewrite.compact_bodies).  ``token``: what its
    header must say (None: a log of before there were tokens, or one not begun yet)."""

    def __init__(self, path: Path, literals: bool = True, token: str | None = None):
        self.path = path
        self.literals = literals
        self.token = token

    def header_token(self) -> str | None:
        """The token the log's header names (None: no header, or no log)."""
        try:
            fd = open_private(self.path, os.O_RDONLY)
        except (OSError, StoreError):
            return None
        try:
            head = os.pread(fd, HEADER_SIZE, 0) if hasattr(os, "pread") else os.read(fd, HEADER_SIZE)
        finally:
            os.close(fd)
        if len(head) == HEADER_SIZE and head.startswith(MAGIC) and head.endswith(b"\n"):
            return head[len(MAGIC):-1].decode("ascii", "replace")
        return None

    def problem(self, end: int | None = None) -> str | None:
        """Why this is not the log the store wrote (another token, none where one was written),
        or shorter than ``end`` bytes; None when it is."""
        size = self.size()
        if self.token is not None and size and self.header_token() != self.token:
            return messages.LOG_NOT_OURS.format(log=self.path.name)
        if end is not None and size < end:
            return messages.SEEN_LOG_SHORT.format(log=self.path.name, size=size, end=end)
        return None

    def begin(self) -> int:
        """Make the log ready for appends and return its size: a new (empty) log gets its
        header and token first; an existing one with a header lends its token."""
        size = self.size()
        if size == 0 and self.literals:
            self.token = self.token or os.urandom(_TOKEN_LENGTH // 2).hex()
            fd = open_private(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            try:
                with naming(self.path):
                    write_parts(fd, [MAGIC + self.token.encode("ascii") + b"\n"])
                    os.fsync(fd)
            finally:
                os.close(fd)
            return HEADER_SIZE
        if self.token is None:
            self.token = self.header_token()
        return size

    def decode(self, data: bytes) -> str:
        return orjson.loads(data) if self.literals else data.decode("utf-8")

    def append(self, bodies: Iterable[Body | bytes | memoryview]) -> list[Ref]:
        """Append bodies (buffered; ``sync`` makes them durable); returns their references
        in order.

        Bodies are text, RawBody, or JSON string literals already encoded.
        """
        refs: list[Ref] = []
        fd = open_private(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            with naming(self.path):
                offset = os.lseek(fd, 0, os.SEEK_END)
                pending: list[bytes | memoryview] = []
                size = 0
                for body in bodies:
                    data = body if isinstance(body, (bytes, memoryview)) else literal(body)
                    refs.append([offset, len(data)])
                    offset += len(data)
                    pending.append(data)
                    size += len(data)
                    if size >= _CHUNK:
                        _write_chunks(fd, pending)
                        pending, size = [], 0
                _write_chunks(fd, pending)
        finally:
            os.close(fd)
        return refs

    def sync(self) -> None:
        fd = open_private(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            with naming(self.path):
                os.fsync(fd)
        finally:
            os.close(fd)

    def truncate(self, size: int) -> None:
        """Cut the log back to ``size`` bytes: what a failed write appended goes again."""
        try:
            fd = open_private(self.path, os.O_WRONLY)
        except FileNotFoundError:
            return
        try:
            if os.fstat(fd).st_size > size:
                os.ftruncate(fd, size)
                os.fsync(fd)
        finally:
            os.close(fd)

    def open(self):
        """The log for reading, for ``read_many`` calls that follow one another; one that is
        not the store's (its header names another token) is BodyUnreadable."""
        try:
            handle = os.fdopen(open_private(self.path, os.O_RDONLY), "rb")
        except FileNotFoundError:
            raise BodyUnreadable(self.path) from None
        if self.token is not None:
            head = handle.read(HEADER_SIZE)
            if head != MAGIC + self.token.encode("ascii") + b"\n":
                handle.close()
                raise BodyUnreadable(self.path, foreign=True)
        return handle

    def _read_one(self, handle, ref: Ref) -> str:
        return self._checked(next(read_spans(handle.fileno(), [(ref[0], ref[1])])), ref)

    def _checked(self, data: bytes, ref: Ref) -> str:
        """The body read at ``ref``, if it is one."""
        offset, length = ref
        if len(data) != length:
            raise BodyUnreadable(self.path, offset)
        try:
            text = self.decode(data)
        except (orjson.JSONDecodeError, UnicodeDecodeError):
            raise BodyUnreadable(self.path, offset) from None
        if type(text) is not str:
            raise BodyUnreadable(self.path, offset)
        return text

    def read(self, ref: Ref) -> str:
        with self.open() as handle:
            return self._read_one(handle, ref)

    def read_many(self, refs: Iterable[tuple[Any, Ref]], handle: Any = None) -> Iterator[tuple[Any, str]]:
        """(key, body) for each (key, ref), read in file order (through ``handle``, the
        file ``open`` gave, if there is one)."""
        ordered = sorted(refs, key=lambda item: item[1][0])
        if not ordered:
            return
        if handle is None:
            with self.open() as own:
                yield from self.read_many(ordered, own)
            return
        for (key, ref), data in zip(ordered, read_spans(handle.fileno(), [(ref[0], ref[1]) for _, ref in ordered])):
            yield key, self._checked(data, ref)

    def check_many(self, refs: Iterable[tuple[str, Ref]]) -> Iterator[str]:
        """Keys whose body cannot be read back whole (short, garbled, not text)."""
        ordered = sorted(refs, key=lambda item: item[1][0])
        if not ordered:
            return
        with self.open() as handle:
            for key, ref in ordered:
                try:
                    self._read_one(handle, ref)
                except BodyUnreadable:
                    yield key

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0


class Appender:
    """One write transaction's appends to a body log (the exclusive lock is held): each
    batch is written at once, in the writing thread, and its references are the offsets it
    was written at; the log is synced every SYNC_BYTES and by ``sync``, which must come
    before the commit; ``rollback`` takes back what the transaction appended (a log it
    began goes altogether)."""

    def __init__(self, log: BodyLog):
        self.log = log
        self.start: int | None = None  # the log's size before this transaction appended to it
        self.created = False  # the log did not exist before
        self.unsynced = 0  # bytes appended since the log was last synced

    def append(self, bodies: Iterable[Body]) -> list[Ref]:
        chunks = [literal(body) for body in bodies]
        if not chunks:
            return []
        if self.start is None:
            self.created = not self.log.path.exists()
            self.start = self.log.begin()
        refs = self.log.append(chunks)
        self.unsynced += sum(length for _, length in refs)
        if self.unsynced >= SYNC_BYTES:
            self.sync()
        return refs

    def sync(self) -> None:
        """Make what was appended durable (before the commit that refers to it)."""
        if self.unsynced:
            self.log.sync()
            self.unsynced = 0

    def rollback(self) -> None:
        """After a failed write: cut off whatever this transaction appended."""
        if self.created:  # a log this write began: no trace of it stays
            self.log.path.unlink(missing_ok=True)
        elif self.start is not None:
            self.log.truncate(self.start)


def _write_chunks(fd: int, chunks: list[bytes | memoryview]) -> None:
    if chunks:
        write_parts(fd, chunks)
