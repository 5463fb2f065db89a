"""What the maintenance and lookup commands show people: doctor's findings, the backups,
the settings, how a region resolves.  Plain text through io/grid.py, inert, on stdout."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from .. import messages
from . import grid
from .safe_text import inert

_MARKS = {"ok": ("✓", "\x1b[32m"), "warning": ("!", "\x1b[33m"), "error": ("✗", "\x1b[31m")}


def findings(found: Iterable[Any], out: TextIO) -> None:
    """One line per finding: ✓ fine, ! a warning, ✗ an error."""
    colour = grid.colour(out)
    for finding in found:
        mark, style = _MARKS[finding.level]
        line = f"{mark} {inert(finding.message, single_line=True)}"
        out.write(f"{style}{line}\x1b[0m\n" if colour else line + "\n")


def backups(infos: Sequence[Any], kinds: Sequence[Any], out: TextIO) -> None:
    columns = [grid.Column(messages.COL_BACKUP, flexible=True, min_width=12),
               grid.Column(messages.COL_TAKEN, min_width=19, max_width=19),
               *(grid.Column(k.label, justify="right") for k in kinds), grid.Column(messages.COL_STATE, max_width=40)]
    rows = ([info.name, info.taken.strftime("%Y-%m-%d %H:%M:%S"),
             *(str(info.counts.get(k.table, "")) for k in kinds),
             messages.BACKUP_OK if info.valid else inert(info.problem, single_line=True)] for info in infos)
    grid.write(columns, ((cells, False) for cells in rows), out, drop_empty=False)


def settings(found: Iterable[Any], out: TextIO) -> None:
    """Each setting: its name, value and where it comes from, then what it does."""
    for setting in found:
        value = setting.key.label(setting.value) if setting.value else messages.CONFIG_NOT_SET
        source = messages.CONFIG_SOURCES[setting.source].format(env=setting.key.env)
        out.write(f"{setting.key.name}  {inert(value, single_line=True)}" + (f"  ({source})" if source else "") + "\n")
        out.write(f"    {setting.key.help}\n")


def region(answer: dict[str, Any] | None, children: Sequence[dict[str, Any]], zones: Sequence[dict[str, Any]],
           out: TextIO) -> None:
    """How a name resolved, the areas under it, and its development zones."""
    if answer:
        line = messages.REGION_RESOLVES.format(query=answer["query"], path=" › ".join(answer["path"]),
                                               code=answer["code"], level=messages.REGION_LEVELS[answer["level"]])
        out.write(inert(line, single_line=True) + "\n")
        if answer["zone"]:
            out.write(messages.REGION_ZONE.format(zone=answer["zone"], district=answer["full_name"]) + "\n")
    if children:
        columns = [grid.Column(h) for h in messages.REGION_COLUMNS]
        rows = ([c["code"], c["name"], messages.REGION_LEVELS[c["level"]], str(c["children"] or "")] for c in children)
        grid.write(columns, ((cells, False) for cells in rows), out, drop_empty=False)
    if zones:
        columns = [grid.Column(h) for h in messages.ZONE_COLUMNS]
        rows = ([z["name"], z["district"], "、".join(z["aliases"])] for z in zones)
        grid.write(columns, ((cells, False) for cells in rows), out, drop_empty=False)


def edit_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What an edit changes, a line a field (public forms of the record before and after):
    old → new as `show` writes them, the body by its length, a new note by its text."""
    from ..domain.kind import KINDS
    from .exporters.record import display_value

    kind = KINDS[before["kind"]]
    lines = []
    for spec in kind.fields:
        if spec.part_of or spec.type == "history":  # parts are shown with their field
            continue
        if spec.type == "notes":
            added = (after.get(spec.name) or [])[len(before.get(spec.name) or []):]
            lines += [messages.EDIT_NOTE_ADDED.format(label=spec.label, text=note["text"]) for note in added]
        elif spec.apart:
            old, new = before.get(spec.name) or "", after.get(spec.name) or ""
            if old != new:
                lines.append(messages.EDIT_BODY_CHANGE.format(label=spec.label, old=len(old), new=len(new)))
        else:
            old, new = display_value(kind, spec, before), display_value(kind, spec, after)
            if old != new:
                lines.append(messages.EDIT_CHANGE.format(label=spec.label, old=old or messages.EDIT_NO_VALUE,
                                                         new=new or messages.EDIT_NO_VALUE))
    return lines


