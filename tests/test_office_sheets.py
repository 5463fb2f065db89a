"""Issue 24: office sheets as district offices write them — the sheet that holds the records,
headers with their units, values not known yet, rejects to fix, changed rows named."""

import csv
import io
import json

import openpyxl
import pytest

from zhaoshang_cli.io.importers.columns import Headers
from zhaoshang_cli.io.importers.page import is_notice

YI, WAN = 100_000_000, 10_000
HEADER = ["序号", "项目名称", "企业名称", "对接人", "联系方式", "意向区县", "总投资（万元）", "所属行业", "需求",
          "来源", "负责人", "备注"]
ROWS = [
    [1, "新能源电池项目", "天津甲新能源有限公司", "张经理", "13820011234（微信同号）", "武清区", 5000, "新能源",
     "厂房租赁", "展会", "王磊", ""],
    [2, "生物医药研发中心", "香港乙生物科技有限公司", "陈先生", "+852 2123 4567", "滨海新区", "面议", "生物医药",
     "买地自建", "来电", "李娜", "港资"],
    [3, "智能制造基地", "丙智能装备有限公司", "刘总", "022-23456789转801", "西青区", 20000, "智能制造", "买地自建",
     "网站", "王磊", ""],
    [4, "半导体封测", "台湾丁电子股份有限公司", "林小姐", "+886 2 2345 6789", "东丽区", "10亿元以上", "集成电路",
     "标准厂房", "推介会", "赵强", ""],
    [5, "冷链物流中心", "戊物流有限公司", "周主任", "13900001111/022-23456789", "宝坻区", "待定", "物流", "仓库",
     "朋友介绍", "李娜", "两个号码"],
]


def office_workbook(path, *, active=1, rows=ROWS):
    """An instructions sheet first, then the ledger under a merged title row, and a 合计 row."""
    book = openpyxl.Workbook()
    guide = book.active
    guide.title = "填表说明"
    guide["A1"] = "填表说明"
    guide["A2"] = "1. 总投资单位为万元；未确定的填“面议”或“待定”。"
    guide["A3"] = "2. 联系方式可填手机或座机，多个号码用“/”分隔。"
    sheet = book.create_sheet("线索台账")
    sheet["A1"] = "2026年第四季度招商线索台账"
    sheet.merge_cells("A1:L1")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    sheet.append(["合计", None, None, None, None, None, 25000, None, None, None, None, None])
    book.active = active
    book.save(path)
    return str(path)


def by_company(cli):
    return {lead["company"]: lead for lead in cli.json("list", "leads", "--reveal")}


@pytest.mark.backends
@pytest.mark.parametrize("active", [0, 1], ids=["opens-at-instructions", "opens-at-ledger"])
def test_the_office_workbook_imports_with_no_option_but_in(cli, tmp_path, active):
    result = cli("import", office_workbook(tmp_path / "台账.xlsx", active=active), "--in", "天津")
    assert "5 added" in result.stderr and "0 invalid" in result.stderr
    assert "unknown column" not in result.stderr  # 项目名称 is kept quietly, 序号 left out
    assert "1 total row(s)" in result.stderr
    assert "2 row(s) with an amount not known yet" in result.stderr
    assert "1 row(s) with more than one phone number" in result.stderr
    leads = by_company(cli)
    first = leads["天津甲新能源有限公司"]
    assert first["amount"] == 5000 * WAN and first["contact"] == "张经理" and first["owner"] == "王磊"
    assert first["region"] == "武清区" and first["industry"] == "新能源"
    assert first["phone"] == "13820011234" and first["extra"]["电话备注"] == "微信同号"
    assert first["extra"]["项目名称"] == "新能源电池项目" and "序号" not in first["extra"]
    assert leads["丙智能装备有限公司"]["amount"] == 2 * YI
    assert leads["丙智能装备有限公司"]["phone"] == "022-23456789-801"
    hk = leads["香港乙生物科技有限公司"]
    assert hk["amount"] is None and hk["extra"]["投资额"] == "面议" and hk["phone"].startswith("+852")
    tw = leads["台湾丁电子股份有限公司"]
    assert (tw["amount"], tw["amount_at_least"]) == (10 * YI, True) and tw["phone"].startswith("+886")
    cold = leads["戊物流有限公司"]
    assert cold["phone"] == "13900001111" and cold["extra"]["其他电话"] == "022-23456789"
    assert cold["extra"]["投资额"] == "待定"
    assert "10亿元以上" in cli("list", "leads").stdout


