import json

import pytest
from conftest import EXAMPLES

pytestmark = pytest.mark.backends

TIANJIN_TAGS = ("【武清招商】", "【滨海新区招商】", "【西青区招商】", "【津南区招商】",
                "【东丽区招商】", "【北辰区招商】", "【宝坻区招商】", "【蓟州区招商】",
                "【静海区招商】", "【和平区招商】", "【河东区招商】", "【天津招商】")


def example_articles():
    return [json.loads(line) for line in (EXAMPLES / "articles.jsonl").read_text("utf-8").splitlines() if line]


def test_region_and_date_filter_returns_exactly_the_tianjin_articles(examples):
    expected = sorted(a["title"] for a in example_articles()
                      if a["title"].startswith(TIANJIN_TAGS) and a["date"] >= "2025-07-01")
    rows = examples.json("list", "articles", "--region", "天津", "--since", "2025-07-01")
    assert sorted(r["title"] for r in rows) == expected
    regions = {r["region"] for r in rows}
    assert {"武清区", "滨海新区", "天津市"} <= regions
    assert all(r["region_code"].startswith("12") and r["date"] >= "2025-07-01" for r in rows)


def test_a_zone_stays_a_zone_beside_its_district(examples):
    by_district = examples.json("list", "articles", "--region", "武清")
    assert len(by_district) == 5 and {r["region_code"] for r in by_district} == {"120114"}
    by_zone = examples.json("list", "articles", "--region", "武清开发区")
    assert [(r["region"], r["zone"]) for r in by_zone] == [("武清区", "天津武清经济技术开发区")]
    sibling = examples.json("list", "articles", "--region", "武清商务区")
    assert [r["zone"] for r in sibling] == ["武清商务区"] and sibling[0]["id"] != by_zone[0]["id"]
    in_tianjin = examples("list", "articles", "--region", "天津", "--format", "ids").stdout.split()
    assert by_zone[0]["id"] in in_tianjin and sibling[0]["id"] in in_tianjin
    both = examples.json("list", "articles", "--region", "武清", "--region", "西青")
    assert len(both) == 8


@pytest.mark.parametrize("since", ["2025年07月01日", "2025/7/1", "2025-07-01", "2025.7.1", "2025-07"])
def test_every_date_form_gives_the_same_result(examples, since):
    expected = examples("list", "articles", "--since", "2025-07-01", "--format", "ids").stdout
    assert examples("list", "articles", "--since", since, "--format", "ids").stdout == expected


def test_an_impossible_date_is_one_line_exit_1(examples):
    before = examples.state()
    result = examples("list", "articles", "--since", "2025-13-45", ok=False)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "2025-13-45" in result.stderr and "--since" in result.stderr
    assert "Traceback" not in result.stderr
    assert examples.state() == before


def test_until_on_and_month(examples):
    july = examples.json("list", "articles", "--month", "2025-07")
    assert july and all(r["date"].startswith("2025-07") for r in july)
    assert examples.json("list", "articles", "--since", "2025-07-01", "--until", "2025-07-31") == july
    assert examples.json("list", "articles", "--on", "2025年7月") == july
    day = examples.json("list", "articles", "--on", "2025-07-29")
    assert len(day) == sum(a["date"] == "2025-07-29" for a in example_articles())
    result = examples("list", "articles", "--on", "2025-07-29", "--month", "2025-07", ok=False)
    assert result.exit_code == 2


def test_text_searches_titles_and_bodies(examples):
    in_title = examples.json("list", "articles", "--text", "跨境电商")
    assert [r["title"] for r in in_title] == ["【武清招商】武清商务区引进跨境电商企业15家"]
    in_body = examples.json("list", "articles", "--text", "飞机租赁业务累计")
    assert len(in_body) == 1 and "东疆" in in_body[0]["title"]
    assert examples.json("list", "leads", "--text", "洁净厂房")[0]["company"].startswith("华芯微电子")


