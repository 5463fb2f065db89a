import json
import re

import pytest
from conftest import ROOT

pytestmark = pytest.mark.backends


def count(cli, kind, *filters):
    return int(cli("list", kind, *filters, "--format", "count").stdout)


def group_filters(group):
    key = group["key"]
    return ["--region", key] + (["--exact-region"] if group["label"].endswith("（本级）") else [])


def test_every_cell_of_the_district_report_is_a_list_count(examples):
    text = examples("report", "--region", "天津", "--month", "2025-07").stdout
    for heading in ("分地区统计", "线索漏斗", "月度趋势", "合计", "转化率"):
        assert heading in text
    report = json.loads(examples("report", "--region", "天津", "--month", "2025-07", "--format", "json").stdout)
    month = ["--month", "2025-07"]
    assert len(report["groups"]) >= 10
    for group in report["groups"]:
        where = group_filters(group) + month
        assert group["articles"] == count(examples, "articles", *where), group
        assert group["policies"] == count(examples, "policies", *where), group
        assert group["leads"] == count(examples, "leads", *where), group
        assert group["signed"] == count(examples, "leads", *where, "--status", "signed"), group
        signed = examples.json("list", "leads", *where, "--status", "signed")
        assert group["signed_amount"] == sum(lead["amount"] or 0 for lead in signed), group
    tianjin = ["--region", "天津", *month]
    total = report["total"]
    assert total["articles"] == count(examples, "articles", *tianjin)
    assert total["policies"] == count(examples, "policies", *tianjin)
    assert total["leads"] == count(examples, "leads", *tianjin)
    assert total["signed"] == count(examples, "leads", *tianjin, "--status", "signed")
    for key in ("articles", "policies", "leads", "signed", "signed_amount"):
        assert total[key] == sum(g[key] for g in report["groups"])
    for stage in report["funnel"]["stages"]:
        assert stage["count"] == count(examples, "leads", *tianjin, "--status", stage["status"])
    assert report["funnel"]["lost"] == count(examples, "leads", *tianjin, "--status", "lost")
    assert report["funnel"]["total"] == total["leads"]
    assert [m["month"] for m in report["trend"]] == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07"]
    for row in report["trend"]:
        where = ["--region", "天津", "--month", row["month"]]
        assert (row["articles"], row["policies"], row["leads"]) == (
            count(examples, "articles", *where), count(examples, "policies", *where), count(examples, "leads", *where))


def test_markdown_is_a_valid_table(examples):
    md = examples("report", "--region", "天津", "--month", "2025-07", "--format", "markdown").stdout
    blocks = re.findall(r"((?:^\|.*\|\n)+)", md, flags=re.M)
    assert len(blocks) == 3
    for block in blocks:
        lines = block.strip().split("\n")
        widths = {line.count("|") - line.count("\\|") for line in lines}
        assert len(widths) == 1, block
        assert re.fullmatch(r"\|(?:-{3,}:?\|)+", lines[1]), lines[1]
        assert len(lines) >= 3
    assert md.startswith("## 招商报告 · 天津市 · 2025-07")


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__ if value is not None else "null"


def test_json_follows_the_schema_documented_in_docs_reports(examples):
    readme = (ROOT / "docs" / "reports.md").read_text("utf-8")
    documented = json.loads(re.search(r"<!-- report-json -->\n```json\n(.*?)\n```", readme, re.S).group(1))
    report = json.loads(examples("report", "--region", "天津", "--month", "2025-07", "--format", "json").stdout)
    assert _shape(report) == _shape(documented)
    everything = json.loads(examples("report", "--format", "json").stdout)
    assert everything["region"] is None and everything["period"] == {"since": None, "until": None}


def test_csv_carries_the_same_numbers(examples):
    rows = examples("report", "--region", "天津", "--month", "2025-07", "--format", "csv").stdout.splitlines()
    report = json.loads(examples("report", "--region", "天津", "--month", "2025-07", "--format", "json").stdout)
    assert rows[0] == "section,key,label,articles,policies,leads,sites,signed,signed_amount,reached,signed_ranges"
    total = next(r for r in rows if r.startswith("total,"))
    t = report["total"]
    assert total == (f"total,,合计,{t['articles']},{t['policies']},{t['leads']},{t['sites']},{t['signed']},"
                     f"{t['signed_amount']},,0")


def test_other_groupings(examples, tmp_path):
    by_status = json.loads(examples("report", "--by", "status", "--format", "json").stdout)
    assert [g["key"] for g in by_status["groups"]] == ["new", "contacted", "visited", "negotiating", "signed", "lost"]
    assert sum(g["leads"] for g in by_status["groups"]) == 18
    by_month = json.loads(examples("report", "--region", "武清", "--by", "month", "--format", "json").stdout)
    assert by_month["groups"][0]["key"] < by_month["groups"][-1]["key"]
    by_kind = json.loads(examples("report", "--by", "kind", "--format", "json").stdout)
    assert [(g["key"], g["articles"] + g["policies"] + g["leads"]) for g in by_kind["groups"]] == [
        ("article", 33), ("policy", 12), ("lead", 18)]
    out = tmp_path / "r.md"
    examples("report", "--by", "need", "--format", "markdown", "-o", str(out))
    assert "买地自建" in out.read_text("utf-8")
    assert examples("report", "--by", "colour", ok=False).exit_code == 2


