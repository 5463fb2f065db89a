"""Issue 26: a team store a DBA signs off — rights by `db grant`, IDs editors cannot wind
back, doctor checking both, and writers that do not wait on a long import."""

import json
import os
import subprocess
import sys
import time

import psycopg
import pytest
from conftest import EXAMPLES, ROOT, Cli
from test_postgres import _readme_sql

EXAMPLE_FILES = [str(EXAMPLES / name) for name in ("articles.jsonl", "policies.json", "leads.csv")]


@pytest.fixture
def team(pg_server):
    """A database set up as docs/team-store.md says: roles, db init, db grant."""
    database = f"zs_team_{os.getpid()}"
    pg_server.admin(*[s.replace("zhaoshang", database) for s in _readme_sql("team-roles-admin")])
    owner = Cli(pg_server.url(database, "zs_owner"))
    owner("db", "init")
    owner("db", "grant", "--editor", "zs_editor", "--reader", "zs_reader")
    try:
        yield database, owner, Cli(pg_server.url(database, "zs_editor")), Cli(pg_server.url(database, "zs_reader"))
    finally:
        pg_server.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", "DROP ROLE IF EXISTS zs_owner",
                        "DROP ROLE IF EXISTS zs_editor", "DROP ROLE IF EXISTS zs_reader", "DROP ROLE IF EXISTS zs_x")


def _as(pg_server, database, role, statement):
    with psycopg.connect(pg_server.url(database, role), autocommit=True) as conn:
        conn.execute(statement)


def test_editors_cannot_touch_the_control_table_or_wind_back_ids_and_every_command_works(pg_server, team, tmp_path):
    database, owner, editor, reader = team
    for statement in ("UPDATE zs_meta SET value = '99' WHERE key = 'schema'", "DELETE FROM zs_meta",
                      "INSERT INTO zs_meta VALUES ('x', 'y')", "SELECT setval('zs_leads_ids', 1)",
                      "ALTER SEQUENCE zs_leads_ids RESTART 1", "UPDATE zs_changes SET by = 'x'",
                      "DELETE FROM zs_changes", "TRUNCATE zs_leads"):
        with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.FeatureNotSupported)):
            _as(pg_server, database, "zs_editor", statement)
    editor("import", *EXAMPLE_FILES)
    editor("add", "lead", "--company", "新公司", "--phone", "13800000099", "--region", "武清")
    editor("edit", "a1", "--title", "改过的标题")
    editor("lead", "status", "l1", "contacted", "--note", "电话联系")
    editor("lead", "assign", "l2", "李四")
    editor("rm", "l18", "--yes")
    editor("config", "set", "region", "天津")
    editor("undo", "--yes", "--force")
    assert editor("add", "lead", "--company", "再一家", "--phone", "13800000098").stdout.strip() == "l20"
    offline = tmp_path / "offline.json"
    reader("copy", "--to", str(offline))
    Cli(offline)("add", "article", "--title", "离线稿", "--region", "武清", "--date", "2025-07-30")
    editor("copy", "--from", str(offline), "--to", editor.db)  # a colleague's store merged by an editor
    for command in (["add", "article", "--title", "只读", "--region", "武清", "--date", "2025-07-01"],
                    ["rm", "a1", "--yes"]):
        assert reader(*command, ok=False).exit_code == 1
    said = editor("doctor").stdout
    assert "✗" not in said and "rights as `db grant` gives them: editors zs_editor; readers zs_reader" in said


