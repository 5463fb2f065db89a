"""Exceptions that carry a message for the user instead of a traceback."""

from __future__ import annotations

from typing import Any

_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


class UserError(Exception):
    """Bad input or a missing thing: one line on stderr, exit code 1."""

    exit_code = 1

    def __init__(self, message: str):
        message = message.translate(_BREAKS)  # a value quoted in a message stays on its line
        super().__init__(message)
        self.message = message


def optional(module: str, install_hint: str) -> Any:
    """An optional dependency (an extra), imported only when it is used; without it, one
    line saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UserError(install_hint) from None


class UsageError(UserError):
    """The command line itself is wrong: exit code 2."""

    exit_code = 2


class FieldError(UserError):
    """A field value that does not validate; ``where`` (FILE:LINE) is added by importers."""

    def __init__(self, field: str, value: object, reason: str):
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class RecordInvalid(UserError):
    """One record with one or more bad fields."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))


class StoreError(UserError):
    """The store file cannot be used as it is (corrupt, foreign, too new, locked)."""


class Cancelled(UserError):
    """The user stopped a command (answered no, left the editor without a change): its
    message is a note, not an error, and the exit code 1."""
