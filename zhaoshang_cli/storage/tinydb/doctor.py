"""Checking a store, mending it, and bringing back a backup.  Plain Python, no printing.

``diagnose`` looks at everything a command could trip over: the file, its structure,
every record, every body in the log, the ID counters, the listing index, the side
directory's files, their owners, links and modes, temp files and backups.  It never
raises for what it finds: an error finding means some command fails on this store.
``repair`` (doctor --fix) mends what can be mended and says what it did, each dropped
value included; a damaged file is kept beside the store under another name.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import integrity, migrations
from ... import messages
from ...domain import kind as models, validate as validation
from ...atomic import file_problem, private_dir_problem, stale_temp_files, temp_files_in
from .bodies import BodyLog
from ...errors import RecordInvalid, StoreError, UserError
from .index import build as build_index
from .index import load as load_index
from .integrity import BODY
from .document import dump_document, load_document
from .store import Store, check_document, read_meta

OK, WARN, ERROR = "ok", "warning", "error"
SHOWN = 5  # problems listed per kind before "… and N more"


@dataclass
class Finding:
    level: str
    message: str


@dataclass
class BackupInfo:
    path: Path
    taken: datetime
    valid: bool
    counts: dict[str, int]
    problem: str = ""
    counters: dict[str, int] | None = None


def backups(store: Store) -> list[BackupInfo]:
    """The kept versions, newest first, each checked."""
    found = []
    for path in store.backups():
        try:
            taken = datetime.fromtimestamp(os.lstat(path).st_mtime, timezone.utc)
        except OSError:
            continue
        try:
            problem = file_problem(path)
            if problem:
                raise StoreError(problem)
            data = load_document(path)
            meta = check_document(data, path)
            counts = {k.table: len(data.get(k.table, {})) for k in models.KINDS.values()}
            found.append(BackupInfo(path, taken, True, counts, counters=dict(meta["next"])))
        except StoreError as exc:
            found.append(BackupInfo(path, taken, False, {}, exc.message))
    return found


# -- diagnosis -------------------------------------------------------------------------------
def diagnose(store: Store) -> list[Finding]:
    findings: list[Finding] = []
    path = store.path
    if path.is_dir():
        return [Finding(ERROR, messages.STORE_IS_DIR.format(path=path))]
    problem = private_dir_problem(store.side)
    if problem:
        return [Finding(ERROR, problem)]
    problem = private_dir_problem(store.backups_dir)
    if problem:
        findings.append(Finding(WARN, messages.DOCTOR_BACKUPS_DIR.format(problem=problem)))
    if not path.exists():
        lost = _lost(store)
        return [Finding(ERROR, lost)] if lost else [Finding(WARN, messages.DOCTOR_NO_STORE.format(path=path))]
    try:
        owner = os.stat(path).st_uid
        if owner != os.geteuid():
            return [Finding(ERROR, messages.STORE_OWNED_BY_OTHER.format(path=path, uid=owner))]
        data = load_document(path)
        meta = read_meta(data, path) if data else None
    except StoreError as exc:
        return [Finding(ERROR, exc.message), *_restore_hint(store)] + _side_files(store)
    if meta is None:
        lost = _lost(store)
        findings.append(Finding(ERROR, lost) if lost else Finding(WARN, messages.DOCTOR_EMPTY_STORE.format(path=path)))
        return findings + _side_files(store)
    problems = integrity.damage(data, store.log_generations())
    if problems:
        findings += [Finding(ERROR, messages.DOCTOR_DAMAGE.format(where=p.where, problem=p.problem))
                     for p in problems[:SHOWN * 2]]
        if len(problems) > SHOWN * 2:
            findings.append(Finding(ERROR, messages.DOCTOR_MORE_DAMAGE.format(count=len(problems) - SHOWN * 2)))
        return findings + _restore_hint(store) + _side_files(store)
    stored_schema = meta["schema"]
    migrations.upgrade(data, meta)
    findings.append(Finding(OK, messages.DOCTOR_STORE_OK.format(
        path=path, schema=meta["schema"], counts=", ".join(f"{len(data.get(k.table, {}))} {k.plural}"
                                                           for k in models.KINDS.values()))))
    if stored_schema != meta["schema"]:
        findings.append(Finding(WARN, messages.DOCTOR_MIGRATED.format(old=stored_schema, new=migrations.CURRENT)))
    findings += _counters(store, data, meta)
    findings += _records(data)
    findings += _bodies(store, data, meta)
    findings += _index(store, data, meta)
    findings += _side_files(store)
    good = [b for b in backups(store) if b.valid]
    bad = [b for b in backups(store) if not b.valid]
    for info in bad:
        findings.append(Finding(WARN, messages.DOCTOR_BAD_BACKUP.format(name=info.path.name, problem=info.problem)))
    findings.append(Finding(OK, messages.DOCTOR_BACKUPS.format(count=len(good), keep=store.keep_backups)))
    return findings


def _lost(store: Store) -> str | None:
    try:
        store._refuse_if_lost()
    except StoreError as exc:
        return exc.message
    return None


def _restore_hint(store: Store) -> list[Finding]:
    good = next((b for b in backups(store) if b.valid), None)
    return [Finding(WARN, messages.DOCTOR_RESTORE_HINT.format(backup=good.path.name))] if good else []


def _counters(store: Store, data: dict[str, Any], meta: dict[str, Any]) -> list[Finding]:
    findings = []
    top = integrity.highest_numbers(data)
    saved = store.read_counters()
    for kind in models.KINDS.values():
        following = meta["next"].get(kind.prefix, 1)
        if following <= top[kind.prefix]:
            findings.append(Finding(ERROR, messages.DOCTOR_COUNTER.format(
                kind=kind.plural, next=following, top=top[kind.prefix])))
    if not saved or any(saved.get(p, 1) < n for p, n in meta["next"].items()):
        findings.append(Finding(WARN, messages.DOCTOR_COUNTERS_FILE.format(path=store.counters_path)))
    return findings


def _records(data: dict[str, Any]) -> list[Finding]:
    """Records that would not pass today's validation: shown, but they break no command."""
    findings = []
    for kind in models.KINDS.values():
        bad = 0
        for number, doc in data.get(kind.table, {}).items():
            problem = _record_problem(kind, doc)
            if problem:
                bad += 1
                if bad <= SHOWN:
                    findings.append(Finding(WARN, f"{kind.prefix}{number}: {problem}"))
        if bad > SHOWN:
            findings.append(Finding(WARN, messages.DOCTOR_MORE.format(count=bad - SHOWN, kind=kind.plural)))
    return findings


