"""`--format html` of report, list and show, read back without a browser: self-contained,
the same numbers as the JSON report, every record text escaped, charts with labelled
numbers; `report --open`.  test_html_browser.py renders the same pages in Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from zhaoshang_cli.domain.amounts import format_amount
from zhaoshang_cli.io.exporters.html import svg

REPORT = ("report", "--region", "天津", "--month", "2025-07")
README_PNG_LIMIT = 300_000  # bytes: a screenshot of the README is committed; test_html_browser.py makes it
SCRIPT_TITLE = "<script>alert(1)</script>"
IMG_COMPANY = '"><img src=x onerror=alert(2)>'
# every element a page of ours may hold; anything else came from data that escaped its escaping
ELEMENTS = {"html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "h1", "h2", "h3",
            "p", "dl", "dt", "dd", "div", "ul", "ol", "li", "span", "strong", "br", "table", "caption", "thead",
            "tbody", "tr", "th", "td", "data", "figure", "figcaption", "time", "a", "svg", "defs", "pattern", "rect",
            "circle", "g", "text", "tspan", "line", "polygon"}


class Page(HTMLParser):
    """What a browser would build from the page, as far as the tests need it: every element
    and attribute, the text, the tables (rows of (text, <data> values) cells), the texts of
    each chart, the style sheet and the policy."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.tables: list[list[list[tuple[str, list[str]]]]] = []
        self.charts: list[list[str]] = []
        self.style = ""
        self._open: list[str] = []
        self._cell: list[str] | None = None
        self._data: list[str] = []
        self._chart_text: list[str] | None = None
        self._hidden = 0  # inside <title> of a chart, <style>, <head><title>
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag in ("br", "meta", "rect", "circle", "line", "polygon"):
            if tag == "br":
                self.handle_data(" ")
            return
        self._open.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell, self._data = [], []
        elif tag == "data":
            self._data.append(found.get("value") or "")
        elif tag == "svg":
            self.charts.append([])
        elif tag == "text":
            self._chart_text = []
        elif tag in ("title", "style"):
            self._hidden += 1

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag not in self._open:
            return
        while self._open and self._open.pop() != tag:
            pass
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append((" ".join("".join(self._cell).split()), self._data))
            self._cell = None
        elif tag == "text" and self._chart_text is not None:
            self.charts[-1].append("".join(self._chart_text))
            self._chart_text = None
        elif tag in ("title", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if self._open and self._open[-1] == "style":
            self.style += data
        if self._hidden:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._chart_text is not None:
            self._chart_text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def meta(self, name: str) -> str | None:
        for tag, attrs in self.tags:
            if tag == "meta" and (attrs.get("http-equiv") == name or attrs.get("name") == name):
                return attrs.get("content")
        return None


def html_report(cli, *args) -> str:
    return cli(*(args or REPORT), "--format", "html").stdout


def report_json(cli, *args) -> dict:
    return json.loads(cli(*(args or REPORT), "--format", "json").stdout)


# -- the numbers -----------------------------------------------------------------------------
def check_report_tables(tables, data: dict) -> None:
    """The page's tables against the JSON report: the groups with their total, the funnel,
    the trend; cells as (text, data values) pairs.  Used by the browser test too, on the
    tables Chromium built."""
    groups, funnel, trend = tables[:3]

    def amounts(cells):
        return [int(v) for _, values in cells for v in values]

    def counts_of(entry):
        currencies = [c for c in entry["signed_amounts"]]
        return ([str(entry["articles"]), str(entry["policies"]), str(entry["leads"]), str(entry["signed"])],
                [entry["signed_amounts"][c] for c in currencies])

    assert [c[0] for c in groups[0]][:5] == ["地区", "文章", "政策", "线索", "签约"]
    for row, entry in zip(groups[1:], [*data["groups"], {**data["total"], "label": "合计"}]):
        assert row[0][0] == entry["label"]
        numbers, money = counts_of(entry)
        assert [c[0] for c in row[1:5]] == numbers, row
        assert amounts(row[5:]) == money, row
        assert len(row) == 7 and row[5][0] == " ".join(format_amount(value, currency) if value else "0"
                                                       for currency, value in entry["signed_amounts"].items())
        assert row[6][0] == str(entry["sites"])  # the sites on offer
    assert len(groups) == len(data["groups"]) + 2
    stages = data["funnel"]["stages"]
    total = data["funnel"]["total"]
    assert [[c[0] for c in row] for row in funnel[1:]] == [
        [s["label"], str(s["count"]), str(s["reached"]), f"{s['reached'] / total:.0%}"] for s in stages
    ] + [["已流失", str(data["funnel"]["lost"]), "", f"{data['funnel']['lost'] / total:.0%}"]]
    assert len(trend) == len(data["trend"]) + 1
    for row, month in zip(trend[1:], data["trend"]):
        numbers, money = counts_of(month)
        assert [c[0] for c in row[:5]] == [month["month"], *numbers]
        assert amounts(row[5:]) == money


def numbers_missing(data: dict, text: str, data_values: set[str]) -> list[str]:
    """Every number of the JSON report that the page does not show: counts as numbers in
    its text, amounts as <data> values (and, when not 0, as 万元/亿元 in the text), the
    conversion as a percentage."""
    tokens = set(re.findall(r"\d+", text))
    missing = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, (*path, key))
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(inner, (*path, i))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            where = "/".join(map(str, path))
            if path[-1] == "conversion":
                if f"{value:.1%}" not in text:
                    missing.append(where)
            elif path[-1] == "signed_amount" or (len(path) > 1 and path[-2] == "signed_amounts"):
                currency = path[-1] if path[-2] == "signed_amounts" else "CNY"
                if str(value) not in data_values or (value and format_amount(value, currency) not in text):
                    missing.append(where)
            elif str(value) not in tokens:
                missing.append(where)

    walk(data, ())
    return missing


