"""JSON Lines: one record per line; what `import` reads back unchanged."""

from __future__ import annotations

from typing import Any, Iterable, TextIO

import orjson


def write(records: Iterable[dict[str, Any]], out: TextIO, **_: Any) -> None:
    for record in records:
        out.write(orjson.dumps(record).decode("utf-8"))
        out.write("\n")