def test_a_lead_moved_along_shows_its_timeline_and_counts_as_signed(cli):
    cli("add", "article", "--title", "【武清招商】厂房推介", "--region", "武清", "--date", "2025-07-01")
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--region", "武清", "--amount", "1.2亿元",
        "--source", "a1", "--date", "2025-07-04")
    cli("lead", "status", "l1", "contacted", "--note", "电话沟通")
    cli("lead", "status", "l1", "已签约", "--on", "2025-07-25")
    cli("lead", "note", "l1", "合同已盖章")
    shown = cli("show", "l1").stdout
    timeline = shown[shown.index("跟进记录"):]
    assert timeline.count("→") == 2 and "创建 · 新线索" in timeline
    assert "新线索 → 已联系 · 电话沟通" in timeline and "已联系 → 已签约" in timeline
    assert "备注 · 合同已盖章" in timeline
    assert "来源记录  a1  【武清招商】厂房推介" in shown
    history = cli.json("show", "l1")["history"]
    assert [(h.get("from"), h["to"]) for h in history] == [(None, "new"), ("new", "contacted"), ("contacted", "signed")]
    report = json.loads(cli("report", "--region", "武清", "--month", "2025-07", "--format", "json").stdout)
    assert report["total"]["signed"] == 1 and report["total"]["signed_amount"] == 120_000_000
    assert "1.2亿元" in cli("report", "--region", "武清", "--month", "2025-07").stdout
    cli("lead", "status", "l1", "negotiating")  # going back is allowed, and recorded
    assert len(cli.json("show", "l1")["history"]) == 4
    assert cli("lead", "status", "a1", "signed", ok=False).exit_code == 1
    assert cli("lead", "status", "l1", "done", ok=False).exit_code == 1


def test_due_before_today_lists_overdue_leads_marked(cli):
    cli("add", "lead", "--company", "今天到期公司", "--phone", "13800000001")
    cli("add", "lead", "--company", "早已到期公司", "--phone", "13800000002")
    cli("add", "lead", "--company", "下周到期公司", "--phone", "13800000003")
    cli("add", "lead", "--company", "没有日期公司", "--phone", "13800000004")
    cli("lead", "due", "l1", "today")
    cli("lead", "due", "l2", "2025-07-01")
    cli("lead", "due", "l3", "+7d")
    rows = cli.json("list", "leads", "--due-before", "today")
    assert sorted(r["company"] for r in rows) == ["今天到期公司", "早已到期公司"]
    table = cli("list", "leads", "--due-before", "today").stdout
    assert table.count("逾期") == 2
    assert "逾期" not in cli("list", "leads", "--text", "下周").stdout
    cli("lead", "status", "l2", "signed")
    assert len(cli.json("list", "leads", "--due-before", "today")) == 1  # signed leads need no follow-up
    cli("lead", "due", "l1", "--clear")
    assert cli.json("show", "l1")["due"] is None


def list_options(query, report_region):
    """The list options a group's ``query`` stands for, inside the report's own region."""
    args = ["--region", query.get("region") or report_region] if query.get("region") or report_region else []
    if query.get("exact_region"):
        args.append("--exact-region")
    for name in ("month", "status", "where"):
        if name in query:
            args += [f"--{name}", query[name]]
    return args


@pytest.mark.parametrize("region,period,groupings", [
    (None, [], "all"),
    ("天津", ["--month", "2025-07"], ("district", "month", "kind", "source")),  # groups within a region and month
])
def test_every_grouping_of_the_examples_is_what_list_gives(examples, region, period, groupings):
    from zhaoshang_cli.service.reports import GROUPINGS

    where = (["--region", region] if region else []) + period
    for by in GROUPINGS if groupings == "all" else groupings:
        report = json.loads(examples("report", *where, "--by", by, "--format", "json").stdout)
        assert len(report["groups"]) >= (1 if by == "month" and period else 3), by
        unset = 0
        for group in report["groups"]:
            options = list_options(group["query"], region) + period
            kind = ["--kind", group["query"]["kind"]] if "kind" in group["query"] else []
            ids = examples("filter", *options, *kind, "--format", "ids").stdout.split()
            found = {"articles": sum(i[0] == "a" for i in ids), "policies": sum(i[0] == "p" for i in ids),
                     "leads": sum(i[0] == "l" for i in ids)}
            assert {k: group[k] for k in found} == found, (by, group)
            if not found["leads"]:  # signed leads are some of the group's leads: none
                signed = []
            elif "status" in group["query"]:
                signed = examples.json("list", "leads", *options) if group["query"]["status"] == "signed" else []
            else:
                signed = examples.json("list", "leads", *options, "--status", "signed")
            assert group["signed"] == len(signed), (by, group)
            assert group["signed_amount"] == sum(lead["amount"] or 0 for lead in signed), (by, group)
            unset += group["label"] == "（未填）"
        assert unset == (by in ("source", "owner"))  # only some leads name their source, or have an owner
        for key in ("articles", "policies", "leads", "signed", "signed_amount"):
            assert report["total"][key] == sum(g[key] for g in report["groups"]), (by, key)
        counted = {"status": "leads", "owner": "leads", "industry": "leads", "need": "leads"}.get(by)
        if counted:
            assert report["total"][counted] == count(examples, counted, *where)
        elif by != "source":  # articles and leads have a source, policies do not
            for kind in ("articles", "policies", "leads"):
                assert report["total"][kind] == count(examples, kind, *where), (by, kind)