def test_a_workbook_without_records_names_its_sheets_and_rows(cli, tmp_path):
    path = office_workbook(tmp_path / "空.xlsx", rows=[])
    book = openpyxl.load_workbook(path)
    book["线索台账"].delete_rows(3, 5)  # the 合计 row too: a header alone
    book.save(path)
    result = cli("import", path, "--in", "天津", ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "no records in sheet '线索台账'" in result.stderr
    assert "1 填表说明 (3 rows), 2 线索台账 (2 rows)" in result.stderr
    assert not cli.exists()
    result = cli("import", path, "--sheet", "2", ok=False)
    assert result.exit_code == 1 and "1 填表说明 (3 rows)" in result.stderr


@pytest.mark.parametrize("header,cell,amount", [
    ("投资额(万元)", 5000, 5000 * WAN),
    ("总投资（亿元）", "1.5", 150_000_000),
    ("计划投资(万美元)", 300, 300 * WAN),
    ("投资总额（单位：万元）", "5000-8000", 5000 * WAN),
    ("总投资（万元）", "约5000", 5000 * WAN),
    ("总投资（万元）", "2亿元", 2 * YI),  # a value with its own unit keeps it
    ("投资额", 5000, 5000),  # no unit in the header: yuan, as before
])
def test_a_unit_in_the_header_applies_to_bare_numbers(cli, tmp_path, header, cell, amount):
    path = tmp_path / "单位.csv"
    path.write_text(f"企业名称,联系电话,{header}\n某公司,13800000000,{cell}\n", "utf-8")
    cli("import", str(path))
    assert cli.json("show", "l1")["amount"] == amount
    if "美元" in header:
        assert cli.json("show", "l1")["currency"] == "USD"


def test_headers_offices_use_and_mappings_of_ones_they_invent(cli, tmp_path):
    headers = Headers()
    assert [headers.field(h) for h in ("对接人", "联络人", "意向区县", "所在区县", "落地区域", "所属行业", "总投资",
                                       "投资总额", "计划投资", "负责人", "跟进人", "招商专员", "序号")] == [
        "contact", "contact", "region", "region", "region", "industry", "amount", "amount", "amount", "owner",
        "owner", "owner", "-"]
    path = tmp_path / "自定义.csv"
    path.write_text("客户,手机,客户经理,落户意向\n某公司,13800000000,王磊,武清\n", "utf-8")
    dry = cli("import", str(path), "--map", "客户=company", "--map", "客户经理=负责人", "--map", "落户意向=region",
              "--dry-run")
    assert "客户 → company" in dry.stderr and "客户经理 → owner" in dry.stderr and "手机 → phone" in dry.stderr
    assert dry.stderr.index("columns read as") < dry.stderr.index("dry run, nothing written")
    assert not cli.exists()
    cli("config", "set", "map.客户经理", "owner")
    cli("config", "set", "map.客户", "company")
    assert "map.客户经理  owner" in cli("config").stdout
    cli("import", str(path), "--map", "落户意向=region")
    lead = cli.json("show", "l1")
    assert (lead["company"], lead["owner"], lead["region"]) == ("某公司", "王磊", "武清区")
    bad = cli("import", str(path), "--map", "客户=nonsense", ok=False)
    assert bad.exit_code == 2 and "unknown field 'nonsense'" in bad.stderr
    bad = cli("import", str(path), "--map", "客户", ok=False)
    assert bad.exit_code == 2 and "give HEADER=FIELD" in bad.stderr
    left_out = cli("import", str(path), "--map", "客户经理=-", "--dry-run")
    assert "客户经理 → (left out)" in left_out.stderr


@pytest.mark.backends
@pytest.mark.parametrize("written,low,shown", [
    ("10亿元以上", 10 * YI, "10亿元以上"),
    ("不低于5亿", 5 * YI, "5亿元以上"),
    ("5000万元及以上", 5000 * WAN, "5000万元以上"),
])
def test_a_lower_bound_is_kept_as_one(cli, tmp_path, written, low, shown):
    cli("add", "lead", "--company", "某公司", "--phone", "13800000000", "--amount", written)
    lead = cli.json("show", "l1")
    assert (lead["amount"], lead["amount_high"], lead["amount_at_least"]) == (low, None, True)
    assert shown in cli("show", "l1").stdout
    exported = cli("export", "leads", "--format", "csv").stdout
    cli("rm", "l1", "--yes")
    path = tmp_path / "back.csv"
    path.write_text(exported, "utf-8")
    cli("import", str(path))
    assert cli.json("show", "l2")["amount_at_least"] is True


def _gb_csv(path, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["企业名称", "联系人", "联系电话", "意向地区", "投资额"])
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("gb18030"))
    return str(path)


