"""Issue 25: a Chinese interface — the language by locale, every message in the catalogue
with the same placeholders, help pages and errors in Chinese that fit, English unchanged."""

import importlib.util
import json
import re

import pytest
import typer.main
from babel.messages.pofile import read_po
from conftest import EXAMPLES, ROOT, Cli
from terminal import width

from zhaoshang_cli import i18n, messages
from zhaoshang_cli.cli.app import app

ZH = {"LANG": "zh_CN.UTF-8"}
EN = {"LANG": "C.UTF-8"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _tools_i18n():
    spec = importlib.util.spec_from_file_location("tools_i18n", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOLS = _tools_i18n()


@pytest.fixture(scope="module")
def catalogue():
    with (ROOT / "zhaoshang_cli" / "locale" / "zh_CN" / "LC_MESSAGES" / "zhaoshang.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


@pytest.fixture(scope="module")
def in_code():
    return TOOLS.messages_in_code()


def test_every_message_in_the_code_has_a_translation_with_the_same_placeholders(catalogue, in_code):
    missing = [(where, msgid) for msgid, where in in_code.items() if not catalogue.get(msgid)]
    assert not missing, missing[:10]
    differ = [(msgid, catalogue[msgid]) for msgid in in_code
              if TOOLS.placeholders(msgid) != TOOLS.placeholders(catalogue[msgid])]
    assert not differ, differ[:10]
    stale = [msgid for msgid in catalogue if msgid not in in_code]
    assert not stale, stale[:10]  # `python tools/i18n.py update` drops them


def test_the_compiled_catalogue_reads_as_the_po_file_says(catalogue, tmp_path):
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po as babel_read_po

    with (ROOT / "zhaoshang_cli" / "locale" / "zh_CN" / "LC_MESSAGES" / "zhaoshang.po").open("rb") as handle:
        compiled = tmp_path / "zhaoshang.mo"
        with compiled.open("wb") as out:
            write_mo(out, babel_read_po(handle))
    assert i18n.read_mo(compiled.read_bytes()) == {k: v for k, v in catalogue.items() if v}


def test_the_placeholder_check_catches_a_bad_translation():
    assert TOOLS.placeholders("no record {id}") != TOOLS.placeholders("找不到记录 {ID}")
    assert TOOLS.placeholders("{a} and {b!r}") == TOOLS.placeholders("{b!r} 和 {a}")


def test_a_message_is_english_in_the_code_and_chinese_when_asked(monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("ZHAOSHANG_LANG", raising=False)
    i18n.forget()
    assert messages.RECORD_NOT_FOUND.startswith("no record")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert messages.RECORD_NOT_FOUND.startswith("no record")  # chosen once, until forgotten
    i18n.forget()
    assert CJK.search(messages.RECORD_NOT_FOUND) and "{id}" in messages.RECORD_NOT_FOUND
    monkeypatch.setenv("ZHAOSHANG_LANG", "en")
    i18n.forget()
    assert messages.RECORD_NOT_FOUND.startswith("no record")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("ZHAOSHANG_LANG", "zh")
    i18n.forget()
    assert CJK.search(messages.RECORD_NOT_FOUND)


@pytest.mark.parametrize("env,expected", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "zh_TW.UTF-8"}, "zh"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({}, "en"), ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"), ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
    ({"LANG": "C.UTF-8", "ZHAOSHANG_LANG": "zh"}, "zh"), ({"LANG": "zh_CN.UTF-8", "ZHAOSHANG_LANG": "en"}, "en"),
])
def test_the_language_follows_the_locale_and_the_override(monkeypatch, env, expected):
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "ZHAOSHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    i18n.forget()
    assert i18n.language() == expected


def test_config_set_language_is_a_persons_own(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHAOSHANG_LANG", raising=False)
    cli = Cli(tmp_path / "z.json")
    assert "no store at" in cli("show", "a1", env=EN, ok=False).stderr
    cli("config", "set", "language", "zh", env=EN)
    assert not cli.db.exists()  # kept in the person's config, not in a store
    assert "error" not in cli("show", "a1", env=EN, ok=False).stderr
    assert CJK.search(cli("show", "a1", env=EN, ok=False).stderr.split(str(cli.db))[0])
    assert "no store at" in cli("show", "a1", env={**EN, "ZHAOSHANG_LANG": "en"}, ok=False).stderr
    bad = cli("config", "set", "language", "fr", ok=False)
    assert bad.exit_code == 2
    cli("config", "unset", "language")
    assert "no store at" in cli("show", "a1", env=EN, ok=False).stderr


def _pages():
    root = typer.main.get_command(app)
    ctx = root.make_context("zhaoshang", [], resilient_parsing=True)

    def walk(command, path):
        yield path
        names = command.list_commands(ctx) if hasattr(command, "list_commands") else []
        for name in sorted(names):
            yield from walk(command.get_command(ctx, name), [*path, name])

    return [" ".join(p) for p in walk(root, [])]


OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("path", _pages(), ids=lambda p: p or "zhaoshang")
def test_every_help_page_is_chinese_fits_and_names_what_the_english_one_names(tmp_path, path, columns):
    cli = Cli(tmp_path / "z.json")
    zh = cli(*path.split(), "--help", env={**ZH, "COLUMNS": str(columns)}).stdout
    en = cli(*path.split(), "--help", env={**EN, "COLUMNS": str(columns)}).stdout
    too_wide = [line for line in zh.splitlines() if width(line) > columns]
    assert not too_wide, too_wide
    assert zh.startswith("用法: zhaoshang") and "\n选项:\n" in zh and "\n示例:\n" in zh
    assert "Options:" not in zh and "Usage:" not in zh and "Show this message" not in zh
    assert set(OPTION.findall(zh)) == set(OPTION.findall(en))
    listed = en.split("\nExamples:\n")[0].splitlines()
    first = next(i for i, line in enumerate(listed) if re.match(r"^\S.*:$", line) and i > 0)
    heads = [line.split()[0] for line in listed[first:] if line.startswith("  ") and not line.startswith("   ")]
    for head in heads:  # each command and option line of the English page is on the Chinese one
        assert f"  {head}" in zh, head


def test_the_root_page_lists_the_same_commands_in_chinese_groups(tmp_path):
    zh = Cli(tmp_path / "z.json")("--help", env=ZH).stdout
    for title in ("记录:", "导入与导出:", "维护:"):
        assert f"\n{title}\n" in zh
    for name in ("add", "list", "import", "report", "lead", "doctor", "regions"):
        assert re.search(rf"\n  {name}\s", zh)


def _seeded(tmp_path):
    cli = Cli(tmp_path / "z.json")
    cli("import", str(EXAMPLES / "articles.jsonl"))
    return cli


def _one_line(result):
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.mark.parametrize("args,code", [
    (("show", "a999"), 1),
    (("list", "--bogus"), 2),
    (("list", "articles", "--region", "天律"), 1),
    (("list", "leads", "--limit", "x"), 2),
    (("show",), 2),
    (("lits", "articles"), 2),
])
def test_errors_are_chinese_one_line_and_keep_their_exit_code(tmp_path, args, code):
    cli = _seeded(tmp_path)
    zh, en = cli(*args, env=ZH, ok=False), cli(*args, env=EN, ok=False)
    assert zh.exit_code == en.exit_code == code
    assert _one_line(zh).startswith("错误：") and CJK.search(zh.stderr.replace("天律", ""))
    assert _one_line(en).startswith("error: ")


def test_an_import_with_a_bad_row_is_reported_in_chinese(tmp_path):
    cli = Cli(tmp_path / "z.json")
    bad = tmp_path / "bad.csv"
    bad.write_text("标题,地区,发布日期\n好文章,武清,2025-07-01\n坏文章,武清,2025-13-45\n", "utf-8")
    zh, en = cli("import", str(bad), env=ZH, ok=False), cli("import", str(bad), env=EN, ok=False)
    assert zh.exit_code == en.exit_code == 1
    lines = zh.stderr.splitlines()
    assert lines[0].startswith(f"错误：{bad}:3: date: ") and CJK.search(lines[0].split("date: ")[1])
    assert "无效" in lines[-2] or "导入" in lines[-2]
    assert lines[-1].startswith("错误：") and not cli.exists()


def test_rm_answered_no_says_so_in_chinese(tmp_path, monkeypatch):
    from zhaoshang_cli.cli import common

    cli = _seeded(tmp_path)
    monkeypatch.setattr(common, "at_terminal", lambda: True)
    zh = cli("rm", "a1", input="n\n", env=ZH, ok=False)
    en = cli("rm", "a1", input="n\n", env=EN, ok=False)
    assert zh.exit_code == en.exit_code == 1
    assert CJK.search(zh.stderr.splitlines()[-1]) and "nothing deleted" in en.stderr
    assert "删除" in zh.stdout + zh.stderr  # the question is asked in Chinese too


def test_doctor_on_a_damaged_store_speaks_chinese(tmp_path):
    cli = _seeded(tmp_path)
    segment = next((cli.db.parent / f"{cli.db.name}.d").rglob("articles.*.json"))
    segment.write_bytes(b"{damaged")
    zh, en = cli("doctor", env=ZH, ok=False), cli("doctor", env=EN, ok=False)
    assert zh.exit_code == en.exit_code != 0
    assert CJK.search(zh.stdout + zh.stderr)
    assert len((zh.stdout + zh.stderr).splitlines()) == len((en.stdout + en.stderr).splitlines())


def test_data_keys_and_command_names_stay_english(tmp_path):
    cli = _seeded(tmp_path)
    record = json.loads(cli("show", "a1", "--format", "json", env=ZH).stdout)
    assert {"id", "title", "region", "date"} <= set(record)
    assert cli("list", "articles", "--format", "count", env=ZH).stdout.strip().isdigit()