def _record_problem(kind: models.Kind, doc: dict[str, Any]) -> str | None:
    public = models.to_public(kind, 0, doc)
    public.pop("body", None)
    try:
        validation.validate(kind, {k: v for k, v in public.items() if k not in ("id", "kind", "region")},
                                    defaults=False)  # a lead without a status must not pass as a new one
    except RecordInvalid as exc:
        return exc.message
    except UserError as exc:
        return exc.message
    return None


def _refs(data: dict[str, Any]) -> list[tuple[str, list[int]]]:
    return [(f"{kind.prefix}{number}", doc[BODY]) for kind in models.KINDS.values()
            for number, doc in data.get(kind.table, {}).items() if doc.get(BODY)]


def _unreadable(log: BodyLog, refs: list[tuple[str, list[int]]]) -> list[str]:
    if not refs:
        return []
    if not log.path.exists():
        return [key for key, _ in refs]
    try:
        return list(log.check_many(refs))
    except StoreError:
        return [key for key, _ in refs]


def _referenced_end(store: Store, data: dict[str, Any], generation: int) -> int:
    """The end of the last byte of ``generation``'s log that the store or a backup refers to."""
    ends = [offset + length for _, (offset, length) in _refs(data)]
    for path in store.backups():
        try:
            backup = load_document(path)
            backup_meta = read_meta(backup, path)
        except StoreError:
            continue
        if backup_meta.get("log") == generation:
            ends += [o + n for _, ref in _refs(backup) if isinstance(ref, list) and len(ref) == 2
                     for o, n in [ref] if isinstance(o, int) and isinstance(n, int)]
    return max(ends, default=0)


