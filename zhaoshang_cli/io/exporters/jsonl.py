"""JSON Lines: one record per line; what `import` reads back unchanged."""

from __future__ import annotations

from typing import Any, Iterable, TextIO

from .json_ import dumps, line

_BATCH = 1 << 20  # bytes written at once: through a buffer of 8 KB, every other record cost a write call


def write(records: Iterable[dict[str, Any]], out: TextIO, **_: Any) -> None:
    sink = getattr(out, "buffer", None)  # a text stream over bytes: the lines go there as bytes
    if sink is None:
        for record in records:
            out.write(dumps(record, indent=False))
            out.write("\n")
        return
    out.flush()
    pending: list[bytes] = []
    size = 0
    for record in records:
        pending.append(line(record))
        size += len(pending[-1])
        if size >= _BATCH:
            pending.append(b"")
            sink.write(b"\n".join(pending))
            pending, size = [], 0
    if pending:
        pending.append(b"")
        sink.write(b"\n".join(pending))
