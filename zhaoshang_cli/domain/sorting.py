"""How records sort: ``--sort date``, ``-amount``, ``title``, ``id`` or any field.

A sort is a key function over (kind, number, document) and a direction, so that every
storage backend orders records alike; ``fields`` says which stored keys it reads, so a
backend can sort on what its index holds without reading whole documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .. import messages
from ..errors import UsageError
from .kind import KINDS, Kind

NAMED = ("date", "id", "title", "region", "created", "updated", "amount", "status", "due", "company")
_ALIASES = {"created": "created_at", "updated": "updated_at", "region": "region_code"}
_ROLES = {"date": "date", "due": "follow_up", "status": "status", "amount": "amount"}  # a name → the role it sorts by

SortKey = Callable[[Kind, int, Mapping[str, Any]], Any]


class Sort(NamedTuple):
    name: str
    descending: bool

    @property
    def spec(self) -> str:
        return ("-" if self.descending else "") + self.name

    def field_of(self, kind: Kind) -> str | None:
        """The stored key this sort orders records of ``kind`` by: a role's field for the names
        of roles (date, due, status, amount), the title field for title; None: it has none."""
        if self.name == "title":
            return kind.title_field
        if self.name in _ROLES:
            return getattr(kind.roles, _ROLES[self.name])
        if self.name in _ALIASES:
            return _ALIASES[self.name]
        spec = kind.field(self.name)
        return spec.key if spec is not None else None

    def fields(self, kind: Kind) -> list[str]:
        """The stored keys this sort reads from records of ``kind``."""
        key = self.field_of(kind)
        if key is None:
            return []
        return [key, "currency"] if self.name == "amount" else [key]

    def key(self) -> tuple[SortKey, bool]:
        """(key function, reverse) for sorted(), heapq.nsmallest/nlargest alike."""
        if self.name == "id":
            return (lambda kind, number, doc: (kind.prefix, number)), self.descending
        if self.name == "amount":
            # each currency apart (yuan first), records without an amount last, whichever the
            # direction: there are no exchange rates
            sign = -1 if self.descending else 1
            return (lambda kind, number, doc: (_currency_rank(kind, doc), sign * (_amount(kind, doc) or 0),
                                               sign * ord(kind.prefix), sign * number)), False
        field_of = self.field_of
        return (lambda kind, number, doc: (_sortable(doc.get(field_of(kind) or "")), kind.prefix, number)), \
            self.descending


def parse(spec: str | None, default: str = "-date") -> Sort:
    """``-date`` → newest first; the name must be a sort key or a field of some kind."""
    text = (spec or default).strip()
    descending = text.startswith("-")
    name = text.lstrip("-+").replace("-", "_")
    known = set(NAMED) | {f.name for kind in KINDS.values() for f in kind.fields if not f.apart}
    if name not in known:
        raise UsageError(messages.SORT_UNKNOWN.format(value=spec, allowed=", ".join(NAMED) + ", or any field"))
    return Sort(name, descending)


def _amount(kind: Kind, doc: Mapping[str, Any]) -> Any:
    return doc.get(kind.roles.amount) if kind.roles.amount else None


def _currency_rank(kind: Kind, doc: Mapping[str, Any]) -> int:
    from .currencies import CURRENCIES, DEFAULT_CURRENCY

    if _amount(kind, doc) is None:
        return len(CURRENCIES)
    return CURRENCIES.index(doc.get("currency") or DEFAULT_CURRENCY)


def _sortable(value: Any) -> tuple[int, Any]:
    """Any stored value in one order: missing first, then numbers, then text."""
    if value is None or value == "" or value == []:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, list):
        return (2, ",".join(map(str, value)))
    return (2, str(value))
