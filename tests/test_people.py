"""People in the data: who made each change (``by``), who owns a lead (``owner``), and the
person's own settings (`config set user`), on both backends."""

import getpass
import json

import pytest

pytestmark = pytest.mark.backends

ZHANG, LI = {"ZHAOSHANG_USER": "张三"}, {"ZHAOSHANG_USER": "李四"}


def _lead(cli, company="天津瑞拓精密机械有限公司", phone="13820011234", *more, env=ZHANG):
    return cli("add", "lead", "--company", company, "--phone", phone, "--region", "武清", *more, env=env).stdout.strip()


def test_each_change_names_who_made_it(cli):
    rid = _lead(cli)
    cli("lead", "status", rid, "contacted", "-m", "电话联系", env=LI)
    cli("lead", "note", rid, "约了下周考察", env=ZHANG)
    cli("edit", rid, "--industry", "高端装备", env=LI)
    lead = cli.json("show", rid)
    assert lead["created_by"] == "张三" and lead["updated_by"] == "李四"
    assert [(h.get("from"), h["to"], h["by"]) for h in lead["history"]] == [
        (None, "new", "张三"), ("new", "contacted", "李四")]
    assert [(n["text"], n["by"]) for n in lead["notes"]] == [("约了下周考察", "张三")]
    shown = cli("show", rid).stdout
    assert "新线索 → 已联系 · 电话联系（李四）" in shown
    assert "备注 · 约了下周考察（张三）" in shown
    assert "创建 · 新线索（张三）" in shown
    created = next(line for line in shown.splitlines() if line.startswith("创建"))
    assert created.endswith("· 张三")


def test_an_article_names_its_author_too(cli):
    rid = cli("add", "article", "--title", "【武清招商】新项目落地", "--region", "武清", "--date", "2025-07-01",
              env=ZHANG).stdout.strip()
    cli("edit", rid, "--title", "【武清招商】新项目签约落地", env=LI)
    article = cli.json("show", rid)
    assert (article["created_by"], article["updated_by"]) == ("张三", "李四")


