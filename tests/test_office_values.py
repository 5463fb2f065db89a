"""Issue 10: amounts, phones, needs and periods as investment-promotion offices write them."""

import csv
import io
import json
import re

import pytest
from conftest import EXAMPLES

from zhaoshang_cli import messages

pytestmark = pytest.mark.backends

YI, WAN = 100_000_000, 10_000


def add_lead(cli, company, phone="13800000000", **fields):
    args = ["add", "lead", "--company", company, "--phone", phone]
    for name, value in fields.items():
        args += [f"--{name}", value]
    return cli(*args).stdout.strip()


def amount_fields(record):
    return {k: record[k] for k in ("amount", "amount_high", "currency", "amount_approx")}


# -- amounts -------------------------------------------------------------------------------
@pytest.mark.parametrize("written,fields,shown", [
    ("5000万美元", (5000 * WAN, None, "USD", False), "5000万美元"),
    ("约2亿元", (2 * YI, None, "CNY", True), "约2亿元"),
    ("1-2亿元", (YI, 2 * YI, "CNY", False), "1–2亿元"),
    ("1亿-2亿元", (YI, 2 * YI, "CNY", False), "1–2亿元"),
    ("1~2亿", (YI, 2 * YI, "CNY", False), "1–2亿元"),
    ("1至2亿元", (YI, 2 * YI, "CNY", False), "1–2亿元"),
    ("五千万元", (5000 * WAN, None, "CNY", False), "5000万元"),
    ("三千五百万元", (3500 * WAN, None, "CNY", False), "3500万元"),
    ("一点二亿", (12 * YI // 10, None, "CNY", False), "1.2亿元"),
    ("300万欧元", (300 * WAN, None, "EUR", False), "300万欧元"),
    ("约合2000万港币", (2000 * WAN, None, "HKD", True), "约2000万港元"),
])
def test_a_lead_keeps_its_amount_as_written(cli, written, fields, shown):
    add_lead(cli, "某公司", amount=written, region="武清")
    lead = cli.json("show", "l1")
    assert amount_fields(lead) == dict(zip(("amount", "amount_high", "currency", "amount_approx"), fields))
    assert shown in cli("list", "leads").stdout
    assert re.search(rf"\n投资额\s+{re.escape(shown)} \(", cli("show", "l1").stdout)


def test_show_gives_the_exact_amount_in_its_currency(cli):
    add_lead(cli, "甲公司", amount="1-2亿美元")
    assert re.search(r"\n投资额\s+1–2亿美元 \(100,000,000–200,000,000 美元\)", cli("show", "l1").stdout)
    assert "币种" not in cli("show", "l1").stdout  # the parts are shown with the amount


def test_a_plain_amount_in_yuan_is_stored_as_before(cli):
    add_lead(cli, "甲公司", amount="1.2亿元")
    stored = cli.stored("leads")["1"]
    assert stored["amount"] == 120_000_000
    assert not {"amount_high", "currency", "amount_approx"} & set(stored)
    assert amount_fields(cli.json("show", "l1")) == {"amount": 120_000_000, "amount_high": None, "currency": "CNY",
                                                    "amount_approx": False}
    add_lead(cli, "乙公司", "13800000001")
    assert amount_fields(cli.json("show", "l2")) == dict.fromkeys(("amount", "amount_high", "currency",
                                                                   "amount_approx"))


@pytest.mark.parametrize("written,message", [
    ("5-2亿", "error: amount: '5-2亿': the range runs from 5亿元 down to 2亿元; give the lower end first"),
    ("5000万美元-1亿元", "error: amount: '5000万美元-1亿元' names two currencies (美元, 元)"),
    ("三千五万", "error: amount: cannot read '三千五万' as an amount (try 5000万元, 1.2亿元, 约2亿元, 1-2亿元"),
    ("5000万卢布", "error: amount: cannot read '5000万卢布'"),
])
def test_an_amount_that_cannot_be_read_is_a_one_line_error(cli, written, message):
    result = cli("add", "lead", "--company", "某公司", "--phone", "13800000000", "--amount", written, ok=False)
    assert result.exit_code == 1 and result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert not cli.exists()


def test_a_new_amount_replaces_the_old_one_whole(cli, tmp_path):
    add_lead(cli, "甲公司", amount="约1-2亿美元")
    cli("edit", "l1", "--amount", "8000万")
    assert amount_fields(cli.json("show", "l1")) == {"amount": 8000 * WAN, "amount_high": None, "currency": "CNY",
                                                    "amount_approx": False}
    cli("edit", "l1", "--amount", "约3-4亿欧元")
    cli("edit", "l1", "--amount", "")
    assert set(cli.stored("leads")["1"]) & {"amount", "amount_high", "currency", "amount_approx"} == set()
    cli("edit", "l1", "--amount", "1-2亿")
    sheet = tmp_path / "update.csv"
    sheet.write_text("企业名称,联系电话,投资额\n甲公司,13800000000,5000万美元\n", "utf-8")
    cli("import", str(sheet), "--on-conflict", "update")
    assert amount_fields(cli.json("show", "l1")) == {"amount": 5000 * WAN, "amount_high": None, "currency": "USD",
                                                    "amount_approx": False}
    assert cli("edit", "l1", "--currency", "EUR", ok=False).exit_code == 2  # given with the amount, not alone


def mixed_leads(cli):
    """Signed and open leads in three currencies, with ranges; all in 武清 or 西青, July 2025."""
    rows = [("甲", "1.2亿元", "signed", "武清"), ("乙", "1-2亿元", "signed", "武清"),
            ("丙", "5000万美元", "signed", "西青"), ("丁", "约300万欧元", "signed", "西青"),
            ("戊", "8000万元", "negotiating", "武清"), ("己", "100万-200万美元", "signed", "武清"),
            ("庚", "", "signed", "西青"), ("辛", "9亿元", "new", "西青")]
    for i, (company, amount, status, region) in enumerate(rows):
        fields = {"region": region, "status": status, "date": f"2025-07-{i + 1:02d}"}
        if amount:
            fields["amount"] = amount
        add_lead(cli, f"{company}公司", f"138000000{i:02d}", **fields)


def test_sorting_by_amount_keeps_each_currency_apart(cli):
    mixed_leads(cli)
    by_amount = [(r["company"], r["currency"]) for r in cli.json("list", "leads", "--sort", "-amount")]
    assert by_amount == [("辛公司", "CNY"), ("甲公司", "CNY"), ("乙公司", "CNY"), ("戊公司", "CNY"),
                         ("丙公司", "USD"), ("己公司", "USD"), ("丁公司", "EUR"), ("庚公司", None)]
    ascending = [r["company"] for r in cli.json("list", "leads", "--sort", "amount")]
    assert ascending == ["戊公司", "乙公司", "甲公司", "辛公司", "己公司", "丙公司", "丁公司", "庚公司"]
    # read from the documents (a text filter reads them) the order is the one the index gives
    assert [(r["company"], r["currency"]) for r in cli.json("list", "leads", "--sort", "-amount", "--text", "公司")] \
        == by_amount


def test_report_totals_each_currency_apart_in_every_format(cli):
    mixed_leads(cli)
    report = json.loads(cli("report", "--region", "天津", "--month", "2025-07", "--format", "json").stdout)
    total = report["total"]
    assert total["signed"] == 6
    assert total["signed_amount"] == 12 * YI // 10 + YI  # yuan only; the range at its lower end
    assert total["signed_amounts"] == {"CNY": 22 * YI // 10, "USD": 5000 * WAN + 100 * WAN, "EUR": 300 * WAN}
    assert total["signed_ranges"] == 2
    wuqing = next(g for g in report["groups"] if g["label"] == "武清区")
    assert wuqing["signed_amounts"] == {"CNY": 22 * YI // 10, "USD": 100 * WAN} and wuqing["signed_ranges"] == 2
    xiqing = next(g for g in report["groups"] if g["label"] == "西青区")
    assert xiqing["signed_amounts"] == {"CNY": 0, "USD": 5000 * WAN, "EUR": 300 * WAN} and xiqing["signed_ranges"] == 0
    for group in report["groups"]:  # every amount is what list gives for the group's signed leads
        signed = cli.json("list", "leads", "--region", group["key"], "--month", "2025-07", "--status", "signed")
        sums: dict[str, int] = {"CNY": 0}
        for lead in signed:
            if lead["amount"] is not None:
                sums[lead["currency"]] = sums.get(lead["currency"], 0) + lead["amount"]
        assert group["signed_amounts"] == sums and group["signed_amount"] == sums["CNY"]

    rows = list(csv.DictReader(io.StringIO(cli("report", "--region", "天津", "--month", "2025-07",
                                                "--format", "csv").stdout)))
    assert list(rows[0])[-3:] == ["signed_ranges", "signed_amount_USD", "signed_amount_EUR"]
    csv_total = next(r for r in rows if r["section"] == "total")
    assert (csv_total["signed_amount"], csv_total["signed_amount_USD"], csv_total["signed_amount_EUR"],
            csv_total["signed_ranges"]) == ("220000000", "51000000", "3000000", "2")

    table = cli("report", "--region", "天津", "--month", "2025-07").stdout
    header = next(line for line in table.splitlines() if "签约金额" in line)
    assert header.split() == ["地区", "文章", "政策", "线索", "签约", "签约金额", "美元签约额", "欧元签约额", "载体"]
    total_row = next(line for line in table.splitlines() if line.startswith("合计"))
    assert total_row.split()[-4:-1] == ["2.2亿元", "5100万美元", "300万欧元"]  # then the sites on offer
    assert "注：2 条已签约线索的投资额为区间，签约金额按区间下限计。" in table
    assert "注：签约金额按币种分列，未作汇率换算。" in table

    md = cli("report", "--region", "天津", "--month", "2025-07", "--format", "markdown").stdout
    assert "| 签约金额 | 美元签约额 | 欧元签约额 |" in md
    assert "| 合计 | 0 | 0 | 8 | 6 | 2.2亿元 | 5100万美元 | 300万欧元 | 0 |" in md
    assert "\n\n注：2 条已签约线索的投资额为区间，签约金额按区间下限计。\n\n注：签约金额按币种分列" in md


def test_a_report_in_yuan_only_says_nothing_of_currencies_or_ranges(examples):
    table = examples("report", "--region", "天津", "--month", "2025-07").stdout
    notes = [line for line in table.splitlines() if line.startswith("注：")]
    assert "签约额" not in table and len(notes) == 1  # how signings count, nothing of currencies or ranges
    assert messages.REPORT_SIGNED_BY_DAY.startswith(notes[0])
    rows = examples("report", "--format", "csv").stdout.splitlines()
    assert rows[0].endswith(",signed_amount,reached,signed_ranges")


def test_export_import_export_is_byte_identical_with_every_amount_form(cli, tmp_path):
    mixed_leads(cli)
    cli("import", str(EXAMPLES / "leads.csv"))
    first = cli("export", "leads").stdout
    (tmp_path / "leads.jsonl").write_text(first, "utf-8")
    fresh = cli.__class__(tmp_path / "fresh.json")
    fresh("import", str(tmp_path / "leads.jsonl"))
    assert fresh("export", "leads").stdout == first
    exported = [json.loads(line) for line in first.splitlines()]
    assert {r["currency"] for r in exported} == {"CNY", "USD", "EUR", None}


def test_the_amount_columns_of_a_csv_export_read_back(cli, tmp_path):
    mixed_leads(cli)
    exported = list(csv.DictReader(io.StringIO(cli("export", "leads", "--format", "csv").stdout)))
    assert [(r["amount"], r["amount_high"], r["currency"], r["amount_approx"]) for r in exported][:4] == [
        ("120000000", "", "CNY", "false"), ("100000000", "200000000", "CNY", "false"), ("50000000", "", "USD", "false"),
        ("3000000", "", "EUR", "true")]
    columns = ["company", "phone", "amount", "amount_high", "currency", "amount_approx"]
    sheet = tmp_path / "amounts.csv"
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(exported)
    fresh = cli.__class__(tmp_path / "fresh.json")
    fresh("import", str(sheet))
    assert [amount_fields(r) for r in fresh.json("list", "leads", "--sort", "id")] == \
        [amount_fields(r) for r in cli.json("list", "leads", "--sort", "id")]


# -- phones --------------------------------------------------------------------------------
@pytest.mark.parametrize("written,stored,masked", [
    ("+86 138 2001 1234", "13820011234", "138****1234"),
    ("022-2688 1234转8001", "022-26881234-8001", "022-****1234"),
    ("(022)26881234 ext 8001", "022-26881234-8001", "022-****1234"),
    ("022-26881234#8001", "022-26881234-8001", "022-****1234"),
    ("400-800-1234", "400-800-1234", "400-***-1234"),
    ("4008001234", "400-800-1234", "400-***-1234"),
    ("800-820-8820", "800-820-8820", "800-***-8820"),
    ("+86 22 2688 1234", "022-26881234", "022-****1234"),
])
def test_a_lead_keeps_one_canonical_phone_shown_masked(cli, written, stored, masked):
    add_lead(cli, "某公司", written)
    assert cli.json("show", "l1", "--reveal")["phone"] == stored
    assert cli.json("list", "leads")[0]["phone"] == masked
    assert masked in cli("list", "leads").stdout
    again = cli("add", "lead", "--company", "某公司", "--phone", stored, ok=False)  # the same number, however written
    assert again.exit_code == 1 and "already stored as l1" in again.stderr


def test_a_bad_phone_is_quoted_masked(cli):
    result = cli("add", "lead", "--company", "某公司", "--phone", "400-800-12345678", ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "phone: '400***********78' is not a mainland mobile" in result.stderr


# -- needs ---------------------------------------------------------------------------------
def test_needs_are_the_usual_ones_or_short_text(cli):
    add_lead(cli, "甲公司", "13800000001", need="标准厂房")
    add_lead(cli, "乙公司", "13800000002", need="注册公司")
    add_lead(cli, "丙公司", "13800000003", need="研发中心用地")
    add_lead(cli, "丁公司", "13800000004", need="并购")
    needs = [r["need"] for r in cli.json("list", "leads", "--sort", "id")]
    assert needs == ["标准厂房", "公司注册", "研发中心用地", "并购"]
    assert [r["id"] for r in cli.json("list", "leads", "--where", "need=研发中心用地")] == ["l3"]
    long = cli("add", "lead", "--company", "戊公司", "--phone", "13800000005", "--need", "需要" * 11, ok=False)
    assert long.exit_code == 1 and long.stderr.count("\n") == 1
    assert long.stderr.startswith(f"error: need: '{'需要' * 10}…' is longer than 20 characters; write it briefly, "
                                  "usually one of: 买地自建, 厂房租赁, 标准厂房, 写字楼租赁, 公司注册, 并购, 其他")
    empty = cli("edit", "l1", "--need", " ")  # an empty value clears, as for every field
    assert empty.exit_code == 0 and cli.json("show", "l1")["need"] is None
    by_need = json.loads(cli("report", "--by", "need", "--format", "json").stdout)
    assert {g["key"] for g in by_need["groups"]} == {"", "公司注册", "研发中心用地", "并购"}


def test_the_help_lists_the_usual_needs(cli):
    text = " ".join(cli("add", "lead", "--help").stdout.split())
    assert "usually 买地自建, 厂房租赁, 标准厂房, 写字楼租赁, 公司注册, 并购, 其他" in text
    assert "up to 20 characters" in text


# -- periods -------------------------------------------------------------------------------
def dated_leads(cli):
    for i, day in enumerate(["2025-03-31", "2025-04-01", "2025-06-30", "2025-07-01", "2025-09-30", "2025-10-01"]):
        add_lead(cli, f"公司{i}", f"138000000{i:02d}", date=day, region="武清")


@pytest.mark.parametrize("options,dates", [
    (["--on", "2025Q3"], ["2025-07-01", "2025-09-30"]),
    (["--on", "2025年第三季度"], ["2025-07-01", "2025-09-30"]),
    (["--on", "2025 Q2"], ["2025-04-01", "2025-06-30"]),
    (["--on", "2025年上半年"], ["2025-03-31", "2025-04-01", "2025-06-30"]),
    (["--on", "2025年下半年"], ["2025-07-01", "2025-09-30", "2025-10-01"]),
    (["--since", "2025年Q3"], ["2025-07-01", "2025-09-30", "2025-10-01"]),
    (["--until", "2025年二季度"], ["2025-03-31", "2025-04-01", "2025-06-30"]),
    (["--since", "2025Q2", "--until", "2025Q3"], ["2025-04-01", "2025-06-30", "2025-07-01", "2025-09-30"]),
])
def test_periods_in_list_filters(cli, options, dates):
    dated_leads(cli)
    assert [r["date"] for r in cli.json("list", "leads", *options, "--sort", "date")] == dates
    assert cli("filter", *options, "--format", "count").stdout.strip() == str(len(dates))


def test_this_years_quarters_and_halves(cli):
    from zhaoshang_cli.domain.dates import parse_period, today

    dated_leads(cli)
    add_lead(cli, "今年公司", "13900000000", date="today")
    for period in ("本季度", "this-quarter", "上半年" if today().month <= 6 else "下半年", "今年"):
        first, last = parse_period(period)
        found = cli.json("list", "leads", "--on", period)
        assert "今年公司" in [r["company"] for r in found], period
        assert all(first.isoformat() <= r["date"] <= last.isoformat() for r in found), period


@pytest.mark.parametrize("period,title,months", [
    ("2025Q3", "招商报告 · 天津市武清区 · 2025年第三季度", ["2025-07", "2025-08", "2025-09"]),
    ("2025年第二季度", "招商报告 · 天津市武清区 · 2025年第二季度", ["2025-04", "2025-05", "2025-06"]),
    ("2025年上半年", "招商报告 · 天津市武清区 · 2025年上半年", [f"2025-{m:02d}" for m in range(1, 7)]),
    ("2025", "招商报告 · 天津市武清区 · 2025年", [f"2025-{m:02d}" for m in range(1, 13)]),
])
def test_a_report_for_a_quarter_or_half_year_is_titled_as_a_leader_reads_it(cli, period, title, months):
    dated_leads(cli)
    report = json.loads(cli("report", "--region", "武清", "--on", period, "--format", "json").stdout)
    assert [m["month"] for m in report["trend"]] == months
    assert report["total"]["leads"] == int(cli("list", "leads", "--on", period, "--format", "count").stdout)
    assert cli("report", "--region", "武清", "--on", period).stdout.startswith(title)
    md = cli("report", "--region", "武清", "--on", period, "--format", "markdown").stdout
    assert md.startswith(f"## {title}\n")


def test_a_bad_period_is_a_one_line_error(cli):
    result = cli("report", "--on", "2025Q5", ok=False)
    assert result.exit_code == 1 and result.stderr == (
        "error: --on: '2025Q5' names quarter 5; a year has quarters 1 to 4 (2025Q3, 2025年第三季度)\n")
    result = cli("list", "leads", "--month", "2025Q3", ok=False)
    assert result.exit_code == 1 and "--month: '2025Q3' is not a month" in result.stderr


# -- a lead sheet from Excel ---------------------------------------------------------------
SHEET = [
    ["企业名称", "联系人", "联系电话", "意向地区", "行业", "投资额", "需求", "来源"],
    ["美联精工（天津）有限公司", "王强", "13820011234", "武清区", "高端装备", "5000万美元", "标准厂房",
     "https://example.org/zs/wuqing/0801.html"],
    ["津西新材料股份有限公司", "李敏", "400-800-1234", "西青区", "新材料", "约2亿元", "买地自建", ""],
    ["滨海智造科技有限公司", "赵磊", "022-2532 1188转8001", "滨海新区", "智能制造", "1-2亿元", "厂房租赁", ""],
    ["华北冷链物流有限公司", "孙丽", "+86 139 1122 3344", "武清区", "现代物流", "五千万元", "冷链仓储用地",
     "https://example.org/zs/wuqing/0805.html"],
    ["欧德汽车部件有限公司", "周杰", "800-820-8820", "西青区", "汽车零部件", "300万欧元", "注册公司", ""],
]


def test_a_gb18030_crlf_lead_sheet_from_excel_imports_as_written(cli, tmp_path):
    sheet = tmp_path / "线索.csv"
    sheet.write_bytes("".join(",".join(row) + "\r\n" for row in SHEET).encode("gb18030"))
    result = cli("import", str(sheet), "--kind", "lead")
    assert "5 added" in result.stderr and "invalid" in result.stderr and "unknown column" not in result.stderr
    leads = cli.json("list", "leads", "--sort", "id", "--reveal")
    assert [(r["region"], r["phone"], r["need"], r["amount"], r["amount_high"], r["currency"], r["amount_approx"])
            for r in leads] == [
        ("武清区", "13820011234", "标准厂房", 5000 * WAN, None, "USD", False),
        ("西青区", "400-800-1234", "买地自建", 2 * YI, None, "CNY", True),
        ("滨海新区", "022-25321188-8001", "厂房租赁", YI, 2 * YI, "CNY", False),
        ("武清区", "13911223344", "冷链仓储用地", 5000 * WAN, None, "CNY", False),
        ("西青区", "800-820-8820", "公司注册", 300 * WAN, None, "EUR", False),
    ]
    assert [r["source"] for r in leads] == [SHEET[1][7], None, None, SHEET[4][7], None]
    table = cli("list", "leads", "--sort", "id", env={"COLUMNS": "160"}).stdout
    for shown in ("5000万美元", "约2亿元", "1–2亿元", "5000万元", "300万欧元", "400-***-1234", "022-****1188"):
        assert shown in table
    again = cli("import", str(sheet), "--kind", "lead")  # idempotent: the phones are the same numbers
    assert "0 added, 0 updated, 5 unchanged" in again.stderr


@pytest.mark.parametrize("text,low,high", [
    ("二至五十万元", 20_000, 500_000), ("一百五十到二百万元", 1_500_000, 2_000_000),
    ("3-5千万", 30_000_000, 50_000_000), ("三千到五千万", 30_000_000, 50_000_000),
    ("1-2亿元", 100_000_000, 200_000_000), ("8000元-1.2万元", 8_000, 12_000),
    ("5000W", 50_000_000, None), ("3-5w", 30_000, 50_000),
])
def test_a_unitless_lower_end_takes_the_upper_ends_unit_not_its_digits(text, low, high):
    from zhaoshang_cli.domain.amounts import parse_amount

    amount = parse_amount(text)
    assert (amount.low, amount.high) == (low, high)


@pytest.mark.backends
def test_an_amount_to_be_agreed_is_kept_as_words(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,投资额\n甲,13800000001,面议\n乙,13800000002,待定\n丙,13800000003,5000W\n",
                     "utf-8")
    result = cli("import", str(sheet))
    assert "3 added" in result.stderr and "invalid" in result.stderr and "error" not in result.stderr
    leads = {lead["company"]: lead for lead in json.loads(cli("list", "leads", "--format", "json").stdout)}
    assert (leads["甲"]["amount"], leads["甲"]["extra"]) == (None, {"投资额": "面议"})
    assert leads["乙"]["extra"] == {"投资额": "待定"} and leads["丙"]["amount"] == 50_000_000


@pytest.mark.backends
def test_a_total_row_and_a_row_number_column_are_left_out(cli, tmp_path):
    sheet = tmp_path / "台账.csv"
    sheet.write_text("序号,企业名称,联系电话,投资额\n1,甲公司,13800000001,5000万元\n2,乙公司,13800000002,1亿元\n"
                     "合计,,,1.5亿元\n", "gb18030")
    result = cli("import", str(sheet))
    assert "2 added" in result.stderr and "0 invalid" in result.stderr
    assert "1 total row(s) (合计, 小计) left out" in result.stderr and "序号" not in result.stderr
    leads = json.loads(cli("list", "leads", "--format", "json").stdout)
    assert sorted(lead["company"] for lead in leads) == ["乙公司", "甲公司"]
    assert all(lead["extra"] == {} for lead in leads)  # the numbering is no data


def test_a_workbook_with_a_total_row_through_the_second_process(cli, tmp_path, monkeypatch):
    from zhaoshang_cli.service import import_worker

    monkeypatch.setattr(import_worker, "worth_it", lambda size: True)
    sheet = tmp_path / "台账.csv"
    sheet.write_text("序号,企业名称,联系电话\n1,甲公司,13800000001\n小计,,\n2,乙公司,13800000002\n", "utf-8")
    result = cli("import", str(sheet))
    assert "2 added" in result.stderr and "1 total row(s)" in result.stderr


@pytest.mark.parametrize("cell,phone,kept", [
    ("+852 2123 4567", "+852 21234567", {}), ("+886 2 2345 6789", "+886 223456789", {}),
    ("+85221234567", "+852 21234567", {}), ("+86 138 1234 5678", "13812345678", {}),
    ("13820011234（微信同号）", "13820011234", {"电话备注": "微信同号"}),
    ("13820011234 (同微信)", "13820011234", {"电话备注": "同微信"}),
    ("13900001111/022-23456789", "13900001111", {"其他电话": "022-23456789"}),
    ("022-12345678转801", "022-12345678-801", {}), ("(022)1234 5678", "022-12345678", {}),
])
def test_phone_cells_as_offices_fill_them(cell, phone, kept):
    from zhaoshang_cli.domain.contacts import split_phone

    assert split_phone(cell) == (phone, kept)


@pytest.mark.backends
def test_a_sheet_of_such_phones_imports_every_row_and_keeps_what_is_beside_them(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话\n港丰贸易,+852 2123 4567\n瑞拓,13820011234（微信同号）\n"
                     "启元,13900001111/022-23456789\n", "gb18030")
    assert "3 added" in cli("import", str(sheet)).stderr
    leads = {lead["company"]: lead for lead in json.loads(cli("list", "leads", "--format", "json", "--reveal").stdout)}
    assert leads["港丰贸易"]["phone"] == "+852 21234567"
    assert (leads["瑞拓"]["phone"], leads["瑞拓"]["extra"]) == ("13820011234", {"电话备注": "微信同号"})
    assert leads["启元"]["extra"] == {"其他电话": "022-23456789"}
    assert "+85****4567" in cli("list", "leads").stdout  # masked like any other