def test_report_page_holds_the_numbers_of_the_json_report(examples):
    page = Page(html_report(examples))
    data = report_json(examples)
    check_report_tables(page.tables, data)
    values = {v for _, attrs in page.tags if _ == "data" for v in [attrs.get("value")] if v is not None}
    assert numbers_missing(data, page.all_text, values) == []
    text = page.all_text
    assert "招商报告 · 天津市 · 2025-07" in text and "天津市（120000）" in text
    assert "2025-07-01 至 2025-07-31" in text and "生成时间" in text
    assert "转化率（新线索→签约）：23.1%，共 13 条线索" in text


def test_charts_label_every_number_they_draw(examples):
    page = Page(html_report(examples))
    data = report_json(examples)
    assert len(page.charts) == 3
    bars, funnel, trend = page.charts
    # bars: the legend, then per group its label and a number per kind
    expected = ["文章", "政策", "线索"]  # sites have no date: counted in the table, not drawn
    for group in data["groups"]:
        expected += [group["label"], str(group["articles"]), str(group["policies"]), str(group["leads"])]
    assert bars == expected
    for stage in data["funnel"]["stages"]:
        assert stage["label"] in funnel
        assert f"{stage['reached']} 条到达 · {stage['reached'] / data['funnel']['total']:.0%}" in funnel
        assert f"当前 {stage['count']} 条" in funnel
    assert "已流失 1 条（8%）" in funnel and "转化率（新线索→签约）：23.1%，共 13 条线索" in funnel
    for kind in ("articles", "policies", "leads"):
        label = {"articles": "文章", "policies": "政策", "leads": "线索"}[kind]
        at = trend.index(label)
        assert trend[at + 1:at + 1 + len(data["trend"])] == [str(m[kind]) for m in data["trend"]]
    assert trend[-7:] == ["2月", "2025年", "3月", "4月", "5月", "6月", "7月"]


# signed deals in six currencies and a company name longer than a phone is wide
CURRENCY_LEADS = [
    {"kind": "lead", "company": "美联精工", "phone": "13800000001", "region": "武清", "date": "2025-07-03",
     "amount": "约5000万美元", "status": "signed"},
    {"kind": "lead", "company": "欧德机械", "phone": "13800000002", "region": "西青", "date": "2025-07-04",
     "amount": "300万欧元", "status": "signed"},
    {"kind": "lead", "company": "港丰贸易", "phone": "13800000003", "region": "天津 和平区", "date": "2025-07-05",
     "amount": "2000万港元", "status": "signed"},
    {"kind": "lead", "company": "日新电子", "phone": "13800000004", "region": "滨海新区", "date": "2025-07-06",
     "amount": "10亿日元", "status": "signed"},
    {"kind": "lead", "company": "英华制药", "phone": "13800000005", "region": "武清", "date": "2025-07-07",
     "amount": "1-2亿元", "status": "signed"},
    {"kind": "lead", "company": "内蒙古自治区呼和浩特市超长名称新材料科技股份有限公司天津分公司",
     "phone": "13800000006", "region": "东丽", "date": "2025-07-08", "amount": "100万英镑", "status": "signed"},
]


