"""Issue 27: sites (载体) — a fourth kind declared in one module, areas and prices as offices
quote them, `match` between leads, sites and policies, and sites in the report."""

import json
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT

from zhaoshang_cli.domain.measures import area_text, parse_area, parse_price, price_text
from zhaoshang_cli.errors import FieldError

pytestmark = pytest.mark.backends

HEADER = ["载体名称", "类型", "所在区域", "面积", "价格", "可入驻时间", "状态", "适合产业", "联系人", "联系电话"]
SITES = [
    ["武清开发区标准厂房A栋", "标准厂房", "武清区", "5200平方米", "1.2元/㎡/天", "2026-01-01", "可租",
     "生物医药,智能制造", "王经理", "13820011234"],
    ["武清开发区标准厂房B栋", "厂房", "武清区", "5000㎡", "25元/㎡/月", "2026-03-01", "已占用", "生物医药", "王经理",
     "13820011234"],
    ["京津科技谷地块", "土地", "武清区", "50亩", "80万元/亩", "2026-06-01", "可售", "生物医药", "李主任",
     "13900001111"],
    ["西青定制厂房", "定制厂房", "西青区", "4800㎡", "面议", "2026-02-01", "可租", "生物医药", "赵科长", "13700002222"],
    ["武清小厂房", "标准厂房", "武清区", "800㎡", "20元/㎡/月", "2026-01-01", "可租", "物流", "王经理", "13820011234"],
    ["滨海写字楼", "写字楼", "滨海新区", "1.2万平方米", "3.5元/㎡/天", "2026-01-01", "可租", "金融", "孙女士",
     "13600003333"],
]


def sites_sheet(path: Path) -> str:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "载体台账"
    sheet.append(HEADER)
    for row in SITES:
        sheet.append(row)
    book.save(path)
    return str(path)


@pytest.mark.parametrize("written,square_metres", [
    ("5000㎡", 5000), ("5000平方米", 5000), ("5000平米", 5000), ("1.2万平方米", 12000), ("50亩", 33333),
    ("3公顷", 30000), ("5000", 5000), ("5,000 m2", 5000),
])
def test_an_area_is_kept_in_square_metres_beside_its_words(written, square_metres):
    assert parse_area(written) == {"area": square_metres, "area_as_written": written}


@pytest.mark.parametrize("written,price,unit", [
    ("80万元/亩", 1200.0, "元/㎡"), ("4500元/㎡", 4500.0, "元/㎡"), ("25元/㎡/月", 25.0, "元/㎡/月"),
    ("1.2元/㎡/天", 36.0, "元/㎡/月"), ("1.2元/平方米/天", 36.0, "元/㎡/月"), ("360元/㎡/年", 30.0, "元/㎡/月"),
])
def test_a_price_is_kept_per_square_metre_beside_its_words(written, price, unit):
    assert parse_price(written) == {"price": price, "price_unit": unit, "price_as_written": written}


def test_words_not_a_measure_are_refused_and_not_quoted_yet_is_kept():
    for bad in ("很大", "5000吨", "-5㎡"):
        with pytest.raises(FieldError):
            parse_area(bad)
    with pytest.raises(FieldError):
        parse_price("便宜")
    assert parse_price("面议") == {"price_as_written": "面议"}
    assert area_text({"area": 33333, "area_as_written": "50亩"}) == "50亩 (33333㎡)"
    assert price_text({"price": 36.0, "price_unit": "元/㎡/月", "price_as_written": "1.2元/㎡/天"}) == \
        "1.2元/㎡/天 (36元/㎡/月)"


def test_a_sites_sheet_with_chinese_headers_imports_and_shows_quotes_as_written(cli, tmp_path):
    result = cli("import", sites_sheet(tmp_path / "载体.xlsx"), "--in", "天津")
    assert "6 added" in result.stderr and "unknown column" not in result.stderr
    sites = {s["name"]: s for s in cli.json("list", "sites", "--reveal", "--limit", "100")}
    land = sites["京津科技谷地块"]
    assert (land["type"], land["area"], land["area_as_written"], land["price"], land["price_unit"]) == \
        ("土地", 33333, "50亩", 1200.0, "元/㎡")
    plant = sites["武清开发区标准厂房A栋"]
    assert (plant["price"], plant["price_unit"], plant["status"], plant["industries"]) == \
        (36.0, "元/㎡/月", "可租", ["生物医药", "智能制造"])
    assert sites["武清开发区标准厂房B栋"]["type"] == "标准厂房" and sites["西青定制厂房"]["price"] is None
    assert plant["phone"] == "13820011234" and plant["available"] == "2026-01-01"
    table = cli("list", "sites", env={"COLUMNS": "120"}).stdout
    assert "50亩" in table and "1.2元/㎡/天" in table and "138****1234" not in table  # phones are not a column
    shown = cli("show", land["id"]).stdout
    assert "50亩 (33333㎡)" in shown and "80万元/亩 (1200元/㎡)" in shown
    again = cli("import", str(tmp_path / "载体.xlsx"), "--in", "天津")
    assert "0 added" in again.stderr and "6 unchanged" in again.stderr
    exported = tmp_path / "sites.csv"
    cli("export", "sites", "--format", "csv", "-o", str(exported))
    back = cli("import", str(exported))
    assert "6 unchanged" in back.stderr  # the words come back with the numbers


