"""Rich tables for people at a terminal.

Cells are single-line, inert text (no markup, no escape sequences); long titles end
in an ellipsis instead of wrapping, and Rich measures CJK characters as two cells so
columns stay aligned at 80 columns.  Leads' phone numbers are masked unless revealed;
follow-ups due on or before today are marked 逾期.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TextIO

from .. import messages, terminal
from ..models import STATUS_LABELS, Kind
from ..safe_text import inert
from ..values import format_amount, mask_phone


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Any]
    min_width: int | None = None
    max_width: int | None = None
    flexible: bool = False
    justify: str = "left"


def _get(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record.get(key)


def is_overdue(record: dict[str, Any], today: str | None) -> bool:
    due = record.get("due")
    return bool(today and due and due <= today and record.get("status") not in ("signed", "lost"))


def _columns(kinds: list[Kind], options: Any) -> list[Column]:
    ident = Column(messages.COL_ID, _get("id"), min_width=3, max_width=8)
    names = {k.name for k in kinds}
    if options.show_kind or len(names) > 1:
        return [
            ident,
            Column(messages.COL_KIND, lambda r: messages.KIND_LABELS[r["kind"]], min_width=4, max_width=4),
            Column("标题/企业", lambda r: r.get("title") or r.get("company"), min_width=12, flexible=True),
            Column("地区", _get("region"), min_width=4, max_width=12),
            Column("日期", _get("date"), min_width=10, max_width=10),
        ]
    kind = kinds[0].name if kinds else "article"
    if kind == "lead":
        phone = _get("phone") if options.reveal else (lambda r: mask_phone(r.get("phone") or ""))

        def due(record: dict[str, Any]) -> str:
            text = record.get("due") or ""
            return f"{text} {messages.COL_OVERDUE}" if is_overdue(record, options.today) else text

        return [
            ident,
            Column("企业名称", _get("company"), min_width=10, flexible=True),
            Column("联系人", _get("contact"), max_width=6),
            Column("电话", phone, max_width=17),
            Column("地区", _get("region"), max_width=10),
            Column("投资额", lambda r: format_amount(r.get("amount")), max_width=10, justify="right"),
            Column("状态", lambda r: STATUS_LABELS.get(r.get("status") or "", ""), max_width=6),
            Column("下次跟进", due, max_width=15),
        ]
    columns = [ident, Column("标题", _get("title"), min_width=16, flexible=True)]
    if kind == "policy":
        columns.append(Column("文号", _get("doc_no"), max_width=16))
    columns += [
        Column("地区", _get("region"), min_width=4, max_width=12),
        Column("发布日期", _get("date"), min_width=10, max_width=10),
    ]
    return columns


def write(records: list[dict[str, Any]], out: TextIO, *, kinds: list[Kind], options: Any) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    columns = _columns(kinds, options)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for col in columns:
        table.add_column(col.header, no_wrap=True, overflow="ellipsis", min_width=col.min_width,
                         max_width=col.max_width, ratio=1 if col.flexible else None, justify=col.justify)
    for record in records:
        style = "red" if is_overdue(record, options.today) else ""
        table.add_row(*(Text(inert(col.value(record), single_line=True), style=style) for col in columns))
    terminal.console(out).print(table)
