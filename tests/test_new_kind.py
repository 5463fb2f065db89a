"""A fourth kind of record, defined and registered here, works through every command on a
store created before it existed: nothing outside its declaration knows about it.

The kind is an event (活动: a 推介会, a 签约仪式): a title, a place and a day, a format
(线上/线下, a choice), an organiser, a sign-up phone (personal data: masked, exports
private), an amount signed there, and a natural key of its own (the same title on the
same day in the same place).  The fixture registers it, builds a CLI that knows it, and
unregisters it afterwards, so that every other test sees the three built-in kinds.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import typer.testing
from conftest import Cli

from zhaoshang_cli.domain.kind import KINDS, Column, Field, Kind, normalise_title, register, unregister

pytestmark = pytest.mark.backends

FORMATS = {"线上": "线上", "online": "线上", "网络": "线上", "线下": "线下", "offline": "线下", "现场": "线下"}


def _event_key(doc):
    """The same event: its title on the same day in the same place."""
    return ("event", normalise_title(doc.get("title", "")), doc.get("date", ""), doc.get("region_code", ""))


def make_event_kind() -> Kind:
    return Kind(
        "event", "events", "e", "活动", "title",
        fields=(
            Field("title", "活动名称", required=True, help="Name of the event."),
            Field("region", "举办地", "region", required=True, help="Where it takes place."),
            Field("date", "活动日期", "date", required=True, help="The day it takes place."),
            Field("format", "形式", "choice", choices=FORMATS, help="线上 or 线下."),
            Field("organizer", "主办单位", help="Who holds it."),
            Field("hotline", "报名电话", "phone", help="Sign-up phone."),
            Field("amount", "签约金额", "amount", help="Deals signed there."),
            Field("amount_high", "签约金额上限", "amount", part_of="amount", settable=False),
            Field("currency", "签约币种", "currency", part_of="amount", settable=False),
            Field("amount_approx", "签约金额为约数", "flag", part_of="amount", settable=False),
            Field("amount_at_least", "签约金额为下限", "flag", part_of="amount", settable=False, indexed=False),
            Field("body", "活动详情", apart=True, help="What happened."),
        ),
        aliases=("招商活动", "推介会"),
        columns=(
            Column("活动名称", "title", min_width=12, flexible=True),
            Column("举办地", "region", min_width=4, max_width=12),
            Column("活动日期", "date", min_width=10, max_width=10),
            Column("形式", "format", max_width=4),
            Column("签约金额", "amount", max_width=12, justify="right"),
        ),
        natural_key=_event_key,
        key_label="title, date and place",
    )


@pytest.fixture
def old_store(cli: Cli) -> Cli:
    """A store written by the built-in kinds only: an article, a policy and a lead."""
    assert "event" not in KINDS
    cli("add", "article", "--title", "【武清招商】武清区举办京津冀产业对接会", "--region", "武清",
        "--date", "2025-07-10")
    cli("add", "policy", "--title", "关于印发武清区招商引资奖励办法的通知", "--region", "武清",
        "--date", "2025-06-01")
    cli("add", "lead", "--company", "瑞拓精密机械有限公司", "--phone", "13820011234", "--region", "武清",
        "--amount", "5000万元", "--date", "2025-07-02")
    assert "e" not in cli.counters()
    return cli


@pytest.fixture
def events(old_store: Cli):
    """The same store through a CLI built after the event kind was registered; the kind is
    forgotten again afterwards, whatever the test did."""
    from zhaoshang_cli.cli.app import build_app

    kind = register(make_event_kind())
    try:
        yield Cli(old_store.db, build_app())
    finally:
        unregister(kind)
    assert "event" not in KINDS


def add_two(events: Cli) -> None:
    assert events("add", "event", "--title", "2025京津冀招商推介会", "--region", "武清", "--date", "2025-07-18",
                  "--format", "线下", "--organizer", "武清区投资促进局", "--hotline", "13912345678",
                  "--amount", "12亿元").stdout == "e1\n"
    assert events("add", "活动", "--title", "生物医药产业云推介", "--region", "天津 滨海新区",
                  "--date", "2025年8月5日", "--format", "online", "--amount", "300万美元").stdout == "e2\n"


def test_add_list_show_edit_an_event_beside_the_old_records(events):
    add_two(events)
    # the records stored before are untouched and keep their IDs
    assert [r["id"] for r in events.json("list", "articles")] == ["a1"]
    assert [r["id"] for r in events.json("list", "leads")] == ["l1"]

    rows = events.json("list", "events", "--sort", "id")
    assert [(r["id"], r["kind"], r["format"], r["region"], r["date"]) for r in rows] == [
        ("e1", "event", "线下", "武清区", "2025-07-18"), ("e2", "event", "线上", "滨海新区", "2025-08-05")]
    assert rows[0]["amount"] == 1_200_000_000 and rows[1]["currency"] == "USD"
    assert rows[0]["hotline"] == "139****5678"  # a phone field of any kind is contact data
    assert events.json("list", "events", "--reveal")[-1]["hotline"] == "13912345678"

    table = events("list", "events").stdout
    assert table.splitlines()[0].split()[:5] == ["编号", "活动名称", "举办地", "活动日期", "形式"]
    assert "12亿元" in table and "300万美元" in table and "13912345678" not in table

    # filters: region, period, a choice field, text, sort by the kind's own field
    assert events("list", "events", "--region", "武清", "--format", "ids").stdout.split() == ["e1"]
    assert events("list", "events", "--since", "2025-08-01", "--format", "ids").stdout.split() == ["e2"]
    assert events("list", "events", "--month", "2025-07", "--format", "ids").stdout.split() == ["e1"]
    assert events("list", "events", "--where", "format=现场", "--format", "ids").stdout.split() == ["e1"]
    assert events("list", "events", "--text", "云推介", "--format", "ids").stdout.split() == ["e2"]
    assert events("list", "events", "--sort", "format", "--format", "ids").stdout.split() == ["e2", "e1"]
    assert events("list", "events", "--format", "count").stdout.strip() == "2"

    shown = events("show", "e1").stdout
    assert shown.startswith("e1 · 活动")
    for text in ("2025京津冀招商推介会", "形式", "线下", "主办单位", "武清区投资促进局", "12亿元", "139****5678"):
        assert text in shown, text
    assert "13912345678" not in shown
    assert events.json("show", "e2")["amount"] == 3_000_000 and events.json("show", "e2")["currency"] == "USD"

    events("edit", "e1", "--format", "网络", "--organizer", "")
    edited = events.json("show", "e1")
    assert edited["format"] == "线上" and edited["organizer"] is None
    assert events("edit", "a1", "--format", "线上", ok=False).exit_code == 2  # not a field of articles
    result = events("lead", "status", "e1", "signed", ok=False)
    assert result.exit_code == 1 and "e1 is an event, not leads" in result.stderr


def test_every_kind_at_once_and_the_add_rules_of_the_new_one(events):
    add_two(events)
    everything = events.json("filter", "--sort", "id")
    assert [r["id"] for r in everything] == ["a1", "e1", "e2", "l1", "p1"]
    table = events("filter").stdout
    assert table.count("活动") >= 2 and "文章" in table and "线索" in table
    assert events("filter", "--region", "武清", "--kind", "推介会", "--format", "ids").stdout.split() == ["e1"]
    assert events("filter", "--since", "2025-07-15", "--format", "ids").stdout.split() == ["e2", "e1"]

    result = events("add", "event", "--title", "2025京津冀招商推介会", "--region", "武清区", "--date", "2025/7/18",
                    ok=False)
    assert result.exit_code == 1 and "already stored as e1 (same title, date and place)" in result.stderr
    result = events("add", "event", "--title", "无日期的活动", "--region", "武清", ok=False)
    assert result.exit_code == 2 and "--date" in result.stderr
    result = events("add", "event", "--title", "格式不对", "--region", "武清", "--date", "2025-07-01",
                    "--format", "hybrid", ok=False)
    assert result.exit_code == 1 and "线上, 线下" in result.stderr
    result = events("show", "x1", ok=False)
    assert result.exit_code == 1 and re.search(r"\be\d+\b", result.stderr)  # the IDs a user can give, every kind's
    assert events("show", "e9", ok=False).exit_code == 1
    events("rm", "--yes", "e2")
    assert events("list", "events", "--format", "ids").stdout.split() == ["e1"]
    assert events("add", "events", "--title", "IDs are not reused", "--region", "武清",
                  "--date", "2025-09-01").stdout == "e3\n"


def test_help_names_the_new_kind(events):
    from zhaoshang_cli.cli.app import app

    assert "event" in events("add", "--help").stdout
    assert "Add an event (活动); prints its ID." in " ".join(events("add", "event", "--help").stdout.split())
    assert "articles, policies, leads, sites or events" in " ".join(events("list", "--help").stdout.split())
    assert re.search(r"\be\d+\b", events("show", "--help").stdout)
    assert "--format" in events("report", "--help").stdout and "format." in events("report", "--help").stdout
    assert "--hotline" in events("edit", "--help").stdout
    # the app built before the kind was registered has no place for it, and says so cleanly
    old = Cli(events.db, app)
    assert "event" not in old("add", "--help").stdout
    assert old("add", "event", "--title", "x", ok=False).exit_code == 2


def test_report_counts_the_new_kind(events):
    add_two(events)
    report = json.loads(events("report", "--format", "json").stdout)
    assert report["total"]["events"] == 2 and report["total"]["articles"] == 1 and report["total"]["leads"] == 1
    tianjin = next(g for g in report["groups"] if g["label"] == "天津市")
    assert tianjin["events"] == 2 and tianjin["policies"] == 1
    assert {m["month"]: m["events"] for m in report["trend"]}["2025-08"] == 1

    table = events("report", "--region", "天津").stdout
    header = next(line for line in table.splitlines() if line.lstrip().startswith("地区"))
    assert header.split()[-1] == "活动"  # a column of its own, after the built-in kinds
    assert "武清区" in table and "滨海新区" in table

    by_kind = json.loads(events("report", "--by", "kind", "--format", "json").stdout)
    assert [(g["key"], g["label"]) for g in by_kind["groups"]] == [
        ("article", "文章"), ("policy", "政策"), ("lead", "线索"), ("event", "活动")]
    by_format = json.loads(events("report", "--by", "format", "--format", "json").stdout)
    assert {g["key"]: g["events"] for g in by_format["groups"]} == {"线下": 1, "线上": 1}
    by_format_table = events("report", "--by", "format").stdout
    assert "按形式统计" in by_format_table and "线索漏斗" not in by_format_table  # no lead is counted: no funnel
    assert "线索漏斗" in table
    for group in by_format["groups"]:  # each row is what list gives for its query
        ids = events("list", "events", "--where", group["query"]["where"], "--format", "ids").stdout.split()
        assert len(ids) == group["events"]

    rows = list(csv.reader(io.StringIO(events("report", "--format", "csv").stdout)))
    assert rows[0][:8] == ["section", "key", "label", "articles", "policies", "leads", "sites", "events"]
    total = next(r for r in rows if r[0] == "total")
    assert total[7] == "2"
    assert "| 活动 |" in events("report", "--format", "markdown").stdout


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_import_and_export_round_trip(events, tmp_path):
    add_two(events)
    rows = [
        {"kind": "event", "title": "新能源汽车产业招商会", "region": "西青", "date": "2025-09-12", "format": "线下",
         "organizer": "西青区商务局", "amount": "约8亿元"},
        # Chinese headers, no kind column: the kind is told by the fields only events have
        {"活动名称": "智能制造专题推介会", "举办地": "天津 东丽区", "活动日期": "2025年9月20日", "形式": "线上",
         "报名电话": "022-23456789", "签约金额": "1-2亿元", "活动详情": "签约项目12个。"},
        {"kind": "events", "title": "2025京津冀招商推介会", "region": "武清", "date": "2025-07-18"},  # stored: e1
    ]
    result = events("import", str(write_jsonl(tmp_path / "events.jsonl", rows)))
    assert "2 added, 0 updated, 1 unchanged, 0 invalid" in result.stderr
    assert "unknown column" not in result.stderr
    second = events.json("show", "e4")
    assert second["title"] == "智能制造专题推介会" and second["region"] == "东丽区" and second["format"] == "线上"
    assert (second["amount"], second["amount_high"], second["body"]) == (100_000_000, 200_000_000, "签约项目12个。")
    assert events.json("show", "e3")["amount_approx"] is True

    exported = events("export", "events")
    assert "personal data" in exported.stderr  # its sign-up phones
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["id"] for r in lines] == ["e1", "e2", "e3", "e4"]
    assert lines[0]["hotline"] == "13912345678"  # an export is the data itself
    assert list(lines[0])[:8] == ["id", "kind", "title", "region", "region_code", "zone", "date", "format"]

    # the same store takes its own export back unchanged
    again = events("import", str(write_jsonl(tmp_path / "again.jsonl", lines)))
    assert "0 added, 0 updated, 4 unchanged, 0 invalid" in again.stderr

    # a new store (created by the built-in kinds) takes it, and gives the same export back
    fresh = Cli(tmp_path / "other" / "zhaoshang.json", events.app)
    fresh("add", "article", "--title", "别的库", "--region", "北京", "--date", "2025-01-01")
    fresh("import", str(tmp_path / "again.jsonl"))
    assert fresh("export", "events").stdout == exported.stdout

    # CSV (private: it holds phones) round trips too
    csv_file = tmp_path / "events.csv"
    events("export", "events", "--format", "csv", "-o", str(csv_file))
    assert csv_file.stat().st_mode & 0o777 == 0o600
    header = csv_file.read_text("utf-8").splitlines()[0]
    assert header.startswith("id,kind,title,region,region_code,zone,date,format,organizer,hotline,amount")
    third = Cli(tmp_path / "third" / "zhaoshang.json", events.app)
    assert "4 added" in third("import", str(csv_file)).stderr
    assert third("export", "events").stdout == exported.stdout

    # and so does a workbook, its headers the kind's own labels
    book = tmp_path / "events.xlsx"
    events("export", "events", "--format", "xlsx", "-o", str(book))
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(book).active
    assert sheet.title == "活动"
    assert [c.value for c in sheet[1]][:9] == ["编号", "记录类型", "活动名称", "举办地", "区划代码", "开发区",
                                                "活动日期", "形式", "主办单位"]
    fourth = Cli(tmp_path / "fourth" / "zhaoshang.json", events.app)
    assert "4 added" in fourth("import", str(book)).stderr
    assert fourth("export", "events").stdout == exported.stdout

    # filters on export
    only = events("export", "events", "--region", "西青", "--since", "2025-09-01").stdout.splitlines()
    assert [json.loads(line)["id"] for line in only] == ["e3"]

    assert events("doctor").exit_code == 0


def test_the_store_with_events_still_opens_without_the_kind(events):
    """The store is the built-in kinds' again once the kind is gone: their records read,
    and a write keeps the events for when the kind comes back."""
    add_two(events)
    kind = KINDS["event"]
    unregister(kind)
    try:
        from zhaoshang_cli.cli.app import app

        old = Cli(events.db, app)
        assert [r["id"] for r in old.json("filter", "--sort", "id")] == ["a1", "l1", "p1"]
        old("add", "article", "--title", "第二篇", "--region", "武清", "--date", "2025-07-20")
    finally:
        register(kind)
    assert events("list", "events", "--format", "ids").stdout.split() == ["e2", "e1"]
    assert events("list", "articles", "--format", "ids").stdout.split() == ["a2", "a1"]


def test_an_amount_comes_with_its_parts():
    """An amount without fields for its range, currency and 约 would lose them unseen."""
    fields = tuple(f for f in make_event_kind().fields if f.part_of is None)
    with pytest.raises(ValueError, match="amount"):
        register(Kind("gift", "gifts", "g", "捐赠", "title", fields=fields))
    assert "gift" not in KINDS


def test_the_built_in_kinds_are_back_after_the_event_tests():
    """Whatever order the tests run in: the module app and the registry have the four built-in kinds."""
    from zhaoshang_cli.cli.app import app
    from zhaoshang_cli.io.importers.columns import field_for

    assert list(KINDS) == ["article", "policy", "lead", "site"]
    assert field_for("活动名称") is None and field_for("organizer") is None
    root = typer.testing._get_command(app)  # the tree the tests run, its commands built on first use
    add = root.get_command(root.make_context("zhaoshang", [], resilient_parsing=True), "add")
    assert list(add.commands) == ["article", "policy", "lead", "site"]
