"""A person's folders for zhaoshang: its config (personal.py) and its default store.

platformdirs' answer on every system; on Linux the XDG rule it applies (an absolute
``$XDG_CONFIG_HOME`` or ``$XDG_DATA_HOME``, else the folder under home) is applied here,
because importing platformdirs costs every command about 2 ms of its start-up."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "zhaoshang-cli"


def _home() -> str | None:
    """The home folder: $HOME when it is an absolute path, else the user's entry in the
    password file (an empty or relative $HOME counts as unset, as platformdirs has it)."""
    home = os.environ.get("HOME", "")
    if os.path.isabs(home):
        return home
    import pwd

    try:
        found = pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:  # no entry for this uid (a container): platformdirs decides
        return None
    return found if os.path.isabs(found) else None


def _xdg(variable: str, under_home: str) -> Path | None:
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel"):
        return None
    base = os.environ.get(variable, "")  # the XDG spec ignores a relative path, as platformdirs does
    if os.path.isabs(base):
        return Path(base) / APP
    home = _home()
    return None if home is None else Path(home) / under_home / APP


def config_dir() -> Path:
    found = _xdg("XDG_CONFIG_HOME", ".config")
    if found is None:
        from platformdirs import user_config_dir

        found = Path(user_config_dir(APP, appauthor=False))
    return found


def data_dir() -> Path:
    found = _xdg("XDG_DATA_HOME", ".local/share")
    if found is None:
        from platformdirs import user_data_dir

        found = Path(user_data_dir(APP, appauthor=False))
    return found
