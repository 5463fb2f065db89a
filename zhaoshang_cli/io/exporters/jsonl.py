"""JSON Lines: one record per line; what `import` reads back unchanged."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable
from typing import Any, TextIO

from .json_ import dumps, line

_BATCH = 1 << 20  # bytes written at once: through a buffer of 8 KB, every other record cost a write call


def write(records: Iterable[dict[str, Any]], out: TextIO, **_: Any) -> None:
    sink = _bytes_beneath(out)
    if sink is None:
        for record in records:
            out.write(dumps(record, indent=False))
            out.write("\n")
        return
    out.flush()
    # gathered in one buffer, each line copied in and let go: orjson's own result keeps
    # room it did not use (a 5 KB line holds 65 KB), so a list of a megabyte's lines held 14 MB
    pending = bytearray()
    try:
        for record in records:
            pending += line(record)
            pending += b"\n"
            if len(pending) >= _BATCH:
                sink.write(pending)
                pending.clear()
    finally:  # what was made before a failure is written, as line by line it would have been
        if pending:
            sink.write(pending)
        sink.flush()


def _bytes_beneath(out: TextIO) -> Any:
    """The byte stream under ``out`` when writing bytes there gives what writing text to
    ``out`` would (UTF-8, no newline translation) and nobody watches line by line (a
    terminal, where lines should come as they are made); else None."""
    sink = getattr(out, "buffer", None)
    if sink is None or getattr(out, "line_buffering", False) or os.linesep != "\n":
        return None
    try:
        return sink if codecs.lookup(out.encoding).name == "utf-8" else None
    except (LookupError, TypeError, AttributeError):
        return None
