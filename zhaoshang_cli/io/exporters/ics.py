"""Follow-ups as an iCalendar file (RFC 5545) that calendar programs import: one all-day event
per lead on its follow-up day, naming the company and the lead's ID; contact data as the
caller gives it (masked unless --reveal)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TextIO

from ... import messages
from ...domain.amounts import amount_text
from ...domain.kind import KINDS

PRODID = "-//zhaoshang-cli//agenda//ZH"


def _escaped(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _folded(line: str) -> str:
    """A content line cut into lines of at most 75 octets (UTF-8 characters kept whole)."""
    parts: list[str] = []
    current, size = "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > (75 if not parts else 74):
            parts.append(current)
            current, size = "", 0
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _day(iso: str) -> str:
    return iso.replace("-", "")


def write_ics(records: Iterable[dict[str, Any]], out: TextIO, *, store_id: str = "",
              now: datetime | None = None) -> int:
    """Write the calendar; returns the number of events."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escaped(messages.AGENDA_CALENDAR)}"]
    count = 0
    for record in records:
        kind = KINDS[record["kind"]]
        due = str(record.get(kind.roles.follow_up or "") or "")
        if not due:
            continue
        start = date.fromisoformat(due)
        title = str(record.get(kind.title_field) or "")
        status = kind.pipeline.label(record.get(kind.roles.status or "") or "") if kind.pipeline else ""
        details = [f"{label}：{value}" for label, value in (
            (messages.AGENDA_ID, record["id"]), ("状态", status),
            ("负责人", record.get("owner") or ""), ("联系人", record.get("contact") or ""),
            ("电话", record.get("phone") or ""), ("邮箱", record.get("email") or ""),
            ("需求", record.get("need") or ""), ("投资额", amount_text(record) if record.get("amount") else ""),
        ) if label and value]
        lines += ["BEGIN:VEVENT", f"UID:{record['id']}-{_day(due)}-{store_id or 'store'}@zhaoshang-cli",
                  f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{_day(due)}",
                  f"DTEND;VALUE=DATE:{(start + timedelta(days=1)).strftime('%Y%m%d')}",
                  f"SUMMARY:{_escaped(messages.AGENDA_SUMMARY.format(title=title, id=record['id']))}",
                  f"DESCRIPTION:{_escaped(chr(10).join(details))}", "TRANSP:TRANSPARENT", "END:VEVENT"]
        count += 1
    lines.append("END:VCALENDAR")
    out.write("".join(_folded(line) + "\r\n" for line in lines))
    return count