def add_currency_leads(cli, tmp_path) -> None:
    batch = tmp_path / "currencies.jsonl"
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CURRENCY_LEADS), "utf-8")
    cli("import", str(batch))


def test_amounts_in_several_currencies_share_a_cell_and_keep_their_values(examples, tmp_path):
    add_currency_leads(examples, tmp_path)
    page = Page(html_report(examples))
    data = report_json(examples)
    assert set(data["total"]["signed_amounts"]) == {"CNY", "USD", "EUR", "HKD", "JPY", "GBP"}
    check_report_tables(page.tables, data)
    values = {attrs.get("value") for tag, attrs in page.tags if tag == "data"}
    assert numbers_missing(data, page.all_text, values) == []
    total = page.tables[0][-1]
    assert total[5][0] == "9亿元 5000万美元 300万欧元 2000万港元 10亿日元 100万英镑"
    assert "注：1 条已签约线索的投资额为区间，签约金额按区间下限计。" in page.all_text
    assert "注：签约金额按币种分列，未作汇率换算。" in page.all_text
    for label in ("签约金额", "美元签约额", "欧元签约额", "港元签约额", "日元签约额", "英镑签约额"):
        assert label in page.all_text  # a key figure each


def test_signed_deals_and_overdue_follow_ups_are_what_list_gives(examples):
    from datetime import date

    from zhaoshang_cli.domain import dates

    page = Page(html_report(examples))
    deals, overdue = page.tables[3:5]
    signed = examples.json("list", "leads", "--region", "天津", "--month", "2025-07", "--status", "signed",
                           "--sort", "date")
    assert [[c[0] for c in row[:1] + row[2:]] for row in deals[1:]] == [
        [lead["company"], format_amount(lead["amount"], lead["currency"]), lead["date"]] for lead in signed]
    assert [row[1][0].split("·")[0] for row in deals[1:]] == [lead["region"] for lead in signed]
    assert deals[2][1][0] == "静海区·子牙经开区"  # a zone beside its district, as tables show it
    assert len(deals) - 1 == report_json(examples)["total"]["signed"] == 3
    late = examples.json("list", "leads", "--region", "天津", "--due-before", "today", "--sort", "due")
    assert len(late) >= 5
    today = dates.today()
    assert [row[0][0] for row in overdue[1:]] == [lead["company"] for lead in late]
    for row, lead in zip(overdue[1:], late):
        assert row[-1][0] == f"{lead['due']} 逾期 {(today - date.fromisoformat(lead['due'])).days} 天"
    assert f"逾期未跟进（截至 {today.isoformat()}，{len(late)} 条）" in page.all_text
    # contact data is not part of a report, masked or not
    for lead in examples.json("list", "leads", "--reveal"):
        for value in (lead["phone"], lead["email"], lead["contact"]):
            assert not value or value not in page.all_text


def test_the_page_is_self_contained_and_forbids_scripts(examples):
    source = html_report(examples)
    page = Page(source)
    assert source.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    policy = page.meta("Content-Security-Policy")
    first_meta = [attrs for tag, attrs in page.tags if tag == "meta"][:2]
    assert first_meta[0] == {"charset": "utf-8"} and first_meta[1].get("http-equiv") == "Content-Security-Policy"
    directives = dict((d.split()[0], d.split()[1:]) for d in policy.split(";"))
    assert directives["default-src"] == ["'none'"] and directives["script-src"] == ["'none'"]
    digest = base64.b64encode(hashlib.sha256(page.style.encode("utf-8")).digest()).decode()
    assert directives["style-src"] == [f"'sha256-{digest}'"]  # the one style sheet, and no other
    assert page.meta("viewport") == "width=device-width, initial-scale=1"
    # nothing to fetch: no script, link, image, frame, web font or imported style; references inside the page only
    assert {tag for tag, _ in page.tags} <= ELEMENTS
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") or name in ("src", "srcset", "style") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").strip(), (tag, attrs)
    assert not re.search(r"@import|@font-face|url\((?!#)", source)
    ids = {f"#{attrs['id']}" for _, attrs in page.tags if "id" in attrs}
    assert set(re.findall(r"url\((#[\w-]+)\)", source)) <= ids
    assert "http://" not in source.replace("http://www.w3.org/2000/svg", "") and "https://" not in source
    # Chinese type from the system's fonts; A4 and page breaks for print
    assert '"PingFang SC"' in page.style and '"Microsoft YaHei"' in page.style and '"Noto Sans CJK SC"' in page.style
    assert "@page{size:A4" in page.style and "section+section{break-before:page}" in page.style
    assert "figure:not(.parts)" in page.style and "break-inside:avoid" in page.style


