"""Render a report (reports.Report) as a terminal table, Markdown, CSV, JSON or HTML.

All five carry the same numbers (the HTML page is html/report.py); amounts read as
Chinese reports write them (万元, 亿元, 万美元) in table, Markdown and HTML, and as integers
in CSV and JSON.  Each currency has its own column (no exchange rates; in HTML a line of
one cell), and a note says when ranges were counted at their lower end.
"""

from __future__ import annotations

from typing import Any, TextIO

from ... import messages
from ...domain.amounts import CURRENCY_UNITS, format_amount
from ...domain.kind import KINDS
from ...service.reports import Counts, FollowUps, Report
from ..safe_text import inert

FORMATS = ("table", "markdown", "csv", "json", "html")
_BLOCKS = " ▏▎▍▌▋▊▉█"
_SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 20


def bar(value: int, top: int, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a cell."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    return "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else "")


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top == 0:
        return _SPARKS[0] * len(values)
    return "".join(_SPARKS[min(len(_SPARKS) - 1, round(v / top * (len(_SPARKS) - 1)))] for v in values)


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


# -- the three sections as plain rows --------------------------------------------------------
def _group_header(report: Report) -> list[str]:
    """The grouping, then a column per kind counted (signed leads and their amount with leads,
    one amount column per currency)."""
    amounts = [messages.REPORT_COL_AMOUNT] + [messages.REPORT_COL_AMOUNT_IN.format(currency=CURRENCY_UNITS[c])
                                              for c in report.currencies[1:]]
    header = [report.by_label]
    for kind in report.kinds:
        header.append(kind.label)
        if kind.pipeline is not None:
            header += [messages.REPORT_COL_SIGNED, *amounts]
    return header


def _count_cells(report: Report, counts: Counts) -> list[str]:
    amounts = [format_amount(total, c) if (total := counts.signed_amounts.get(c, 0)) else "0"
               for c in report.currencies]
    cells = []
    for kind in report.kinds:
        cells.append(str(counts.of(kind)))
        if kind.pipeline is not None:
            cells += [str(counts.signed), *amounts]
    return cells


def amount_notes(report: Report) -> list[str]:
    """What a reader must know to read the counts: signings by their own day, ranges counted
    low, currencies apart."""
    notes = []
    if any(kind.roles.won_on for kind in report.kinds):
        notes.append(messages.REPORT_SIGNED_BY_DAY)
    if report.total.signed_ranges:
        notes.append(messages.REPORT_RANGES_COUNTED_LOW.format(count=report.total.signed_ranges))
    if len(report.currencies) > 1:
        notes.append(messages.REPORT_CURRENCIES_APART)
    return notes


def group_rows(report: Report) -> list[list[str]]:
    rows = [[g.label] + _count_cells(report, g.counts) for g in report.groups]
    rows.append([messages.REPORT_TOTAL] + _count_cells(report, report.total))
    return rows


def funnel_rows(report: Report) -> list[list[str]]:
    f = report.funnel
    top = f.total
    rows = [[s.label, str(s.count), str(s.reached), percent(s.reached, top), bar(s.reached, top)] for s in f.stages]
    rows.append([messages.STATUS_LOST, str(f.lost), "", percent(f.lost, top), bar(f.lost, top)])
    return rows


def trend_rows(report: Report) -> list[list[str]]:
    totals = [m.counts.records for m in report.trend]
    top = max(totals, default=0)
    return [[m.month, *(str(m.counts.of(k)) for k in KINDS.values()), bar(t, top)]
            for m, t in zip(report.trend, totals)]


FUNNEL_HEADER = [messages.REPORT_COL_STATUS, messages.REPORT_COL_NOW, messages.REPORT_COL_REACHED,
                 messages.REPORT_COL_SHARE, ""]
FUNNEL_ALIGNS = "lrrrl"


def trend_header() -> list[str]:
    return [messages.REPORT_COL_MONTH, *(k.label for k in KINDS.values()), ""]


def trend_aligns() -> str:
    return "l" + "r" * len(KINDS) + "l"


def conversion_line(report: Report) -> str:
    return messages.REPORT_CONVERSION.format(rate=f"{report.funnel.conversion:.1%}", total=report.funnel.total)


def spark_line(report: Report) -> str:
    totals = [m.counts.records for m in report.trend]
    if not totals:
        return ""
    return f"{report.trend[0].month} {sparkline(totals)} {report.trend[-1].month}"