def _bodies(store: Store, data: dict[str, Any], meta: dict[str, Any]) -> list[Finding]:
    findings = []
    log = store.body_log(meta["log"], meta.get("bodies") == "json")
    refs = _refs(data)
    if refs and not log.path.exists():
        return [Finding(ERROR, messages.DOCTOR_LOG_MISSING.format(log=log.path, count=len(refs)))]
    bad = _unreadable(log, refs)
    for key in bad[:SHOWN]:
        findings.append(Finding(ERROR, messages.DOCTOR_BODY_UNREADABLE.format(id=key, log=log.path.name)))
    if len(bad) > SHOWN:
        findings.append(Finding(ERROR, messages.DOCTOR_MORE_BODIES.format(count=len(bad) - SHOWN)))
    size = log.size()
    tail = size - _referenced_end(store, data, meta["log"])
    if tail > 0:
        findings.append(Finding(WARN, messages.DOCTOR_LOG_TAIL.format(log=log.path.name, size=tail)))
    live = sum(ref[1] for _, ref in refs)
    if size > 2 * live + (1 << 20):
        findings.append(Finding(WARN, messages.DOCTOR_LOG_GARBAGE.format(size=size >> 20, live=live >> 20)))
    return findings


def _index(store: Store, data: dict[str, Any], meta: dict[str, Any]) -> list[Finding]:
    index_path = store.index_path
    if index_path.exists() and not index_path.is_file():
        return [Finding(WARN, messages.DOCTOR_INDEX_NOT_FILE.format(path=index_path))]
    current = load_index(index_path, store.path, migrations.CURRENT)
    if current is None:
        return [Finding(WARN, messages.DOCTOR_INDEX_STALE)]
    try:
        payload, spans = dump_document(data)
        raw = index_path.read_bytes()
        expected = build_index(data, spans, current.meta, _stamp_of(raw))
    except (OSError, ValueError, TypeError, OverflowError):
        return [Finding(ERROR, messages.DOCTOR_INDEX_WRONG)]
    if raw != expected or len(payload) != store.path.stat().st_size:
        return [Finding(ERROR, messages.DOCTOR_INDEX_WRONG)]
    return []


def _stamp_of(raw: bytes) -> list[int]:
    import orjson

    from .index import MAGIC

    header = orjson.loads(raw[len(MAGIC):raw.find(b"\n", len(MAGIC))])
    return header["stamp"]


def _side_files(store: Store) -> list[Finding]:
    """Links, foreign or odd files among the store's own files, temp files, modes."""
    findings = []
    temps = [*stale_temp_files(store.path), *temp_files_in(store.side), *temp_files_in(store.backups_dir)]
    if temps:
        findings.append(Finding(WARN, messages.DOCTOR_TEMP_FILES.format(count=len(temps))))
    for path in _own_files(store):
        problem = file_problem(path)
        if problem:
            level = WARN if path == store.index_path else ERROR
            findings.append(Finding(level, problem))
            continue
        if path.exists() and os.lstat(path).st_mode & 0o077:
            findings.append(Finding(WARN, messages.DOCTOR_MODE.format(
                path=path, mode=oct(stat.S_IMODE(os.lstat(path).st_mode)))))
    return findings


def _own_files(store: Store) -> list[Path]:
    files = [store.path]
    for directory in (store.side, store.backups_dir):
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        files += [directory / name for name in names if name != "backups"]
    return files


