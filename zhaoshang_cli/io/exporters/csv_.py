"""CSV for spreadsheets: English field names as headers, one row per record.

Cells follow the conventions shared with XLSX (cells.py): tags joined with commas;
notes, history and extra columns as JSON; a leading apostrophe before text a
spreadsheet would run as a formula, which `import` removes again.  Written to a
terminal, cells are made inert (escape sequences shown, not run); piped or written to
a file, they keep the data as it is.
"""

from __future__ import annotations

import csv
from typing import Any, Iterable, Sequence, TextIO

from .. import terminal
from ...domain.kind import Kind
from ..safe_text import inert
from .cells import neutralised, text


def columns_for(kinds: list[Kind], fields: list[str] | None = None) -> list[str]:
    """The columns: the fields asked for, else every public field of the kinds."""
    if fields:
        return fields
    names: list[str] = []
    for kind in kinds:
        for name in kind.public_fields:
            if name not in names:
                names.append(name)
    return names


def cell(name: str, value: Any) -> str:
    return neutralised(text(name, value))


class _InertWriter:
    def __init__(self, writer: Any):
        self._writer = writer

    def writerow(self, row: Sequence[Any]) -> None:
        self._writer.writerow([inert(value) for value in row])


def writer(out: TextIO, *, lineterminator: str = "\n") -> Any:
    """A csv writer for ``out``; its cells are inert when ``out`` is a terminal."""
    plain = csv.writer(out, lineterminator=lineterminator)
    return _InertWriter(plain) if terminal.is_terminal(out) else plain


def write(records: Iterable[dict[str, Any]], out: TextIO, *, kinds: list[Kind], options: Any) -> None:
    from . import value_of

    names = columns_for(kinds, options.fields)
    if options.excel:
        out.write("\ufeff")
    rows = writer(out, lineterminator="\r\n" if options.excel else "\n")
    rows.writerow(names)
    for record in records:
        rows.writerow([cell(name, value_of(record, name)) for name in names])
