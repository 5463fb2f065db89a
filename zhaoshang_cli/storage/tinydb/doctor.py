"""Checking the TinyDB store, mending it, and bringing back a backup.  No printing.

``diagnose`` looks at everything a command could trip over: the store file (the
manifest), every segment and its index, every record, every body in the log, the ID
counters, the side folder's files, their owners, links and modes, leftovers of
interrupted writes and the backups.  It never raises for what it finds: an error finding
means some command fails on this store.  ``repair`` (doctor --fix) mends what can be
mended and says what it did, each dropped value included; a damaged store file is kept
beside the store under another name.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ... import messages
from ...atomic import file_problem, private_dir_problem, read_private, stale_temp_files, temp_files_in
from ...domain.kind import KINDS
from ...errors import StoreError, UserError
from ..base import BackupInfo, Finding
from ..checks import SHOWN, damage_findings, record_findings
from . import digests, integrity, manifest as manifests
from .bodies import BodyLog
from .document import load_document
from .index import BODY, IndexUnreadable, parse
from .manifest import Legacy, Manifest
from .writer import _Segment
from .segments import Entry, SegmentUnreadable, SegmentView, encode, numbers_of, seq_of, split

OK, WARN, ERROR = "ok", "warning", "error"


# -- backups ---------------------------------------------------------------------------------
def _segment_unreadable(directory: Path, entry: Entry, seen: dict[str, str | None]) -> str | None:
    """Why the records of a segment file a backup names cannot be read, or None (its index
    is not read: doctor --fix rebuilds an index from the records).  Backups share most of
    their segments, so each file is read once per listing."""
    if entry.file not in seen:
        try:
            SegmentView(directory, entry).all_docs()
            seen[entry.file] = None
        except SegmentUnreadable as exc:
            seen[entry.file] = exc.reason
    return seen[entry.file]


def _info(backend: Any, path: Path, seen: dict[str, str | None] | None = None) -> BackupInfo:
    taken = datetime.fromtimestamp(os.lstat(path).st_mtime, timezone.utc)
    try:
        problem = file_problem(path)
        if problem:
            raise StoreError(problem)
        found = manifests.load(path)
        if isinstance(found, Manifest):
            missing = [e.file for e in found.entries.values() if not (backend.segments_dir / e.file).is_file()]
            if missing:
                raise StoreError(messages.BACKUP_SEGMENTS_MISSING.format(count=len(missing)))
            # a backup naming a damaged segment (one the store may share) would bring the damage back
            seen = {} if seen is None else seen
            for entry in found.entries.values():
                reason = _segment_unreadable(backend.segments_dir, entry, seen)
                if reason:
                    raise StoreError(messages.BACKUP_SEGMENT_UNREADABLE.format(reason=reason))
            counts = {k.table: found.count(k) for k in KINDS.values()}
        else:
            counts = {k.table: len(found.data.get(k.table) or {}) for k in KINDS.values()}
        return BackupInfo(path.name, taken, True, counts, counters=dict(found.meta["next"]))
    except StoreError as exc:
        return BackupInfo(path.name, taken, False, {}, exc.message)


def backups(backend: Any) -> list[BackupInfo]:
    """The kept versions, newest first, each checked."""
    found = []
    seen: dict[str, str | None] = {}
    for path in backend.backup_paths():
        try:
            found.append(_info(backend, path, seen))
        except OSError:
            continue
    return found


# -- diagnosis -------------------------------------------------------------------------------
def diagnose(backend: Any) -> list[Finding]:
    findings: list[Finding] = []
    path = backend.path
    if path.is_dir():
        return [Finding(ERROR, messages.STORE_IS_DIR.format(path=path))]
    for directory in (backend.side, backend.segments_dir):
        problem = private_dir_problem(directory)
        if problem:
            return [Finding(ERROR, problem)]
    problem = private_dir_problem(backend.backups_dir)
    if problem:
        findings.append(Finding(WARN, messages.DOCTOR_BACKUPS_DIR.format(problem=problem)))
    if not path.exists():
        lost = _lost(backend)
        return [Finding(ERROR, lost)] if lost else [Finding(WARN, messages.DOCTOR_NO_STORE.format(path=path))]
    try:
        owner = os.stat(path).st_uid
        if owner != os.geteuid():
            return [Finding(ERROR, messages.STORE_OWNED_BY_OTHER.format(path=path, uid=owner))]
        data = load_document(path)
        meta = manifests.read_meta(data, path) if data else None
    except StoreError as exc:
        return [Finding(ERROR, exc.message), *_restore_hint(backend)] + _side_files(backend)
    if meta is None:
        lost = _lost(backend)
        findings.append(Finding(ERROR, lost) if lost else Finding(WARN, messages.DOCTOR_EMPTY_STORE.format(path=path)))
        return findings + _side_files(backend)
    try:
        found = manifests.parse(data, path, backend.log_generations())
    except manifests.StoreDamaged as exc:
        findings += damage_findings(exc.problems)
        return findings + _restore_hint(backend) + _side_files(backend)
    stored_schema = data["_meta"]["1"]["schema"]
    records, segment_findings = _records(backend, found)
    findings.append(Finding(OK, messages.DOCTOR_STORE_OK.format(
        path=path, schema=stored_schema, counts=", ".join(f"{len(records.get(k.name, {}))} {k.plural}"
                                                         for k in KINDS.values()))))
    if isinstance(found, Legacy):
        findings.append(Finding(WARN, messages.DOCTOR_LEGACY.format(old=stored_schema, new=manifests.SCHEMA)))
    findings += segment_findings
    if any(f.level == ERROR for f in segment_findings):
        findings += _restore_hint(backend)
    findings += _counters(backend, found, records)
    findings += _semantics(records)
    findings += duplicate_findings(records)
    findings += _bodies(backend, found, records)
    if isinstance(found, Manifest):
        findings += _digest_findings(backend, found)
    findings += _orphans(backend, found)
    findings += _side_files(backend)
    infos = backups(backend)
    for info in infos:
        if not info.valid:
            findings.append(Finding(WARN, messages.DOCTOR_BAD_BACKUP.format(name=info.name, problem=info.problem)))
    findings.append(Finding(OK, messages.DOCTOR_BACKUPS.format(count=sum(i.valid for i in infos),
                                                               keep=backend.keep_backups)))
    return findings


def _lost(backend: Any) -> str | None:
    try:
        backend.refuse_if_lost()
    except StoreError as exc:
        return exc.message
    return None


def _restore_hint(backend: Any) -> list[Finding]:
    good = next((b for b in backups(backend) if b.valid), None)
    return [Finding(WARN, messages.DOCTOR_RESTORE_HINT.format(backup=good.name))] if good else []


Records = dict[str, dict[int, dict[str, Any]]]  # kind → number → stored document


def _records(backend: Any, found: Manifest | Legacy) -> tuple[Records, list[Finding]]:
    """Every stored record, and what is wrong with the segments holding them."""
    records: Records = {kind.name: {} for kind in KINDS.values()}
    if isinstance(found, Legacy):
        for kind in KINDS.values():
            records[kind.name] = {int(k): d for k, d in (found.data.get(kind.table) or {}).items()}
        return records, []
    findings: list[Finding] = []
    problems: list[integrity.Damage] = []
    for kind in KINDS.values():
        for entry in found.of(kind):
            docs, trouble = check_segment(backend.segments_dir, entry)
            findings += [Finding(ERROR, t) for t in trouble]
            for key, doc in (docs or {}).items():
                damage = integrity.record_damage(kind, key, doc)
                problems += damage
                if not damage:
                    records[kind.name][int(key)] = doc
    return records, findings + damage_findings(problems)


def check_segment(directory: Path, entry: Entry) -> tuple[dict[str, Any] | None, list[str]]:
    """A segment's documents (None when unreadable) and what is wrong with it or its index."""
    name = f"{entry.kind.table} {entry.seq} ({entry.file})"
    for file in (entry.file, entry.index_file):
        problem = file_problem(directory / file)
        if problem:
            return None, [problem]
        if not (directory / file).exists():
            return None, [messages.DOCTOR_SEGMENT_MISSING.format(segment=name, file=file)]
    view = SegmentView(directory, entry)
    try:
        docs = view.all_docs()
    except SegmentUnreadable as exc:
        return None, [messages.DOCTOR_SEGMENT_UNREADABLE.format(segment=name, reason=exc.reason)]
    trouble = []
    allowed = numbers_of(entry.seq)
    outside = [k for k in docs if not (k.isdigit() and int(k) in allowed)]
    if outside:
        trouble.append(messages.DOCTOR_SEGMENT_MISPLACED.format(segment=name, keys=", ".join(outside[:5])))
    if len(docs) != entry.count:
        trouble.append(messages.DOCTOR_SEGMENT_COUNT.format(segment=name, count=len(docs), said=entry.count))
    if not outside and all(isinstance(d, dict) for d in docs.values()):
        try:
            _, expected = encode(entry.kind, docs)
            if (directory / entry.index_file).read_bytes() != expected:
                trouble.append(messages.DOCTOR_SEGMENT_INDEX.format(segment=name))
            parse(expected, entry.kind)
        except (IndexUnreadable, OSError, ValueError, TypeError, OverflowError):
            trouble.append(messages.DOCTOR_SEGMENT_INDEX.format(segment=name))
    return docs, trouble


