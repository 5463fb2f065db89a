"""Hostile text in any field is shown inert everywhere and exported safely."""

import csv
import io
import json

import pytest

EVIL = "[bold red]x[/] \x1b[2J\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \u202eevil\u202c \x00 \x9b31m"
ACTIVE = ("\x1b", "\x07", "\u202e", "\u202c", "\x00", "\x9b")


@pytest.fixture
def hostile(cli):
    cli("add", "article", "--title", "标题" + EVIL, "--region", "武清", "--date", "2025-07-01", "--source", EVIL,
        "--category", EVIL, "--tags", "甲," + EVIL, "--summary", EVIL, "--body", EVIL + "\n第二段" + EVIL)
    cli("add", "policy", "--title", "政策" + EVIL, "--region", "天津", "--date", "2025-07-02", "--issuer", EVIL,
        "--doc-no", "=cmd|' /C calc'!A0" + EVIL, "--body", EVIL)
    cli("add", "lead", "--company", "@SUM(1+1)" + EVIL, "--contact", EVIL, "--phone", "13800000000",
        "--industry", EVIL, "--region", "武清", "--notes", EVIL, "--amount", "1亿", "--status", "signed",
        "--date", "2025-07-03")
    return cli


def test_every_terminal_view_is_inert(hostile):
    views = [
        hostile("list", "articles").stdout, hostile("list", "policies").stdout, hostile("list", "leads").stdout,
        hostile("filter").stdout, hostile("show", "a1").stdout, hostile("show", "p1").stdout,
        hostile("show", "l1", "--reveal").stdout,
        hostile("report", "--region", "天津", "--month", "2025-07").stdout,
        hostile("report", "--by", "industry").stdout,
        hostile("report", "--by", "industry", "--format", "markdown").stdout,
    ]
    for out in views:
        assert not any(ch in out for ch in ACTIVE), repr(out[:200])
    assert "[bold red]x[/]" in views[0] and "\\x1b" in views[4] and "\\u202e" in views[4]
    industry = views[8]
    assert "[bold red]x[/]" in industry


def test_errors_quoting_hostile_values_are_inert(cli):
    result = cli("list", "articles", "--region", EVIL, ok=False)
    assert result.exit_code == 1 and not any(ch in result.stderr for ch in ACTIVE)
    assert result.stderr.count("\n") == 1


def test_csv_export_neutralises_formulas(hostile):
    rows = list(csv.reader(io.StringIO(hostile("export", "leads", "--format", "csv").stdout)))
    header, lead = rows[0], rows[1]
    assert lead[header.index("company")].startswith("'@SUM")
    policy = list(csv.reader(io.StringIO(hostile("export", "policies", "--format", "csv").stdout)))
    assert policy[1][policy[0].index("doc_no")].startswith("'=cmd")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_export_is_valid_and_exact(hostile, fmt):
    text = hostile("export", "articles", "--format", fmt).stdout
    records = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert records[0]["title"] == "标题" + EVIL
    assert records[0]["body"] == EVIL + "\n第二段" + EVIL
    assert records[0]["tags"][0] == "甲" and "\x1b" in "".join(records[0]["tags"])  # tags split at ; too