def agenda(found: Any, shown: Mapping[str, dict[str, Any]], out: TextIO) -> None:
    """The follow-ups by day (service/agenda.py): overdue first, then each day, as tables."""
    from datetime import date

    from ..domain.kind import KINDS

    today = date.fromisoformat(found.today)
    sections = [(messages.AGENDA_OVERDUE.format(count=len(found.overdue)), found.overdue)] if found.overdue else []
    for day, leads in found.days:
        when = date.fromisoformat(day)
        ahead = (when - today).days
        name = messages.AGENDA_DAY_NAMES.get(ahead) or messages.AGENDA_WEEKDAYS[when.weekday()]
        sections.append((f"{day}  {name}（{len(leads)}）", leads))
    columns = [grid.Column(h, max_width=w) for h, w in messages.AGENDA_COLUMNS[:1]]
    columns.append(grid.Column(messages.AGENDA_COLUMNS[1][0], min_width=10, flexible=True))
    columns += [grid.Column(h, max_width=w, optional=h != "状态") for h, w in messages.AGENDA_COLUMNS[2:]]
    for i, (title, leads) in enumerate(sections):
        out.write(("\n" if i else "") + inert(title, single_line=True) + "\n")
        rows = []
        for lead in leads:
            record = shown[lead["id"]]
            kind = KINDS[record["kind"]]
            status = kind.pipeline.label(record.get("status") or "") if kind.pipeline else ""
            due = str(record.get(kind.roles.follow_up or "") or "")
            rows.append([record["id"], str(record.get(kind.title_field) or ""), str(record.get("owner") or ""),
                         status, str(record.get("phone") or record.get("email") or ""), due])
        grid.write(columns, ((cells, False) for cells in rows), out, drop_empty=False)


def matches(found: Any, out: TextIO) -> None:
    """What `match` found (service/matching.py): sites and policies for a lead, or leads for a
    site, as tables whose last column says why (✓ fits, · for information)."""
    shown_apart = {messages.MATCH_TYPE, messages.MATCH_REGION, messages.MATCH_SCOPE, messages.MATCH_IN_FORCE}

    def why(fit: Any) -> str:
        return " ".join(f"{r.what}✓" if r.ok and r.what in shown_apart else
                        f"{r.what} {r.text}" + ("✓" if r.ok else "") for r in fit.reasons)

    subject = found.subject["id"]
    if found.subject["kind"] == "lead":
        sections = [
            (messages.MATCH_SITES.format(id=subject), messages.MATCH_SITE_COLUMNS,
             [[f.record["id"], str(f.record.get("name") or ""), str(f.record.get("type") or ""),
               str(f.record.get("region") or ""), str(f.record.get("area_as_written") or ""), why(f)]
              for f in found.sites]),
            (messages.MATCH_POLICIES.format(id=subject), messages.MATCH_POLICY_COLUMNS,
             [[f.record["id"], str(f.record.get("title") or ""), str(f.record.get("region") or ""),
               str(f.record.get("date") or ""), why(f)] for f in found.policies]),
        ]
    else:
        sections = [(messages.MATCH_LEADS.format(id=subject), messages.MATCH_LEAD_COLUMNS,
                     [[f.record["id"], str(f.record.get("company") or ""), str(f.record.get("need") or ""),
                       str(f.record.get("region") or ""), why(f)] for f in found.leads])]
    for i, (title, headers, rows) in enumerate(sections):
        out.write(("\n" if i else "") + inert(title, single_line=True) + "\n")
        if not rows:
            out.write(f"  {messages.MATCH_NONE}\n")
            continue
        columns = [grid.Column(headers[0], max_width=8, whole=True),
                   grid.Column(headers[1], min_width=12, max_width=24)]
        columns += [grid.Column(h, max_width=10, optional=True) for h in headers[2:-1]]
        columns.append(grid.Column(headers[-1], min_width=16, flexible=True))
        grid.write(columns, ((cells, False) for cells in rows), out, drop_empty=False)
