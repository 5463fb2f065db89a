"""What a person at a terminal meets: tables that use the room, --fields, the pager, and
one exit-code rule (empty results, broken pipes, missing stores) for every reading command."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import terminal
from terminal import width

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- tables that use the room ------------------------------------------------------------------
def test_at_120_columns_policies_show_whole_document_numbers(examples):
    policies = {p["id"]: p for p in examples.json("list", "policies", "--format", "json")}
    wide = examples("list", "policies", env={"COLUMNS": "120"}).stdout
    for line in _table_lines(wide)[2:]:
        record = policies[line.split()[0]]
        if record.get("doc_no"):
            assert record["doc_no"] in line, line
        assert width(line) <= 120
    assert any(p.get("doc_no") for p in policies.values())


def test_at_80_columns_companies_get_the_room_before_optional_columns(examples):
    leads = {r["id"]: r for r in examples.json("list", "leads", "--format", "json")}
    narrow = examples("list", "leads", env={"COLUMNS": "80"}).stdout
    lines = _table_lines(narrow)
    assert "电话" not in lines[0] and "企业名称" in lines[0]
    for line in lines[2:]:
        company = leads[line.split()[0]]["company"]
        assert company in line or width(company) > 26, line  # whole up to 13 characters
        assert width(line) <= 80
    wide = examples("list", "leads", env={"COLUMNS": "140"}).stdout
    assert "电话" in wide.splitlines()[0] and "联系人" in wide.splitlines()[0]
    assert all(leads[line.split()[0]]["company"] in line for line in _table_lines(wide)[2:])


@pytest.mark.parametrize("columns", [60, 80, 100, 120, 200])
def test_every_table_fits_the_terminal_by_display_width(examples, columns):
    for args in (["list", "articles"], ["list", "policies"], ["list", "leads"], ["filter"],
                 ["list", "policies", "--fields", "id,doc_no,title,issuer,date"]):
        out = examples(*args, env={"COLUMNS": str(columns)}).stdout
        assert max(width(line) for line in out.splitlines()) <= columns, (args, columns)


WIDE_AND_NARROW = ["😀武清招商🎉新项目签约仪式 Biotech ✓ café résumé",  # emoji, CJK, a check, composed
                   "e\u0301 combining marks e\u0301 in a title 👍🏽 with a skin tone",
                   "🇨🇳 国旗 flags 🇺🇸 and ｆｕｌｌ－ｗｉｄｔｈ ｌｅｔｔｅｒｓ ①②③",
                   "ＡＢＣ１２３ 한국어 日本語のカタカナ ｶﾀｶﾅ 😀😀😀😀😀😀😀😀😀😀"]


@pytest.mark.parametrize("columns", [50, 80, 120])
def test_rows_with_emoji_cjk_and_combining_marks_stay_aligned(cli, columns):
    """Every row of a table as wide as its header line, and within the terminal, whatever
    the titles hold, as an independent width function measures it."""
    for i, title in enumerate(WIDE_AND_NARROW):
        cli("add", "article", "--title", title, "-r", "武清", "--date", f"2025-07-1{i}")
        cli("add", "lead", "--company", title[:20], "--phone", f"1370000111{i}", "--need", "厂房")
    for kind in ("articles", "leads"):
        lines = _table_lines(cli("list", kind, env={"COLUMNS": str(columns)}).stdout)
        rule, rows = width(lines[1]), [width(line) for line in lines[2:]]
        assert rule <= columns and max(rows) <= rule, (kind, columns, lines)
        if kind == "articles":  # every cell filled (a date last): each row exactly as wide as the rule
            assert set(rows) == {rule}, (columns, lines)
    page = cli("show", "a1", env={"COLUMNS": str(columns)}).stdout
    assert all(width(line) <= columns for line in page.splitlines())


def test_a_cut_title_is_as_wide_as_the_room_by_an_independent_measure():
    from zhaoshang_cli.io.grid import fit

    for title in WIDE_AND_NARROW:
        for cells in range(1, 40):
            assert width(fit(title, cells)) == cells, (title, cells)


def test_everyday_chinese_is_measured_as_rich_measures_it():
    """The shortcut for ASCII with everyday Chinese (grid.width) gives what Rich gives, for each
    character it takes and in every Unicode version Rich knows; mixed with others, Rich decides."""
    import random

    from rich.cells import cell_len, get_character_cell_size

    from zhaoshang_cli.io.grid import _PLAIN_CHINESE
    from zhaoshang_cli.io.grid import width as grid_width

    taken = [chr(c) for c in range(0x20, 0x10000) if _PLAIN_CHINESE.fullmatch(chr(c))]
    assert len(taken) > 20_000 and all(len(ch.encode()) == (1 if ch.isascii() else 3) for ch in taken)
    try:
        from rich._unicode_data._versions import VERSIONS
    except ImportError:  # an older Rich: one table
        VERSIONS = ()
    for ch in taken:
        assert cell_len(ch) == (1 if ch.isascii() else 2), repr(ch)
        for version in VERSIONS:
            assert get_character_cell_size(ch, version) == (1 if ch.isascii() else 2), (repr(ch), version)
    others = "“”…·—é😀\u0301한ｶ①\u200d\ufe0f\t"
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(taken if rng.random() < 0.9 else others) for _ in range(rng.randrange(0, 40)))
        assert grid_width(text) == cell_len(text), repr(text)


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_show_fits_the_terminal_and_keeps_every_character(cli, columns):
    """`show` in two columns: labels aligned, a long value folded under itself, the body
    cut by width (a closing mark never starts a line), nothing lost or added."""
    title = "【武清招商】" + "武清区新引进生物医药项目集中签约仪式 Biomedical Park Phase II" * 2
    body = "　　" + "活动现场，26个项目集中签约，涵盖航空航天、现代服务业等领域。" * 6 + "\n第二段。"
    rid = cli("add", "article", "--title", title, "-r", "武清", "--date", "2025-07-17", "--body", body).stdout.strip()
    page = cli("show", rid, env={"COLUMNS": str(columns)}).stdout
    lines = page.splitlines()
    assert all(width(line) <= columns for line in lines), [line for line in lines if width(line) > columns]
    assert lines[0] == f"{rid} · 文章"
    fields = lines[1:lines.index("")]
    starts = {width(line) - width(line.lstrip(" ")) for line in fields if line.startswith(" ")}
    value_at = width(fields[0]) - width(fields[0].split(None, 1)[1])
    assert starts <= {value_at}, "a folded value starts under the values"
    folded = list(itertools.takewhile(lambda line: line.startswith(" "), fields[1:]))
    shown_title = fields[0].split(None, 1)[1] + "".join(line[value_at:] for line in folded)
    assert folded or columns == 120
    assert shown_title.replace(" ", "") == title.replace(" ", "")
    text = lines[lines.index("正文") + 1:]
    assert "".join(text) == body.replace("\n", "")
    assert text[0].startswith("　　") and text[-1] == "第二段。"
    assert not any(line[:1] in "，。、" for line in text)
    assert "\x1b[" not in page  # bold only at a terminal


# -- --fields ----------------------------------------------------------------------------------
def test_fields_choose_and_order_the_columns_of_every_format(examples):
    asked = ["--fields", "doc_no,id,标题,date"]
    rows = examples.json("list", "policies", *asked, "--format", "json")
    assert rows and all(list(row) == ["doc_no", "id", "title", "date"] for row in rows)
    lines = examples("list", "policies", *asked, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows
    table = list(csv.reader(io.StringIO(examples("list", "policies", *asked, "--format", "csv").stdout)))
    assert table[0] == ["doc_no", "id", "title", "date"]
    assert [dict(zip(table[0], r)) for r in table[1:]] == [{k: v or "" for k, v in row.items()} for row in rows]
    out = examples("list", "policies", *asked, env={"COLUMNS": "160"}).stdout.splitlines()
    assert out[0].split() == ["文号", "编号", "标题", "发布日期"]
    assert [line.split()[-1] for line in out[2:]] == [row["date"] for row in rows]


def test_fields_on_export_and_filter_and_the_title_of_a_lead(examples, tmp_path):
    exported = examples("export", "leads", "--fields", "id,title,status", "--format", "csv").stdout
    header, first = list(csv.reader(io.StringIO(exported)))[:2]
    assert header == ["id", "title", "status"]
    assert first[1] == examples.json("show", first[0])["company"]
    mixed = examples.json("filter", "-r", "武清", "--fields", "id,kind,title", "--format", "json")
    assert {row["kind"] for row in mixed} >= {"article", "lead"} and all(row["title"] for row in mixed)
    body = examples.json("list", "articles", "--fields", "id,body", "-n", "1", "--format", "json")
    assert body[0]["body"] == examples.json("show", body[0]["id"])["body"]  # read from the body log
    assert body[0]["body"]


def test_bad_fields_are_a_usage_error_naming_the_value(examples):
    for asked, expected in (("id,nope", "unknown field 'nope'"), (",", "name at least one field")):
        result = examples("list", "articles", "--fields", asked, ok=False)
        assert result.exit_code == 2 and expected in result.stderr and result.stderr.count("\n") == 1
    result = examples("list", "articles", "--fields", "id", "--format", "ids", ok=False)
    assert result.exit_code == 2 and "does not apply" in result.stderr


def test_contact_data_stays_masked_in_the_fields_asked_for(examples):
    shown = examples("list", "leads", "--fields", "id,phone", "--format", "csv")
    assert "****" in shown.stdout and "--reveal" in shown.stderr
    plain = examples("list", "leads", "--fields", "id,company", "--format", "csv")
    assert "--reveal" not in plain.stderr


# -- the pager ---------------------------------------------------------------------------------
PAGER = "import sys; open(sys.argv[1], 'w', encoding='utf-8').write(sys.stdin.read())"


def _pager(tmp_path: Path) -> tuple[str, Path]:
    script = tmp_path / "pager.py"
    script.write_text(PAGER)
    caught = tmp_path / "paged.txt"
    return f"{sys.executable} {script} {caught}", caught


def test_a_listing_longer_than_the_screen_goes_through_the_pager(examples, tmp_path):
    pager, caught = _pager(tmp_path)
    output, code = terminal.run(["list", "articles"], examples.db, env={"PAGER": pager, "ZHAOSHANG_PAGER": None},
                                lines=20)
    assert code == 0
    paged = caught.read_text("utf-8")
    assert len(_table_lines(paged)) == 2 + len(examples.json("list", "articles", "--format", "json"))
    assert "a33" not in output  # nothing of the table went past the pager


def test_a_short_listing_and_no_pager_print_straight(examples, tmp_path):
    pager, caught = _pager(tmp_path)
    output, code = terminal.run(["list", "articles", "-n", "3"], examples.db,
                                env={"PAGER": pager, "ZHAOSHANG_PAGER": None}, lines=20)
    assert code == 0 and "a33" in output and not caught.exists()
    for args, env in ((["list", "articles", "--no-pager"], {"PAGER": pager}),
                      (["--no-pager", "report"], {"PAGER": pager}),
                      (["list", "articles"], {"PAGER": pager, "ZHAOSHANG_PAGER": ""}),
                      (["show", "a1"], {"ZHAOSHANG_PAGER": "cat"})):
        output, code = terminal.run(args, examples.db, env=env, lines=10)
        assert code == 0 and len(output.splitlines()) > 10 and not caught.exists(), args


def test_zhaoshang_pager_wins_over_pager_and_report_show_regions_are_paged(examples, tmp_path):
    pager, caught = _pager(tmp_path)
    for args in (["report", "-r", "天津"], ["show", "a1"], ["regions", "天津"], ["filter"]):
        output, code = terminal.run(args, examples.db, env={"PAGER": "false", "ZHAOSHANG_PAGER": pager}, lines=8)
        assert code == 0 and caught.read_text("utf-8").strip(), args
        caught.unlink()


def test_quitting_the_pager_early_is_exit_0(examples, tmp_path):
    script = tmp_path / "quit.py"
    script.write_text("import sys; sys.stdin.readline()")  # reads one line and leaves, like q in less
    output, code = terminal.run(["filter"], examples.db,
                                env={"PAGER": f"{sys.executable} {script}", "ZHAOSHANG_PAGER": None}, lines=5)
    assert code == 0 and "Traceback" not in output and "error" not in output


def test_piped_output_is_never_paged(examples, tmp_path):
    pager, caught = _pager(tmp_path)
    result = examples("list", "articles", env={"PAGER": pager, "LINES": "5"})
    assert len(_table_lines(result.stdout)) > 5 and not caught.exists()


# -- one exit-code rule ------------------------------------------------------------------------
def test_an_empty_result_is_exit_0_with_a_note_only_at_a_terminal(examples):
    for args in (["list", "articles", "-r", "西藏"], ["filter", "--text", "没有这个词"]):
        output, code = terminal.run(args, examples.db)
        assert code == 0 and "no records match" in output, args
        piped = examples(*args)
        assert piped.exit_code == 0 and piped.stdout == "" and piped.stderr == ""


READERS = (["list", "articles"], ["filter"], ["show", "a1"], ["report", "-r", "天津"], ["export", "articles"],
           ["regions"], ["regions", "天津"], ["list", "leads", "--format", "json"], ["report", "--format", "json"])


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_broken_pipe_is_exit_0_for_every_reading_command(examples, args):
    read, write = os.pipe()
    os.close(read)  # the reader has left before the first line: `zhaoshang … | head -0`
    env = {**os.environ, "ZHAOSHANG_DB": str(examples.db)}
    done = subprocess.run([sys.executable, "-m", "zhaoshang_cli", *args], stdout=write, stderr=subprocess.PIPE,
                          env=env, timeout=60)
    os.close(write)
    assert done.returncode == 0 and done.stderr == b"", (args, done.stderr)


def test_a_reader_that_leaves_after_one_line_is_exit_0(examples):
    env = {**os.environ, "ZHAOSHANG_DB": str(examples.db)}
    for args in (["list", "articles"], ["report"], ["export", "articles"]):
        shell = subprocess.run(f"{sys.executable} -m zhaoshang_cli {' '.join(args)} | head -1; "
                               "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", env=env,
                               capture_output=True, timeout=60)
        assert shell.returncode == 0 and shell.stderr == b"", (args, shell.stderr)


def test_a_mistyped_store_is_exit_1_and_add_makes_no_folders(cli, tmp_path):
    missing = tmp_path / "no-such-folder" / "zhaoshang.json"
    for args in (["list", "articles"], ["report"], ["filter"], ["export", "leads"]):
        result = cli("--db", str(missing), *args, ok=False)
        assert result.exit_code == 1 and "no store at" in result.stderr, args
    added = cli("--db", str(missing), "add", "article", "--title", "一", "-r", "武清", "--date", "2025-07-01", ok=False)
    assert added.exit_code == 1 and "does not exist" in added.stderr and not missing.parent.exists()
    imported = cli("--db", str(missing), "import", str(EXAMPLES / "articles.jsonl"), ok=False)
    assert imported.exit_code == 1 and not missing.parent.exists()


@pytest.mark.parametrize("seed", range(5))
def test_a_cut_keeps_the_longest_start_that_fits(seed):
    """grid._cut against trying every prefix: wide, narrow and zero-width characters mixed."""
    import random

    from zhaoshang_cli.io.grid import _cut

    rng = random.Random(seed)
    alphabet = ["武", "清", "a", "1", "（", "）", "—", "…", "\u0301", "\u200b", "한", "😀", "ｱ", " ", "é"]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        for cells in range(-2, 25, 3):
            best = max((k for k in range(len(text) + 1) if width(text[:k]) <= cells), default=0)
            assert _cut(text, cells) == (text[:best], width(text[:best])), (text, cells)
