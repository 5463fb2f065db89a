"""JSON Lines: one record per line; what `import` reads back unchanged."""

from __future__ import annotations

from typing import Any, Iterable, TextIO

from .json_ import dumps


def write(records: Iterable[dict[str, Any]], out: TextIO, **_: Any) -> None:
    for record in records:
        out.write(dumps(record, indent=False))
        out.write("\n")
