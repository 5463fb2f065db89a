"""CSV for spreadsheets: English field names as headers, one row per record.

Cells follow the conventions shared with XLSX (cells.py): tags joined with commas;
notes, history and extra columns as JSON; a leading apostrophe before text a
spreadsheet would run as a formula, which `import` removes again.  Written to a
terminal, cells are made inert (escape sequences shown, not run); piped or written to
a file, they keep the data as it is.

What is written, `import` reads back as it was:

* A cell holding a line break is quoted, whatever the file's line ends: CR and LF, and
  the other breaks ``str.splitlines`` knows (VT, FF, FS, GS, RS, NEL, U+2028, U+2029).
  The csv module quotes only the characters of its line terminator, so with LF line ends
  a lone CR went out bare and cut the row in two when read.
* A cell longer than `import` reads from a CSV file (importers/rows.py ``CELL_LIMIT``)
  is an error naming the record and the field, not a file that import refuses; with
  ``-o`` nothing is written (output.py).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from ... import messages
from ...domain.kind import Kind
from ...errors import UserError
from ...patterns import lazy
from .. import terminal
from ..safe_text import inert
from .cells import neutralised, text

# line breaks besides LF (str.splitlines' line boundaries); CR first, the one that occurs
BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
_QUOTE = lazy('[,"\n' + "".join(BREAKS) + "]")  # what a cell is quoted for, in a row written by hand


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


def _has_break(row: Sequence[Any]) -> bool:
    """Whether a cell of ``row`` holds a line break other than LF: one join, a C scan per break."""
    try:
        joined = "".join(row)
    except TypeError:  # numbers (report rows)
        joined = "".join(map(str, row))
    return any(brk in joined for brk in BREAKS)


def _quoted(value: Any) -> str:
    """A cell as csv.writer writes it, quoted also for every line break."""
    if value is None:
        return ""
    value = value if type(value) is str else str(value)
    return '"' + value.replace('"', '""') + '"' if _QUOTE.search(value) else value


class _Writer:
    """csv.writer, except that a row with a cell holding any line break is written by hand,
    every such cell quoted (see the module's docstring)."""

    def __init__(self, out: TextIO, lineterminator: str):
        self._out = out
        self._csv = csv.writer(out, lineterminator=lineterminator)
        self._end = lineterminator

    def writerow(self, row: Sequence[Any]) -> None:
        if _has_break(row):
            self._out.write(",".join(map(_quoted, row)) + self._end)
        else:
            self._csv.writerow(row)


def writer(out: TextIO, *, lineterminator: str = "\n") -> Any:
    """A csv writer for ``out``; its cells are inert when ``out`` is a terminal."""
    plain = _Writer(out, lineterminator)
    return _InertWriter(plain) if terminal.is_terminal(out) else plain


def write(records: Iterable[dict[str, Any]], out: TextIO, *, kinds: list[Kind], options: Any) -> None:
    from ..importers.rows import CELL_LIMIT
    from . import value_of

    names = columns_for(kinds, options.fields)
    if options.excel:
        out.write("\ufeff")
    rows = writer(out, lineterminator="\r\n" if options.excel else "\n")
    rows.writerow(names)
    for record in records:
        cells = [cell(name, value_of(record, name)) for name in names]
        if max(map(len, cells), default=0) > CELL_LIMIT:
            at = next(i for i, c in enumerate(cells) if len(c) > CELL_LIMIT)
            raise UserError(messages.CSV_EXPORT_CELL_TOO_LONG.format(
                id=record.get("id"), field=names[at], size=len(cells[at]), limit=CELL_LIMIT))
        rows.writerow(cells)
