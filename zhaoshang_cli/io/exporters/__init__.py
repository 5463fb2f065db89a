"""Output formats.  Each module writes records (public dicts) to a text stream, or to a
bytes stream for the BINARY formats (xlsx).

Every exporter has the same signature::

    write(records, out, *, kinds, options) -> None

where ``kinds`` are the record kinds present (for column choice) and ``options`` the
render options (overdue date, Excel CSV, kind column).  Exporters write what they are
given: masking contact data is the caller's choice (masking.py), made before.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import IO, Any, Iterable

from ... import messages
from ...errors import UsageError
from ...domain.kind import Kind

LIST_FORMATS = ("table", "json", "jsonl", "csv", "count", "ids", "html")
EXPORT_FORMATS = ("jsonl", "json", "csv", "xlsx")
BINARY = ("xlsx",)
_MODULES = {"table": "table", "json": "json_", "jsonl": "jsonl", "csv": "csv_", "count": "ids", "ids": "ids",
            "xlsx": "xlsx", "html": "html.records"}


@dataclass
class Options:
    today: str | None = None    # ISO date; leads due on or before it are overdue
    excel: bool = False         # CSV: UTF-8 with BOM for Excel
    show_kind: bool = False     # table: a kind column (filter over all kinds)


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
    else:
        module.write(records, out, kinds=kinds, options=options)
