"""Numbered schema migrations, applied in memory on open and saved by the next write.

``MIGRATIONS[n]`` upgrades a document from schema ``n + 1`` to ``n + 2``.  Append a
function here whenever the stored layout changes; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Document = dict[str, Any]


def _v1_to_v2(data: Document) -> None:
    """Schema 2 gives every lead a status history, starting from its current status."""
    for doc in data.get("leads", {}).values():
        if "history" not in doc:
            doc["history"] = [{"at": doc.get("created_at", ""), "to": doc.get("status", "new")}]


def _v2_to_v3(data: Document) -> None:
    """Schema 3 stores bodies as JSON string literals.  Older logs hold plain UTF-8 text: they
    say so in the meta, are read as such, and the next write copies them into a new log."""
    meta = data["_meta"]["1"]
    meta.setdefault("bodies", "text")


MIGRATIONS: list[Callable[[Document], None]] = [_v1_to_v2, _v2_to_v3]
CURRENT = len(MIGRATIONS) + 1


def upgrade(data: Document, meta: dict[str, Any]) -> list[int]:
    """Bring ``data`` up to CURRENT in place; returns the versions it passed through."""
    passed = []
    while meta["schema"] < CURRENT:
        MIGRATIONS[meta["schema"] - 1](data)
        meta["schema"] += 1
        passed.append(meta["schema"])
    return passed