def test_doctor_names_a_sequence_behind_the_highest_id_and_grants_beyond_the_model(pg_server, team):
    database, owner, editor, reader = team
    editor("import", str(EXAMPLES / "leads.csv"))
    assert owner("doctor").exit_code == 0
    _as(pg_server, database, "zs_owner", "SELECT setval('zs_leads_ids', 5)")  # only the owner can
    result = owner("doctor", ok=False)
    assert result.exit_code == 1 and "l6" in result.stdout and "l18" in result.stdout
    fixed = owner("doctor", "--fix")
    assert fixed.exit_code == 0
    assert editor("add", "lead", "--company", "下一家", "--phone", "13800000097").stdout.strip() == "l19"
    pg_server.admin("CREATE ROLE zs_x LOGIN")
    _as(pg_server, database, "zs_owner", "GRANT UPDATE ON zs_meta TO zs_x")
    _as(pg_server, database, "zs_owner", "GRANT UPDATE ON SEQUENCE zs_articles_ids TO zs_x")
    _as(pg_server, database, "zs_owner", "GRANT INSERT ON zs_articles TO zs_reader")
    said = owner("doctor", ok=False).stdout
    assert "zs_x may change the control table zs_meta (UPDATE)" in said
    assert "zs_x may wind back zs_articles_ids" in said and "reader zs_reader may write zs_articles" in said
    owner("db", "grant", "--reader", "zs_reader")  # given again: exactly a reader's rights
    assert "reader zs_reader may write" not in owner("doctor", ok=False).stdout


def test_db_grant_prints_its_sql_and_refuses_what_it_cannot_do(pg_server, team):
    database, owner, editor, reader = team
    printed = owner("db", "grant", "--editor", "zs_editor", "--print")
    assert printed.stdout.startswith("GRANT CONNECT ON DATABASE") and "REVOKE ALL ON" in printed.stdout
    assert "UPDATE" not in printed.stdout.split("SEQUENCE")[-1]  # editors get USAGE on sequences, not UPDATE
    assert owner("db", "grant", ok=False).exit_code == 2
    missing = owner("db", "grant", "--editor", "nobody_here", ok=False)
    assert missing.exit_code == 1 and "CREATE ROLE nobody_here" in missing.stderr
    refused = editor("db", "grant", "--editor", "zs_editor", ok=False)
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1


_ADD_LEADS = """
import sys, time, json
from zhaoshang_cli.domain.kind import KINDS
from zhaoshang_cli.service import records
from zhaoshang_cli.service.store import open_store

store = open_store(sys.argv[1], lock_timeout=30, keep_backups=0)
took = []
for i in range(10):
    start = time.monotonic()
    records.add(store, KINDS["lead"], {"company": f"另一家公司{i}", "phone": f"1390000{i:04d}", "region": "武清"})
    took.append(time.monotonic() - start)
print(json.dumps(took))
"""


