"""The rows an import refused, written out to be fixed (``import --skip-invalid --rejects FILE``).

FILE is in the input's own format and encoding (a GB18030 CSV stays GB18030, a workbook
stays a workbook; FILE's extension chooses when it names a format), with the input's
columns as they were and one more, 错误, saying what is wrong with the row.  Fixed and
imported, FILE completes the batch: import leaves the 错误 column out (columns.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from ... import messages
from ...atomic import atomic_write
from ...errors import UserError
from ..exporters.cells import neutralised
from .columns import ERROR_COLUMN
from .encoding import detect

_FORMATS = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".xlsx": "xlsx"}

Rejected = tuple[str, int, dict[str, Any], str]  # (file, line, the row as read, why it was refused)


def write_rejects(path: Path, rejected: Sequence[Rejected], columns: Mapping[str, list[str]],
                  formats: Mapping[str, str], encoding: str | None = None) -> None:
    """Write ``rejected`` to ``path``: see the module's docstring.  ``columns`` and
    ``formats``: each input file's columns and format."""
    first = rejected[0][0]
    fmt = _FORMATS.get(path.suffix.lower()) or formats.get(first, "csv")
    header = _header(rejected, columns)
    rows = [{**data, ERROR_COLUMN: why} for _, _, data, why in rejected]
    if fmt == "xlsx":
        data = _xlsx(header, rows)
    else:
        chosen = encoding or _encoding_of(first)
        try:
            text = _csv(header, rows) if fmt == "csv" else _json_lines(header, rows, fmt == "json")
            data = text.encode(chosen)
        except UnicodeEncodeError as exc:
            raise UserError(messages.REJECTS_ENCODING.format(path=path, encoding=chosen,
                                                             char=exc.object[exc.start])) from None
        except LookupError:
            raise UserError(messages.ENCODING_UNKNOWN.format(value=chosen)) from None
    try:
        atomic_write(path, data, mode=0o644)
    except OSError as exc:
        raise UserError(messages.REJECTS_UNWRITABLE.format(path=path, reason=exc.strerror or exc)) from None


def _header(rejected: Sequence[Rejected], columns: Mapping[str, list[str]]) -> list[str]:
    """The columns of the files the rows came from, in order, each once, then 错误."""
    header: dict[str, None] = {}
    for file, _, data, _ in rejected:
        header.update(dict.fromkeys(columns.get(file) or []))
        header.update(dict.fromkeys(data))
    header.pop(ERROR_COLUMN, None)
    return [*header, ERROR_COLUMN]


def _encoding_of(file: str) -> str:
    """The input's own encoding (stdin's cannot be read again: UTF-8)."""
    try:
        return detect(Path(file).read_bytes()) if file != "<stdin>" else "utf-8"
    except OSError:
        return "utf-8"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()
    return str(value)


def _csv(header: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralised(_cell(row.get(column))) for column in header])
    return out.getvalue()


def _json_lines(header: list[str], rows: list[dict[str, Any]], array: bool) -> str:
    objects = [{column: row[column] for column in header if column in row} for row in rows]
    if array:
        return orjson.dumps(objects, option=orjson.OPT_INDENT_2).decode() + "\n"
    return "".join(orjson.dumps(o).decode() + "\n" for o in objects)


def _xlsx(header: list[str], rows: list[dict[str, Any]]) -> bytes:
    from ..exporters.xlsx import _openpyxl, append_row, escaped

    book = _openpyxl().Workbook(write_only=True)
    sheet = book.create_sheet(ERROR_COLUMN)
    append_row(sheet, list(header))
    for row in rows:
        cells = []
        for column in header:
            value = row.get(column)
            if isinstance(value, (list, dict)):
                value = _cell(value)
            cells.append(escaped(value) if isinstance(value, str) and value else value)
        append_row(sheet, cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
