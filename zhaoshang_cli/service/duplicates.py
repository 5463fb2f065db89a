"""Leads that are likely one investor, found and folded into one (`lead dupes`, `lead merge`).
Plain Python over the storage protocol, no printing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import messages
from ..domain import changes as log
from ..domain import dates
from ..domain.duplicates import Group, groups, links
from ..domain.kind import KINDS, STAMPS, Kind, is_empty
from ..errors import UsageError, UserError
from ..storage.base import Backend, Filters, Query, Reader, Record
from .records import changed, move_entry, public

_LINK_FIELDS = frozenset(("phone", "email", "company"))
_NOT_FILLED = frozenset((*STAMPS, "uid", "field_times", "field_from", "history", "notes", "status", "extra"))


def _lead_kinds() -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.pipeline is not None and kind.field("company") is not None]


def find(store: Backend, filters: Filters | None = None) -> list[tuple[Group, list[dict[str, Any]]]]:
    """The groups of likely duplicates among the leads ``filters`` selects, each with its
    leads in public form."""
    found = []
    with store.reading() as reader:
        for kind in _lead_kinds():
            records = {r.id: r for r in reader.select(Query((kind,), filters or Filters()))}
            for group in groups((rid, r.doc) for rid, r in records.items()):
                found.append((group, [public(records[rid]) for rid in group.ids]))
    return found


@dataclass
class Merged:
    keep: str
    others: list[str]
    filled: list[str]  # fields the kept lead took from the others
    notes: int
    moves: int


def merge(store: Backend, keep: str, others: Sequence[str]) -> Merged:
    """Fold ``others`` into ``keep``: the fields it lacks, every note and history entry in
    time order (its own status stays); the others are deleted, each logged as merged into it."""
    keep = keep.strip().lower()
    others = list(dict.fromkeys(o.strip().lower() for o in others))
    if not others or keep in others:
        raise UsageError(messages.MERGE_USAGE)
    with store.writing() as txn:
        kept = txn.get(keep, with_body=False)
        folded = [txn.get(rid, with_body=False) for rid in others]
        for record in folded:
            if record.kind is not kept.kind or kept.kind.pipeline is None:
                raise UserError(messages.MERGE_KINDS.format(id=record.id, keep=keep))
        kind = kept.kind
        doc = dict(kept.doc)
        filled: list[str] = []
        for record in folded:
            for key, value in record.doc.items():
                if key not in _NOT_FILLED and not is_empty(value) and is_empty(doc.get(key)):
                    doc[key] = value
                    filled.append(key)
        now = dates.now_iso()
        notes = _in_time_order(doc.get("notes", []), [(r.id, r.doc.get("notes", [])) for r in folded])
        history = _in_time_order(doc.get("history", []), [(r.id, r.doc.get("history", [])) for r in folded])
        status = doc.get(kind.roles.status or "status", kind.pipeline.start)  # type: ignore[union-attr]
        if history and history[-1].get("to") != status:  # the kept lead's own status still ends it
            history.append(move_entry(history[-1].get("to", ""), status, now,
                                      messages.MERGE_NOTE.format(ids="、".join(others))))
        updated = changed(kind, kept.doc, {**{k: doc[k] for k in filled}, "notes": notes, "history": history}, now)
        txn.update(kind, kept.number, updated)
        txn.remove(kind, [r.number for r in folded])
        txn.log_changes([log.entry("merged", kind, r.number, at=now, title=log.title_of(kind, r.doc), into=keep)
                         for r in folded] +
                        [log.entry("merged", kind, kept.number, at=now, title=log.title_of(kind, doc),
                                   merged=others, changes=log.differences(kept.doc, updated))])
    return Merged(keep, others, sorted(set(filled)), sum(len(r.doc.get("notes", [])) for r in folded),
                  sum(len(r.doc.get("history", [])) for r in folded))


def _in_time_order(own: list[dict[str, Any]], theirs: list[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Entries (notes, moves) of the kept lead and of the others (marked with the lead they
    came from), by time; the kept lead's first on a tie."""
    merged = [*own, *(dict(entry, merged_from=rid) for rid, entries in theirs for entry in entries)]
    return sorted(merged, key=lambda entry: str(entry.get("at", "")))


class LookAlikes:
    """An import's check of the leads it creates against the leads stored (and created before
    it in the batch): one that shares a phone, an e-mail or a company name with another
    under a different natural key is reported, not refused."""

    def __init__(self, reader: Reader, kind: Kind):
        self.kind = kind
        self.known: dict[tuple[str, str], str] = {}
        for record in reader.select(Query((kind,), fields=_LINK_FIELDS)):
            self.add(record)

    def add(self, record: Record) -> None:
        for link in links(record.doc):
            self.known.setdefault(link, record.id)

    def check(self, record: Record, where: str) -> str | None:
        found = {what: self.known[(what, value)] for what, value in links(record.doc)
                 if self.known.get((what, value), record.id) != record.id}
        self.add(record)
        if not found:
            return None
        other = next(iter(found.values()))
        return messages.IMPORT_LOOKS_LIKE.format(where=where, id=record.id, other=other,
                                                 how="、".join(messages.LINK_LABELS[w] for w in found))