def _counters(backend: Any, found: Manifest | Legacy, records: Records) -> list[Finding]:
    findings = []
    saved = backend.read_counters()
    for kind in KINDS.values():
        top = max(records[kind.name], default=0)
        following = found.meta["next"].get(kind.prefix, 1)
        if following <= top:
            findings.append(Finding(ERROR, messages.DOCTOR_COUNTER.format(kind=kind.plural, next=following, top=top)))
    if not saved or any(saved.get(p, 1) < n for p, n in found.meta["next"].items()):
        findings.append(Finding(WARN, messages.DOCTOR_COUNTERS_FILE.format(path=backend.counters_path)))
    return findings


def _semantics(records: Records) -> list[Finding]:
    """Records that would not pass today's validation: shown, but they break no command."""
    return [f for kind in KINDS.values() for f in record_findings(kind, sorted(records[kind.name].items()))]


def duplicate_findings(records: Records) -> list[Finding]:
    """Records with the natural key of another (written before keys were enforced on every
    change): each named with the first holder of its key."""
    from ...domain.kind import record_id

    findings = []
    for kind in KINDS.values():
        first: dict[tuple[str, ...], int] = {}
        for number in sorted(records[kind.name]):
            try:
                key = kind.natural_key(records[kind.name][number])
            except Exception:  # noqa: BLE001 - a damaged document is reported on its own
                continue
            if key is None:
                continue
            if key in first:
                label = messages.KEY_URL if key[0] == "url" else kind.key_label
                findings.append(Finding(WARN, messages.DOCTOR_DUPLICATE.format(
                    id=record_id(kind, number), other=record_id(kind, first[key]), key=label)))
            else:
                first[key] = number
    return findings[:SHOWN] + ([Finding(WARN, messages.DOCTOR_MORE_DUPLICATES.format(count=len(findings) - SHOWN))]
                               if len(findings) > SHOWN else [])


