"""Inputs that used to crash (exit 70) or hang get one clear line and leave the store as it was."""

import json

import pytest

from zhaoshang_cli.io.importers.rows import CELL_LIMIT


@pytest.fixture
def stored(cli):
    """A store holding one article, and a check that a command left it byte for byte."""
    cli("add", "article", "--title", "已有文章", "--region", "武清", "--date", "2025-07-01")
    before = cli.db.read_bytes()

    def unchanged():
        assert cli.db.read_bytes() == before

    unchanged.cli = cli
    return unchanged


def one_error(result, code, *parts):
    assert result.exit_code == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for part in parts:
        assert part in lines[0], lines[0]


def import_error(result, *parts):
    """An import refused for one row: the row's line, no internal error, no traceback."""
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    rows = [line for line in result.stderr.splitlines()
            if line.startswith("error: ") and "nothing imported" not in line]
    assert len(rows) == 1, result.stderr
    for part in parts:
        assert part in rows[0], rows[0]
    return rows[0]


# -- CSV cells -----------------------------------------------------------------------------
def test_a_long_body_imports_and_an_overlong_cell_is_a_row_error(stored, tmp_path):
    cli = stored.cli
    long_body = "招商" * 100_000  # 200,000 characters: over Python's csv limit of 131,072
    sheet = tmp_path / "long.csv"
    sheet.write_text(f'title,region,date,body\n长正文,天津,2025-07-02,"{long_body}"\n', "utf-8")
    cli("import", str(sheet))
    [article] = [a for a in cli.json("list", "articles") if a["title"] == "长正文"]
    assert cli.json("show", article["id"])["body"] == long_body

    before = cli.db.read_bytes()
    huge = tmp_path / "huge.csv"
    huge.write_text('title,region,date,body\n太长,天津,2025-07-03,"' + "x\n" * (CELL_LIMIT // 2 + 1) + '"\n'
                    "下一行,天津,2025-07-04,正文\n", "utf-8")
    result = cli("import", str(huge), ok=False)
    assert result.exit_code == 1
    import_error(result, f"{huge}:2: body: cell longer than {CELL_LIMIT:,} characters")
    assert cli.db.read_bytes() == before
    # the parser kept its place: the row after the long cell is read as it was written
    cli("import", str(huge), "--skip-invalid")
    assert [a["title"] for a in cli.json("list", "articles", "--sort", "id")][-1] == "下一行"


def test_a_csv_row_the_parser_refuses_is_a_row_error(stored, tmp_path, monkeypatch):
    import csv

    sheet = tmp_path / "bad.csv"
    sheet.write_text("title,region,date\n坏行,天津,2025-07-02\n", "utf-8")
    real = csv.reader

    class Failing:
        def __init__(self, *args, **kwargs):
            self.inner = real(*args, **kwargs)
            self.line_num = 0

        def __iter__(self):
            return self

        def __next__(self):
            row = next(self.inner)
            self.line_num = self.inner.line_num
            if row[0] == "坏行":
                raise csv.Error("field larger than field limit (131072)")
            return row

    monkeypatch.setattr(csv, "reader", Failing)
    result = stored.cli("import", str(sheet), ok=False)
    assert result.exit_code == 1
    import_error(result, f"{sheet}:2: cannot read this CSV row (field larger than field limit")
    stored()


# -- JSON nesting and numbers --------------------------------------------------------------
def test_json_nested_a_thousand_levels_is_a_row_error(stored, tmp_path):
    batch = tmp_path / "deep.json"
    batch.write_text('[{"title": "好的", "region": "天津", "date": "2025-07-02"},\n' + "[" * 1000 + "]" * 1000 + "]",
                     "utf-8")
    result = stored.cli("import", str(batch), ok=False)
    assert result.exit_code == 1
    import_error(result, f"{batch}:2: nested more than 32 levels deep; nothing after it in this file was read")
    stored()


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_a_value_nested_300_levels_is_refused_even_when_skipping_invalid_rows(stored, tmp_path, suffix):
    deep = "[" * 300 + "]" * 300
    rows = ['{"title": "很深", "region": "天津", "date": "2025-07-02", "层次": ' + deep + "}",
            '{"title": "正常", "region": "天津", "date": "2025-07-03", "extra": {"a": [[1]]}}']
    batch = tmp_path / f"deep.{suffix}"
    batch.write_text("[" + ",\n".join(rows) + "]" if suffix == "json" else "\n".join(rows), "utf-8")
    result = stored.cli("import", str(batch), ok=False)
    assert result.exit_code == 1
    import_error(result, f"{batch}:1: 层次: nested more than 32 levels deep")
    stored()
    result = stored.cli("import", str(batch), "--skip-invalid")
    assert "1 added" in result.stderr and "1 invalid" in result.stderr
    assert [a["extra"] for a in stored.cli.json("list", "articles", "--sort", "id")][-1] == {"a": [[1]]}


@pytest.mark.parametrize("suffix,value,shown", [
    ("json", "123456789012345678901234567890", "12345678901234567890…(30 digits)"),
    ("jsonl", "123456789012345678901234567890", "12345678901234567890…(30 digits)"),
    ("jsonl", "-9223372036854775809", "-9223372036854775809"),
    ("json", "9" * 5000, "99999999999999999999…(5000 digits)"),
    ("json", "NaN", "nan"),
    ("json", "-Infinity", "-inf"),
    ("json", "1e400", "inf"),
])
def test_numbers_that_cannot_be_kept_exactly_are_refused(stored, tmp_path, suffix, value, shown):
    row = '{"title": "大数", "region": "天津", "date": "2025-07-02", "指标": ' + value + "}"
    batch = tmp_path / f"n.{suffix}"
    batch.write_text(f"[{row}]" if suffix == "json" else row + "\n", "utf-8")
    result = stored.cli("import", str(batch), "--skip-invalid")
    import_error(result, f"{batch}:1: 指标: ", shown)
    assert "0 added" in result.stderr
    stored()


def test_big_numbers_that_fit_are_kept_exactly(cli, tmp_path):
    batch = tmp_path / "fit.jsonl"
    batch.write_text('{"title": "能存", "region": "天津", "date": "2025-07-02", "extra": '
                     '{"max": 9223372036854775807, "min": -9223372036854775807, "float": 1e300}}\n', "utf-8")
    cli("import", str(batch))
    assert cli.json("list", "articles")[0]["extra"] == {"max": 2**63 - 1, "min": -(2**63 - 1), "float": 1e300}


# -- options -------------------------------------------------------------------------------
@pytest.mark.parametrize("option,value", [
    ("--since", "+100000000d"), ("--until", "-99999999999999999999999d"), ("--due-before", "99999999d"),
    ("--on", "-3000000m"), ("--since", "+600000w"),
])
def test_dates_beyond_the_calendar_name_the_option(stored, option, value):
    result = stored.cli("list", "leads", option, value, ok=False)
    one_error(result, 1, f"{option}: '{value}' is outside the calendar")
    stored()


def test_a_due_date_beyond_the_calendar_is_refused(stored):
    cli = stored.cli
    cli("add", "lead", "--company", "远期公司", "--phone", "13800000001")
    before = cli.db.read_bytes()
    one_error(cli("lead", "due", "l1", "+99999999d", ok=False), 1, "due: '+99999999d' is outside the calendar")
    one_error(cli("edit", "l1", "--due", "+99999999d", ok=False), 1, "due: '+99999999d' is outside the calendar")
    assert cli.db.read_bytes() == before


def test_reports_at_the_ends_of_the_calendar(cli):
    cli("add", "article", "--title", "远古", "--region", "天津", "--date", "0001-01-05")
    last = json.loads(cli("report", "--until", "9999-12", "--format", "json").stdout)
    assert last["trend"][-1]["month"] == "9999-12"
    first = json.loads(cli("report", "--month", "0001-01", "--format", "json").stdout)
    assert [m["month"] for m in first["trend"]] == ["0001-01"] and first["total"]["articles"] == 1


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e400"])
def test_lock_timeout_must_be_a_finite_number_of_seconds(stored, value):
    result = stored.cli(f"--lock-timeout={value}", "add", "article", "--title", "新的", "--region", "天津",
                        "--date", "2025-07-02", ok=False)
    one_error(result, 2, "--lock-timeout", "is not a number of seconds")
    stored()
    result = stored.cli("list", "articles", env={"ZHAOSHANG_LOCK_TIMEOUT": value}, ok=False)
    one_error(result, 2, "ZHAOSHANG_LOCK_TIMEOUT")
    assert stored.cli("--lock-timeout", "0", "list", "articles", "--format", "count").stdout.strip() == "1"
