"""One record for reading at a terminal (`show`): fields, then body or lead timeline.

The record arrives masked (masking.py) unless the user asked for --reveal.
"""

from __future__ import annotations

from typing import Any, TextIO

from ... import messages
from .. import terminal
from ...domain.kind import KINDS, Field, Kind
from ..safe_text import inert
from ...domain.values import CURRENCY_UNITS, Amount


def display_value(kind: Kind, spec: Field, record: dict[str, Any]) -> str:
    """A field's value as `show` writes it, by the field's type."""
    value = record.get(spec.name)
    if value in (None, "", []):
        return ""
    if spec.type == "region":
        from ...domain.regions import table

        code = record.get("region_code")
        where = f"{table().full_name(code)} ({code})" if code else str(value)
        return f"{where} · {record['zone']}" if record.get("zone") else where
    if spec.type == "amount":
        amount = Amount.of(record)
        if amount is None:
            return str(value)
        exact = f"{amount.low:,}" + (f"–{amount.high:,}" if amount.high is not None else "")
        return f"{amount.text()} ({exact} {CURRENCY_UNITS[amount.currency]})"
    if spec.type == "choice" and kind.pipeline is not None and spec.name == "status":
        return f"{kind.pipeline.label(value)} ({value})"
    if spec.type == "tags":
        return "、".join(value)
    return str(value)


def timeline(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(time, what happened) for the stage moves and notes of a record with a pipeline (a
    lead), oldest first."""
    kind = KINDS.get(record.get("kind", ""))
    label = kind.pipeline.label if kind is not None and kind.pipeline is not None else (lambda s: s or "")
    events: list[tuple[str, str]] = []
    for entry in record.get("history") or []:
        to = label(entry.get("to", ""))
        if entry.get("from"):
            what = f"{label(entry['from'])} → {to}"
        else:
            what = f"创建 · {to}"
        if entry.get("note"):
            what += f" · {entry['note']}"
        events.append((entry.get("at", ""), what))
    for note in record.get("notes") or []:
        events.append((note.get("at", ""), f"备注 · {note.get('text', '')}"))
    return sorted(events, key=lambda e: e[0])


def _title(record: dict[str, Any]) -> str:
    kind = KINDS.get(record.get("kind", ""))
    return str(record.get(kind.title_field) or "") if kind is not None else ""


def write_record(record: dict[str, Any], out: TextIO, *, origin: dict[str, Any] | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    kind = KINDS[record["kind"]]
    console = terminal.console(out)
    title = record.get(kind.title_field) or ""
    console.print(Text(f"{record['id']} · {kind.label}", style="bold"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for spec in kind.fields:
        if spec.apart or spec.type in ("notes", "history") or spec.part_of:  # parts: shown with their field
            continue
        text = display_value(kind, spec, record)
        if spec.name == kind.title_field:
            text = title
        if text:
            grid.add_row(spec.label, Text(inert(text, single_line=True)))
    if record.get("extra"):
        for key, value in record["extra"].items():
            grid.add_row(Text(inert(key, single_line=True)), Text(inert(value, single_line=True)))
    grid.add_row("创建", Text(inert(record.get("created_at"))))
    grid.add_row("更新", Text(inert(record.get("updated_at"))))
    console.print(grid)
    if origin is not None:
        origin_title = _title(origin)
        console.print(Text(f"\n来源记录  {origin['id']}  {inert(origin_title, single_line=True)}"))
    events = timeline(record) if any(f.type in ("history", "notes") for f in kind.fields) else []
    if events:
        console.print(Text("\n跟进记录", style="bold"))
        for at, what in events:
            console.print(Text(f"  {inert(at[:16].replace('T', ' '))}  {inert(what, single_line=True)}"))
    body = record.get("body")
    if body:
        console.print(Text("\n正文", style="bold"))
        console.print(Text(inert(body.strip())))