def _refs(records: Records) -> list[tuple[str, list[int]]]:
    return [(f"{KINDS[name].prefix}{number}", doc[BODY]) for name, table in records.items()
            for number, doc in table.items() if doc.get(BODY)]


def _unreadable(log: BodyLog, refs: list[tuple[str, list[int]]]) -> list[str]:
    if not refs:
        return []
    if not log.path.exists():
        return [key for key, _ in refs]
    try:
        return list(log.check_many(refs))
    except StoreError:
        return [key for key, _ in refs]


def referenced_end(backend: Any, records: Records, generation: int) -> int:
    """The end of the last byte of ``generation``'s log that the store or a backup refers to."""
    ends = [offset + length for _, (offset, length) in _refs(records)]
    for kept in backend.kept_manifests():
        if kept.meta.get("log") != generation:
            continue
        kept_records, _ = _records(backend, kept)
        ends += [offset + length for _, (offset, length) in _refs(kept_records)]
    return max(ends, default=0)


def _bodies(backend: Any, found: Manifest | Legacy, records: Records) -> list[Finding]:
    findings = []
    log = backend.body_log(found.meta)
    refs = _refs(records)
    if refs and not log.path.exists():
        return [Finding(ERROR, messages.DOCTOR_LOG_MISSING.format(log=log.path, count=len(refs)))]
    bad = _unreadable(log, refs)
    for key in bad[:SHOWN]:
        findings.append(Finding(ERROR, messages.DOCTOR_BODY_UNREADABLE.format(id=key, log=log.path.name)))
    if len(bad) > SHOWN:
        findings.append(Finding(ERROR, messages.DOCTOR_MORE_BODIES.format(count=len(bad) - SHOWN)))
    size = log.size()
    tail = size - referenced_end(backend, records, found.meta["log"])
    if tail > 0:
        findings.append(Finding(WARN, messages.DOCTOR_LOG_TAIL.format(log=log.path.name, size=tail)))
    live = sum(ref[1] for _, ref in refs)
    if size > 2 * live + (1 << 20):
        findings.append(Finding(WARN, messages.DOCTOR_LOG_GARBAGE.format(size=size >> 20, live=live >> 20)))
    return findings


