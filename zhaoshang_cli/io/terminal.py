"""Rich consoles for stdout (data) and stderr (messages, progress).

Consoles are made when needed, not at import, so ``zhaoshang --help`` stays light and
tests that swap sys.stdout see their own stream.  Rich honours NO_COLOR and plain
output when the stream is not a terminal.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def console(file: TextIO | None = None, *, stderr: bool = False) -> Console:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            """The reader left (`| head`): the same for every command, exit 0 (cli/app.py),
            not Rich's own exit 1."""
            self.quiet = True
            raise BrokenPipeError

    return _Console(file=file, stderr=stderr, highlight=False, markup=False, emoji=False, soft_wrap=False)


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def extent(out: TextIO, which: str) -> int:
    """The terminal's ``COLUMNS`` or ``LINES``: the environment's when set (as tests and
    scripts fix them), else the terminal's, else 80 columns and 24 lines."""
    import os

    least, default = {"COLUMNS": (20, 80), "LINES": (2, 24)}[which]
    try:
        return max(int(os.environ[which]), least)
    except (KeyError, ValueError):
        pass
    if is_terminal(out):
        try:
            size = os.get_terminal_size(out.fileno())
            return size.columns if which == "COLUMNS" else size.lines
        except (OSError, ValueError):
            pass
    return default


def colour(out: TextIO) -> bool:
    """Whether to colour what goes to ``out``: a terminal, without NO_COLOR or TERM=dumb."""
    import os

    return is_terminal(out) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
