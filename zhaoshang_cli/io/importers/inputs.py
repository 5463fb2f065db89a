"""The inputs of an import: a file or stdin opened, its format told (from the extension
or the content), and its rows read in chunks, UTF-8 JSONL block by block so that an import
of any size holds one block (the rows themselves are read in rows.py).
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ... import messages
from ...errors import UsageError, UserError
from .columns import PLAIN, Headers
from .encoding import decode
from .rows import SourceRow, _jsonl_lines, _jsonl_utf8, _NotUtf8, read_rows

FORMATS = ("jsonl", "json", "csv", "xlsx")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
ZIP_SIGNATURE = b"PK\x03\x04"  # an .xlsx is a ZIP archive
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files: .xls
# Each process of an import holds a few chunks' worth at once (the block, its rows, their
# stored forms): 500 rows in blocks of 2 MB keep the reading process under 40 MB (2000
# rows in blocks of 8 MB: 80 MB), and are as fast.
BLOCK = 2 << 20  # bytes of JSONL read at a time
CHUNK = 500  # rows validated and stored at a time


@dataclass
class Chunk:
    """Rows read together, and how much of the input reading them took (for progress)."""

    rows: list[SourceRow]
    consumed: int = 0


@dataclass
class Input:
    """One input being read: its name, format and size, and its rows in chunks."""

    name: str
    format: str
    size: int
    chunks: Iterator[Chunk]


def open_input(path: str, forced: str | None, encoding: str | None = None, sheet: str | None = None,
               headers: Headers = PLAIN) -> Input:
    """An input file (or stdin for '-') read chunk by chunk: UTF-8 JSONL in blocks of a few
    megabytes, so that an import of any size holds one block; other formats whole."""
    name = "<stdin>" if path == "-" else path
    try:
        handle = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - closed by the reader
    except IsADirectoryError:
        raise UserError(messages.INPUT_IS_DIR.format(file=path)) from None
    except OSError as exc:
        raise UserError(messages.INPUT_UNREADABLE.format(file=path, reason=exc.strerror or exc)) from None
    try:
        head = handle.read(1 << 16)
        while b"\n" not in head and len(head) < BLOCK:
            more = handle.read(1 << 16)
            if not more:
                break
            head += more
        fmt = format_of(name, head, forced)
        size = _size(handle)
    except BaseException:
        if handle is not sys.stdin.buffer:
            handle.close()
        raise
    if fmt == "jsonl" and encoding is None and not head.startswith(codecs.BOM_UTF8):
        return Input(name, fmt, size, _jsonl_blocks(name, handle, head))
    return Input(name, fmt, size, _whole(name, handle, head, fmt, encoding, sheet, headers))


def _size(handle: Any) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except (OSError, ValueError, AttributeError):
        return 0


def _chunked(rows: Iterable[SourceRow], consumed: int) -> Iterator[Chunk]:
    """Rows in chunks of CHUNK, the input they took counted with the first."""
    chunk: list[SourceRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield Chunk(chunk, consumed)
            chunk, consumed = [], 0
    if chunk or consumed:
        yield Chunk(chunk, consumed)


def _whole(name: str, handle: Any, head: bytes, fmt: str, encoding: str | None, sheet: str | None,
           headers: Headers) -> Iterator[Chunk]:
    try:
        raw = head + handle.read()
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    yield from _chunked(read_rows(name, raw, fmt, encoding, sheet, headers), len(raw))


def _jsonl_blocks(name: str, handle: Any, head: bytes) -> Iterator[Chunk]:
    """UTF-8 JSONL block by block.  Rows are read where they lie in the block, which is
    never copied (copying megabytes costs more than reading them): only the lines that
    straddle two blocks are put together apart."""
    line = 1
    pending = head  # the lines the last block cut (at first: the head the format was told by)
    try:
        while True:
            data = handle.read(BLOCK)
            cut = data.rfind(b"\n") + 1
            if data and cut == 0:  # one line longer than a block: read on
                pending += data
                continue
            split = data.find(b"\n") + 1
            joined = pending + data[:split]
            first = line == 1
            try:
                rows, line = _jsonl_utf8(name, joined, 0, len(joined), line)
                if split < cut:
                    more, line = _jsonl_utf8(name, data, split, cut, line)
                    rows += more
            except _NotUtf8 as exc:
                if not first:
                    raise UserError(messages.JSONL_NOT_UTF8.format(file=name, line=exc.args[0])) from None
                # not UTF-8 from the start (GB18030): read it all and decode it as it is
                whole = joined + data[split:] + handle.read()
                yield from _chunked(_jsonl_lines(name, decode(whole, name, None).split("\n")), len(whole))
                return
            yield from _chunked(rows, len(joined) + cut - split)
            if not data:
                return
            pending = data[cut:]
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def read_input(path: str) -> tuple[str, bytes]:
    """(display name, bytes) of a file or of stdin for '-'."""
    if path == "-":
        return "<stdin>", sys.stdin.buffer.read()
    try:
        return path, Path(path).read_bytes()
    except IsADirectoryError:
        raise UserError(messages.INPUT_IS_DIR.format(file=path)) from None
    except OSError as exc:
        raise UserError(messages.INPUT_UNREADABLE.format(file=path, reason=exc.strerror or exc)) from None


def format_of(name: str, raw: bytes, forced: str | None) -> str:
    if forced:
        if forced not in FORMATS:
            raise UsageError(messages.FORMAT_UNKNOWN.format(value=forced, allowed=", ".join(FORMATS)))
        return forced
    if raw.startswith(OLE2_SIGNATURE):
        raise UserError(messages.XLS_UNSUPPORTED.format(file=name))
    if raw.startswith(ZIP_SIGNATURE):
        return "xlsx"
    suffix = Path(name).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"[":
        return "json"
    if head == b"{":
        # one object spanning the file is JSON; one per line is JSONL
        first_line = raw.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].strip()
        try:
            orjson.loads(first_line)
            return "jsonl"
        except orjson.JSONDecodeError:
            return "json"
    if name == "<stdin>":
        raise UsageError(messages.STDIN_NEEDS_FORMAT)
    return "csv"
