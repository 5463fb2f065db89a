"""How far a workbook's sheet reaches, read from its XML before the sheet is laid out.

The reader (python-calamine) lays a sheet out as a table from A1 to its last cell, in
memory, at once.  One stray cell far away (XFD1048576: a space typed there long ago)
makes that table billions of cells, and the process dies for want of memory.  So the
sheet's XML is scanned first for the rows and columns its cells name, and a sheet that
reaches further than MAX_CELLS is refused with a message naming its last cell.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

MAX_CELLS = 50_000_000  # rows × columns up to the last cell: 500,000 rows of 100 columns
_CHUNK = 4 << 20
# literal starts, which the regex engine finds fast; only cells have a ' r="A1"'
_ROW = re.compile(rb'<row [^>]*?\br="([0-9]{1,12})"')
_CELL_ROW = re.compile(rb' r="[A-Za-z]{1,4}([0-9]{1,12})"')
_WIDE = re.compile(rb' r="([A-Za-z]{2,4})[0-9]')  # cells beyond column Z; few sheets have any
NARROW = 26  # the columns of a sheet without such cells, at most


def column_number(letters: str) -> int:
    """A → 1, AA → 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _sheet_path(book: zipfile.ZipFile, title: str) -> str | None:
    """The archive member holding sheet ``title``, from the workbook and its relationships."""
    rel_id = None
    for element in ElementTree.fromstring(book.read("xl/workbook.xml")).iter():
        if element.tag.endswith("}sheet") and element.get("name") == title:
            rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
    if rel_id is None:
        return None
    for element in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels")).iter():
        if element.get("Id") == rel_id and element.get("Target"):
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return None


def active_sheet(raw: bytes) -> str | None:
    """The name of the sheet a workbook opens at (its active tab), or None when it does not say."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            root = ElementTree.fromstring(book.read("xl/workbook.xml"))
    except Exception:  # a damaged archive or XML: the reader reports it
        return None
    tab = next((e.get("activeTab") for e in root.iter() if e.tag.endswith("}workbookView")), None)
    names = [e.get("name") for e in root.iter() if e.tag.endswith("}sheet")]
    if tab is None or not tab.isdigit() or int(tab) >= len(names):
        return None
    return names[int(tab)]


def extent(raw: bytes, title: str) -> tuple[int, int, str]:
    """(rows, columns, last cell) that sheet ``title`` reaches, at most; (0, 0, "") when its
    XML cannot be found (the reader then says what is wrong with the file).  The rows are
    the highest row number; the columns the widest column beyond Z, else 26."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            path = _sheet_path(book, title)
            if path is None:
                return 0, 0, ""
            rows, widest, cell_rows = 0, b"", 0
            with book.open(path) as xml:
                tail = b""
                while True:
                    chunk = xml.read(_CHUNK)
                    if not chunk:
                        break
                    data = tail + chunk
                    rows = max([rows, *map(int, _ROW.findall(data))])
                    if not rows:  # rows without numbers: the cells' own
                        cell_rows = max([cell_rows, *map(int, _CELL_ROW.findall(data))])
                    widest = max([widest, *set(_WIDE.findall(data))], key=lambda c: (len(c), c.upper()))
                    tail = data[-512:]  # a tag cut by the chunk's end is found in the next round
    except Exception:  # a damaged archive or XML: the reader reports it
        return 0, 0, ""
    rows = rows or cell_rows
    columns = column_number(widest.decode("ascii")) if widest else NARROW
    return rows, columns, f"{column_letters(columns)}{rows}" if rows else ""


def column_letters(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