def test_the_trend_counts_whole_months_whatever_the_period_cuts(examples):
    """The trend's months are read alone when the period is known, and still whole: a period
    ending mid-month counts that month's records after its end in the trend."""
    part = examples.json("report", "--region", "天津", "--since", "2025-07-01", "--until", "2025-07-10",
                         "--format", "json")
    whole = examples.json("report", "--region", "天津", "--month", "2025-07", "--format", "json")
    assert part["trend"] == whole["trend"] and len(whole["trend"]) == 6
    assert whole["trend"][-1]["articles"] == count(examples, "articles", "--region", "天津", "--month", "2025-07")


def _tallied_by_hand(reader, query, keys, months):
    """What a tally must give: the matching records read whole and counted here."""
    from collections import Counter

    found = Counter()
    for record in reader.select(query):
        values = []
        for key in keys:
            value = record.doc.get(key)
            value = None if value in (None, "", []) else value
            values.append(value[:7] if key in months and value else value)
        found[tuple(values)] += 1
    return dict(found)


def test_a_tally_is_what_counting_the_records_gives(examples):
    """The store counts a report's groups (a server in SQL); the numbers are those of the
    records themselves, whatever the keys: columns, months, a key kept only in documents,
    a filter the server cannot apply, several keys, none."""
    from zhaoshang_cli.domain.kind import KINDS
    from zhaoshang_cli.service.store import open_store
    from zhaoshang_cli.storage.base import Filters, Query

    examples("lead", "status", "l2", "signed", "--on", "2025-08-02")
    store = open_store(examples.db, lock_timeout=5, keep_backups=0)
    lead, article = KINDS["lead"], KINDS["article"]
    cases = [
        (lead, Filters(), ("region_code", "status"), ()),
        (lead, Filters(places=("12",), since="2025-01-01"), ("date",), ("date",)),
        (lead, Filters(), ("status", "amount", "amount_high", "currency"), ()),
        (lead, Filters(), ("tags", "status"), ()),  # tags: a list, kept only in the document
        (lead, Filters(fields=(("tags", ("",)),)), ("zone",), ()),
        (lead, Filters(signed_since="2025-08-01", signed_until="2025-08-31"), ("status",), ()),
        (article, Filters(text="招商"), ("region_code", "date"), ("date",)),
        (article, Filters(places=("120114",)), (), ()),
        (article, Filters(places=("990000",)), ("region_code",), ()),
    ]
    try:
        with store.reading() as reader:
            for kind, filters, keys, months in cases:
                query = Query((kind,), filters)
                wanted = _tallied_by_hand(reader, query, keys, months)
                assert reader.tally(query, keys, months) == wanted, (kind.name, filters, keys)
                assert sum(wanted.values()) == reader.count(query)
    finally:
        store.close()


def test_a_pipeline_kind_without_a_signing_day_counts_its_signed_amounts_from_a_tally(examples):
    """A kind whose records keep no signing day is signed in the period of its own date: its
    amounts come through the tally's keys, as many times as records hold them."""
    from dataclasses import replace

    from zhaoshang_cli.domain.kind import KINDS
    from zhaoshang_cli.service import reports
    from zhaoshang_cli.service.store import open_store
    from zhaoshang_cli.storage.base import Query

    examples("lead", "status", "l2", "signed")
    lead = KINDS["lead"]
    undated = replace(lead, roles=lead.roles._replace(won_on=None))  # the same table, read as such a kind
    store = open_store(examples.db, lock_timeout=5, keep_backups=0)
    try:
        with store.reading() as reader:
            keys = reports._keys_read("district", undated)
            assert set(keys) >= {"region_code", "status", "amount", "currency"}
            by_tally, by_record = reports.Counts(), reports.Counts()
            for values, records in reader.tally(Query((undated,)), keys).items():
                by_tally.add(undated, {k: v for k, v in zip(keys, values) if v is not None}, records)
            for record in reader.select(Query((undated,))):
                by_record.add(undated, record.doc)
    finally:
        store.close()
    assert by_tally == by_record and by_record.signed >= 2 and by_record.signed_amount > 0
