"""``zhaoshang doctor`` for the TinyDB store: what is wrong, the backups, and restore.  No
printing.

``diagnose`` looks at everything a command could trip over: the path and the side folder,
the settings, the store file (the manifest), every segment, index, digest, record and body
(examine.py), the ID counters, leftovers of interrupted writes, links, owners and modes,
and the backups, each checked as deeply as the store.  It never raises for what it finds:
an error finding means some command fails on this store (or answers wrongly).  The repair
is repair.py; ``restore`` puts back the newest backup that is intact, after the same deep
check, and writes its derived files (indexes, digests) again where the shared ones are
damaged.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ... import messages
from ...atomic import file_problem, private_dir_problem
from ...domain import changes, dates
from ...domain.kind import KINDS, record_id
from ...errors import StoreError, UserError
from ..base import BackupInfo, Finding
from ..checks import SHOWN, damage_findings, record_findings
from ..migrations import findings as migration_findings
from . import change_log, migrations, text_filter
from . import manifest as manifests
from . import side as sides
from .bodies import HEADER_SIZE, BodyLog, body_log_of
from .document import load_document
from .examine import Look, Records, all_refs, digest_problem, unreadable
from .manifest import Legacy, Manifest
from .segments import SIZE

OK, WARN, ERROR = "ok", "warning", "error"


# -- backups ---------------------------------------------------------------------------------
def _info(backend: Any, path: Path, look: Look) -> BackupInfo:
    taken = datetime.fromtimestamp(os.lstat(path).st_mtime, UTC)
    try:
        problem = file_problem(path)
        if problem:
            raise StoreError(problem)
        found = manifests.load(path)
        problems = look.problems(found)
        if problems:
            raise StoreError(problems[0] + (messages.STORE_DAMAGED_MORE.format(count=len(problems) - 1)
                                            if len(problems) > 1 else ""))
        if isinstance(found, Manifest):
            counts = {k.table: found.count(k) for k in KINDS.values()}
        else:
            counts = {k.table: len(found.data.get(k.table) or {}) for k in KINDS.values()}
        return BackupInfo(path.name, taken, True, counts, counters=dict(found.meta["next"]))
    except StoreError as exc:
        return BackupInfo(path.name, taken, False, {}, exc.message)


def backups(backend: Any, look: Look | None = None) -> list[BackupInfo]:
    """The kept versions, newest first, each checked as deeply as the store: its segments,
    records and bodies must read (its indexes and digests are derived, and written again)."""
    look = look or Look(backend)
    found = []
    for path in backend.backup_paths():
        try:
            found.append(_info(backend, path, look))
        except OSError:
            continue
    return found


def restore(backend: Any, name: str | None = None) -> BackupInfo:
    """Put back a backup (the newest intact one by default).

    The replacement is committed atomically; the version it replaces is kept as a backup
    when it is a valid store, and beside the store as ``<name>.unreadable-<time>`` when
    not.  Indexes and digests the backup shares with a damaged store are written again.
    ID counters never go back: the highest issued number of any version stays issued.
    """
    from .repair import rewrite_derived
    from .rewrite import migrate

    backend.settings()  # settings that cannot be read are no backup's to mend: one line, nothing changed
    look = Look(backend)
    found = backups(backend, look)
    if name:
        chosen = next((b for b in found if b.name == name or b.name.startswith(name)), None)
        if chosen is None:
            raise UserError(messages.RESTORE_UNKNOWN.format(name=name))
        if not chosen.valid:
            raise UserError(messages.RESTORE_INVALID.format(name=chosen.name, problem=chosen.problem))
    else:
        chosen = next((b for b in found if b.valid), None)
        if chosen is None:
            if not found:
                raise UserError(messages.RESTORE_NONE.format(path=backend.backups_dir))
            raise UserError(messages.RESTORE_NONE_INTACT.format(count=len(found), problem=found[0].problem))
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
            rewrite_derived(backend, txn, look)
        txn.log_changes([changes.entry("restored", at=dates.now_iso(), backup=chosen.name)])
    return chosen


# -- diagnosis -------------------------------------------------------------------------------
def diagnose(backend: Any) -> list[Finding]:
    """Everything wrong with the store, the worst first where one problem hides the rest."""
    path = backend.path
    try:
        sides.check_path(backend.given)
    except StoreError as exc:
        return [Finding(ERROR, exc.message)]
    if path.is_dir():
        return [Finding(ERROR, messages.STORE_IS_DIR.format(path=path))]
    for directory in (backend.side, backend.segments_dir):
        problem = private_dir_problem(directory)
        if problem:
            return [Finding(ERROR, problem)]
    findings: list[Finding] = []
    try:
        if not path.exists():
            backend.check_side_is_ours()
    except StoreError as exc:
        return [Finding(ERROR, exc.message)]
    problem = private_dir_problem(backend.backups_dir)
    if problem:
        findings.append(Finding(WARN, messages.DOCTOR_BACKUPS_DIR.format(problem=problem)))
    findings += _settings(backend)
    if not path.exists():
        lost = _lost(backend)
        return findings + ([Finding(ERROR, lost)] if lost
                           else [Finding(WARN, messages.DOCTOR_NO_STORE.format(path=path))])
    try:
        owner = os.stat(path).st_uid
        if owner != os.geteuid():
            return [Finding(ERROR, messages.STORE_OWNED_BY_OTHER.format(path=path, uid=owner))]
        data = load_document(path)
        meta = manifests.read_meta(data, path) if data else None
    except StoreError as exc:
        return findings + [Finding(ERROR, exc.message), *_rescue_hints(backend)] + _side_files(backend)
    if meta is None:
        lost = _lost(backend)
        findings.append(Finding(ERROR, lost) if lost else Finding(WARN, messages.DOCTOR_EMPTY_STORE.format(path=path)))
        return findings + _side_files(backend)
    try:
        found = manifests.parse(data, path, backend.log_generations())
    except manifests.StoreDamaged as exc:
        findings += damage_findings(exc.problems)
        return findings + _rescue_hints(backend) + _side_files(backend)
    look = Look(backend)
    records = look.records(found)
    findings.append(Finding(OK, messages.DOCTOR_STORE_OK.format(
        path=path, schema=data["_meta"]["1"]["schema"],
        counts=", ".join(f"{len(records[k.name])} {k.plural}" for k in KINDS.values()))))
    findings += [Finding(level, text) for level, text in migration_findings(migrations.applied(data["_meta"]["1"]))]
    if isinstance(found, Legacy):
        findings.append(Finding(WARN, messages.DOCTOR_LEGACY.format(old=data["_meta"]["1"]["schema"],
                                                                    new=manifests.SCHEMA)))
        findings += damage_findings(manifests.integrity.table_damage(found.data, found.meta["schema"]))
    else:
        findings += _segments(look, found)
        findings += [Finding(WARN, messages.DOCTOR_FOREIGN_KIND.format(kind=row["kind"], file=row["file"]))
                     for row in found.foreign]
    findings += _counters(backend, found, records)
    findings += [f for kind in KINDS.values() for f in record_findings(kind, sorted(records[kind.name].items()))]
    findings += duplicate_findings(records)
    findings += _bodies(backend, look, found, records)
    if isinstance(found, Manifest):
        findings += _digests(backend, look, found)
    findings += [Finding(level, text) for level, text in change_log.problems(
        change_log.log_path(backend.side), change_log.committed_end(found.meta))]
    findings += _orphans(backend, found)
    findings += _side_files(backend, found)
    infos = backups(backend, look)
    for info in infos:
        if not info.valid:
            findings.append(Finding(WARN, messages.DOCTOR_BAD_BACKUP.format(name=info.name, problem=info.problem)))
    findings.append(Finding(OK, messages.DOCTOR_BACKUPS.format(count=sum(i.valid for i in infos),
                                                               keep=backend.keep_backups)))
    if any(f.level == ERROR for f in findings):
        findings += _restore_hint(infos)
    return findings


def _lost(backend: Any) -> str | None:
    try:
        backend.refuse_if_lost()
    except StoreError as exc:
        return exc.message
    return None


def _restore_hint(infos: list[BackupInfo]) -> list[Finding]:
    good = next((b for b in infos if b.valid), None)
    return [Finding(WARN, messages.DOCTOR_RESTORE_HINT.format(backup=good.name))] if good else []


def _rescue_hints(backend: Any) -> list[Finding]:
    """What can bring back a store whose file cannot be read: a backup, or the segment files."""
    hints = _restore_hint(backups(backend))
    found = sides.data_beside(backend.side)
    if found:
        hints.append(Finding(WARN, messages.DOCTOR_REBUILD_HINT.format(found=", ".join(found))))
    return hints


def _settings(backend: Any) -> list[Finding]:
    try:
        backend.settings()
    except StoreError as exc:
        return [Finding(ERROR, exc.message)]
    return []


def _segments(look: Look, found: Manifest) -> list[Finding]:
    findings: list[Finding] = []
    damage = []
    for segment in look.segments(found):
        findings += [Finding(ERROR, t) for t in segment.troubles()]
        damage += segment.damage
    return findings + damage_findings(damage)


def _counters(backend: Any, found: Manifest | Legacy, records: Records) -> list[Finding]:
    findings = []
    saved = backend.read_counters()
    for kind in KINDS.values():
        top = max(records[kind.name], default=0)
        if isinstance(found, Manifest):  # a segment that cannot be read still holds its numbers
            top = max([top, *(e.seq * SIZE + 1 for e in found.of(kind) if e.count)])
        following = found.meta["next"].get(kind.prefix, 1)
        if following <= top:
            findings.append(Finding(ERROR, messages.DOCTOR_COUNTER.format(kind=kind.plural, next=following, top=top)))
    if not saved or any(saved.get(p, 1) < n for p, n in found.meta["next"].items()):
        findings.append(Finding(WARN, messages.DOCTOR_COUNTERS_FILE.format(path=backend.counters_path)))
    return findings


def duplicate_findings(records: Records) -> list[Finding]:
    """Records with the natural key of another (written before keys were enforced on every
    change): each named with the first holder of its key."""
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


def other_generation(backend: Any, found: Manifest | Legacy, records: Records) -> BodyLog | None:
    """Another body log generation that holds every body the records refer to, when the one
    the store names does not (the newest such)."""
    body_refs = all_refs(records)
    if not body_refs:
        return None
    for generation in sorted(backend.log_generations(), reverse=True):
        if generation == found.meta.get("log"):
            continue
        log = body_log_of(backend.side, {**found.meta, "log": generation})
        if not unreadable(log, body_refs):
            return log
    return None


def _bodies(backend: Any, look: Look, found: Manifest | Legacy, records: Records) -> list[Finding]:
    log = backend.body_log(found.meta)
    body_refs = all_refs(records)
    bad = look.unreadable_bodies(found) if isinstance(found, Manifest) else unreadable(log, body_refs)
    findings = []
    if bad:
        other = other_generation(backend, found, records)
        if other is not None:
            state = messages.LOG_STATE_MISSING if not log.path.exists() else messages.LOG_STATE_WRONG
            return [Finding(ERROR, messages.DOCTOR_LOG_GENERATION.format(log=log.path.name, state=state,
                                                                         other=other.path.name, count=len(body_refs)))]
        if not log.path.exists():
            return [Finding(ERROR, messages.DOCTOR_LOG_MISSING.format(log=log.path, count=len(bad)))]
        for key in bad[:SHOWN]:
            findings.append(Finding(ERROR, messages.DOCTOR_BODY_UNREADABLE.format(id=key, log=log.path.name)))
        if len(bad) > SHOWN:
            findings.append(Finding(ERROR, messages.DOCTOR_MORE_BODIES.format(count=len(bad) - SHOWN)))
    size = log.size()
    end = found.meta.get("log_end")
    if type(end) is int and size < end and not bad:
        findings.append(Finding(ERROR, messages.SEEN_LOG_SHORT.format(log=log.path.name, size=size, end=end)))
    tail = size - kept_end(backend, found, records)
    if tail > 0:
        findings.append(Finding(WARN, messages.DOCTOR_LOG_TAIL.format(log=log.path.name, size=tail)))
    live = sum(ref[1] for _, ref in body_refs)
    if size > 2 * live + (1 << 20):
        findings.append(Finding(WARN, messages.DOCTOR_LOG_GARBAGE.format(size=size >> 20, live=live >> 20)))
    return findings


def kept_end(backend: Any, found: Manifest | Legacy, records: Records) -> int:
    """Where the bytes of the store's body log that must stay end: past every body the
    store or a backup refers to, past what the last commit wrote (``log_end``: bodies of
    records that cannot be read are in there too), past the log's header."""
    generation = found.meta["log"]
    ends = [offset + length for _, (offset, length) in all_refs(records)]
    look = Look(backend)
    for kept in backend.kept_manifests():
        if kept.meta.get("log") == generation:
            ends += [offset + length for _, (offset, length) in all_refs(look.records(kept))]
            if type(kept.meta.get("log_end")) is int:
                ends.append(kept.meta["log_end"])
    if type(found.meta.get("log_end")) is int:
        ends.append(found.meta["log_end"])
    if backend.body_log(found.meta).header_token() is not None:
        ends.append(HEADER_SIZE)
    return max(ends, default=0)


