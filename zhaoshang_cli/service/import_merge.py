"""The rows of an import for a stored record, merged into it (``_merged``) and settled once
(``_settled``): only what a row gives changes, notes and history are never lost, and a
move the import makes is one history entry naming the file.  ``status_regresses`` tells a
move back on a kind's pipeline, or out of a closed status.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from ..domain import validate as validation
from ..domain import versions
from ..domain.body import text_of
from ..domain.kind import STAMPS, Kind, Pipeline
from ..domain.people import current_user
from .records import move_entry


def _merged(kind: Kind, old: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``old`` with the fields ``given`` has (its timestamps aside).

    Notes and history are merged, never replaced: a note whose text is already there and a
    history entry already there (or a second creation entry) are not added again; new ones
    follow the old ones in time order.  A value given replaces its parts too (a new amount
    without a range drops the old upper end).
    """
    replaced = validation.with_parts(kind, given)
    new = {k: v for k, v in old.items() if k in given or k not in replaced}
    if "region_code" in given and "zone" not in given:  # a new region leaves the old zone
        new.pop("zone", None)
    for key, value in given.items():
        if key in STAMPS:
            continue
        if key == "notes":
            value = _appended(old.get("notes", []), value, lambda n: n["text"])
        elif key == "history":
            value = _appended(old.get("history", []), value, _history_key)
        elif key == "extra":
            value = {**old.get("extra", {}), **value}
        new[key] = value
    return new


def _history_key(entry: dict[str, str]) -> Any:
    return "created" if "from" not in entry else tuple(sorted(entry.items()))


def _appended(stored: list[dict[str, str]], given: list[dict[str, str]],
              key: Callable[[dict[str, str]], Any]) -> list[dict[str, str]]:
    known = {key(e) for e in stored}
    fresh = [e for e in given if key(e) not in known]
    return list(stored) + sorted(fresh, key=lambda e: e.get("at", ""))


def status_regresses(pipeline: Pipeline, old: str | None, new: str | None) -> bool:
    """Whether a move from ``old`` to ``new`` leaves a closed status (to any other) or goes
    to an earlier stage of the pipeline's path."""
    if not old or not new or old == new:
        return False
    if old in pipeline.closed:
        return True
    path = pipeline.path
    return old in path and new in path and path.index(new) < path.index(old)


def _file_name(file: str) -> str:
    """How a history entry names the file an import read: its name without the folders
    (``<stdin>`` as it is)."""
    return PurePath(file).name or file


def _settled(kind: Kind, stored: dict[str, Any], new: dict[str, Any], stored_body: str | None,
             now: str, file: str | None = None) -> dict[str, Any] | None:
    """A stored document updated to ``new`` (the merge of the rows for it), or None when
    nothing changed.  A new status is appended to the history as one move made by the import
    from ``file`` (unless the merged history already ends with the move to it); ``created_at``
    is kept and ``updated_at`` is ``now``."""
    if "body" in new and text_of(new["body"]) == stored_body:
        del new["body"]
    status, history = new.get("status"), new.get("history") or []
    if kind.pipeline and status and status != stored.get("status") and not (history and history[-1]["to"] == status):
        start = stored.get("status", kind.pipeline.start)
        entry = move_entry(start, status, at=now, source="import")
        if file:
            entry["file"] = file
        won_on = kind.roles.won_on
        if won_on and status == kind.pipeline.won:  # signed on the day the sheet says, else today
            new[won_on] = entry["on"] = new.get(won_on) or now[:10]
        elif won_on and stored.get("status") == kind.pipeline.won:
            new.pop(won_on, None)
        new["history"] = history + [entry]

    def compared(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k not in STAMPS and k != "body"}

    if "body" not in new and compared(new) == compared(stored):
        return None
    new.setdefault("created_at", now)
    new["updated_at"] = now
    new["updated_by"] = current_user()
    versions.stamp(kind, stored, new, body_changed="body" in new)
    return new