def digest_problem(directory: Path, entry: Entry, docs: dict[str, Any], log: BodyLog) -> Finding | None:
    """What is wrong with a sound segment's text digest: missing (searches are slower), or
    not what its records and bodies give (searches may miss records); None when it is
    right, or when a body cannot be read (reported as such)."""
    name = f"{entry.kind.table} {entry.seq} ({entry.file})"
    refs = [(int(key), doc[BODY]) for key, doc in docs.items() if isinstance(doc, dict) and doc.get(BODY)]
    try:
        bodies = dict(log.read_many(refs))
        expected = digests.of_records(entry.kind, docs, bodies)
    except (StoreError, OSError, TypeError, ValueError):
        return None
    try:
        actual = read_private(directory / entry.digest_file)
    except FileNotFoundError:
        return Finding(WARN, messages.DOCTOR_DIGEST_MISSING.format(segment=name))
    except (OSError, StoreError):
        actual = None
    return None if actual == expected else Finding(ERROR, messages.DOCTOR_DIGEST_WRONG.format(segment=name))


def _digest_findings(backend: Any, found: Manifest) -> list[Finding]:
    findings = []
    log = backend.body_log(found.meta)
    for kind in KINDS.values():
        for entry in found.of(kind):
            docs, trouble = check_segment(backend.segments_dir, entry)
            if docs is None or trouble or any(integrity.record_damage(kind, k, d) for k, d in docs.items()):
                continue  # reported with the segment; its repair writes a new digest too
            problem = digest_problem(backend.segments_dir, entry, docs, log)
            if problem:
                findings.append(problem)
    return findings


def _orphans(backend: Any, found: Manifest | Legacy) -> list[Finding]:
    wanted = found.files() if isinstance(found, Manifest) else set()
    for kept in backend.kept_manifests():
        if isinstance(kept, Manifest):
            wanted |= kept.files()
    try:
        orphans = [n for n in os.listdir(backend.segments_dir) if n not in wanted]
    except OSError:
        return []
    return [Finding(WARN, messages.DOCTOR_ORPHANS.format(count=len(orphans)))] if orphans else []


def _side_files(backend: Any) -> list[Finding]:
    """Links, foreign or odd files among the store's own files, temp files, modes."""
    findings = []
    temps = [*stale_temp_files(backend.path), *temp_files_in(backend.side), *temp_files_in(backend.backups_dir)]
    if temps:
        findings.append(Finding(WARN, messages.DOCTOR_TEMP_FILES.format(count=len(temps))))
    for path in _own_files(backend):
        problem = file_problem(path)
        if problem:
            findings.append(Finding(ERROR, problem))
            continue
        if path.exists() and os.lstat(path).st_mode & 0o077:
            findings.append(Finding(WARN, messages.DOCTOR_MODE.format(
                path=path, mode=oct(stat.S_IMODE(os.lstat(path).st_mode)))))
    return findings


def _own_files(backend: Any) -> list[Path]:
    files = [backend.path]
    for directory in (backend.side, backend.backups_dir, backend.segments_dir):
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        files += [directory / name for name in names if name not in ("backups", "segments")]
    return files


