"""``doctor --fix``: mend what can be mended, and never destroy what can still be read.

* What is derived is written again: indexes and digests from the records, the ID
  counters from the records and every version of the store file.
* Before anything is declared missing, intact data is looked for: another version of a
  segment in the segments folder (backups name earlier ones), another body log generation
  holding every body, a record's body as a backup holds it.  A missing or unreadable store
  file is rebuilt from the segment files.
* What cannot be read is moved aside into ``STORE.d/set-aside/`` (a segment file replaced
  or dropped is linked there first), never deleted, and the store keeps referring to it
  unless ``drop_unreadable``: only then are references dropped, each loss said.  A value of
  the wrong type moves into the record's extra fields; a record under a key that is no
  number of its segment is moved to its own number, or to a new one.
* While anything stays unresolved, nothing old is pruned after the repair commits.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ... import messages
from ...atomic import make_private_dir
from ...domain.kind import KINDS, Kind, record_id
from ...errors import StoreError
from . import integrity, text_filter
from . import manifest as manifests
from . import side as sides
from .bodies import body_log_of
from .doctor import own_files
from .document import load_document
from .examine import Look, digest_problem, refs, segment_name, unreadable
from .index import BODY
from .manifest import Manifest
from .repair_bodies import BodyRepairs
from .segments import SIZE, Docs, Entry, SegmentView, numbers_of, seq_of
from .tidy import before_lock, set_aside, settings_aside, tidy_side
from .touched import _Segment
from .writer import Transaction


def repair(backend: Any, drop_unreadable: bool = False) -> tuple[list[str], list[str]]:
    """Mend the store; returns (one line per thing done, set aside or dropped; one line per
    thing left as it is because it cannot be read and was not to be dropped)."""
    backend.check_side_is_ours()  # a folder someone else made is never tidied
    actions = before_lock(backend)
    temps = sides.temp_files(backend.path, backend.side)
    with backend.writing(replacing=True) as txn:
        actions += tidy_side(backend) + settings_aside(backend)
        txn.lenient = True
        fixer = _Fixer(backend, txn, drop_unreadable)
        fixer.run()
        actions += fixer.actions
        # a sound store is left as it is: only a repair (or counters to save) is written
        txn.changed = bool(actions) or fixer.migrated or backend.read_counters() != txn.meta["next"]
        txn.may_shrink = not fixer.unresolved
        if fixer.unresolved:
            backend.hold_pruning = True
    if temps:
        actions.append(messages.REPAIR_TEMP_FILES.format(count=len(temps)))
    for path in own_files(backend):
        try:
            if path.is_file() and not path.is_symlink() and os.lstat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
                actions.append(messages.REPAIR_MODE.format(path=path))
        except OSError:
            pass
    actions.append(messages.DOCTOR_REWRITTEN if txn.changed else messages.DOCTOR_NOTHING_TO_MEND)
    return actions, fixer.unresolved


def rewrite_derived(backend: Any, txn: Transaction, look: Look) -> list[str]:
    """Write again the segments of ``txn``'s state whose index or digest does not fit their
    records (the records are kept as they are)."""
    actions = []
    for (name, seq), entry in sorted(txn.manifest.entries.items()):
        segment = look.segment(entry)
        if not segment.sound or segment.wrong_count:
            continue
        if not segment.index_ok or digest_problem(backend.segments_dir, entry, segment.docs or {}, txn.log,
                                                  bool(txn.meta.get(text_filter.SETTING))):
            txn.touched[(name, seq)] = _Segment(entry.kind, dict(segment.docs or {}))
            actions.append(messages.REPAIR_DERIVED.format(segment=segment_name(entry)))
    txn.checkpoint(everything=True)
    return actions


class _Fixer(BodyRepairs):
    def __init__(self, backend: Any, txn: Transaction, drop: bool):
        self.backend, self.txn, self.drop = backend, txn, drop
        self.look = Look(backend)
        self.actions: list[str] = []
        self.unresolved: list[str] = []
        self.lost_entries = False  # an entry was dropped as malformed: its segment is looked for
        self.moving: list[tuple[Kind, str, dict[str, Any]]] = []  # records moved out of a segment's range
        self.recovered: dict[tuple[str, int], tuple[str, str]] = {}  # bodies found for references that were none
        self.dropped_segments = False
        self.migrated = False  # a store of one document split into segments: written whatever else

    def run(self) -> None:
        self.start()
        self.counters()
        self.segments()
        self.counters()
        self.bodies()
        self.actions += rewrite_derived(self.backend, self.txn, Look(self.backend))
        self.log_tail()
        if not self.unresolved:
            self.compact()

    # -- the store file ------------------------------------------------------------------------
    def start(self) -> None:
        from .rewrite import migrate

        backend, txn = self.backend, self.txn
        try:
            data = load_document(backend.path)
        except StoreError:
            data = {}  # not JSON at all: set aside by the commit, rebuilt here
        if not data:
            self.rebuild()
            return
        if _infer_schema(data):
            self.actions.append(messages.REPAIR_SCHEMA.format(schema=manifests.SCHEMA))
        meta = manifests.read_meta(data, backend.path)  # another program's or a newer store: refused
        for problem in integrity.meta_damage(data, meta, backend.log_generations()):
            self.actions.append(problem.repair(data))
        if meta["schema"] < manifests.SCHEMA:  # one old document: mend it, then split it
            for problem in integrity.table_damage(data, meta["schema"]):
                self.actions.append(problem.repair(data))
            legacy = manifests.parse(data, backend.path)
            txn.replace_manifest(Manifest(legacy.meta))
            migrate(txn, legacy)  # type: ignore[arg-type]
            self.migrated = True
            return
        for _ in range(3):  # a mended entry may turn out a duplicate of another
            entries, foreign, bad = manifests.entries_of(data.get(manifests.SEGMENTS))
            if not bad:
                break
            self.lost_entries = True  # a segment whose entry is dropped is looked for in the folder
            for problem in bad:
                self.actions.append(problem.repair(data))
        txn.replace_manifest(Manifest(dict(meta), entries, foreign))

    def rebuild(self) -> None:
        """A store file from the segment files in the folder: for each segment, the newest
        version that reads whole."""
        meta = manifests.new_meta()
        meta["log"] = max(self.backend.log_generations(), default=1)
        log = body_log_of(self.backend.side, meta)
        if log.header_token() is not None:
            meta["log_token"] = log.token = log.header_token()
        self.txn.log = log  # the versions whose bodies read from it are preferred
        entries: dict[tuple[str, int], Entry] = {}
        for (kind, seq), versions in sorted(self._versions().items(), key=lambda item: (item[0][0].name, item[0][1])):
            found = self._readable(kind, seq, versions)
            if found is not None:
                entries[(kind.name, seq)] = found[0]
        self.txn.replace_manifest(Manifest(meta, entries))
        self.actions.append(messages.REPAIR_REBUILT.format(path=self.backend.path, count=len(entries),
                                                           folder=self.backend.segments_dir))

    def _versions(self) -> dict[tuple[Kind, int], list[str]]:
        """Segment files in the folder by (kind, segment), newest first."""
        found: dict[tuple[Kind, int], list[tuple[float, str]]] = {}
        tables = {k.table: k for k in KINDS.values()}
        try:
            names = os.listdir(self.backend.segments_dir)
        except OSError:
            return {}
        for name in names:
            match = sides.SEGMENT_NAME.fullmatch(name)
            if not match or match[3] != "json" or match[1] not in tables:
                continue
            try:
                st = os.lstat(self.backend.segments_dir / name)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.setdefault((tables[match[1]], int(match[2])), []).append((st.st_mtime, name))
        return {key: [n for _, n in sorted(files, reverse=True)] for key, files in found.items()}

    def _readable(self, kind: Kind, seq: int, files: list[str]) -> tuple[Entry, Docs] | None:
        """The first of ``files`` (newest first) whose records read whole, each in the
        segment's range, and whose bodies read from the store's body log; failing that, the
        first whose records read (its bodies are then looked for like any unreadable one)."""
        fallback = None
        for file in files:
            try:
                docs = SegmentView(self.backend.segments_dir, Entry(kind, seq, file, 0)).all_docs()
            except StoreError:
                continue
            allowed = numbers_of(seq)
            if docs and all(integrity.is_number_key(k) and int(k) in allowed and type(d) is dict
                            for k, d in docs.items()):
                found = Entry(kind, seq, file, len(docs)), docs
                if not unreadable(self.txn.log, refs(kind, {int(k): d for k, d in docs.items()})):
                    return found
                fallback = fallback or found
        return fallback

    # -- ID counters ----------------------------------------------------------------------------
    def counters(self) -> None:
        """Past every ID stored, and every ID any version of the store ever issued."""
        txn, backend = self.txn, self.backend
        highest = dict(backend.read_counters())
        for kept in backend.kept_manifests():
            for prefix, number in kept.meta["next"].items():
                highest[prefix] = max(highest.get(prefix, 1), number)
        for (name, _), entry in txn.manifest.entries.items():
            kind = KINDS[name]
            numbers = [int(k) for k in self.look.segment(entry).records()]
            highest[kind.prefix] = max(highest.get(kind.prefix, 1), max(numbers, default=0) + 1)
        for (name, _), segment in txn.touched.items():
            kind = KINDS[name]
            highest[kind.prefix] = max(highest.get(kind.prefix, 1), max(map(int, segment.docs()), default=0) + 1)
        for kind in KINDS.values():
            following = txn.meta["next"].get(kind.prefix, 1)
            if following < highest.get(kind.prefix, 1):
                txn.meta["next"][kind.prefix] = highest[kind.prefix]
                self.actions.append(messages.REPAIR_COUNTER.format(kind=kind.plural, next=highest[kind.prefix]))

    # -- segments -------------------------------------------------------------------------------
    def segments(self) -> None:
        txn = self.txn
        for (_name, _seq), entry in sorted(txn.manifest.entries.items()):
            segment = self.look.segment(entry)
            if segment.docs is None:
                self._unreadable(entry, segment.reason)
            elif segment.outside or segment.damage or segment.wrong_count:
                self._mend(entry, segment.docs)
        if self.lost_entries:
            self._lost_segments()
        self._place_moved()
        txn.checkpoint(everything=True)

    def _unreadable(self, entry: Entry, why: str) -> None:
        """A segment whose file cannot be read: another version of it, else kept (or dropped)."""
        txn, key = self.txn, (entry.kind.name, entry.seq)
        others = [f for f in self._versions().get((entry.kind, entry.seq), []) if f != entry.file]
        found = self._readable(entry.kind, entry.seq, others)
        path = self.backend.segments_dir / entry.file
        if found is not None:
            other, docs = found
            if os.path.lexists(path):
                self.actions.append(messages.REPAIR_SET_ASIDE.format(path=path, to=set_aside(self.backend, path)))
            del txn.manifest.entries[key]
            txn.touched[key] = _Segment(entry.kind, docs)
            self.actions.append(messages.REPAIR_SEGMENT_VERSION.format(
                segment=segment_name(entry), why=why, other=other.file, count=other.count,
                when=_when(self.backend.segments_dir / other.file)))
            return
        first, last = numbers_of(entry.seq)[0], numbers_of(entry.seq)[-1]
        ids = f"{record_id(entry.kind, first)}–{record_id(entry.kind, last)}"
        if not self.drop:
            self.unresolved.append(messages.REPAIR_SEGMENT_KEPT.format(segment=segment_name(entry), why=why,
                                                                       count=entry.count, ids=ids))
            return
        aside = set_aside(self.backend, path) if os.path.lexists(path) else None
        del txn.manifest.entries[key]
        self.dropped_segments = True
        self.actions.append(messages.REPAIR_SEGMENT_DROPPED.format(
            segment=segment_name(entry), count=entry.count, ids=ids, why=why,
            kept=messages.REPAIR_KEPT_AT.format(path=aside) if aside else ""))

    def _mend(self, entry: Entry, stored: Docs) -> None:
        """A segment that reads, with records out of place or damaged inside.  Its file is
        kept aside first; a value that is no record is kept there too, in a file of its own,
        and a body reference that is none is replaced by the body a backup holds, if any."""
        kind, txn = entry.kind, self.txn
        path = self.backend.segments_dir / entry.file
        self.actions.append(messages.REPAIR_SET_ASIDE.format(path=path, to=set_aside(self.backend, path, keep=True)))
        docs = {k: (dict(d) if type(d) is dict else d) for k, d in stored.items()}
        for key in [k for k, d in docs.items() if type(d) is not dict]:
            kept = self._keep_value(kind, key, docs.pop(key))
            self.actions.append(messages.REPAIR_RECORD_ASIDE.format(table=kind.table, key=key, to=kept))
        is_ref = integrity.field_checks(kind)[BODY]
        for key, doc in docs.items():
            if BODY in doc and not is_ref(doc[BODY]) and integrity.is_number_key(key):
                found = self._body_elsewhere(kind, int(key), None)
                if found is not None:
                    doc.pop(BODY)
                    self.recovered[(kind.name, int(key))] = found
        allowed = numbers_of(entry.seq)
        for key in [k for k in docs if not (integrity.is_number_key(k) and int(k) in allowed)]:
            self.moving.append((kind, key, docs.pop(key)))
        wrapped = {kind.table: docs}
        for key in list(docs):
            for damage in integrity.record_damage(kind, key, docs[key]):
                self.actions.append(damage.repair(wrapped))
        del txn.manifest.entries[(kind.name, entry.seq)]
        txn.touched[(kind.name, entry.seq)] = _Segment(kind, wrapped[kind.table])
        self.actions.append(messages.REPAIR_SEGMENT.format(what=segment_name(entry)))

    def _keep_value(self, kind: Kind, key: str, value: Any) -> Path:
        """A stored value that is no record, written to a file of its own in the set-aside folder."""
        import orjson

        from ...atomic import atomic_write

        folder = self.backend.side / sides.SET_ASIDE
        make_private_dir(folder)
        target = folder / f"{kind.table}[{key}].{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
        atomic_write(target, orjson.dumps(value))
        return target

    def _place_moved(self) -> None:
        """Records taken out of a segment that does not hold their number: under their own
        number when it is free, else under a new one."""
        from tinydb.table import Document

        for kind, key, doc in self.moving:
            number = int(key) if key.isdigit() and int(key) > 0 else None
            segment = self.txn._segment(kind, seq_of(number)) if number else None
            if number is None or segment is None or str(number) in segment.docs():
                number = self.txn.meta["next"].get(kind.prefix, 1)
                self.txn.meta["next"][kind.prefix] = number + 1
                segment = self.txn._segment(kind, seq_of(number))
            wrapped = {kind.table: {str(number): doc}}
            for damage in integrity.record_damage(kind, str(number), doc):
                self.actions.append(damage.repair(wrapped))
            segment.table.insert(Document(wrapped[kind.table][str(number)], doc_id=number))
            self.actions.append(messages.REPAIR_MOVED.format(table=kind.table, key=key, id=record_id(kind, number)))

    def _lost_segments(self) -> None:
        """Segments whose entry was too damaged to keep: the newest readable version of any
        segment the counters say was issued and the store file no longer names."""
        for (kind, seq), versions in self._versions().items():
            key = (kind.name, seq)
            if key in self.txn.manifest.entries or key in self.txn.touched:
                continue
            if seq * SIZE + 1 >= self.txn.meta["next"].get(kind.prefix, 1):
                continue
            found = self._readable(kind, seq, versions)
            if found is not None:
                self.txn.touched[key] = _Segment(kind, found[1])
                self.actions.append(messages.REPAIR_SEGMENT_FOUND.format(kind=kind.plural, seq=seq,
                                                                         file=found[0].file, count=found[0].count))


def _infer_schema(data: dict[str, Any]) -> bool:
    """A schema number that is no number, in a store file of ours: set to the current one
    when it names segments (what it was written with); else left for read_meta to refuse."""
    meta = (data.get("_meta") or {}).get("1") if isinstance(data.get("_meta"), dict) else None
    if isinstance(meta, dict) and meta.get("app") == manifests.APP and type(meta.get("schema")) is not int \
            and isinstance(data.get(manifests.SEGMENTS), dict):
        meta["schema"] = manifests.SCHEMA
        return True
    return False


def _when(path: Path) -> str:
    try:
        return datetime.fromtimestamp(os.lstat(path).st_mtime).astimezone().strftime("%Y-%m-%d %H:%M")
    except OSError:
        return "?"
