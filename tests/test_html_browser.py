"""The HTML pages in a real browser: headless Chromium (Debian's `chromium`, installed by
.ci/run) driven over the DevTools protocol (chromium.py).  Skipped, with the reason, where
Chromium or a CJK font is missing.

* the examples' report at 1280 and 375 pixels wide: screenshots; every number of the JSON
  report in the page Chromium built; nothing wider than a phone (also with amounts in six
  currencies and a long company name); chart labels inside their charts and legible;
  Chinese set in a CJK font of the system;
* the same page printed to PDF: A4 pages, sections starting pages, every chart whole on
  one page (its heading above and its caption below it on the same page, and all its
  labels between them);
* list and show: every cell of the leads on one line at 1280 pixels, nothing wider than a
  phone at 375;
* records titled <script>…: shown as text in report, show and list, and nothing runs (the
  Content-Security-Policy stops even markup put into the page on purpose).

ZHAOSHANG_UPDATE_SCREENSHOTS=1 also writes the README's screenshots to docs/ (report.png,
report-phone.png).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections import Counter
from pathlib import Path

import chromium
import pytest
from conftest import ROOT
from test_html import (  # noqa: F401
    HOSTILE_PAGES,
    IMG_COMPANY,
    README_PNG_LIMIT,
    REPORT,
    SCRIPT_TITLE,
    add_currency_leads,
    check_report_tables,
    hostile,
    numbers_missing,
    report_json,
)

BINARY = chromium.find()


def _cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return True  # cannot tell; the font check below says what it finds
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return bool(found.strip())


pytestmark = [pytest.mark.skipif(BINARY is None, reason=chromium.SKIP_REASON),
              pytest.mark.skipif(BINARY is not None and not _cjk_font(),
                                 reason="no CJK font installed (apt-get install fonts-noto-cjk; .ci/run does)")]
DOCS = ROOT / "docs"
A4 = (595.28, 841.89)  # points

TABLES = """[...document.querySelectorAll('table')].map(t => [...t.rows].map(r => [...r.cells].map(
    c => [c.innerText.replace(/\\s+/g, ' ').trim(), [...c.querySelectorAll('data')].map(d => d.value)])))"""
OVERFLOW = """(() => {
  const width = document.documentElement.clientWidth, wide = [];
  for (const el of document.querySelectorAll('body, body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.right > width + 0.5)
      wide.push(`${el.tagName} ${(el.textContent || '').slice(0, 20)} ${r.left.toFixed(1)}..${r.right.toFixed(1)}`);
  }
  return {width, innerWidth, scrollWidth: document.documentElement.scrollWidth, wide};
})()"""
KPIS_SPILLING = """[...document.querySelectorAll('.kpis li')].filter(li => {
  const card = li.getBoundingClientRect();
  return [...li.querySelectorAll('span')].some(s => {
    const r = s.getBoundingClientRect();
    return r.left < card.left - 0.5 || r.right > card.right + 0.5 || s.scrollWidth > s.clientWidth + 0.5;
  });
}).map(li => li.innerText)"""
CHART_LABELS = """[...document.querySelectorAll('figure svg')].flatMap(svg => {
  const box = svg.getBoundingClientRect(), scale = box.width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    const size = parseFloat(t.getAttribute('font-size') || svg.getAttribute('font-size')) * scale;
    return {text: t.textContent, size, inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
            && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5};
  });
})"""
FIGURES = """[...document.querySelectorAll('figure')].map(f => ({
  heading: f.closest('section').querySelector('h2').textContent,
  caption: f.querySelector('figcaption').textContent,
  labels: [...f.querySelectorAll('svg text')].map(t => t.textContent)}))"""
README_CLIP = """(() => { const page = document.querySelector('main').getBoundingClientRect(),
  end = document.querySelector('SECTION').getBoundingClientRect();
  return {x: page.left, y: 0, width: page.width, height: end.bottom + scrollY + 8}; })()"""
NO_SCRIPT = """({scripts: document.scripts.length,
  loaded: document.querySelectorAll('img, iframe, object, embed, link, base, form').length,
  handlers: [...document.querySelectorAll('*')]
    .filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  ran: document.documentElement.dataset.ran || null,
  text: document.body.innerText})"""


@pytest.fixture(scope="module")
def browser():
    started = chromium.Browser(BINARY)
    yield started
    started.close()


@pytest.fixture
def page(browser):
    opened = browser.page()
    yield opened
    opened.close()


@pytest.fixture
def report_page(examples, tmp_path) -> Path:
    path = tmp_path / "周报.html"
    examples(*REPORT, "--format", "html", "-o", str(path))
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def keep(shot: Path, name: str) -> None:
    """A screenshot of the README, small enough to commit; written to docs/ when asked for
    (ZHAOSHANG_UPDATE_SCREENSHOTS=1)."""
    assert shot.stat().st_size < README_PNG_LIMIT, (name, shot.stat().st_size)
    if os.environ.get("ZHAOSHANG_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS / name)


def test_report_in_chromium_at_1280_and_375_pixels(examples, report_page, page, tmp_path):
    data = report_json(examples)
    # a desktop: the tables Chromium built hold the JSON report's numbers, the page all of them
    page.open(report_page, 1280, 900)
    check_report_tables(page.evaluate(TABLES), data)
    text = page.evaluate("document.body.innerText")
    values = set(page.evaluate("[...document.querySelectorAll('data')].map(d => d.value)"))
    assert numbers_missing(data, text, values) == []
    assert page.evaluate("document.title") == "招商报告 · 天津市 · 2025-07"
    labels = page.evaluate(CHART_LABELS)
    assert len(labels) > 80 and [label for label in labels if not label["inside"]] == []
    shot = tmp_path / "report-1280.png"
    page.screenshot(shot)
    assert png_size(shot)[0] == 1280 and png_size(shot)[1] > 2000
    readme = tmp_path / "report.png"  # the README's: the page from its title to the funnel
    page.screenshot(readme, page.evaluate(README_CLIP.replace("SECTION", "#funnel")))
    assert png_size(readme)[0] == 900 and png_size(readme)[1] > 1500
    keep(readme, "report.png")
    # Chinese in a CJK font of the system, never a downloaded one
    page.send("DOM.enable")
    page.send("CSS.enable")
    root = page.send("DOM.getDocument")["root"]["nodeId"]
    heading = page.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = [f["familyName"] for f in page.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]]
    assert any(re.search(r"CJK|PingFang|YaHei|Hiragino|Source Han|WenQuanYi|Hei", f) for f in fonts), fonts
    assert page.evaluate("document.fonts.size") == 0  # no web font
    # a phone: nothing wider than the screen, labels inside their charts and big enough to read
    page.open(report_page, 375, 812, mobile=True)
    measured = page.evaluate(OVERFLOW)
    assert measured["width"] == measured["innerWidth"] == 375
    assert measured["scrollWidth"] <= 375 and measured["wide"] == []
    labels = page.evaluate(CHART_LABELS)
    assert [label for label in labels if not label["inside"]] == []
    assert min(label["size"] for label in labels) >= 9.5, sorted(labels, key=lambda label: label["size"])[:3]
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 14
    shot = tmp_path / "report-375.png"
    page.screenshot(shot)
    assert png_size(shot)[0] == 375 and png_size(shot)[1] > 3000
    readme = tmp_path / "report-phone.png"  # the README's: the title block and the first chart
    page.screenshot(readme, page.evaluate(README_CLIP.replace("SECTION", "#groups figure")))
    assert png_size(readme)[0] == 375 and png_size(readme)[1] > 800
    keep(readme, "report-phone.png")
    assert page.events("Page.javascriptDialogOpening") == []
    # six currencies and a company name longer than the screen still fit it
    add_currency_leads(examples, tmp_path)
    crowded = tmp_path / "currencies.html"
    examples(*REPORT, "--format", "html", "-o", str(crowded))
    page.open(crowded, 375, 812, mobile=True)
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= 375 and measured["wide"] == []
    assert page.evaluate(KPIS_SPILLING) == []  # a long amount (3000万美元) stays inside its card
    page.open(crowded, 1280, 900)
    assert page.evaluate(KPIS_SPILLING) == []


LINES_PER_CELL = """[...document.querySelectorAll('th, td')].map(c => {
  const range = document.createRange();
  range.selectNodeContents(c);
  return [c.textContent, new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];
})"""


def test_list_and_show_pages_fit_a_desktop_and_a_phone(examples, page, tmp_path):
    pages = {"list": ("list", "leads", "--region", "天津", "--format", "html"),
             "show": ("show", "l1", "--format", "html"), "article": ("show", "a1", "--format", "html")}
    for name, args in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(examples(*args).stdout, "utf-8")
        page.open(path, 1280, 900)
        if name == "list":  # a desktop has room for every cell of the leads on one line
            cells = page.evaluate(LINES_PER_CELL)
            assert len(cells) > 100 and [c for c in cells if c[1] > 1] == []
        page.open(path, 375, 812, mobile=True)
        measured = page.evaluate(OVERFLOW)
        assert measured["scrollWidth"] <= 375 and measured["wide"] == [], name
        if name == "list":  # a card per lead
            assert page.evaluate("getComputedStyle(document.querySelector('tbody tr')).display") == "block"


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """The size of every page of a PDF as Chromium writes it (Skia: plain page objects,
    each with its /MediaBox), in points."""
    raw = path.read_bytes()
    count = len(re.findall(rb"/Type\s*/Page(?!s)", raw))
    boxes = [[float(n) for n in box.split()] for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", raw)]
    assert len(boxes) == count, "every page has a /MediaBox of its own"
    return [(x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes]


def pdf_words(path: Path) -> list[list[tuple[str, float]]]:
    """Per page, each word with the height of its middle (points from the top): pdftotext -bbox."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils; .ci/run does)")
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for body in re.findall(r"<page [^>]*>(.*?)</page>", out, re.S):
        words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', body)
        pages.append([(_unescape(w), (float(y0) + float(y1)) / 2) for y0, y1, w in words])
    return pages


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_report_prints_to_a4_pages_without_cutting_a_chart(report_page, page, tmp_path):
    page.open(report_page, 1280, 900)
    headings = page.evaluate("[...document.querySelectorAll('section > h2')].map(h => h.textContent)")
    figures = page.evaluate(FIGURES)
    assert headings == ["一、分地区统计", "二、线索漏斗", "三、月度趋势", "四、签约项目与逾期跟进"]
    assert len(figures) == 3
    pdf = tmp_path / "周报.pdf"
    page.pdf(pdf)
    sizes = pdf_pages(pdf)
    assert all(abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2 for w, h in sizes), sizes
    words = pdf_words(pdf)
    assert len(words) == len(sizes)

    def where(text: str) -> tuple[int, float]:
        found = [(n, y) for n, page_words in enumerate(words) for w, y in page_words if w == text]
        assert len(found) == 1, (text, found)
        return found[0]

    # each section after the first starts a page: its heading is the top line there
    starts = [where(h) for h in headings]
    assert [n for n, _ in starts] == sorted({n for n, _ in starts}) and starts[0][0] == 0
    for n, y in starts[1:]:
        assert y <= min(wy for _, wy in words[n]) + 0.5
    # every chart whole on one page: its heading above it and its caption below it on the same
    # page, and every character of its labels between them
    for number, figure in enumerate(figures, 1):
        heading_page, heading_y = where(figure["heading"])
        [(caption_page, caption_y)] = [(n, y) for n, page_words in enumerate(words) for w, y in page_words
                                       if w.startswith(f"图{number}")]
        assert caption_page == heading_page and heading_y < caption_y, figure["caption"]
        between = Counter("".join(w for w, y in words[caption_page] if heading_y < y < caption_y))
        drawn = Counter("".join("".join(label.split()) for label in figure["labels"]))
        assert drawn - between == Counter(), (figure["caption"], drawn - between)
    # no page is empty, and the last section fits on its page: the pages are the sections' pages
    assert all(len(page_words) > 3 for page_words in words)
    assert len(words) == starts[-1][0] + 1
    assert len(words) == 5  # section 1 (the cover, the chart, the district table) takes two pages, the others one


