"""Record operations over a store: add, edit, remove, get, find, and the moves of records
that have a pipeline (leads).  Plain Python over the storage protocol, no printing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .. import messages
from ..domain import changes as log
from ..domain import dates, values
from ..domain.kind import KINDS, Kind, is_empty, record_id, to_public, url_key, with_article
from ..domain.people import current_user
from ..domain.sorting import Sort
from ..errors import FieldError, RecordInvalid, UsageError, UserError
from ..storage.base import Backend, Filters, Query, Reader, Record


def public(record: Record) -> dict[str, Any]:
    return to_public(record.kind, record.number, record.doc, record.body)


def source_problem(txn: Reader, kind: Kind, doc: Mapping[str, Any],
                   added: frozenset[str] | set[str] = frozenset()) -> FieldError | None:
    """A source that is a record ID must name a stored record (or one of ``added``);
    channels and URLs are not checked."""
    spec = kind.field("source")
    source = doc.get("source")
    if spec is None or spec.type != "source" or not source or not values.is_record_id(source) or source in added:
        return None
    try:
        txn.get(source, with_body=False)
    except UserError:
        return FieldError("source", source, messages.RECORD_NOT_FOUND.format(id=source))
    return None


def add(store: Backend, kind: Kind, given: Mapping[str, Any], region_context: str | None = None) -> str:
    """Validate and store one record; refuses one that is already stored.  Region names are
    read inside ``region_context`` first (--in, the home region)."""
    from ..domain import validate as validation  # here: a listing needs no validators (11 ms to import)

    doc = validation.validate(kind, given, region_context=region_context)
    with store.writing() as txn:
        problem = source_problem(txn, kind, doc)
        if problem:
            raise problem
        key = kind.natural_key(doc)
        if key is not None:
            found = txn.find_key(kind, key)
            if found is not None:
                raise UserError(messages.RECORD_DUPLICATE.format(id=record_id(kind, found), key=_key_label(kind, key)))
        now = dates.now_iso()
        [number] = txn.insert(kind, [doc], now=now)
        txn.log_changes([log.entry("created", kind, number, at=now, title=log.title_of(kind, doc))])
    future_date(store, kind, doc, record_id(kind, number))
    return record_id(kind, number)


def future_date(store: Backend, kind: Kind, doc: Mapping[str, Any], rid: str) -> None:
    """A record dated after today is kept, with a warning: a typo of the year, most often."""
    day = doc.get(kind.roles.date or "")
    if isinstance(day, str) and day > dates.today().isoformat():
        store.warnings.append(messages.DATE_IN_FUTURE.format(id=rid, date=day, field=kind.roles.date))


def _key_label(kind: Kind, key: tuple[str, ...]) -> str:
    """What made two records the same: the page they came from, else what the kind compares."""
    return messages.KEY_URL if key[0] == "url" else kind.key_label


def check_fields(kind: Kind, names: list[str]) -> None:
    for name in names:
        spec = kind.field(name)
        if spec is None or not spec.settable:
            raise UsageError(messages.FIELD_NOT_FOR_KIND.format(field=name.replace("_", "-"), kind=kind.name))


def changed(kind: Kind, doc: Mapping[str, Any], changes: Mapping[str, Any], now: str | None = None,
            by: str | None = None) -> dict[str, Any]:
    """``doc`` with ``changes`` (None or empty: the field goes), stamped as updated now by
    ``by`` (the current user), each changed field with its time (versions.py)."""
    from ..domain import versions

    new = dict(doc)
    for key, value in changes.items():
        if is_empty(value):
            new.pop(key, None)
        else:
            new[key] = value
    new["updated_at"] = now or dates.now_iso()
    new["updated_by"] = by or current_user()
    versions.stamp(kind, doc, new, body_changed="body" in changes)
    return new


def refuse_taken_key(txn: Reader, kind: Kind, number: int, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """A change must not give a record the natural key of another (the same page, title
    and date, or company and phone): one line naming the other record."""
    key = kind.natural_key(new)
    if key is None or key == kind.natural_key(old):
        return
    found = txn.find_key(kind, key)
    if found is not None and found != number:
        raise UserError(messages.RECORD_KEY_TAKEN.format(id=record_id(kind, number), other=record_id(kind, found),
                                                         key=_key_label(kind, key)))


def edit_changes(txn: Reader, record: Record, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The stored keys an edit changes (None: removed), validated like add; "" clears a field."""
    from ..domain import validate as validation

    kind, doc = record.kind, record.doc
    check_fields(kind, list(changes))
    given = {k: v for k, v in changes.items() if not is_empty(v)}
    cleared = [k for k, v in changes.items() if is_empty(v)]
    status = kind.roles.status
    if status in cleared and kind.pipeline:  # a status changes only by a move recorded in the history
        raise FieldError(status, changes[status], messages.LEAD_STATUS_CLEARED)
    parsed = validation.validate(kind, given, partial=True, region_context=doc.get("region_code"))
    if "notes" in parsed:  # a note given to edit is added, not a replacement
        parsed["notes"] = list(doc.get("notes", [])) + parsed["notes"]
    updates: dict[str, Any] = dict(parsed)
    for name in validation.with_parts(kind, cleared):
        spec = kind.field(name)
        updates[spec.key if spec else name] = None
    for name in validation.with_parts(kind, parsed):
        updates.setdefault(name, None)  # the parts a new value lacks (a range's upper end) go
    if "region" in changes and "zone" not in parsed:  # a new region leaves the old zone
        updates["zone"] = None
    merged = {k: v for k, v in {**doc, **updates}.items() if not is_empty(v)}
    errors = validation.whole_record_checks(kind, merged)
    problem = source_problem(txn, kind, parsed)
    if problem:
        errors.append(problem)
    if errors:
        raise RecordInvalid(errors)
    if kind.pipeline and status in parsed and parsed[status] != doc.get(status):
        updates["history"] = status_history(kind, doc, parsed[status])
        won_on = kind.roles.won_on
        if won_on and parsed[status] == kind.pipeline.won:  # signed today, unless the edit says when
            day = parsed.get(won_on) or dates.today().isoformat()
            updates[won_on] = day
            updates["history"][-1]["on"] = day
        elif won_on and doc.get(status) == kind.pipeline.won and won_on not in parsed:
            updates[won_on] = None  # no longer signed
    if kind.pipeline and "owner" in updates and updates["owner"] != doc.get("owner"):
        updates["history"] = list(updates.get("history") or doc.get("history") or []) + [
            assignment_entry(kind, {**doc, **updates}, updates["owner"])]
    return updates


