"""Writing records in an editor (--editor), prompts that check each answer, and the
confirmations of rm and edit: under a pseudo-terminal where a person would be there."""

from __future__ import annotations

import json
import sys

import pytest
from terminal import Terminal, editor_script

from zhaoshang_cli import messages
from zhaoshang_cli.domain.kind import KINDS
from zhaoshang_cli.errors import RecordInvalid, UserError
from zhaoshang_cli.io import editor_template as template

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
ARTICLE = KINDS["article"]


@pytest.fixture
def article(cli):
    cli("add", "article", "--title", "旧标题", "-r", "武清", "--date", "2025-07-01", "--body", "旧的正文，共九个字")
    return cli


# -- the template, without a terminal -----------------------------------------------------------
def test_a_template_reads_back_as_it_was_written():
    record = {"title": "标题", "region": "武清区", "region_code": "120114", "zone": None, "date": "2025-07-01",
              "tags": ["生物医药", "签约"], "body": "正文\n第二段"}
    before = template.texts(ARTICLE, record)
    assert before["region"] == "天津市武清区" and before["tags"] == "生物医药, 签约"
    text = template.render(ARTICLE, before, record["body"], "heading")
    filled = template.parse(ARTICLE, text)
    assert filled.body == "正文\n第二段" and filled.values["title"] == "标题"
    assert template.changes(filled, before, record["body"]) == {}
    # the newline an editor adds, Windows line ends, and the labels instead of the names change nothing
    again = template.parse(ARTICLE, text.replace("\n", "\r\n").replace("title:", "标题：") + "\n\n")
    assert template.changes(again, before, record["body"]) == {}


def test_a_template_gives_what_the_options_give():
    text = template.render(ARTICLE, {"title": "预填"}, None, "heading")
    assert "\ntitle: 预填\nregion:\n" in text and "# region" in text and "required" in text
    filled = template.parse(ARTICLE, text.replace("region:", "region: 武清").replace("date:", "发布日期: 2025-07-01")
                            .replace("date:", "") + "正文一段\n")
    assert template.given(filled) == {"title": "预填", "region": "武清", "date": "2025-07-01", "body": "正文一段"}
    before = {"title": "预填", "summary": "旧摘要"}
    assert template.changes(template.parse(ARTICLE, "---\ntitle: 新\nsummary:\n---\n"), before, None) == \
        {"title": "新", "summary": ""}  # an emptied line clears its field


def test_a_template_reports_every_bad_line_at_once():
    with pytest.raises(RecordInvalid) as caught:
        template.parse(ARTICLE, "---\ntitle: 一\ntitle: 二\ncolour: red\nno colon here\n---\n")
    messages_ = [e.message for e in caught.value.errors]
    assert len(messages_) == 3 and "given twice" in messages_[0] and "colour: red" in messages_[1]
    with pytest.raises(UserError, match="between two ---"):
        template.parse(ARTICLE, "# only comments\ntitle: x\n")
    with pytest.raises(UserError, match="ends the fields"):
        template.parse(ARTICLE, "---\ntitle: x\n")
    with pytest.raises(RecordInvalid, match="has no body"):
        template.parse(KINDS["lead"], "---\ncompany: x\n---\n正文\n")


def test_errors_go_on_top_in_place_of_the_last_ones():
    first = template.with_errors("---\ntitle: x\n---\n", ["date: bad"])
    assert first.startswith("# error: date: bad\n---")
    second = template.with_errors(first, ["region: unknown", "date: worse"])
    assert second == "# error: region: unknown\n# error: date: worse\n---\ntitle: x\n---\n"


def test_the_editor_is_visual_then_editor_then_one_on_path(monkeypatch, tmp_path):
    from zhaoshang_cli.io import editor

    monkeypatch.setenv("VISUAL", "code --wait")
    monkeypatch.setenv("EDITOR", "nano")
    assert editor.command() == ["code", "--wait"]
    monkeypatch.delenv("VISUAL")
    assert editor.command() == ["nano"]
    monkeypatch.delenv("EDITOR")
    (tmp_path / "vi").write_text("#!/bin/sh\n")
    (tmp_path / "vi").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert editor.command() == [str(tmp_path / "vi")]
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(UserError, match=r"no editor found: set \$EDITOR"):
        editor.command()


