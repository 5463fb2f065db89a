"""The team store on PostgreSQL (issue 13): the same output as TinyDB, concurrency done by
the database, roles, copy between backends, the schema, and errors as one line.

Runs against the test run's own server (conftest.pg_server); skipped with the reason where
PostgreSQL's server binaries or psycopg are missing.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, Cli

from zhaoshang_cli.domain.kind import KINDS
from zhaoshang_cli.io import exporters
from zhaoshang_cli.io.exporters import report as report_formats
from zhaoshang_cli.service.groupings import groupings

NOW = "2025-08-20T09:30:00+08:00"
EXAMPLE_FILES = [str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "policies.json"), str(EXAMPLES / "leads.csv")]


@pytest.fixture
def frozen(monkeypatch):
    """One clock for both stores, so that timestamps written by imports and moves agree."""
    from zhaoshang_cli.domain import dates

    monkeypatch.setattr(dates, "now_iso", lambda: NOW)


@pytest.fixture
def both(tmp_path, pg_url, frozen):
    """The examples, imported alike into a TinyDB store and a PostgreSQL store, with the same
    edits, moves and notes made on each."""
    stores = (Cli(tmp_path / "tiny" / "zhaoshang.json"), Cli(pg_url))
    for cli in stores:
        cli("import", *EXAMPLE_FILES)
        cli("lead", "status", "l2", "visited", "--note", "实地考察")
        cli("lead", "note", "l3", "客户关注用电指标")
        cli("edit", "a5", "--tags", "重点,签约")
        cli("rm", "a7", "--yes")
        cli("add", "article", "--title", "新增 ABC 文章", "--region", "武清", "--date", "2025-07-18",
            "--body", "Ǆ ß ﬁ İ Straße 正文")
    return stores


def _commands():
    ids = [f"{k.prefix}{n}" for k in KINDS.values() for n in range(1, 40)]
    yield from (("show", rid) for rid in ids)
    for fmt in exporters.SHOW_FORMATS:
        yield from (("show", rid, "--format", fmt, "--reveal") for rid in ids[::5])
    for kind in ("articles", "policies", "leads"):
        for fmt in exporters.LIST_FORMATS:
            yield "list", kind, "--format", fmt
        for sort in ("date", "-date", "id", "-id", "title", "-title", "region", "-region", "created", "updated",
                     "amount", "-amount", "status", "due", "-company", "tags", "-industry", "source"):
            yield "list", kind, "--sort", sort, "--format", "jsonl", "--reveal"
        yield "list", kind, "--sort", "-date", "--limit", "3"
        for fmt in exporters.EXPORT_FORMATS:
            if fmt not in exporters.BINARY:
                yield "export", kind, "--format", fmt
        yield "export", kind, "--format", "json", "--region", "天津"
        yield "list", kind, "--fields", "id,region,date,title,company,status,amount,tags", "--format", "csv"
        yield "export", kind, "--fields", "id,title,date,region", "--format", "jsonl"
    for filters in (["--region", "天津"], ["--region", "武清开发区"], ["--region", "天津,北京", "--exact-region"],
                    ["--since", "2025-07-01"], ["--until", "2025-06-30"], ["--on", "2025Q3"], ["--month", "2025-07"],
                    ["--text", "招商"], ["--text", "ABC"], ["--text", "abc"], ["--text", "strasse"], ["--text", "100%"],
                    ["--text", "正文"], ["--status", "negotiating", "--status", "signed"],
                    ["--due-before", "2025-09-01"],
                    ["--where", "industry=生物医药"], ["--where", "source="], ["--where", "need=厂房租赁"],
                    ["--where", "zone="], ["--where", "tags="], ["--source", "展会"]):
        yield ("filter", *filters, "--format", "jsonl", "--reveal")
        yield ("filter", *filters, "--sort", "title", "--limit", "5")
        yield ("list", "leads", *filters, "--sort", "-amount")
        yield ("filter", *filters, "--format", "count")
    yield "filter", "--sort", "id", "--format", "ids"
    yield "filter", "--sort", "-tags", "--limit", "7", "--format", "ids"
    for by in groupings():
        for fmt in report_formats.FORMATS:
            yield "report", "--by", by, "--format", fmt
    for fmt in report_formats.FORMATS:
        yield "report", "--region", "天津", "--month", "2025-07", "--format", fmt
        yield "report", "--region", "武清", "--on", "2025年下半年", "--format", fmt


@pytest.mark.slow  # every command on both backends: run by CI beside the default suite
def test_every_command_prints_the_same_bytes_on_tinydb_and_postgres(both):
    tiny, pg = both
    compared = succeeded = 0
    same_time = {"SOURCE_DATE_EPOCH": str(int(time.time()))}  # HTML pages say when they were made
    for command in _commands():
        a, b = tiny(*command, ok=False, env=same_time), pg(*command, ok=False, env=same_time)
        assert (b.exit_code, b.stdout) == (a.exit_code, a.stdout), command
        assert b.stderr.replace(pg.db, "STORE") == a.stderr.replace(str(tiny.db), "STORE"), command
        compared += 1
        succeeded += a.exit_code == 0 and bool(a.stdout)
    assert compared > 350 and succeeded > 250


def test_a_kind_without_date_or_amount_prints_the_same_bytes_on_both(both):
    """The filters, sorts and groupings over a store holding a kind of other roles (sites:
    no date, no amount, no pipeline) beside the built-in ones, compared on both backends."""
    from kinds.sites import SITE

    from zhaoshang_cli.cli.app import build_app
    from zhaoshang_cli.domain.kind import register, unregister

    register(SITE)
    try:
        app = build_app()
        tiny, pg = (Cli(cli.db, app) for cli in both)
        for cli in (tiny, pg):
            cli("add", "venue", "--name", "武清开发区标准厂房A栋", "--region", "武清", "--type", "厂房",
                "--phone", "13820011234")
            cli("add", "venue", "--name", "滨海新区写字楼", "--region", "天津 滨海新区", "--type", "写字楼")
        commands = [("list", "venues", "--sort", sort, "--format", "jsonl") for sort in
                    ("date", "-date", "amount", "-amount", "status", "due", "name", "-id", "region", "type")]
        commands += [("filter", *f, "--format", "jsonl") for f in
                     (["--region", "天津"], ["--since", "2025-07-01"], ["--text", "厂房"], ["--where", "type=写字楼"],
                      ["--status", "signed"], ["--due-before", "2026-01-01"], ["--on", "2025Q3"])]
        commands += [("report", "--by", by, "--format", fmt) for by in groupings() for fmt in ("json", "csv")]
        commands += [("report", "--region", "天津", "--month", "2025-07", "--format", "json"),
                     ("list", "venues", "--since", "2025-01-01"), ("export", "venues", "--format", "csv")]
        for command in commands:
            a, b = tiny(*command, ok=False), pg(*command, ok=False)
            assert (b.exit_code, b.stdout) == (a.exit_code, a.stdout), command
    finally:
        unregister(SITE)


def test_xlsx_exports_hold_the_same_cells_on_tinydb_and_postgres(both, tmp_path):
    import openpyxl

    def cells(cli, kind, name):
        cli("export", kind, "--format", "xlsx", "-o", str(tmp_path / name))
        return [list(row) for row in openpyxl.load_workbook(tmp_path / name).active.iter_rows(values_only=True)]

    for kind in ("articles", "policies", "leads"):
        tiny, pg = (cells(cli, kind, f"{kind}-{i}.xlsx") for i, cli in enumerate(both))
        assert tiny == pg and len(tiny) > 10, kind


def test_copy_tinydb_postgres_tinydb_keeps_ids_histories_bodies_and_a_second_run_changes_nothing(both, tmp_path):
    tiny, pg = both
    target = Cli(pg.db)  # the PostgreSQL store already holds the same records: unchanged
    result = tiny("copy", "--to", pg.db)
    assert "0 added (0 under new IDs), 0 updated, 63 unchanged" in result.stderr, result.stderr
    fresh = tmp_path / "offline" / "zhaoshang.json"
    fresh.parent.mkdir()
    result = target("copy", "--to", str(fresh))
    assert "63 added (0 under new IDs), 0 updated, 0 unchanged" in result.stderr, result.stderr
    back = Cli(fresh)
    for kind in ("articles", "policies", "leads"):
        assert back("export", kind).stdout == tiny("export", kind).stdout
    assert back.counters() == tiny.counters()
    before = fresh.read_bytes()
    again = target("copy", "--to", str(fresh))
    assert "0 added (0 under new IDs), 0 updated, 63 unchanged" in again.stderr
    assert fresh.read_bytes() == before


def test_copy_keeps_deleted_ids_unissued_and_the_settings(tmp_path, pg_url):
    tiny = Cli(tmp_path / "t" / "zhaoshang.json")
    tiny("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    tiny("add", "article", "--title", "二", "--region", "武清", "--date", "2025-07-02")
    tiny("rm", "a2", "--yes")
    tiny("config", "set", "region", "天津")
    tiny("copy", "--to", pg_url)
    pg = Cli(pg_url)
    assert pg("add", "article", "--title", "三", "--region", "和平区", "--date", "2025-07-03").stdout == "a3\n"
    assert pg.json("show", "a3")["region_code"] == "120101"  # the home region came along: 天津's 和平区
    pg("rm", "a1", "--yes")
    result = tiny("copy", "--to", pg_url)  # a1 was issued by the target and deleted there: never a1 again
    assert result.stdout.startswith("a1 → a4: the target issued a1 and no longer holds it (deleted there?)")
    assert pg("show", "a1", ok=False).exit_code == 1 and pg.json("show", "a4")["title"] == "一"


def test_copy_from_a_missing_store_or_onto_itself_is_refused(tmp_path, pg_url):
    cli = Cli(tmp_path / "none.json")
    result = cli("copy", "--to", pg_url, ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("error: no store at")
    result = cli("copy", "--from", pg_url, "--to", pg_url, ok=False)
    assert result.exit_code == 1 and "same store" in result.stderr


# -- concurrency -----------------------------------------------------------------------------
def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


_ADDER = """
import json, sys
from zhaoshang_cli.domain.kind import KINDS
from zhaoshang_cli.errors import UserError
from zhaoshang_cli.service import records
from zhaoshang_cli.service.store import open_store

