import json
import os

import pytest
from conftest import EXAMPLES

from zhaoshang_cli.storage.tinydb import commit

pytestmark = pytest.mark.backends


def jsonl_rows(n=20, bad_line=None):
    rows = []
    for i in range(1, n + 1):
        rows.append({"title": f"西青区集成电路项目{i}", "region": "西青",
                     "date": "2025-13-45" if i == bad_line else f"2025-07-{i:02d}",
                     "url": f"https://example.org/{i}.html", "body": f"第{i}篇正文"})
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"


def test_one_bad_row_and_nothing_is_written(cli, tmp_path):
    cli("add", "article", "--title", "已有文章", "--region", "武清", "--date", "2025-07-01")
    before = cli.state()
    batch = tmp_path / "batch.jsonl"
    batch.write_text(jsonl_rows(bad_line=7), "utf-8")
    result = cli("import", str(batch), ok=False)
    assert result.exit_code == 1
    assert f"{batch}:7: date: no such date '2025-13-45'" in result.stderr
    assert "0 added" in result.stderr and "1 invalid" in result.stderr
    assert cli.state() == before
    result = cli("import", str(batch), "--skip-invalid")
    assert result.exit_code == 0 and "19 added" in result.stderr and "1 invalid" in result.stderr
    assert cli("list", "articles", "--format", "count").stdout.strip() == "20"


def test_every_bad_row_is_reported(cli, tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text('{"title": "a", "region": "火星", "date": "2025-07-01"}\nnot json\n[1]\n'
                     '{"company": "某公司", "phone": "123"}\n', "utf-8")
    result = cli("import", str(batch), ok=False)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: " + str(batch))]
    assert [line.split(":")[2] for line in lines] == ["1", "2", "3", "4"]
    assert "region: unknown region '火星'" in result.stderr and "phone" in lines[3]


def test_importing_twice_changes_nothing(cli):
    files = [str(EXAMPLES / n) for n in ("articles.jsonl", "policies.json", "leads.csv")]
    cli("import", *files)
    before = cli.state()
    result = cli("import", *files)
    assert "0 added, 0 updated, 63 unchanged" in result.stderr
    assert cli.state() == before


def test_gb18030_csv_with_chinese_headers_needs_no_encoding(cli):
    raw = (EXAMPLES / "leads.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    cli("import", str(EXAMPLES / "leads.csv"))
    leads = cli.json("list", "leads", "--sort", "id")
    assert len(leads) == 18
    first = leads[0]
    assert first["company"] == "天津瑞拓精密机械有限公司" and first["amount"] == 120_000_000
    assert first["region"] == "武清区" and first["status"] == "negotiating" and first["need"] == "买地自建"
    assert first["notes"][0]["text"] == "计划建设精密数控机床生产基地"


def test_utf8_bom_and_forced_encoding(cli, tmp_path):
    text = "标题,所属地区,发布日期\n武清新闻,武清,2025-07-01\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "gbk.csv").write_bytes(text.replace("武清新闻", "武清新闻二").encode("gbk"))
    cli("import", str(tmp_path / "bom.csv"))
    cli("import", str(tmp_path / "gbk.csv"), "--encoding", "gbk")
    assert cli("list", "articles", "--format", "count").stdout.strip() == "2"
    assert cli("import", str(tmp_path / "gbk.csv"), "--encoding", "klingon", ok=False).exit_code == 1


def test_unknown_columns_are_reported_and_kept_ignored_or_refused(cli, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("标题,地区,日期,阅读量\n武清新闻,武清,2025-07-01,120\n", "utf-8")
    refused = cli("import", str(sheet), "--extra", "error", ok=False)
    assert refused.exit_code == 1 and "阅读量" in refused.stderr
    kept = cli("import", str(sheet))
    assert "阅读量" in kept.stderr
    assert cli.json("show", "a1")["extra"] == {"阅读量": "120"}
    assert cli("import", str(sheet), "--extra", "maybe", ok=False).exit_code == 2


def test_kind_from_option_column_structure_or_fields(cli, tmp_path):
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps({
        "articles": [{"title": "文章甲", "region": "武清", "date": "2025-07-01"}],
        "policies": [{"title": "政策乙", "region": "天津", "date": "2025-07-01"}],
        "leads": [{"company": "线索丙", "phone": "13800000001"}],
    }, ensure_ascii=False), "utf-8")
    cli("import", str(mixed))
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"kind": "policy", "title": "政策丁", "region": "天津", "date": "2025-07-02"}\n'
                    '{"title": "措施戊", "issuer": "天津市人民政府", "region": "天津", "date": "2025-07-03"}\n'
                    '{"企业名称": "线索己", "手机": "13800000002"}\n', "utf-8")
    cli("import", str(rows))
    forced = tmp_path / "forced.csv"
    forced.write_text("title,region,date\n政策庚,天津,2025-07-04\n", "utf-8")
    cli("import", str(forced), "--kind", "policy")
    assert [p["title"] for p in cli.json("list", "policies", "--sort", "id")] == ["政策乙", "政策丁", "措施戊",
                                                                                 "政策庚"]
    assert [lead["company"] for lead in cli.json("list", "leads", "--sort", "id")] == ["线索丙", "线索己"]


