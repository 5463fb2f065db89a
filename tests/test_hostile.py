"""Hostile text in any field is shown inert everywhere and exported safely."""

import csv
import io
import json

import pytest

EVIL = ("[bold red]x[/] \x1b[2J\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \u202eevil\u202c \x00 \x9b31m"
        " \x1b]52;c;aGk=\x07 \x85\u2066iso\u2069\u200e\u200f\u061c")
ACTIVE = ("\x1b", "\x07", "\u202e", "\u202c", "\x00", "\x9b", "\x85", "\u2066", "\u2069", "\u200e", "\u200f",
          "\u061c")


@pytest.fixture
def hostile(cli):
    cli("add", "article", "--title", "标题" + EVIL, "--region", "武清", "--date", "2025-07-01", "--source", EVIL,
        "--category", EVIL, "--tags", "甲," + EVIL, "--summary", EVIL, "--body", EVIL + "\n第二段" + EVIL)
    cli("add", "policy", "--title", "政策" + EVIL, "--region", "天津", "--date", "2025-07-02", "--issuer", EVIL,
        "--doc-no", "=cmd|' /C calc'!A0" + EVIL, "--body", EVIL)
    cli("add", "lead", "--company", "@SUM(1+1)" + EVIL, "--contact", EVIL, "--phone", "13800000000",
        "--industry", EVIL, "--region", "武清", "--note", EVIL, "--amount", "1亿", "--status", "signed",
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


JSON_VIEWS = [("list", "articles", "--format", "json"), ("list", "leads", "--format", "jsonl"),
              ("filter", "--format", "json"), ("filter", "--format", "jsonl"), ("show", "a1", "--format", "json"),
              ("show", "l1", "--format", "json"), ("export", "articles"), ("export", "policies", "--format", "json"),
              ("export", "leads"), ("report", "--by", "industry", "--format", "json")]


def _strings(value):
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("view", JSON_VIEWS, ids=" ".join)
def test_json_escapes_c1_and_bidi_controls_and_keeps_the_data(hostile, view):
    text = hostile(*view).stdout
    assert not any(ch in text for ch in ACTIVE), repr(text[:300])
    assert "\\u0085" in text and "\\u202e" in text and "\\u2066" in text and "\\u061c" in text
    lines = "jsonl" in view or (view[0] == "export" and "--format" not in view)
    values = [json.loads(line) for line in text.splitlines()] if lines else json.loads(text)
    assert any(EVIL in string for string in _strings(values))  # the same data, decoded


def test_export_import_export_is_byte_identical_with_controls_in_a_title(hostile, tmp_path):
    hostile("add", "article", "--title", "标题\x85\u202e\u2066\u200f\u061c\x9b尾", "--region", "天津",
            "--date", "2025-07-05")
    for kind in ("articles", "policies", "leads"):
        first = hostile("export", kind).stdout
        assert "\\u202e" in first and "\u202e" not in first
        src = tmp_path / f"{kind}.jsonl"
        src.write_text(first, "utf-8")
        fresh = hostile.__class__(tmp_path / f"{kind}-copy.json")
        fresh("import", str(src))
        assert fresh("export", kind).stdout == first, kind
    assert hostile.json("show", "a2")["title"] == "标题\x85\u202e\u2066\u200f\u061c\x9b尾"


def test_csv_keeps_the_data_when_piped_or_written_to_a_file(hostile, tmp_path):
    piped = hostile("list", "articles", "--format", "csv").stdout
    assert list(csv.reader(io.StringIO(piped)))[1][2] == "标题" + EVIL
    hostile("export", "articles", "--format", "csv", "-o", str(tmp_path / "a.csv"))
    with open(tmp_path / "a.csv", newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle))[1][2] == "标题" + EVIL


def _at_terminal(args, db):
    """What `zhaoshang ARGS` shows on a pseudo-terminal (without a pager: less has escapes of its own)."""
    import terminal

    output, code = terminal.run(list(args), db, columns=200)
    assert code == 0
    return output


@pytest.mark.parametrize("args", [("list", "articles", "--format", "csv"), ("filter", "--format", "csv"),
                                  ("export", "leads", "--format", "csv")], ids=" ".join)
def test_csv_at_a_real_terminal_is_inert(hostile, args):
    out = _at_terminal(args, hostile.db)
    assert not any(ch in out for ch in ACTIVE), repr(out[:300])
    assert "\\x1b]52;c;aGk=\\x07" in out and "\\x1b[2J" in out and "\\u202e" in out and "\\x85" in out


def test_report_csv_at_a_terminal_is_inert(hostile, monkeypatch):
    from zhaoshang_cli.io import terminal

    monkeypatch.setattr(terminal, "is_terminal", lambda stream=None: True)
    out = hostile("report", "--by", "industry", "--format", "csv").stdout
    assert not any(ch in out for ch in ACTIVE) and "\\x1b[2J" in out


def test_no_character_shown_as_an_escape_is_printable():
    """inert() returns a printable text as it is: that is only right while every character it
    escapes, and every line break, is one Python calls unprintable."""
    from zhaoshang_cli.io.safe_text import _UNSAFE, _UNSAFE_WITH_BREAKS, inert

    for code in range(0x110000):
        ch = chr(code)
        if ch.isprintable():
            assert not _UNSAFE_WITH_BREAKS.search(ch) and not _UNSAFE.search(ch), hex(code)
    assert inert("a\u202eb\tc\r\nd", single_line=True) == "a\\u202eb c d"
