"""A write transaction of the TinyDB backend: records changed in their segments, in memory
until the segment is written to a new file, all of it made visible by one manifest.

Only the segments a write touches are read and written again: one ``add`` costs one
segment (a few thousand records), whatever the size of the store.  Each touched segment
is held in memory (touched.py); ``checkpoint()`` writes the touched segments out and
forgets them, so an import of any size holds one chunk and a few segments at a time.
Bodies go to the body log.  Nothing is visible to readers until the store commits the new
manifest; on failure the files this transaction wrote are deleted and the body log is cut
back.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tinydb.table import Document

from ... import messages
from ...domain import dates
from ...domain.body import planes_of
from ...domain.changes import ChangeQuery
from ...domain.kind import Kind
from ...domain.people import current_user
from ...domain.search import Planes, planes, record_planes
from ...errors import StoreError, UserError
from ..base import Query, Record, SyncState, Tally, new_document, next_number, split_id, tally_records
from . import change_log, digests, text_filter
from .bodies import Appender, BodyLog, Ref, body_log_of
from .engine import Engine
from .index import BODY
from .key_table import KeyTable
from .keys import NaturalKeys
from .manifest import SCHEMA, Manifest
from .segments import (
    Docs,
    Entry,
    SegmentView,
    encode,
    file_sum,
    new_file_name,
    numbers_of,
    seq_of,
    write_new,
)
from .touched import _Segment


class Transaction(NaturalKeys):
    def __init__(self, directory: Path, manifest: Manifest, log: BodyLog):
        self.directory = directory          # STORE.d/segments
        self.manifest = manifest            # changed in place; committed by the store
        self.log = log
        self.touched: dict[tuple[str, int], _Segment] = {}
        self.written: list[Path] = []       # files of this transaction, deleted if it fails
        self.appender: Appender | None = None
        self.change_appender: change_log.ChangeAppender | None = None
        self.changed = False
        self._keys: dict[str, KeyTable] = {}  # kind → natural key hash → numbers
        self._own: set[str] = set()  # segment files this transaction wrote
        self._engine: Engine | None = None
        self.lenient = False  # a repair's: a body that cannot be read leaves its record's digest without it
        self.may_shrink = False  # a repair that left every body readable may record a shorter log

    @property
    def meta(self) -> dict[str, Any]:
        return self.manifest.meta

    # -- reading (the transaction's own changes included) -----------------------------------
    def engine(self) -> Engine:
        """A reader of the segments on disk, kept until a checkpoint or a restore changes
        which they are (each segment's index is then read once, not once per record)."""
        if self._engine is None:
            self._engine = self._new_engine()
        return self._engine

    def _new_engine(self) -> Engine:
        views: dict[str, list[SegmentView]] = {kind_name: [] for kind_name, _ in self.manifest.entries}
        for (name, _), entry in sorted(self.manifest.entries.items(), key=lambda item: item[0]):
            views.setdefault(name, []).append(SegmentView(self.directory, entry))
        return Engine(views, self.log, bool(self.meta.get(text_filter.SETTING)))

    def _segment(self, kind: Kind, seq: int) -> _Segment:
        found = self.touched.get((kind.name, seq))
        if found is None:
            entry = self.manifest.entries.get((kind.name, seq))
            # a segment this transaction wrote itself is sound: it is not checked again
            found = (_Segment.read(SegmentView(self.directory, entry), check=entry.file not in self._own)
                     if entry else _Segment(kind, {}))
            self.touched[(kind.name, seq)] = found
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
        self.checkpoint(everything=True)  # the engine reads what is on disk
        return self.engine().select(query)

    def count(self, query: Query) -> int:
        self.checkpoint(everything=True)
        return self.engine().count(query)

    def tally(self, query: Query, keys: Sequence[str], months: Collection[str] = ()) -> Tally:
        return tally_records(self, query, keys, months)

    def counters(self) -> dict[str, int]:
        return dict(self.meta["next"])

    def changes(self, query: ChangeQuery) -> Iterator[dict[str, Any]]:
        """The committed change log (this transaction's own entries are not in it yet)."""
        return change_log.read(change_log.log_path(self.directory.parent), change_log.committed_end(self.meta), query)

    def log_changes(self, entries: Sequence[Mapping[str, Any]]) -> None:
        if not entries:
            return
        if self.change_appender is None:
            self.change_appender = change_log.ChangeAppender(change_log.log_path(self.directory.parent),
                                                             change_log.committed_end(self.meta))
        self.change_appender.add(entries)
        self.changed = True

    def _body_planes(self, ref: Ref) -> Planes:
        """The searched form of a stored body (one appended by this transaction included)."""
        return planes(self.log.read(ref))

    # -- writing ----------------------------------------------------------------------------
    def insert(self, kind: Kind, docs: Sequence[dict[str, Any]], numbers: Sequence[int | None] | None = None,
               now: str | None = None) -> list[int]:
        now = now or dates.now_iso()
        by = current_user()
        counters = self.meta["next"]
        ready: dict[int, list[tuple[int, dict[str, Any], Planes | None]]] = {}
        bodies: list[Any] = []
        holders: list[dict[str, Any]] = []
        used: list[int] = []
        for i, doc in enumerate(docs):
            number = next_number(counters, kind, numbers[i] if numbers else None)
            doc = new_document(doc, now, by)
            body = doc.pop("body", None)
            if body:
                bodies.append(body)
                holders.append(doc)
            ready.setdefault(seq_of(number), []).append((number, doc, planes_of(body) if body else None))
            used.append(number)
        for holder, ref in zip(holders, self._append(bodies)):
            holder[BODY] = ref
        for seq, items in ready.items():
            segment = self._segment(kind, seq)
            held = segment.docs()
            taken = next((number for number, _, _ in items if str(number) in held), None)
            if taken is not None:  # the counters were set back behind the store's back
                raise StoreError(messages.STORE_COUNTER_BEHIND.format(id=f"{kind.prefix}{taken}", kind=kind.plural))
            segment.table.insert_multiple(Document(doc, doc_id=number) for number, doc, _ in items)
            for number, doc, body in items:
                self._noted(segment, number, doc, body)
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
        searched: Planes | None = None
        if body:
            searched = planes_of(body)
            [new[BODY]] = self._append([body])
        elif old.get(BODY) and "body" not in doc:
            new[BODY] = old[BODY]
            searched = self._body_planes(old[BODY])
        segment.table.remove(doc_ids=[number])
        segment.table.insert(Document(new, doc_id=number))
        self._noted(segment, number, new, searched)
        self.changed = True

    def remove(self, kind: Kind, numbers: Sequence[int]) -> None:
        by_seq: dict[int, list[int]] = {}
        for number in numbers:
            by_seq.setdefault(seq_of(number), []).append(number)
        for seq, items in by_seq.items():
            segment = self._segment(kind, seq)
            segment.table.remove(doc_ids=items)
            for number in items:
                segment.keys.pop(number, None)
                segment.texts.pop(number, None)
        self.changed = self.changed or bool(numbers)

    def keep_counters(self, counters: Mapping[str, int]) -> None:
        """Raise the next numbers to at least ``counters`` (a copy keeps the IDs its source issued)."""
        for prefix, number in counters.items():
            if number > self.meta["next"].get(prefix, 1):
                self.meta["next"][prefix] = number
                self.changed = True

    def sync_state(self) -> SyncState:
        from .manifest import sync_state

        return sync_state(self.meta)

    def mark_identified(self) -> None:
        from ...domain.versions import new_uid

        if type(self.meta.get("id")) is not str:
            self.meta["id"] = new_uid()
        self.changed = True  # (writing() gave one already, to be saved with the next change)

    def mark_synced(self, other: str, at: str) -> None:
        self.mark_identified()
        synced = self.meta.get("synced")
        self.meta["synced"] = {**(synced if type(synced) is dict else {}), other: at}
        self.changed = True

    def _append(self, bodies: list[Any]) -> list[Ref]:
        if not bodies:
            return []
        if self.appender is None:
            self.appender = Appender(self.log)
        refs = self.appender.append(bodies)
        if self.log.token is not None:
            self.meta["log_token"] = self.log.token  # a new log's header names it
        return refs

    def checkpoint(self, everything: bool = False) -> None:
        """Write touched segments (with index and digest) to new files, and forget them.  The
        last segment of a kind stays while it is not full, unless ``everything``: an import
        fills it with its next chunk instead of reading it back."""
        if self.change_appender is not None:
            self.change_appender.flush()
        tails: dict[str, int] = {}
        if not everything:
            for name, seq in [*self.touched, *self.manifest.entries]:
                tails[name] = max(tails.get(name, -1), seq)
        for (name, seq), segment in list(self.touched.items()):
            kind = segment.kind
            docs = segment.docs()
            key = (name, seq)
            if tails.get(name) == seq and 0 < len(docs) < len(numbers_of(seq)):
                continue
            if docs:
                file = new_file_name(kind, seq)
                payload, index = encode(kind, docs, segment.keys, file)
                rows = self._texts(segment, docs)
                text_index = self._text_index(segment, docs, rows)
                digest = digests.encode(rows, file, text_index)
                entry = Entry(kind, seq, file, len(docs), (len(payload), len(index), len(digest)), file_sum(payload),
                              text_index[0] if text_index else None)
                for name, data in ((entry.file, payload), (entry.index_file, index), (entry.digest_file, digest)):
                    self.written.append(self.directory / name)  # taken back if the write fails half-way
                    write_new(self.directory, name, data)
                self._own.add(entry.file)
                self.manifest.entries[key] = entry
            else:
                self.manifest.entries.pop(key, None)
            del self.touched[key]
            self._engine = None

    def _texts(self, segment: _Segment, docs: Docs) -> list[Planes]:
        """The searched text of each record in number order; what is not known yet (a
        segment written before there were digests) is worked out from its body."""
        numbers = sorted(map(int, docs))
        missing = [n for n in numbers if n not in segment.texts]
        if missing:
            refs = [(n, docs[str(n)][BODY]) for n in missing if docs[str(n)].get(BODY)]
            bodies = self._bodies(refs)
            for n in missing:
                body = bodies.get(n)
                segment.texts[n] = record_planes(segment.kind, docs[str(n)], planes(body) if body is not None else None)
        return [segment.texts[n] for n in numbers]

    def _text_index(self, segment: _Segment, docs: Docs, rows: list[Planes]) -> text_filter.Filter | None:
        """The text index a segment is written with, in a store that keeps them: the one it
        had with the rows written since set, or, if it had none, the one its rows give."""
        if not self.meta.get(text_filter.SETTING):
            return None
        if segment.index is None:
            return text_filter.build(rows)
        indexed, texts = segment.indexed, segment.texts
        index = text_filter.extended(segment.index, (texts[int(key)] for key in docs
                                                     if indexed.get(int(key)) is not texts[int(key)]))
        return text_filter.build(rows) if text_filter.crowded(index) else index

    def _bodies(self, refs: list[tuple[int, Ref]]) -> dict[int, str]:
        """The bodies at ``refs``; one that cannot be read fails the write, unless the
        transaction is a repair's, which goes on without it (and says so itself)."""
        if not refs:
            return {}
        try:
            return dict(self.log.read_many(refs))
        except StoreError:
            if not self.lenient:
                raise
        found = {}
        for n, ref in refs:
            try:
                found[n] = self.log.read(ref)
            except StoreError:
                continue
        return found

    def replace_manifest(self, other: Manifest, counters: Mapping[str, int] | None = None) -> None:
        """Put another manifest's segments in place (restore, repair).  ID counters never go
        back: each is the highest of the current one, the other's and ``counters``."""
        self.touched.clear()
        self._keys.clear()
        self._engine = None
        merged = dict(other.meta, schema=SCHEMA)
        for key in ("id", "synced", change_log.END):  # who the store is, whom it matched, what was done stay
            if key in self.meta:
                merged[key] = self.meta[key]
        merged.pop(text_filter.SETTING, None)  # and whether it keeps text indexes (doctor writes those missing)
        if self.meta.get(text_filter.SETTING):
            merged[text_filter.SETTING] = self.meta[text_filter.SETTING]
        merged["next"] = {prefix: max(self.meta["next"].get(prefix, 1), other.meta["next"].get(prefix, 1),
                                      (counters or {}).get(prefix, 1))
                          for prefix in {*self.meta["next"], *other.meta["next"], *(counters or {})}}
        self.manifest.meta = merged
        self.log = body_log_of(self.directory.parent, merged)  # (called before anything is appended)
        self.manifest.entries = dict(other.entries)
        self.manifest.foreign = list(other.foreign)
        self.changed = True

    # -- the end ----------------------------------------------------------------------------
    def finish(self) -> None:
        """Bodies in the log (fsynced), touched segments on disk: ready to commit."""
        self.checkpoint(everything=True)
        if self.appender is not None:
            self.appender.sync()
        if self.change_appender is not None:
            self.change_appender.flush(sync=True)
            self.meta[change_log.END] = self.change_appender.end

    def rollback(self) -> None:
        """Take back what a failed transaction left: appended bodies, files it wrote."""
        for appender in (self.appender, self.change_appender):
            if appender is not None:
                try:
                    appender.rollback()
                except OSError:  # a log that cannot be cut back is no reason to keep the rest
                    pass
        for path in self.written:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.written.clear()

    def segment_views(self, kind: Kind) -> list[SegmentView]:
        return [SegmentView(self.directory, e) for e in self.manifest.of(kind)]
