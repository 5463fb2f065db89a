"""Excel workbooks (.xlsx) → rows for the import path, read with python-calamine.

One sheet is read: the one ``--sheet`` names (its name, or its number counting from 1 in
tab order), else the one the workbook opens at, else the first visible one whose header
this import reads (offices put a 填表说明 sheet of instructions first).  A sheet without
records is an error naming every sheet and its rows.  Its header is the first of its first
HEADER_SEARCH rows that names at least two known columns (a merged title row above it
is passed over), else its first row that holds anything.  Header cells merged down
(企业名称 over two rows, 联系方式 over 联系人 and 电话) make one header: each column
takes the lowest name above it.  A column with data but no header is named by its
letter (列F), so that its cells are reported and kept, not lost.

Cells are read as Excel holds them, the way Excel would save them as CSV: a whole
number is an integer (a phone 13800000000 stored as 13800000000.0 too), a date is
2025-07-17 (with its time, when it has one), a boolean is TRUE or FALSE, text has its
_xHHHH_ escapes decoded.  Empty rows are skipped; rows are named FILE:SHEET:ROW.  A
sheet reaching far beyond any table (xlsx_extent.py) is refused before it is laid out.
"""

from __future__ import annotations

import datetime
import io
from itertools import islice
from typing import Any

from ... import messages
from ...errors import UserError, optional
from .columns import PLAIN, Headers
from .inputs import OLE2_SIGNATURE, ZIP_SIGNATURE
from .rows import SourceRow, sheet_row
from .xlsx_extent import MAX_CELLS, active_sheet, column_letters, extent

HEADER_SEARCH = 10
_EXACT = 2**53  # whole numbers below this are exact in a double, as Excel keeps numbers


def _calamine() -> Any:
    """The reader, imported only when a workbook is read (the ``xlsx`` extra)."""
    return optional("python_calamine", messages.XLSX_NEEDS_EXTRA)


def xlsx_rows(name: str, raw: bytes, sheet: str | None = None, headers: Headers = PLAIN) -> list[SourceRow]:
    if raw.startswith(OLE2_SIGNATURE):
        raise UserError(messages.XLS_UNSUPPORTED.format(file=name))
    if not raw.startswith(ZIP_SIGNATURE):
        raise UserError(messages.XLSX_NOT_ZIP.format(file=name))
    calamine = _calamine()
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
        if not sheets:
            raise UserError(messages.XLSX_NO_SHEET.format(file=name))
        titles = [s.name for s in sheets]
        if sheet is not None:
            chosen = _named(name, titles, sheet)
            cells, merged = _cells(book, raw, name, chosen)
        else:
            chosen, cells, merged = _records_sheet(book, raw, name, sheets, calamine.SheetVisibleEnum.Visible,
                                                   headers)
        rows = list(_rows(f"{name}:{chosen}", cells, merged, headers))
        if not rows:
            counts = ", ".join(messages.XLSX_SHEET_ROWS.format(number=i, sheet=title, rows=_filled(book, raw, title))
                               for i, title in enumerate(titles, start=1))
            raise UserError(messages.XLSX_NO_RECORDS.format(file=name, sheet=chosen, sheets=counts))
    except UserError:
        raise
    except BaseException as exc:  # a damaged file; the Rust reader's panics are BaseExceptions
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise
        raise UserError(messages.XLSX_UNREADABLE.format(file=name, reason=exc)) from None
    return rows


def _cells(book: Any, raw: bytes, name: str, title: str) -> tuple[list[list[Any]], list[Any]]:
    """Sheet ``title`` laid out as a table, and its merged ranges; refused when it reaches too far."""
    rows, columns, last = extent(raw, title)
    if rows * columns > MAX_CELLS:  # laid out as a table, it would not fit in memory
        raise UserError(messages.XLSX_TOO_FAR.format(file=name, sheet=title, cell=last, rows=rows, columns=columns))
    table = book.get_sheet_by_name(title)
    return table.to_python(skip_empty_area=False), table.merged_cell_ranges or []


