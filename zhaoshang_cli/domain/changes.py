"""The change log: what changed, on which record, when and by whom (`zhaoshang log`).

An entry is a plain JSON object, the same on every backend:

    {"at": TIME, "by": NAME, "action": ACTION, "id": "l7", "kind": "lead", "title": …, …}

``action`` is one of ACTIONS.  ``edited`` and an import's update of a stored record carry
``changes``: the stored keys changed, each ``{"field", "old", "new"}`` with the stored
values (so that ``undo`` can put them back); ``moved`` carries ``from``/``to`` (and
``note``), ``assigned`` ``from``/``to`` owners, ``noted`` its ``note``, ``deleted`` the
record's title or company (so that a deletion can be traced).  An import is one entry
without ``id``: ``file``, ``batch`` and the records it created as runs of numbers per kind
(``created``: {"lead": [[1, 18]]}); each stored record it updated has an entry of its own
with the same ``batch``.  A store keeps entries in the order they were made; readers list
them newest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .kind import KINDS, STAMPS, Kind, record_id
from .people import current_user

ACTIONS = ("created", "edited", "moved", "noted", "assigned", "imported", "merged", "deleted", "undone", "restored")
_NOT_COMPARED = frozenset((*STAMPS, "uid", "field_times", "field_from"))  # bookkeeping, not changes
BODY = "body"


class ChangeQuery(NamedTuple):
    """Which entries ``log`` lists: of these record IDs (any), from ``since`` (an ISO time,
    inclusive), by these people (any), of one import ``batch``; newest first, at most ``limit``."""

    ids: tuple[str, ...] = ()
    since: str | None = None
    by: tuple[str, ...] = ()
    batch: str | None = None
    limit: int | None = None

    def matches(self, entry: Mapping[str, Any]) -> bool:
        if self.since and str(entry.get("at", "")) < self.since:
            return False
        if self.by and entry.get("by") not in self.by:
            return False
        if self.batch and entry.get("batch") != self.batch:
            return False
        return not self.ids or any(concerns(entry, rid) for rid in self.ids)


def concerns(entry: Mapping[str, Any], rid: str) -> bool:
    """Whether the entry is about record ``rid``: it names it, or an import created it."""
    if entry.get("id") == rid:
        return True
    created = entry.get("created")
    if not isinstance(created, dict):
        return False
    kind = next((k for k in KINDS.values() if rid[:1] == k.prefix), None)
    if kind is None or not rid[1:].isdigit():
        return False
    number = int(rid[1:])
    return any(start <= number <= end for start, end in created.get(kind.name, ()))


def entry(action: str, kind: Kind | None = None, number: int | None = None, *, at: str, by: str | None = None,
          title: str | None = None, **details: Any) -> dict[str, Any]:
    """A log entry (see the module's doc); None details are left out."""
    made: dict[str, Any] = {"at": at, "by": by or current_user(), "action": action}
    if kind is not None and number is not None:
        made["id"] = record_id(kind, number)
        made["kind"] = kind.name
    if title:
        made["title"] = title
    made.update({k: v for k, v in details.items() if v is not None})
    return made


def title_of(kind: Kind, doc: Mapping[str, Any]) -> str:
    return str(doc.get(kind.title_field) or "")


def differences(old: Mapping[str, Any], new: Mapping[str, Any], body: tuple[str | None, str | None] | None = None,
                lists: bool = False) -> list[dict[str, Any]]:
    """The stored keys that differ between two documents of a record, with their stored values;
    ``body``: (old body, new body) when the body changed.  Notes and history (which only
    grow, and have entries of their own) only with ``lists`` (an import's, for ``undo``)."""
    skipped = _NOT_COMPARED if lists else _NOT_COMPARED | {"notes", "history"}
    found = [{"field": key, "old": old.get(key), "new": new.get(key)}
             for key in dict.fromkeys([*old, *new])
             if key not in skipped and key != "_body" and old.get(key) != new.get(key)]
    if body is not None:
        found.append({"field": BODY, "old": body[0], "new": body[1]})
    return found


def runs(numbers: Iterable[int]) -> list[list[int]]:
    """Sorted numbers as [first, last] runs: 1 2 3 7 → [[1, 3], [7, 7]]."""
    found: list[list[int]] = []
    for number in sorted(numbers):
        if found and found[-1][1] + 1 == number:
            found[-1][1] = number
        else:
            found.append([number, number])
    return found


def created_ids(entry_: Mapping[str, Any]) -> list[str]:
    """The IDs an import entry says it created, in order."""
    found = []
    for name, spans in (entry_.get("created") or {}).items():
        kind = KINDS.get(name)
        if kind is not None:
            found += [record_id(kind, n) for start, end in spans for n in range(start, end + 1)]
    return found