# -- --editor at a terminal -------------------------------------------------------------------------
def test_edit_in_an_editor_changes_the_body(article):
    term = Terminal(["edit", "a1", "--editor"], article.db, env={"EDITOR": "sed -i s/旧/新/"})
    term.expect(messages.EDIT_CONFIRM_ASK)
    assert "标题: 旧标题 → 新标题" in term.seen and "正文: 9 → 9 字" in term.seen
    term.send("y\n")
    assert term.finish() == 0, term.seen
    record = article.json("show", "a1")
    assert record["body"] == "新的正文，共九个字" and record["title"] == "新标题"
    assert record["date"] == "2025-07-01" and record["region"] == "武清区"  # untouched fields stay


def test_a_bad_date_comes_back_on_top_and_nothing_is_saved_until_it_is_fixed(article, tmp_path):
    before = article.json("show", "a1")
    script = editor_script(tmp_path / "ed.py", f"""
import json, subprocess
path = pathlib.Path(sys.argv[1])
count = pathlib.Path({str(tmp_path / "count")!r})
n = int(count.read_text()) + 1 if count.exists() else 1
count.write_text(str(n))
text = path.read_text("utf-8")
if n == 1:
    text = text.replace("title: 旧标题", "title: 改过的标题").replace("date: 2025-07-01", "date: 2025-13-45")
else:
    pathlib.Path({str(tmp_path / "reopened.txt")!r}).write_text(text, "utf-8")
    shown = subprocess.run([sys.executable, "-m", "zhaoshang_cli", "show", "a1", "--format", "json"],
                           capture_output=True, text=True).stdout
    pathlib.Path({str(tmp_path / "during.json")!r}).write_text(shown, "utf-8")
    text = text.replace("date: 2025-13-45", "date: 2025-08-01")
path.write_text(text, "utf-8")
""")
    term = Terminal(["edit", "a1", "--editor", "--yes"], article.db, env={"EDITOR": script})
    assert term.finish() == 0, term.seen
    reopened = (tmp_path / "reopened.txt").read_text("utf-8")
    assert reopened.startswith("# error: date: no such date '2025-13-45'"), reopened
    assert "title: 改过的标题" in reopened and "旧的正文" in reopened  # the user's text stays
    assert json.loads((tmp_path / "during.json").read_text("utf-8")) == before  # nothing half saved
    after = article.json("show", "a1")
    assert after["title"] == "改过的标题" and after["date"] == "2025-08-01" and after["body"] == before["body"]
    assert (tmp_path / "count").read_text() == "2"


def test_add_in_an_editor_starts_from_the_options_given(cli, tmp_path):
    script = editor_script(tmp_path / "ed.py", """
path = pathlib.Path(sys.argv[1])
text = path.read_text("utf-8")
assert "title: 预填的标题" in text, text
text = text.replace("region:", "地区: 武清").replace("\\ndate:", "\\ndate: 2025-07-17") + "第一段。\\n第二段。\\n"
path.write_text(text, "utf-8")
""")
    term = Terminal(["add", "article", "--editor", "--title", "预填的标题"], cli.db, env={"EDITOR": script})
    assert term.finish() == 0, term.seen
    assert "a1" in term.seen
    record = cli.json("show", "a1")
    assert (record["title"], record["region"], record["date"]) == ("预填的标题", "武清区", "2025-07-17")
    assert record["body"] == "第一段。\n第二段。"


@pytest.mark.parametrize("editor, said", [("true", messages.EDITOR_UNCHANGED),
                                          ("truncate -s 0", messages.EDITOR_EMPTIED)])
