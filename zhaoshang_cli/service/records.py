"""Record operations over a store: add, edit, remove, find.  Plain Python, no printing."""

from __future__ import annotations

from typing import Any, Mapping

from ..domain import dates, kind as models, validate as validation, values
from .. import messages
from ..errors import FieldError, RecordInvalid, UsageError, UserError
from ..domain.kind import Kind, normalise_url
from ..domain.lead import LEAD
from .filters import Filters, Row, select, sort_fields, sort_rows
from ..storage.tinydb.store import Snapshot, Store, Transaction


def existing_keys(txn: Transaction | Snapshot, kind: Kind) -> dict[tuple[str, ...], str]:
    """Natural key → record ID for every stored record of ``kind``."""
    keys: dict[tuple[str, ...], str] = {}
    for number, doc in txn.table(kind).items():
        key = kind.natural_key(doc)
        if key is not None:
            keys.setdefault(key, models.record_id(kind, number))
    return keys


def source_problem(txn: Transaction, kind: Kind, doc: Mapping[str, Any],
                   added: frozenset[str] | set[str] = frozenset()) -> FieldError | None:
    """A source that is a record ID must name a stored record (or one of ``added``);
    URLs are not checked."""
    spec = kind.field("source")
    source = doc.get("source")
    if spec is None or spec.type != "source" or not source or not values.is_record_id(source) or source in added:
        return None
    try:
        txn.get(source)
    except UserError:
        return FieldError("source", source, messages.RECORD_NOT_FOUND.format(id=source))
    return None


def add(store: Store, kind: Kind, given: Mapping[str, Any], region_context: str | None = None) -> str:
    """Validate and store one record; refuses one that is already stored.  Region names are
    read inside ``region_context`` first (--in, the home region)."""
    doc = validation.validate(kind, given, region_context=region_context)
    with store.writing() as txn:
        problem = source_problem(txn, kind, doc)
        if problem:
            raise problem
        key = kind.natural_key(doc)
        if key is not None:
            found = existing_keys(txn, kind).get(key)
            if found:
                raise UserError(messages.RECORD_DUPLICATE.format(id=found, key=_key_label(key)))
        [record_id] = txn.insert_many(kind, [doc])
    return record_id


def _key_label(key: tuple[str, ...]) -> str:
    return {"url": "url", "lead": "phone/email and company"}.get(key[0], "title and date")


def check_fields(kind: Kind, names: list[str]) -> None:
    for name in names:
        spec = kind.field(name)
        if spec is None or not spec.settable:
            raise UsageError(messages.FIELD_NOT_FOR_KIND.format(field=name.replace("_", "-"), kind=kind.name))


def edit(store: Store, record_id: str, changes: Mapping[str, Any]) -> None:
    """Change fields of one record with the same validation as add; "" clears a field."""
    if not changes:
        raise UsageError(messages.NOTHING_TO_EDIT)
    with store.writing() as txn:
        kind, number, doc = txn.get(record_id)
        check_fields(kind, list(changes))
        given = {k: v for k, v in changes.items() if not models.is_empty(v)}
        cleared = [k for k, v in changes.items() if models.is_empty(v)]
        if "status" in cleared:  # a status changes only by a move recorded in the history
            raise FieldError("status", changes["status"], messages.LEAD_STATUS_CLEARED)
        parsed = validation.validate(kind, given, partial=True, region_context=doc.get("region_code"))
        if "notes" in parsed:  # a note given to edit is added, not a replacement
            parsed["notes"] = list(doc.get("notes", [])) + parsed["notes"]
        updates: dict[str, Any] = dict(parsed)
        for name in validation.with_parts(kind, cleared):
            updates["region_code" if name == "region" else name] = None
        for name in validation.with_parts(kind, parsed):
            updates.setdefault(name, None)  # the parts a new value lacks (a range's upper end) go
        if "region" in changes and "zone" not in parsed:  # a new region leaves the old zone
            updates["zone"] = None
        merged = {k: v for k, v in {**doc, **updates}.items() if not models.is_empty(v)}
        errors = validation.whole_record_checks(kind, merged)
        problem = source_problem(txn, kind, parsed)
        if problem:
            errors.append(problem)
        if errors:
            raise RecordInvalid(errors)
        if kind is LEAD and "status" in parsed and parsed["status"] != doc.get("status"):
            updates["history"] = status_history(doc, parsed["status"])
        txn.update(record_id, updates)