worker, url = int(sys.argv[1]), sys.argv[2]
store = open_store(url, lock_timeout=60, keep_backups=0)
added = refused = 0
for i in range(50):
    key = str(i) if i % 2 == 0 else f"{worker}-{i}"  # an even i: the same article in every process
    try:
        records.add(store, KINDS["article"], {"title": f"并发项目{key}", "region": "武清", "date": "2025-07-01"})
        added += 1
    except UserError as exc:
        assert "already stored" in exc.message, exc.message
        refused += 1
print(json.dumps([added, refused]))
"""


def test_eight_processes_adding_fifty_each_leave_every_record_once_with_ids_never_reused(pg_url):
    procs = [_python(_ADDER, str(w), pg_url) for w in range(8)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out))
    shared, own = 25, 8 * 25  # 25 titles every process adds, 25 of each process's own
    assert sum(a for a, _ in results) == shared + own and sum(r for _, r in results) == 7 * shared
    cli = Cli(pg_url)
    rows = cli.json("list", "articles", "--sort", "id")
    titles = [r["title"] for r in rows]
    assert len(titles) == shared + own and len(set(titles)) == len(titles)
    numbers = [int(r["id"][1:]) for r in rows]  # no number issued twice; a refused add may leave a gap
    assert len(set(numbers)) == len(numbers) and cli.counters()["a"] > max(numbers)
    assert cli("doctor").exit_code == 0


def _batch(path: Path, start: int, stop: int) -> Path:
    path.write_text("".join(json.dumps(
        {"title": f"滨海新区重点项目第{i}号", "region": "滨海新区", "date": f"2025-07-{i % 28 + 1:02d}",
         "url": f"https://example.org/p/{i}.html", "body": f"第{i}号项目正文。" * 40},
        ensure_ascii=False) + "\n" for i in range(start, stop)), "utf-8")
    return path


def test_two_concurrent_imports_of_overlapping_files_store_every_record_once(pg_url, tmp_path):
    a = _batch(tmp_path / "a.jsonl", 0, 500)
    b = _batch(tmp_path / "b.jsonl", 250, 750)  # half of it is in a too
    env = {**os.environ, "ZHAOSHANG_DB": pg_url, "ZHAOSHANG_LOCK_TIMEOUT": "120", "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "zhaoshang_cli", "import", str(f)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in (a, b)]
    summaries = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        summaries.append(err.decode())
    cli = Cli(pg_url)
    urls = [doc["url"] for doc in cli.stored("articles").values()]
    assert len(urls) == 750 and len(set(urls)) == 750
    numbers = sorted(map(int, cli.stored("articles")))
    assert len(set(numbers)) == 750 and cli.counters()["a"] > numbers[-1]
    added = sum(int(s.split("imported: ")[1].split(" added")[0]) for s in summaries)
    assert added == 750, summaries  # the one that came second found the first's 250 and skipped them
    assert cli("doctor").exit_code == 0


_MOVER = """
import json, sys
from zhaoshang_cli.service import records
from zhaoshang_cli.service.store import open_store

