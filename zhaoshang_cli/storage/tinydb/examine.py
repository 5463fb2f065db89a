"""Looking at one committed state of the store (a manifest): its segments, their indexes and
digests, every record, every body.  What doctor reports of the store, what restore asks of
a backup before it puts it back, what repair starts from.  Reads only.

Backups share most of their files with the store, so one ``Look`` reads each segment file
once, and each body once per log generation, however many states it is asked about.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import messages
from ...atomic import file_problem, read_private
from ...domain.kind import KINDS, Kind
from ...errors import StoreError
from . import digests, integrity, text_filter
from .bodies import BodyLog, body_log_of
from .index import BODY
from .manifest import Legacy, Manifest
from .segments import Docs, Entry, SegmentUnreadable, SegmentView, encode, numbers_of

Records = dict[str, dict[int, dict[str, Any]]]  # kind → number → stored document


def segment_name(entry: Entry) -> str:
    return f"{entry.kind.table} {entry.seq} ({entry.file})"


@dataclass
class Segment:
    """What one segment file holds and what is wrong with it."""

    entry: Entry
    docs: Docs | None = None     # None: the file cannot be read
    unreadable: str = ""         # why not, as doctor says it
    reason: str = ""             # why not, in a few words
    outside: list[str] = field(default_factory=list)  # keys that are no number of this segment
    damage: list[integrity.Damage] = field(default_factory=list)
    wrong_count: bool = False
    index_ok: bool = True
    index_missing: bool = False

    @property
    def sound(self) -> bool:
        """Its records can be read as they are, each under its own number."""
        return self.docs is not None and not self.outside and not self.damage

    def records(self) -> dict[int, dict[str, Any]]:
        """Its records that are sound (damaged ones are reported apart)."""
        if self.docs is None:
            return {}
        bad = {d.where for d in self.damage}
        return {int(k): d for k, d in self.docs.items()
                if k not in self.outside and f"{self.entry.kind.prefix}{k}" not in bad and type(d) is dict}

    def troubles(self) -> list[str]:
        """What makes commands fail on it (its record damage aside: see ``damage``)."""
        name = segment_name(self.entry)
        if self.docs is None:
            return [self.unreadable]
        found = []
        if self.outside:
            keys = ", ".join(repr(k) for k in self.outside[:5])
            found.append(messages.DOCTOR_SEGMENT_MISPLACED.format(segment=name, keys=keys))
        if self.wrong_count:
            found.append(messages.DOCTOR_SEGMENT_COUNT.format(segment=name, count=len(self.docs),
                                                              said=self.entry.count))
        if self.index_missing:
            found.append(messages.DOCTOR_INDEX_MISSING.format(segment=name, file=self.entry.index_file))
        elif not self.index_ok:
            found.append(messages.DOCTOR_SEGMENT_INDEX.format(segment=name))
        return found


class Look:
    """Reads of the store's files for one doctor or restore run, each file read once."""

    def __init__(self, backend: Any):
        self.backend = backend
        self.directory: Path = backend.segments_dir
        self._segments: dict[tuple[str, str, int], Segment] = {}
        self._bodies: dict[tuple[str, int], list[str]] = {}  # (segment file, generation) → IDs unreadable

    def segment(self, entry: Entry) -> Segment:
        key = (entry.file, entry.kind.name, entry.count)
        if key not in self._segments:
            self._segments[key] = _segment(self.directory, entry)
        return self._segments[key]

    def segments(self, found: Manifest) -> list[Segment]:
        return [self.segment(e) for kind in KINDS.values() for e in found.of(kind)]

    def records(self, found: Manifest | Legacy) -> Records:
        """Every sound record of a state, by kind and number."""
        records: Records = {kind.name: {} for kind in KINDS.values()}
        if isinstance(found, Legacy):
            for kind in KINDS.values():
                table = found.data.get(kind.table) or {}
                records[kind.name] = {int(k): d for k, d in table.items()
                                      if not integrity.record_damage(kind, k, d)}
            return records
        for segment in self.segments(found):
            records[segment.entry.kind.name].update(segment.records())
        return records

    def unreadable_bodies(self, found: Manifest, log: BodyLog | None = None) -> list[str]:
        """IDs of the records of ``found`` whose body cannot be read from ``log`` (default:
        the log ``found`` names)."""
        log = log or body_log_of(self.backend.side, found.meta)
        generation = int(log.path.name.split(".")[1])
        bad: list[str] = []
        for segment in self.segments(found):
            key = (segment.entry.file, generation)
            if key not in self._bodies:
                self._bodies[key] = unreadable(log, refs(segment.entry.kind, segment.records()))
            bad += self._bodies[key]
        return bad

    def problems(self, found: Manifest | Legacy) -> list[str]:
        """What would make a command fail on this state, its derived files aside (an index or
        digest is written again from the records): unreadable segments, damaged records,
        bodies that cannot be read.  Empty: the state is intact."""
        if isinstance(found, Legacy):
            return [f"{d.where}: {d.problem}" for d in integrity.table_damage(found.data, found.meta["schema"])]
        found_problems = []
        for segment in self.segments(found):
            if segment.docs is None:
                found_problems.append(messages.BACKUP_SEGMENT_UNREADABLE.format(
                    reason=f"{segment_name(segment.entry)}: {segment.reason}"))
            elif segment.outside:
                found_problems.append(segment.troubles()[0])
            found_problems += [f"{d.where}: {d.problem}" for d in segment.damage]
        bad = self.unreadable_bodies(found)
        if bad:
            log = body_log_of(self.backend.side, found.meta)
            found_problems.append(messages.BACKUP_BODIES_UNREADABLE.format(count=len(bad), log=log.path.name,
                                                                           first=bad[0]))
        return found_problems


