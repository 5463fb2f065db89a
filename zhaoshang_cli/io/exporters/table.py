"""Rich tables for people at a terminal.

Cells are single-line, inert text (no markup, no escape sequences); long titles end
in an ellipsis instead of wrapping, and Rich measures CJK characters as two cells so
columns stay aligned at 80 columns.  Follow-ups due on or before today are marked 逾期.
Records arrive masked (masking.py) unless the user asked for --reveal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TextIO

from ... import messages
from .. import terminal
from ...domain.kind import KINDS, Kind
from ...domain.lead import STATUS_LABELS
from ..safe_text import inert
from ...domain.values import amount_text


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Any]
    min_width: int | None = None
    max_width: int | None = None
    flexible: bool = False
    justify: str = "left"
    optional: bool = False  # dropped first when the terminal is too narrow


def _region(record: dict[str, Any]) -> str | None:
    """The district, and the zone beside it when there is one: 武清区·武清开发区."""
    if not record.get("zone"):
        return record.get("region")
    from ...domain.regions import table

    return f"{record.get('region') or ''}·{table().zone_label(record['zone'])}"


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
            Column(messages.COL_KIND, lambda r: KINDS[r["kind"]].label, min_width=4, max_width=4),
            Column("标题/企业", lambda r: r.get("title") or r.get("company"), min_width=12, flexible=True),
            Column("地区", _region, min_width=4, max_width=16),
            Column("日期", _get("date"), min_width=10, max_width=10),
        ]
    kind = kinds[0].name if kinds else "article"
    if kind == "lead":
        def due(record: dict[str, Any]) -> str:
            text = record.get("due") or ""
            return f"{text} {messages.COL_OVERDUE}" if is_overdue(record, options.today) else text

        return [
            ident,
            Column("企业名称", _get("company"), min_width=10, flexible=True),
            Column("联系人", _get("contact"), max_width=8, optional=True),
            Column("电话", _get("phone"), max_width=17),
            Column("地区", _region, min_width=4, max_width=10),
            Column("投资额", amount_text, min_width=6, max_width=14, justify="right"),
            Column("需求", _get("need"), max_width=10, optional=True),
            Column("状态", lambda r: STATUS_LABELS.get(r.get("status") or "", ""), min_width=6, max_width=6),
            Column("下次跟进", due, min_width=10, max_width=15),
        ]
    columns = [ident, Column("标题", _get("title"), min_width=16, flexible=True)]
    if kind == "policy":
        columns.append(Column("文号", _get("doc_no"), max_width=16))
    columns += [
        Column("地区", _region, min_width=4, max_width=16),
        Column("发布日期", _get("date"), min_width=10, max_width=10),
    ]
    return columns


GAP = 2  # cells between columns (collapsed padding)


def _fit(columns: list[Column], cells: list[list[str]], total: int) -> tuple[list[int], list[int]]:
    """(indexes of the columns shown, their widths) fitting ``total`` cells.

    Fixed columns are as wide as their content up to their maximum; the flexible one (the
    title) takes the rest.  When it would get less than its minimum, optional columns
    go first, then the widest fixed columns shrink toward their minimum.
    """
    from rich.cells import cell_len

    natural = []
    for i, col in enumerate(columns):
        width = max([cell_len(col.header)] + [cell_len(row[i]) for row in cells])
        if col.max_width:
            width = min(width, col.max_width)
        natural.append(max(width, col.min_width or 1))
    shown = list(range(len(columns)))
    flex = next((i for i in shown if columns[i].flexible), None)
    flex_min = columns[flex].min_width or 1 if flex is not None else 0

    def room() -> int:
        return total - GAP * (len(shown) - 1) - sum(natural[i] for i in shown if i != flex)

    while room() < flex_min:
        optional = [i for i in shown if columns[i].optional]
        if optional:
            shown.remove(optional[-1])
            continue
        shrinkable = [i for i in shown if i != flex and natural[i] > (columns[i].min_width or cell_len(columns[i].header))]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: natural[i])
        natural[widest] -= 1
    if flex is not None:
        natural[flex] = max(min(natural[flex], room()), flex_min)
    return shown, [natural[i] for i in shown]


def write(records: list[dict[str, Any]], out: TextIO, *, kinds: list[Kind], options: Any) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    columns = _columns(kinds, options)
    cells = [[inert(col.value(record), single_line=True) for col in columns] for record in records]
    # drop optional columns nobody filled (a 文号 column of policies without numbers)
    keep = [i for i, col in enumerate(columns) if i == 0 or col.flexible or any(row[i] for row in cells)]
    columns = [columns[i] for i in keep]
    cells = [[row[i] for i in keep] for row in cells]
    console = terminal.console(out)
    shown, widths = _fit(columns, cells, console.width)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True,
                  header_style="bold")
    for i, width in zip(shown, widths):
        table.add_column(columns[i].header, no_wrap=True, overflow="ellipsis", width=width, justify=columns[i].justify)
    for record, row in zip(records, cells):
        style = "red" if is_overdue(record, options.today) else ""
        table.add_row(*(Text(row[i], style=style) for i in shown))
    console.print(table)
