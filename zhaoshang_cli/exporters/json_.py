"""JSON: one array of records, indented, UTF-8 characters unescaped."""

from __future__ import annotations

from typing import Any, TextIO

import orjson


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")


def write(records: list[dict[str, Any]], out: TextIO, **_: Any) -> None:
    out.write(dumps(records))
    out.write("\n")
