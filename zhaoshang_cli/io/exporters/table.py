"""Tables for people at a terminal: each kind's columns (domain/<kind>.py), one line per
record, cells inert (no markup, no escape sequences) and cut with an ellipsis, aligned by
display width so that Chinese stays in its columns at 80 columns; written as the records
come (io/grid.py).  Follow-ups due on or before today are marked 逾期 and shown in red.
Records arrive masked (masking.py) unless the user asked for --reveal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from ... import messages
from ...domain.kind import KINDS, Kind
from ...domain.kind import Column as KindColumn
from .. import grid
from ..safe_text import inert
from . import value_of
from .cells import JSON_FIELDS, text


def region_text(record: dict[str, Any]) -> str | None:
    """The district, and the zone beside it when there is one: 武清区·武清开发区."""
    if not record.get("zone"):
        return record.get("region")
    from ...domain.regions import table

    return f"{record.get('region') or ''}·{table().zone_label(record['zone'])}"


def is_overdue(record: dict[str, Any], today: str | None) -> bool:
    kind = KINDS.get(record.get("kind", ""))
    if kind is None or kind.roles.follow_up is None:
        return False
    due = record.get(kind.roles.follow_up)
    closed = kind.pipeline.closed if kind.pipeline else ()
    return bool(today and due and due <= today and record.get(kind.roles.status or "") not in closed)


def is_follow_up(kind: Kind | None, field: str) -> bool:
    return kind is not None and field == kind.roles.follow_up


def cell(record: dict[str, Any], field: str, today: str | None) -> str:
    """What a column shows of a record."""
    kind = KINDS.get(record.get("kind", ""))
    if field == "title":
        value: Any = value_of(record, "title")
    elif field == "kind":
        value = kind.label if kind else record.get("kind")
    elif field == "region":
        value = region_text(record)
    elif field == "date" and kind is not None and kind.roles.date != "date":  # a column of every kind's date
        value = record.get(kind.roles.date) if kind.roles.date else ""
    elif kind is not None and field == kind.roles.amount:
        from ...domain.amounts import amount_text  # here: amounts bring decimal, and most tables have none

        value = amount_text(record)
    elif kind is not None and field == kind.roles.status and kind.pipeline:
        value = kind.pipeline.label(record.get(field))
    elif is_follow_up(kind, field):
        value = record.get(field) or ""
        if is_overdue(record, today):
            value = f"{value} {messages.COL_OVERDUE}"
    elif field == "notes":
        value = " | ".join(str(note.get("text", "")) for note in record.get("notes") or [] if isinstance(note, dict))
    elif field in JSON_FIELDS:
        value = text(field, record.get(field))
    else:
        value = record.get(field)
    if isinstance(value, list):
        value = "、".join(map(str, value))
    return inert(value, single_line=True)


_IDENT = KindColumn(messages.COL_ID, "id", min_width=3, max_width=8)
_KIND = KindColumn(messages.COL_KIND, "kind", min_width=4, max_width=4)


def _whole(kinds: list[Kind], name: str) -> bool:
    """A value that means nothing cut short: an ID, a day, a phone, an e-mail."""
    if name == "id":
        return True
    return any((spec := kind.field(name)) is not None and spec.type in ("date", "phone", "email") for kind in kinds)


def column_of(kinds: list[Kind], name: str, flexible: bool) -> KindColumn:
    """The column of one field asked for with --fields: the kind's own when it lists the
    field, else one headed by the field's label; ``flexible`` for the one taking the room."""
    if name in ("id", "kind"):
        return _IDENT if name == "id" else _KIND
    for kind in kinds:
        for column in kind.columns:
            if column.field == name or (column.field == "title" and name == kind.title_field):
                return column._replace(optional=False, flexible=flexible)
    if name == "title" or any(name == kind.title_field for kind in kinds):
        if len(kinds) == 1:
            title = kinds[0].field(kinds[0].title_field)
            assert title is not None  # a kind's title field is one of its fields
            header = title.label
        else:
            header = messages.COL_TITLE_ANY
        return KindColumn(header, "title", min_width=12, flexible=flexible)
    spec = next((kind.field(name) for kind in kinds if kind.field(name) is not None), None)
    return KindColumn(spec.label if spec else name, name, max_width=None if flexible else 30, flexible=flexible)


def chosen_columns(kinds: list[Kind], fields: list[str]) -> list[KindColumn]:
    """Columns of the fields asked for; the title (or else the first text field) takes the room."""
    titles = {"title", *(kind.title_field for kind in kinds)}
    flex = next((n for n in fields if n in titles), None)
    if flex is None:
        flex = next((n for n in fields if n not in ("id", "kind") and
                     any((spec := k.field(n)) is not None and spec.type == "text" for k in kinds)), None)
    return [column_of(kinds, name, name == flex) for name in fields]


def columns_for(kinds: list[Kind], show_kind: bool) -> list[KindColumn]:
    if show_kind or len(kinds) != 1:
        return [_IDENT, _KIND,
                KindColumn(messages.COL_TITLE_ANY, "title", min_width=12, flexible=True),
                KindColumn(messages.COL_REGION, "region", min_width=4, max_width=16),
                KindColumn(messages.COL_DATE, "date", min_width=10, max_width=10)]
    kind = kinds[0]
    if kind.columns:
        return [_IDENT, *kind.columns]
    # a kind that declares no columns: its title and, when it has them, region and date
    title = kind.field(kind.title_field)
    assert title is not None  # a kind's title field is one of its fields
    shown = [_IDENT, KindColumn(title.label, "title", min_width=12, flexible=True)]
    for name in ("region", kind.roles.date):
        spec = kind.field(name) if name else None
        if spec is not None and name:
            shown.append(KindColumn(spec.label, name, max_width=16))
    return shown


def write(records: Iterable[dict[str, Any]], out: TextIO, *, kinds: list[Kind], options: Any) -> None:
    chosen = chosen_columns(kinds, options.fields) if options.fields else columns_for(kinds, options.show_kind)
    layout = [grid.Column(c.header, c.min_width, c.max_width, c.flexible, c.justify, c.optional,
                          whole=bool(options.fields) and _whole(kinds, c.field)) for c in chosen]
    fields = [c.field for c in chosen]

    def rows() -> Iterator[tuple[list[str], bool]]:
        for record in records:
            yield [cell(record, f, options.today) for f in fields], is_overdue(record, options.today)

    grid.write(layout, rows(), out, drop_empty=not options.fields)
