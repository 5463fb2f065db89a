"""Checking a store, and bringing back a backup.  Plain Python: findings, no printing."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import messages, migrations, models, validation
from .atomic import atomic_write, stale_temp_files
from .errors import RecordInvalid, StoreError, UserError
from .index import load as load_index
from .storage import load_document
from .store import BODY, META, Store, check_document

OK, WARN, ERROR = "ok", "warning", "error"


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


def backups(store: Store) -> list[BackupInfo]:
    """The kept versions, newest first, each checked."""
    found = []
    for path in store.backups():
        stamp = re.search(r"\.(\d{8}T\d{6}\.\d{6})Z\.g\d+$", path.name)
        taken = datetime.strptime(stamp.group(1), "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc) if stamp else \
            datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        try:
            data = load_document(path)
            check_document(data, path)
            counts = {k.table: len(data.get(k.table, {})) for k in models.KINDS.values()}
            found.append(BackupInfo(path, taken, True, counts))
        except StoreError as exc:
            found.append(BackupInfo(path, taken, False, {}, exc.message))
    return found


def check(store: Store, *, fix: bool = False) -> list[Finding]:
    """Everything that can be wrong with a store, most serious first; ``fix`` mends what
    can be mended without losing anything (stale temp files, the listing index, ID counters)."""
    findings: list[Finding] = []
    path = store.path
    if not path.exists():
        return [Finding(WARN, messages.DOCTOR_NO_STORE.format(path=path))]
    try:
        data = load_document(path)
        stored_schema = data.get(META, {}).get("1", {}).get("schema") if isinstance(data.get(META), dict) else None
        meta = check_document(data, path)
    except StoreError as exc:
        findings.append(Finding(ERROR, exc.message))
        good = next((b for b in backups(store) if b.valid), None)
        if good:
            findings.append(Finding(WARN, messages.DOCTOR_RESTORE_HINT.format(backup=good.path.name)))
        return findings
    findings.append(Finding(OK, messages.DOCTOR_STORE_OK.format(
        path=path, schema=meta["schema"], counts=", ".join(f"{len(data.get(k.table, {}))} {k.plural}"
                                                           for k in models.KINDS.values()))))
    if data and stored_schema != meta["schema"]:
        findings.append(Finding(WARN, messages.DOCTOR_MIGRATED.format(old=stored_schema, new=migrations.CURRENT)))
    findings += _check_records(data, meta, store)
    findings += _check_files(store, data, meta, fix)
    if fix and any(f.level != OK for f in findings):
        findings.append(Finding(OK, _rewrite(store)))
    return findings


def _check_records(data: dict[str, Any], meta: dict[str, Any], store: Store) -> list[Finding]:
    findings = []
    log = store.body_log(meta["log"])
    log_size = log.size()
    for kind in models.KINDS.values():
        table = data.get(kind.table, {})
        numbers = [int(n) for n in table if n.isdigit()]
        if numbers and meta["next"].get(kind.prefix, 1) <= max(numbers):
            findings.append(Finding(ERROR, messages.DOCTOR_COUNTER.format(
                kind=kind.plural, next=meta["next"].get(kind.prefix, 1), top=max(numbers))))
        bad = 0
        for number, doc in table.items():
            problem = _record_problem(kind, doc, log_size)
            if problem:
                bad += 1
                if bad <= 5:
                    findings.append(Finding(ERROR, f"{kind.prefix}{number}: {problem}"))
        if bad > 5:
            findings.append(Finding(ERROR, messages.DOCTOR_MORE.format(count=bad - 5, kind=kind.plural)))
    return findings


def _record_problem(kind: models.Kind, doc: Any, log_size: int) -> str | None:
    if not isinstance(doc, dict):
        return messages.DOCTOR_NOT_A_RECORD
    ref = doc.get(BODY)
    if ref is not None and (not isinstance(ref, list) or len(ref) != 2 or ref[0] + ref[1] > log_size):
        return messages.DOCTOR_BODY_REF.format(ref=ref)
    public = models.to_public(kind, 0, doc)
    public.pop("body", None)
    try:
        valid = validation.validate(kind, {k: v for k, v in public.items() if k not in ("id", "kind", "region")},
                                    defaults=False)  # a lead without a status must not pass as a new one
    except RecordInvalid as exc:
        return exc.message
    except UserError as exc:
        return exc.message
    errors = validation.stored_checks(kind, valid)
    return RecordInvalid(errors).message if errors else None


def _check_files(store: Store, data: dict[str, Any], meta: dict[str, Any], fix: bool) -> list[Finding]:
    findings = []
    stale = stale_temp_files(store.path)
    if stale:
        findings.append(Finding(WARN, messages.DOCTOR_TEMP_FILES.format(count=len(stale))))
        if fix:
            with store.lock.exclusive():
                for path in stale_temp_files(store.path):
                    path.unlink(missing_ok=True)
    if load_index(store.index_path, store.path, migrations.CURRENT) is None:
        findings.append(Finding(WARN, messages.DOCTOR_INDEX_STALE))
    log = store.body_log(meta["log"])
    live = sum(doc[BODY][1] for kind in models.KINDS.values() for doc in data.get(kind.table, {}).values()
               if isinstance(doc, dict) and isinstance(doc.get(BODY), list) and len(doc[BODY]) == 2)
    if log.size() > 2 * live + (1 << 20):
        findings.append(Finding(WARN, messages.DOCTOR_LOG_GARBAGE.format(size=log.size() >> 20, live=live >> 20)))
    for path in [store.path, log.path, *store.backups()]:
        if path.exists() and os.stat(path).st_mode & 0o077:
            findings.append(Finding(WARN, messages.DOCTOR_MODE.format(path=path, mode=oct(os.stat(path).st_mode & 0o777))))
            if fix:
                os.chmod(path, 0o600)
    good = [b for b in backups(store) if b.valid]
    findings.append(Finding(OK, messages.DOCTOR_BACKUPS.format(count=len(good), keep=store.keep_backups)))
    return findings


def _rewrite(store: Store) -> str:
    """Write the store again through the ordinary path: a fresh index, ID counters past
    every stored ID (so that no ID is ever issued twice), the body log without the bytes
    of edited and deleted bodies."""
    with store.writing() as txn:
        counters = txn.meta["next"]
        for kind in models.KINDS.values():
            numbers = [int(n) for n in txn.table(kind) if n.isdigit()]
            if numbers:
                counters[kind.prefix] = max(counters.get(kind.prefix, 1), max(numbers) + 1)
        before, after = txn.compact_bodies()
        txn.changed = True
    return messages.DOCTOR_REWRITTEN.format(before=before >> 10, after=after >> 10)


def restore(store: Store, name: str | None = None) -> BackupInfo:
    """Put a backup back in place (the newest good one by default).

    The version being replaced is kept as a backup itself when it is a valid store, and
    copied aside as ``<name>.unreadable-<time>`` when it is not: nothing is ever lost.
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
    restored = load_document(chosen.path)
    store._ensure_dirs()
    with store.lock.exclusive():
        if store.path.exists():
            try:
                check_document(load_document(store.path), store.path)
            except StoreError:
                stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
                atomic_write(store.path.with_name(f"{store.path.name}.unreadable-{stamp}"), store.path.read_bytes())
                store.path.unlink()
    with store.writing() as txn:
        current = txn.snapshot.data
        for key in list(current):
            del current[key]
        current.update(restored)
        meta = check_document(current, chosen.path)
        txn.snapshot.meta.clear()
        txn.snapshot.meta.update(meta)
        txn.changed = True
    return chosen