def _digests(backend: Any, look: Look, found: Manifest) -> list[Finding]:
    findings = []
    log = backend.body_log(found.meta)
    for segment in look.segments(found):
        if not segment.sound or segment.troubles():
            continue  # reported with the segment; its repair writes a new digest too
        problem = digest_problem(backend.segments_dir, segment.entry, segment.docs or {}, log,
                                 bool(found.meta.get(text_filter.SETTING)))
        if problem:
            findings.append(Finding(*problem))
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


def _side_files(backend: Any, found: Manifest | Legacy | None = None) -> list[Finding]:
    """Links, foreign or odd files among the store's own files, temp files, modes.  One the
    store's state does not use (a segment only a backup names, an older body log) makes no
    command fail: a warning."""
    findings = []
    temps = sides.temp_files(backend.path, backend.side)
    if temps:
        findings.append(Finding(WARN, messages.DOCTOR_TEMP_FILES.format(count=len(temps))))
    used = None
    if isinstance(found, Manifest):
        used = found.files() | {f"bodies.{found.meta.get('log')}.log", change_log.NAME}
    for path in own_files(backend):
        problem = file_problem(path)
        if problem:
            unused = used is not None and path.parent in (backend.segments_dir, backend.side) and \
                path.name not in used and path.name not in ("lock", "counters", "config.json")
            findings.append(Finding(WARN if unused else ERROR, problem))
            continue
        if path.exists() and os.lstat(path).st_mode & 0o077:
            findings.append(Finding(WARN, messages.DOCTOR_MODE.format(
                path=path, mode=oct(stat.S_IMODE(os.lstat(path).st_mode)))))
    parent = private_dir_problem(backend.path.parent)
    if parent and "writable" in parent and not os.stat(backend.path.parent).st_mode & stat.S_ISVTX:
        findings.append(Finding(WARN, messages.DOCTOR_PARENT_OPEN.format(folder=backend.path.parent)))
    return findings


def own_files(backend: Any) -> list[Path]:
    """The store file and every file of the side folder, its backups and segments (the
    folders themselves and what doctor --fix set aside excepted)."""
    files = [backend.path]
    for directory in (backend.side, backend.backups_dir, backend.segments_dir):
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        files += [directory / name for name in names if name not in ("backups", "segments", sides.SET_ASIDE)]
    return files


def check(backend: Any, *, fix: bool = False, drop_unreadable: bool = False) -> list[Finding]:
    """The findings; with ``fix``, what was mended first, then the findings after it."""
    if not fix:
        return diagnose(backend)
    from .repair import repair

    done, left = repair(backend, drop_unreadable)
    return ([Finding(OK, messages.DOCTOR_FIXED.format(action=a)) for a in done]
            + [Finding(WARN, messages.DOCTOR_NOT_FIXED.format(what=w)) for w in left] + diagnose(backend))

