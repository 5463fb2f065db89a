"""Records as HTML pages: a listing (``list``/``filter --format html``) and one record
(``show --format html``).

The listing has the columns of the terminal table (table.py, the kind's own columns),
with nothing cut; on a phone each row becomes a card.  It is written as the records come,
like the other formats.  A record shows its fields, the record it came from, its timeline
and its body in paragraphs.  Records arrive masked (masking.py) unless the user asked for
--reveal; everything from them is escaped (``line``/``text``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from .... import messages
from ....domain.kind import KINDS, Kind
from ..record import display_value as display
from ..record import timeline
from ..table import cell, columns_for, is_follow_up, is_overdue
from . import foot, head, line, stamp, tail


def write(records: Iterable[dict[str, Any]], out: TextIO, *, kinds: list[Kind], options: Any) -> None:
    generated = stamp()
    one = len(kinds) == 1 and not options.show_kind
    title = messages.HTML_LIST_TITLE.format(label=kinds[0].label) if one else messages.HTML_LIST_ALL
    out.write(head(title))
    out.write(f"<main class=\"list\">\n<header>\n<h1>{line(title)}</h1>\n<dl class=\"meta\"><div><dt>"
              f"{line(messages.HTML_META_GENERATED)}</dt><dd>{line(generated)}</dd></div></dl>\n</header>\n")
    columns = columns_for(kinds, options.show_kind)
    classes = ["n" if c.justify == "right" else "" for c in columns]
    count = 0
    for record in records:
        if count == 0:
            out.write("<table class=\"cards\"><thead><tr>" + "".join(
                f"<th{_cls(k)} scope=\"col\">{line(c.header)}</th>" for c, k in zip(columns, classes))
                + "</tr></thead><tbody>\n")
        count += 1
        late = is_overdue(record, options.today)
        cells = []
        for column, cls in zip(columns, classes):
            shown = line(cell(record, column.field, options.today))
            if late and is_follow_up(KINDS.get(record.get("kind", "")), column.field):
                shown = f"<span class=\"overdue\">{shown}</span>"
            cells.append(f"<td{_cls(cls)} data-label=\"{line(column.header)}\">{shown}</td>")
        out.write("<tr>" + "".join(cells) + "</tr>\n")
    if count:
        out.write("</tbody></table>\n")
        out.write(f"<p class=\"note\">{line(messages.HTML_LIST_COUNT.format(count=count))}</p>\n")
    else:
        out.write(f"<p class=\"empty\">{line(messages.HTML_LIST_EMPTY)}</p>\n")
    out.write(foot(generated))
    out.write("</main>\n")
    out.write(tail())


def _cls(name: str) -> str:
    return f" class=\"{name}\"" if name else ""


def _value(kind: Kind, name: str, shown: str, record: dict[str, Any]) -> str:
    """A field's value; a web address as a link (only http and https)."""
    url = record.get(name)
    spec = kind.field(name)
    if spec is not None and spec.type == "url" and isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f"<a href=\"{line(url)}\" rel=\"noopener noreferrer\">{line(shown)}</a>"
    return line(shown)


def write_record(record: dict[str, Any], out: TextIO, *, origin: dict[str, Any] | None = None) -> None:
    """One record as a page: title, fields, origin, timeline, body."""
    kind = KINDS[record["kind"]]
    generated = stamp()
    title = str(record.get(kind.title_field) or record["id"])
    out.write(head(f"{title} · {record['id']}"))
    out.write(f"<main class=\"record\">\n<header>\n<p class=\"kicker\">{line(kind.label)} · {line(record['id'])}</p>\n"
              f"<h1>{line(title)}</h1>\n</header>\n<dl class=\"fields\">\n")
    for spec in kind.fields:
        if spec.apart or spec.type in ("notes", "history") or spec.part_of or spec.name == kind.title_field:
            continue
        shown = display(kind, spec, record)
        if shown:
            out.write(f"<dt>{line(spec.label)}</dt><dd>{_value(kind, spec.name, shown, record)}</dd>\n")
    for key, value in (record.get("extra") or {}).items():
        out.write(f"<dt>{line(key)}</dt><dd>{line(value)}</dd>\n")
    for label, key in ((messages.HTML_RECORD_CREATED, "created_at"), (messages.HTML_RECORD_UPDATED, "updated_at")):
        if record.get(key):
            out.write(f"<dt>{line(label)}</dt><dd>{line(str(record[key])[:19].replace('T', ' '))}</dd>\n")
    out.write("</dl>\n")
    if origin is not None:
        origin_kind = KINDS.get(origin.get("kind", ""))
        origin_title = origin.get(origin_kind.title_field) if origin_kind is not None else ""
        out.write(f"<p><strong>{line(messages.HTML_RECORD_ORIGIN)}</strong>　{line(origin['id'])}　"
                  f"{line(origin_title)}</p>\n")
    events = timeline(record) if any(f.type in ("history", "notes") for f in kind.fields) else []
    if events:
        out.write(f"<h2>{line(messages.HTML_RECORD_TIMELINE)}</h2>\n<ol class=\"timeline\">\n")
        for at, what in events:
            out.write(f"<li><time>{line(at[:16].replace('T', ' '))}</time>{line(what)}</li>\n")
        out.write("</ol>\n")
    body = record.get("body")
    if body:
        paragraphs = [p.strip() for p in str(body).splitlines() if p.strip()]
        out.write(f"<h2>{line(messages.HTML_RECORD_BODY)}</h2>\n<div class=\"body\">\n")
        out.write("".join(f"<p>{line(p)}</p>\n" for p in paragraphs))
        out.write("</div>\n")
    out.write(foot(generated))
    out.write("</main>\n")
    out.write(tail())
