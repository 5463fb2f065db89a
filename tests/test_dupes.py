"""One investor, three leads (issue 23, point 5): found by phone, e-mail or company name,
merged into one with every note and move, flagged when an import makes another; both backends."""

import json

import pytest

from zhaoshang_cli.domain.duplicates import company_key

pytestmark = pytest.mark.backends

RUITUO = ("天津瑞拓精密机械有限公司", "瑞拓精密", "瑞拓精密（天津）有限公司")


@pytest.mark.parametrize("name,key", [
    ("天津瑞拓精密机械有限公司", "瑞拓精密机械"), ("瑞拓精密（天津）有限公司", "瑞拓精密"), ("瑞拓精密", "瑞拓精密"),
    ("天津市武清区华芯微电子股份有限公司", "华芯微电子"), ("ＡＢＣ科技有限责任公司", "abc科技"),
    ("美联精工集团", "美联精工"),
])
def test_company_names_are_compared_without_place_and_legal_form(name, key):
    assert company_key(name) == key


def _three(cli):
    for name in RUITUO:
        cli("add", "lead", "--company", name, "--phone", "13820011234", "--region", "武清")
    cli("add", "lead", "--company", "启元生物", "--phone", "13911223344", "--email", "li@qiyuan.example.com")
    cli("add", "lead", "--company", "启元生物有限公司", "--phone", "13700000000")  # the same name, no phone shared
    cli("add", "lead", "--company", "别的公司", "--phone", "13600000000", "--email", "LI@qiyuan.example.com")


def test_dupes_groups_leads_by_phone_email_and_name(cli):
    _three(cli)
    groups = json.loads(cli("lead", "dupes", "--format", "json").stdout)
    assert [g["ids"] for g in groups] == [["l1", "l2", "l3"], ["l4", "l5", "l6"]]
    assert groups[0]["reasons"]["phone"] == ["13820011234"] and "company" in groups[0]["reasons"]
    assert set(groups[1]["reasons"]) == {"email", "company"}
    assert all("****" in lead["phone"] for g in groups for lead in g["leads"])  # masked unless --reveal
    assert "13820011234" in cli("lead", "dupes", "--reveal").stdout
    table = cli("lead", "dupes").stdout
    assert "3 leads, same 电话、企业名称:" in table and "瑞拓精密（天津）有限公司" in table


def test_merge_keeps_every_note_and_move_in_time_order_and_logs_it(cli):
    _three(cli)
    cli("lead", "note", "l1", "第一次电话", env={"ZHAOSHANG_USER": "张三"})
    cli("lead", "status", "l2", "contacted", env={"ZHAOSHANG_USER": "李四"})
    cli("lead", "note", "l3", "对方要求厂房", env={"ZHAOSHANG_USER": "王五"})
    cli("edit", "l2", "--industry", "高端装备", "--owner", "李四")
    said = cli("lead", "merge", "l1", "l2", "l3", env={"ZHAOSHANG_USER": "张三"})
    assert "l2、l3 merged into l1" in said.stderr
    lead = cli.json("show", "l1")
    assert (lead["industry"], lead["owner"], lead["status"]) == ("高端装备", "李四", "new")
    assert [(n["text"], n["by"]) for n in lead["notes"]] == [("第一次电话", "张三"), ("对方要求厂房", "王五")]
    assert [n.get("merged_from") for n in lead["notes"]] == [None, "l3"]
    moves = [(h.get("from"), h["to"], h.get("merged_from")) for h in lead["history"] if "owner" not in h]
    assert ("new", "contacted", "l2") in moves and moves[-1][1] == "new"  # its own status still ends it
    times = [h["at"] for h in lead["history"]]
    assert times == sorted(times)
    for rid in ("l2", "l3"):
        assert cli("show", rid, ok=False).exit_code == 1
        [entry] = [e for e in json.loads(cli("log", rid, "--format", "json").stdout) if e["action"] == "merged"]
        assert entry["into"] == "l1" and entry["by"] == "张三"
    assert "原 l3" in cli("show", "l1").stdout
    assert json.loads(cli("lead", "dupes", "--format", "json").stdout)[0]["ids"] == ["l4", "l5", "l6"]


def test_merge_refuses_what_it_cannot_do(cli):
    _three(cli)
    cli("add", "article", "--title", "某文章", "--region", "武清", "--date", "2025-07-01")
    before = cli.state()
    assert cli("lead", "merge", "l1", "l1", ok=False).exit_code == 2
    assert cli("lead", "merge", "l1", "a1", ok=False).exit_code == 1
    assert cli("lead", "merge", "l1", "l99", ok=False).exit_code == 1
    assert cli.state() == before


def test_an_import_warns_of_a_new_lead_that_looks_like_a_stored_one(cli, tmp_path):
    cli("add", "lead", "--company", RUITUO[0], "--phone", "13820011234")
    sheet = tmp_path / "leads.csv"
    sheet.write_text(f"企业名称,联系电话\n{RUITUO[1]},13820011234\n新公司,13900001111\n{RUITUO[2]},13700002222\n",
                     "utf-8")
    result = cli("import", str(sheet))
    warnings = [line for line in result.stderr.splitlines() if "looks like" in line]
    assert len(warnings) == 2
    assert warnings[0].endswith("leads.csv:2: the new lead l2 looks like l1 (same 电话): "
                                "`zhaoshang lead merge l1 l2` folds it in")
    assert "l4 looks like l2 (same 企业名称)" in warnings[1]
