"""A listing index beside the TinyDB file: the columns queries filter on, and where each
document sits in the file.

Parsing a 100k-record TinyDB file takes most of a second; reading this index takes a
few milliseconds.  It holds, per kind, one array per column (record number, region
code, date as YYYYMMDD, the document's byte span in the TinyDB file, and for leads
status, amount (its lower end, its upper end and its currency) and follow-up date).  A query filters the arrays, sorts, cuts to
``--limit`` and parses only the documents it shows.

The index is derived data: it is rewritten after every store write and carries the
stat stamp (inode, size, mtime) of the file it describes.  A missing or stale index
(a crash between the two writes) is ignored and the TinyDB file is read instead.
"""

from __future__ import annotations

import os
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ...atomic import atomic_write
from ...domain.kind import KINDS
from ...domain.lead import LEAD, STATUSES
from ...domain.values import CURRENCIES

FORMAT = 3  # 2: a zone column; 3: the amount's upper end and currency
MAGIC = b"ZSIDX\n"
_COLUMNS = (("n", "q"), ("region", "i"), ("zone", "h"), ("date", "i"), ("start", "q"), ("end", "q"))
_LEAD_COLUMNS = (("status", "b"), ("amount", "q"), ("amount_high", "q"), ("currency", "b"), ("due", "i"))
_STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
_CURRENCY_CODE = {c: i for i, c in enumerate(CURRENCIES)}  # 0: yuan, stored as no currency at all
_FIELD_OF_COLUMN = {"region": "region_code", "zone": "zone", "date": "date", "status": "status", "amount": "amount",
                    "amount_high": "amount_high", "currency": "currency", "due": "due"}


def day_number(iso: str | None) -> int:
    """2025-07-17 → 20250717 (0 for none): dates compare as integers."""
    return int(iso[0:4] + iso[5:7] + iso[8:10]) if iso else 0


def day_text(number: int) -> str | None:
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}" if number else None


def stamp(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_ino, st.st_size, st.st_mtime_ns]


@dataclass
class KindIndex:
    columns: dict[str, array]
    zones: list[str]  # the zone column holds 1 + a position in this list (0: no zone)

    def __len__(self) -> int:
        return len(self.columns["n"])

    @property
    def fields(self) -> frozenset[str]:
        """The document fields its stubs hold (when the record has them)."""
        return frozenset(_FIELD_OF_COLUMN[c] for c in self.columns if c in _FIELD_OF_COLUMN)

    def position(self, number: int) -> int | None:
        try:
            return self.columns["n"].index(number)
        except ValueError:
            return None

    def stub(self, i: int) -> dict[str, Any]:
        """The indexed fields of row ``i`` as a stored document would hold them."""
        c = self.columns
        region = c["region"][i]
        doc: dict[str, Any] = {"_at": i}
        if region:
            doc["region_code"] = f"{region:06d}"
        zone = c["zone"][i]
        if zone:
            doc["zone"] = self.zones[zone - 1]
        date = c["date"][i]
        if date:
            doc["date"] = day_text(date)
        if "status" in c:
            status = c["status"][i]
            if status >= 0:
                doc["status"] = STATUSES[status]
            amount = c["amount"][i]
            if amount >= 0:
                doc["amount"] = amount
            high = c["amount_high"][i]
            if high >= 0:
                doc["amount_high"] = high
            currency = c["currency"][i]
            if currency > 0:
                doc["currency"] = CURRENCIES[currency]
            due = c["due"][i]
            if due:
                doc["due"] = day_text(due)
        return doc


@dataclass
class Index:
    meta: dict[str, Any]
    kinds: dict[str, KindIndex]


def build(data: dict[str, Any], spans: dict[str, dict[str, tuple[int, int]]], meta: dict[str, Any],
          file_stamp: list[int]) -> bytes:
    zones: dict[str, int] = {}
    header: dict[str, Any] = {"format": FORMAT, "byteorder": sys.byteorder, "stamp": file_stamp, "meta": meta,
                              "kinds": {}, "zones": zones}
    blobs: list[bytes] = []
    for kind in KINDS.values():
        table = data.get(kind.table, {})
        where = spans.get(kind.table, {})
        docs = list(table.values())
        columns = _COLUMNS + (_LEAD_COLUMNS if kind is LEAD else ())
        arrays = {
            "n": array("q", map(int, table)),
            "region": array("i", [int(d.get("region_code") or 0) for d in docs]),
            "zone": array("h", [zones.setdefault(d["zone"], len(zones) + 1) if d.get("zone") else 0 for d in docs]),
            "date": array("i", [day_number(d.get("date")) for d in docs]),
            "start": array("q", [where[k][0] for k in table]),
            "end": array("q", [where[k][1] for k in table]),
        }
        if kind is LEAD:
            arrays["status"] = array("b", [_STATUS_CODE.get(d.get("status", ""), -1) for d in docs])
            arrays["amount"] = array("q", [d.get("amount", -1) for d in docs])
            arrays["amount_high"] = array("q", [d.get("amount_high", -1) for d in docs])
            arrays["currency"] = array("b", [_CURRENCY_CODE.get(d.get("currency", ""), 0) for d in docs])
            arrays["due"] = array("i", [day_number(d.get("due")) for d in docs])
        header["kinds"][kind.table] = [[name, code, len(table)] for name, code in columns]
        blobs += [arrays[name].tobytes() for name, _ in columns]
    header["zones"] = list(zones)
    return MAGIC + orjson.dumps(header) + b"\n" + b"".join(blobs)


def write(path: Path, data: dict[str, Any], spans: dict[str, dict[str, tuple[int, int]]],
          meta: dict[str, Any], store_file: Path) -> None:
    atomic_write(path, build(data, spans, meta, stamp(store_file)))


def load(path: Path, store_file: Path, schema: int) -> Index | None:
    """The index, if it describes exactly the current store file; else None."""
    try:
        raw = path.read_bytes()
        current = stamp(store_file)
    except OSError:
        return None
    if not raw.startswith(MAGIC):
        return None
    newline = raw.find(b"\n", len(MAGIC))
    try:
        header = orjson.loads(raw[len(MAGIC):newline])
    except orjson.JSONDecodeError:
        return None
    if (header.get("format") != FORMAT or header.get("stamp") != current or header.get("byteorder") != sys.byteorder
            or header.get("meta", {}).get("schema") != schema):
        return None
    view = memoryview(raw)[newline + 1:]
    kinds: dict[str, KindIndex] = {}
    at = 0
    try:
        for table, columns in header["kinds"].items():
            arrays = {}
            for name, code, rows in columns:
                column = array(code)
                size = rows * column.itemsize
                column.frombytes(view[at:at + size])
                at += size
                arrays[name] = column
            kinds[table] = KindIndex(arrays, list(header["zones"]))
    except (ValueError, KeyError, TypeError):
        return None
    if at != len(view):
        return None
    return Index(header["meta"], kinds)