def test_the_user_is_the_environment_else_the_own_setting_else_the_login_name(cli, tmp_path):
    cli("config", "set", "user", "王五")  # kept in the person's own config folder
    settings = json.loads((tmp_path / "xdg-config" / "zhaoshang-cli" / "config.json").read_text("utf-8"))
    assert settings == {"user": "王五"}
    assert cli("config", "get", "user").stdout.strip() == "王五"
    rid = _lead(cli, env={})
    assert cli.json("show", rid)["created_by"] == "王五"
    rid = _lead(cli, "另一家公司", "13900001111", env=LI)  # the environment wins
    assert cli.json("show", rid)["created_by"] == "李四"
    assert "李四" in cli("config", env=LI).stdout
    cli("config", "unset", "user")
    rid = _lead(cli, "第三家公司", "13900002222", env={})
    assert cli.json("show", rid)["created_by"] == getpass.getuser()
    lines = cli("config", env={"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}).stdout.splitlines()
    assert "(your login name)" in next(line for line in lines if line.startswith("user "))
    assert "(your locale)" in next(line for line in lines if line.startswith("language "))  # not the login name


def test_a_name_that_is_no_name_is_refused(cli):
    result = cli("config", "set", "user", "x" * 41, ok=False)
    assert result.exit_code == 2 and "at most 40 characters" in result.stderr
    result = cli("list", "leads", "--owner", " ", ok=False)
    assert result.exit_code == 2 and "--owner" in result.stderr


def test_owners_assign_list_mine_and_report_agree(cli):
    a = _lead(cli, "甲公司", "13800000001", "--owner", "张三")
    b = _lead(cli, "乙公司", "13800000002", "--owner", "李四")
    c = _lead(cli, "丙公司", "13800000003")
    cli("lead", "assign", c, "张三", env=LI)
    cli("edit", b, "--owner", "张三", env=LI)
    cli("lead", "assign", b, "李四", env=ZHANG)
    lead = cli.json("show", c)
    assert lead["owner"] == "张三"
    assignment = lead["history"][-1]
    assert (assignment["owner"], assignment["by"], assignment["to"]) == ("张三", "李四", "new")
    assert "负责人 → 张三（李四）" in cli("show", c).stdout
    assert [h.get("owner") for h in cli.json("show", b)["history"][1:]] == ["张三", "李四"]

    mine = cli("list", "leads", "--owner", "张三", "--format", "ids").stdout.split()
    assert sorted(mine) == sorted([a, c])
    assert cli("list", "leads", "--mine", "--format", "ids", env=ZHANG).stdout.split() == mine
    assert cli("list", "leads", "--owner", "张三,李四", "--format", "count").stdout.strip() == "3"
    assert cli("filter", "--owner", "李四", "--format", "ids").stdout.split() == [b]  # only leads have owners
    report = json.loads(cli("report", "--by", "owner", "--format", "json").stdout)
    counts = {g["key"]: g["leads"] for g in report["groups"]}
    assert counts == {"张三": 2, "李四": 1}
    mine = json.loads(cli("report", "--mine", "--format", "json", env=ZHANG).stdout)
    assert (mine["total"]["leads"], mine["total"]["articles"]) == (2, 0)
    cli("lead", "assign", a, "--clear")
    assert cli.json("show", a).get("owner") is None
    assert "负责人 → （无）" in cli("show", a).stdout
    assert cli("lead", "assign", a, ok=False).exit_code == 2


def test_assigning_an_article_is_refused(cli):
    rid = cli("add", "article", "--title", "某文章", "--region", "武清", "--date", "2025-07-01").stdout.strip()
    result = cli("lead", "assign", rid, "张三", ok=False)
    assert result.exit_code == 1 and "is an article, not leads" in result.stderr


def test_an_import_reads_the_owner_column_and_names_the_importer(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,负责人,状态\n甲公司,13800000001,张三,已联系\n乙公司,13800000002,李四,\n"
                     "丙公司,13800000003,,\n", "utf-8")
    cli("import", str(sheet), env=LI)
    leads = {lead["company"]: lead for lead in json.loads(cli("list", "leads", "--format", "json").stdout)}
    assert {name: lead.get("owner") for name, lead in leads.items()} == {"甲公司": "张三", "乙公司": "李四",
                                                                          "丙公司": None}
    assert all(lead["created_by"] == "李四" for lead in leads.values())
    assert cli("list", "leads", "--where", "owner=张三", "--format", "count").stdout.strip() == "1"
    sheet.write_text("企业名称,联系电话,状态\n乙公司,13800000002,已考察\n", "utf-8")
    cli("import", str(sheet), "--on-conflict", "update", env=ZHANG)
    lead = leads["乙公司"]
    moved = cli.json("show", lead["id"])
    assert moved["updated_by"] == "张三" and moved["history"][-1]["by"] == "张三"
    assert moved["history"][-1]["source"] == "import"


# -- the change log ---------------------------------------------------------------------------
def _log(cli, *args, env=None):
    return json.loads(cli("log", *args, "--format", "json", env=env).stdout)


def test_the_log_lists_every_change_with_its_author_newest_first(cli):
    rid = _lead(cli)
    cli("lead", "status", rid, "contacted", "-m", "电话联系", env=LI)
    cli("lead", "note", rid, "约了下周考察", env=ZHANG)
    cli("lead", "assign", rid, "李四", env=ZHANG)
    cli("edit", rid, "--amount", "8000万元", "--industry", "高端装备", env=LI)
    cli("lead", "due", rid, "2025-08-01", env=LI)
    entries = _log(cli, rid)
    assert [(e["action"], e["by"]) for e in entries] == [
        ("edited", "李四"), ("edited", "李四"), ("assigned", "张三"), ("noted", "张三"), ("moved", "李四"),
        ("created", "张三")]
    assert entries[-1]["title"] == "天津瑞拓精密机械有限公司"
    assert (entries[-2]["from"], entries[-2]["to"], entries[-2]["note"]) == ("new", "contacted", "电话联系")
    assert (entries[2].get("from"), entries[2]["to"]) == (None, "李四")
    edited = {c["field"]: (c["old"], c["new"]) for c in entries[1]["changes"]}
    assert edited == {"amount": (None, 80_000_000), "industry": (None, "高端装备")}
    assert entries[0]["changes"] == [{"field": "due", "old": None, "new": "2025-08-01"}]
    table = cli("log", rid).stdout
    assert "状态 新线索 → 已联系 · 电话联系" in table and "负责人 （无） → 李四" in table
    assert "投资额 （无） → 8000万元" in table
    assert [e["by"] for e in _log(cli, "--by", "张三")] == ["张三"] * 3
    assert _log(cli, "--since", "2099-01-01") == []
    assert [e["action"] for e in _log(cli, "--limit", "2")] == ["edited", "edited"]
    lines = cli("log", "--format", "csv").stdout.splitlines()
    assert lines[0] == "at,by,action,id,kind,title,batch,file,details" and len(lines) == 7


def test_a_deletion_stays_traceable(cli):
    rid = cli("add", "article", "--title", "【武清招商】某项目落地", "--region", "武清", "--date", "2025-07-01",
              env=ZHANG).stdout.strip()
    cli("rm", rid, "--yes", env=LI)
    assert cli("show", rid, ok=False).exit_code == 1
    deleted, created = _log(cli, rid)
    assert (deleted["action"], deleted["by"], deleted["title"]) == ("deleted", "李四", "【武清招商】某项目落地")
    assert (created["action"], created["by"]) == ("created", "张三")
    assert "删除 · 【武清招商】某项目落地" in cli("log", rid).stdout


def test_a_log_of_nothing_and_bad_options(cli):
    _lead(cli)
    assert "no changes logged for l9" in cli("log", "l9").stderr
    assert cli("log", "x9", ok=False).exit_code == 1
    assert cli("log", "--format", "xml", ok=False).exit_code == 2
    assert cli("log", "--since", "someday", ok=False).exit_code == 1


def _sheet(tmp_path, name, *rows):
    path = tmp_path / name
    path.write_text("企业名称,联系电话,状态,负责人,行业\n" + "".join(",".join(r) + "\n" for r in rows), "utf-8")
    return path


def test_an_import_is_one_entry_and_undo_takes_it_back_exactly(cli, tmp_path):
    first = _sheet(tmp_path, "first.csv", ("甲公司", "13800000001", "", "张三", "化工"),
                   ("乙公司", "13800000002", "", "张三", ""))
    cli("import", str(first), env=ZHANG)
    before = {lead["id"]: lead for lead in json.loads(cli("list", "leads", "--format", "json").stdout)}
    weekly = _sheet(tmp_path, "weekly.csv", ("甲公司", "13800000001", "已联系", "李四", "新材料"),
                    ("丙公司", "13800000003", "", "李四", ""), ("丁公司", "13800000004", "", "", ""))
    cli("import", str(weekly), "--on-conflict", "update", env=LI)
    batch = _log(cli, "--limit", "1")[0]["batch"]  # the import's own entry comes last
    imported = [e for e in _log(cli) if e.get("batch") == batch]
    whole = next(e for e in imported if "id" not in e)
    assert (whole["file"], whole["by"], whole["created"], whole["updated"]) == ("weekly.csv", "李四",
                                                                               {"lead": [[3, 4]]}, 1)
    [one] = [e for e in imported if e.get("id")]
    assert one["id"] == "l1" and {"status", "owner", "industry", "history"} <= {c["field"] for c in one["changes"]}
    assert [e["action"] for e in _log(cli, "l4")] == ["imported"]  # the import that created it
    assert f"导入 weekly.csv：新增 2 条，更新 1 条（批次 {batch}）" in cli("log", env={"COLUMNS": "160"}).stdout

    said = cli("undo", batch, env=ZHANG)
    assert f"undone: import {batch} (weekly.csv): 2 record(s) removed, 1 restored" in said.stderr
    after = {lead["id"]: lead for lead in json.loads(cli("list", "leads", "--format", "json").stdout)}
    assert set(after) == set(before)
    for rid, lead in before.items():
        assert {k: v for k, v in after[rid].items() if k not in ("updated_at", "updated_by")} == \
               {k: v for k, v in lead.items() if k not in ("updated_at", "updated_by")}
    undone = _log(cli, "--batch", batch)
    assert undone[0]["action"] == "undone" and (undone[0]["removed"], undone[0]["restored"]) == (2, 1)
    assert {e["id"] for e in undone if e["action"] == "undone" and e.get("id")} == {"l1", "l3", "l4"}
    assert "already" in cli("undo", batch, ok=False).stderr
    assert "no import 'nope'" in cli("undo", "nope", ok=False).stderr


def test_undo_refuses_an_import_changed_since_unless_forced(cli, tmp_path):
    cli("import", str(_sheet(tmp_path, "a.csv", ("甲公司", "13800000001", "", "", ""))), env=ZHANG)
    cli("lead", "status", "l1", "visited", env=LI)
    refused = cli("undo", ok=False)
    assert refused.exit_code == 1 and "changed since (l1)" in refused.stderr
    assert cli("list", "leads", "--format", "count").stdout.strip() == "1"
    cli("undo", "--force")
    assert cli("list", "leads", "--format", "count").stdout.strip() == "0"
    assert "no import to undo" in cli("undo", ok=False).stderr
