"""Help pages that read well in Chinese and English.

Click wraps help by counting characters, so a line holding Chinese runs past the terminal
and breaks a word.  Here text is wrapped by display width (a Chinese character takes two
cells, io/grid.py) at spaces only, so a Chinese word stays whole; the root page lists the
commands in groups, as gh does; every option and argument has a placeholder that says what
to give (REGION, DATE, ID…); every page ends with examples (messages.EXAMPLES).  Plain text:
rendering help with Rich would cost more start-up than the rest of a command.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from typer import _click as click
from typer.core import TyperArgument as Argument
from typer.core import TyperCommand, TyperGroup
from typer.core import TyperOption as Option

from .. import messages

# placeholders by parameter name; field options of `add` and `edit` get theirs from the field type
PLACEHOLDERS = {
    "region": "REGION", "within": "REGION", "since": "DATE", "until": "DATE", "on": "PERIOD", "month": "MONTH",
    "text": "TEXT", "status": "STATUS", "new_status": "STATUS", "due_before": "DATE", "sort": "KEY", "limit": "N",
    "fmt": "FORMAT", "db": "STORE", "lock_timeout": "SECONDS", "backups": "N", "kinds": "KIND", "kind": "KIND",
    "by": "GROUPING", "output": "FILE", "encoding": "ENCODING", "sheet": "SHEET", "on_conflict": "POLICY",
    "extra": "POLICY", "body_file": "FILE", "note": "TEXT", "where": "FIELD=VALUE", "source": "SOURCE",
    "fields": "FIELDS", "record_id": "ID", "record_ids": "ID...", "files": "FILE...", "query": "REGION",
    "when": "DATE", "key": "KEY", "value": "VALUE", "backup": "BACKUP", "shell": "SHELL",
}


_EXTRAS = re.compile(r"\s*\[((?:env var|default|required)\b[^\]]*)\]$")


def spoken(text: str) -> str:
    """A help text in the language spoken: its English msgid looked up, and Click's own
    bracket ([env var: …; default: …], [required]) worded too."""
    from ..i18n import gettext

    m = _EXTRAS.search(text)
    if not m:
        return gettext(text)
    head, extras = text[:m.start()], m[1]
    parts = []
    for part in extras.split("; "):
        word, sep, value = part.partition(": ")
        label = {"env var": messages.HELP_ENV_VAR, "default": messages.HELP_DEFAULT,
                 "required": messages.HELP_REQUIRED}.get(word, word)
        parts.append(f"{label}{sep}{value}" if sep else label)
    return (gettext(head) + "  " if head else "") + "[" + "; ".join(parts) + "]"


def width(text: str) -> int:
    from ..io.grid import width as cells

    return cells(text)


def wrap(text: str, room: int, first: str = "", rest: str = "") -> list[str]:
    from ..io.grid import wrap as lines

    return lines(text, room, first, rest)


class Formatter(click.HelpFormatter):
    """Click's formatter, measuring and wrapping by display width."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None) -> None:
        super().__init__(indent_increment, width, max_width)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = messages.HELP_USAGE if prefix is None else prefix
        head = f"{prefix:>{self.current_indent}}{prog} "
        self.write("\n".join(wrap(args, self.width, head, " " * width(head))) + "\n")

    def write_heading(self, heading: str) -> None:
        from ..i18n import gettext

        super().write_heading(gettext(heading))

    def write_text(self, text: str) -> None:
        from ..i18n import gettext

        indent = " " * self.current_indent
        text = gettext(text.strip("\n"))
        paragraphs = re.split(r"\n\s*\n", text)
        out = []
        for paragraph in paragraphs:
            if paragraph.startswith("\b"):  # Click's mark for lines kept as they are
                out += [indent + line for line in paragraph.splitlines()[1:]]
            else:
                out += wrap(paragraph, self.width, indent, indent)
            out.append("")
        self.write("\n".join(out[:-1]) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width(first) for first, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for first, second in rows:
            second = spoken(second) if second else second
            lead = indent + first
            if not second:
                self.write(lead + "\n")
                continue
            hang = " " * (self.current_indent + first_col)
            if width(first) <= first_col - col_spacing:
                start = lead + " " * (first_col - width(first))
            else:
                self.write(lead + "\n")
                start = hang
            self.write("\n".join(wrap(second, self.width, start, hang)) + "\n")


class HelpContext(click.Context):
    formatter_class = Formatter


def placeholders(params: Iterable[Any]) -> None:
    """Give every option and argument that has none a placeholder saying what it takes."""
    for param in params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.metavar is None:
            name = PLACEHOLDERS.get(param.name or "")
            if name is None:
                name = {"integer": "N", "float": "NUMBER", "path": "PATH"}.get(param.type.name, "TEXT")
            if isinstance(param, Argument) and param.nargs != 1 and not name.endswith("..."):
                name += "..."
            param.metavar = name


def examples_for(path: str) -> list[str]:
    """Examples of one command (``lead status``), from messages.EXAMPLES; `add KIND` for a
    kind registered without its own are made from its required fields."""
    found = messages.EXAMPLES.get(path)
    if found is not None:
        return found
    words = path.split()
    if len(words) == 2 and words[0] == "add":
        from ..domain.kind import find_kind

        kind = find_kind(words[1])
        if kind is not None:
            sample = {"date": "2025-07-17", "region": "武清", "amount": "5000万"}
            given = " ".join(f"--{f.name.replace('_', '-')} {sample.get(f.type, '…')}" for f in kind.required)
            return [f"zhaoshang add {kind.name} {given}".rstrip()]
    return []


def summary(text: str | None) -> str:
    """The first sentence of a help text: what a list of commands shows of each."""
    first = (text or "").strip().split("\n\n")[0]
    return re.split(r"(?<=[.。])\s", " ".join(first.split()), maxsplit=1)[0].rstrip(".")


class _Pages:
    """What every command and group of `zhaoshang` shares: placeholders, whole short help,
    usage with placeholders, examples at the end."""

    context_class: type[click.Context] = HelpContext

    def _pages_init(self) -> None:
        placeholders(self.params)  # type: ignore[attr-defined]

    def get_short_help_str(self, limit: int = 45) -> str:  # noqa: ARG002 - the formatter wraps it
        return self.short_help or summary(self.help)  # type: ignore[attr-defined]

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = ["[OPTIONS]"] if any(isinstance(p, Option) for p in self.get_params(ctx)) else []  # type: ignore
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(param, Argument):
                metavar = param.metavar
                assert metavar is not None  # placeholders() gave every argument one
                pieces.append(metavar if param.required else f"[{metavar}]")
        return pieces

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        path = " ".join(ctx.command_path.split()[1:])
        shown = examples_for(path)
        if shown:
            with formatter.section(messages.HELP_EXAMPLES):
                indent = " " * formatter.current_indent
                for line in shown:  # a long one goes on over lines ending in a backslash, as in a shell
                    lines = wrap(line, formatter.width - 2, indent, indent + "    ")
                    formatter.write(" \\\n".join(lines) + "\n")


class Command(_Pages, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages_init()


class Group(_Pages, TyperGroup):
    """A command group; the root one (``sections``) lists its commands in groups."""

    sections: Sequence[tuple[str, Sequence[str]]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages_init()

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "COMMAND [ARGS]..."]

    def list_commands(self, ctx: click.Context) -> list[str]:
        order = [name for _, names in self.sections for name in names]
        found = self.command_names(ctx)
        return [n for n in order if n in found] + [n for n in found if n not in order]

    def command_names(self, ctx: click.Context) -> list[str]:
        return super().list_commands(ctx)

    def summary_of(self, ctx: click.Context, name: str) -> str | None:
        """What the list of commands says of one: its short help; None to leave it out."""
        command = self.get_command(ctx, name)
        return None if command is None or command.hidden else command.get_short_help_str()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = {}
        for name in self.list_commands(ctx):
            line = self.summary_of(ctx, name)
            if line is not None:
                commands[name] = line
        if not commands:
            return
        groups = [(title, [n for n in names if n in commands]) for title, names in self.sections]
        rest = [n for n in commands if not any(n in names for _, names in groups)]
        other = messages.HELP_COMMANDS if any(names for _, names in groups) else messages.HELP_COMMANDS_ONLY
        for title, names in [*groups, (other, rest)]:
            if names:
                with formatter.section(title):
                    formatter.write_dl([(n, commands[n]) for n in names])