@pytest.mark.backends
def test_rejects_come_back_in_the_inputs_format_and_encoding_and_complete_the_batch(cli, tmp_path):
    source = _gb_csv(tmp_path / "线索.csv", [
        ["甲公司", "张三", "13800000001", "武清", "5000万"],
        ["乙公司", "李四", "1380000", "武清", "1亿"],  # a phone too short
        ["丙公司", "王五", "13800000003", "天律", "2亿"],  # a region nobody knows
        ["丁公司", "赵六", "13800000004", "西青", "3000万"],
    ])
    rejects = tmp_path / "退回.csv"
    result = cli("import", source, "--in", "天津", "--skip-invalid", "--rejects", str(rejects))
    assert "2 added" in result.stderr and "2 invalid" in result.stderr
    assert f"2 refused row(s) written to {rejects}" in result.stderr
    text = rejects.read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["企业名称", "联系人", "联系电话", "意向地区", "投资额", "错误"]
    assert [r[0] for r in rows[1:]] == ["乙公司", "丙公司"]
    assert "phone" in rows[1][5] and "天律" in rows[2][5]
    with pytest.raises(UnicodeDecodeError):
        rejects.read_bytes().decode("utf-8")
    fixed = text.replace("1380000,", "13800000002,").replace("天律", "天津")
    rejects.write_bytes(fixed.encode("gb18030"))
    cli("import", str(rejects), "--in", "天津")
    assert sorted(lead["company"] for lead in cli.json("list", "leads")) == ["丁公司", "丙公司", "乙公司", "甲公司"]
    assert "错误" not in json.dumps(cli.json("list", "leads"), ensure_ascii=False)


def test_rejects_of_a_workbook_are_a_workbook(cli, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[2][4] = "12345"  # not a phone
    source = office_workbook(tmp_path / "台账.xlsx", rows=rows)
    rejects = tmp_path / "退回.xlsx"
    cli("import", source, "--in", "天津", "--skip-invalid", "--rejects", str(rejects))
    sheet = openpyxl.load_workbook(rejects).active
    values = list(sheet.values)
    assert list(values[0]) == [*HEADER, "错误"]  # the columns as they were, and one more
    assert values[1][2] == "丙智能装备有限公司" and values[1][0] == 3 and "phone" in values[1][-1]


def test_rejects_is_refused_before_anything_is_read_when_it_cannot_work(cli, tmp_path):
    source = _gb_csv(tmp_path / "线索.csv", [["甲公司", "张三", "13800000001", "武清", "5000万"]])
    result = cli("import", source, "--rejects", str(tmp_path / "r.csv"), ok=False)
    assert result.exit_code == 2 and "--skip-invalid" in result.stderr
    result = cli("import", source, "--skip-invalid", "--rejects", source, ok=False)
    assert result.exit_code == 2 and "one of the files being imported" in result.stderr
    assert not cli.exists()


@pytest.mark.backends
def test_a_reimport_names_the_rows_that_differ(cli, tmp_path):
    path = tmp_path / "线索.csv"
    path.write_text("企业名称,联系电话,行业,负责人\n甲公司,13800000001,装备,王磊\n"
                    "乙公司,13800000002,物流,李娜\n", "utf-8")
    cli("import", str(path))
    again = cli("import", str(path))
    assert "0 added, 0 updated, 2 unchanged" in again.stderr and "differ" not in again.stderr
    path.write_text("企业名称,联系电话,行业,负责人\n甲公司,13800000001,智能装备,王磊\n"
                    "乙公司,13800000002,物流,李娜\n", "utf-8")
    changed = cli("import", str(path))
    assert "1 unchanged, 0 invalid; 1 differ" in changed.stderr
    assert "1 row(s) differ from their stored record (l1)" in changed.stderr
    assert "--on-conflict update applies them" in changed.stderr
    assert cli.json("show", "l1")["industry"] == "装备"
    cli("import", str(path), "--on-conflict", "update")
    assert cli.json("show", "l1")["industry"] == "智能装备"


def test_a_masked_listing_is_refused_once_with_a_hint(cli, tmp_path):
    cli("add", "lead", "--company", "甲公司", "--phone", "13800000001")
    cli("add", "lead", "--company", "乙公司", "--phone", "13800000002")
    listing = tmp_path / "list.csv"
    listing.write_text(cli("list", "leads", "--format", "csv").stdout, "utf-8")
    stored = cli.state()
    result = cli("import", str(listing), ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "masked" in result.stderr and "zhaoshang export" in result.stderr
    assert cli.state() == stored


@pytest.mark.parametrize("title,policy", [
    ("【武清招商】武清区推进智能制造高质量发展行动方案", False),
    ("【武清招商】签约仪式在武清举行", False),
    ("【武清招商】天津市武清区人民政府关于印发促进投资若干措施的通知", True),
    ("【武清招商】武清区招商引资奖励办法", True),
    ("【武清招商】武清区人民政府办公室关于加快发展的意见", True),
    ("天津市促进投资行动方案", True),
])
def test_a_promotion_tagged_page_is_an_article_unless_it_reads_as_an_official_document(title, policy):
    assert is_notice(title) is policy