# -- repair ----------------------------------------------------------------------------------
def repair(backend: Any) -> list[str]:
    """Mend what can be mended; returns one line per thing done or dropped."""
    from .backend import compact_bodies, migrate

    actions: list[str] = []
    actions += _tidy_side(backend)
    temps = [*stale_temp_files(backend.path), *temp_files_in(backend.side), *temp_files_in(backend.backups_dir)]
    with backend.writing(replacing=True) as txn:
        data = load_document(backend.path)
        if not data:
            raise StoreError(_lost(backend) or messages.DOCTOR_NOTHING_TO_FIX.format(path=backend.path))
        meta = manifests.read_meta(data, backend.path)
        for problem in integrity.meta_damage(data, meta, backend.log_generations()):
            actions.append(problem.repair(data))
        if meta["schema"] < manifests.SCHEMA:  # one old document: mend it, then split it
            for problem in integrity.table_damage(data, meta["schema"]):
                actions.append(problem.repair(data))
            legacy = manifests.parse(data, backend.path)
            txn.manifest.entries.clear()
            txn.replace_manifest(Manifest(legacy.meta))
            migrate(txn, legacy)  # type: ignore[arg-type]
        else:
            entries, foreign, bad = manifests._entries(data.get(manifests.SEGMENTS))
            for problem in bad:
                actions.append(problem.repair(data))
            txn.replace_manifest(Manifest(dict(meta), entries, foreign))
            actions += _repair_segments(backend, txn)
        top = {kind.prefix: 0 for kind in KINDS.values()}
        for (name, _), entry in txn.manifest.entries.items():
            kind = KINDS[name]
            numbers = [int(k) for k in SegmentView(backend.segments_dir, entry).all_docs()]
            top[kind.prefix] = max(top[kind.prefix], *numbers, 0)
        for kind in KINDS.values():
            if txn.meta["next"].get(kind.prefix, 1) <= top[kind.prefix]:
                txn.meta["next"][kind.prefix] = top[kind.prefix] + 1
                actions.append(messages.REPAIR_COUNTER.format(kind=kind.plural, next=top[kind.prefix] + 1))
        actions += _drop_unreadable_bodies(backend, txn)
        records = _committed_records(backend, txn)
        log = txn.log
        end = referenced_end(backend, records, txn.meta["log"])
        if log.size() > end:
            cut = log.size() - end
            log.truncate(end)
            actions.append(messages.REPAIR_LOG_TAIL.format(log=log.path.name, size=cut))
        live = sum(ref[1] for _, ref in _refs(records))
        if log.size() > 2 * live + (1 << 20) or txn.meta.get("bodies") != "json":
            before, after = compact_bodies(txn, literals=txn.meta.get("bodies") == "json")
            actions.append(messages.REPAIR_COMPACTED.format(before=before >> 10, after=after >> 10))
        txn.changed = True
    if temps:
        actions.append(messages.REPAIR_TEMP_FILES.format(count=len(temps)))
    for path in _own_files(backend):
        try:
            if path.is_file() and not path.is_symlink() and os.lstat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
                actions.append(messages.REPAIR_MODE.format(path=path))
        except OSError:
            pass
    actions.append(messages.DOCTOR_REWRITTEN)
    return actions


def _repair_segments(backend: Any, txn: Any) -> list[str]:
    """Rewrite every segment with a problem: damaged records mended or dropped, records
    outside the segment's range moved to their own, the index built again.  A segment
    that cannot be read at all is dropped, and said so."""
    actions = []
    for (name, seq), entry in sorted(txn.manifest.entries.items()):
        kind = KINDS[name]
        docs, trouble = check_segment(backend.segments_dir, entry)
        if docs is None:
            del txn.manifest.entries[(name, seq)]
            actions.append(messages.REPAIR_SEGMENT_LOST.format(kind=kind.plural, seq=seq, count=entry.count,
                                                               reason="; ".join(trouble)))
            continue
        wrapped = {kind.table: docs}
        damage = [d for key, doc in list(docs.items()) for d in integrity.record_damage(kind, key, doc)]
        if not trouble and not damage:
            if digest_problem(backend.segments_dir, entry, docs, txn.log):
                txn.touched[(name, seq)] = _Segment(kind, docs)  # written again, its digest worked out anew
                actions.append(messages.REPAIR_DIGEST.format(segment=f"{kind.table} {seq}"))
            continue
        for problem in damage:
            actions.append(problem.repair(wrapped))
        docs = wrapped[kind.table]
        actions += [messages.REPAIR_SEGMENT.format(what=t) for t in trouble]
        del txn.manifest.entries[(name, seq)]
        for new_seq, part in split(kind, docs).items():
            segment = txn._segment(kind, new_seq)
            segment.table.insert_multiple(_documents(part))
    txn.checkpoint(everything=True)
    return actions