def _segment(directory: Path, entry: Entry) -> Segment:
    name = segment_name(entry)
    path = directory / entry.file
    problem = file_problem(path)
    if problem:
        return Segment(entry, unreadable=messages.DOCTOR_SEGMENT_UNREADABLE.format(segment=name, reason=problem),
                       reason=problem)
    if not path.exists():
        return Segment(entry, unreadable=messages.DOCTOR_SEGMENT_MISSING.format(segment=name, file=entry.file),
                       reason=messages.FILE_MISSING)
    try:
        docs = SegmentView(directory, entry).all_docs()
    except SegmentUnreadable as exc:
        return Segment(entry, unreadable=messages.DOCTOR_SEGMENT_UNREADABLE.format(segment=name, reason=exc.reason),
                       reason=exc.reason)
    allowed = numbers_of(entry.seq)
    outside = [k for k in docs if not (integrity.is_number_key(k) and int(k) in allowed)]
    damage = [d for k, doc in docs.items() if k not in outside for d in integrity.record_damage(entry.kind, k, doc)]
    state = Segment(entry, docs, outside=outside, damage=damage, wrong_count=len(docs) != entry.count)
    if not outside and all(type(d) is dict for d in docs.values()):
        state.index_ok = _index_fits(directory, entry, docs)
        state.index_missing = not os.path.lexists(directory / entry.index_file)
    return state


def _index_fits(directory: Path, entry: Entry, docs: Docs) -> bool:
    """Whether the index file is the one the records give (indexes written before they
    named their segment are compared without the name)."""
    try:
        actual = read_private(directory / entry.index_file)
        return actual in (encode(entry.kind, docs, name=entry.file)[1], encode(entry.kind, docs)[1])
    except (OSError, StoreError, ValueError, TypeError, OverflowError):
        return False


def refs(kind: Kind, records: dict[int, dict[str, Any]]) -> list[tuple[str, list[int]]]:
    """(ID, body reference) of the records that have one (records left damaged aside)."""
    is_ref = integrity.field_checks(kind)[BODY]
    return [(f"{kind.prefix}{number}", doc[BODY]) for number, doc in records.items()
            if type(doc) is dict and doc.get(BODY) and is_ref(doc[BODY])]


def all_refs(records: Records) -> list[tuple[str, list[int]]]:
    return [ref for name, table in records.items() for ref in refs(KINDS[name], table)]


def unreadable(log: BodyLog, found: list[tuple[str, list[int]]]) -> list[str]:
    """The IDs among ``found`` (ID, body reference) whose body cannot be read from ``log``."""
    if not found:
        return []
    if not log.path.is_file() or file_problem(log.path):
        return [key for key, _ in found]
    try:
        return list(log.check_many(found))
    except (StoreError, OSError):
        return [key for key, _ in found]


def digest_problem(directory: Path, entry: Entry, docs: Docs, log: BodyLog,
                   indexed: bool = False) -> tuple[str, str] | None:
    """What is wrong with a sound segment's text digest: missing (searches are slower), or
    not what its records and bodies give (searches may miss records), as (level, message);
    None when it is right, or when a body cannot be read (reported as such).  Its text
    index, if it has one, must have every pair its rows hold (it may have more: bits of
    records changed since stay set); ``indexed``: the store keeps text indexes, so a
    digest without one is reported too."""
    body_refs = [(int(key), doc[BODY]) for key, doc in docs.items() if isinstance(doc, dict) and doc.get(BODY)]
    name = segment_name(entry)
    try:
        bodies = dict(log.read_many(body_refs))
        rows = digests.rows_of(entry.kind, docs, bodies)
        expected = (digests.encode(rows, entry.file), digests.encode(rows))
    except (StoreError, OSError, TypeError, ValueError):
        return None
    try:
        found = digests.Digest(read_private(directory / entry.digest_file))
    except FileNotFoundError:
        return "warning", messages.DOCTOR_DIGEST_MISSING.format(segment=name)
    except (OSError, StoreError, digests.DigestUnreadable):
        found = None
    if found is None or found.without_index() not in expected:
        return "error", messages.DOCTOR_DIGEST_WRONG.format(segment=name)
    index = found.index
    if index is not None and not text_filter.covers(index, rows):
        return "error", messages.DOCTOR_DIGEST_WRONG.format(segment=name)
    if entry.text_index is not None and entry.text_index != found.index_bits:  # searches read where it says
        return "error", messages.DOCTOR_DIGEST_WRONG.format(segment=name)
    if index is None and indexed:
        return "warning", messages.DOCTOR_TEXT_INDEX_MISSING.format(segment=name)
    if index is not None and text_filter.crowded(index):
        return "warning", messages.DOCTOR_TEXT_INDEX_CROWDED.format(segment=name)
    return None
