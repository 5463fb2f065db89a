"""Every help page at 80 and 120 columns: no line wider than the terminal by display width,
no Chinese word split across lines, placeholders instead of types, examples at the end,
commands in groups."""

import re

import pytest
import typer.main
from conftest import Cli
from terminal import width

from zhaoshang_cli.cli.app import app

CJK_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _pages():
    root = typer.main.get_command(app)
    ctx = root.make_context("zhaoshang", [], resilient_parsing=True)

    def walk(command, path):
        yield path, command
        names = command.list_commands(ctx) if hasattr(command, "list_commands") else []
        for name in sorted(names):  # the root builds a command when it is asked for it
            yield from walk(command.get_command(ctx, name), [*path, name])

    return list(walk(root, []))


PAGES = _pages()


def _texts(command) -> list[str]:
    """The help texts written for a page: the command's own and its parameters'."""
    found = [command.help or ""]
    found += [getattr(p, "help", "") or "" for p in command.params]
    return found


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("path", [" ".join(p) for p, _ in PAGES], ids=lambda p: p or "zhaoshang")
def test_every_help_page_fits_and_keeps_words_whole(tmp_path, path, columns):
    command = dict((" ".join(p), c) for p, c in PAGES)[path]
    result = Cli(tmp_path / "z.json")(*path.split(), "--help", env={"COLUMNS": str(columns)})
    page = result.stdout
    lines = page.splitlines()
    too_wide = [line for line in lines if width(line) > columns]
    assert not too_wide, too_wide
    for text in _texts(command):
        for run in CJK_RUN.findall(" ".join(text.split())):
            if width(run) < columns - 40:  # a run wider than a help column may be cut: none is
                assert any(run in line for line in lines), f"{run!r} split across lines:\n{page}"
    assert "<str>" not in page and "{" not in page and "x>=" not in page and "range>" not in page
    assert "\nExamples:\n  zhaoshang " in page, page


def test_the_root_page_lists_commands_in_groups(tmp_path):
    page = Cli(tmp_path / "z.json")("--help", env={"COLUMNS": "100"}).stdout
    heads = [line for line in page.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert heads[:2] == ["Options:", "Records:"]
    assert heads.index("Records:") < heads.index("Import and export:") < heads.index("Reports and leads:") \
        < heads.index("Maintenance:")
    records = page.split("Records:\n")[1].split("\n\n")[0]
    assert [line.split()[0] for line in records.splitlines() if line[2] != " "] == \
        ["add", "list", "filter", "show", "edit", "rm"]
    assert "edit    Change fields of a record (same validation as add); '' clears a field" in page


def test_placeholders_say_what_to_give(tmp_path):
    cli = Cli(tmp_path / "z.json")
    assert "Usage: zhaoshang show [OPTIONS] ID" in cli("show", "--help").stdout
    page = cli("list", "--help").stdout
    for placeholder in ("-r, --region REGION", "--since DATE", "-s, --status STATUS", "-n, --limit N", "KIND"):
        assert placeholder in page
    add = cli("add", "lead", "--help").stdout
    for placeholder in ("-r, --region REGION", "--amount AMOUNT", "--phone PHONE", "--note TEXT", "--due DATE"):
        assert placeholder in add
    assert "Usage: zhaoshang import [OPTIONS] FILE..." in cli("import", "--help").stdout


def test_option_names_agree_across_commands(examples):
    examples("edit", "l3", "--note", "第二次考察", "-r", "东丽")
    shown = examples("show", "l3").stdout
    assert "第二次考察" in shown and "东丽区" in shown
    added = examples("add", "article", "--title", "短选项", "-r", "武清", "--date", "2025-07-01").stdout.strip()
    assert examples.json("show", added)["region"] == "武清区"
    assert examples("lead", "status", "l3", "signed", "--note", "签了", ok=True).exit_code == 0


def test_a_negative_limit_is_a_usage_error(tmp_path):
    result = Cli(tmp_path / "z.json")("list", "articles", "--limit", "-1", ok=False)
    assert result.exit_code == 2 and "below 0" in result.stderr


def test_the_root_page_builds_no_command_and_says_what_each_one_says(tmp_path):
    """`zhaoshang --help` lists the commands from messages.COMMAND_HELP without building any
    (building them all doubled its time); what it lists is each command's own first sentence."""
    from zhaoshang_cli.cli.app import build_app

    built = build_app()
    root = typer.main.get_command(built)
    ctx = root.make_context("zhaoshang", [], resilient_parsing=True)
    page = root.get_help(ctx)
    assert root.commands == {}, "the root page built commands"
    for name in root.list_commands(ctx):
        listed = root.summary_of(ctx, name)
        assert listed == root.get_command(ctx, name).get_short_help_str(), name
        assert " ".join(listed.split()[:4]) in " ".join(page.split()), name


def test_every_command_a_module_registers_is_known_to_the_root():
    """cli/app.py MODULES names each top-level command with the module that makes it."""
    import importlib

    from zhaoshang_cli.cli import app as app_module
    from zhaoshang_cli.messages import COMMAND_HELP, HELP_SECTIONS

    for module, names in app_module.MODULES.items():
        everything = typer.Typer()
        importlib.import_module(f"zhaoshang_cli.cli.{module}").register(everything)
        made = [c.name for c in everything.registered_commands] + [g.name for g in everything.registered_groups]
        assert sorted(made) == sorted(names), module
    known = set(app_module._MODULE_OF)
    assert known == set(COMMAND_HELP) == {n for _, names in HELP_SECTIONS for n in names}


def test_a_mistyped_command_gets_a_suggestion_among_all_commands(tmp_path):
    """Commands are built on first use; the typo's suggestion still looks at every one."""
    cli = Cli(tmp_path / "z.json")
    result = cli("lits", "articles", ok=False)
    assert result.exit_code == 2
    assert result.stderr == "error: no such command 'lits' (did you mean 'list'?); see 'zhaoshang -h'\n"
    assert "(did you mean 'import'?)" in cli("improt", ok=False).stderr
    assert "did you mean" not in cli("zzz", ok=False).stderr
