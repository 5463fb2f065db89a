"""The named migrations (storage/migrations.py) as a file store applies them.

``lead_history`` and ``bodies_as_json`` change a store of one document (schema 1 and 2):
they are applied in memory when it is opened, and saved by its first write, which also
applies ``records_in_segments`` (rewrite.migrate splits the document into segments) and
``store_identity`` (the store gets an id).  The store file's meta then names every
migration applied (``migrations``) and says the format older versions check (``schema``).
Stores written before migrations had names: a store of schema N has the first N-1 applied,
and ``store_identity`` when it has an id.  Append a migration to storage/migrations.py with
its step here; never change one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..migrations import FILE_FORMAT, NAMES, pending

Document = dict[str, Any]
_BY_SCHEMA = ("lead_history", "bodies_as_json", "records_in_segments")  # what schema 2, 3, 4 had applied


def applied(meta: dict[str, Any]) -> list[str]:
    """The migrations a store file's meta says it has (read from its schema number and what
    it holds when it was written before they had names)."""
    named = meta.get("migrations")
    if isinstance(named, list) and all(type(n) is str for n in named):
        return list(named)
    found = list(_BY_SCHEMA[:max(meta.get("schema", 1) - 1, 0)]) if type(meta.get("schema")) is int else []
    if type(meta.get("id")) is str:
        found.append("store_identity")
    return found


def _lead_history(data: Document) -> None:
    """Every lead gets a status history, starting from its current status."""
    for doc in data.get("leads", {}).values():
        if isinstance(doc, dict) and "history" not in doc:
            doc["history"] = [{"at": doc.get("created_at", ""), "to": doc.get("status", "new")}]


def _bodies_as_json(data: Document) -> None:
    """Bodies are JSON string literals from now on.  An older log holds plain UTF-8 text: the
    meta says so, it is read as such, and the next write copies it into a new log."""
    data["_meta"]["1"].setdefault("bodies", "text")


ON_DOCUMENT: dict[str, Callable[[Document], None]] = {"lead_history": _lead_history,
                                                      "bodies_as_json": _bodies_as_json}


def upgrade(data: Document, meta: dict[str, Any]) -> list[str]:
    """Apply in memory what a store of one document lacks of the migrations that change the
    document; returns their names."""
    done = []
    for migration in pending(applied(meta)):
        step = ON_DOCUMENT.get(migration.name)
        if step is None:
            break  # the next one is applied by the first write
        step(data)
        meta["schema"] = migration.file_format
        done.append(migration.name)
    return done


def record(meta: dict[str, Any]) -> None:
    """Say in the meta that every migration is applied (a write has just applied the rest)."""
    meta["migrations"] = list(NAMES)
    meta["schema"] = FILE_FORMAT