def _records_sheet(book: Any, raw: bytes, name: str, sheets: list[Any], visible: Any,
                   headers: Headers) -> tuple[str, list[list[Any]], list[Any]]:
    """The sheet that holds the records: the one the workbook opens at, else the first with a
    header this import reads (an instructions sheet, 填表说明, comes first in many offices'
    workbooks), else the one it opens at."""
    shown = [s.name for s in sheets if s.visible == visible] or [sheets[0].name]
    active = active_sheet(raw)
    order = ([active] if active in shown else []) + [t for t in shown if t != active]
    first: tuple[str, list[list[Any]], list[Any]] | None = None
    for title in order:
        cells, merged = _cells(book, raw, name, title)
        if first is None:
            first = (title, cells, merged)
        _, recognised = _header_row(cells, headers)
        if recognised:
            return title, cells, merged
    assert first is not None
    return first


def _filled(book: Any, raw: bytes, title: str) -> int:
    """How many rows of sheet ``title`` hold anything (for the message naming the sheets)."""
    rows, columns, _ = extent(raw, title)
    if rows * columns > MAX_CELLS:
        return rows
    return sum(1 for row in book.get_sheet_by_name(title).to_python() if not all(map(_blank, row)))


def _named(name: str, titles: list[str], wanted: str) -> str:
    if wanted in titles:
        return wanted
    if wanted.strip().isdigit() and 1 <= int(wanted) <= len(titles):
        return titles[int(wanted) - 1]
    listed = ", ".join(f"{i} {t}" for i, t in enumerate(titles, start=1))
    raise UserError(messages.XLSX_SHEET_UNKNOWN.format(file=name, sheet=wanted, sheets=listed))


def value(cell: Any) -> Any:
    """A cell as import data: see the module's docstring."""
    if type(cell) is str:
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() and abs(cell) < _EXACT else cell
    if isinstance(cell, datetime.datetime):
        if cell.time() == datetime.time():
            return cell.date().isoformat()
        return cell.isoformat(sep=" ", timespec="seconds")
    if isinstance(cell, (datetime.date, datetime.time)):
        return cell.isoformat()
    if cell is None or isinstance(cell, int):
        return cell
    return str(cell)


def _blank(cell: Any) -> bool:
    return cell is None or (type(cell) is str and not cell.strip())


def _header_row(cells: list[list[Any]], headers: Headers) -> tuple[int | None, bool]:
    """(the header's row, whether it names at least two columns this import reads)."""
    filled = list(islice((i for i, row in enumerate(cells) if not all(map(_blank, row))), HEADER_SEARCH))
    if not filled:
        return None, False
    for i in filled:
        if sum(1 for cell in cells[i] if type(cell) is str and headers.known(cell)) >= 2:
            return i, True
    return filled[0], False


def _header(cells: list[list[Any]], top: int, merged: list[Any]) -> tuple[list[str], int]:
    """(the column names, the header's last row): a header block runs down as far as
    cells merged from within it do; each column takes its lowest name in the block."""
    bottom = top
    grown = True
    while grown:
        grown = False
        for (r0, _), (r1, _) in merged:
            if top <= r0 <= bottom < r1:
                bottom, grown = r1, True
    bottom = min(bottom, len(cells) - 1)  # merged down past the last row that holds anything
    width = max((len(row) for row in cells), default=0)
    names = [""] * width
    for r in range(top, bottom + 1):
        row = cells[r]
        for c in range(width):
            cell = row[c] if c < len(row) else None
            if bottom > top and _blank(cell):
                cell = _merged_value(cells, merged, r, c)
            if not _blank(cell):
                names[c] = str(value(cell)).strip()
    return names, bottom


def _merged_value(cells: list[list[Any]], merged: list[Any], r: int, c: int) -> Any:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= r <= r1 and c0 <= c <= c1:
            return cells[r0][c0] if c0 < len(cells[r0]) else None
    return None


def _rows(where: str, cells: list[list[Any]], merged: list[Any], headers: Headers) -> list[SourceRow]:
    top, _ = _header_row(cells, headers)
    if top is None:
        return []
    names, bottom = _header(cells, top, merged)
    body = cells[bottom + 1:]
    for c, name in enumerate(names):
        if not name and any(c < len(row) and not _blank(row[c]) for row in body):
            names[c] = messages.XLSX_COLUMN_BY_LETTER.format(letter=column_letters(c + 1))
    header = [(name, headers.field(name) if name else None) for name in names]
    rows = []
    for number, row in enumerate(body, start=bottom + 2):
        if not all(map(_blank, row)):
            rows.append(sheet_row(where, number, header, map(value, row)))
    return rows
