"""Two versions of one record: who it is across stores, when each field last changed, and
how two versions merge.

Stores are copied between people (``zhaoshang copy``), so a record has an identity of
its own besides its ID: ``uid``, given when it is created and kept by every copy (a
record renumbered by a copy keeps the identity it had).  Records stored before there
were uids are known by their ID and creation time.

Each record keeps, by field (an amount with its range, currency and approximation is one
field, a region with its zone, a body another), ``field_times``: when its value arrived in
this store (a change here: when made; a copy: when copied), and ``field_from``: the store
where a value that came by copy was made (none: made here).  Two versions of a record merge
field by field: a side's value the other side has not seen wins (not seen: made elsewhere
than there, and arrived after the other last took this side's records); a field unseen on
both sides is a conflict, kept as the target has it unless the caller prefers the source,
and stamped as arrived now so that the outcome stands; seen on both, the later one wins.
Notes and status moves are merged, never dropped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from .kind import STAMPS, Kind, record_id

UID = "uid"
TIMES = "field_times"
FROM = "field_from"
BODY = "body"
_UNION = ("notes", "history")  # merged entry by entry
_BOOKKEEPING = frozenset((UID, TIMES, FROM, *STAMPS, "_body"))
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)


def new_uid() -> str:
    return os.urandom(8).hex()


def identity(kind: Kind, number: int, doc: Mapping[str, Any]) -> str:
    """Who a record is in every store: its uid, else its ID and creation time."""
    return doc.get(UID) or f"{record_id(kind, number)}@{doc.get('created_at', '')}"


@cache
def groups(kind: Kind) -> dict[str, str]:
    """Stored key → the field it belongs to (region_code and zone → region; the parts of
    an amount → amount); keys of no field are their own."""
    found: dict[str, str] = {}
    for spec in kind.fields:
        if spec.type == "region":
            found["region_code"] = found["zone"] = spec.name
        elif spec.part_of:
            found[spec.name] = spec.part_of
        elif spec.apart:
            found[spec.name] = BODY
    return found


def _group(kind: Kind, key: str) -> str:
    return groups(kind).get(key, key)


def _values(kind: Kind, doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The document's keys by field, bookkeeping and merged lists aside."""
    found: dict[str, dict[str, Any]] = {}
    for key, value in doc.items():
        if key not in _BOOKKEEPING and key not in _UNION:
            found.setdefault(_group(kind, key), {})[key] = value
    return found


def now() -> str:
    """The time of a change, to the microsecond: two changes in one second must still be
    told apart when two stores are merged."""
    return datetime.now().astimezone().isoformat()


def stamp(kind: Kind, old: Mapping[str, Any], new: dict[str, Any], body_changed: bool = False) -> None:
    """Record in ``new`` that each field differing from ``old`` changed now."""
    before, after = _values(kind, old), _values(kind, new)
    changed = [name for name in before.keys() | after.keys() if before.get(name) != after.get(name)]
    if body_changed:
        changed.append(BODY)
    if changed:
        times = _texts(old, TIMES)
        at = now()
        times.update((name, at) for name in changed)
        new[TIMES] = times
        origins = {k: v for k, v in _texts(old, FROM).items() if k not in changed}
        if origins:
            new[FROM] = origins
        else:
            new.pop(FROM, None)


def _texts(doc: Mapping[str, Any], key: str) -> dict[str, str]:
    """A bookkeeping map of the document (field → text); a damaged one counts as none."""
    found = doc.get(key)
    return {k: v for k, v in found.items() if type(v) is str} if isinstance(found, dict) else {}


def brought(kind: Kind, doc: dict[str, Any], store: str | None, at: str) -> None:
    """Mark every field of a record a copy brings from ``store`` as arrived ``at`` and made
    where it was made (there, unless it came there from elsewhere)."""
    names = sorted(set(_values(kind, doc)) | ({BODY} if kind.has_body else set()))
    origins = _texts(doc, FROM)
    doc[TIMES] = {name: at for name in names}
    if store:
        doc[FROM] = {name: origins.get(name, store) for name in names}


@lru_cache(maxsize=65536)
def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.astimezone()


def later(a: str | None, b: str | None) -> bool:
    """Whether time ``a`` is after time ``b`` (ISO, any offset; a missing or unreadable time is earliest)."""
    first, second = _moment(a or ""), _moment(b or "")
    if first is None:
        return False
    return second is None or first > second


def changed_at(doc: Mapping[str, Any], name: str) -> str:
    """When field ``name``'s value arrived in this store: as stamped, else when the record was
    created (or, for a record from before stamps, when it last changed at all)."""
    times = doc.get(TIMES)
    if isinstance(times, dict) and isinstance(times.get(name), str):
        return times[name]
    return str(doc.get("created_at" if isinstance(times, dict) else "updated_at") or doc.get("created_at") or "")


