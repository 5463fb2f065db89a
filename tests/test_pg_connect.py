"""Issue 26, point 5: a team store reached as libpq takes it — URLs, ``key=value`` strings,
``service=NAME`` and the PG* variables; a malformed one is one line, exit 1, and a password
never shows."""

import os
from urllib.parse import urlsplit

import pytest
from conftest import Cli

from zhaoshang_cli.service.store import is_server_url
from zhaoshang_cli.storage.postgres.backend import safe_url


@pytest.mark.parametrize("text,server", [
    ("postgresql://zs@db/zhaoshang", True), ("host=/var/run/postgresql dbname=zs user=zs_editor", True),
    ("service=zhaoshang", True), ("  dbname = zs", True), ("zhaoshang.json", False), ("a=b.json", False),
    ("~/data/zhaoshang.json", False), ("postgresql://", True),
])
def test_a_connection_string_is_told_from_a_file_name(text, server):
    assert is_server_url(text) is server


@pytest.mark.parametrize("text", [
    "postgresql://u:s3cret@h:5432/db", "postgresql://u:s3cret@h:notaport/db", "host=/x user=e password=s3cret",
    "host=h password='s3 cret' user=u", "postgresql://u@h/db?password=s3cret&sslmode=require",
])
def test_a_password_is_never_shown(text):
    assert "s3" not in safe_url(text) and "***" in safe_url(text)


def _conninfo(server, database, **extra):
    words = {"host": str(server.root), "port": str(server.port), "dbname": database, "user": "zs_admin", **extra}
    return " ".join(f"{k}={v}" for k, v in words.items())


def test_a_libpq_string_a_service_and_the_pg_variables_reach_the_store(pg_server, pg_url, tmp_path, monkeypatch):
    database = urlsplit(pg_url).path.lstrip("/")
    monkeypatch.chdir(tmp_path)
    plain = Cli(_conninfo(pg_server, database))
    plain("add", "article", "--title", "键值", "--region", "武清", "--date", "2025-07-01")
    assert plain("list", "articles", "--format", "ids").stdout == "a1\n"
    (tmp_path / "pg_service.conf").write_text(
        f"[zhaoshang]\nhost={pg_server.root}\nport={pg_server.port}\ndbname={database}\nuser=zs_admin\n")
    monkeypatch.setenv("PGSERVICEFILE", str(tmp_path / "pg_service.conf"))
    assert Cli("service=zhaoshang")("show", "a1", "--format", "json").stdout.count("键值") == 1
    for name, value in (("PGHOST", str(pg_server.root)), ("PGPORT", str(pg_server.port)),
                        ("PGDATABASE", database), ("PGUSER", "zs_admin")):
        monkeypatch.setenv(name, value)
    assert Cli("postgresql://")("list", "articles", "--format", "count").stdout == "1\n"
    assert sorted(os.listdir(tmp_path)) == ["pg_service.conf"]  # no store file made of a connection string


def test_a_malformed_string_or_a_bad_password_is_one_line_with_no_password(pg_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pg_server.admin("DROP ROLE IF EXISTS zs_pw", "CREATE ROLE zs_pw LOGIN PASSWORD 'right'")
    cases = [
        _conninfo(pg_server, "postgres", port="notaport", password="s3cret"),
        _conninfo(pg_server, "postgres", user="zs_pw", password="s3cret"),
        "postgresql://zs_admin:s3cret@localhost:notaport/zhaoshang",
        "host=/nowhere dbname=zs user=zs_editor password=s3cret sslmode=bogus",
    ]
    for text in cases:
        result = Cli(text)("list", "articles", ok=False)
        assert result.exit_code == 1, (text, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
        assert "s3cret" not in result.stdout + result.stderr
    assert os.listdir(tmp_path) == []