def test_on_conflict_update_and_error(cli, tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text(jsonl_rows(3), "utf-8")
    cli("import", str(batch))
    changed = tmp_path / "c.jsonl"
    changed.write_text(jsonl_rows(3).replace("第2篇正文", "第2篇正文（修订）"), "utf-8")
    assert "1 updated, 2 unchanged" in cli("import", str(changed), "--on-conflict", "update").stderr
    assert cli.json("show", "a2")["body"] == "第2篇正文（修订）"
    before = cli.state()
    refused = cli("import", str(changed), "--on-conflict", "error", ok=False)
    assert refused.exit_code == 1 and "already stored as a1" in refused.stderr
    assert cli.state() == before


def test_dry_run_writes_nothing(cli, tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text(jsonl_rows(5), "utf-8")
    result = cli("import", str(batch), "--dry-run")
    assert "dry run" in result.stderr and "5 added" in result.stderr
    assert not cli.exists()


def test_stdin(cli):
    result = cli("import", "-", "--format", "jsonl", input=jsonl_rows(4))
    assert "4 added" in result.stderr
    assert cli("import", "-", input="x", ok=False).exit_code == 2  # stdin needs a format if it is not JSON


def test_export_import_export_is_byte_identical(cli, tmp_path):
    cli("import", *(str(EXAMPLES / n) for n in ("articles.jsonl", "policies.json", "leads.csv")))
    cli("edit", "l3", "--status", "visited", "--note", "第二次考察")
    cli("rm", "a2", "p3", "--yes")  # gaps in the IDs must survive the round trip
    for kind in ("articles", "policies", "leads"):
        first = cli("export", kind).stdout
        other = tmp_path / f"{kind}.json"
        fresh = cli.__class__(other)
        src = tmp_path / f"{kind}.jsonl"
        src.write_text(first, "utf-8")
        fresh("import", str(src))
        assert fresh("export", kind).stdout == first, kind


def test_csv_export_is_safe_for_spreadsheets_and_round_trips(cli, tmp_path):
    cli("add", "article", "--title", "=HYPERLINK(\"http://evil\")", "--region", "武清", "--date", "2025-07-01",
        "--summary", "+1 和 -2", "--tags", "@a,b")
    out = tmp_path / "a.csv"
    cli("export", "articles", "--format", "csv", "--excel", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    text = raw.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1 和 -2" in text and "'@a,b" in text
    other = cli.__class__(tmp_path / "other.json")
    other("import", str(out))
    assert other.json("show", "a1")["title"] == "=HYPERLINK(\"http://evil\")"
    assert other.json("show", "a1")["tags"] == ["@a", "b"]


def test_csv_export_of_leads_round_trips_notes_history_extra_and_apostrophes(examples, tmp_path):
    examples("edit", "l3", "--status", "visited", "--note", "第二次考察")
    examples("edit", "l5", "--industry", "'=已加撇号")
    sheet = tmp_path / "extra.csv"
    sheet.write_text("企业名称,联系电话,微信\n某某科技有限公司,13700001111,wx_1\n", "utf-8")
    examples("import", str(sheet))
    out = tmp_path / "leads.csv"
    examples("export", "leads", "--format", "csv", "-o", str(out))
    assert "''=已加撇号" in out.read_text("utf-8")
    fresh = examples.__class__(tmp_path / "fresh.json")
    fresh("import", str(out))
    assert fresh("export", "leads").stdout == examples("export", "leads").stdout


def test_a_plain_notes_column_is_a_note_and_a_plain_extra_column_is_kept(cli, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("企业名称,联系电话,备注,extra\n某某科技,13700001111,[不是 JSON,推荐人张三\n", "utf-8")
    cli("import", str(sheet))
    lead = cli.json("show", "l1")
    assert [n["text"] for n in lead["notes"]] == ["[不是 JSON"] and lead["extra"] == {"extra": "推荐人张三"}


def test_exporting_leads_warns_about_personal_data(examples, tmp_path):
    result = examples("export", "leads", "-o", str(tmp_path / "l.jsonl"))
    assert "personal data" in result.stderr
    assert (tmp_path / "l.jsonl").stat().st_mode & 0o777 == 0o600


@pytest.mark.tinydb
def test_ten_thousand_records_are_one_store_write(cli, tmp_path, monkeypatch):
    batch = tmp_path / "big.jsonl"
    batch.write_text("".join(
        json.dumps({"title": f"项目{i}", "region": "滨海新区", "date": "2025-07-01", "body": "正文" * 50},
                   ensure_ascii=False) + "\n" for i in range(10_000)), "utf-8")
    writes = []
    real = commit.atomic_write
    monkeypatch.setattr(commit, "atomic_write", lambda *a, **k: (writes.append(a[0]), real(*a, **k)))
    result = cli("import", str(batch))
    assert "10000 added" in result.stderr
    assert [w for w in writes if w == cli.db] == [cli.db]


def test_province_and_city_columns_settle_ambiguous_region_names(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,省份,城市,意向地区\n沈阳客户,13800000001,辽宁,沈阳,和平区\n"
                     "天津客户,13800000002,天津,,和平区\n无省份客户,13800000003,,,和平区\n", "utf-8")
    result = cli("import", str(sheet), "--skip-invalid")
    assert f"{sheet}:4: region: '和平区' is ambiguous" in result.stderr
    codes = {lead["company"]: lead["region_code"] for lead in cli.json("list", "leads")}
    assert codes == {"沈阳客户": "210102", "天津客户": "120101"}


def test_province_and_city_columns_are_parents_a_region_must_lie_in(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,省份,城市,意向地区\n对的,13800000001,辽宁,沈阳,和平区\n"
                     "错的,13800000002,北京,,武清\n错城,13800000003,天津,沈阳,和平区\n", "utf-8")
    result = cli("import", str(sheet), ok=False)
    assert result.exit_code == 1 and not cli.exists()
    assert f"error: {sheet}:3: region: 武清 is not in 北京市\n" in result.stderr
    assert f"error: {sheet}:4: city: 沈阳 is not in 天津市\n" in result.stderr


def _parallel_batch(path, count=5000):
    rows = [{"title": f"滨海新区重点项目第{i}号", "region": "滨海新区", "date": f"2025-07-{i % 28 + 1:02d}",
             "url": f"https://example.org/p/{i}.html", "body": f"第{i}号项目落户生物医药产业园。" * (i % 5 + 1)}
            for i in range(count)]
    rows[4321 % count]["date"] = "2025-13-01"
    rows[7]["body"] = "Ｂｉｏ-Tech ＡＩ 项目 \\u4e2d \" 引号"  # folded by the search form, escaped in the log
    path.write_text("".join(json.dumps(r, ensure_ascii=i % 2 == 0) + "\n" for i, r in enumerate(rows)), "utf-8")
    return path


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the second import process is forked")
@pytest.mark.parametrize("share, step", [(0.5, 0.1), (0.0, 0.0), (1.0, 0.0)])
def test_a_big_import_read_by_a_second_process_stores_what_one_process_stores(tmp_path, monkeypatch, share, step):
    """Inputs from import_worker.PARALLEL_BYTES are read and validated by a forked process
    while this one stores them; the bodies' searched forms are worked out by either (by
    the second process for a share that follows which of them waits for the other): the
    same records, the same bodies found by --text, the same report of bad rows as one
    process gives."""
    from conftest import Cli

    from zhaoshang_cli.service import import_worker

    batch = _parallel_batch(tmp_path / "batch.jsonl")
    monkeypatch.setattr(import_worker, "SHARE", share)
    monkeypatch.setattr(import_worker, "STEP", step)
    monkeypatch.setattr("zhaoshang_cli.io.importers.inputs.CHUNK", 400)  # many results: the share moves

    def run(name: str, parallel: bool) -> tuple[Cli, str]:
        monkeypatch.setattr(import_worker, "worth_it", lambda size: parallel)
        cli = Cli(tmp_path / name / "z.json")
        refused = cli("import", str(batch), ok=False).stderr
        cli("import", str(batch), "--skip-invalid")
        return cli, refused

    one, one_refused = run("one", False)
    two, two_refused = run("two", True)
    assert two_refused == one_refused and "batch.jsonl:4322" in two_refused

    def stored(cli: Cli) -> list[dict]:
        return [{k: v for k, v in json.loads(line).items() if not k.endswith("_at")}  # the times of the runs differ
                for line in cli("export", "articles").stdout.splitlines()]

    assert stored(two) == stored(one) and len(stored(two)) == 4999
    for word in ("第4999号项目", "生物医药", "滨海新区重点项目第12号", "ｂｉｏ-TECH ａｉ", "\\u4e2d \" 引"):
        found = two("list", "articles", "--text", word, "--format", "ids").stdout
        assert found == one("list", "articles", "--text", word, "--format", "ids").stdout and found.strip()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the second import process is forked")
def test_a_second_process_that_dies_stops_the_import_and_nothing_is_saved(tmp_path, monkeypatch):
    """The process reading the rows killed half-way (the system short of memory): one line
    that says so, exit 1, and the store as it was."""
    import signal

    from conftest import Cli

    from zhaoshang_cli.service import import_worker, imports

    batch = _parallel_batch(tmp_path / "batch.jsonl")
    monkeypatch.setattr(import_worker, "worth_it", lambda size: True)
    monkeypatch.setattr("zhaoshang_cli.io.importers.inputs.CHUNK", 400)
    prepare, calls = imports.prepare, []

    def dies_at_the_fourth_chunk(rows, options):
        calls.append(1)  # counted in the second process, which alone prepares
        if len(calls) == 4:
            os.kill(os.getpid(), signal.SIGKILL)
        return prepare(rows, options)

    monkeypatch.setattr(imports, "prepare", dies_at_the_fourth_chunk)
    cli = Cli(tmp_path / "z.json")
    cli("add", "article", "--title", "已有文章", "--region", "武清", "--date", "2025-07-01")
    before = cli.state()
    result = cli("import", str(batch), "--skip-invalid", ok=False)
    assert result.exit_code == 1 and "killed by signal 9" in result.stderr and "nothing was saved" in result.stderr
    assert "Traceback" not in result.stderr and cli.state() == before
    assert cli("list", "articles", "--format", "count").stdout.strip() == "1"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the second import process is forked")
def test_an_import_killed_leaves_no_second_process_behind(tmp_path):
    """SIGKILL of the importing process: the one reading for it notices at its next result
    and ends; the store is as it was."""
    import signal
    import subprocess
    import sys
    import time

    batch = _parallel_batch(tmp_path / "batch.jsonl", count=60000)
    store = tmp_path / "z.json"
    script = ("import sys; from zhaoshang_cli.service import import_worker; import_worker.worth_it = lambda s: True; "
              "from zhaoshang_cli.cli.app import main; sys.argv = ['zhaoshang', *sys.argv[1:]]; main()")
    proc = subprocess.Popen([sys.executable, "-c", script, "--db", str(store), "import", str(batch), "--skip-invalid"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            try:
                fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1] == str(proc.pid):
                found.append(int(entry))
        return found

    deadline = time.monotonic() + 30
    while not children() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = children()
    assert workers, "the import ended before its second process was seen"
    time.sleep(0.3)  # both at work
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def running(pid: int) -> bool:
        try:
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 20
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(running, workers))
    if store.exists():
        from conftest import Cli

        assert Cli(store)("list", "articles", "--format", "count", ok=False).stdout.strip() in ("", "0")


def test_a_jsonl_file_that_stops_being_utf8_names_the_line(cli, tmp_path, monkeypatch):
    """UTF-8 rows first (more than the first block), then a row in GB18030: refused whole,
    naming that row's line; the store untouched."""
    monkeypatch.setattr("zhaoshang_cli.io.importers.inputs.BLOCK", 4096)
    batch = tmp_path / "mixed.jsonl"
    good = jsonl_rows(n=900).encode("utf-8")
    bad = json.dumps({"title": "武清区招商推介会", "region": "武清", "date": "2025-07-01"}, ensure_ascii=False)
    batch.write_bytes(good + bad.encode("gb18030") + b"\n" + good)
    before = cli.state()
    result = cli("import", str(batch), ok=False)
    assert result.exit_code == 1 and f"{batch}: from line 901 on it is not UTF-8" in result.stderr
    assert cli.state() == before
