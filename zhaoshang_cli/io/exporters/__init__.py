"""Output formats.  Each module writes records (public dicts) to a text stream, or to a
bytes stream for the BINARY formats (xlsx).

Every exporter has the same signature::

    write(records, out, *, kinds, options) -> None

where ``kinds`` are the record kinds present (for column choice) and ``options`` the
render options (overdue date, Excel CSV, kind column, the fields asked for).  Exporters write what they are
given: masking contact data is the caller's choice (masking.py), made before.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import IO, Any, NamedTuple

from ... import messages
from ...domain.kind import Kind, field_names_by_label
from ...errors import UsageError

LIST_FORMATS = ("table", "json", "jsonl", "csv", "count", "ids", "html")
EXPORT_FORMATS = ("jsonl", "json", "csv", "xlsx")
VIEW_FORMATS = ("table", "json")  # a region (regions)
SHOW_FORMATS = (*VIEW_FORMATS, "html")  # one record (show)
BINARY = ("xlsx",)
_MODULES = {"table": "table", "json": "json_", "jsonl": "jsonl", "csv": "csv_", "count": "ids", "ids": "ids",
            "xlsx": "xlsx", "html": "html.records"}


class Options(NamedTuple):
    today: str | None = None    # ISO date; leads due on or before it are overdue
    excel: bool = False         # CSV: UTF-8 with BOM for Excel
    show_kind: bool = False     # table: a kind column (filter over all kinds)
    fields: list[str] | None = None  # only these, in this order (--fields); else each format's own


def pick_fields(text: str | None, kinds: list[Kind], fmt: str) -> list[str] | None:
    """The field names ``--fields`` asks for, in its order: names or their labels (标题),
    separated by commas; ``title`` is each kind's title field (a lead's company)."""
    if text is None:
        return None
    if fmt in ("count", "ids"):
        raise UsageError(messages.FIELDS_NOT_FOR.format(fmt=fmt))
    known = {"title": "title", messages.COL_ID: "id", messages.COL_KIND: "kind"}
    for kind in kinds:
        known.update((name, name) for name in kind.public_fields)
    known.update(field_names_by_label(kinds))
    asked = [part.strip() for part in text.replace("，", ",").replace("、", ",").split(",") if part.strip()]
    if not asked:
        raise UsageError(messages.FIELDS_EMPTY)
    for name in asked:
        if name not in known and name.lower() not in known:
            allowed = ", ".join(dict.fromkeys(known.values()))
            raise UsageError(messages.FIELDS_UNKNOWN.format(value=name, kinds="/".join(k.plural for k in kinds),
                                                            allowed=allowed))
    return list(dict.fromkeys(known.get(name, known.get(name.lower(), name)) for name in asked))


def needs_body(fields: list[str] | None, kinds: list[Kind]) -> bool:
    """Whether the fields asked for include one kept apart from the listing (a body)."""
    return bool(fields) and any((spec := kind.field(name)) is not None and spec.apart
                                for kind in kinds for name in fields or ())


def value_of(record: dict[str, Any], name: str) -> Any:
    """A record's value of field ``name``; ``title`` is its kind's title field."""
    if name == "title" and "title" not in record:
        from ...domain.kind import KINDS

        kind = KINDS.get(record.get("kind", ""))
        return record.get(kind.title_field) if kind else None
    return record.get(name)


def _only(records: Iterable[dict[str, Any]], fields: list[str]) -> Iterable[dict[str, Any]]:
    for record in records:
        yield {name: value_of(record, name) for name in fields}


def check_format(name: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if name not in allowed:
        raise UsageError(messages.FORMAT_UNKNOWN.format(value=name, allowed=", ".join(allowed)))
    return name


def write(fmt: str, records: Iterable[dict[str, Any]], out: IO[Any], *, kinds: list[Kind],
          options: Options | None = None) -> None:
    module = import_module(f"{__name__}.{_MODULES[fmt]}")
    options = options or Options()
    if fmt == "count":
        module.write_count(records, out)
    elif fmt in ("json", "jsonl") and options.fields:
        module.write(_only(records, options.fields), out, kinds=kinds, options=options)
    else:
        module.write(records, out, kinds=kinds, options=options)
