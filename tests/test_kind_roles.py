"""Kinds by role, not by name: a kind without a date or an amount (tests/kinds/sites.py, one
module) works in every command on both backends, and a kind whose date field has another
name is filtered, sorted and reported by it."""

from __future__ import annotations

import json

import pytest
from conftest import Cli
from kinds.sites import SITE

from zhaoshang_cli.domain.kind import Field, Kind, Roles, register, unregister

pytestmark = pytest.mark.backends


@pytest.fixture
def sites(db, monkeypatch):
    from zhaoshang_cli.cli.app import build_app

    monkeypatch.setenv("ZHAOSHANG_DB", str(db))
    register(SITE)
    try:
        yield Cli(db, build_app())
    finally:
        unregister(SITE)


def test_a_kind_without_date_or_amount_works_in_every_command(sites, tmp_path):
    assert sites("add", "venue", "--name", "武清开发区标准厂房A栋", "--region", "武清", "--type", "厂房",
                 "--phone", "13820011234", "--tags", "现房,可分割").stdout == "v1\n"
    sites("add", "场馆", "--name", "滨海新区写字楼", "--region", "天津 滨海新区", "--type", "写字楼")
    sites("add", "article", "--title", "【武清招商】一篇文章", "--region", "武清", "--date", "2025-07-10")
    listed = sites.json("list", "venues", "--sort", "id")
    assert [(r["id"], r["type"], r["region"]) for r in listed] == [("v1", "标准厂房", "武清区"),
                                                                   ("v2", "写字楼", "滨海新区")]
    assert listed[0]["phone"] == "138****1234"
    for sort in ("date", "-date", "amount", "-amount", "status", "due", "name", "-id"):
        assert len(sites.json("list", "venues", "--sort", sort)) == 2, sort
    table = sites("list", "venues").stdout
    assert "武清开发区标准厂房A栋" in table and "标准厂房" in table
    assert sites("list", "venues", "--region", "武清", "--format", "ids").stdout.split() == ["v1"]
    assert sites("list", "venues", "--where", "type=写字楼", "--format", "ids").stdout.split() == ["v2"]
    assert sites("list", "venues", "--text", "滨海", "--format", "ids").stdout.split() == ["v2"]
    dated = sites("list", "venues", "--since", "2025-01-01", ok=False)
    assert dated.exit_code == 2 and "venues have no date of their own" in dated.stderr
    assert sites("filter", "--since", "2025-07-01", "--format", "ids").stdout.split() == ["a1"]
    assert set(sites("filter", "--format", "ids").stdout.split()) == {"a1", "v1", "v2"}
    assert sites("filter", "--region", "武清").stdout.count("场馆") == 1

    shown = sites("show", "v1").stdout
    assert "武清开发区标准厂房A栋" in shown and "138****1234" in shown
    sites("edit", "v1", "--type", "土地", "--zone-name", "武清开发区")
    assert sites.json("show", "v1")["type"] == "土地"
    assert sites("lead", "note", "v1", "一条备注", ok=False).exit_code == 1  # not a pipeline kind: one line

    for args in (["report"], ["report", "--region", "天津"], ["report", "--month", "2025-07"],
                 ["report", "--by", "month"], ["report", "--by", "kind"], ["report", "--by", "zone"]):
        for fmt in ("table", "json", "csv", "markdown", "html"):
            result = sites(*args, "--format", fmt, ok=False)
            assert result.exit_code == 0, (args, fmt, result.stderr)
    report = json.loads(sites("report", "--region", "天津", "--format", "json").stdout)
    assert report["total"]["venues"] == 2 and report["total"]["articles"] == 1
    by_kind = json.loads(sites("report", "--by", "kind", "--format", "json").stdout)
    assert {g["key"]: g["venues"] for g in by_kind["groups"] if g["key"] == "venue"} == {"venue": 2}

    exported = tmp_path / "sites.jsonl"
    sites("export", "venues", "-o", str(exported))
    for fmt in ("csv", "json", "xlsx"):
        sites("export", "venues", "--format", fmt, "-o", str(tmp_path / f"sites.{fmt}"))
    other = Cli(tmp_path / "other" / "zhaoshang.json", sites.app)
    other("import", str(exported))
    other("import", str(tmp_path / "sites.csv"))  # the same records: unchanged
    assert [r["name"] for r in other.json("list", "venues", "--sort", "id")] == \
        [r["name"] for r in sites.json("list", "venues", "--sort", "id")]
    copied = tmp_path / "copied" / "zhaoshang.json"
    copied.parent.mkdir()
    sites("copy", "--to", str(copied))
    assert Cli(copied, sites.app)("list", "venues", "--format", "count").stdout == "2\n"
    assert "0 error(s)" in sites("doctor").stderr
    sites("rm", "v2", "--yes")
    assert sites("list", "venues", "--format", "ids").stdout.split() == ["v1"]


def test_a_kind_whose_date_has_another_name_is_filtered_and_reported_by_it(db, monkeypatch):
    from zhaoshang_cli.cli.app import build_app

    meetings = Kind("meeting", "meetings", "m", "洽谈会", "title", fields=(
        Field("title", "名称", required=True), Field("region", "地点", "region", required=True),
        Field("held_on", "举办日期", "date", required=True), Field("next_call", "下次联系", "date")),
        roles=Roles(date="held_on"))
    monkeypatch.setenv("ZHAOSHANG_DB", str(db))
    register(meetings)
    try:
        cli = Cli(db, build_app())
        cli("add", "meeting", "--title", "七月洽谈会", "--region", "武清", "--held-on", "2025-07-18")
        cli("add", "meeting", "--title", "八月洽谈会", "--region", "武清", "--held-on", "2025-08-05")
        assert cli("list", "meetings", "--month", "2025-07", "--format", "ids").stdout.split() == ["m1"]
        assert cli("list", "meetings", "--format", "ids").stdout.split() == ["m2", "m1"]  # newest first, by held_on
        months = json.loads(cli("report", "--by", "month", "--format", "json").stdout)
        assert [(g["key"], g["meetings"]) for g in months["groups"]] == [("2025-07", 1), ("2025-08", 1)]
        assert json.loads(cli("report", "--month", "2025-08", "--format", "json").stdout)["total"]["meetings"] == 1
    finally:
        unregister(meetings)


def test_a_role_must_name_one_of_the_kinds_fields():
    with pytest.raises(ValueError, match="held_on"):
        Kind("x", "xs", "x", "x", "title", fields=(Field("title", "名称"),), roles=Roles(date="held_on"))