def test_an_unchanged_or_emptied_file_saves_nothing(article, editor, said):
    stored = article.db.read_bytes()
    for args in (["edit", "a1", "-e"], ["add", "lead", "-e"], ["lead", "note", "l1", "-e"]):
        if args[0] == "lead":
            article("add", "lead", "--company", "海川科技", "--phone", "13800138000")
            stored = article.db.read_bytes()
        term = Terminal(args, article.db, env={"EDITOR": editor, "VISUAL": ""})
        assert term.finish() == 1, term.seen
        assert said in term.seen and "error" not in term.seen and "kept in" not in term.seen
        assert article.db.read_bytes() == stored


def test_a_note_written_in_an_editor(cli, tmp_path):
    cli("add", "lead", "--company", "海川科技", "--phone", "13800138000")
    script = editor_script(tmp_path / "ed.py", """
path = pathlib.Path(sys.argv[1])
text = path.read_text("utf-8")
assert "l1" in text and "海川科技" in text and "已电话联系" in text, text
path.write_text(text + "客户下周来访，\\n希望看厂房。\\n", "utf-8")
""")
    term = Terminal(["lead", "note", "l1", "已电话联系", "--editor"], cli.db, env={"EDITOR": script})
    assert term.finish() == 0, term.seen
    [note] = cli.json("show", "l1")["notes"]
    assert note["text"] == "已电话联系\n客户下周来访，\n希望看厂房。"
    cli("add", "article", "--title", "标题", "-r", "武清", "--date", "2025-07-01")
    term = Terminal(["lead", "note", "a1", "--editor"], cli.db, env={"EDITOR": "false"})
    assert term.finish() == 1 and "a1 is an article, not leads" in term.seen  # asked before the editor opens


def test_an_editor_that_fails_keeps_the_text(article, tmp_path):
    script = editor_script(tmp_path / "ed.py", """
path = pathlib.Path(sys.argv[1])
path.write_text(path.read_text("utf-8").replace("旧标题", "写了一半"), "utf-8")
sys.exit(3)
""")
    stored = article.db.read_bytes()
    term = Terminal(["edit", "a1", "--editor"], article.db, env={"EDITOR": script})
    assert term.finish() == 1
    assert "exited with status 3" in term.seen and "your text is kept in" in term.seen
    kept = term.seen.split("kept in ")[1].split(")")[0]
    assert "写了一半" in open(kept, encoding="utf-8").read()
    assert article.db.read_bytes() == stored


def test_editor_without_a_terminal_is_a_usage_error(article):
    for args in (["edit", "a1", "--editor"], ["add", "article", "-e"], ["lead", "note", "l1", "--editor"]):
        result = article(*args, env={"EDITOR": "true"}, ok=False)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1 and "--editor needs a terminal" in result.stderr
    assert article("lead", "note", "l1", ok=False).exit_code == 2  # neither TEXT nor --editor


# -- prompts ------------------------------------------------------------------------------------
def test_a_bad_answer_is_asked_again_at_once(cli):
    term = Terminal(["add", "article", "--title", "交互式添加"], cli.db)
    term.expect("地区 (region): ")
    term.send("武清\n")
    term.expect("发布日期 (date): ")
    term.send("2025-13-45\n")
    term.expect("error: date: no such date '2025-13-45' (month must be in 1..12)")
    term.expect("发布日期 (date): ")  # asked again
    term.send("2025-07-01\n")
    assert term.finish() == 0, term.seen
    assert term.seen.count("发布日期 (date): ") == 2 and term.seen.count("地区 (region): ") == 1
    record = cli.json("show", "a1")
    assert (record["title"], record["region"], record["date"]) == ("交互式添加", "武清区", "2025-07-01")