def _documents(docs: dict[str, Any]) -> list[Any]:
    from tinydb.table import Document

    return [Document(doc, doc_id=int(key)) for key, doc in docs.items()]


def _committed_records(backend: Any, txn: Any) -> Records:
    txn.checkpoint(everything=True)
    records: Records = {kind.name: {} for kind in KINDS.values()}
    for (name, _), entry in txn.manifest.entries.items():
        for key, doc in SegmentView(backend.segments_dir, entry).all_docs().items():
            records[name][int(key)] = doc
    return records


def _drop_unreadable_bodies(backend: Any, txn: Any) -> list[str]:
    records = _committed_records(backend, txn)
    bad = set(_unreadable(txn.log, _refs(records)))
    actions = []
    for kind in KINDS.values():
        for number in sorted(records[kind.name]):
            rid = f"{kind.prefix}{number}"
            if rid in bad:
                segment = txn._segment(kind, seq_of(number))
                segment.docs()[str(number)].pop(BODY, None)
                segment.texts.pop(number, None)  # its searched text loses the body too
                actions.append(messages.REPAIR_BODY.format(id=rid, log=txn.log.path.name))
    txn.checkpoint(everything=True)
    return actions


def _tidy_side(backend: Any) -> list[str]:
    """Remove links and empty directories squatting on the store's own file names, and
    make its folders private again when they are this user's."""
    actions = []
    for directory in (backend.side, backend.segments_dir, backend.backups_dir):
        try:
            st = os.lstat(directory)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and st.st_mode & 0o022:
            os.chmod(directory, 0o700)
            actions.append(messages.REPAIR_MODE_DIR.format(path=directory))
    for path in _own_files(backend)[1:]:
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            os.unlink(path)
            actions.append(messages.REPAIR_LINK.format(path=path))
        elif stat.S_ISDIR(st.st_mode):
            try:
                os.rmdir(path)
                actions.append(messages.REPAIR_DIR.format(path=path))
            except OSError:
                pass
    return actions


def check(backend: Any, *, fix: bool = False) -> list[Finding]:
    """The findings; with ``fix``, what was mended first, then the findings after it."""
    if not fix:
        return diagnose(backend)
    done = [Finding(OK, messages.DOCTOR_FIXED.format(action=a)) for a in repair(backend)]
    return done + diagnose(backend)


# -- restore ---------------------------------------------------------------------------------
def restore(backend: Any, name: str | None = None) -> BackupInfo:
    """Put a backup back in place (the newest good one by default).

    The replacement is committed atomically; the version it replaces is kept as a backup
    when it is a valid store and beside the store as ``<name>.unreadable-<time>`` when not,
    so at every moment there is a store and nothing is ever lost.  ID counters never go
    back: the highest issued number of any version stays issued.
    """
    from .backend import migrate

    found = backups(backend)
    if name:
        chosen = next((b for b in found if b.name == name or b.name.startswith(name)), None)
        if chosen is None:
            raise UserError(messages.RESTORE_UNKNOWN.format(name=name))
        if not chosen.valid:
            raise UserError(messages.RESTORE_INVALID.format(name=chosen.name, problem=chosen.problem))
    else:
        chosen = next((b for b in found if b.valid), None)
        if chosen is None:
            raise UserError(messages.RESTORE_NONE.format(path=backend.backups_dir))
    highest: dict[str, int] = {}
    for info in found:
        for prefix, number in (info.counters or {}).items():
            highest[prefix] = max(highest.get(prefix, 1), number)
    with backend.writing(replacing=True) as txn:
        restored = manifests.load(backend.backups_dir / chosen.name)
        if isinstance(restored, Legacy):
            txn.replace_manifest(Manifest(dict(restored.meta, schema=manifests.SCHEMA)), highest)
            migrate(txn, restored)
        else:
            txn.replace_manifest(restored, highest)
    return chosen
