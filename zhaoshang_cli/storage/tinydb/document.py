"""TinyDB storage: orjson on disk, every write an atomic replace, writes batched on demand.

TinyDB reads the whole document for each operation and writes it back.  Inside
``batch()`` the document is read once and written once however many operations run,
so an import of ten thousand records is one file write.  Outside a batch it behaves
like TinyDB's JSONStorage, only crash-safe.
"""

from __future__ import annotations

from contextlib import contextmanager
from itertools import accumulate, chain
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson
from tinydb.storages import Storage

from ... import messages
from ...atomic import atomic_write
from ...errors import StoreError


def load_document(path: Path) -> dict[str, Any]:
    """The parsed store file; {} when it does not exist or is empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise StoreError(messages.STORE_IS_DIR.format(path=path)) from None
    except PermissionError:
        raise StoreError(messages.STORE_UNREADABLE.format(path=path)) from None
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreError(messages.STORE_NOT_JSON.format(path=path, reason=exc)) from None
    if not isinstance(data, dict):
        raise StoreError(messages.STORE_FOREIGN.format(path=path))
    return data


Spans = dict[str, dict[str, tuple[int, int]]]  # table → document id → (start, end) in the file


def dump_document(data: dict[str, Any]) -> tuple[bytes, Spans]:
    """The TinyDB JSON document, and where each document of each table sits in it."""
    if not all(isinstance(t, dict) for t in data.values()):
        return orjson.dumps(data), {}
    parts: list[bytes] = []
    spans: Spans = {}
    for t, (name, table) in enumerate(data.items()):
        parts.append((b"{" if t == 0 else b",") + orjson.dumps(name) + b":{")
        keys = [str(key) for key in table]
        labels = [(b',"' if i else b'"') + key.encode() + b'":' for i, key in enumerate(keys)]
        docs = list(map(orjson.dumps, table.values()))
        base = sum(map(len, parts))
        table_parts = list(chain.from_iterable(zip(labels, docs)))
        ends = list(accumulate(map(len, table_parts), initial=base))
        # ends[2i+1] is where document i starts, ends[2i+2] where it ends
        spans[name] = dict(zip(keys, zip(ends[1::2], ends[2::2])))
        parts += table_parts
        parts.append(b"}")
    parts.append(b"}" if parts else b"{}")
    return b"".join(parts), spans


class AtomicJSONStorage(Storage):
    """A TinyDB storage whose writes replace the file atomically with mode 0600.

    ``commit`` (the store's) receives the serialised document and where each record sits
    in it, and replaces the file itself: it keeps a backup first and writes the listing
    index after.  Without one, the file is simply replaced.
    """

    def __init__(self, path: str | Path, commit: Callable[[bytes, Spans], None] | None = None):
        self.path = Path(path)
        self.commit = commit
        self._cache: dict[str, Any] | None = None
        self._depth = 0
        self._dirty = False

    def read(self) -> dict[str, Any] | None:
        if self._cache is None:
            self._cache = load_document(self.path)
        # TinyDB treats None as "no tables yet"
        return self._cache if self._cache else None

    def write(self, data: dict[str, Any]) -> None:
        self._cache = data
        self._dirty = True
        if self._depth == 0:
            self.flush()

    def flush(self) -> None:
        if not self._dirty or self._cache is None:
            return
        payload, spans = dump_document(self._cache)
        if self.commit is not None:
            self.commit(payload, spans)
        else:
            atomic_write(self.path, payload)
        self._dirty = False

    @contextmanager
    def batch(self) -> Iterator["AtomicJSONStorage"]:
        """Defer writes until the block ends; nothing is written if it raises."""
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            self._dirty = False
            self._cache = None
            raise
        self._depth -= 1
        if self._depth == 0:
            self.flush()

    def discard(self) -> None:
        """Forget pending changes: the end of the batch writes nothing."""
        self._dirty = False

    def close(self) -> None:
        self._cache = None
