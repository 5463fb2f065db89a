"""The follow-ups of the days ahead (`zhaoshang agenda`): leads not closed whose next
follow-up falls before the end of the window, overdue first, then day by day.  Plain
Python over the storage protocol, no printing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from ..domain.kind import KINDS
from ..storage.base import Backend, Filters
from .records import find


@dataclass
class Agenda:
    today: str
    until: str  # the last day shown
    overdue: list[dict[str, Any]]  # public records, oldest due first
    days: list[tuple[str, list[dict[str, Any]]]]  # (day, its follow-ups), in order

    @property
    def records(self) -> list[dict[str, Any]]:
        return self.overdue + [r for _, day in self.days for r in day]


def build(store: Backend, filters: Filters, today: date, days: int) -> Agenda:
    """The follow-ups due up to ``days`` days after ``today`` (overdue ones included)."""
    last = today + timedelta(days=max(days, 0))
    kinds = [kind for kind in KINDS.values() if kind.pipeline is not None and kind.roles.follow_up]
    found = find(store, kinds, replace(filters, due_before=last.isoformat()), sort="due") if kinds else []
    overdue: list[dict[str, Any]] = []
    by_day: dict[str, list[dict[str, Any]]] = {}
    for record in found:
        due = _due(record)
        if due < today.isoformat():
            overdue.append(record)
        else:
            by_day.setdefault(due, []).append(record)
    return Agenda(today.isoformat(), last.isoformat(), overdue, sorted(by_day.items()))


def _due(record: dict[str, Any]) -> str:
    kind = KINDS[record["kind"]]
    return str(record.get(kind.roles.follow_up or "") or "")
