"""A person's own settings, kept in their config folder (not in a shared store): who they
are (``user``) and the language they read (``language``).  ``$XDG_CONFIG_HOME/zhaoshang-cli/config.json`` on Linux, the
platform's config folder elsewhere; a JSON object of texts, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from . import messages
from .errors import UserError

CONFIG_DIR_ENV = "ZHAOSHANG_CONFIG_DIR"  # another folder (tests, a person with two roles)


def path() -> Path:
    folder = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if folder:
        return Path(folder) / "config.json"
    from .folders import config_dir

    return config_dir() / "config.json"


def read() -> dict[str, str]:
    """The settings; none when there is no file yet."""
    where = path()
    try:
        text = where.read_text("utf-8")
        import json  # here: most people have no file, and json costs every command 1 ms

        data = json.loads(text)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UserError(messages.PERSONAL_CONFIG_UNREADABLE.format(path=where, reason=exc)) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UserError(messages.PERSONAL_CONFIG_UNREADABLE.format(path=where, reason=messages.NOT_TEXTS))
    return data


def change(name: str, value: str | None) -> None:
    """Set (or with None remove) one setting."""
    import json

    from .atomic import atomic_write
    from .domain.people import forget
    from .i18n import forget as forget_language

    forget()
    forget_language()
    settings = read()
    if value is None:
        settings.pop(name, None)
    else:
        settings[name] = value
    where = path()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(where, json.dumps(settings, ensure_ascii=False, indent=1).encode("utf-8"))
    except OSError as exc:
        raise UserError(messages.PERSONAL_CONFIG_UNWRITABLE.format(path=where, reason=exc.strerror or exc)) from None
