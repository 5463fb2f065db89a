"""The change log as people use it: what changed (`zhaoshang log`), and an import taken back
(`zhaoshang undo`).  Plain Python over the storage protocol, no printing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import messages
from ..domain import changes as log
from ..domain import dates
from ..domain.changes import ChangeQuery
from ..domain.kind import KINDS, record_id
from ..domain.people import current_user
from ..errors import UserError
from ..storage.base import Backend, Writer, split_id


def entries(store: Backend, query: ChangeQuery) -> list[dict[str, Any]]:
    """The entries that match, newest first."""
    with store.reading() as reader:
        return list(reader.changes(query))


@dataclass
class Undone:
    batch: str
    imported: dict[str, Any]  # the import's own entry
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # created by it, deleted since


def undo(store: Backend, batch: str | None, force: bool = False) -> Undone:
    """Take back one import (``batch``; None: the last one not taken back yet): remove the
    records it created and put back the fields it changed.  A record changed since the
    import stops it (UserError naming it) unless ``force``."""
    with store.writing() as txn:
        imported, touched_since = _the_import(txn, batch)
        batch = str(imported["batch"])
        done = Undone(batch, imported)
        updates = list(txn.changes(ChangeQuery(batch=batch)))
        updates = [e for e in updates if e.get("id") and e.get("action") == "imported"]
        later: list[str] = []
        removals: dict[str, list[int]] = {}
        for rid in log.created_ids(imported):
            try:
                record = txn.get(rid, with_body=False)
            except UserError:
                done.gone.append(rid)
                continue
            if rid in touched_since:
                later.append(rid)
            removals.setdefault(record.kind.name, []).append(record.number)
            done.removed.append(rid)
        restorations = []
        for entry in updates:
            record = txn.get(entry["id"], with_body=any(c["field"] == log.BODY for c in entry.get("changes", [])))
            if record.id in touched_since:
                later.append(record.id)
            restorations.append((record, entry))
        if later and not force:
            raise UserError(messages.UNDO_CHANGED_SINCE.format(ids=_some(later), count=len(later), batch=batch))
        now = dates.now_iso()
        logged = []
        for name, numbers in removals.items():
            txn.remove(KINDS[name], numbers)
            logged += [log.entry("undone", KINDS[name], n, at=now, batch=batch, title=None) for n in numbers]
        for record, entry in restorations:
            doc = dict(record.doc)
            for change in entry.get("changes", []):
                key, old = change["field"], change.get("old")
                if key == log.BODY:
                    if old is not None:
                        doc["body"] = old
                elif old is None:
                    doc.pop(key, None)
                else:
                    doc[key] = old
            doc["updated_at"], doc["updated_by"] = now, current_user()
            txn.update(record.kind, record.number, doc)
            logged.append(log.entry("undone", record.kind, record.number, at=now, batch=batch,
                                    title=log.title_of(record.kind, doc),
                                    changes=[{"field": c["field"], "old": c.get("new"), "new": c.get("old")}
                                             for c in entry.get("changes", []) if c["field"] != log.BODY]))
            done.restored.append(record.id)
        logged.append(log.entry("undone", at=now, batch=batch, file=imported.get("file"),
                                removed=len(done.removed), restored=len(done.restored)))
        txn.log_changes(logged)
    return done


def _the_import(txn: Writer, batch: str | None) -> tuple[dict[str, Any], set[str]]:
    """The import's own entry (the one named, or the last one not taken back yet), and the
    records that entries logged after it name: the log's order, not the clock (a second
    holds many changes), says what came after."""
    undone: set[str] = set()
    later: list[tuple[str, Any]] = []  # (record ID, the batch of the entry naming it)
    for entry in txn.changes(ChangeQuery()):
        if entry.get("id"):
            later.append((str(entry["id"]), entry.get("batch")))
        elif entry.get("action") == "undone":
            undone.add(str(entry.get("batch")))
        elif entry.get("action") == "imported" and entry.get("batch") and batch in (None, entry["batch"]):
            if entry["batch"] not in undone:
                return entry, {rid for rid, of in later if of != entry["batch"]}
            if batch is not None:
                raise UserError(messages.UNDO_ALREADY.format(batch=batch))
    raise UserError(messages.UNDO_NOTHING.format(batch=batch) if batch else messages.UNDO_NO_IMPORT)


def _some(ids: Sequence[str]) -> str:
    return ", ".join(ids[:5]) + ("…" if len(ids) > 5 else "")


def check_ids(record_ids: Sequence[str]) -> tuple[str, ...]:
    """Record IDs as `log` takes them (a12, L7): checked, lower case; a deleted one is fine."""
    found = []
    for rid in record_ids:
        kind, number = split_id(rid.strip().lower())
        found.append(record_id(kind, number))
    return tuple(dict.fromkeys(found))
