"""Read JSONL, JSON, CSV and XLSX content into rows that know their file and line.

Every reader yields ``SourceRow``s; all formats then go through one import path (the
files are opened and told apart in inputs.py).  Errors in the file's structure (bad JSON,
a non-object row) are row errors too, so that every bad row is reported at once.  CSV and
XLSX rows are built alike (``sheet_row``), with the cell conventions of exporters/cells.py.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from ... import messages
from ..exporters.cells import decoded, unneutralised
from .columns import PLAIN, Headers
from .encoding import decode

# characters in one CSV cell, far more than any article's body: a longer one is taken for a
# missing quote or a file that is not CSV.  CSV export refuses to write one (exporters/csv_.py)
CELL_LIMIT = 10 * 1024 * 1024
MAX_DEPTH = 32  # levels of lists and objects in one value (the store's JSON writer stops at 254)
INT_LIMIT = 2**63  # integers are kept exactly within ±(2**63 - 1)


@dataclass
class SourceRow:
    file: str
    line: int
    data: dict[str, Any]
    kind: str | None = None  # from the file's structure ({"articles": [...]})
    problem: str | None = None  # the row could not be read at all

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def read_rows(name: str, raw: bytes, fmt: str, encoding: str | None = None,
              sheet: str | None = None, headers: Headers = PLAIN) -> Iterator[SourceRow]:
    """The rows of one input; ``sheet`` picks an XLSX file's sheet (name or 1-based number),
    ``headers`` says how column headers are read."""
    if fmt == "jsonl":
        yield from _jsonl(name, raw, encoding)  # a list: UTF-8 trouble restarts the read
    elif fmt == "json":
        yield from _json(name, decode(raw, name, encoding))
    elif fmt == "xlsx":
        from .xlsx import xlsx_rows

        yield from xlsx_rows(name, raw, sheet, headers)
    else:
        yield from _csv(name, decode(raw, name, encoding), headers)


def sheet_row(name: str, line: int, header: list[tuple[str, str | None]], cells: Iterable[Any]) -> SourceRow:
    """A spreadsheet row (CSV or XLSX) under ``header``, (column, the field it means) pairs:
    columns without a name are left out, JSON cells of notes, history and extra read."""
    data = {column: decoded(column, field, cell) for (column, field), cell in zip(header, cells) if column}
    return SourceRow(name, line, data, problem=value_problem(data))


def _jsonl(name: str, raw: bytes, encoding: str | None) -> list[SourceRow]:
    """UTF-8 is read straight from the bytes; other encodings (GB18030) are decoded first."""
    if encoding or raw.startswith(codecs.BOM_UTF8):
        return _jsonl_lines(name, decode(raw, name, encoding).split("\n"))
    try:
        return _jsonl_utf8(name, raw)[0]
    except _NotUtf8:
        return _jsonl_lines(name, decode(raw, name, None).split("\n"))


class _NotUtf8(Exception):
    pass


def _jsonl_lines(name: str, lines: list[str]) -> list[SourceRow]:
    rows = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            rows.append(_row(name, number, line))
    return rows


def _row(name: str, number: int, line: str | bytes | memoryview) -> SourceRow:
    """One JSONL row, or a row carrying the reason it could not be read."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if "utf-8" in str(exc).lower():
            raise _NotUtf8(number) from None
        return SourceRow(name, number, {}, problem=messages.ROW_NOT_JSON.format(reason=exc))
    if type(data) is not dict:
        return SourceRow(name, number, {}, problem=messages.ROW_NOT_OBJECT)
    problem = value_problem(data, jsonl=True)
    if problem is _MAYBE_BIG_INT:
        # orjson reads an integer beyond 64 bits as a float, silently rounded: read the
        # line again with the json module, whose integers are exact, to know for sure
        try:
            data = _DECODER.decode(bytes(line).decode("utf-8") if not isinstance(line, str) else line)
        except (ValueError, RecursionError):
            pass
        problem = value_problem(data)
    return SourceRow(name, number, data, problem=problem)


class _LongInt(str):
    """An integer literal too long for ``int()`` (over 4300 digits), kept as its text."""


_DECODER = json.JSONDecoder(parse_int=lambda text: int(text) if len(text) <= 400 else _LongInt(text))
_MAYBE_BIG_INT = "a float that may be an integer beyond 64 bits"


def value_problem(data: dict[str, Any], *, jsonl: bool = False) -> str | None:
    """Why a row's values cannot be stored as they are, naming the field; None when they can.

    Values nested more than MAX_DEPTH levels, integers beyond 64 bits and NaN or infinity
    are refused: the store could not write them, or would write something else.  With
    ``jsonl`` a whole float beyond 2**63 gives _MAYBE_BIG_INT (see _row).
    """
    for key, value in data.items():
        if type(value) is str or value is None:
            continue
        problem = _value_problem(value, 1, jsonl)
        if problem:
            return problem if problem is _MAYBE_BIG_INT else f"{key}: {problem}"
    return None