def test_sort_limit_and_formats(examples):
    rows = examples.json("list", "articles", "--sort", "date", "--limit", "3")
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows) and len(rows) == 3
    assert examples("list", "articles", "--format", "count").stdout.strip() == "33"
    for filters in (["--text", "招商"], ["--region", "天津", "--since", "2025-07-01"], ["--where", "source="]):
        ids = examples("filter", *filters, "--format", "ids").stdout.split()
        assert examples("filter", *filters, "--format", "count").stdout == f"{len(ids)}\n" and ids, filters
        for limit in ("0", "2", "1000"):  # the store counts: a limit caps the number, as it caps a listing
            capped = examples("filter", *filters, "--limit", limit, "--format", "count").stdout
            assert capped == f"{min(len(ids), int(limit))}\n", (filters, limit)
    refused = examples("list", "articles", "--format", "count", "--sort", "bogus", ok=False)
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    jsonl = examples("list", "policies", "--format", "jsonl").stdout.splitlines()
    assert len(jsonl) == 12 and json.loads(jsonl[0])["kind"] == "policy"
    csv_out = examples("list", "leads", "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("id,kind,company")
    assert examples("list", "articles", "--sort", "colour", ok=False).exit_code == 2
    assert examples("list", "articles", "--format", "xml", ok=False).exit_code == 2


def test_filter_spans_all_kinds_with_a_kind_column(examples):
    out = examples("filter", "--region", "武清", "--month", "2025-07").stdout
    assert "类型" in out and "文章" in out and "政策" in out and "线索" in out
    rows = examples.json("filter", "--region", "武清", "--month", "2025-07")
    assert {r["kind"] for r in rows} == {"article", "policy", "lead"}
    leads = examples.json("filter", "--status", "signed")
    assert leads and {r["kind"] for r in leads} == {"lead"}


def test_singular_plural_and_chinese_kind_names(examples):
    assert examples.json("list", "article") == examples.json("list", "articles") == examples.json("list", "文章")
    result = examples("list", "nosuchkind", ok=False)
    assert result.exit_code == 2 and "unknown kind" in result.stderr


def test_add_show_edit_rm(cli):
    rid = cli("add", "policy", "--title", "武清区关于支持总部经济的若干措施", "--region", "武清",
              "--date", "2025年7月2日", "--doc-no", "武清政办发[2025]5号", "--issuer", "武清区人民政府办公室",
              "--effective", "2025-07-02", "--body", "第一条 总则。").stdout.strip()
    assert rid == "p1"
    record = cli.json("show", "p1")
    assert (record["doc_no"] == "武清政办发〔2025〕5号" and record["region"] == "武清区"
            and record["body"] == "第一条 总则。")
    shown = cli("show", "p1").stdout
    assert "第一条 总则" in shown and "天津市武清区 (120114)" in shown
    cli("edit", "p1", "--region", "天津 和平区", "--expiry", "2027-12-31")
    record = cli.json("show", "p1")
    assert record["region_code"] == "120101" and record["expiry"] == "2027-12-31"
    bad = cli("edit", "p1", "--expiry", "2020-01-01", ok=False)
    assert bad.exit_code == 1 and "before effective" in bad.stderr
    assert cli("edit", "p1", "--company", "x", ok=False).exit_code == 2
    assert cli("rm", "p1", ok=False).exit_code == 2  # not at a terminal: needs --yes
    cli("rm", "p1", "--yes")
    assert cli("show", "p1", ok=False).exit_code == 1


def test_body_from_file_and_stdin(cli, tmp_path):
    body = tmp_path / "body.txt"
    body.write_text("一、总体要求\n二、主要任务\n", "utf-8")
    cli("add", "article", "--title", "标题一", "--region", "西青", "--date", "today", "--body-file", str(body))
    cli("add", "article", "--title", "标题二", "--region", "西青", "--date", "today", "--body-file", "-",
        input="来自标准输入的正文")
    assert cli.json("show", "a1")["body"] == "一、总体要求\n二、主要任务\n"
    assert cli.json("show", "a2")["body"] == "来自标准输入的正文"
    missing = cli("add", "article", "--title", "x", "--region", "西青", "--date", "today", "--body-file",
                  str(tmp_path / "nope.txt"), ok=False)
    assert missing.exit_code == 1 and "nope.txt" in missing.stderr


def test_add_validates_every_field(cli):
    result = cli("add", "lead", "--company", "某公司", "--phone", "12345", "--email", "x@", "--amount", "很多",
                 "--status", "maybe", "--region", "和平区", ok=False)
    assert result.exit_code == 1
    for word in ("phone", "email", "amount", "status", "ambiguous"):
        assert word in result.stderr
    assert not cli.exists()
    missing = cli("add", "article", "--title", "没有地区", ok=False)
    assert missing.exit_code == 2 and "--region" in missing.stderr


def test_add_refuses_a_duplicate(cli):
    args = ("add", "article", "--title", "同一篇文章", "--region", "武清", "--date", "2025-07-01")
    cli(*args)
    again = cli(*args, ok=False)
    assert again.exit_code == 1 and "a1" in again.stderr


def test_lead_amounts_and_masking(cli):
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13812345678", "--email", "wang@example.com",
        "--amount", "1.2亿元", "--need", "注册公司", "--region", "武清开发区")
    lead = cli.json("show", "l1")
    assert lead["amount"] == 120_000_000 and lead["need"] == "公司注册" and lead["status"] == "new"
    table = cli("list", "leads").stdout
    assert "138****5678" in table and "13812345678" not in table and "1.2亿元" in table
    assert "13812345678" in cli("list", "leads", "--reveal").stdout
    assert "wang@example.com" not in cli("show", "l1").stdout
    assert "wang@example.com" in cli("show", "l1", "--reveal").stdout


