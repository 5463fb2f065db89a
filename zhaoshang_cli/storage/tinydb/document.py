"""TinyDB documents as files: read with orjson, written with where each record sits.

The store file (the manifest) and every segment are TinyDB JSON documents, readable with
plain ``TinyDB(path)``.  ``dump_document`` writes one and says where each record's JSON
sits in it, so that the listing index can point at single records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from ... import messages
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
    out = bytearray()
    spans: Spans = {}
    for t, (name, table) in enumerate(data.items()):
        out += (b"{" if t == 0 else b",") + orjson.dumps(name) + b":{"
        where: dict[str, tuple[int, int]] = {}
        for i, (key, doc) in enumerate(table.items()):
            label = str(key)
            out += (b',"' if i else b'"') + label.encode() + b'":'
            start = len(out)
            # appended at once, not kept: a result of orjson holds its whole buffer (8 KB for a
            # record of 500 bytes), so a segment's records kept apart took 16 MB
            out += orjson.dumps(doc)
            where[label] = (start, len(out))
        spans[name] = where
        out += b"}"
    out += b"}" if out else b"{}"
    return bytes(out), spans
