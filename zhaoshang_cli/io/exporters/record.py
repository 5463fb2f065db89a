"""One record for reading at a terminal (`show`): fields, then body or lead timeline.

The record arrives masked (masking.py) unless the user asked for --reveal.
"""

from __future__ import annotations

from typing import Any, TextIO

from ... import messages
from ...domain.amounts import CURRENCY_UNITS, DEFAULT_CURRENCY, Amount, format_amount
from ...domain.kind import KINDS, Field, Kind
from .. import terminal
from ..safe_text import inert


def display_value(kind: Kind, spec: Field, record: dict[str, Any]) -> str:
    """A field's value as `show` writes it, by the field's type."""
    value = record.get(spec.name)
    if value in (None, "", []):
        return ""
    if spec.type == "region":
        from ...domain.regions import places

        code = record.get("region_code")
        where = f"{places().full_name(code)} ({code})" if code else str(value)
        return f"{where} · {record['zone']}" if record.get("zone") else where
    if spec.type == "amount":
        amount = Amount.of(record)
        if amount is None:
            return str(value)
        exact = f"{amount.low:,}" + (f"–{amount.high:,}" if amount.high is not None else "")
        return f"{amount.text()} ({exact} {CURRENCY_UNITS[amount.currency]})"
    if spec.type == "choice" and kind.pipeline is not None and spec.name == kind.roles.status:
        return f"{kind.pipeline.label(value)} ({value})"
    if spec.type == "tags":
        return "、".join(value)
    if spec.type in ("area", "price"):
        from ...domain.measures import area_text, price_text

        return area_text(record, spec.name) if spec.type == "area" else price_text(record, spec.name)
    return str(value)


def timeline(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(time, what happened) for the stage moves, assignments and notes of a record with a
    pipeline (a lead), oldest first, each naming who made it; a move an import made says so,
    with the file's name."""
    kind = KINDS.get(record.get("kind", ""))
    label = kind.pipeline.label if kind is not None and kind.pipeline is not None else (lambda s: s or "")
    events: list[tuple[str, str]] = []
    for entry in record.get("history") or []:
        to = label(entry.get("to", ""))
        if "owner" in entry:
            what = messages.HISTORY_ASSIGNED.format(owner=entry["owner"]) if entry["owner"] \
                else messages.HISTORY_UNASSIGNED
        elif entry.get("from"):
            what = f"{label(entry['from'])} → {to}"
        else:
            what = f"创建 · {to}"
        if entry.get("source") == "import":  # a move an import made, from the file it names
            by = messages.HISTORY_BY_IMPORT.format(file=entry["file"]) if entry.get("file") \
                else messages.HISTORY_BY_IMPORT_UNNAMED
            what += f" ({by})"
        if entry.get("on"):  # a signing: its day and, when given, the amount signed
            what += " · " + messages.HISTORY_SIGNED.format(on=entry["on"])
            if type(entry.get("amount")) is int:
                what += " · " + format_amount(entry["amount"], entry.get("currency") or DEFAULT_CURRENCY)
        if entry.get("note"):
            what += f" · {entry['note']}"
        events.append((entry.get("at", ""), _by(_merged(what, entry), entry)))
    for note in record.get("notes") or []:
        events.append((note.get("at", ""), _by(_merged(f"备注 · {note.get('text', '')}", note), note)))
    return sorted(events, key=lambda e: e[0])


def _merged(what: str, entry: dict[str, Any]) -> str:
    """An entry a merge brought from another lead says which."""
    return what + " · " + messages.HISTORY_MERGED.format(id=entry["merged_from"]) if entry.get("merged_from") else what


def _by(what: str, entry: dict[str, Any]) -> str:
    return what + messages.HISTORY_BY.format(by=entry["by"]) if entry.get("by") else what


def _stamp(record: dict[str, Any], which: str) -> str:
    """When a record was created (or last changed), and by whom: 2025-07-01T09:30:00+08:00 · 张三."""
    at, by = record.get(f"{which}_at") or "", record.get(f"{which}_by") or ""
    return f"{at} · {by}" if at and by else at or by


def _title(record: dict[str, Any]) -> str:
    kind = KINDS.get(record.get("kind", ""))
    return str(record.get(kind.title_field) or "") if kind is not None else ""


def write_record(record: dict[str, Any], out: TextIO, *, origin: dict[str, Any] | None = None) -> None:
    """The fields in two columns (a long value folds under itself), then the origin, the
    lead's timeline and the body, each under a heading; wrapped to the terminal's width."""
    from ..grid import fold, room, width

    kind = KINDS[record["kind"]]
    bold, reset = ("\x1b[1m", "\x1b[0m") if terminal.colour(out) else ("", "")
    cells = room(out)
    rows: list[tuple[str, str]] = []
    for spec in kind.fields:
        if spec.apart or spec.type in ("notes", "history") or spec.part_of:  # parts: shown with their field
            continue
        text = (record.get(kind.title_field) or "" if spec.name == kind.title_field
                else display_value(kind, spec, record))
        if text:
            rows.append((spec.label, text))
    rows += list((record.get("extra") or {}).items())
    rows += [("创建", _stamp(record, "created")), ("更新", _stamp(record, "updated"))]
    rows = [(inert(label, single_line=True), inert(value, single_line=True)) for label, value in rows]
    lines = [f"{bold}{record['id']} · {kind.label}{reset}"]
    labels = max(width(label) for label, _ in rows) + 2
    for label, value in rows:
        head = f"{bold}{label}{reset}" + " " * (labels - width(label))
        first, *rest = fold(value, max(cells - labels, 10))  # its spaces kept, as typed
        lines += [head + first, *(" " * labels + piece.lstrip(" ") for piece in rest)]
    if origin is not None:
        lines += ["", f"来源记录  {origin['id']}  {inert(_title(origin), single_line=True)}"]
    events = timeline(record) if any(f.type in ("history", "notes") for f in kind.fields) else []
    if events:
        lines += ["", f"{bold}跟进记录{reset}"]
        lines += [f"  {inert(at[:16].replace('T', ' '))}  {inert(what, single_line=True)}" for at, what in events]
    body = record.get("body")
    if body:
        lines += ["", f"{bold}正文{reset}"]
        lines += [piece for line in inert(body.strip("\r\n ")).split("\n") for piece in fold(line.expandtabs(), cells)]
    out.write("\n".join(line.rstrip() for line in lines) + "\n")