# -- repair ----------------------------------------------------------------------------------
def repair(store: Store) -> list[str]:
    """Mend what can be mended; returns one line per thing done or dropped."""
    actions: list[str] = []
    actions += _tidy_side(store)
    temps = [*stale_temp_files(store.path), *temp_files_in(store.side), *temp_files_in(store.backups_dir)]
    with store.writing(replacing=True) as txn:
        data = load_document(store.path)
        if not data:
            raise StoreError(_lost(store) or messages.DOCTOR_NOTHING_TO_FIX.format(path=store.path))
        meta = read_meta(data, store.path)
        for problem in integrity.damage(data, store.log_generations()):
            actions.append(problem.repair(data))
        migrations.upgrade(data, meta)
        txn.replace_document(data)
        meta = txn.meta
        top = integrity.highest_numbers(data)
        for kind in models.KINDS.values():
            if meta["next"][kind.prefix] <= top[kind.prefix]:
                meta["next"][kind.prefix] = top[kind.prefix] + 1
                actions.append(messages.REPAIR_COUNTER.format(kind=kind.plural, next=meta["next"][kind.prefix]))
        actions += _drop_unreadable_bodies(store, txn)
        log = txn.snapshot.log
        end = _referenced_end(store, txn.snapshot.data, meta["log"])
        if log.size() > end:
            cut = log.size() - end
            log.truncate(end)
            actions.append(messages.REPAIR_LOG_TAIL.format(log=log.path.name, size=cut))
        live = sum(ref[1] for _, ref in _refs(txn.snapshot.data))
        if log.size() > 2 * live + (1 << 20) or meta.get("bodies") != "json":
            before, after = txn.compact_bodies()
            actions.append(messages.REPAIR_COMPACTED.format(before=before >> 10, after=after >> 10))
        txn.changed = True
    if temps:
        actions.append(messages.REPAIR_TEMP_FILES.format(count=len(temps)))
    for path in [store.path, *_own_files(store)]:
        try:
            if path.is_file() and not path.is_symlink() and os.lstat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
                actions.append(messages.REPAIR_MODE.format(path=path))
        except OSError:
            pass
    actions.append(messages.DOCTOR_REWRITTEN)
    return actions


def _tidy_side(store: Store) -> list[str]:
    """Remove links and empty directories squatting on the store's own file names."""
    actions = []
    for path in _own_files(store)[1:]:
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


def _drop_unreadable_bodies(store: Store, txn: Any) -> list[str]:
    data = txn.snapshot.data
    log = txn.snapshot.log
    bad = set(_unreadable(log, _refs(data)))
    actions = []
    for kind in models.KINDS.values():
        for number, doc in data.get(kind.table, {}).items():
            if f"{kind.prefix}{number}" in bad:
                doc.pop(BODY, None)
                actions.append(messages.REPAIR_BODY.format(id=f"{kind.prefix}{number}", log=log.path.name))
    return actions


def check(store: Store, *, fix: bool = False) -> list[Finding]:
    """The findings; with ``fix``, what was mended first, then the findings after it."""
    if not fix:
        return diagnose(store)
    done = [Finding(OK, messages.DOCTOR_FIXED.format(action=a)) for a in repair(store)]
    return done + diagnose(store)


# -- restore ---------------------------------------------------------------------------------
def restore(store: Store, name: str | None = None) -> BackupInfo:
    """Put a backup back in place (the newest good one by default).

    The replacement is committed atomically; the version it replaces is kept as a backup
    when it is a valid store and beside the store as ``<name>.unreadable-<time>`` when not,
    so at every moment there is a store and nothing is ever lost.  ID counters never go
    back: the highest issued number of any version stays issued.
    """
    found = backups(store)
    if name:
        chosen = next((b for b in found if b.path.name == name or b.path.name.startswith(name)), None)
        if chosen is None:
            raise UserError(messages.RESTORE_UNKNOWN.format(name=name))
        if not chosen.valid:
            raise UserError(messages.RESTORE_INVALID.format(name=chosen.path.name, problem=chosen.problem))
    else:
        chosen = next((b for b in found if b.valid), None)
        if chosen is None:
            raise UserError(messages.RESTORE_NONE.format(path=store.backups_dir))
    highest: dict[str, int] = {}
    for info in found:
        for prefix, number in (info.counters or {}).items():
            highest[prefix] = max(highest.get(prefix, 1), number)
    with store.writing(replacing=True) as txn:
        restored = load_document(chosen.path)
        check_document(restored, chosen.path)
        txn.replace_document(restored, highest)
    return chosen