@dataclass
class Version:
    doc: Mapping[str, Any]
    body: str | None = None


@dataclass
class Merged:
    doc: dict[str, Any]
    body: str | None
    body_changed: bool = False
    taken: list[str] = field(default_factory=list)      # fields the source's version gave
    conflicts: list[str] = field(default_factory=list)  # fields changed on both sides since they matched
    lists_changed: bool = False                         # notes or moves the target lacked
    settled: bool = False                               # a conflict's outcome stamped

    @property
    def changed(self) -> bool:
        return bool(self.taken or self.body_changed or self.lists_changed or self.settled)


@dataclass(frozen=True)
class Peers:
    """The two stores a merge is between: their ids, when the target last took the source's
    records and when the source last took the target's (None: never)."""

    source: str | None = None
    target: str | None = None
    target_took: str | None = None
    source_took: str | None = None


def _unseen(doc: Mapping[str, Any], name: str, own: str | None, by: str | None, took: str | None) -> bool:
    """Whether the store ``by`` has not seen this side's (store ``own``'s) value of field
    ``name``: it was not made there, and arrived after ``by`` last took this side's records."""
    if by and _texts(doc, FROM).get(name, own) == by:
        return False
    return took is None or later(changed_at(doc, name), took)


def merge(kind: Kind, source: Version, target: Version, peers: Peers = Peers(), prefer: str | None = None,
          at: str | None = None) -> Merged:
    """The target's version updated from the source's, field by field (see the module's
    notes).  A conflict's outcome is stamped as changed ``at`` (now), here, so that it
    stands in the next merge of the two stores, whichever way it runs."""
    theirs, ours = _values(kind, source.doc), _values(kind, target.doc)
    if kind.has_body:
        theirs[BODY] = {BODY: source.body or None}
        ours[BODY] = {BODY: target.body or None}
    doc = dict(target.doc)
    times, origins = _texts(target.doc, TIMES), _texts(target.doc, FROM)
    arrived = at or now()
    result = Merged(doc, target.body)
    for name in sorted(theirs.keys() | ours.keys()):
        if theirs.get(name, {}) == ours.get(name, {}) or all(v in (None, "", [], {}) for v in
                                                             [*theirs.get(name, {}).values(),
                                                              *ours.get(name, {}).values()]):
            continue
        theirs_unseen = _unseen(source.doc, name, peers.source, peers.target, peers.target_took)
        ours_unseen = _unseen(target.doc, name, peers.target, peers.source, peers.source_took)
        if theirs_unseen and ours_unseen:
            result.conflicts.append(name)
            take = prefer == "source"
            times[name] = arrived  # the outcome is news to the other side, whichever it is
            result.settled = True
        elif theirs_unseen or ours_unseen:
            take = theirs_unseen
        else:
            take = later(changed_at(source.doc, name), changed_at(target.doc, name))
        if not take:
            continue
        result.taken.append(name)
        times[name] = arrived
        made = _texts(source.doc, FROM).get(name, peers.source)
        if made and made != peers.target:
            origins[name] = made
        else:
            origins.pop(name, None)
        if name == BODY:
            result.body, result.body_changed = source.body or None, True
            continue
        for key in ours.get(name, {}):
            doc.pop(key, None)
        doc.update(theirs.get(name, {}))
    for name in _UNION:
        union = _union(name, target.doc.get(name) or [], source.doc.get(name) or [])
        if union != (target.doc.get(name) or []):
            doc[name] = union
            result.lists_changed = True
    if result.taken or result.settled:
        doc[TIMES] = times
        if origins:
            doc[FROM] = origins
        else:
            doc.pop(FROM, None)
    if result.changed and later(source.doc.get("updated_at"), doc.get("updated_at")):
        doc["updated_at"] = source.doc["updated_at"]
        if source.doc.get("updated_by"):
            doc["updated_by"] = source.doc["updated_by"]
    return result


def _entry_key(name: str, entry: Mapping[str, Any]) -> Any:
    if name == "history" and "from" not in entry:
        return "created"  # one creation entry, the target's
    return tuple(sorted((k, str(v)) for k, v in entry.items()))


def _union(name: str, ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Our entries and those of theirs we lack, in time order (ours first on a tie)."""
    known = {_entry_key(name, e) for e in ours if isinstance(e, dict)}
    fresh = [e for e in theirs if isinstance(e, dict) and _entry_key(name, e) not in known]
    if not fresh:
        return list(ours)
    both = [(e.get("at", "") if isinstance(e, dict) else "", 0, i, e) for i, e in enumerate(ours)]
    both += [(e.get("at", ""), 1, i, e) for i, e in enumerate(fresh)]
    return [e for *_, e in sorted(both, key=lambda item: (_moment(item[0]) or _EARLIEST, item[1], item[2]))]