def test_markup_in_records_runs_nothing_in_chromium(hostile, page, tmp_path):  # noqa: F811 (fixture of test_html)
    for name, args in HOSTILE_PAGES.items():
        path = tmp_path / f"{name.replace(' ', '-')}.html"
        path.write_text(hostile(*args).stdout, "utf-8")
        page.open(path, 1280, 900)
        found = page.evaluate(NO_SCRIPT)
        assert (found["scripts"], found["loaded"], found["handlers"], found["ran"]) == (0, 0, 0, None), name
        assert SCRIPT_TITLE in found["text"], name
        if name in ("report", "list leads", "filter"):
            assert IMG_COMPANY in found["text"], name
    assert page.events("Page.javascriptDialogOpening") == []
    # the policy, not only the escaping: markup put into the page on purpose does not run either
    source = (tmp_path / "report.html").read_text("utf-8")
    planted = source.replace("<body>\n", "<body>\n<script>document.documentElement.dataset.ran = 'script'</script>"
                             "<img src=\"data:,\" onerror=\"document.documentElement.dataset.ran = 'handler'\">"
                             "<svg onload=\"document.documentElement.dataset.ran = 'svg'\"></svg>", 1)
    assert planted != source
    path = tmp_path / "planted.html"
    path.write_text(planted, "utf-8")
    page.open(path, 1280, 900)
    found = page.evaluate(NO_SCRIPT)
    assert found["scripts"] == 1 and found["ran"] is None
    blocked = [e["params"]["entry"]["text"] for e in page.events("Log.entryAdded")
               if "Content Security Policy" in e["params"]["entry"]["text"]]
    assert any("inline script" in b for b in blocked) and any("event handler" in b for b in blocked), blocked
    assert page.events("Page.javascriptDialogOpening") == []
