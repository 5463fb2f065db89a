"""Copying one store into another, whatever their backends: TinyDB → PostgreSQL when a team
starts, PostgreSQL → TinyDB for an offline copy, a colleague's file into the team's store.

Records are matched by who they are, never by ID alone: the same identity (versions.py:
a record keeps its uid through every copy), else the same natural key (the same page,
title and date, company and phone).  A source record the target lacks is added under its
own ID when the target never issued that ID, else under a new one (reported ``a1 → a34``;
it keeps its identity, so the next copy finds it again; one whose ID the target issued and
no longer holds is said to be so: it may be a record the target deleted).  A record on
both sides is merged field by field (versions.merge): the change the other side has not
seen wins, a field changed on both sides since each last took the other's records is a
conflict that keeps the target's value unless ``prefer`` says otherwise, and notes and
status moves are merged, never dropped.  A source record with the natural key of another
one (a store written before keys were enforced) is named and not copied.  Records only in
the target are kept.

Everything is written in one transaction of the target, which then records that it took
the source's records; the target's ID counters are raised to the source's (an ID the source
issued and deleted is never issued by the target either) and the settings come along.  A
dry run does all of it and keeps nothing; a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import messages
from ..domain import versions
from ..domain.kind import KINDS, Kind, record_id
from ..domain.versions import UID, Peers, Version, brought, identity, merge
from ..storage.base import Backend, Query, Reader, Record, Writer

_BATCH = 1000


@dataclass
class CopyResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # records only in the target
    renumbered: list[tuple[str, str, bool]] = field(default_factory=list)  # (source ID, target ID, ID held there)
    merged: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (source ID, target ID, fields taken)
    conflicts: list[tuple[str, str, list[str], str]] = field(default_factory=list)  # (…, fields, side kept)
    skipped: list[str] = field(default_factory=list)  # why a source record was not copied
    dry_run: bool = False


class _DryRun(Exception):
    pass


def copy(source: Backend, target: Backend, *, prefer: str | None = None, dry_run: bool = False) -> CopyResult:
    if dry_run and not target.exists():  # the plan against an empty store, made where nothing is kept
        import tempfile

        from ..storage.tinydb.backend import TinyDBBackend

        with tempfile.TemporaryDirectory(prefix="zhaoshang-plan-") as folder:
            return _copy(source, TinyDBBackend(f"{folder}/plan.json"), prefer, dry_run=True)
    return _copy(source, target, prefer, dry_run)


def _copy(source: Backend, target: Backend, prefer: str | None, dry_run: bool) -> CopyResult:
    if not dry_run:
        _identify(source)
    result = CopyResult(dry_run=dry_run)
    settings = dict(source.settings())
    started = versions.now()
    try:
        with source.reading() as reader:
            counters = reader.counters()
            theirs = reader.sync_state()
            with target.writing(rehearsal=dry_run) as txn:
                ours = txn.sync_state()
                peers = Peers(theirs.store, ours.store, ours.took(theirs), theirs.took(ours))
                for kind in KINDS.values():
                    _Kind(reader, txn, kind, result, peers, started, prefer).copy()
                txn.keep_counters(counters)
                if theirs.store and (result.added or result.updated):
                    txn.mark_synced(theirs.store, started)
                if dry_run:
                    raise _DryRun
    except _DryRun:
        return result
    current = target.settings()
    for key, value in settings.items():
        if current.get(key) != value:
            target.change_setting(key, value)
    return result


def _identify(store: Backend) -> None:
    """Give a store made before stores had ids one (a write of nothing else), so that the
    target can record when it took its records; a store that may not be written (a reader
    role) goes on without one, and merges from it judge by times alone."""
    from ..errors import StoreError

    with store.reading() as reader:
        if reader.sync_state().store is not None:
            return
    try:
        with store.writing() as txn:
            txn.mark_identified()
    except StoreError:
        pass


class _Kind:
    """The records of one kind: the target's identities known first, the source's streamed
    in batches and matched by identity, then by natural key."""

    def __init__(self, reader: Reader, txn: Writer, kind: Kind, result: CopyResult, peers: Peers, started: str,
                 prefer: str | None):
        """``peers``: the two stores (versions.merge); ``started``: now."""
        self.reader, self.txn, self.kind, self.result = reader, txn, kind, result
        self.peers, self.started, self.prefer = peers, started, prefer
        self.held: dict[str, int] = {}  # identity → number, of the target's records as they were
        for record in txn.select(Query((kind,), fields=frozenset((UID, "created_at")))):
            self.held[identity(kind, record.number, record.doc)] = record.number
        self.numbers = set(self.held.values())  # the numbers the target's records have
        self.untouched = set(self.numbers)  # target records no source record matched (yet)
        self.matched: dict[int, str] = {}  # target number → the source ID matched to it
        self.keys: dict[tuple[str, ...], str] = {}  # natural keys of the source seen so far → source ID
        self.later: list[int] = []  # source numbers the target issued to other records

    def copy(self) -> None:
        batch: list[Record] = []
        for record in self.reader.select(Query((self.kind,), with_body=True)):
            batch.append(record)
            if len(batch) >= _BATCH:
                self._batch(batch)
                batch = []
        self._batch(batch)
        self.renumber(self.reader.counters().get(self.kind.prefix, 1))
        self.result.kept += len(self.untouched)

    def _batch(self, records: list[Record]) -> None:
        if not records:
            return
        kind = self.kind
        fresh: list[tuple[Record, tuple[str, ...] | None]] = []
        keyed = []
        for record in records:
            key = kind.natural_key(record.doc)
            if key is not None:
                if key in self.keys:
                    self._skip(messages.COPY_DUPLICATE, record, other=self.keys[key])
                    continue
                self.keys[key] = record.id
            keyed.append((record, key))
        lookup = [key for record, key in keyed if key is not None and self._held(record) is None]
        by_key = self.txn.find_keys(kind, lookup) if lookup else {}
        for record, key in keyed:
            number = self._held(record)
            if number is None and key is not None:
                number = by_key.get(key)
            if number is None:
                fresh.append((record, key))
                continue
            if number in self.matched:  # another source record took this one already
                self._skip(messages.COPY_DUPLICATE_MATCHED, record, target=record_id(kind, number),
                                other=self.matched[number])
                continue
            self.matched[number] = record.id
            self.untouched.discard(number)
            self._merge(record, number)
        self._insert(fresh)
        self.txn.checkpoint()

    def _held(self, record: Record) -> int | None:
        return self.held.get(identity(self.kind, record.number, record.doc))

    def _skip(self, template: str, record: Record, **names: str) -> None:
        kind = self.kind
        label = messages.KEY_URL if (kind.natural_key(record.doc) or ("",))[0] == "url" else kind.key_label
        self.result.skipped.append(template.format(id=record.id, key=label, **names))

    def _merge(self, record: Record, number: int) -> None:
        kind, txn = self.kind, self.txn
        stored = txn.get(record_id(kind, number), with_body=kind.has_body)
        merged = merge(kind, Version(record.doc, record.body), Version(stored.doc, stored.body), self.peers,
                       self.prefer, self.started)
        target_id = record_id(kind, number)
        if merged.conflicts:
            kept = "source" if self.prefer == "source" else "target"
            self.result.conflicts.append((record.id, target_id, merged.conflicts, kept))
        if not merged.changed:
            self.result.unchanged += 1
            return
        key = kind.natural_key(merged.doc)
        if key is not None and key != kind.natural_key(stored.doc):
            other = txn.find_key(kind, key)
            if other is not None and other != number:
                self._skip(messages.COPY_KEY_TAKEN, record, target=target_id, other=record_id(kind, other))
                return
        doc = dict(merged.doc)
        if merged.body_changed:
            doc["body"] = merged.body
        txn.update(kind, number, doc)
        self.result.updated += 1
        if merged.taken:
            self.result.merged.append((record.id, target_id, merged.taken))

    def _insert(self, fresh: list[tuple[Record, tuple[str, ...] | None]]) -> None:
        """Add the source records the target lacks under their own IDs, when the target never
        issued them; the others are added last, under new IDs (``renumber``)."""
        if not fresh:
            return
        following = self.txn.counters().get(self.kind.prefix, 1)
        keep = []
        for record, _ in fresh:
            if record.number >= following:
                keep.append(record)
                following = record.number + 1
            else:
                self.later.append(record.number)
        self._add(keep, keep_ids=True)

    def renumber(self, source_next: int) -> None:
        """The source records whose IDs the target issued to others: added under IDs that
        neither store has issued, read again a batch at a time."""
        self.txn.keep_counters({self.kind.prefix: source_next})
        for start in range(0, len(self.later), _BATCH):
            numbers = self.later[start:start + _BATCH]
            self._add([self.reader.get(record_id(self.kind, n), with_body=self.kind.has_body) for n in numbers],
                      keep_ids=False)
            self.txn.checkpoint()

    def _add(self, records: list[Record], keep_ids: bool) -> None:
        if not records:
            return
        kind = self.kind
        docs = []
        for record in records:
            doc = dict(record.doc)
            doc.setdefault(UID, identity(kind, record.number, record.doc))  # found again when renumbered
            brought(kind, doc, self.peers.source, self.started)
            if kind.has_body:
                doc["body"] = record.body or None
            docs.append(doc)
        numbers = self.txn.insert(kind, docs, [r.number for r in records] if keep_ids else None)
        for record, number in zip(records, numbers):
            self.result.added += 1
            if number != record.number:
                held = record.number in self.numbers
                self.result.renumbered.append((record.id, record_id(kind, number), held))


def _pair(source_id: str, target_id: str) -> str:
    return source_id if source_id == target_id else f"{source_id} → {target_id}"


def same_store(first: Backend, second: Backend) -> bool:
    """Whether two stores are one, however each was spelled (a link, another form of the
    URL): copying a store into itself would wait on its own lock."""
    import os

    files, others = first.own_files(), second.own_files()
    if files and others:
        if files[0] == others[0]:
            return True
        try:
            return os.path.samefile(files[0], others[0])
        except OSError:
            return False
    if files or others:
        return False
    return _database(first.describe()) == _database(second.describe())


def _database(url: str) -> tuple[str, int, str]:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    host = parts.hostname or parse_qs(parts.query).get("host", [""])[0] or "localhost"
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    return host.lower(), port, parts.path.lstrip("/")


def lines(result: CopyResult) -> Iterator[str]:
    """What the copy did (or would do) to single records, one line each."""
    for source_id, target_id, held in result.renumbered:
        yield (messages.COPY_RENUMBERED if held else messages.COPY_REISSUED).format(id=source_id, new=target_id)
    for source_id, target_id, fields in result.merged:
        yield messages.COPY_MERGED.format(ids=_pair(source_id, target_id), fields=", ".join(fields))
    for source_id, target_id, fields, kept in result.conflicts:
        other = "source" if kept == "target" else "target"
        yield messages.COPY_CONFLICT.format(ids=_pair(source_id, target_id), fields=", ".join(fields), kept=kept,
                                            other=other)
    yield from result.skipped