def _value_problem(value: Any, depth: int, jsonl: bool) -> str | None:
    kind = type(value)
    if kind is int:
        return None if -INT_LIMIT < value < INT_LIMIT else messages.NUMBER_TOO_BIG.format(value=_cut(str(value)))
    if kind is float:
        if not math.isfinite(value):
            return messages.NUMBER_NOT_FINITE.format(value=value)
        if jsonl and abs(value) >= INT_LIMIT and value.is_integer():
            return _MAYBE_BIG_INT
        return None
    if kind is _LongInt:
        return messages.NUMBER_TOO_BIG.format(value=_cut(value))
    if kind is list or kind is dict:
        if depth > MAX_DEPTH:
            return messages.NESTED_TOO_DEEP.format(limit=MAX_DEPTH)
        for item in value.values() if kind is dict else value:
            if type(item) is not str:
                problem = _value_problem(item, depth + 1, jsonl)
                if problem:
                    return problem
    return None


def _jsonl_utf8(name: str, raw: bytes, start: int = 0, stop: int | None = None,
                first_line: int = 1) -> tuple[list[SourceRow], int]:
    """Rows of a UTF-8 JSONL file (or of the lines from ``start`` to ``stop``), read where
    they lie, and the number of the line after them; _NotUtf8 when a line is not UTF-8."""
    view = memoryview(raw)
    rows = []
    pos, size, number = start, len(raw) if stop is None else stop, first_line - 1
    while pos < size:
        end = raw.find(b"\n", pos, size)
        if end == -1:
            end = size
        number += 1
        if end - pos > 8 or raw[pos:end].strip():
            line = view[pos:end]
            rows.append(_row(name, number, line))
        pos = end + 1
    return rows, number + 1


def _json(name: str, text: str) -> Iterator[SourceRow]:
    """An array of records, or an object keyed by kind; each row keeps its line number."""
    decoder = _DECODER
    pos = _skip_ws(text, 0)
    if pos >= len(text):
        return
    if text[pos] == "[":
        yield from _json_array(name, text, pos, None, decoder)
        return
    if text[pos] != "{":
        yield SourceRow(name, _line_at(text, pos), {}, problem=messages.JSON_TOP_LEVEL)
        return
    try:
        whole, _ = decoder.raw_decode(text, pos)
    except (ValueError, RecursionError) as exc:
        yield _unreadable(name, text, pos, None, exc)
        return
    # {"articles": [...], "leads": [...]}: find each array's position to number its rows
    if all(isinstance(v, list) for v in whole.values()):
        for key in whole:
            at = text.find(json.dumps(key, ensure_ascii=False), pos)
            at = text.find("[", at)
            yield from _json_array(name, text, at, key, decoder)
        return
    yield SourceRow(name, _line_at(text, pos), whole, problem=value_problem(whole))


def _json_array(name: str, text: str, pos: int, kind: str | None, decoder: json.JSONDecoder) -> Iterator[SourceRow]:
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "]":
        line = _line_at(text, pos)
        try:
            item, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            yield _unreadable(name, text, pos, kind, exc)
            return
        if isinstance(item, dict):
            yield SourceRow(name, line, item, kind, problem=value_problem(item))
        else:
            yield SourceRow(name, line, {}, kind, problem=messages.ROW_NOT_OBJECT)
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)


def _cut(digits: str) -> str:
    return digits if len(digits) <= 24 else f"{digits[:20]}…({len(digits)} digits)"


def _unreadable(name: str, text: str, pos: int, kind: str | None, exc: Exception) -> SourceRow:
    """The row where JSON stopped making sense; nothing after it can be read."""
    if isinstance(exc, json.JSONDecodeError):
        line, problem = exc.lineno, messages.ROW_NOT_JSON.format(reason=exc.msg)
    elif isinstance(exc, RecursionError):
        line, problem = _line_at(text, pos), messages.NESTED_TOO_DEEP.format(limit=MAX_DEPTH)
    else:
        line, problem = _line_at(text, pos), messages.ROW_NOT_JSON.format(reason=exc)
    return SourceRow(name, line, {}, kind, problem=problem + messages.JSON_REST_UNREAD)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _csv(name: str, text: str, headers: Headers = PLAIN) -> Iterator[SourceRow]:
    # told by the header line: cells below it may hold any number of tabs or commas
    sample = text[:4096].split("\n", 1)[0]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    # cells are measured below against CELL_LIMIT: a parser that stopped at its own limit
    # would lose its place in the file
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield SourceRow(name, 1, {}, problem=messages.CSV_UNREADABLE.format(reason=exc))
        return
    columns = [(column, headers.field(column) if column else None) for column in header]
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line, start = start, reader.line_num + 1
            yield SourceRow(name, line, {}, problem=messages.CSV_UNREADABLE.format(reason=exc))
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if max(map(len, row)) > CELL_LIMIT:
            at = next(i for i, cell in enumerate(row) if len(cell) > CELL_LIMIT)
            column = header[at] if at < len(header) and header[at] else f"cell {at + 1}"
            yield SourceRow(name, line, {}, problem=messages.CSV_CELL_TOO_LONG.format(
                column=column, limit=CELL_LIMIT, size=len(row[at])))
            continue
        if len(row) > len(header):
            yield SourceRow(name, line, {}, problem=messages.CSV_TOO_MANY_CELLS.format(
                count=len(row), expected=len(header)))
            continue
        yield sheet_row(name, line, columns, map(unneutralised, row))