HOSTILE = "[bold]x[/bold] \x1b[31mred\x1b[0m \x1b]8;;http://evil/\x07link \u202eevil\x00"


def test_hostile_text_is_shown_inert(cli):
    cli("add", "article", "--title", HOSTILE, "--region", "武清", "--date", "2025-07-01", "--body", HOSTILE)
    for out in (cli("list", "articles").stdout, cli("show", "a1").stdout, cli("filter").stdout):
        assert "[bold]x[/bold]" in out
        assert "\x1b" not in out and "\u202e" not in out and "\x00" not in out and "\x07" not in out
        assert "\\x1b" in out
    assert json.loads(cli("show", "a1", "--format", "json").stdout)["title"] == HOSTILE


def test_tables_stay_aligned_at_80_columns_with_long_cjk_titles(examples):
    from rich.cells import cell_len

    for kind in ("articles", "policies", "leads"):
        lines = examples("list", kind).stdout.splitlines()
        assert all(cell_len(line) <= 80 for line in lines), kind
        assert len(lines) == 2 + {"articles": 33, "policies": 12, "leads": 18}[kind]  # never wrapped
    assert "…" in examples("list", "policies").stdout


def test_regions_command(cli):
    out = cli("regions", "武清开发区").stdout
    assert "120114" in out and "武清区" in out
    ambiguous = cli("regions", "和平区", ok=False)
    assert ambiguous.exit_code == 1 and "120101" in ambiguous.stdout and "210102" in ambiguous.stdout
    assert "120101" in cli("regions", "和平区", "--in", "天津").stdout
    unknown = cli("regions", "滨海心区", ok=False)
    assert unknown.exit_code == 1 and "滨海新区" in unknown.stderr
    children = json.loads(cli("regions", "天津", "--format", "json").stdout)
    assert len(children["children"]) == 16 and children["region"]["code"] == "120000"


@pytest.mark.tinydb
def test_a_missing_store_is_an_error(cli):
    for args in (["list", "articles"], ["filter"], ["show", "a1"], ["report"], ["export", "leads"], ["edit", "a1",
                 "--title", "x"], ["rm", "a1", "--yes"], ["lead", "note", "l1", "x"], ["config", "get", "region"]):
        result = cli(*args, ok=False)
        assert result.exit_code == 1 and result.stdout == "", args
        assert result.stderr.startswith(f"error: no store at {cli.db}"), (args, result.stderr)
    assert not cli.db.exists()  # reading never creates the store
    assert cli("regions", "武清").exit_code == 0  # needs no store


def test_an_empty_store_gives_an_empty_answer(cli):
    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    cli("rm", "a1", "--yes")
    result = cli("list", "articles")
    assert result.stdout == "" and result.stderr == "" and result.exit_code == 0  # no note off a terminal
    assert cli("list", "articles", "--format", "json").stdout.strip() == "[]"
    assert cli("filter", "--text", "没有", "--format", "ids").stdout.strip() == ""


def test_at_a_terminal_missing_fields_are_asked_and_rm_confirms(cli, monkeypatch):
    from zhaoshang_cli.cli import common

    monkeypatch.setattr(common, "at_terminal", lambda: True)
    result = cli("add", "article", "--title", "交互式添加", input="武清\n2025年7月1日\n")
    assert result.stdout.strip().endswith("a1")
    assert cli.json("show", "a1")["region"] == "武清区"
    kept = cli("rm", "a1", input="n\n", ok=False)
    assert kept.exit_code == 1 and "nothing deleted" in kept.stderr
    cli("rm", "a1", input="y\n")
    assert cli("show", "a1", ok=False).exit_code == 1


def test_a_bug_is_one_line_and_exit_70_unless_debugging(cli, monkeypatch):
    from zhaoshang_cli.service import records

    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    monkeypatch.setattr(records, "stream", lambda *a, **k: {}["missing"])
    result = cli("list", "articles", ok=False)
    assert result.exit_code == 70 and result.stderr.count("\n") == 1 and "internal error (KeyError" in result.stderr
    with pytest.raises(KeyError):
        cli("list", "articles", env={"ZHAOSHANG_DEBUG": "1"}, ok=False)


