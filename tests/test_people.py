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
    assert "your login name" in cli("config").stdout


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