def _office(cli, tmp_path):
    cli("import", sites_sheet(tmp_path / "载体.xlsx"), "--in", "天津")
    lead = cli("add", "lead", "--company", "瑞康生物医药有限公司", "--phone", "13800000077", "--need", "厂房租赁",
               "--area", "5000㎡", "--industry", "生物医药", "--region", "武清").stdout.strip()
    for title, region, expiry in (("武清区支持生物医药产业发展若干措施", "武清", "2030-12-31"),
                                  ("天津市促进生物医药产业高质量发展的政策", "天津", ""),
                                  ("国务院关于支持生物医药创新发展的意见", "全国", ""),
                                  ("武清区过期的生物医药政策", "武清", "2020-12-31"),
                                  ("河北省生物医药产业政策", "河北", ""),
                                  ("武清区物流业扶持办法", "武清", "")):
        args = ["add", "policy", "--title", title, "--region", region, "--date", "2025-06-01"]
        cli(*args, *(["--expiry", expiry] if expiry else []))
    return lead


def test_match_lists_fitting_sites_first_and_the_policies_in_force_with_reasons(cli, tmp_path):
    lead = _office(cli, tmp_path)
    found = json.loads(cli("match", lead, "--format", "json").stdout)
    names = [s["name"] for s in found["sites"]]
    assert names[0] == "武清开发区标准厂房A栋"  # in 武清, about 5000㎡, 生物医药
    assert "武清开发区标准厂房B栋" not in names  # occupied
    assert "京津科技谷地块" not in names and "滨海写字楼" not in names  # land and offices serve other needs
    assert "武清小厂房" not in names  # 800㎡ is far from 5000㎡
    assert "西青定制厂房" in names  # the same city, about that area
    first = found["sites"][0]["reasons"]
    assert {(r["what"], r["ok"]) for r in first} >= {("区域", True), ("面积", True), ("行业", True), ("类型", True)}
    titles = [p["title"] for p in found["policies"]]
    assert set(titles) == {"武清区支持生物医药产业发展若干措施", "天津市促进生物医药产业高质量发展的政策",
                           "国务院关于支持生物医药创新发展的意见"}
    table = cli("match", lead).stdout
    assert "武清开发区标准厂房A栋" in table and "武清区支持生物医药" in table and "面积" in table
    reverse = json.loads(cli("match", "--site", found["sites"][0]["id"], "--format", "json").stdout)
    assert lead in [entry["id"] for entry in reverse["leads"]]


def test_match_refuses_what_it_cannot_match(cli, tmp_path):
    _office(cli, tmp_path)
    assert cli("match", ok=False).exit_code == 2
    wrong = cli("match", "a1", ok=False) if cli("list", "articles", "--format", "count").stdout != "0\n" \
        else cli("match", "p1", ok=False)
    assert wrong.exit_code == 1 and wrong.stderr.count("\n") == 1
    assert cli("match", "l999", ok=False).exit_code == 1


def test_the_report_counts_the_available_sites_per_district(cli, tmp_path):
    _office(cli, tmp_path)
    report = json.loads(cli("report", "--region", "天津", "--format", "json").stdout)
    by_district = {g["label"]: g["sites"] for g in report["groups"]}
    assert by_district["武清区"] == 3 and by_district["西青区"] == 1 and by_district["滨海新区"] == 1
    assert report["total"]["sites"] == 5  # the occupied one is not on offer
    html = cli("report", "--region", "天津", "--format", "html").stdout
    assert "载体" in html


def test_the_site_kind_is_declared_in_one_module():
    package = ROOT / "zhaoshang_cli"
    allowed = {package / "domain" / "site.py", package / "domain" / "kind.py", package / "service" / "matching.py"}
    special = re.compile(r"(?<![\"'])\bSITE\b(?![\"'])|domain\.site\b|from \.site import|kind\.name == .site."
                         r"|KINDS\[.site.\]")
    offenders = [str(p.relative_to(ROOT)) for p in package.rglob("*.py") if p not in allowed
                 and special.search(p.read_text("utf-8"))]
    assert not offenders


def test_every_command_works_on_sites(cli, tmp_path):
    cli("import", sites_sheet(tmp_path / "载体.xlsx"), "--in", "天津")
    first = cli.json("list", "sites", "--sort", "id")[0]["id"]
    cli("edit", first, "--status", "已预订", "--price", "30元/㎡/月")
    edited = cli.json("show", first)
    assert (edited["status"], edited["price"], edited["price_as_written"]) == ("已预订", 30.0, "30元/㎡/月")
    assert cli("list", "sites", "--where", "type=土地", "--format", "count").stdout == "1\n"
    assert cli("list", "sites", "--region", "西青", "--format", "count").stdout == "1\n"
    assert cli("filter", "--region", "武清", "--format", "ids").stdout.count("s") == 4
    assert cli("list", "sites", "--text", "科技谷", "--format", "count").stdout == "1\n"
    for fmt in ("jsonl", "json", "csv", "xlsx"):
        cli("export", "sites", "--format", fmt, "-o", str(tmp_path / f"sites.{fmt}"))
    cli("rm", first, "--yes")
    assert cli("show", first, ok=False).exit_code == 1
    back = cli("import", str(tmp_path / "sites.jsonl"))
    assert "1 added" in back.stderr  # the removed one, under a new ID (IDs are never reused)
    bad = cli("add", "site", "--name", "无面积", "--region", "武清", "--area", "很大", ok=False)
    assert bad.exit_code == 1 and "cannot read '很大' as an area" in bad.stderr and bad.stderr.count("\n") == 1
    assert cli("doctor").exit_code == 0