def move_entry(old: str, new: str, at: str | None = None, note: str | None = None,
               source: str | None = None) -> dict[str, str]:
    """A history entry for a status move; ``source`` names what made it when not a user's
    command (e.g. "import")."""
    entry = {"at": at or dates.now_iso(), "from": old, "to": new}
    if note:
        entry["note"] = note
    if source:
        entry["source"] = source
    return entry


def status_history(doc: Mapping[str, Any], status: str, note: str | None = None,
                   at: str | None = None) -> list[dict[str, str]]:
    return list(doc.get("history", [])) + [move_entry(doc.get("status", "new"), status, at, note)]


def remove(store: Store, record_ids: list[str]) -> list[str]:
    ids = list(dict.fromkeys(i.strip().lower() for i in record_ids))
    with store.writing() as txn:
        for record_id in ids:
            txn.get(record_id)  # every ID must exist before anything is deleted
        txn.remove(ids)
    return ids


def _matching(snap: Snapshot, kinds: list[Kind], filters: Filters, sort: str | None,
              limit: int | None) -> list[Row]:
    rows = select(snap, kinds, filters)
    rows = snap.complete_lacking(rows, {kind: sort_fields(kind, sort) for kind in kinds})
    rows = sort_rows(rows, sort)
    return rows[:limit] if limit is not None else rows


def find(store: Store, kinds: list[Kind], filters: Filters, *, sort: str | None = None,
         limit: int | None = None, with_body: bool = False) -> list[dict[str, Any]]:
    """Matching records in their public form, sorted, at most ``limit`` of them."""
    with store.reading() as snap:
        rows = snap.complete(_matching(snap, kinds, filters, sort, limit))
        bodies = snap.bodies((k.prefix + n, d) for k, n, d in rows) if with_body else {}
        return [models.to_public(k, n, d, bodies.get(k.prefix + n)) for k, n, d in rows]


def find_ids(store: Store, kinds: list[Kind], filters: Filters, *, sort: str | None = None,
             limit: int | None = None) -> list[str]:
    """IDs of the matching records (for --format count and ids): no document is parsed."""
    with store.reading() as snap:
        return [k.prefix + n for k, n, _ in _matching(snap, kinds, filters, sort, limit)]


def origin(store: Store, record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stored record a lead came from: its source as a record ID, or as the URL of a
    stored article or policy; None for a channel or a record gone since."""
    source = record.get("source") or ""
    kind = models.KINDS[record["kind"]]
    spec = kind.field("source")
    if spec is None or spec.type != "source" or not source:
        return None
    if values.is_record_id(source):
        try:
            return get(store, source, with_body=False)
        except UserError:
            return None
    if not source.startswith(("http://", "https://")):
        return None
    key = ("url", normalise_url(source))
    with store.reading() as snap:
        for other in models.KINDS.values():
            found = existing_keys(snap, other).get(key)
            if found:
                kind_of, number, doc = snap.get(found)
                return snap.public(kind_of, number, doc)
    return None


def get(store: Store, record_id: str, with_body: bool = True) -> dict[str, Any]:
    with store.reading() as snap:
        kind, number, doc = snap.get(record_id)
        return snap.public(kind, number, doc, with_body)


# -- the lead pipeline ---------------------------------------------------------------------
def _lead(txn: Transaction, record_id: str) -> dict[str, Any]:
    kind, _, doc = txn.get(record_id)
    if kind is not LEAD:
        raise UserError(messages.NOT_A_LEAD.format(id=record_id, kind=kind.name))
    return doc


def move_status(store: Store, record_id: str, status: str, note: str | None = None) -> tuple[str, str]:
    """Move a lead to a status (back and forth both allowed); returns (old, new)."""
    new = values.parse_choice(status, "status", LEAD.field("status").choices or {})
    with store.writing() as txn:
        doc = _lead(txn, record_id)
        old = doc.get("status", "new")
        if new == old:
            return old, new
        now = dates.now_iso()
        changes: dict[str, Any] = {"status": new, "history": status_history(doc, new, note, at=now)}
        txn.update(record_id, changes, now=now)
    return old, new


def add_note(store: Store, record_id: str, text: str) -> None:
    if not text.strip():
        raise UsageError(messages.NOTE_EMPTY)
    with store.writing() as txn:
        doc = _lead(txn, record_id)
        now = dates.now_iso()
        txn.update(record_id, {"notes": list(doc.get("notes", [])) + [{"at": now, "text": text.strip()}]}, now=now)


def set_due(store: Store, record_id: str, when: str | None) -> str | None:
    due = dates.parse_date(when, field="due").isoformat() if when else None
    with store.writing() as txn:
        _lead(txn, record_id)
        txn.update(record_id, {"due": due})
    return due
