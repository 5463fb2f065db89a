"""JSON: one array of records, indented, CJK characters unescaped.

Every JSON the CLI prints or writes goes through ``dumps``: characters that act on a
terminal (C1 controls, bidi controls) come out as ``\\uXXXX`` escapes, so the output is
safe to view and still decodes to exactly the stored data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

import orjson

from ..safe_text import json_inert


def dumps(value: Any, *, indent: bool = True) -> str:
    """``value`` as JSON text; ``indent=False`` gives one line (JSON Lines, CSV cells)."""
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0).decode("utf-8")
    return json_inert(text)


def line(value: Any) -> bytes:
    """``dumps(value, indent=False)`` in UTF-8: the bytes orjson made when nothing needed
    escaping (a listing of 40 000 records spent a fifth of its time decoding and encoding
    them again)."""
    raw = orjson.dumps(value)
    text = raw.decode("utf-8")
    inert = json_inert(text)
    return raw if inert is text else inert.encode("utf-8")


def write(records: Iterable[dict[str, Any]], out: TextIO, **_: Any) -> None:
    """The records as one indented array, written record by record (the same text as
    ``dumps`` of the whole list)."""
    first = True
    for record in records:
        out.write("[\n  " if first else ",\n  ")
        out.write(dumps(record).replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")
