"""What a command loads before it answers: a listing reads the store and prints, so it loads
neither the parsers that only writes use nor the libraries that only some answers need."""

from __future__ import annotations

import subprocess
import sys

import platformdirs
import pytest

from zhaoshang_cli import folders

# each costs a read a millisecond or more, and none is needed to read and print records
_NOT_FOR_A_READ = ("calendar", "dateutil.relativedelta", "platformdirs", "zhaoshang_cli.domain.validate",
                   "tempfile")
_AMOUNTS = ("decimal", "zhaoshang_cli.domain.amounts")  # for records that show an amount (a lead's)


@pytest.mark.parametrize("backend", ["tinydb"], indirect=True)
@pytest.mark.parametrize("args, not_loaded", [
    (("list", "articles", "--text", "武清", "--limit", "5"), _NOT_FOR_A_READ + _AMOUNTS),
    (("list", "articles", "--region", "武清", "--since", "2024-01-01", "--limit", "5"), _NOT_FOR_A_READ + _AMOUNTS),
    (("show", "a1"), _NOT_FOR_A_READ),
])
def test_a_read_loads_only_what_it_needs(examples, args, not_loaded):
    probe = ("import sys\nfrom zhaoshang_cli.cli.app import main\n"
             f"sys.argv = ['zhaoshang', *{list(args)!r}]\n"
             "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
             f"print(sorted(m for m in {not_loaded!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize("home", [None, "", "relative/home", "/home/somebody"])
@pytest.mark.parametrize("config_home, data_home", [(None, None), ("/srv/cfg", "/srv/data"), ("  ", ""),
                                                    (" /srv/x", "relative/y")])
def test_the_folders_are_where_platformdirs_puts_them(monkeypatch, home, config_home, data_home):
    for name, value in (("HOME", home), ("XDG_CONFIG_HOME", config_home), ("XDG_DATA_HOME", data_home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert folders.config_dir() == folders.Path(platformdirs.user_config_dir("zhaoshang-cli", appauthor=False))
    assert folders.data_dir() == folders.Path(platformdirs.user_data_dir("zhaoshang-cli", appauthor=False))
