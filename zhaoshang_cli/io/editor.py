"""Opening the user's editor on a text until what comes back is accepted (`--editor`).

The editor is $VISUAL, else $EDITOR (a command line: 'code --wait' works), else the
first of a few usual ones found on PATH.  The text lives in a private temporary file;
``accept`` validates it and saves; an error it raises comes back on top of the user's
own text in the editor (editor_template.with_errors), so that nothing is lost and
nothing is half saved.  An unchanged or emptied file stops the command (Cancelled).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .. import messages
from ..errors import Cancelled, StoreError, UsageError, UserError
from .editor_template import problems, with_errors
from .terminal import is_terminal

T = TypeVar("T")
FALLBACKS = ("notepad",) if os.name == "nt" else ("editor", "nano", "vi")


def require_terminal() -> None:
    """--editor needs someone at a terminal to use the editor."""
    if not is_terminal(sys.stdin):
        raise UsageError(messages.EDITOR_NEEDS_TERMINAL)


def command() -> list[str]:
    """The editor's command line, without the file."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                words = shlex.split(value, posix=os.name != "nt")
            except ValueError as exc:
                raise UserError(messages.EDITOR_UNREADABLE.format(variable=variable, value=value, reason=exc)) from None
            if words:
                return words
    for name in FALLBACKS:
        found = shutil.which(name)
        if found:
            return [found]
    raise UserError(messages.EDITOR_NONE.format(tried=", ".join(FALLBACKS)))


def open_editor(path: Path) -> None:
    argv = [*command(), str(path)]
    try:
        done = subprocess.run(argv, check=False)
    except OSError as exc:
        raise UserError(messages.EDITOR_FAILED.format(editor=argv[0], reason=exc.strerror or exc)) from None
    if done.returncode != 0:
        raise UserError(messages.EDITOR_EXIT.format(editor=argv[0], code=done.returncode))


def edit_until_accepted(text: str, accept: Callable[[str], T]) -> T:
    """Let the user write ``text`` in the editor until ``accept`` takes what comes back;
    its UserErrors (but a broken store, or the user stopping) are shown on top of the
    text, which opens again.  When the command stops with the user's text unsaved, the
    file is kept and the message says where."""
    handle, name = tempfile.mkstemp(prefix="zhaoshang-", suffix=".md")  # private: mode 0600
    path = Path(name)
    shown, keep = text, False
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        while True:
            open_editor(path)
            back = path.read_bytes().decode("utf-8", errors="replace")
            if not back.strip():
                raise Cancelled(messages.EDITOR_EMPTIED)
            if back == shown:
                raise Cancelled(messages.EDITOR_UNCHANGED)
            try:
                return accept(back)
            except (StoreError, Cancelled):
                raise
            except UserError as exc:
                shown = with_errors(back, problems(exc))
                path.write_text(shown, "utf-8")
    except UserError as exc:
        if _written(path, text):
            exc.message += messages.EDITOR_TEXT_KEPT.format(path=path)
            keep = True
        raise
    finally:
        if not keep:
            path.unlink(missing_ok=True)


def _written(path: Path, text: str) -> bool:
    """The user wrote something of their own into the file."""
    try:
        back = path.read_text("utf-8", errors="replace")
    except OSError:
        return False
    return bool(back.strip()) and back != text
