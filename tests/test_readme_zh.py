"""README.zh-CN.md: its commands work as written (in Chinese), and those it cannot run here
(a PostgreSQL server) name commands and options that exist."""

import re
import shlex

import pytest
from conftest import ROOT, Cli
from test_office_sheets import office_workbook

README = ROOT / "README.zh-CN.md"
ZH = {"LANG": "zh_CN.UTF-8", "ZHAOSHANG_LANG": ""}


def blocks(fence: str) -> list[str]:
    return [line for block in re.findall(rf"```{fence}\n(.*?)```", README.read_text("utf-8"), re.S)
            for line in block.splitlines() if line.strip()]


def test_the_english_readme_links_the_chinese_one():
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text("utf-8").split("\n## ")[0]


def test_the_install_command_is_the_english_readmes():
    install = [line for line in blocks("sh") if line.startswith("python3 -m venv")]
    assert install and install[0].split(" && ")[:2] == \
        (ROOT / "README.md").read_text("utf-8").split("```sh\n")[1].split(" && ")[:2]


def test_every_command_of_the_chinese_readme_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    office_workbook(tmp_path / "线索台账.xlsx")
    (tmp_path / "线索.csv").write_bytes("企业名称,联系电话,意向地区,投资额\n甲公司,13800000001,武清,5000万\n"
                                        "乙公司,1380000,西青,1亿\n".encode("gb18030"))
    cli = Cli(tmp_path / "zhaoshang.json")
    ran = 0
    for line in blocks("sh"):
        if line.startswith(("python3 -m venv", "export ")):
            continue
        args = shlex.split(line)
        assert args[0] == "zhaoshang", line
        if args[1:3] == ["import", "退回.csv"]:  # the reader fixes the refused row first
            fixed = (tmp_path / "退回.csv").read_bytes().decode("gb18030").replace(",1380000,", ",13800000002,")
            (tmp_path / "退回.csv").write_bytes(fixed.encode("gb18030"))
        result = cli(*args[1:], env=ZH)
        assert "Traceback" not in result.stderr
        ran += 1
    assert ran >= 25
    companies = {lead["company"] for lead in cli.json("list", "leads", "--limit", "100")}
    assert {"甲公司", "乙公司", "天津甲新能源有限公司"} <= companies  # the rejected row came back fixed
    assert (tmp_path / "周报.html").exists() and (tmp_path / "线索导出.xlsx").exists()


@pytest.mark.parametrize("line", blocks("shell"))
def test_commands_it_cannot_run_here_name_real_commands_and_options(tmp_path, line):
    cli = Cli(tmp_path / "z.json")
    args = shlex.split(line)[1:]
    while args and args[0].startswith("--"):  # global options (--db URL) before the command
        args = args[2:]
    path = []
    while args and not args[0].startswith("-") and len(path) < 2:
        path.append(args.pop(0))
    page = cli(*path, "--help", env=ZH).stdout
    if len(path) == 2 and "--help" in page and path[1] not in page.split("\n\n")[0]:
        path.pop()  # the second word was an argument
    options = [a.split("=")[0] for a in shlex.split(line) if a.startswith("--") and a != "--db"]
    page = cli(*path, "--help", env=ZH).stdout
    for option in options:
        assert option in page, (line, option)
