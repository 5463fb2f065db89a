"""Shell completion: `zhaoshang completion SHELL`, `--show-completion SHELL` and
`--install-completion SHELL`, and the answers to Tab.

The shell asks by running `zhaoshang` with _ZHAOSHANG_COMPLETE set (Click's and Typer's
protocol: COMP_WORDS/COMP_CWORD for bash, _TYPER_COMPLETE_ARGS for zsh and fish); `main`
hands such a run to ``complete`` before anything else.  Commands and options come from the
command tree; the values of parameters from ``OFFERS``, by parameter name as help.py's
placeholders are, so an option added later gets its completion by its name alone.  They
are wired to the tree only in a completion run: nothing here costs a normal command.
A completion run writes nothing and takes no lock; on any error it offers nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from .. import messages

PROG = "zhaoshang"  # the script completes this command, however this one was started
VAR = "_ZHAOSHANG_COMPLETE"  # the same for `python -m zhaoshang_cli`
SHELLS = ("bash", "zsh", "fish")


# -- the scripts ---------------------------------------------------------------------------
def script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG, complete_var=VAR, shell=shell)


def shell_named(value: str | None) -> str:
    """The shell named (any case), else the one this runs in; UsageError for another."""
    from ..errors import UsageError

    if value is None:
        from typer._completion_shared import _get_shell_name

        value = _get_shell_name() or os.path.basename(os.environ.get("SHELL", ""))
        if value not in SHELLS:
            raise UsageError(messages.COMPLETION_SHELL_UNDETECTED.format(shells=", ".join(SHELLS)))
    if value.lower() not in SHELLS:
        raise UsageError(messages.COMPLETION_SHELL_UNKNOWN.format(value=value, shells=", ".join(SHELLS)))
    return value.lower()


def _checked(value: str) -> str:
    """The shell of a root option: a usage error is Click's own there (options are read
    before any command runs)."""
    from ..errors import UsageError

    try:
        return shell_named(value)
    except UsageError as exc:
        raise typer.BadParameter(exc.message) from None


def show_option(ctx: typer.Context, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    typer.echo(script(_checked(value)))
    raise typer.Exit()


def install_option(ctx: typer.Context, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import install

    shell, path = install(shell=_checked(value), prog_name=PROG, complete_var=VAR)
    from . import common

    common.info(messages.COMPLETION_INSTALLED.format(shell=shell, path=path))
    raise typer.Exit()


ShowOption = Annotated[str | None, typer.Option(
    "--show-completion", metavar="SHELL", callback=show_option, expose_value=False, is_eager=True,
    help=messages.SHOW_COMPLETION_HELP)]
InstallOption = Annotated[str | None, typer.Option(
    "--install-completion", metavar="SHELL", callback=install_option, expose_value=False, is_eager=True,
    help=messages.INSTALL_COMPLETION_HELP)]


def completion(
    shell: Annotated[str | None, typer.Argument(metavar="SHELL", help=messages.COMPLETION_SHELL_HELP)] = None,
) -> None:
    typer.echo(script(shell_named(shell)))


def register(app: typer.Typer) -> None:
    from . import common

    app.command("completion", cls=common.Command, help=common.command_help("completion"))(completion)


# -- answering Tab -------------------------------------------------------------------------
def complete(app: typer.Typer) -> None:
    """Answer one completion request and exit: the candidates on stdout, or nothing at all
    (no traceback, no message) when anything goes wrong."""
    import contextlib
    import io

    out, code = io.StringIO(), 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            import typer.main
            from typer._completion_classes import completion_init
            from typer.completion import shell_complete

            completion_init()  # Typer's bash, zsh and fish protocols, not Click's
            command: Any = typer.main.get_command(app)  # the root group of cli/app.py, which has on_build
            command.on_build = wire  # commands are built as Tab reaches them (cli/app.py)
            wire(command)
            code = shell_complete(command, {}, PROG, VAR, os.environ.get(VAR, ""))
    except SystemExit as exc:  # fish asks "are there any?" by the exit code
        code = exc.code if isinstance(exc.code, int) else 0
    except Exception:  # noqa: BLE001 - whatever it is, Tab offers nothing
        out, code = io.StringIO(), 0
    if out.getvalue().strip():  # no candidates: not even an empty line
        sys.stdout.write(out.getvalue())
        sys.stdout.flush()
    raise SystemExit(code)


def wire(command: Any) -> None:
    """Give the parameters of ``command`` and every command below it what OFFERS has for their names."""
    for param in command.params:
        offer = OFFERS.get(param.name or "")
        if offer is not None and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = offer
    for sub in getattr(command, "commands", {}).values():
        wire(sub)


def _record_ids(ctx: Any, param: Any, incomplete: str) -> list[str]:
    """IDs from the store: of any kind, or under a group named after a kind (`lead status`)
    of that kind; those already given (`rm a1 a…`) are not offered again."""
    from ..domain.kind import KINDS, find_kind
    from ..service.completion import record_ids
    from . import common

    group = ctx.parent.command.name if ctx.parent is not None and ctx.parent.parent is not None else None
    own = find_kind(group) if group else None
    db = ctx.find_root().params.get("db")
    settings = common.Settings(common.location(db), 0.0, 0)
    given = ctx.params.get(param.name)
    given = set(given) if isinstance(given, (list, tuple)) else set()
    try:
        return [i for i in record_ids(settings.store(), incomplete, [own] if own else KINDS.values()) if i not in given]
    finally:
        settings.close()


def _formats(ctx: Any, param: Any, incomplete: str) -> list[str]:
    """The formats the command at hand takes (as it checks them)."""
    from ..io import exporters

    name = ctx.command.name
    choices: tuple[str, ...]
    if name == "import":
        from ..io.importers.inputs import FORMATS as choices
    elif name == "report":
        from ..io.exporters.report import FORMATS as choices
    else:
        choices = {"export": exporters.EXPORT_FORMATS, "show": exporters.SHOW_FORMATS,
                   "regions": exporters.VIEW_FORMATS}.get(name, exporters.LIST_FORMATS)
    return [c for c in choices if c.startswith(incomplete)]


def _statuses(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    from typer._click.shell_completion import CompletionItem

    from ..service.completion import statuses

    return [CompletionItem(name, help=other) for name, other in statuses(incomplete)]


def _kinds(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from ..service.completion import kind_names

    return kind_names(incomplete)


def _regions(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from ..service.completion import region_names

    return region_names(incomplete)


def _groupings(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from ..service.groupings import groupings

    return [g for g in groupings() if g.startswith(incomplete)]


def _shells(ctx: Any, param: Any, incomplete: str) -> list[str]:
    return [s for s in SHELLS if s.startswith(incomplete)]


OFFERS: dict[str, Callable[[Any, Any, str], list[Any]]] = {
    "record_id": _record_ids, "record_ids": _record_ids,
    "kind": _kinds, "kinds": _kinds,
    "status": _statuses, "new_status": _statuses,
    "fmt": _formats,
    "region": _regions, "within": _regions, "query": _regions,
    "by": _groupings,
    "shell": _shells,
}
