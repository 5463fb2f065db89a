"""Who makes a change: ``ZHAOSHANG_USER`` for one shell or script, else the person's own
setting (``zhaoshang config set user 张三``, kept in their config folder), else the login
name.  Every change a command makes is recorded with this name (``by``)."""

from __future__ import annotations

import os

from .. import messages
from ..errors import UsageError

USER_ENV = "ZHAOSHANG_USER"
NAME_LIMIT = 40  # characters of a person's name


def parse_name(text: str, where: str) -> str:
    """A person's name as given (a user, an owner): one line, at most NAME_LIMIT characters."""
    name = " ".join(str(text).split())
    if not name:
        raise UsageError(messages.PERSON_EMPTY.format(where=where))
    if len(name) > NAME_LIMIT or not name.isprintable():
        raise UsageError(messages.PERSON_INVALID.format(where=where, value=text, most=NAME_LIMIT))
    return name


_known: dict[tuple[str, ...], str] = {}  # where the settings are looked for → the name there


def current_user() -> str:
    """The name changes are recorded under now (an import asks once a record: the settings
    file is read once, until ``forget`` after `config set user`)."""
    given = os.environ.get(USER_ENV, "")
    if given.strip():
        return parse_name(given, f"${USER_ENV}")
    where = tuple(os.environ.get(name, "") for name in ("ZHAOSHANG_CONFIG_DIR", "XDG_CONFIG_HOME", "HOME"))
    name = _known.get(where)
    if name is None:
        from .. import personal

        name = _known[where] = personal.read().get("user") or _login_name()
    return name


def forget() -> None:
    """The settings changed: read them again."""
    _known.clear()


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser() or "?"
    except (OSError, KeyError, ImportError):  # no name for this uid (a container)
        return "?"