worker, url = int(sys.argv[1]), sys.argv[2]
store = open_store(url, lock_timeout=60, keep_backups=0)
statuses = ["new", "contacted", "visited", "negotiating", "signed", "lost"]
moved = 0
for i in range(15):
    old, new, _ = records.move_status(store, "l1", statuses[(worker + 2 * i) % 6], note=f"{worker}/{i}")
    moved += old != new
print(moved)
"""


def test_a_lead_moved_by_several_people_at_once_keeps_every_move_in_its_history(pg_url):
    cli = Cli(pg_url)
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--region", "武清")
    procs = [_python(_MOVER, str(w), pg_url) for w in range(4)]
    moved = 0
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        moved += int(out)
    history = cli.json("show", "l1", "--reveal")["history"]
    assert len(history) == 1 + moved and moved >= 15
    for before, after in zip(history, history[1:]):  # each move starts where the one before it ended
        assert after["from"] == before["to"], history
    assert cli.json("show", "l1")["status"] == history[-1]["to"]


def test_a_writer_that_waits_too_long_for_a_lock_fails_in_one_line(pg_url):
    import psycopg

    cli = Cli(pg_url)
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--region", "武清")
    with psycopg.connect(pg_url) as other:
        other.execute("SELECT * FROM zs_leads WHERE number = 1 FOR UPDATE")  # another change in progress
        result = cli("--lock-timeout", "0.3", "lead", "status", "l1", "contacted", ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "--lock-timeout" in result.stderr
    assert cli.json("show", "l1")["status"] == "new"


# -- roles -----------------------------------------------------------------------------------
def _readme_sql(marker: str) -> list[str]:
    text = (ROOT / "docs" / "team-store.md").read_text("utf-8")
    block = text.split(f"<!-- {marker} -->\n```sql\n", 1)[1].split("```", 1)[0]
    lines = [line.split("--")[0].strip() for line in block.splitlines()]
    return [s.strip() for s in " ".join(line for line in lines if line).split(";") if s.strip()]


def test_the_readme_roles_reader_reads_editor_writes_owner_sets_up(pg_server, tmp_path):
    database = f"zs_roles_{os.getpid()}"
    admin = [s.replace("zhaoshang", database) for s in _readme_sql("team-roles-admin")]
    pg_server.admin(*admin)
    try:
        owner, editor, reader = (Cli(pg_server.url(database, role)) for role in ("zs_owner", "zs_editor", "zs_reader"))
        assert "created the store's tables" in owner("db", "init").stderr
        pg_server.admin(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC", database=database, user="zs_owner")
        granted = owner("db", "grant", "--editor", "zs_editor", "--reader", "zs_reader")
        assert "GRANT SELECT, INSERT ON \"zs_changes\" TO \"zs_editor\";" in granted.stdout
        editor("import", *EXAMPLE_FILES)
        editor("lead", "status", "l1", "contacted")
        assert reader("list", "articles", "--format", "count").stdout == "33\n"
        assert "招商报告" in reader("report", "--region", "天津", "--month", "2025-07").stdout
        assert reader.json("show", "l1")["status"] == "contacted"
        before = reader.state()
        for command in (["add", "article", "--title", "只读", "--region", "武清", "--date", "2025-07-01"],
                        ["lead", "note", "l1", "只读"], ["rm", "a1", "--yes"], ["config", "set", "region", "天津"]):
            result = reader(*command, ok=False)
            assert result.exit_code == 1 and result.stderr.count("\n") == 1, result.stderr
            assert "zs_reader lacks the right" in result.stderr and "Traceback" not in result.stderr
        assert reader.state() == before
        offline = tmp_path / "offline.json"
        assert "63 added" in reader("copy", "--to", str(offline)).stderr  # an offline copy needs only reading
        assert Cli(offline)("export", "leads").stdout == reader("export", "leads").stdout
        result = editor("db", "init", ok=False)  # up to date: nothing to do, nothing refused
        assert result.exit_code == 0
        assert "may write: yes" in editor("doctor").stdout and "may write: no" in reader("doctor").stdout
    finally:
        pg_server.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
                        "DROP ROLE IF EXISTS zs_owner", "DROP ROLE IF EXISTS zs_editor",
                        "DROP ROLE IF EXISTS zs_reader")


def test_a_writer_role_cannot_create_a_new_kinds_table_and_says_who_can(pg_server):
    database = f"zs_kind_{os.getpid()}"
    pg_server.admin(*[s.replace("zhaoshang", database) for s in _readme_sql("team-roles-admin")])
    try:
        Cli(pg_server.url(database, "zs_owner"))("db", "init")
        Cli(pg_server.url(database, "zs_owner"))("db", "grant", "--editor", "zs_editor", "--reader", "zs_reader")
        from test_new_kind import make_event_kind

        from zhaoshang_cli.cli.app import build_app
        from zhaoshang_cli.domain.kind import register, unregister

        kind = register(make_event_kind())
        try:
            editor = Cli(pg_server.url(database, "zs_editor"), build_app())
            assert editor("list", "events", "--format", "count").stdout == "0\n"  # no table: no records
            result = editor("add", "event", "--title", "推介会", "--region", "武清", "--date", "2025-07-18", ok=False)
            assert result.exit_code == 1 and "db init" in result.stderr and result.stderr.count("\n") == 1
            owner = Cli(pg_server.url(database, "zs_owner"), build_app())
            said = owner("db", "init").stderr
            assert "created table zs_events" in said and "gave zs_editor, zs_reader their rights" in said
            added = editor("add", "event", "--title", "推介会", "--region", "武清", "--date", "2025-07-18")
            assert added.stdout == "e1\n"
        finally:
            unregister(kind)
    finally:
        pg_server.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
                        "DROP ROLE IF EXISTS zs_owner", "DROP ROLE IF EXISTS zs_editor",
                        "DROP ROLE IF EXISTS zs_reader")


# -- the schema ------------------------------------------------------------------------------
def test_records_have_typed_columns_indexes_and_a_trigram_text_search(pg_url):
    """Typed columns and their indexes from the start; the trigram indexes of --text only once
    the owner asks for them (db text-index on), and the same answers either way."""
    import psycopg

    cli = Cli(pg_url)
    cli("import", *EXAMPLE_FILES)

    def indexes(conn) -> str:
        return "\n".join(r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'zs%'"))

    def plan(conn) -> str:
        conn.execute("SET enable_seqscan = off")  # a tiny table: ask whether an index can serve, not whether it pays
        return "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT number FROM zs_articles WHERE search LIKE %s OR coalesce(body_search, body #>> '{}') "
            "LIKE %s", ["%生物医药%"] * 2))

    words = ("生物医药", "招商", "正文", "产业园", "abc")
    counts = [cli("filter", "--text", word, "--format", "count").stdout for word in words]
    with psycopg.connect(pg_url) as conn:
        types = dict(conn.execute("SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name LIKE 'zs\\_%'").fetchall())
        assert conn.execute("SELECT region_code, date, amount, status FROM zs_leads WHERE number = 1").fetchone() \
            == (120114, datetime.date(2025, 7, 4), 120_000_000, "negotiating")  # 1.2亿元
        before = indexes(conn)
        assert "gin_trgm_ops" not in before and "Index Scan" not in plan(conn)
    assert {types[f"zs_articles.{c}"] for c in ("region_code", "date")} == {"integer", "date"}
    assert (types["zs_leads.amount"], types["zs_leads.due"], types["zs_leads.status"]) == ("bigint", "date", "text")
    assert types["zs_articles.body"] == "json"
    for wanted in ("zs_articles_region_code_date", "zs_leads_status", "zs_leads_due", "UNIQUE INDEX zs_leads_key_hash"):
        assert wanted in before, before
    said = cli("db", "text-index", "on")
    assert said.stdout.endswith("text index on: 4 of 4 tables have one (" + said.stdout.split("(")[-1])
    with psycopg.connect(pg_url) as conn:
        after = indexes(conn)
        used = plan(conn)
    for wanted in ("zs_articles_search ON public.zs_articles USING gin (search gin_trgm_ops)",
                   "zs_articles_body_text ON public.zs_articles USING gin (COALESCE(body_search, (body #>> '{}'",
                   "zs_leads_search ON public.zs_leads USING gin (search gin_trgm_ops)"):
        assert wanted in after, after
    assert "Bitmap Index Scan on zs_articles_search" in used and "Bitmap Index Scan on zs_articles_body_text" in used
    assert [cli("filter", "--text", word, "--format", "count").stdout for word in words] == counts
    assert counts[0] != "0\n" and counts[1] != "0\n"
    assert "text index off: 0 of 4" in cli("db", "text-index", "off").stdout
    assert [cli("filter", "--text", word, "--format", "count").stdout for word in words] == counts


def test_a_report_on_a_server_is_counted_by_the_server(pg_url, monkeypatch):
    """A report's groups are counted in SQL (GROUP BY): no record is read to be counted, only
    the signings of the period, whole (their amount is on the move).  The numbers are those
    of the file store: test_report.py runs on both backends."""
    from zhaoshang_cli.storage.postgres import query

    cli = Cli(pg_url)
    cli("import", *EXAMPLE_FILES)

    def refused(*args, **kwargs):
        raise AssertionError("a report's group was counted over the records")

    monkeypatch.setattr(query, "tally_records", refused)
    for by in ("district", "month", "kind", "status", "zone", "source", "industry", "owner"):
        cli("report", "--region", "天津", "--on", "2025年下半年", "--by", by, "--format", "json")


def test_a_body_is_sent_and_kept_once_unless_text_search_reads_another_form(pg_url):
    """A body casefolding leaves as it is has no second copy (body_search NULL: the server reads
    the body itself); one it changes, or one holding what text cannot, keeps its searched form.
    --text finds each, and doctor counts either form right."""
    import psycopg

    cli = Cli(pg_url)
    bodies = {"a1": "天津市武清区招商引资项目正文。\n第二段“引号”\"", "a2": "Ｂｉｏ-Tech ＡＩ Straße 项目",
              "a3": "含\x00控制字符\x01的正文"}
    for i, body in enumerate(bodies.values()):
        cli("add", "article", "--title", f"文章{i}", "--region", "武清", "--date", "2025-07-01", "--body", body)
    with psycopg.connect(pg_url) as conn:
        kept = dict(conn.execute("SELECT number, body_search FROM zs_articles ORDER BY number").fetchall())
        compression = {r[0] for r in conn.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'zs_articles'::regclass "
            "AND attname IN ('doc', 'body', 'body_search')")}
        lz4 = conn.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                           "WHERE name = 'default_toast_compression'").fetchone()[0]
    assert kept[1] is None and kept[2] == "ｂｉｏ-tech ａｉ strasse 项目" and kept[3] is not None
    assert compression == ({"l"} if lz4 else {""})
    # the literal of a1 holds \n第二段 and \"…: "n第二段" is in it, not in the text (a literal's test comes
    # first, the exact one after)
    for word, found in (("“引号”", ["a1"]), ("\n第二段", ["a1"]), ("n第二段", []), ("ｂｉｏ-TECH", ["a2"]),
                        ("STRASSE", ["a2"]), ("控制字符", ["a3"]), ("\x01的", ["a3"])):
        for on in ("off", "on"):
            cli("db", "text-index", on)
            assert cli("list", "articles", "--text", word, "--format", "ids").stdout.split() == found, (word, on)
    assert "✗" not in cli("doctor").stdout
    with psycopg.connect(pg_url) as conn:  # a literal written by hand, escaped: its searched form is needed
        conn.execute("""UPDATE zs_articles SET body = '"\\u4e2d\\u6587\\u6b63\\u6587"'::json, body_search = NULL
                        WHERE number = 1""")
    said = cli("doctor", ok=False).stdout
    assert "a1" in said and "✗" in said
    cli("doctor", "--fix", ok=False)
    assert "✗" not in cli("doctor").stdout
    assert cli("list", "articles", "--text", "中文正文", "--format", "ids").stdout.split() == ["a1"]


def test_a_big_import_on_a_team_store_by_a_second_process_stores_what_one_process_stores(tmp_path, pg_url,
                                                                                        monkeypatch):
    """The forked reader works out, for a server, whether casefolding leaves each body as it is
    (import_worker.PLAIN): the same records and the same --text answers as a file store
    imported by one process."""
    from test_import import _parallel_batch

    from zhaoshang_cli.service import import_worker

    batch = _parallel_batch(tmp_path / "batch.jsonl")
    monkeypatch.setattr("zhaoshang_cli.io.importers.inputs.CHUNK", 400)
    monkeypatch.setattr(import_worker, "worth_it", lambda size: False)
    one = Cli(tmp_path / "one" / "z.json")
    one("import", str(batch), "--skip-invalid")
    monkeypatch.setattr(import_worker, "worth_it", lambda size: True)
    team = Cli(pg_url)
    team("import", str(batch), "--skip-invalid")

    def stored(cli: Cli) -> list[dict]:
        return [{k: v for k, v in json.loads(line).items() if not k.endswith("_at") and k != "uid"}
                for line in cli("export", "articles").stdout.splitlines()]

    assert stored(team) == stored(one) and len(stored(team)) == 4999
    for word in ("第4999号项目", "生物医药", "ｂｉｏ-TECH ａｉ", "\\u4e2d \" 引"):
        found = team("list", "articles", "--text", word, "--format", "ids").stdout
        assert found == one("list", "articles", "--text", word, "--format", "ids").stdout and found.strip(), word


def test_the_first_write_or_db_init_creates_the_schema_and_reading_creates_nothing(pg_server):
    name = pg_server.new_database(template="template0")
    try:
        cli = Cli(pg_server.url(name))
        result = cli("list", "articles", ok=False)  # a database without the tables is no store yet
        assert result.exit_code == 1 and result.stderr.startswith("error: no store at postgresql://")
        assert pg_server.admin("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zs%'", database=name) == [(0,)]
        assert cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01").stdout == "a1\n"
        assert "up to date (schema 1)" in cli("db", "init").stderr
    finally:
        pg_server.drop_database(name)
    name = pg_server.new_database(template="template0")
    try:
        result = Cli(pg_server.url(name))("db", "init")
        assert "created the store's tables (schema 1)" in result.stderr and "created table zs_leads" in result.stderr
    finally:
        pg_server.drop_database(name)


def test_db_init_on_a_file_store_is_a_usage_error(tmp_path):
    result = Cli(tmp_path / "z.json")("db", "init", ok=False)
    assert result.exit_code == 2 and "postgresql://" in result.stderr and not (tmp_path / "z.json").exists()


def test_a_store_of_a_newer_schema_is_refused_untouched(pg_url):
    cli = Cli(pg_url)
    cli("import", *EXAMPLE_FILES)
    with __import__("psycopg").connect(pg_url) as conn:
        conn.execute("UPDATE zs_meta SET value = '99' WHERE key = 'schema'")
    before = cli.state()
    for command in (["list", "articles"],
                    ["add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01"],
                    ["db", "init"], ["report"]):
        result = cli(*command, ok=False)
        assert (result.exit_code == 1 and result.stderr.count("\n") == 1
                and "newer zhaoshang (schema 99" in result.stderr)
    assert cli.state() == before


# -- errors as one line -----------------------------------------------------------------------
def test_connection_problems_are_one_line(pg_server, tmp_path):
    cases = {
        "postgresql://nobody@127.0.0.1:1/zhaoshang": "cannot connect",            # nothing listens there
        f"postgresql://zs_admin@/zhaoshang?host={tmp_path}&port=5432": "is the server running",  # no socket
        pg_server.url("no_such_database"): 'database "no_such_database" does not exist',
        pg_server.url("postgres", "no_such_role"): 'role "no_such_role" does not exist',
        "postgresql://zs_admin@/zhaoshang?host=/tmp&port=99999": "cannot",
    }
    pg_server.admin("DROP ROLE IF EXISTS zs_pw", "CREATE ROLE zs_pw LOGIN PASSWORD 'right'")
    cases[pg_server.url("postgres", "zs_pw").replace("zs_pw@", "zs_pw:wrong@")] = "password authentication failed"
    for url, expected in cases.items():
        result = Cli(url)("list", "articles", ok=False)
        assert result.exit_code == 1, (url, result.stderr)
        assert result.stderr.count("\n") == 1 and expected in result.stderr, (url, result.stderr)
        assert "Traceback" not in result.stderr and "wrong" not in result.stderr  # the password is never shown


def test_a_server_killed_under_an_open_connection_is_one_line_for_reads_and_writes(capfd):
    """A server that dies while a command holds a connection (the one kept between calls):
    one line of ours, and nothing of the driver's (no warning, no second line)."""
    import pgserver

    from zhaoshang_cli.errors import StoreError
    from zhaoshang_cli.service import records
    from zhaoshang_cli.storage.postgres.backend import PostgresBackend

    server = pgserver.Server().start()
    try:
        server.prepare_template()
        url = server.url(server.new_database())
        Cli(url)("import", str(EXAMPLES / "leads.csv"))
        for step in (lambda store: records.count(store, [KINDS["lead"]], records.Filters()),
                     lambda store: records.add_note(store, "l1", "服务器停了")):
            store = PostgresBackend(url)
            records.count(store, [KINDS["lead"]], records.Filters())  # the connection is kept open
            server._run("pg_ctl", "-D", str(server.data), "-m", "immediate", "-w", "stop")
            with pytest.raises(StoreError) as refused:
                step(store)
            assert "\n" not in refused.value.message and "was lost" in refused.value.message
            store.close()
            server._run("pg_ctl", "-D", str(server.data), "-l", str(server.root / "log"), "-o",
                        f"-k {server.root} -h '' -p {server.port} -F", "-w", "start")
        captured = capfd.readouterr()
        assert "psycopg" not in captured.err and "Warning" not in captured.err, captured.err
    finally:
        server.stop()


