"""CSV for spreadsheets: English field names as headers, one row per record.

Lists of tags are joined with commas; notes, history and extra columns are JSON.
Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get
a leading apostrophe, which `import` removes again.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

import orjson

from ..models import Kind

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
JSON_FIELDS = ("notes", "history", "extra")


def columns_for(kinds: list[Kind]) -> list[str]:
    names: list[str] = []
    for kind in kinds:
        for name in kind.public_fields:
            if name not in names:
                names.append(name)
    return names


def cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in JSON_FIELDS:
        return orjson.dumps(value).decode("utf-8") if value else ""
    if isinstance(value, list):
        text = ",".join(str(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write(records: list[dict[str, Any]], out: TextIO, *, kinds: list[Kind], options: Any) -> None:
    names = columns_for(kinds)
    if options.excel:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n" if options.excel else "\n")
    writer.writerow(names)
    for record in records:
        writer.writerow([cell(name, record.get(name)) for name in names])
