"""Named migrations: stores written by each earlier version (tests/fixtures, as those versions
wrote them) open, read and migrate, and then say which migrations they have; a store that
names a migration of a newer zhaoshang is refused untouched.  On both backends."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Cli

from zhaoshang_cli.storage.migrations import NAMES

FIXTURES = Path(__file__).with_name("fixtures")
VERSIONS = ["schema2", "schema3", "schema4-segments", "schema4-before-ids"]


def _what_it_holds(cli: Cli) -> dict:
    article, policy, lead = (cli.json("show", rid, "--reveal") for rid in ("a1", "p1", "l1"))
    return {"a1": (article["title"], article["body"], article["region"]), "p1": (policy["title"], policy["body"]),
            "l1": (lead["company"], lead["status"], [(h.get("from"), h["to"]) for h in lead["history"]])}


EXPECTED = {"a1": ("【武清招商】武清开发区新引进项目", "项目正文，第一段。", "武清区"),
            "p1": ("天津市关于印发招商引资政策的通知", "政策正文"),
            "l1": ("天津瑞拓精密机械有限公司", "contacted", [(None, "new"), ("new", "contacted")])}


def _copy_store(version: str, to: Path) -> None:
    """A checkout's folders take the umask's modes; the tool makes a store's side folders
    private, and doctor rightly flags one that others may write, so the copy is made private."""
    shutil.copytree(FIXTURES / "stores" / version, to)
    for folder in [to, *(p for p in to.rglob("*") if p.is_dir())]:
        folder.chmod(0o700)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_store_of_each_earlier_version_reads_migrates_and_says_which_it_has(tmp_path, version):
    _copy_store(version, tmp_path / "store")
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    said = cli("doctor")
    assert "migrations not applied yet" in said.stdout and "0 error(s)" in said.stderr
    assert _what_it_holds(cli) == EXPECTED
    cli("add", "lead", "--company", "迁移之后的企业", "--phone", "13700001111")  # the first write migrates
    meta = cli.file()["_meta"]["1"]
    assert meta["migrations"] == list(NAMES) and meta["schema"] == 4 and type(meta["id"]) is str
    assert "segments" in cli.file()
    assert _what_it_holds(cli) == EXPECTED
    after = cli("doctor")
    assert f"migrations applied: {', '.join(NAMES)}" in after.stdout and "not applied" not in after.stdout
    assert "0 error(s)" in after.stderr
    assert cli("edit", "a1", "--body", "改过的正文").exit_code == 0 and cli.json("show", "a1")["body"] == "改过的正文"


def test_a_file_store_naming_a_migration_of_a_newer_zhaoshang_is_refused_untouched(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    data = cli.file()
    data["_meta"]["1"]["migrations"].append("a_future_migration")
    cli.db.write_text(json.dumps(data), "utf-8")
    before = cli.db.read_bytes()
    for args in (["list", "articles"], ["add", "article", "--title", "二", "--region", "武清", "--date", "2025-07-02"]):
        result = cli(*args, ok=False)
        assert result.exit_code == 1 and "newer zhaoshang (a_future_migration" in result.stderr
    assert cli.db.read_bytes() == before


@pytest.fixture
def old_server_store(pg_server) -> str:
    """A PostgreSQL store set up by the version before named migrations (a dump of it)."""
    name = f"zs_old_{pg_server.count}"
    pg_server.count += 1
    pg_server.admin(f"CREATE DATABASE {name}")
    psql = [str(pg_server.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", str(pg_server.root),
            "-p", str(pg_server.port), "-U", "zs_admin", "-d", name, "-f",
            str(FIXTURES / "postgres-before-ids.sql")]
    done = subprocess.run(psql, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    yield pg_server.url(name)
    pg_server.drop_database(name)


def test_a_server_store_of_before_reads_migrates_and_says_which_it_has(old_server_store):
    import psycopg

    cli = Cli(old_server_store)
    said = cli("doctor")
    assert "migrations not applied yet: store_identity" in said.stdout
    assert _what_it_holds(cli) == EXPECTED
    words = ("招商", "武清", "正文", "产业园")
    found = [cli("filter", "--text", word, "--format", "ids").stdout for word in words]
    cli("add", "lead", "--company", "迁移之后的企业", "--phone", "13700001111")
    with psycopg.connect(old_server_store) as conn:
        rows = dict(conn.execute("SELECT key, value FROM zs_meta").fetchall())
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'zs_articles'")}
    assert {f"migration:{name}" for name in NAMES} <= set(rows) and rows["schema"] == "1" and rows.get("id")
    said = cli("doctor").stdout
    assert "not applied" not in said and "✗" not in said
    assert _what_it_holds(cli) == EXPECTED
    # body_text: the index on body_search, which cannot serve what --text reads now, made again
    assert "zs_articles_body_search" not in indexes and {"zs_articles_body_text", "zs_articles_search"} <= indexes
    assert [cli("filter", "--text", word, "--format", "ids").stdout for word in words] == found and any(found)


def test_a_server_store_naming_a_migration_of_a_newer_zhaoshang_is_refused_untouched(pg_url):
    import psycopg

    cli = Cli(pg_url)
    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO zs_meta (key, value) VALUES ('migration:a_future_migration', 'x')")
    before = cli.state()
    result = cli("add", "article", "--title", "二", "--region", "武清", "--date", "2025-07-02", ok=False)
    assert result.exit_code == 1 and "newer zhaoshang (a_future_migration" in result.stderr
    assert cli.state() == before
