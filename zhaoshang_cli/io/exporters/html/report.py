"""The report as one HTML page: a title block with the key figures, then a section each for
the grouped counts (bars and the table), the lead funnel, the monthly trend, and the deals
signed and follow-ups overdue.

The tables carry the numbers of every other format; an amount is written as reports write
money (8亿元, 5000万美元) and keeps its exact value in yuan (or its currency) as
``<data value="…">``; a row's amounts in several currencies share one cell, a line each.
Sections start a new page when printed; a chart is never cut by a page break (style:
``figure{break-inside:avoid}``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, TextIO

from .... import messages
from ....domain.amounts import CURRENCIES, CURRENCY_UNITS, amount_text, format_amount
from ....domain.kind import KINDS, Kind
from ....service.reports import Counts, FollowUps, Report
from .. import report as plain
from ..table import region_text
from . import foot, head, line, stamp, svg, table, tail


def money(value: int, currency: str) -> str:
    """An amount as reports write it, with its exact value for machines."""
    shown = format_amount(value, currency) if value else "0"
    return f"<data value=\"{value}\">{line(shown)}</data>"


def amounts(counts: Counts) -> str:
    """The signed amounts of a row in one cell, a line per currency (yuan first, then the
    others present), never converted: a phone has no room for a column per currency."""
    return "<br>".join(money(value, currency) for currency, value in
                       sorted(counts.signed_amounts.items(), key=lambda item: CURRENCIES.index(item[0])))


def _count_cells(kinds: list[Kind], counts: Counts) -> list[str]:
    cells = []
    for kind in kinds:
        cells.append(str(counts.of(kind)))
        if kind.pipeline is not None:
            cells += [str(counts.signed), amounts(counts)]
    return cells


def _count_header(kinds: list[Kind]) -> list[tuple[str, str]]:
    header = []
    for kind in kinds:
        header.append((kind.label, "n"))
        if kind.pipeline is not None:
            header += [(messages.REPORT_COL_SIGNED, "n"), (messages.REPORT_COL_AMOUNT, "n")]
    return header


class _Page:
    """Numbers the sections and figures as they are written."""

    def __init__(self) -> None:
        self.sections = 0
        self.figures = 0

    def section(self, anchor: str, title: str) -> str:
        self.sections += 1
        numerals = messages.HTML_SECTION_NUMERALS
        number = numerals[self.sections - 1] if self.sections <= len(numerals) else str(self.sections)
        return f"<section id=\"{anchor}\">\n<h2>{line(messages.HTML_SECTION.format(number=number, title=title))}</h2>\n"

    def figure(self, chart: Any, title: str) -> str:
        """A numbered figure of ``chart(id, caption)``: one drawing, or a list of parts."""
        self.figures += 1
        caption = messages.HTML_FIGURE.format(number=self.figures, title=title)
        drawn = chart(f"chart{self.figures}", caption)
        parts = [drawn] if isinstance(drawn, str) else drawn
        marked = " class=\"parts\"" if len(parts) > 1 else ""
        return f"<figure{marked}>{''.join(parts)}<figcaption>{line(caption)}</figcaption></figure>\n"


def _cover(report: Report, generated: str) -> str:
    where = f"{report.region['name']}（{report.region['code']}）" if report.region else messages.REPORT_ALL_REGIONS
    if report.since or report.until:
        period = messages.HTML_PERIOD.format(since=report.since or "…", until=report.until or "…")
    else:
        period = messages.REPORT_ALL_TIME
    meta = [(messages.HTML_META_REGION, where), (messages.HTML_META_PERIOD, period),
            (messages.HTML_META_GENERATED, generated)]
    parts = ["<header>\n", f"<p class=\"kicker\">{line(messages.HTML_REPORT_KICKER)}</p>\n",
             f"<h1>{line(report.title)}</h1>\n<dl class=\"meta\">",
             *(f"<div><dt>{line(k)}</dt><dd>{line(v)}</dd></div>" for k, v in meta), "</dl>\n<ul class=\"kpis\">"]

    def kpi(value: str, label: str) -> None:
        parts.append(f"<li><span class=\"v\">{value}</span><span class=\"k\">{line(label)}</span></li>")

    for kind in report.kinds:
        kpi(str(report.total.of(kind)), kind.label)
        if kind.pipeline is not None:
            kpi(str(report.total.signed), messages.REPORT_COL_SIGNED)
            for currency in report.currencies:
                label = messages.REPORT_COL_AMOUNT_IN.format(currency=CURRENCY_UNITS[currency]) \
                    if currency != report.currencies[0] else messages.REPORT_COL_AMOUNT
                kpi(money(report.total.signed_amounts.get(currency, 0), currency), label)
    if report.funnel.stages:
        kpi(line(f"{report.funnel.conversion:.1%}"), messages.HTML_KPI_CONVERSION)
    parts.append("</ul>\n</header>\n")
    return "".join(parts)


def _groups(page: _Page, report: Report) -> str:
    kinds = report.kinds
    parts = [page.section("groups", report.section)]
    if report.groups:
        drawn = [k for k in kinds if k.roles.date] or kinds  # a kind without a date (sites): the table's
        rows = [(g.label, [g.counts.of(k) for k in drawn]) for g in report.groups]
        title = messages.HTML_CHART_GROUPS.format(section=report.section, kinds="、".join(k.label for k in drawn))
        parts.append(page.figure(lambda cid, cap: svg.bars(cid, cap, rows, [k.label for k in drawn]), title))
    else:
        parts.append(f"<p class=\"empty\">{line(messages.HTML_NO_RECORDS)}</p>\n")
    header = [(report.by_label, ""), *_count_header(kinds)]
    rows_html = [[line(g.label), *_count_cells(kinds, g.counts)] for g in report.groups]
    rows_html.append([line(messages.REPORT_TOTAL), *_count_cells(kinds, report.total)])
    parts.append(table(header, rows_html, total=True))
    parts += [f"<p class=\"note\">{line(note)}</p>\n" for note in plain.amount_notes(report)]
    parts.append("</section>\n")
    return "".join(parts)


def _funnel(page: _Page, report: Report) -> str:
    f = report.funnel
    lost = messages.HTML_LOST.format(label=messages.STATUS_LOST, count=f.lost, share=plain.percent(f.lost, f.total))
    closing = [lost, plain.conversion_line(report)]
    stages = [(s.label, s.count, s.reached) for s in f.stages]
    parts = [page.section("funnel", messages.REPORT_SECTION_FUNNEL),
             page.figure(lambda cid, cap: svg.funnel(cid, cap, stages, f.total, closing), messages.HTML_CHART_FUNNEL)]
    header = list(zip(plain.FUNNEL_HEADER[:4], ("", "n", "n", "n")))
    parts.append(table(header, [[line(c) for c in row[:4]] for row in plain.funnel_rows(report)]))
    parts.append(f"<p>{line(plain.conversion_line(report))}</p>\n</section>\n")
    return "".join(parts)


def _trend(page: _Page, report: Report) -> str:
    kinds = [k for k in KINDS.values() if k.roles.date]  # a kind without a date has no months
    months = [m.month for m in report.trend]
    series = [(k.label, [m.counts.of(k) for m in report.trend]) for k in kinds]
    unit = svg.buckets(months, [])[0]
    title = messages.HTML_CHART_TREND[unit].format(kinds="、".join(k.label for k in kinds))
    parts = [page.section("trend", messages.REPORT_SECTION_TREND),
             page.figure(lambda cid, cap: svg.trend(cid, cap, months, series), title)]
    header = [(messages.REPORT_COL_MONTH, ""), *_count_header(kinds)]
    rows = [[line(m.month), *_count_cells(kinds, m.counts)] for m in report.trend]
    parts.append(table(header, rows))
    parts.append("</section>\n")
    return "".join(parts)


def _follow_ups(page: _Page, follow: FollowUps) -> str:
    kinds = [k for k in KINDS.values() if k.pipeline is not None]
    kind = kinds[0]

    def label(name: str, fallback: str) -> str:
        spec = kind.field(name)
        return spec.label if spec is not None else fallback

    def title(record: dict[str, Any]) -> str:
        of = KINDS.get(record.get("kind", ""), kind)
        return line(record.get(of.title_field))

    parts = [page.section("follow-ups", messages.HTML_SECTION_FOLLOW_UPS)]
    parts.append(f"<h3>{line(messages.HTML_SIGNED.format(count=len(follow.signed)))}</h3>\n")
    if follow.signed:
        header = [(label(kind.title_field, messages.COL_TITLE_ANY), ""), (messages.COL_REGION, ""),
                  (label("amount", "amount"), "n"), (label("date", messages.COL_DATE), "n")]
        rows = [[title(r), line(region_text(r)), line(amount_text(r)), line(r.get("date"))] for r in follow.signed]
        parts.append(table(header, rows, cards=True))
    else:
        parts.append(f"<p class=\"empty\">{line(messages.HTML_SIGNED_NONE)}</p>\n")
    today = date.fromisoformat(follow.today)
    parts.append(f"<h3>{line(messages.HTML_OVERDUE.format(today=follow.today, count=len(follow.overdue)))}</h3>\n")
    if follow.overdue:
        header = [(label(kind.title_field, messages.COL_TITLE_ANY), ""), (messages.COL_REGION, ""),
                  (label("status", "status"), ""), (label("amount", "amount"), "n"), (label("due", "due"), "n")]
        rows = []
        for r in follow.overdue:
            of = KINDS.get(r.get("kind", ""), kind)
            status = of.pipeline.label(r.get("status")) if of.pipeline is not None else r.get("status")
            late = (today - date.fromisoformat(r["due"])).days
            due = (f"{line(r['due'])}<br><span class=\"overdue\">"
                   f"{line(messages.HTML_OVERDUE_DAYS.format(days=late))}</span>")
            rows.append([title(r), line(region_text(r)), line(status), line(amount_text(r)), due])
        parts.append(table(header, rows, cards=True))
    else:
        parts.append(f"<p class=\"empty\">{line(messages.HTML_OVERDUE_NONE.format(today=follow.today))}</p>\n")
    parts.append("</section>\n")
    return "".join(parts)


def write(report: Report, out: TextIO, *, follow: FollowUps | None = None, generated: str | None = None) -> None:
    """The whole page; ``follow``: the deals and overdue follow-ups (service.reports.follow_ups),
    left out when None; ``generated``: the time shown (now)."""
    generated = generated or stamp()
    page = _Page()
    out.write(head(report.title))
    out.write("<main class=\"report\">\n")
    out.write(_cover(report, generated))
    out.write(_groups(page, report))
    if report.funnel.stages:
        out.write(_funnel(page, report))
    if report.trend:
        out.write(_trend(page, report))
    if follow is not None and any(k.pipeline is not None for k in report.kinds):
        out.write(_follow_ups(page, follow))
    out.write(f"<p class=\"note\">{line(messages.HTML_BASIS)}</p>\n")
    out.write(foot(generated))
    out.write("</main>\n")
    out.write(tail())
