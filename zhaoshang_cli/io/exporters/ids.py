"""`count` and `ids`: the numbers behind reports, for scripts (like `wp post list --format=ids`)."""

from __future__ import annotations

from typing import Any, TextIO


def write(records: list[dict[str, Any]], out: TextIO, **_: Any) -> None:
    out.write(" ".join(r["id"] for r in records))
    out.write("\n")


def write_count(records: list[dict[str, Any]], out: TextIO) -> None:
    out.write(f"{len(records)}\n")
