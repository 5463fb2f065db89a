"""Signings as a leader counts them: on the day the deal was signed, for the amount signed.

A record of a kind with a pipeline reaches its end (a lead: 已签约) on a day of its own, its
``won_on`` role (a lead's ``signed_on``, set by `lead status l7 signed --on 2025-07-20`,
today by default), and the move into it may say the amount contracted (``amount`` and
``currency`` on that history entry; else the record's own amount counts, a range at its
lower end).  A record signed before signing days were kept has the day of its move into the
status, else none.  Every backend selects and every report counts through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .currencies import DEFAULT_CURRENCY
from .kind import Kind


def _won_move(kind: Kind, doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The last history entry that moved the record into its won status."""
    pipeline = kind.pipeline
    if pipeline is None:
        return None
    for entry in reversed(doc.get("history") or []):
        if isinstance(entry, dict) and entry.get("to") == pipeline.won and entry.get("from") != pipeline.won:
            return entry
    return None


def is_won(kind: Kind, doc: Mapping[str, Any]) -> bool:
    status = kind.roles.status
    return kind.pipeline is not None and status is not None and doc.get(status) == kind.pipeline.won


def signing_day(kind: Kind, doc: Mapping[str, Any]) -> str | None:
    """The day a won record was signed (ISO); None for one not won."""
    if not is_won(kind, doc):
        return None
    day = doc.get(kind.roles.won_on) if kind.roles.won_on else None
    if isinstance(day, str) and day:
        return day
    move = _won_move(kind, doc)
    if move is None:
        return None
    return str(move.get("on") or move.get("at") or "")[:10] or None


def signed_in(kind: Kind, doc: Mapping[str, Any], since: str | None, until: str | None) -> bool:
    day = signing_day(kind, doc)
    return day is not None and (since is None or day >= since) and (until is None or day <= until)


def signed_amount(kind: Kind, doc: Mapping[str, Any]) -> tuple[int | None, str, bool]:
    """(amount, currency, whether it is the lower end of a range) a signing counts for."""
    move = _won_move(kind, doc)
    if move is not None and type(move.get("amount")) is int:
        return move["amount"], str(move.get("currency") or DEFAULT_CURRENCY), False
    amount = doc.get(kind.roles.amount) if kind.roles.amount else None
    return (amount if type(amount) is int else None), str(doc.get("currency") or DEFAULT_CURRENCY), \
        "amount_high" in doc