@pytest.fixture
def hostile(cli, tmp_path):
    """A store whose records carry markup: an article titled <script>, a signed lead and an
    overdue one named like an attribute injection."""
    rows = [
        {"kind": "article", "title": SCRIPT_TITLE, "region": "武清", "date": "2025-07-10",
         "body": "第一段 <b>粗体</b>\n\n第二段 <script>alert(3)</script>\n第三段 \"><img src=x onerror=alert(4)>",
         "source": "<script>alert(5)</script>", "tags": ["<i>x</i>"]},
        {"kind": "lead", "company": IMG_COMPANY, "phone": "13812345678", "region": "天津 和平区", "date": "2025-07-05",
         "amount": "5000万元", "status": "signed", "industry": "<script>alert(6)</script>"},
        {"kind": "lead", "company": SCRIPT_TITLE, "phone": "13812345679", "region": "武清", "date": "2025-07-06",
         "amount": "1.2亿元", "status": "contacted", "due": "2025-07-20", "need": "<b>x</b>"},
    ]
    batch = tmp_path / "hostile.jsonl"
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    cli("import", str(batch))
    return cli


HOSTILE_PAGES = {
    "report": ("report", "--region", "天津", "--month", "2025-07", "--format", "html"),
    "show article": ("show", "a1", "--format", "html"),
    "show lead": ("show", "l2", "--format", "html"),
    "list articles": ("list", "articles", "--format", "html"),
    "list leads": ("list", "leads", "--format", "html"),
    "filter": ("filter", "--format", "html"),
}


@pytest.mark.parametrize("name", HOSTILE_PAGES)
def test_markup_in_records_is_shown_as_text(hostile, name):
    source = hostile(*HOSTILE_PAGES[name]).stdout
    page = Page(source)
    assert {tag for tag, _ in page.tags} <= ELEMENTS  # no <script>, no <img>, no <b> or <i> from data
    assert not any(n.startswith("on") for _, attrs in page.tags for n in attrs)
    assert SCRIPT_TITLE in page.all_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    if name in ("report", "list leads", "filter"):
        assert IMG_COMPANY in page.all_text
        assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in source


def test_show_writes_markup_in_the_body_as_text(hostile):
    text = Page(hostile("show", "a1", "--format", "html").stdout).all_text
    for part in ("第一段 <b>粗体</b>", "第二段 <script>alert(3)</script>", '第三段 "><img src=x onerror=alert(4)>',
                 "<script>alert(5)</script>", "<i>x</i>"):
        assert part in text


def test_show_writes_the_fields_and_the_body_in_paragraphs(examples):
    source = examples("show", "a1", "--format", "html").stdout
    record = examples.json("show", "a1")
    body = [line.strip() for line in record["body"].splitlines() if line.strip()]
    found = re.search(r'<div class="body">\n(.*?)</div>', source, re.S).group(1)
    assert re.findall(r"<p>(.*?)</p>", found) == body and len(body) >= 2
    shown = Page(source).all_text
    for value in (record["title"], record["date"], "天津市武清区 (120114)", record["source"]):
        assert value in shown
    assert f'<a href="{record["url"]}" rel="noopener noreferrer">' in source
    lead = examples("show", "l1", "--format", "html")
    assert "138****1234" in lead.stdout and "13820011234" not in lead.stdout and "--reveal" in lead.stderr
    assert "跟进记录" in lead.stdout and "洽谈中" in lead.stdout
    assert "13820011234" in examples("show", "l1", "--format", "html", "--reveal").stdout


