"""HTML pages: one self-contained file each (report, list, show), for a browser, a phone
or a printer.

A page needs nothing outside itself: the stylesheet is inline, the charts are inline SVG
drawn by ``svg.py``, the fonts are the system's own (a CJK stack: PingFang, YaHei, Noto
Sans CJK…), and there is no script at all.  Its Content-Security-Policy says so to the
browser: nothing may be loaded or run (``default-src 'none'``), and the one stylesheet is
allowed by its hash, so that even markup that got into the page by mistake could neither
run a script nor bring a style of its own.  Every text from records goes through ``text``:
HTML-escaped, and with the characters that reorder or hide text (bidi overrides,
controls) shown as visible escapes, as in the terminal tables.

Imported only when HTML is rendered: ``zhaoshang --help`` never loads it.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .... import __version__, messages
from ...safe_text import inert

FONTS = ('-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
         '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei", '
         '"Helvetica Neue", Arial, sans-serif')

STYLE = """
:root{color-scheme:light;--ink:#1d2733;--muted:#5b6573;--line:#d9dee5;--accent:#1f5fa8;--bg:#eef1f5;--paper:#fff;--warn:#b3261e}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.7 FONTS;
font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
main{max-width:900px;margin:0 auto;background:var(--paper);padding:32px 40px 40px}
main.list{max-width:1240px}
h1{font-size:26px;line-height:1.35;margin:0 0 12px;letter-spacing:.02em}
h2{font-size:20px;line-height:1.4;margin:40px 0 14px;padding-left:10px;border-left:4px solid var(--accent)}
h3{font-size:16px;margin:28px 0 8px}
p{margin:0 0 10px}
.kicker{margin:0 0 6px;color:var(--accent);font-size:13px;font-weight:600;letter-spacing:.2em}
.meta{display:flex;flex-wrap:wrap;gap:2px 28px;margin:0;color:var(--muted);font-size:14px}
.meta div{display:flex;gap:8px}
.meta dt{font-weight:600}
.meta dd{margin:0}
.kpis{list-style:none;display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;
margin:22px 0 0;padding:0}
.kpis li{border:1px solid var(--line);border-top:3px solid var(--accent);border-radius:6px;padding:8px 12px}
.kpis .v{display:block;font-size:24px;font-weight:700;line-height:1.25;overflow-wrap:anywhere}
.kpis .k{color:var(--muted);font-size:13px}
figure{max-width:520px;margin:10px auto 18px}
figure svg{display:block;width:100%;height:auto;break-inside:avoid}
figure.parts svg+svg{margin-top:14px}
figcaption{margin-top:6px;color:var(--muted);font-size:13px;text-align:center}
table{width:100%;border-collapse:collapse;margin:6px 0 10px;font-size:14px;line-height:1.5}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:break-word}
thead th{border-bottom:2px solid var(--ink);font-weight:600;white-space:nowrap}
.n{text-align:right;white-space:nowrap}
tr.total td{border-top:2px solid var(--ink);font-weight:700}
.note{color:var(--muted);font-size:13px}
.empty{color:var(--muted)}
.overdue{color:var(--warn);font-weight:600}
.record h1{margin-top:4px}
.fields{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:16px 0}
.fields dt{color:var(--muted)}
.fields dd{margin:0}
.timeline{padding-left:20px}
.timeline time{color:var(--muted);margin-right:8px}
.body p{text-indent:2em;line-height:1.9}
footer{margin-top:40px;padding-top:8px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}
@media screen and (max-width:600px){
body{font-size:14px}
main{padding:18px 16px 28px}
h1{font-size:21px}
h2{font-size:18px;margin-top:32px}
table{font-size:13px}
th,td{padding:5px 4px}
.kpis{grid-template-columns:repeat(2,minmax(0,1fr))}
.kpis .v{font-size:20px}
table.cards thead{display:none}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{margin:0 0 10px;padding:6px 10px;border:1px solid var(--line);border-radius:6px}
table.cards td{display:flex;gap:10px;padding:2px 0;border:0;overflow-wrap:anywhere}
table.cards td::before{content:attr(data-label);flex:0 0 5.5em;color:var(--muted)}
table.cards .n{text-align:left;white-space:normal}
}
@page{size:A4;margin:16mm 16mm 18mm;@bottom-center{content:counter(page) " / " counter(pages);font-size:9pt;color:#555}}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff;font-size:10.5pt}
main{max-width:none;margin:0;padding:0}
section+section{break-before:page}
section>h2:first-child{margin-top:0}
header+section>h2:first-child{margin-top:22px}
h1,h2,h3{break-after:avoid}
figure:not(.parts),.kpis,.meta,tr,.fields div{break-inside:avoid}
figure{max-width:380px}
.kpis{grid-template-columns:repeat(auto-fit,minmax(96px,1fr));gap:6px;margin-top:14px}
.kpis .v{font-size:16pt}
h1{font-size:20pt}
h2{font-size:15pt}
h3{font-size:12pt}
table{font-size:10pt}
th,td{padding:4px 6px}
thead{display:table-header-group}
footer{break-inside:avoid}
}
""".replace("FONTS", FONTS).replace("\n", "")

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
# nothing loads, nothing runs: no script, no frame, no font, no image but data: URLs; the
# one stylesheet by its hash
CSP = (f"default-src 'none'; script-src 'none'; style-src '{'sha256-' + _STYLE_HASH}'; img-src data:; "
       "font-src 'none'; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; "
       "form-action 'none'")


def text(value: Any) -> str:
    """Text from a record, safe as element content and as an attribute value."""
    return html.escape(inert(value), quote=True)


def line(value: Any) -> str:
    """``text`` on one line (table cells, titles)."""
    return html.escape(inert(value, single_line=True), quote=True)


def stamp(moment: datetime | None = None) -> str:
    """When the page was made, as a reader reads it: 2025-07-31 18:05.  SOURCE_DATE_EPOCH
    (the reproducible-builds convention) fixes it, so two runs can give the same bytes."""
    import os

    if moment is None and os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        moment = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"])).astimezone()
    return (moment or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")


def head(title: str) -> str:
    """The document up to and including ``<body>``: the policy first, before anything it governs."""
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"color-scheme\" content=\"light\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<meta name=\"generator\" content=\"zhaoshang-cli {__version__}\">\n"
            f"<title>{line(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n")


def foot(generated: str) -> str:
    return f"<footer>{line(messages.HTML_FOOTER.format(version=__version__, time=generated))}</footer>\n"


def tail() -> str:
    return "</body>\n</html>\n"


def table(header: list[tuple[str, str]], rows: Iterable[list[str]], *, cards: bool = False,
          total: bool = False, caption: str | None = None) -> str:
    """A table: ``header`` as (text, class) pairs, ``rows`` of ready cell HTML (escaped by the
    caller); with ``cards`` each row turns into a card on a phone, its cells labelled by
    their column; with ``total`` the last row is a total row."""
    rows = list(rows)
    parts = ["<table class=\"cards\">" if cards else "<table>"]
    if caption:
        parts.append(f"<caption>{line(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th{_cls(c)} scope=\"col\">{line(h)}</th>" for h, c in header)
                 + "</tr></thead><tbody>")
    for i, row in enumerate(rows):
        marked = " class=\"total\"" if total and i == len(rows) - 1 else ""
        parts.append(f"<tr{marked}>" + "".join(
            f"<td{_cls(c)} data-label=\"{line(h)}\">{cell}</td>" for (h, c), cell in zip(header, row)) + "</tr>")
    parts.append("</tbody></table>\n")
    return "".join(parts)


def _cls(name: str) -> str:
    return f" class=\"{name}\"" if name else ""
