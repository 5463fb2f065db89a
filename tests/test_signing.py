"""Signings as a leader counts them (issue 23, point 4): on the signing day, for the amount
signed, in every report format, reproduced by `list --signed-*`; on both backends."""

import csv
import io
import json

import pytest

pytestmark = pytest.mark.backends


def _report(cli, *args):
    return json.loads(cli("report", *args, "--format", "json").stdout)


@pytest.fixture
def signed(cli):
    cli("add", "lead", "--company", "天津瑞拓精密机械有限公司", "--phone", "13820011234", "--region", "武清",
        "--date", "2025-03-10", "--amount", "1亿元")
    cli("lead", "status", "l1", "signed", "--on", "2025-07-20", "--amount", "8000万元")
    return cli


def test_a_signing_counts_in_its_own_month_for_the_amount_signed(signed):
    july, march = _report(signed, "--month", "2025-07"), _report(signed, "--month", "2025-03")
    assert (july["total"]["signed"], july["total"]["signed_amount"], july["total"]["leads"]) == (1, 80_000_000, 0)
    assert (march["total"]["signed"], march["total"]["leads"]) == (0, 1)
    assert july["counted_by"] == {"articles": "date", "policies": "date", "leads": "date", "sites": None,
                                  "signed": "signed_on"}
    assert signed("list", "leads", "--signed-on", "2025-07", "--format", "count").stdout.strip() == "1"
    assert signed("list", "leads", "--signed-on", "2025-03", "--format", "count").stdout.strip() == "0"
    assert signed("list", "leads", "--signed-since", "2025-07-20", "--signed-until", "2025-07-20",
                  "--format", "ids").stdout.split() == ["l1"]
    assert signed("list", "leads", "--signed-since", "2025-07-21", "--format", "count").stdout.strip() == "0"
    lead = signed.json("show", "l1")
    assert lead["signed_on"] == "2025-07-20"
    assert (lead["history"][-1]["on"], lead["history"][-1]["amount"]) == ("2025-07-20", 80_000_000)
    assert "新线索 → 已签约 · 签约日 2025-07-20 · 8000万元" in signed("show", "l1").stdout


def test_every_format_says_how_it_counts(signed):
    note = "签约数与签约金额按签约日期统计"
    for fmt in ("table", "markdown", "html"):
        assert note in signed("report", "--month", "2025-07", "--format", fmt).stdout, fmt
    rows = list(csv.reader(io.StringIO(signed("report", "--month", "2025-07", "--format", "csv").stdout)))
    assert any(row[0] == "note" and note in row[2] for row in rows)
    by_month = _report(signed, "--since", "2025-01-01", "--until", "2025-12-31", "--by", "month")
    assert {g["key"]: (g["leads"], g["signed"]) for g in by_month["groups"]} == {"2025-03": (1, 0), "2025-07": (0, 1)}
    trend = {m["month"]: m["signed"] for m in _report(signed, "--month", "2025-07")["trend"]}
    assert trend["2025-07"] == 1 and trend["2025-03"] == 0


def test_a_past_report_does_not_change_when_an_old_lead_is_signed(signed):
    signed("add", "lead", "--company", "启元生物", "--phone", "13911223344", "--date", "2025-03-12")
    counted = ("groups", "total", "trend")  # (the funnel: how far the period's leads got, as of now)
    before = {k: v for k, v in _report(signed, "--month", "2025-03").items() if k in counted}
    signed("lead", "status", "l2", "signed")  # signed today
    assert {k: v for k, v in _report(signed, "--month", "2025-03").items() if k in counted} == before


def test_signing_defaults_corrections_and_moves_away(signed):
    signed("add", "lead", "--company", "启元生物", "--phone", "13911223344", "--date", "2025-03-12",
           "--amount", "5000万元")
    signed("edit", "l2", "--status", "signed")
    today = signed.json("show", "l2")["signed_on"]
    assert today and signed.json("show", "l2")["history"][-1]["on"] == today
    signed("lead", "status", "l2", "signed", "--on", "2025-06-30")  # a correction of the day
    assert signed.json("show", "l2")["signed_on"] == "2025-06-30"
    june = _report(signed, "--month", "2025-06")
    assert (june["total"]["signed"], june["total"]["signed_amount"]) == (1, 50_000_000)  # the lead's amount
    signed("lead", "status", "l2", "negotiating")
    assert signed.json("show", "l2").get("signed_on") is None
    assert _report(signed, "--month", "2025-06")["total"]["signed"] == 0
    result = signed("lead", "status", "l2", "visited", "--on", "2025-07-01", ok=False)
    assert result.exit_code == 2 and "--on and --amount" in result.stderr
    result = signed("list", "leads", "--signed-on", "2025-07", "--signed-since", "2025-07-01", ok=False)
    assert result.exit_code == 2


def test_an_import_signs_on_the_day_the_sheet_says(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,状态,登记日期,签约日期\n甲公司,13800000001,已签约,2025-02-01,2025-05-08\n"
                     "乙公司,13800000002,已签约,2025-02-03,\n", "utf-8")
    cli("import", str(sheet))
    assert cli.json("show", "l1")["signed_on"] == "2025-05-08"
    assert cli.json("show", "l2")["signed_on"] == "2025-02-03"  # no day given: its registration day
    may = _report(cli, "--month", "2025-05")
    assert may["total"]["signed"] == 1
