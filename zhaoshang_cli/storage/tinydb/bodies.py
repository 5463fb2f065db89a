"""Article and policy bodies, kept apart from the listing table in an append-only log.

Listing a hundred thousand articles must not parse their bodies, so a record holds
only a reference ``[offset, length]`` into the log file named in the store's meta.
Each body is stored as a JSON string literal (quotes included, non-ASCII as UTF-8):
an import can copy a body from its JSONL input without ever decoding it, and a text
search can look for the needle's JSON form in the raw bytes.

Appends are fsynced before the store file that references them is replaced: a crash
leaves at worst unreferenced bytes at the end of the log, which nothing reads.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Union

import orjson

from ... import messages
from ...atomic import naming, open_private, read_spans, write_parts
from ...errors import StoreError
from ...domain.body import Body, RawBody, literal, text_of  # noqa: F401 - bodies as they come in

Ref = list[int]  # [offset, length] in bytes
_CHUNK = 1 << 20


class BodyUnreadable(StoreError):
    """A body whose bytes are missing or damaged (a cut, garbled or missing log)."""

    def __init__(self, log: Path, offset: int = -1):
        template = messages.STORE_BODY_MISSING if offset < 0 else messages.STORE_BODY_UNREADABLE
        super().__init__(template.format(log=log))
        self.offset = offset


def body_log_of(side: Path, meta: Mapping[str, Any]) -> BodyLog:
    """The body log a manifest's ``meta`` names, in the store's side folder."""
    return BodyLog(side / f"bodies.{meta['log']}.log", meta.get("bodies") == "json")


class BodyLog:
    """One generation of the body log.  ``literals`` is False for logs written before bodies
    were stored as JSON literals (plain UTF-8 text, schema 2 stores): those are read as they
    are and converted by the next write (see rewrite.compact_bodies)."""

    def __init__(self, path: Path, literals: bool = True):
        self.path = path
        self.literals = literals

    def decode(self, data: bytes) -> str:
        return orjson.loads(data) if self.literals else data.decode("utf-8")

    def append(self, bodies: Iterable[Body | bytes | memoryview]) -> list[Ref]:
        """Append bodies (buffered, then fsynced); returns their references in order.

        Bodies are text, RawBody, or JSON string literals already encoded.
        """
        refs: list[Ref] = []
        fd = open_private(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            with naming(self.path):
                offset = os.lseek(fd, 0, os.SEEK_END)
                pending: list[Union[bytes, memoryview]] = []
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
                if refs:
                    os.fsync(fd)
        finally:
            os.close(fd)
        return refs

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

    def extend(self, size: int) -> None:
        """Make the log at least ``size`` bytes long (zeros at its end, created if missing), so
        that bodies appended next land after every byte the store refers to."""
        fd = open_private(self.path, os.O_WRONLY | os.O_CREAT)
        try:
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)
                os.fsync(fd)
        finally:
            os.close(fd)

    def open(self):
        """The log for reading, for ``read_many`` calls that follow one another."""
        try:
            return os.fdopen(open_private(self.path, os.O_RDONLY), "rb")
        except FileNotFoundError:
            raise BodyUnreadable(self.path) from None

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
    """Appends to a body log from a background thread, so that the caller can go on
    building the store file meanwhile; the references are known at once.

    For one write transaction (the exclusive lock is held): offsets continue from the
    end of the log, and ``wait()`` must return before the store file refers to them.
    """

    def __init__(self, log: BodyLog):
        self.log = log
        self.offset: int | None = None
        self.start: int | None = None  # the log's size before this transaction appended to it
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def append(self, bodies: Iterable[Body]) -> list[Ref]:
        self.wait()  # one write at a time keeps the offsets true
        chunks = [literal(body) for body in bodies]
        if not chunks:
            return []
        if self.offset is None:
            self.offset = self.start = self.log.size()
        refs = []
        for data in chunks:
            refs.append([self.offset, len(data)])
            self.offset += len(data)
        self._thread = threading.Thread(target=self._write, args=(chunks,), daemon=True)
        self._thread.start()
        return refs

    def _write(self, chunks: list[Union[bytes, memoryview]]) -> None:
        try:
            self.log.append(chunks)
        except BaseException as exc:  # re-raised by wait() in the caller's thread
            self._error = exc

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def rollback(self) -> None:
        """After a failed write: wait for the thread, then cut off whatever it appended."""
        try:
            self.wait()
        except Exception:
            pass
        if self.start is not None:
            self.log.truncate(self.start)


def _write_chunks(fd: int, chunks: list[Union[bytes, memoryview]]) -> None:
    if chunks:
        write_parts(fd, chunks)