# -- formats ---------------------------------------------------------------------------------
def write_table(report: Report, out: TextIO) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..terminal import console

    con = console(out)

    def table(header: list[str], rows: list[list[str]], title: str, aligns: str) -> Table:
        t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, title=title,
                  title_justify="left", title_style="bold", header_style="bold")
        for name, align in zip(header, aligns):
            t.add_column(name, no_wrap=True, overflow="ellipsis", justify="right" if align == "r" else "left")
        for row in rows:
            t.add_row(*(Text(inert(cell, single_line=True)) for cell in row))
        return t

    con.print(Text(inert(report.title), style="bold"))
    con.print()
    header = _group_header(report)
    con.print(table(header, group_rows(report), report.section, _aligns(header)))
    for note in amount_notes(report):
        from ..grid import fold

        for piece in fold(note, con.width):  # Chinese text broken where Chinese text may break
            con.print(Text(piece))
    if report.funnel.stages:  # the grouping counts a kind with a pipeline (leads)
        con.print()
        con.print(table(FUNNEL_HEADER, funnel_rows(report), messages.REPORT_SECTION_FUNNEL, FUNNEL_ALIGNS))
        con.print(Text(conversion_line(report)))
    if report.trend:
        con.print()
        con.print(table(trend_header(), trend_rows(report), messages.REPORT_SECTION_TREND, trend_aligns()))
        con.print(Text(spark_line(report)))


def _aligns(header: list[str]) -> str:
    return "l" + "r" * (len(header) - 1)


def _md_table(header: list[str], rows: list[list[str]], aligns: str) -> list[str]:
    def cell(text: str) -> str:
        return inert(text, single_line=True).replace("|", "\\|") or " "

    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in aligns) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def write_markdown(report: Report, out: TextIO) -> None:
    lines = [f"## {inert(report.title, single_line=True)}", "",
             f"### {report.section}", ""]
    header = _group_header(report)
    lines += _md_table(header, group_rows(report), _aligns(header))
    for note in amount_notes(report):
        lines += ["", note]
    if report.funnel.stages:
        lines += ["", f"### {messages.REPORT_SECTION_FUNNEL}", ""]
        lines += _md_table([h or messages.REPORT_COL_BAR for h in FUNNEL_HEADER], funnel_rows(report), FUNNEL_ALIGNS)
        lines += ["", conversion_line(report)]
    if report.trend:
        lines += ["", f"### {messages.REPORT_SECTION_TREND}", ""]
        lines += _md_table([h or messages.REPORT_COL_BAR for h in trend_header()], trend_rows(report), trend_aligns())
        lines += ["", spark_line(report)]
    out.write("\n".join(lines) + "\n")


def csv_columns() -> tuple[str, ...]:
    """section, key, label, a count per kind, signed, signed_amount, reached, signed_ranges;
    then signed_amount_USD… for each other currency in the report."""
    return ("section", "key", "label", *(k.plural for k in KINDS.values()), "signed", "signed_amount", "reached",
            "signed_ranges")


def write_csv(report: Report, out: TextIO) -> None:
    from .csv_ import cell
    from .csv_ import writer as csv_writer

    writer = csv_writer(out)
    others = report.currencies[1:]
    columns = csv_columns()
    writer.writerow(columns + tuple(f"signed_amount_{c}" for c in others))
    pipeline_kind = next((k for k in report.kinds if k.pipeline is not None), None)
    data = report.to_dict()

    def row(section: str, key: Any, label: Any, values: dict[str, Any]) -> None:
        amounts = values.get("signed_amounts")
        writer.writerow([section, cell("key", key), cell("label", label)] +
                        [values.get(c, "") for c in columns[3:]] +
                        [amounts.get(c, 0) if amounts is not None else "" for c in others])

    for g in data["groups"]:
        row("groups", g["key"], g["label"], g)
    row("total", "", messages.REPORT_TOTAL, data["total"])
    if pipeline_kind is not None:  # the funnel of the kind with a pipeline (leads), in its column
        counted = pipeline_kind.plural
        for s in data["funnel"]["stages"]:
            row("funnel", s["status"], s["label"], {counted: s["count"], "reached": s["reached"]})
        row("funnel", "lost", messages.STATUS_LOST, {counted: data["funnel"]["lost"]})
    for m in data["trend"]:
        row("trend", m["month"], m["month"], m)
    for note in amount_notes(report):
        writer.writerow(["note", "", cell("label", note)])


def write_json(report: Report, out: TextIO) -> None:
    from .json_ import dumps

    out.write(dumps(report.to_dict()) + "\n")


def write(fmt: str, report: Report, out: TextIO, *, follow: FollowUps | None = None) -> None:
    """``follow``: the deals and overdue follow-ups the HTML page lists (the others leave them out)."""
    if fmt == "html":
        from .html.report import write as write_html

        write_html(report, out, follow=follow)
        return
    {"table": write_table, "markdown": write_markdown, "csv": write_csv, "json": write_json}[fmt](report, out)
