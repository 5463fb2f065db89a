"""Segments: each kind's records split by number into TinyDB files of a few thousand.

Segment ``s`` of a kind holds the records numbered ``s*SIZE+1 … (s+1)*SIZE``.  Each is a
TinyDB document with one table (``TinyDB(path).table("articles")`` reads it), written
whole to a new file with a name of its own, with its listing index and its text digest
beside it, and never changed afterwards: a write makes new files for the segments it changes, and the
manifest (the store file) naming the new set is the commit.  So one write rewrites one
segment, whatever the size of the store, and a kept manifest is a whole backup.

A ``SegmentView`` is read access to one segment: its index, the documents at some of its
rows (read by their byte spans, each checked to sit under its own number), its text
digest for text search.  A store of schema 3 or older (one big document) is read through
in-memory views of the same kind until its first write turns it into segments.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ... import messages
from ...atomic import naming, open_private, read_private, read_spans, write_all
from ...domain.kind import Kind
from ...errors import StoreError
from .digests import Digest, DigestUnreadable, ruled_out
from .document import dump_document
from .index import MAGIC, SegmentIndex, build, numbers_at, numbers_with, parse
from .text_filter import Asked

SIZE = 2048
SUFFIX = ".json"
INDEX_SUFFIX = ".idx"
DIGEST_SUFFIX = ".txt"  # the text digest (digests.py)
_HEAD = 16384  # bytes read first from an index file: its header, and often its numbers

Docs = dict[str, dict[str, Any]]  # number (as TinyDB keys it) → stored document

# Indexes held in memory at once, the most recently read: a command reads each segment's
# index as it goes, and holding every one would grow with the store (60 MB at a million
# articles).  Files are immutable, so one dropped is read again as it was.
RESIDENT_INDEXES = 48
_resident: dict[SegmentView, None] = {}  # the views holding their index, least recently read first


def seq_of(number: int) -> int:
    return (number - 1) // SIZE


def numbers_of(seq: int) -> range:
    return range(seq * SIZE + 1, (seq + 1) * SIZE + 1)


def may_hold(seq: int, digits: str) -> bool:
    """Whether segment ``seq`` may hold numbers written starting with ``digits`` (12: 12,
    120…129, 1200…1299, …)."""
    if not digits:
        return True
    if not digits.isdigit() or digits[0] == "0":
        return False
    first, last, start = seq * SIZE + 1, (seq + 1) * SIZE, int(digits)
    scale = 1
    while start * scale <= last:
        if (start + 1) * scale - 1 >= first:
            return True
        scale *= 10
    return False


@dataclass(frozen=True)
class Entry:
    """A segment as the manifest names it."""

    kind: Kind
    seq: int
    file: str
    count: int
    sizes: tuple[int, int, int] | None = None  # of the segment, its index and digest, as written
    sum: str | None = None  # a hash of the segment file as written (file_sum)
    text_index: int | None = None  # the bits of its digest's text index (which ends the digest), if it has one

    @property
    def index_file(self) -> str:
        return self.file[: -len(SUFFIX)] + INDEX_SUFFIX

    @property
    def digest_file(self) -> str:
        return self.file[: -len(SUFFIX)] + DIGEST_SUFFIX

    @property
    def files(self) -> tuple[str, str, str]:
        return self.file, self.index_file, self.digest_file

    def as_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {"kind": self.kind.name, "seq": self.seq, "file": self.file, "count": self.count}
        if self.sizes is not None:
            row["sizes"] = list(self.sizes)
        if self.sum is not None:
            row["sum"] = self.sum
        if self.text_index is not None:
            row["text_index"] = self.text_index
        return row


def new_file_name(kind: Kind, seq: int) -> str:
    """A name no other segment file ever had: written files are never overwritten."""
    import secrets  # here: readers never name a file, and it brings hashlib

    return f"{kind.table}.{seq:06d}.{secrets.token_hex(4)}{SUFFIX}"


def encode(kind: Kind, docs: Docs, keys: Mapping[int, int] | None = None,
           name: str | None = None) -> tuple[bytes, bytes]:
    """(the segment file, its index) for ``docs`` in number order (``keys``: natural key
    hashes known already, by number; ``name``: the segment file's, stated by its index)."""
    ordered = {key: docs[key] for key in sorted(docs, key=int)}
    payload, spans = dump_document({kind.table: ordered})
    return payload, build(kind, ordered, spans.get(kind.table, {}), keys, name)


def file_sum(data: bytes) -> str:
    """What a segment file's manifest entry says of its bytes, to tell it changed since."""
    import hashlib  # here: readers never need it

    return hashlib.blake2b(data, digest_size=8).hexdigest()


def write_new(directory: Path, name: str, data: bytes) -> Path:
    """Write a file that must not exist yet (O_EXCL), fsynced; its directory is synced by the caller."""
    path = directory / name
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with naming(path):
            write_all(fd, data)
            os.fsync(fd)
    finally:
        os.close(fd)
    return path


class SegmentUnreadable(StoreError):
    """A segment or its index that cannot be read as written (missing, cut, damaged)."""

    def __init__(self, reason: str):
        super().__init__(messages.SEGMENT_UNREADABLE.format(reason=reason))
        self.reason = reason


class SegmentView:
    """Read access to one committed segment file and its index."""

    def __init__(self, directory: Path, entry: Entry):
        self.directory = directory
        self.entry = entry
        self.kind = entry.kind
        self._index: SegmentIndex | None = None
        self._ruled: tuple[Asked, bool] | None = None  # the last answer of ruled_out

    @property
    def path(self) -> Path:
        return self.directory / self.entry.file

    def index(self) -> SegmentIndex:
        index = self._index
        if index is None:
            try:
                raw = read_private(self.directory / self.entry.index_file)
                index = parse(raw, self.kind, self.entry.file)
            except Exception as exc:  # noqa: BLE001 - a missing, linked or damaged index file alike
                raise SegmentUnreadable(f"{self.entry.index_file}: {_reason(exc)}") from None
            self._fits(len(index))
            self._index = index
            while len(_resident) >= RESIDENT_INDEXES:
                oldest = next(iter(_resident))
                del _resident[oldest]
                oldest._index = None
        else:
            _resident.pop(self, None)
        _resident[self] = None
        return index

    def narrowed(self, rows: Sequence[int]) -> tuple[SegmentView, list[int]]:
        """A view of the same segment whose index holds only ``rows`` (ascending), and where
        each of them is in it."""
        return _Narrowed(self, self.index().take(rows)), list(range(len(rows)))

    def _fits(self, rows: int) -> None:
        """An index must hold as many records as the store file says its segment holds."""
        if rows != self.entry.count:
            raise SegmentUnreadable(messages.SEGMENT_INDEX_ROWS.format(
                file=self.entry.index_file, rows=rows, count=self.entry.count))

    def numbers(self) -> array:
        """The record numbers of the segment, read from its index without the other columns
        (shell completion reads every segment's)."""
        if self._index is not None:
            return self._index.arrays["n"]
        try:
            with os.fdopen(open_private(self.directory / self.entry.index_file, os.O_RDONLY), "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                head = handle.read(_HEAD)
                if b"\n" not in head[len(MAGIC):]:  # a header longer than usual
                    head += handle.read()
                start, rows = numbers_at(head, size, self.kind, self.entry.file)
                handle.seek(start)
                found = array("q")
                found.frombytes(handle.read(8 * rows))
        except Exception as exc:  # noqa: BLE001 - a missing, linked or damaged index file alike
            raise SegmentUnreadable(f"{self.entry.index_file}: {_reason(exc)}") from None
        if len(found) != rows:
            raise SegmentUnreadable(f"{self.entry.index_file}: cut short")
        self._fits(rows)
        return found

    def numbers_with_keys(self, hashes: Iterable[int]) -> dict[int, list[int]]:
        """{natural key hash: numbers} of the records with one of these key hashes."""
        if self._index is not None:
            arrays = self._index.arrays
            wanted = set(hashes)
            found: dict[int, list[int]] = {}
            for hashed, number in zip(arrays["key"], arrays["n"]):
                if hashed in wanted:
                    found.setdefault(hashed, []).append(number)
            return found
        try:
            raw = read_private(self.directory / self.entry.index_file)
            return numbers_with(raw, self.kind, "key", hashes, self.entry.file)
        except Exception as exc:  # noqa: BLE001 - a missing, linked or damaged index file alike
            raise SegmentUnreadable(f"{self.entry.index_file}: {_reason(exc)}") from None

    def open(self) -> BinaryIO | None:
        """The segment file, for ``docs_at`` calls that follow one another."""
        try:
            return os.fdopen(open_private(self.path, os.O_RDONLY), "rb")
        except OSError as exc:
            raise SegmentUnreadable(f"{self.entry.file}: {exc}") from None

    def docs_at(self, positions: Iterable[int], handle: BinaryIO | None = None) -> list[dict[str, Any]]:
        """The stored documents at index rows ``positions``, in that order (read through
        ``handle``, the file ``open`` gave, if there is one)."""
        if handle is None:
            with self.open() as own:  # type: ignore[union-attr]
                return self.docs_at(positions, own)
        index = self.index()
        numbers, starts, ends = index.arrays["n"], index.arrays["start"], index.arrays["end"]
        docs = []
        positions = list(positions)
        labels = [b'"%d":' % numbers[at] for at in positions]
        try:
            spans = read_spans(handle.fileno(), ((starts[at] - len(label), ends[at] - starts[at] + len(label))
                                                 for at, label in zip(positions, labels)))
            for at, label, raw in zip(positions, labels, spans):
                start = starts[at]
                if start < len(label) or not raw.startswith(label):
                    raise SegmentUnreadable(f"{self.entry.file}: row {at} is not record {numbers[at]}")
                doc = orjson.loads(raw[len(label):])
                if type(doc) is not dict:
                    raise SegmentUnreadable(f"{self.entry.file}: record {numbers[at]} is not an object")
                docs.append(doc)
        except (OSError, orjson.JSONDecodeError) as exc:
            raise SegmentUnreadable(f"{self.entry.file}: {exc}") from None
        return docs

    def all_docs(self) -> Docs:
        """Every document of the segment (a write changing it, an export reading all)."""
        try:
            data = orjson.loads(read_private(self.path))
            docs = data[self.kind.table]
        except Exception as exc:  # noqa: BLE001 - missing, linked, cut or foreign alike
            raise SegmentUnreadable(f"{self.entry.file}: {exc}") from None
        if type(docs) is not dict:
            raise SegmentUnreadable(f"{self.entry.file}: no table {self.kind.table}")
        return docs

    def digest(self) -> Digest | None:
        """The segment's text digest read whole (a write keeps the rows it does not change);
        None when there is none, or none that fits the segment."""
        try:
            return self._fitting(Digest(read_private(self.directory / self.entry.digest_file), segment=self.entry.file))
        except (OSError, StoreError, DigestUnreadable):
            return None

    def digest_by_rows(self) -> Digest | None:
        """The text digest for searches of a few rows, which read just those rows' bytes: a
        map holds the 64 KB around every row touched, and a search of a few rows of every
        segment touches them all.  No file stays open between its searches."""
        path = self.directory / self.entry.digest_file
        try:
            return self._fitting(Digest(None, lambda: open_private(path, os.O_RDONLY), self.entry.file))
        except (OSError, StoreError, DigestUnreadable):
            return None

    def ruled_out(self, asked: Asked) -> bool:
        """Whether the segment's text index shows it cannot hold the needle ``asked`` is of
        (text_filter.py); False when it has none."""
        if self._ruled is None or self._ruled[0].parities != asked.parities:
            path = os.path.join(self.directory, self.entry.digest_file)  # a Path's join costs more than the read
            entry = self.entry
            where = (entry.sizes[2], entry.text_index) if entry.sizes and entry.text_index else None
            self._ruled = asked, ruled_out(path, entry.file, asked, where)
        return self._ruled[1]

    def _fitting(self, digest: Digest) -> Digest | None:
        """``digest`` if it has a row for each of the segment's records (else it is of no use)."""
        return digest if digest.rows == len(self.index()) else None


class _Narrowed(SegmentView):
    """A segment seen through some rows of its index, which it keeps (``narrowed``)."""

    def __init__(self, whole: SegmentView, index: SegmentIndex):
        super().__init__(whole.directory, whole.entry)
        self._index = index

    def index(self) -> SegmentIndex:
        return self._index  # type: ignore[return-value]  # never dropped: it cannot be read again


class MemoryView(SegmentView):
    """A segment of a store not yet split (schema 3 and older): its documents in memory."""

    def __init__(self, kind: Kind, seq: int, docs: Mapping[str, dict[str, Any]]):
        self.kind = kind
        _, index = encode(kind, dict(docs))
        self.entry = Entry(kind, seq, f"(memory {kind.table} {seq})", len(docs))
        self._index = parse(index, kind)
        self._docs = dict(docs)

    def index(self) -> SegmentIndex:
        return self._index  # type: ignore[return-value]  # built with the view, never dropped

    def narrowed(self, rows: Sequence[int]) -> tuple[SegmentView, list[int]]:
        return self, list(rows)  # in memory already

    def open(self) -> None:
        return None  # nothing to open: the documents are in memory

    def docs_at(self, positions: Iterable[int], handle: BinaryIO | None = None) -> list[dict[str, Any]]:
        numbers = self._index.arrays["n"]  # type: ignore[union-attr]
        return [dict(self._docs[str(numbers[at])]) for at in positions]

    def all_docs(self) -> Docs:
        return {key: dict(doc) for key, doc in self._docs.items()}

    def digest(self) -> Digest | None:
        return None

    def digest_by_rows(self) -> Digest | None:
        return None  # searched slowly: such a store is split into segments by its first write

    def ruled_out(self, asked: Asked) -> bool:
        return False


def _reason(exc: Exception) -> str:
    """What went wrong reading a file of the store, as a user reads it."""
    if isinstance(exc, FileNotFoundError):
        return messages.FILE_MISSING
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    if isinstance(exc, StoreError):
        return exc.message
    return str(exc) or type(exc).__name__


def split(kind: Kind, table: Mapping[str, dict[str, Any]]) -> dict[int, Docs]:
    """A whole table's documents by segment."""
    by_seq: dict[int, Docs] = {}
    for key, doc in table.items():
        by_seq.setdefault(seq_of(int(key)), {})[key] = doc
    return by_seq