@pytest.mark.slow  # a 50 000-row import: 37 s of the suite's five minutes
def test_single_writes_do_not_wait_for_a_long_import_which_stores_no_duplicates(pg_url, tmp_path):
    rows = 50_000
    batch = tmp_path / "big.jsonl"
    batch.write_text("".join(json.dumps({"company": f"导入企业{i}", "phone": f"138{i:08d}", "region": "武清"},
                                        ensure_ascii=False) + "\n" for i in range(rows)), "utf-8")
    env = {**os.environ, "ZHAOSHANG_DB": pg_url, "PYTHONPATH": str(ROOT)}
    importer = subprocess.Popen([sys.executable, "-m", "zhaoshang_cli", "import", str(batch), "--kind", "lead"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    Cli(pg_url)  # the import has begun when its first rows are in (its transaction, not yet visible)
    with psycopg.connect(pg_url) as conn:
        for _ in range(600):
            if conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'zhaoshang-cli' "
                            "AND state <> 'idle' AND query ILIKE '%%COPY%%'").fetchone()[0]:
                break
            time.sleep(0.05)
    adder = subprocess.run([sys.executable, "-c", _ADD_LEADS, pg_url], capture_output=True, text=True, env=env,
                           timeout=120)
    _, err = importer.communicate(timeout=600)
    assert importer.returncode == 0, err.decode()
    assert adder.returncode == 0, adder.stderr
    took = json.loads(adder.stdout)
    assert max(took) < 2.0, took
    cli = Cli(pg_url)
    assert cli("list", "leads", "--format", "count").stdout == f"{rows + 10}\n"
    again = cli("import", str(batch), "--kind", "lead")
    assert f"0 added, 0 updated, {rows} unchanged" in again.stderr
    assert cli("list", "leads", "--format", "count").stdout == f"{rows + 10}\n"


def _analyst_queries() -> list[str]:
    text = (ROOT / "docs" / "team-store.md").read_text("utf-8")
    block = text.split("<!-- analyst-queries -->\n```sql\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if not line.startswith("--")]
    return [q.strip() for q in " ".join(lines).split(";") if q.strip()]


def test_the_five_readme_queries_run_as_a_reader_and_agree_with_report(pg_server, team):
    import datetime

    database, owner, editor, reader = team
    editor("import", *EXAMPLE_FILES)
    editor("lead", "status", "l1", "signed", "--on", "2025-07-20", "--amount", "8000万元")
    editor("add", "policy", "--title", "今年到期的政策", "--region", "武清", "--date", "2025-01-01",
           "--expiry", f"{datetime.date.today().year}-12-31")
    queries = _analyst_queries()
    assert len(queries) == 5
    with psycopg.connect(pg_server.url(database, "zs_reader")) as conn:
        signed, per_owner, articles, expiring, overdue = (conn.execute(q).fetchall() for q in queries)
    report = json.loads(reader("report", "--region", "天津", "--month", "2025-07", "--format", "json").stdout)
    july = [row for row in signed if row[0] == "天津市" and row[1] == "2025-07"]
    assert july and (july[0][2], july[0][3]) == (report["total"]["signed"], report["total"]["signed_amounts"]["CNY"])
    leads = reader.json("list", "leads", "--limit", "1000")
    labels = {"new": "新线索", "contacted": "已联系", "visited": "已考察", "negotiating": "洽谈中", "signed": "已签约",
              "lost": "已流失"}
    counted: dict[tuple[str, str], int] = {}
    for lead in leads:
        key = (lead["owner"] or "(none)", labels[lead["status"]])
        counted[key] = counted.get(key, 0) + 1
    assert {(o, s): n for o, s, n in per_owner} == counted
    quarter = json.loads(reader("report", "--region", "天津", "--on", "2025Q3", "--format", "json").stdout)
    by_district = {g["label"]: g["articles"] for g in quarter["groups"] if g["articles"] and "本级" not in g["label"]}
    assert {d: n for d, q, n in articles if q == "2025Q3" and d in by_district} == by_district
    this_year = str(datetime.date.today().year)
    expected = sorted(p["id"] for p in reader.json("list", "policies", "--limit", "1000")
                      if (p.get("expiry") or "").startswith(this_year))
    assert sorted(row[0] for row in expiring) == expected and expected
    today = datetime.date.today().isoformat()
    late = sorted(lead["id"] for lead in leads if lead["due"] and lead["due"] < today
                  and lead["status"] not in ("signed", "lost"))
    assert sorted(row[0] for row in overdue) == late and late


def test_every_table_view_and_column_has_a_comment(pg_server, team):
    database, owner, editor, reader = team
    with psycopg.connect(pg_server.url(database, "zs_reader")) as conn:
        bare = conn.execute(
            "SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relname LIKE 'zs\\_%%' AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped "
            "AND col_description(c.oid, a.attnum) IS NULL").fetchall()
        tables = conn.execute("SELECT relname FROM pg_class WHERE relname LIKE 'zs\\_%%' AND relkind IN ('r', 'v') "
                              "AND obj_description(oid) IS NULL").fetchall()
        views = {r[0] for r in conn.execute("SELECT viewname FROM pg_views WHERE viewname LIKE 'zs\\_%%'")}
    assert not bare and not tables
    assert {"zs_articles_v", "zs_policies_v", "zs_leads_v"} <= views
