"""A write transaction of the TinyDB backend: records changed in their segments, in memory
until the segment is written to a new file, all of it made visible by one manifest.

Only the segments a write touches are read and written again: one ``add`` costs one
segment (a few thousand records), whatever the size of the store.  Each touched segment
is a TinyDB database in memory (TinyDB's own table operations insert, replace and remove
its documents); ``checkpoint()`` writes the touched segments out and forgets them, so an
import of any size holds one chunk and a few segments at a time.  Bodies go to the body
log.  Nothing is visible to readers until the store commits the new manifest; on failure
the files this transaction wrote are deleted and the body log is cut back.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document

from ... import messages
from ...domain import dates
from ...domain.kind import Kind, kind_of_id
from ...errors import StoreError, UserError
from ..base import Query, Record, next_number
from .bodies import Appender, BodyLog, Ref
from .engine import Engine
from .index import BODY, key_hash
from .manifest import SCHEMA, Manifest
from .segments import Docs, Entry, SegmentUnreadable, SegmentView, encode, new_file_name, seq_of, write_new

class _Segment:
    """One touched segment: a TinyDB database in memory over its documents."""

    def __init__(self, kind: Kind, docs: Docs):
        self.kind = kind
        self.db = TinyDB(storage=MemoryStorage)
        self.db.storage.write({kind.table: docs})
        self.table = self.db.table(kind.table, cache_size=0)

    def docs(self) -> Docs:
        return self.db.storage.read().get(self.kind.table, {})  # type: ignore[union-attr]


def _check(entry: Entry, docs: Docs) -> None:
    """A segment about to be changed must hold sound records of its own range: a damaged one
    is refused (doctor mends it) rather than written again with its damage."""
    from .integrity import record_damage
    from .segments import numbers_of

    allowed = numbers_of(entry.seq)
    for key, doc in docs.items():
        problems = record_damage(entry.kind, key, doc)
        if problems:
            raise SegmentUnreadable(f"{entry.file}: {problems[0].where}: {problems[0].problem}")
        if int(key) not in allowed:
            raise SegmentUnreadable(messages.DOCTOR_SEGMENT_MISPLACED.format(
                segment=f"{entry.kind.table} {entry.seq} ({entry.file})", keys=key))


def split_id(record_id: str) -> tuple[Kind, int]:
    from ...domain.values import parse_record_id

    rid = parse_record_id(record_id)
    kind = kind_of_id(rid)
    assert kind is not None  # parse_record_id accepts the prefixes of known kinds only
    return kind, int(rid[1:])


class Transaction:
    def __init__(self, directory: Path, manifest: Manifest, log: BodyLog):
        self.directory = directory          # STORE.d/segments
        self.manifest = manifest            # changed in place; committed by the store
        self.log = log
        self.touched: dict[tuple[str, int], _Segment] = {}
        self.written: list[Path] = []       # files of this transaction, deleted if it fails
        self.appender: Appender | None = None
        self.changed = False
        self._keys: dict[str, dict[int, list[int]]] = {}  # kind → natural key hash → numbers

    @property
    def meta(self) -> dict[str, Any]:
        return self.manifest.meta

    # -- reading (the transaction's own changes included) -----------------------------------
    def engine(self) -> Engine:
        views = {kind_name: [] for kind_name, _ in self.manifest.entries}
        for (name, _), entry in sorted(self.manifest.entries.items(), key=lambda item: item[0]):
            views.setdefault(name, []).append(SegmentView(self.directory, entry))
        return Engine(views, self.log)

    def _segment(self, kind: Kind, seq: int) -> _Segment:
        found = self.touched.get((kind.name, seq))
        if found is None:
            entry = self.manifest.entries.get((kind.name, seq))
            docs = SegmentView(self.directory, entry).all_docs() if entry else {}
            if entry is not None:
                _check(entry, docs)
            found = self.touched[(kind.name, seq)] = _Segment(kind, docs)
        return found

    def get(self, record_id: str, with_body: bool = True) -> Record:
        kind, number = split_id(record_id)
        if (kind.name, seq_of(number)) in self.touched:
            doc = self._segment(kind, seq_of(number)).docs().get(str(number))
            if doc is None:
                raise UserError(messages.RECORD_NOT_FOUND.format(id=record_id))
            doc = dict(doc)
            ref = doc.pop(BODY, None)
            body = self.log.read(ref) if with_body and ref else None
            return Record(kind, number, doc, body)
        record = self.engine().get(kind, number, with_body)
        if record is None:
            raise UserError(messages.RECORD_NOT_FOUND.format(id=record_id))
        return record

    def select(self, query: Query) -> Iterator[Record]:
        self.checkpoint()  # the engine reads what is on disk
        return self.engine().select(query)

    def count(self, query: Query) -> int:
        self.checkpoint()
        return self.engine().count(query)

    def counters(self) -> dict[str, int]:
        return dict(self.meta["next"])

    def find_key(self, kind: Kind, key: tuple[str, ...]) -> int | None:
        return self.find_keys(kind, [key]).get(key)

    def find_keys(self, kind: Kind, keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        """The stored records with these natural keys (one hash table per kind and
        transaction; a hash that matches is checked against the document)."""
        table = self._key_table(kind)
        found: dict[tuple[str, ...], int] = {}
        candidates: dict[int, list[tuple[str, ...]]] = {}
        for key in keys:
            for number in table.get(key_hash(key), ()):
                candidates.setdefault(number, []).append(key)
        for number in sorted(candidates):
            doc = self._segment_doc(kind, number)
            if doc is not None:
                actual = kind.natural_key(doc)
                for key in candidates[number]:
                    if key == actual:
                        found.setdefault(key, number)
        return found

    def _segment_doc(self, kind: Kind, number: int) -> dict[str, Any] | None:
        if (kind.name, seq_of(number)) in self.touched:
            return self._segment(kind, seq_of(number)).docs().get(str(number))
        record = self.engine().get(kind, number, with_body=False)
        return record.doc if record else None

    def _key_table(self, kind: Kind) -> dict[int, list[int]]:
        table = self._keys.get(kind.name)
        if table is None:
            table = {}
            for entry in self.manifest.of(kind):
                if (kind.name, entry.seq) in self.touched:
                    continue
                arrays = SegmentView(self.directory, entry).index().arrays
                for hashed, number in zip(arrays["key"], arrays["n"]):
                    if hashed:
                        table.setdefault(hashed, []).append(number)
            for (name, _), segment in self.touched.items():
                if name == kind.name:
                    for key, doc in segment.docs().items():
                        self._remember(table, kind, int(key), doc)
            self._keys[kind.name] = table
        return table

    @staticmethod
    def _remember(table: dict[int, list[int]], kind: Kind, number: int, doc: Mapping[str, Any]) -> None:
        hashed = key_hash(kind.natural_key(doc))
        if hashed:
            table.setdefault(hashed, []).append(number)

    # -- writing ----------------------------------------------------------------------------
    def insert(self, kind: Kind, docs: Sequence[dict[str, Any]], numbers: Sequence[int | None] | None = None,
               now: str | None = None) -> list[int]:
        now = now or dates.now_iso()
        counters = self.meta["next"]
        ready: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        bodies: list[Any] = []
        holders: list[dict[str, Any]] = []
        used: list[int] = []
        for i, doc in enumerate(docs):
            number = next_number(counters, kind, numbers[i] if numbers else None)
            doc = dict(doc)
            body = doc.pop("body", None)
            doc.setdefault("created_at", now)
            doc.setdefault("updated_at", doc["created_at"])
            if body:
                bodies.append(body)
                holders.append(doc)
            ready.setdefault(seq_of(number), []).append((number, doc))
            used.append(number)
        for holder, ref in zip(holders, self._append(bodies)):
            holder[BODY] = ref
        table = self._keys.get(kind.name)
        for seq, items in ready.items():
            segment = self._segment(kind, seq)
            segment.table.insert_multiple(Document(doc, doc_id=number) for number, doc in items)
            if table is not None:
                for number, doc in items:
                    self._remember(table, kind, number, doc)
        self.changed = self.changed or bool(used)
        return used

    def update(self, kind: Kind, number: int, doc: dict[str, Any]) -> None:
        segment = self._segment(kind, seq_of(number))
        old = segment.docs().get(str(number))
        if old is None:
            raise UserError(messages.RECORD_NOT_FOUND.format(id=f"{kind.prefix}{number}"))
        new = dict(doc)
        body = new.pop("body", None)
        new.pop(BODY, None)
        if body:
            [new[BODY]] = self._append([body])
        elif old.get(BODY) and "body" not in doc:
            new[BODY] = old[BODY]
        segment.table.remove(doc_ids=[number])
        segment.table.insert(Document(new, doc_id=number))
        if kind.name in self._keys:
            self._remember(self._keys[kind.name], kind, number, new)
        self.changed = True

    def remove(self, kind: Kind, numbers: Sequence[int]) -> None:
        by_seq: dict[int, list[int]] = {}
        for number in numbers:
            by_seq.setdefault(seq_of(number), []).append(number)
        for seq, items in by_seq.items():
            self._segment(kind, seq).table.remove(doc_ids=items)
        self.changed = self.changed or bool(numbers)

    def _append(self, bodies: list[Any]) -> list[Ref]:
        if not bodies:
            return []
        if self.appender is None:
            self.appender = Appender(self.log)
        return self.appender.append(bodies)

    def checkpoint(self) -> None:
        """Write every touched segment (and its index) to new files, and forget them."""
        for (name, seq), segment in list(self.touched.items()):
            kind = segment.kind
            docs = segment.docs()
            key = (name, seq)
            if docs:
                file = new_file_name(kind, seq)
                payload, index = encode(kind, docs)
                for name, data in ((file, payload), (file[:-5] + ".idx", index)):
                    self.written.append(self.directory / name)  # taken back if the write fails half-way
                    write_new(self.directory, name, data)
                self.manifest.entries[key] = Entry(kind, seq, file, len(docs))
            else:
                self.manifest.entries.pop(key, None)
            del self.touched[key]

    def replace_manifest(self, other: Manifest, counters: Mapping[str, int] | None = None) -> None:
        """Put another manifest's segments in place (restore, repair).  ID counters never go
        back: each is the highest of the current one, the other's and ``counters``."""
        self.touched.clear()
        self._keys.clear()
        merged = dict(other.meta, schema=SCHEMA)
        merged["next"] = {prefix: max(self.meta["next"].get(prefix, 1), other.meta["next"].get(prefix, 1),
                                      (counters or {}).get(prefix, 1))
                          for prefix in {*self.meta["next"], *other.meta["next"], *(counters or {})}}
        self.manifest.meta = merged
        self.manifest.entries = dict(other.entries)
        self.manifest.foreign = list(other.foreign)
        self.changed = True

    # -- the end ----------------------------------------------------------------------------
    def finish(self) -> None:
        """Bodies in the log (fsynced), touched segments on disk: ready to commit."""
        self.checkpoint()
        if self.appender is not None:
            self.appender.wait()

    def rollback(self) -> None:
        """Take back what a failed transaction left: appended bodies, files it wrote."""
        if self.appender is not None:
            try:
                self.appender.rollback()
            except Exception:  # noqa: BLE001 - a log that cannot be cut back is no reason to keep the rest
                pass
        for path in self.written:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.written.clear()

    def segment_views(self, kind: Kind) -> list[SegmentView]:
        return [SegmentView(self.directory, e) for e in self.manifest.of(kind)]


def body_log_of(side: Path, meta: Mapping[str, Any]) -> BodyLog:
    return BodyLog(side / f"bodies.{meta['log']}.log", meta.get("bodies") == "json")
