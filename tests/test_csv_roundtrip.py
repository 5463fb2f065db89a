"""CSV export is lossless: what `export --format csv` writes, `import` reads back as it was.

Cells holding line breaks (a lone CR above all: the csv module's LF line ends left it bare,
and import read the row as two) are quoted; a body longer than import reads from a CSV
cell is refused at export with one line, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import Cli
from zhaoshang_cli.io.importers.rows import CELL_LIMIT

AWKWARD = {
    "lone CR": "第一行\r第二行",
    "LF": "第一行\n第二行",
    "CRLF": "第一行\r\n第二行",
    "CR at the ends": "\r开头和结尾\r",
    "quotes and commas": '他说："签约，落地"，又说 "yes, done"',
    "formula": "=HYPERLINK(\"http://x\",\"点我\")",
    "formula behind CR": "\r=1+1",
    "apostrophe then formula": "'=SUM(A1:A2)",
    "many tabs": "\t".join("列" * 40),
    "other breaks": "VT\x0bFF\x0cFS\x1cGS\x1dRS\x1eNEL\x85LS\u2028PS\u2029end",
    "mixed": 'a,"b"\r\nc\rd\n\r=e\tf',
}


def _add_awkward(cli: Cli) -> None:
    for i, (name, value) in enumerate(AWKWARD.items(), start=1):
        cli("add", "article", "--title", f"{value} ({name})", "--region", "武清", "--date", f"2025-07-{i:02d}",
            "--summary", value, "--tags", "招商,医药", "--body", f"{value}\n正文 {name}\r")


def _jsonl(cli: Cli, kind: str = "articles") -> list[dict]:
    return [json.loads(line) for line in cli("export", kind, "--format", "jsonl").stdout.splitlines()]


@pytest.mark.parametrize("excel", [False, True], ids=["csv", "excel"])
def test_awkward_titles_and_bodies_round_trip(tmp_path, excel):
    cli = Cli(tmp_path / "s.json")
    _add_awkward(cli)
    before = _jsonl(cli)
    assert [r["body"] for r in before] == [f"{value}\n正文 {name}\r" for name, value in AWKWARD.items()]

    path = tmp_path / "a.csv"
    cli("export", "articles", "--format", "csv", "-o", str(path), *(["--excel"] if excel else []))
    raw = path.read_bytes().decode("utf-8")
    assert raw.startswith("\ufeff") == excel
    assert raw.endswith("\r\n" if excel else "\n")
    # every cell holding a break is quoted, a lone CR too
    assert ',"第一行\r第二行 (lone CR)",' in raw
    assert ',"\'\r=1+1\n正文 formula behind CR\r",' in raw  # the formula guard's apostrophe, inside the quotes
    assert ',"\'=HYPERLINK(""http://x"",""点我"") (formula)",' in raw
    assert ',"VT\x0bFF\x0cFS\x1cGS\x1dRS\x1eNEL\x85LS\u2028PS\u2029end",' in raw
    # any csv reader sees one row per record
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"), newline="")))
    assert len(rows) == 1 + len(AWKWARD) and {len(row) for row in rows} == {len(rows[0])}

    fresh = Cli(tmp_path / "fresh.json")
    result = fresh("import", str(path))
    assert result.stderr == f"imported: {len(AWKWARD)} added, 0 updated, 0 unchanged, 0 invalid\n"
    assert _jsonl(fresh) == before  # IDs, timestamps and every character alike
    assert fresh("show", "a2").stdout == cli("show", "a2").stdout


def test_a_lone_cr_in_a_title_is_quoted_and_imports(tmp_path):
    """The reported case: a title holding a carriage return, written bare, was two rows."""
    cli = Cli(tmp_path / "s.json")
    cli("add", "article", "--title", "武清\r签约", "--region", "武清", "--date", "2025-07-01")
    path = tmp_path / "a.csv"
    cli("export", "articles", "--format", "csv", "-o", str(path))
    assert path.read_bytes().decode("utf-8").split("\n")[1].startswith('a1,article,"武清\r签约",')
    fresh = Cli(tmp_path / "fresh.json")
    fresh("import", str(path))
    assert fresh.json("show", "a1")["title"] == "武清\r签约"


def test_cells_full_of_tabs_do_not_make_the_file_tab_separated(tmp_path):
    """Import tells a TSV file by its header line, not by tabs in the cells below it."""
    cli = Cli(tmp_path / "s.json")
    tabbed = "\t".join(["名称", "数量", "金额"] * 20)
    cli("add", "article", "--title", f"表格 {tabbed}", "--region", "武清", "--date", "2025-07-01", "--body", tabbed)
    before = _jsonl(cli)
    path = tmp_path / "a.csv"
    cli("export", "articles", "--format", "csv", "-o", str(path))
    fresh = Cli(tmp_path / "fresh.json")
    fresh("import", str(path))
    assert _jsonl(fresh) == before
    # a file that is tab-separated is still read as one
    tsv = tmp_path / "b.txt"
    tsv.write_text("标题\t地区\t发布日期\t正文\n制表符\t武清\t2025-07-02\t甲,乙,丙,丁,戊\n", "utf-8")
    fresh("import", str(tsv))
    assert fresh.json("show", "a2")["body"] == "甲,乙,丙,丁,戊"


def test_stdout_and_list_csv_quote_line_breaks_too(tmp_path):
    cli = Cli(tmp_path / "s.json")
    cli("add", "article", "--title", "甲\r乙", "--region", "武清", "--date", "2025-07-01", "--body", "丙\r丁")
    exported = cli("export", "articles", "--format", "csv").stdout
    listed = cli("list", "articles", "--format", "csv").stdout
    for out in (exported, listed):
        assert '"甲\r乙"' in out
        assert len(list(csv.reader(io.StringIO(out, newline="")))) == 2
    assert '"丙\r丁"' in exported


def test_lead_notes_with_line_breaks_round_trip(tmp_path):
    cli = Cli(tmp_path / "s.json")
    cli("add", "lead", "--company", "天津\r海川科技有限公司", "--phone", "13800138000", "--region", "武清",
        "--date", "2025-07-01",
        "--note", "电话联系，\r对方说：\"下周\r\n来访\"")
    before = _jsonl(cli, "leads")
    path = tmp_path / "l.csv"
    cli("export", "leads", "--format", "csv", "-o", str(path))
    fresh = Cli(tmp_path / "fresh.json")
    fresh("import", str(path))
    assert _jsonl(fresh, "leads") == before


def _big_article(tmp_path, cli: Cli, body: str, number: int = 1) -> None:
    source = tmp_path / f"big{number}.jsonl"
    source.write_text(json.dumps({"kind": "article", "title": f"长文{number}", "region": "武清",
                                  "date": "2025-07-01", "body": body}, ensure_ascii=False) + "\n", "utf-8")
    result = cli("import", str(source))
    assert result.stderr == "imported: 1 added, 0 updated, 0 unchanged, 0 invalid\n"


def test_a_body_as_long_as_import_reads_round_trips(tmp_path):
    cli = Cli(tmp_path / "s.json")
    body = ("ab\r\ncd\ref\n" * (CELL_LIMIT // 10 + 1))[:CELL_LIMIT]
    _big_article(tmp_path, cli, body)
    path = tmp_path / "a.csv"
    cli("export", "articles", "--format", "csv", "-o", str(path))
    fresh = Cli(tmp_path / "fresh.json")
    fresh("import", str(path))
    assert fresh("export", "articles").stdout == cli("export", "articles").stdout


def test_a_body_longer_than_import_reads_is_refused_at_export(tmp_path):
    """The reported case: a 17.5-million-character body that JSONL import accepts."""
    cli = Cli(tmp_path / "s.json")
    cli("add", "article", "--title", "短文", "--region", "武清", "--date", "2025-06-01", "--body", "正文")
    path = tmp_path / "a.csv"
    cli("export", "articles", "--format", "csv", "-o", str(path))
    earlier = path.read_bytes()
    files = sorted(p.name for p in tmp_path.iterdir())
    _big_article(tmp_path, cli, "招商引资" + "x" * 17_499_996, 2)  # 17.5 million characters
    refusal = ("error: a2: body has 17,500,000 characters, more than `import` reads from a CSV cell (10,485,760); "
               "export as jsonl instead\n")

    for flags in ([], ["--excel"]):
        result = cli("export", "articles", "--format", "csv", "-o", str(path), *flags, ok=False)
        assert result.exit_code == 1 and result.stderr == refusal
        assert path.read_bytes() == earlier  # the file -o names is left as it was, and no temporary file
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*files, "big2.jsonl"])
    result = cli("export", "articles", "--format", "csv", "-o", str(tmp_path / "new.csv"), ok=False)
    assert result.exit_code == 1 and result.stderr == refusal and not (tmp_path / "new.csv").exists()
    result = cli("export", "articles", "--format", "csv", ok=False)  # to stdout
    assert result.exit_code == 1 and result.stderr == refusal

    # without it the CSV export works again
    cli("export", "articles", "--format", "csv", "--until", "2025-06-30", "-o", str(path))
    fresh = Cli(tmp_path / "fresh.json")
    fresh("import", str(path))
    assert [a["title"] for a in fresh.json("list", "articles")] == ["短文"]


def test_the_limit_counts_the_cell_as_written(tmp_path):
    """A body of exactly the limit that a spreadsheet would run gets an apostrophe: one too many."""
    cli = Cli(tmp_path / "s.json")
    _big_article(tmp_path, cli, "=" + "x" * (CELL_LIMIT - 1))
    result = cli("export", "articles", "--format", "csv", "-o", str(tmp_path / "a.csv"), ok=False)
    assert result.exit_code == 1 and not (tmp_path / "a.csv").exists()
    assert result.stderr == ("error: a1: body has 10,485,761 characters, more than `import` reads from a CSV cell "
                             "(10,485,760); export as jsonl instead\n")