def test_list_is_a_whole_table_of_the_kind_columns_masked(examples):
    result = examples("list", "leads", "--region", "天津", "--format", "html")
    page = Page(result.stdout)
    [table] = page.tables
    assert [c[0] for c in table[0]] == ["编号", "企业名称", "联系人", "电话", "地区", "投资额", "需求", "状态",
                                        "负责人", "下次跟进"]
    ids = examples("list", "leads", "--region", "天津", "--format", "ids").stdout.split()
    assert [row[0][0] for row in table[1:]] == ids
    companies = {lead["id"]: lead["company"] for lead in examples.json("list", "leads")}
    assert [row[1][0] for row in table[1:]] == [companies[i] for i in ids]  # nothing cut
    assert "13820011234" not in result.stdout and "138****1234" in result.stdout and "--reveal" in result.stderr
    assert f"共 {len(ids)} 条" in page.all_text and "线索列表" in page.all_text
    assert "逾期" in page.all_text
    empty = Page(examples("list", "articles", "--region", "北京", "--text", "不存在的词", "--format", "html").stdout)
    assert "没有符合条件的记录。" in empty.all_text and not empty.tables


@pytest.mark.parametrize("args", [("report", "--by", "status"), ("report", "--by", "month", "--region", "武清"),
                                  ("report", "--by", "industry"), ("report", "--by", "kind"), ("report",),
                                  ("report", "--region", "北京", "--on", "2024")])
def test_other_groupings_and_empty_reports_render(examples, args):
    source = html_report(examples, *args)
    page = Page(source)
    assert {tag for tag, _ in page.tags} <= ELEMENTS
    data = report_json(examples, *args)
    assert page.tables[0][-1][0][0] == "合计"
    assert len(page.tables[0]) == len(data["groups"]) + 2
    if not data["groups"]:
        assert "本期没有记录。" in page.all_text


def test_an_empty_store_gives_a_page_and_a_missing_one_an_error(cli):
    for args in (["report", "--format", "html"], ["list", "leads", "--format", "html"], ["show", "a1", "-f", "html"]):
        result = cli(*args, ok=False)
        assert result.exit_code == 1 and result.stdout == "", args
        assert result.stderr.startswith(f"error: no store at {cli.db}"), (args, result.stderr)
    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    cli("rm", "a1", "--yes")
    page = Page(html_report(cli))
    assert "本期没有记录。" in page.all_text and "本期没有签约项目。" in page.all_text


# -- the charts on their own -----------------------------------------------------------------
def test_bar_charts_of_many_rows_come_in_parts_each_with_one_scale():
    rows = [(f"第{i}区", [i, i % 3, 0]) for i in range(1, 41)]
    parts = svg.bars("c", "图", rows, ["文章", "政策", "线索"])
    assert len(parts) == 3
    first = [float(w) for part in parts for w in re.findall(r'width="([\d.]+)" height="11" fill="#1f5fa8"', part)]
    assert len(first) == 40 and all(w == pytest.approx(first[-1] * (i + 1) / 40, abs=0.06) for i, w in enumerate(first))
    labels = [t for part in parts for t in Page(part).charts[0]]
    assert all(f"第{i}区" in labels for i in range(1, 41))
    long = svg.bars("c", "图", [("内蒙古自治区呼和浩特市赛罕区", [1])], ["文章"])[0]
    assert re.search(r">内蒙古自治区\w*…</text>", long) and "<title>内蒙古自治区呼和浩特市赛罕区</title>" in long


def test_long_trends_are_drawn_by_quarter_then_by_year():
    months = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(30)]
    unit, keys, [sums] = svg.buckets(months, [[1] * 30])
    assert unit == "quarter" and keys[0] == "2020Q1" and keys[-1] == "2022Q2" and sums == [3] * 10
    months = [f"{2000 + m // 12}-{m % 12 + 1:02d}" for m in range(100)]
    unit, keys, [sums] = svg.buckets(months, [list(range(100))])
    assert unit == "year" and keys[:2] == ["2000", "2001"] and sum(sums) == sum(range(100))
    assert svg.buckets(months[:24], [[0] * 24])[0] == "month"
    drawn = svg.trend("t", "图", months[:24], [("文章", list(range(24)))])
    assert [str(n) for n in range(24)] == Page(drawn).charts[0][1:25]