def test_a_url_without_psycopg_says_how_to_install_it_and_a_file_store_never_loads_it(tmp_path):
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from zhaoshang_cli.cli.app import main\n"
            "sys.argv = ['zhaoshang', *sys.argv[1:]]\nmain()")
    proc = subprocess.run([sys.executable, "-c", code, "--db", "postgresql://zs@dbhost/zhaoshang", "list", "articles"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "pip install 'zhaoshang-cli[postgres]'" in proc.stderr
    code = ("import sys\nfrom zhaoshang_cli.cli.app import app\n"
            "app(['--db', sys.argv[1], 'add', 'article', '--title', '一', '--region', '武清', '--date', '2025-07-01'],"
            " standalone_mode=False)\n"
            "app(['--db', sys.argv[1], 'list', 'articles'], standalone_mode=False)\n"
            "assert 'psycopg' not in sys.modules, 'psycopg loaded'")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "z.json")], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr


def test_shell_completion_offers_the_ids_stored_on_the_server(pg_url):
    Cli(pg_url)("import", *EXAMPLE_FILES)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZHAOSHANG_DB": pg_url, "_ZHAOSHANG_COMPLETE": "complete_bash"}
    for line, expected in (("zhaoshang lead status l1", ["l1", "l10", "l11", "l12", "l13", "l14", "l15", "l16", "l17",
                                                          "l18"]),
                           ("zhaoshang show p1", ["p1", "p10", "p11", "p12"])):
        result = subprocess.run([sys.executable, "-m", "zhaoshang_cli"], capture_output=True, text=True,
                                env={**env, "COMP_WORDS": line, "COMP_CWORD": "3" if "lead" in line else "2"})
        assert (sorted(result.stdout.split()), result.stderr) == (expected, ""), line


def test_restore_on_a_server_store_points_to_pg_dump(pg_url):
    result = Cli(pg_url)("restore", "--list", ok=False)
    assert result.exit_code == 1 and "pg_dump" in result.stderr and result.stderr.count("\n") == 1
