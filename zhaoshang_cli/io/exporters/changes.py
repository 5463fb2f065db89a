"""The change log written out (`zhaoshang log`): a table for people (time, who, what, record,
in Chinese words), or the entries as they are kept (json, jsonl, csv) for scripts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from ... import messages
from ...domain.kind import KINDS
from ..grid import Column, write

FORMATS = ("table", "json", "jsonl", "csv")
CSV_COLUMNS = ("at", "by", "action", "id", "kind", "title", "batch", "file", "details")
_SHORT = 24  # characters of a value shown in a table


def _label(kind_name: str | None, key: str) -> str:
    kind = KINDS.get(kind_name or "")
    if key == "region_code":
        key = "region"
    spec = kind.field(key) if kind is not None else None
    return spec.label if spec is not None else messages.CHANGE_FIELD_LABELS.get(key, key)


def _value(kind_name: str | None, key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return messages.CHANGE_NOTHING
    kind = KINDS.get(kind_name or "")
    if key == "region_code" and isinstance(value, str):
        from ...domain.regions import places

        return places().name(value) or value
    if kind is not None and type(value) is int and key == kind.roles.amount:
        from ...domain.amounts import format_amount

        return format_amount(value)
    if kind is not None and key == kind.roles.status:
        return _status(kind_name, value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= _SHORT else text[:_SHORT - 1] + "…"


def _status(kind_name: str | None, status: Any) -> str:
    kind = KINDS.get(kind_name or "")
    if kind is not None and kind.pipeline is not None and isinstance(status, str):
        return kind.pipeline.label(status)
    return str(status or "")


def _fields(entry: Mapping[str, Any]) -> str:
    parts = []
    for change in entry.get("changes") or []:
        key = change.get("field", "")
        if key in ("history", "notes"):
            parts.append(_label(entry.get("kind"), key))
        elif key == "body":
            parts.append(messages.CHANGE_BODY)
        else:
            kind = entry.get("kind")
            parts.append(f"{_label(kind, key)} {_value(kind, key, change.get('old'))} → "
                         f"{_value(kind, key, change.get('new'))}")
    return "；".join(parts)


def summary(entry: Mapping[str, Any]) -> str:
    """What an entry says, in a line."""
    action, kind = entry.get("action"), entry.get("kind")
    title = entry.get("title") or ""
    if action == "created":
        return messages.CHANGE_CREATED.format(title=title)
    if action == "edited":
        return messages.CHANGE_EDITED.format(fields=_fields(entry))
    if action == "moved":
        text = messages.CHANGE_MOVED.format(old=_status(kind, entry.get("from")), new=_status(kind, entry.get("to")))
        return text + (f" · {entry['note']}" if entry.get("note") else "")
    if action == "noted":
        return messages.CHANGE_NOTED.format(note=entry.get("note", ""))
    if action == "assigned":
        return messages.CHANGE_ASSIGNED.format(old=entry.get("from") or messages.CHANGE_NOTHING,
                                              new=entry.get("to") or messages.CHANGE_NOTHING)
    if action == "deleted":
        return messages.CHANGE_DELETED.format(title=title)
    if action == "imported" and entry.get("id"):
        return messages.CHANGE_IMPORTED_ONE.format(file=entry.get("file") or "", fields=_fields(entry))
    if action == "imported":
        from ...domain.changes import created_ids

        return messages.CHANGE_IMPORTED.format(file=entry.get("file") or "", added=len(created_ids(entry)),
                                               updated=entry.get("updated") or 0, batch=entry.get("batch", ""))
    if action == "undone" and entry.get("id"):
        return messages.CHANGE_UNDONE_ONE.format(batch=entry.get("batch", ""))
    if action == "undone":
        return messages.CHANGE_UNDONE.format(batch=entry.get("batch", ""), file=entry.get("file") or "",
                                             removed=entry.get("removed") or 0, restored=entry.get("restored") or 0)
    if action == "restored":
        return messages.CHANGE_RESTORED.format(backup=entry.get("backup", ""))
    if action == "merged" and entry.get("into"):
        return messages.CHANGE_MERGED.format(into=entry.get("into", ""), title=title)
    if action == "merged":
        return messages.CHANGE_MERGED_IN.format(others="、".join(entry.get("merged") or []), fields=_fields(entry))
    return str(action)


def write_changes(fmt: str, entries: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write the entries in ``fmt``; returns how many."""
    count = 0
    if fmt == "json":
        listed = list(entries)
        out.write(json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
        return len(listed)
    if fmt == "jsonl":
        for entry in entries:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for entry in entries:
            details = {k: v for k, v in entry.items() if k not in CSV_COLUMNS}
            writer.writerow([entry.get(k, "") for k in CSV_COLUMNS[:-1]] +
                            [json.dumps(details, ensure_ascii=False) if details else ""])
            count += 1
        return count
    at, by, record, what = messages.CHANGE_COLUMNS
    columns = [Column(at, min_width=16), Column(by, max_width=10), Column(record, max_width=12),
               Column(what, min_width=10, flexible=True)]
    rows = ([str(e.get("at", ""))[:16].replace("T", " "), str(e.get("by", "")), str(e.get("id") or "—"),
             summary(e)] for e in entries)
    return write(columns, ((cells, False) for cells in rows), out, drop_empty=False)
