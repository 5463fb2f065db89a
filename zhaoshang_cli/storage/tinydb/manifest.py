"""The store file itself: a small TinyDB document naming the segments and keeping the meta.

    {"_meta":    {"1": {"app": "zhaoshang-cli", "schema": 4, "next": {"a": 12, …}, "log": 1,
                        "bodies": "json"}},
     "segments": {"1": {"kind": "article", "seq": 0, "file": "articles.000000.3f2a9c1d.json",
                        "count": 2048}, …}}

Replacing this file is the commit point of every write.  A store of schema 3 or older is
one big document holding the records themselves (``Legacy``); it is read as it is and
split into segments by its first write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ... import messages
from ...domain.kind import KINDS, Kind
from ...errors import StoreError
from ...patterns import lazy
from ..base import SyncState
from ..migrations import FILE_FORMAT, NAMES, unknown
from . import integrity, migrations
from .document import load_document
from .integrity import META, Damage
from .segments import DIGEST_SUFFIX, INDEX_SUFFIX, Entry

APP = "zhaoshang-cli"
SCHEMA = FILE_FORMAT  # 4: records in segments; 1-3: one document (storage/migrations.py)
SEGMENTS = "segments"
_FILE = lazy(r"[a-z][a-z0-9_]*\.\d{6}\.[0-9a-f]{8}\.json")


def new_meta() -> dict[str, Any]:
    from ...domain.versions import new_uid

    return {"app": APP, "schema": SCHEMA, "migrations": list(NAMES), "id": new_uid(),
            "next": {k.prefix: 1 for k in KINDS.values()}, "log": 1, "bodies": "json"}


def sync_state(meta: Mapping[str, Any]) -> SyncState:
    """The store's id and the stores it matched, as its meta holds them ({} if damaged)."""
    synced = meta.get("synced")
    synced = {k: v for k, v in synced.items() if type(v) is str} if type(synced) is dict else {}
    store = meta.get("id")
    return SyncState(store if type(store) is str else None, synced)


class StoreDamaged(StoreError):
    """A file of ours that is valid JSON but damaged inside; ``problems`` lists each repair."""

    def __init__(self, path: Path, problems: list[Damage]):
        self.problems = problems
        first = problems[0]
        more = messages.STORE_DAMAGED_MORE.format(count=len(problems) - 1) if len(problems) > 1 else ""
        super().__init__(messages.STORE_DAMAGED.format(path=path, where=first.where, problem=first.problem,
                                                       more=more))


