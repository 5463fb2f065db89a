"""The README's two set-up commands must stay true: CI runs them as they are written."""

import re
import subprocess
import sys

from conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"```sh\n(python3 -m venv[^\n]+)\n```", text)


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    demo, tests = readme_commands()[:2]
    assert "zhaoshang" in demo and "examples/" in demo
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text("utf-8")


def test_console_script_and_module_entry_points():
    result = subprocess.run([sys.executable, "-m", "zhaoshang_cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("zhaoshang-cli ")
    result = subprocess.run([sys.executable, "-m", "zhaoshang_cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "import" in result.stdout and "regions" in result.stdout


def test_help_reads_no_data_file():
    """The region and character tables are read when a name is resolved, never for --help."""
    probe = ("import sys\n"
             "opened = []\n"
             "sys.addaudithook(lambda event, args: event == 'open' and opened.append(str(args[0])))\n"
             "from zhaoshang_cli.cli.app import main\n"
             "sys.argv = ['zhaoshang', '--help']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print([path for path in opened if 'zhaoshang_cli' in path and '/data/' in path])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0 and "Usage: zhaoshang" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"