def test_a_prompt_checks_a_region_too_and_bad_options_are_refused_before_asking(cli, monkeypatch):
    from zhaoshang_cli.cli import common

    monkeypatch.setattr(common, "at_terminal", lambda: True)
    result = cli("add", "article", "--title", "一", input="滨海心区\n滨海新区\n2025-07-01\n")
    assert result.stdout.count("地区 (region): ") == 2 and "unknown region '滨海心区'" in result.stderr
    assert cli.json("show", "a1")["region"] == "滨海新区"
    refused = cli("add", "article", "--title", "二", "--date", "2025-13-45", input="武清\n", ok=False)
    assert refused.exit_code == 1 and "地区" not in refused.stdout and "2025-13-45" in refused.stderr


def test_body_from_stdin_at_a_terminal_says_how_to_finish(cli):
    term = Terminal(["add", "article", "--title", "标题", "-r", "武清", "--date", "2025-07-01", "--body-file", "-"],
                    cli.db)
    term.expect("Ctrl-D on a new line")
    term.send("终端输入的正文\n\x04")
    assert term.finish() == 0, term.seen
    assert cli.json("show", "a1")["body"] == "终端输入的正文\n"
    piped = cli("add", "article", "--title", "标题二", "-r", "武清", "--date", "2025-07-01", "--body-file", "-",
                input="管道")
    assert "Ctrl-D" not in piped.stderr


# -- confirmations --------------------------------------------------------------------------------
def test_rm_lists_what_it_deletes(article, monkeypatch):
    from zhaoshang_cli.cli import common

    article("add", "lead", "--company", "天津海川科技有限公司", "--phone", "13800138000")
    stored = article.db.read_bytes()
    monkeypatch.setattr(common, "at_terminal", lambda: True)
    kept = article("rm", "a1", "L1", input="n\n", ok=False)
    assert kept.exit_code == 1 and "nothing deleted" in kept.stderr and "error" not in kept.stderr
    assert "Delete 2 record(s):" in kept.stderr
    assert "  a1  文章  旧标题" in kept.stderr and "  l1  线索  天津海川科技有限公司" in kept.stderr
    assert article.db.read_bytes() == stored
    missing = article("rm", "a1", "a9", input="y\n", ok=False)
    assert missing.exit_code == 1 and "no record a9" in missing.stderr and "Delete?" not in missing.stdout
    article("rm", "a1", "l1", input="y\n")
    assert article("show", "a1", ok=False).exit_code == 1


def test_edit_at_a_terminal_shows_old_and_new_and_asks(article, monkeypatch):
    from zhaoshang_cli.cli import common

    article("add", "lead", "--company", "海川科技", "--phone", "13800138000")
    stored = article.db.read_bytes()
    monkeypatch.setattr(common, "at_terminal", lambda: True)
    no = article("edit", "a1", "--title", "新标题", "--body", "更长一些的正文，共十三个字", "-r", "西青", input="n\n",
                 ok=False)
    assert no.exit_code == 1 and "nothing changed" in no.stderr
    for line in ("a1 (文章):", "  标题: 旧标题 → 新标题", "  地区: 天津市武清区 (120114) → 天津市西青区 (120111)",
                 "  正文: 9 → 13 字"):
        assert line in no.stderr.splitlines(), no.stderr
    assert "发布日期" not in no.stderr  # unchanged fields are not listed
    assert article.db.read_bytes() == stored
    lead = article("edit", "l1", "--status", "visited", "--note", "已实地考察", "--amount", "", input="y\n")
    assert "  状态: 新线索 (new) → 已考察 (visited)" in lead.stderr and "  备注: + 已实地考察" in lead.stderr
    assert article.json("show", "l1")["status"] == "visited"
    article("edit", "a1", "--title", "再改", "--yes", input="")
    assert article.json("show", "a1")["title"] == "再改"
    bad = article("edit", "a1", "--date", "2025-13-45", input="y\n", ok=False)
    assert bad.exit_code == 1 and "Save?" not in bad.stdout  # a bad value is refused before asking


def test_edit_without_a_terminal_does_not_ask(article):
    result = article("edit", "a1", "--title", "脚本修改")
    assert "Save?" not in result.stdout and result.stderr.strip() == "updated a1"
    assert article.json("show", "a1")["title"] == "脚本修改"
