"""Shell completion, driven as the shells drive it: a real `zhaoshang` process with
_ZHAOSHANG_COMPLETE set (COMP_WORDS/COMP_CWORD for bash, _TYPER_COMPLETE_ARGS for zsh and
fish), and the bash script itself run in bash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Cli

from zhaoshang_cli.domain.kind import KINDS
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend
from zhaoshang_cli.storage.tinydb.segments import may_hold, numbers_of

MODULE = [sys.executable, "-m", "zhaoshang_cli"]
SCRIPT = Path(sys.executable).with_name("zhaoshang")  # the console script of this environment
STARTS = [pytest.param(MODULE, id="python -m zhaoshang_cli")]
if SCRIPT.exists():
    STARTS.append(pytest.param([str(SCRIPT)], id="zhaoshang"))


def run(start: list[str], env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*start, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=60)


def bash(line: str, start: list[str] = MODULE) -> list[str]:
    """What Tab offers after ``line`` in bash (the words as bash splits them; a line ending
    in a space completes a new word)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    result = run(start, {"_ZHAOSHANG_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)})
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout.splitlines()


def zsh(line: str) -> str:
    result = run(MODULE, {"_ZHAOSHANG_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line})
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def ids(cli: Cli, kind: str) -> list[str]:
    return cli("list", kind, "--format", "ids").stdout.split()


# -- the scripts ---------------------------------------------------------------------------
@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_of_each_shell(start, shell):
    shown = run(start, {}, "--show-completion", shell)
    assert shown.returncode == 0 and "_ZHAOSHANG_COMPLETE=complete_" + shell in shown.stdout
    assert "zhaoshang" in shown.stdout and "python" not in shown.stdout  # the script completes `zhaoshang`
    assert run(start, {}, "completion", shell.upper()).stdout == shown.stdout


def test_an_unknown_shell_is_a_usage_error():
    for args in (["--show-completion", "tcsh"], ["--install-completion", "tcsh"], ["completion", "tcsh"]):
        result = run(MODULE, {}, *args)
        assert result.returncode == 2 and "tcsh" in result.stderr and "bash, zsh, fish" in result.stderr
        assert "Traceback" not in result.stderr


def test_install_completion_writes_the_bash_script_and_sources_it(tmp_path):
    result = run(MODULE, {"HOME": str(tmp_path)}, "--install-completion", "bash")
    assert result.returncode == 0 and "bash completion installed" in result.stderr
    installed = tmp_path / ".bash_completions" / "zhaoshang.sh"
    assert installed.read_text() == run(MODULE, {}, "completion", "bash").stdout.rstrip("\n")
    assert f"source '{installed}'" in (tmp_path / ".bashrc").read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_tab_in_bash_through_the_printed_script(examples, tmp_path):
    """The script as a user installs it, in bash: COMPREPLY after Tab on `zhaoshang show a`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "zhaoshang").write_text(f'#!/bin/sh\nexec {sys.executable} -m zhaoshang_cli "$@"\n')
    (bin_dir / "zhaoshang").chmod(0o755)
    script = run(MODULE, {}, "completion", "bash").stdout
    probe = (f'{script}\nCOMP_WORDS=(zhaoshang show a); COMP_CWORD=2\n'
             '_zhaoshang_completion zhaoshang a zhaoshang\nprintf "%s\\n" "${COMPREPLY[@]}"\n')
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", probe], capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == sorted(ids(examples, "articles")) != []


# -- what Tab offers -----------------------------------------------------------------------
@pytest.mark.parametrize("start", STARTS)
def test_show_offers_stored_article_ids_and_region_names(examples, start):
    articles = ids(examples, "articles")
    assert sorted(bash("zhaoshang show a", start)) == sorted(articles) and len(articles) > 10
    assert sorted(bash("zhaoshang show a1", start)) == sorted(i for i in articles if i.startswith("a1"))
    assert "武清区" in bash("zhaoshang list articles --region 武", start)


def test_ids_of_the_kind_a_command_takes(examples):
    leads = ids(examples, "leads")
    assert sorted(bash("zhaoshang lead status l")) == sorted(leads) != []
    assert sorted(bash("zhaoshang lead note ")) == sorted(leads)  # lead commands: leads only
    everything = bash("zhaoshang show ")
    assert set(everything) == set(leads) | set(ids(examples, "articles")) | set(ids(examples, "policies"))
    assert sorted(bash("zhaoshang edit P")) == sorted(ids(examples, "policies"))
    assert "a1" not in bash("zhaoshang rm a1 a") and "a2" in bash("zhaoshang rm a1 a")
    assert sorted(bash(f"zhaoshang --db {examples.db} show l1")) == sorted(i for i in leads if i.startswith("l1"))
    assert bash("zhaoshang show x") == [] and bash("zhaoshang show a0") == []


def test_ids_through_the_zsh_protocol(examples):
    offered = zsh("zhaoshang show a")
    assert offered.startswith("_arguments") and '"a1"' in offered and '"l1"' not in offered


def test_commands_options_kinds_statuses(examples):
    assert bash("zhaoshang li") == ["list"]
    assert {"list", "show", "completion", "lead"} <= set(bash("zhaoshang "))
    assert bash("zhaoshang lead ") == ["status", "note", "due", "assign", "dupes", "merge"]
    assert {"--region", "--reveal"} == set(bash("zhaoshang list articles --re"))
    assert bash("zhaoshang list ") == ["article", "articles", "policy", "policies", "lead", "leads", "site", "sites"]
    assert bash("zhaoshang filter --kind p") == ["policy", "policies"]
    assert bash("zhaoshang export l") == ["lead", "leads"]
    statuses = bash("zhaoshang lead status l1 ")
    assert statuses == ["new", "新线索", "contacted", "已联系", "visited", "已考察", "negotiating", "洽谈中",
                        "signed", "已签约", "lost", "已流失"]
    assert bash("zhaoshang list leads -s 已") == ["已联系", "已考察", "已签约", "已流失"]
    assert bash("zhaoshang edit l1 --status s") == ["signed"]
    assert bash("zhaoshang completion ") == ["bash", "zsh", "fish"]
    assert "industry" in bash("zhaoshang report --by ")


FORMAT_COMMANDS = [("list articles", ["list", "articles"]), ("filter", ["filter"]), ("show a1", ["show", "a1"]),
                   ("regions 武清", ["regions", "武清"]), ("report", ["report"]),
                   ("export articles", ["export", "articles", "-o", "{out}"])]


@pytest.mark.parametrize("line,args", FORMAT_COMMANDS, ids=[line for line, _ in FORMAT_COMMANDS])
def test_formats_offered_are_the_formats_the_command_takes(examples, tmp_path, line, args):
    offered = bash(f"zhaoshang {line} --format ")
    assert offered
    for fmt in ["table", "json", "jsonl", "csv", "count", "ids", "markdown", "xlsx"]:
        out = str(tmp_path / f"out.{fmt}")
        result = examples(*[a.format(out=out) for a in args], "--format", fmt, ok=False)
        assert (result.exit_code == 0) == (fmt in offered), (fmt, result.stderr)
    assert bash(f"zhaoshang {line} -f j") == [f for f in offered if f.startswith("j")]


def test_import_formats_are_offered():
    assert bash("zhaoshang import x.txt --format ") == ["jsonl", "json", "csv", "xlsx"]


def test_region_names_by_prefix_pinyin_and_initials(tmp_path):
    assert "武清区" in bash("zhaoshang list articles -r wq")
    assert "天津市" in bash("zhaoshang list articles --region tj")
    assert "武清区" in bash("zhaoshang list articles --region wuq")
    assert "天津市" in bash("zhaoshang regions tianj")
    assert "天津市" in bash("zhaoshang add article --in 天")
    by_prefix = bash("zhaoshang list articles --region 武清")
    assert by_prefix[0] == "武清区" and all(n.startswith("武清") for n in by_prefix)
    assert "天津,武清区" in bash("zhaoshang list articles --region 天津,武")
    assert bash("zhaoshang list articles --region 不存在的地方") == []


# -- never in the way ------------------------------------------------------------------------
def test_no_store_offers_nothing_and_makes_nothing(tmp_path):
    for db in (tmp_path / "z.json", tmp_path / "missing" / "z.json"):
        for line in ("zhaoshang show a", "zhaoshang lead status l", "zhaoshang rm "):
            result = run(MODULE, {"ZHAOSHANG_DB": str(db), "_ZHAOSHANG_COMPLETE": "complete_bash",
                                  "COMP_WORDS": line, "COMP_CWORD": str(len(line.split()) - (not line.endswith(" ")))})
            assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "xdg").mkdir()  # the default store of the user data directory is not made either
    result = run(MODULE, {"ZHAOSHANG_DB": "", "XDG_DATA_HOME": str(tmp_path / "xdg"),
                          "_ZHAOSHANG_COMPLETE": "complete_bash", "COMP_WORDS": "zhaoshang show a", "COMP_CWORD": "2"})
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert list((tmp_path / "xdg").iterdir()) == []


def test_a_damaged_store_offers_nothing_and_no_traceback(tmp_path, monkeypatch):
    db = tmp_path / "z.json"
    db.write_text("{ not json")
    monkeypatch.setenv("ZHAOSHANG_DB", str(db))
    assert bash("zhaoshang show a") == []
    assert bash("zhaoshang list articles -r 武清") == ["武清区", "武清商务区", "武清开发区", "武清经开区",
                                                       "武清经济技术开发区"]
    assert db.read_text() == "{ not json"


def test_completion_does_not_wait_for_a_writer(examples):
    """A long import holds the write lock; Tab answers at once all the same, from the last commit."""
    committed = sorted(ids(examples, "articles"))
    store = TinyDBBackend(examples.db, lock_timeout=1)
    with store.writing() as txn:
        txn.insert(KINDS["article"], [{"title": "未提交", "date": "2025-07-01", "region_code": "120114"}])
        started = time.monotonic()
        offered = bash("zhaoshang show a")
        assert time.monotonic() - started < 5
    assert sorted(offered) == committed
    assert len(ids(examples, "articles")) == len(committed) + 1


def test_a_normal_run_loads_no_completion_code():
    probe = ("import sys\nfrom zhaoshang_cli.cli.app import main\nsys.argv = ['zhaoshang', '--help']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('zhaoshang_cli.service.completion', "
             "'zhaoshang_cli.storage', 'zhaoshang_cli.domain.regions'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "[]"


def test_segments_that_may_hold_numbers_with_a_prefix():
    for seq in range(0, 60, 7):
        numbers = [str(n) for n in numbers_of(seq)]
        for digits in ("", "1", "12", "2049", "3", "99", "100", "0", "7000", "98304"):
            assert may_hold(seq, digits) == any(n.startswith(digits) for n in numbers), (seq, digits)