def edit(store: Backend, rid: str, changes: Mapping[str, Any]) -> None:
    """Change fields of one record with the same validation as add; "" clears a field."""
    _something(changes)
    with store.writing() as txn:
        record = txn.get(rid, with_body="body" in changes)
        updates = edit_changes(txn, record, changes)
        now = dates.now_iso()
        new = changed(record.kind, record.doc, updates, now)
        refuse_taken_key(txn, record.kind, record.number, record.doc, new)
        txn.update(record.kind, record.number, new)
        body = (record.body, new.get("body")) if "body" in updates else None
        found = log.differences(record.doc, {k: v for k, v in new.items() if k != "body"}, body)
        txn.log_changes([log.entry("edited", record.kind, record.number, at=now,
                                   title=log.title_of(record.kind, new), changes=found)])
    if record.kind.roles.date in updates:
        future_date(store, record.kind, new, rid)


def _something(changes: Mapping[str, Any]) -> None:
    if not changes:
        raise UsageError(messages.NOTHING_TO_EDIT)


def preview_edit(store: Backend, rid: str, changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One record before and after an edit, in public form with its body, validated as
    `edit` does it; nothing is written (a confirmation shows the difference)."""
    _something(changes)
    with store.reading() as reader:
        record = reader.get(rid, with_body=True)
        updates = edit_changes(reader, record, changes)
        after = changed(record.kind, record.doc, updates)
        refuse_taken_key(reader, record.kind, record.number, record.doc, after)
    body = after.pop("body", None) if "body" in updates else record.body
    return public(record), to_public(record.kind, record.number, after, body)


def move_entry(old: str, new: str, at: str | None = None, note: str | None = None,
               source: str | None = None, by: str | None = None) -> dict[str, str]:
    """A history entry for a status move, by ``by`` (the current user); ``source`` names
    what made it when not a user's command (e.g. "import")."""
    entry = {"at": at or dates.now_iso(), "by": by or current_user(), "from": old, "to": new}
    if note:
        entry["note"] = note
    if source:
        entry["source"] = source
    return entry


def assignment_entry(kind: Kind, doc: Mapping[str, Any], owner: str | None, at: str | None = None) -> dict[str, str]:
    """A history entry for a new owner (None: the lead has none now): a move to the stage the
    lead is at, so that the history still ends at its status, naming the owner."""
    stage = doc.get(kind.roles.status or "", kind.pipeline.start if kind.pipeline else "")
    entry = move_entry(stage, stage, at)
    entry["owner"] = owner or ""
    return entry


def status_history(kind: Kind, doc: Mapping[str, Any], status: str, note: str | None = None,
                   at: str | None = None) -> list[dict[str, str]]:
    start = kind.pipeline.start if kind.pipeline else ""
    return list(doc.get("history", [])) + [move_entry(doc.get(kind.roles.status or "", start), status, at, note)]


def remove(store: Backend, record_ids: Sequence[str]) -> list[str]:
    """Delete records; every ID must exist before anything is deleted.  IDs are never reused."""
    ids = list(dict.fromkeys(i.strip().lower() for i in record_ids))
    with store.writing() as txn:
        records = [txn.get(rid, with_body=False) for rid in ids]
        by_kind: dict[str, list[int]] = {}
        for record in records:
            by_kind.setdefault(record.kind.name, []).append(record.number)
        for name, numbers in by_kind.items():
            txn.remove(KINDS[name], numbers)
        now = dates.now_iso()
        txn.log_changes([log.entry("deleted", r.kind, r.number, at=now, title=log.title_of(r.kind, r.doc))
                         for r in records])
    return ids


def summaries(store: Backend, record_ids: Sequence[str]) -> list[tuple[str, Kind, str]]:
    """(ID, kind, title or company) of each record, for a confirmation; UserError for a
    missing one."""
    with store.reading() as reader:
        found = []
        for rid in dict.fromkeys(i.strip().lower() for i in record_ids):
            record = reader.get(rid, with_body=False)
            found.append((rid, record.kind, str(record.doc.get(record.kind.title_field) or "")))
        return found


# -- finding ---------------------------------------------------------------------------------
def query(kinds: Sequence[Kind], filters: Filters, *, sort: str | Sort | None = None, limit: int | None = None,
          fields: frozenset[str] | None = None, with_body: bool = False) -> Query:
    from ..domain import sorting

    if len(kinds) == 1 and (filters.since or filters.until) and kinds[0].roles.date is None:
        raise UsageError(messages.KIND_HAS_NO_DATE.format(kinds=kinds[0].plural))
    order = sort if isinstance(sort, Sort) or sort is None else sorting.parse(sort)
    if order is not None and order.spec == "id" and len(kinds) == 1:
        order = None  # one kind in ID order is the order it is stored in: nothing to sort
    return Query(tuple(kinds), filters, order, limit, fields, with_body)


def stream(store: Backend, request: Query) -> Iterator[dict[str, Any]]:
    """The matching records in their public form, one at a time (the store is read as the
    records are consumed, so a listing of everything needs no more memory than one)."""
    with store.reading() as reader:
        for record in reader.select(request):
            yield public(record)


def find(store: Backend, kinds: Sequence[Kind], filters: Filters, *, sort: str | None = None,
         limit: int | None = None, with_body: bool = False) -> list[dict[str, Any]]:
    """Matching records in their public form, sorted (newest first by default), at most
    ``limit`` of them."""
    return list(stream(store, query(kinds, filters, sort=sort or "-date", limit=limit, with_body=with_body)))


def find_ids(store: Backend, kinds: Sequence[Kind], filters: Filters, *, sort: str | None = None,
             limit: int | None = None) -> list[str]:
    """IDs of the matching records (for --format count and ids): no document is read unless
    a filter or the sort needs it."""
    with store.reading() as reader:
        request = query(kinds, filters, sort=sort or "-date", limit=limit, fields=frozenset())
        return [record.id for record in reader.select(request)]


def count(store: Backend, kinds: Sequence[Kind], filters: Filters) -> int:
    with store.reading() as reader:
        return reader.count(query(kinds, filters, fields=frozenset()))


def get(store: Backend, rid: str, with_body: bool = True) -> dict[str, Any]:
    with store.reading() as reader:
        return public(reader.get(rid, with_body))


def origin(store: Backend, record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stored record a lead came from: its source as a record ID, or as the URL of a
    stored record; None for a channel or a record gone since."""
    source = record.get("source") or ""
    spec = KINDS[record["kind"]].field("source")
    by_id = values.is_record_id(source)
    if spec is None or spec.type != "source" or not (by_id or source.startswith(("http://", "https://"))):
        return None  # a channel (展会, 电话…): nothing to read
    with store.reading() as reader:
        if by_id:
            try:
                return public(reader.get(source, with_body=False))
            except UserError:
                return None
        key = url_key(source)
        for kind in KINDS.values():
            if kind.field("url") is None:
                continue
            number = reader.find_key(kind, key)
            if number is not None:
                return public(reader.get(record_id(kind, number), with_body=False))
    return None


# -- the pipeline (leads) --------------------------------------------------------------------
def _in_pipeline(txn: Reader, rid: str) -> Record:
    record = txn.get(rid, with_body=False)
    if record.kind.pipeline is None:
        staged = [k.plural for k in KINDS.values() if k.pipeline is not None]
        raise UserError(messages.NOT_A_LEAD.format(id=rid, kind=with_article(record.kind.name),
                                                   kinds=f" {messages.OR} ".join(staged)))
    return record


def pipeline_title(store: Backend, rid: str) -> str:
    """The title (a lead: its company) of a record with a pipeline; UserError for another."""
    with store.reading() as reader:
        record = _in_pipeline(reader, rid)
        return str(record.doc.get(record.kind.title_field) or "")


def parse_status(kind: Kind, status: str, field: str = "status") -> str:
    assert kind.pipeline is not None
    return values.parse_choice(status, field, kind.pipeline.aliases)


def move_status(store: Backend, rid: str, status: str, note: str | None = None, *, on: str | None = None,
                amount: str | None = None) -> tuple[str, str, Kind]:
    """Move a record to a stage (back and forth both allowed); returns (old, new, its kind).
    Into the pipeline's end (signed), ``on`` is the signing day (default today) and
    ``amount`` what was signed (default the record's amount); given again for a record
    already there, they correct its signing."""
    with store.writing() as txn:
        record = _in_pipeline(txn, rid)
        kind = record.kind
        pipeline = kind.pipeline
        assert pipeline is not None
        new = parse_status(kind, status)
        field = kind.roles.status or "status"
        old = record.doc.get(field, pipeline.start)
        signing = signing_given(kind, new, on, amount)
        if new == old and not (on or amount):
            return old, new, kind
        now = dates.now_iso()
        history = list(record.doc.get("history", []))
        if new == old:  # a signing corrected: its move says so
            history = [*history[:-1], {**history[-1], **signing}] if history and history[-1].get("to") == new \
                else history + [{**move_entry(old, new, now, note), **signing}]
        else:
            history.append({**move_entry(old, new, now, note), **signing})
        changes: dict[str, Any] = {field: new, "history": history}
        if kind.roles.won_on:
            changes[kind.roles.won_on] = signing.get("on") if new == pipeline.won else None
        txn.update(kind, record.number, changed(kind, record.doc, changes, now))
        txn.log_changes([log.entry("moved", kind, record.number, at=now, title=log.title_of(kind, record.doc),
                                   note=note, **{"from": old, "to": new}, **signing)])
    return old, new, kind


def signing_given(kind: Kind, status: str, on: str | None, amount: str | None) -> dict[str, Any]:
    """What a move into ``status`` records of the signing: its day (today unless ``on``) and,
    when given, the amount signed (the lower end of a range); a usage error for another status."""
    pipeline = kind.pipeline
    if pipeline is None or status != pipeline.won:
        if on or amount:
            raise UsageError(messages.SIGNING_ONLY_WON.format(status=pipeline.label(pipeline.won) if pipeline else ""))
        return {}
    found: dict[str, Any] = {"on": (dates.parse_date(on, field="--on") if on else dates.today()).isoformat()}
    if amount:
        from ..domain.amounts import parse_amount

        parsed = parse_amount(amount, "--amount")
        found["amount"], found["currency"] = parsed.low, parsed.currency
    return found


def assign(store: Backend, rid: str, owner: str | None) -> tuple[str | None, str | None]:
    """Give a lead an owner (None: no one); recorded in its history.  Returns (old, new)."""
    from ..domain.people import parse_name

    new_owner = parse_name(owner, "OWNER") if owner is not None else None
    with store.writing() as txn:
        record = _in_pipeline(txn, rid)
        if record.kind.field("owner") is None:
            raise UserError(messages.NO_OWNER.format(id=rid, kind=record.kind.plural))
        old = record.doc.get("owner")
        if old == new_owner:
            return old, new_owner
        now = dates.now_iso()
        history = list(record.doc.get("history", [])) + [assignment_entry(record.kind, record.doc, new_owner, now)]
        txn.update(record.kind, record.number,
                   changed(record.kind, record.doc, {"owner": new_owner, "history": history}, now))
        txn.log_changes([log.entry("assigned", record.kind, record.number, at=now,
                                   title=log.title_of(record.kind, record.doc), **{"from": old, "to": new_owner})])
    return old, new_owner


def add_note(store: Backend, rid: str, text: str) -> None:
    if not text.strip():
        raise UsageError(messages.NOTE_EMPTY)
    with store.writing() as txn:
        record = _in_pipeline(txn, rid)
        now = dates.now_iso()
        notes = list(record.doc.get("notes", [])) + [{"at": now, "by": current_user(), "text": text.strip()}]
        txn.update(record.kind, record.number, changed(record.kind, record.doc, {"notes": notes}, now))
        txn.log_changes([log.entry("noted", record.kind, record.number, at=now,
                                   title=log.title_of(record.kind, record.doc), note=text.strip())])


def set_due(store: Backend, rid: str, when: str | None) -> str | None:
    due = dates.parse_follow_up(when, field="due").isoformat() if when else None
    with store.writing() as txn:
        record = _in_pipeline(txn, rid)
        field = record.kind.roles.follow_up
        if field is None:
            raise UserError(messages.NO_FOLLOW_UP.format(id=rid, kind=record.kind.plural))
        now = dates.now_iso()
        txn.update(record.kind, record.number, changed(record.kind, record.doc, {field: due}, now))
        txn.log_changes([log.entry("edited", record.kind, record.number, at=now,
                                   title=log.title_of(record.kind, record.doc),
                                   changes=[{"field": field, "old": record.doc.get(field), "new": due}])])
    return due

