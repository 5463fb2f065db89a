"""A record's values as spreadsheet cells, and back: the conventions CSV and XLSX share.

Written: lists of tags are joined with commas; notes, history and extra columns are
JSON; a missing value is an empty cell.  Read (importers/rows.py, importers/xlsx.py):
a cell under a notes or history header that holds such a JSON list, and one under the
extra header that holds a JSON object, are that list or object again; any other cell is
its text, so a spreadsheet's plain 备注 is a note.

Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) is
made inert: CSV puts an apostrophe before it (``neutralised``), which import removes
again (``unneutralised``); XLSX stores it as a text cell instead, its value untouched.
"""

from __future__ import annotations

from typing import Any

import orjson

from .json_ import dumps

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
JSON_FIELDS = ("notes", "history", "extra")


def text(name: str, value: Any) -> str:
    """The cell text of field ``name``'s value, before any neutralising."""
    if value is None:
        return ""
    if name in JSON_FIELDS:
        return dumps(value, indent=False) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def looks_like_formula(cell: str) -> bool:
    """True for text a spreadsheet would run, also behind apostrophes ('=1 stays '=1)."""
    return cell.lstrip("'").startswith(FORMULA_START)


def neutralised(cell: str) -> str:
    """CSV: an apostrophe before formula-like text; ``unneutralised`` takes exactly it off."""
    return "'" + cell if looks_like_formula(cell) else cell


def unneutralised(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and looks_like_formula(cell) else cell


def decoded(header: str, field: str | None, cell: Any) -> Any:
    """A cell under ``header`` (which means ``field``) as import data: the JSON lists
    (notes, history) and object (extra) that ``text`` writes, else the cell as it is.  An
    extra cell that is not a JSON object is kept as an extra column named by its header."""
    if field not in JSON_FIELDS or not isinstance(cell, str):
        return cell
    value: Any = None
    if cell.lstrip().startswith(("[", "{")):
        try:
            value = orjson.loads(cell)
        except orjson.JSONDecodeError:
            pass
    if isinstance(value, dict if field == "extra" else list):
        return value
    return {header: cell} if field == "extra" and cell.strip() else cell