# -- report --open ---------------------------------------------------------------------------
@pytest.fixture
def browser_script(tmp_path):
    """A stand-in browser: writes the path it was given, and its mode, to a file."""
    seen = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f"#!{sys.executable}\nimport os, sys\n"
                      f"open({str(seen)!r}, 'w')"
                      ".write(sys.argv[1] + ' ' + oct(os.stat(sys.argv[1]).st_mode & 0o777))\n")
    script.chmod(0o755)
    return script, seen


def test_open_writes_a_temporary_page_and_opens_it(examples, browser_script, tmp_path, monkeypatch):
    script, seen = browser_script
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = examples(*REPORT, "--open", env={"BROWSER": str(script)})
    for _ in range(200):
        if seen.exists() and seen.read_text().strip():
            break
        time.sleep(0.05)
    path, mode = seen.read_text().split()
    assert Path(path).parent == tmp_path and path.endswith(".html") and mode == "0o600"
    assert f"report written to {path} and opened" in result.stderr and result.stdout == ""
    assert Page(Path(path).read_text("utf-8")).tables[0][-1][1][0] == "20"
    # with -o the page goes there
    out = tmp_path / "周报.html"
    examples(*REPORT, "--open", "-o", str(out), env={"BROWSER": f"{script} %s"})
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_open_without_an_opener_says_where_the_page_is(examples, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = examples(*REPORT, "--open", env={"BROWSER": "", "PATH": str(empty)})
    [written] = tmp_path.glob("zhaoshang-report-*.html")
    assert "no program to open it was found" in result.stderr and str(written) in result.stderr
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_open_is_for_html_and_bad_input_is_one_line(examples, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = examples(*REPORT, "--format", "csv", "--open", ok=False)
    assert result.exit_code == 2 and "--open" in result.stderr and "Traceback" not in result.stderr
    assert examples(*REPORT, "--format", "html", "--open", env={"BROWSER": "true"}).exit_code == 0
    result = examples("show", "a1", "--format", "pdf", ok=False)
    assert result.exit_code == 2 and "html" in result.stderr
    result = examples(*REPORT, "--format", "html", "-o", str(tmp_path / "no" / "such" / "dir.html"), ok=False)
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert len(list(tmp_path.glob("zhaoshang-report-*"))) == 1  # the one opened above; none left by the failure


def test_open_leaves_no_temporary_page_when_the_report_fails(examples, tmp_path, monkeypatch):
    from zhaoshang_cli.errors import UserError
    from zhaoshang_cli.service import reports

    def broken(*args, **kwargs):
        raise UserError("the store went away")

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(reports, "follow_ups", broken)
    result = examples(*REPORT, "--open", env={"BROWSER": "true"}, ok=False)
    assert result.exit_code == 1 and result.stderr == "error: the store went away\n"
    assert list(tmp_path.glob("zhaoshang-report-*")) == []


def test_the_readme_shows_the_screenshots_the_browser_test_makes():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    for name, width in (("report.png", 900), ("report-phone.png", 375)):
        assert f'<img src="docs/{name}"' in readme
        data = (ROOT / "docs" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < README_PNG_LIMIT, name
        assert int.from_bytes(data[16:20], "big") == width, name


def test_help_imports_no_html_module():
    probe = ("import sys\nfrom zhaoshang_cli.cli.app import main\nsys.argv = ['zhaoshang', 'report', '--help']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print([m for m in sys.modules if m.startswith('zhaoshang_cli.io.exporters.html') or m == 'html'])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    assert "--open" in result.stdout and "html" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


def test_source_date_epoch_fixes_the_time_a_page_says_it_was_made(examples):
    import datetime as dt

    fixed = {"SOURCE_DATE_EPOCH": "1751328000"}  # 2025-07-01 00:00 UTC
    shown = dt.datetime.fromtimestamp(1751328000).astimezone().strftime("%Y-%m-%d %H:%M")
    pages = [examples(*args, "--format", "html", env=fixed).stdout
             for args in (["report", "-r", "天津"], ["show", "a1"], ["list", "articles"])]
    assert shown.startswith(("2025-06-30", "2025-07-01")) and all(shown in page for page in pages)
    assert examples("show", "a1", "--format", "html", env=fixed).stdout == pages[1]