def read_meta(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The meta of a document that claims to be ours; StoreError if it is another program's or too new."""
    meta = data.get(META)
    meta = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or meta.get("app") != APP:
        raise StoreError(messages.STORE_FOREIGN.format(path=path))
    if type(meta.get("schema")) is not int or meta["schema"] < 1:
        raise StoreError(messages.STORE_SCHEMA_DAMAGED.format(path=path, value=meta.get("schema")))
    newer = unknown(migrations.applied(meta))
    if meta["schema"] > SCHEMA or newer:
        found = ", ".join(newer) if newer else f"schema {meta['schema']}"
        raise StoreError(messages.STORE_TOO_NEW.format(path=path, found=found, supported=SCHEMA))
    return meta


@dataclass
class Manifest:
    meta: dict[str, Any]
    entries: dict[tuple[str, int], Entry] = field(default_factory=dict)
    foreign: list[dict[str, Any]] = field(default_factory=list)  # segments of kinds this program lacks

    def of(self, kind: Kind) -> list[Entry]:
        return sorted((e for (name, _), e in self.entries.items() if name == kind.name), key=lambda e: e.seq)

    def files(self) -> set[str]:
        names = set()
        for entry in self.entries.values():
            names |= {entry.file, entry.index_file, entry.digest_file}
        for raw in self.foreign:
            names |= {raw["file"], raw["file"][:-5] + INDEX_SUFFIX, raw["file"][:-5] + DIGEST_SUFFIX}
        return names

    def count(self, kind: Kind) -> int:
        return sum(e.count for e in self.of(kind))

    def dump(self) -> bytes:
        rows: list[dict[str, Any]] = [e.as_json() for kind in KINDS.values() for e in self.of(kind)]
        rows += self.foreign
        return orjson.dumps({META: {"1": self.meta}, SEGMENTS: {str(i): row for i, row in enumerate(rows, 1)}})


@dataclass
class Legacy:
    """A store of schema 3 or older: the whole document, migrated in memory to schema 3."""

    data: dict[str, Any]
    meta: dict[str, Any]


def parse(data: dict[str, Any], path: Path, log_generations: list[int] | None = None) -> Manifest | Legacy:
    """The store file's content; StoreError when it is not ours, StoreDamaged when damaged."""
    if not data:
        return Manifest(new_meta())
    meta = read_meta(data, path)
    problems = integrity.meta_damage(data, meta, log_generations or [])
    if meta["schema"] < SCHEMA:
        problems += integrity.table_damage(data, meta["schema"])
        if problems:
            raise StoreDamaged(path, problems)
        migrations.upgrade(data, meta)
        return Legacy(data, meta)
    entries, foreign, bad = entries_of(data.get(SEGMENTS))
    problems += bad
    if problems:
        raise StoreDamaged(path, problems)
    return Manifest(meta, entries, foreign)


def entries_of(table: Any) -> tuple[dict[tuple[str, int], Entry], list[dict[str, Any]], list[Damage]]:
    entries: dict[tuple[str, int], Entry] = {}
    foreign: list[dict[str, Any]] = []
    bad: list[Damage] = []
    if table is None:
        return entries, foreign, bad
    if type(table) is not dict:
        return entries, foreign, [Damage(SEGMENTS, messages.DAMAGE_TABLE.format(table=SEGMENTS), _drop_segments)]
    for key, row in table.items():
        ok = (type(row) is dict and type(row.get("kind")) is str and type(row.get("seq")) is int
              and row["seq"] >= 0 and type(row.get("file")) is str and _FILE.fullmatch(row["file"]) is not None
              and type(row.get("count")) is int and row["count"] >= 0)
        if not ok:
            bad.append(Damage(f"{SEGMENTS}[{key!r}]", messages.DAMAGE_SEGMENT_ENTRY.format(
                value=integrity.short(row)), _drop_entry(key)))
            continue
        table_of_file, seq_of_file = row["file"].split(".")[:2]
        owner = next((k for k in KINDS.values() if k.table == table_of_file), None)
        kind = KINDS.get(row["kind"])
        if owner is not None and owner is not kind:  # an entry naming another kind's file
            bad.append(Damage(f"{SEGMENTS}[{key!r}]", messages.DAMAGE_SEGMENT_KIND.format(
                kind=row["kind"], file=row["file"], owner=owner.plural), _mend_entry(key, "kind", owner.name)))
            continue
        if kind is None:
            foreign.append(row)
            continue
        if int(seq_of_file) != row["seq"]:
            bad.append(Damage(f"{SEGMENTS}[{key!r}]", messages.DAMAGE_SEGMENT_SEQ.format(
                seq=row["seq"], file=row["file"], other=int(seq_of_file)), _mend_entry(key, "seq", int(seq_of_file))))
            continue
        if (kind.name, row["seq"]) in entries:
            bad.append(Damage(f"{SEGMENTS}[{key!r}]", messages.DAMAGE_SEGMENT_TWICE.format(
                kind=kind.plural, seq=row["seq"]), _drop_entry(key)))
            continue
        sizes = row.get("sizes")
        fitting = type(sizes) is list and len(sizes) == 3 and all(type(n) is int and n >= 0 for n in sizes)
        bits = row.get("text_index")
        entries[(kind.name, row["seq"])] = Entry(kind, row["seq"], row["file"], row["count"],
                                                 tuple(sizes) if fitting else None,
                                                 row["sum"] if type(row.get("sum")) is str else None,
                                                 bits if type(bits) is int and 3 <= bits <= 32 else None)
    return entries, foreign, bad


def _mend_entry(key: str, name: str, value: Any) -> Callable[[dict[str, Any]], str]:
    def repair(doc: dict[str, Any]) -> str:
        row = doc[SEGMENTS][key]
        old, row[name] = row.get(name), value
        return messages.REPAIR_SEGMENT_ENTRY_MENDED.format(file=row["file"], name=name, old=old, new=value)

    return repair


def _drop_segments(doc: dict[str, Any]) -> str:
    doc[SEGMENTS] = {}
    return messages.REPAIR_TABLE.format(table=SEGMENTS)


def _drop_entry(key: str) -> Callable[[dict[str, Any]], str]:
    def repair(doc: dict[str, Any]) -> str:
        row = doc[SEGMENTS].pop(key, None)
        return messages.REPAIR_SEGMENT_ENTRY.format(value=integrity.short(row))

    return repair


def load(path: Path, log_generations: list[int] | None = None) -> Manifest | Legacy:
    return parse(load_document(path), path, log_generations)
