"""Excel workbooks (.xlsx), written with openpyxl: one sheet that `import` reads back.

* Headers are Chinese (标题, 意向地区, 发布日期, 编号, 区划代码…; importers/columns.py
  ``header_for``), bold, frozen, with a filter; columns are as wide as their content,
  within limits.
* Cells follow the conventions CSV uses (cells.py): tags joined with commas; notes,
  history and extra columns as JSON.  Text a spreadsheet would run as a formula is a
  text cell with Excel's quote prefix: shown and kept as it is, never run.
* Phones, IDs and region codes are text (no 1.38E+10); amounts are numbers of yuan
  while Excel holds them exactly (below 10**15), else text.  Date fields are Excel
  dates shown as 2025-07-17, except dates before 1900-03-01, outside Excel's calendar,
  which are ISO text; created_at/updated_at are ISO text with their time zone.
* Characters XML cannot carry as they are (control characters, CR, the first of a text
  of white space alone) are written as the _xHHHH_ escapes Excel and `import` decode;
  text that looks like such an escape has its underscore escaped (_x005F_), as Excel does.
* What an .xlsx cannot hold (a cell over 32,767 characters, over 1,048,576 rows, the
  non-characters U+FFFE and U+FFFF) is an error before anything is written, not a
  file Excel would cut short or refuse.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import IO, Any

from ... import messages
from ...domain.kind import Kind
from ...errors import UserError, optional
from ..importers.columns import header_for
from .cells import looks_like_formula, text
from .csv_ import columns_for

CELL_LIMIT = 32_767  # characters in one cell
ROW_LIMIT = 1_048_576  # rows in one sheet, the header's included
EXACT_NUMBERS = 10**15  # Excel keeps 15 significant digits
FIRST_DATE = datetime.date(1900, 3, 1)  # Excel's dates before it are off by one or not dates at all
WIDTH_MIN, WIDTH_MAX, WIDTH_SAMPLE = 8, 60, 1000
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_IMPOSSIBLE = re.compile("[\ufffe\uffff]")


def _openpyxl() -> Any:
    """The writer, imported only when a workbook is written (the ``xlsx`` extra)."""
    return optional("openpyxl", messages.XLSX_NEEDS_EXTRA)


def escaped(cell: str) -> str:
    cell = _UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", cell)
    if cell.isspace():  # XML readers take text of white space alone for nothing
        cell = f"_x{ord(cell[0]):04X}_{cell[1:]}"
    return cell


def _field_type(kinds: list[Kind], name: str) -> str | None:
    for kind in kinds:
        spec = kind.field(name)
        if spec is not None:
            return spec.type
    return None


def _check(record: dict[str, Any], label: str, cell: str) -> None:
    """UserError when an .xlsx cannot hold ``cell`` (see the module's docstring)."""
    impossible = _IMPOSSIBLE.search(cell)
    if impossible:
        raise UserError(messages.XLSX_CHARACTER.format(id=record.get("id"), field=label,
                                                       code=ord(impossible.group())))
    if len(cell) > CELL_LIMIT // 2:
        size = len(cell.encode("utf-16-le")) // 2  # Excel counts characters beyond U+FFFF twice
        if size > CELL_LIMIT:
            raise UserError(messages.XLSX_CELL_TOO_LONG.format(id=record.get("id"), field=label, size=size,
                                                               limit=CELL_LIMIT))


def _value(kind_of_field: str | None, name: str, value: Any) -> Any:
    """A record's value as a cell: a number, a date, or text (see the module's docstring)."""
    if kind_of_field == "amount" and type(value) is int and abs(value) < EXACT_NUMBERS:
        return value
    if kind_of_field == "date" and type(value) is str:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        return day if day >= FIRST_DATE else value
    return text(name, value)


def _width(cell: Any) -> int:
    from rich.cells import cell_len

    if isinstance(cell, datetime.date):
        return 10
    first = str(cell)[:WIDTH_MAX * 2].split("\n", 1)[0]
    return cell_len(first)


def write(records: Iterable[dict[str, Any]], out: IO[bytes], *, kinds: list[Kind], options: Any) -> None:
    records = list(records)  # a workbook is made whole: its filter and widths need every row
    if len(records) >= ROW_LIMIT:
        raise UserError(messages.XLSX_TOO_MANY_ROWS.format(count=len(records), limit=ROW_LIMIT - 1))
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from . import value_of

    names = columns_for(kinds, options.fields)
    headers = [header_for(kinds, name) for name in names]
    types = [_field_type(kinds, name) for name in names]
    rows: list[list[Any]] = []
    for record in records:
        row = []
        for name, header, kind_of_field in zip(names, headers, types):
            cell = _value(kind_of_field, name, value_of(record, name))
            if type(cell) is str:
                _check(record, header, cell)
                cell = escaped(cell) if cell else None
            row.append(cell)
        rows.append(row)

    book = openpyxl.Workbook(write_only=True)
    book.properties.creator = "zhaoshang-cli"
    sheet = book.create_sheet("、".join(k.label for k in kinds))
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers):
        widest = max([_width(header)] + [_width(row[i]) for row in rows[:WIDTH_SAMPLE] if row[i] is not None])
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(widest + 2, WIDTH_MIN), WIDTH_MAX)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    bold = Font(bold=True)
    heading = []
    for header in headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        append_row(sheet, row)
    book.save(out)


def append_row(sheet: Any, row: list[Any]) -> None:
    """A row added to a write-only sheet: text a spreadsheet would run as a formula is a
    text cell with the quote prefix, shown and kept as it is, never run."""
    from openpyxl.cell import WriteOnlyCell

    for i, cell in enumerate(row):
        if type(cell) is str and looks_like_formula(cell):
            quoted = WriteOnlyCell(sheet, cell)
            quoted.data_type = "s"
            quoted.quotePrefix = True
            row[i] = quoted
    sheet.append(row)