@pytest.mark.parametrize("query", [
    ("list", "articles", "--region", "天津", "--since", "2025-07-01"),
    ("list", "articles", "--region", "武清", "--region", "120116", "--until", "2025-07-15", "--sort", "region"),
    ("list", "leads", "--status", "signed", "--status", "lost", "--sort", "-amount"),
    ("list", "leads", "--due-before", "2025-08-05", "--sort", "due"),
    ("list", "policies", "--region", "天津", "--exact-region"),
    ("filter", "--month", "2025-07", "--sort", "id", "--limit", "7"),
    ("filter", "--where", "source=天津招商网", "--sort", "title"),
    ("filter", "--sort", "-title", "--limit", "5"),
    ("list", "articles", "--sort", "-source"),
    ("list", "leads", "--where", "need=厂房", "--where", "source=", "--region", "天津,苏州", "--sort", "-amount"),
])
def test_every_answer_is_what_the_records_themselves_say(examples, query):
    """The engine's answer (index rows, documents, sorting, limits) against a plain reading of
    every exported record."""
    from zhaoshang_cli.domain import sorting
    from zhaoshang_cli.domain.kind import KINDS, kind_named
    from zhaoshang_cli.domain.regions import table

    options: dict[str, list[str]] = {}
    args = list(query[2:] if query[0] == "list" else query[1:])
    while args:
        name, value = args.pop(0), (args.pop(0) if args and not args[0].startswith("--") else "")
        options.setdefault(name, []).append(value)
    kinds = [kind_named(query[1])] if query[0] == "list" else list(KINDS.values())
    records = [r for kind in kinds for r in examples.json("export", kind.plural)]
    places = [(region.code if "--exact-region" in options else region.prefix)
              for value in options.get("--region", []) for region in table().resolve_list(value)]
    month = options.get("--month", [""])[0]

    def keep(r: dict) -> bool:
        code = r.get("region_code") or ""
        if places and not any(code == p if "--exact-region" in options else code.startswith(p) for p in places):
            return False
        if month and not (r.get("date") or "").startswith(month):
            return False
        if "--since" in options and not (r.get("date") or "") >= options["--since"][0]:
            return False
        if "--until" in options and not "" < (r.get("date") or "") <= options["--until"][0]:
            return False
        if "--status" in options and r.get("status") not in options["--status"]:
            return False
        if "--due-before" in options and not ("" < (r.get("due") or "") <= options["--due-before"][0]
                                              and r.get("status") not in ("signed", "lost")):
            return False
        for item in options.get("--where", []):
            field, _, wanted = item.partition("=")
            if field not in r or (r[field] or "") != {"厂房": "厂房租赁"}.get(wanted, wanted):
                return False
        return True

    order = sorting.parse(options.get("--sort", ["-date"])[0])
    key, reverse = order.key()
    expected = sorted((r for r in records if keep(r)), key=lambda r: key(KINDS[r["kind"]], int(r["id"][1:]), r),
                      reverse=reverse)[: int(options.get("--limit", ["0"])[0]) or None]
    got = examples.json(*query)
    assert [r["id"] for r in got] == [r["id"] for r in expected] and got


def test_where_selects_by_any_field(examples):
    def ids(*args):
        return examples("filter", *args, "--sort", "id", "--format", "ids").stdout.split()

    leads = examples.json("list", "leads", "--sort", "id")
    biotech = [lead["id"] for lead in leads if lead["industry"] == "生物医药"]
    assert len(biotech) == 2 and ids("--where", "industry=生物医药") == biotech
    plant_or_land = [lead["id"] for lead in leads if lead["need"] in ("厂房租赁", "买地自建")]
    assert ids("-w", "need=厂房", "-w", "need=买地自建") == plant_or_land  # one field: any of its values
    no_source = [lead["id"] for lead in leads if not lead["source"]]
    assert ids("--where", "source=", "--kind", "lead") == no_source
    plant = [lead["id"] for lead in leads if lead["need"] == "厂房租赁"]
    assert ids("--where", "need=厂房", "--where", "source=") == [i for i in plant if i in no_source]  # all fields
    site = [a["id"] for a in examples.json("list", "articles", "--sort", "id") if a["source"] == "天津招商网"]
    assert len(site) == 9 and ids("--where", "source=天津招商网") == site
    for bad, code, message in [("industry", 2, "'industry' is not FIELD=VALUE"),
                               ("colour=red", 2, "no kind of record has a field 'colour'"),
                               ("date=2025-07-01", 2, "date is compared by its own option"),
                               ("need=" + "在月球背面建一座研发中心" * 2, 1,
                                "--where need: '在月球背面建一座研发中心在月球背面建一座…' "
                                "is longer than 20 characters; "
                                "write it briefly, usually one of: 买地自建, 厂房租赁, 标准厂房")]:
        result = examples("list", "leads", "--where", bad, ok=False)
        assert result.exit_code == code and result.stderr.count("\n") == 1 and message in result.stderr, bad
    assert ids("--where", "need=月球") == []  # a need is an open list: any short text is a need
