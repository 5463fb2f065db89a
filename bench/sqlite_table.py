"""The comparison for a listing as a table: a query's rows printed the way zhaoshang prints
a listing (zhaoshang_cli/io/grid.py), so that the two do the same work.

    python bench/sqlite_table.py DB "select rowid, title, region, date from articles …"

Rows are read with the stdlib sqlite3 module as they come; the column widths are decided by
the headers and the first 200 rows, by display width (Rich's ``cell_len``, as zhaoshang
counts: a Chinese character takes two cells), within ``COLUMNS`` (else 80) cells, the second
column (the title) taking what the others leave; every cell is made inert (line breaks and
control characters) and padded or cut with an ellipsis to its width; lines are written 256
at a time.  ``sqlite-utils query --table`` (tabulate) sizes its columns over every row
before it prints one, which is not the same work.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from itertools import chain, islice

SAMPLE = 200  # rows that decide the column widths, as in zhaoshang
GAP = "  "
HEADERS = ("编号", "标题", "地区", "发布日期")
LIMITS = ((3, 8), (16, None), (4, 16), (10, 10))  # (least, most) cells of each column; the title is flexible
FLEX = 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def width(text: str) -> int:
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def cut(text: str, cells: int) -> tuple[str, int]:
    """The longest start of ``text`` within ``cells``, and its width: a guess from the average
    width of its characters, then a character at a time."""
    if text.isascii():
        return text[:cells], min(len(text), cells)
    total = width(text)
    k = min(len(text), cells * len(text) // total) if total else len(text)
    size = width(text[:k])
    while size > cells:
        k -= 1
        size -= width(text[k])
    while k < len(text) and size + (step := width(text[k])) <= cells:
        size += step
        k += 1
    return text[:k], size


def fit(text: str, cells: int) -> str:
    size = width(text)
    if size > cells:
        text, size = cut(text, cells - 1)
        text, size = text + "…", size + 1
    return text + " " * (cells - size)


def inert(value: object) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ")
    return _CONTROL.sub("?", text)


def plan(sample: list[list[str]], room: int) -> list[int]:
    """Each column as wide as its content within its limits; the flexible one takes the rest."""
    natural = [max([width(HEADERS[i])] + [width(row[i]) for row in sample]) for i in range(len(HEADERS))]
    widths = [max(least, min(size, most or size)) for size, (least, most) in zip(natural, LIMITS)]
    rest = room - len(GAP) * (len(widths) - 1) - sum(w for i, w in enumerate(widths) if i != FLEX)
    widths[FLEX] = max(LIMITS[FLEX][0], min(natural[FLEX], rest))
    return widths


def main() -> None:
    database, query = sys.argv[1:3]
    try:
        room = max(int(os.environ["COLUMNS"]), 20)
    except (KeyError, ValueError):
        room = 80
    connection = sqlite3.connect(database)
    rows = ([f"a{rowid}", inert(title), inert(region), inert(day)]
            for rowid, title, region, day in connection.execute(query))
    sample = list(islice(rows, SAMPLE))
    widths = plan(sample, room)
    out = sys.stdout
    out.write(GAP.join(fit(h, w) for h, w in zip(HEADERS, widths)).rstrip() + "\n")
    out.write("─" * (sum(widths) + len(GAP) * (len(widths) - 1)) + "\n")
    lines: list[str] = []
    for cells in chain(sample, rows):
        lines.append(GAP.join(fit(c, w) for c, w in zip(cells, widths)).rstrip())
        if len(lines) >= 256:
            out.write("\n".join(lines) + "\n")
            lines = []
    if lines:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
