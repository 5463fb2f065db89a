"""The root `zhaoshang` command: global options, error handling, command registration.

Commands are built only when they are used: Typer turns a function's signature into Click
parameters, and doing that for all thirty commands took longer than importing Typer itself.
`zhaoshang list` builds `list`; `zhaoshang --help` builds none (its summaries come from
messages.COMMAND_HELP); Tab completion builds what it walks."""

from __future__ import annotations

import errno
import math
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer import _click as click

from .. import __version__, messages
from ..errors import Cancelled, UsageError, UserError
from . import common, completion

# the module (cli/NAME.py) whose `register` makes each top-level command
MODULES = {"records": ("add", "list", "filter", "show", "edit", "rm"), "transfer": ("import", "import-page", "export"),
           "stores": ("copy", "db"), "report": ("report",), "leads": ("lead",), "admin": ("doctor", "restore"),
           "config": ("config",), "regions": ("regions",), "completion": ("completion",),
           "history": ("log", "undo"), "agenda": ("agenda",),
           "matching": ("match",)}
_MODULE_OF = {name: module for module, names in MODULES.items() for name in names}


class _CommandsOnDemand(common.AliasGroup):
    """A group whose commands are built the first time they are asked for."""

    on_build: Callable[[Any], None] | None = None  # shell completion wires each command built

    def command_names(self, ctx):
        return sorted(set(self.commands) | set(_MODULE_OF))

    def get_command(self, ctx, name):
        from ..i18n import language

        name = self.aliases.get(name, name)
        spoken = language()
        if getattr(self, "_language", spoken) != spoken:  # built in another language (tests speak both)
            for built in [n for n in self.commands if n in _MODULE_OF]:
                del self.commands[built]
        self._language = spoken
        if name not in self.commands and name in _MODULE_OF:
            self.add_command(_build(name), name)
            if self.on_build is not None:
                self.on_build(self.commands[name])
        return super().get_command(ctx, name)

    def resolve_command(self, ctx, args):
        """Typer suggests a command for a typo among those built; here it is among all."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:
            from difflib import get_close_matches

            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                plain = exc.message.split(" Did you mean")[0].rstrip(".")
                exc.message = f"{plain}. Did you mean {', '.join(map(repr, matches))}?"
            raise

    def summary_of(self, ctx, name):
        if name in self.commands or name not in _MODULE_OF:
            return super().summary_of(ctx, name)
        from .help import summary

        return summary(common.command_help(name))


def _build(name: str) -> Any:
    """The Click command `name`, made by its module's `register` for the kinds registered now."""
    import importlib

    import typer.main

    part = typer.Typer(rich_markup_mode=None, add_completion=False, pretty_exceptions_enable=False)
    importlib.import_module(f"{__package__}.{_MODULE_OF[name]}").register(part)
    part.registered_commands = [c for c in part.registered_commands if c.name == name]
    part.registered_groups = [g for g in part.registered_groups if g.name == name]
    return typer.main.get_group(part).commands[name]


class _ErrorsAsMessages(_CommandsOnDemand):
    """Turn a UserError anywhere below into one line on stderr and its exit code; show the
    store's warnings (things that went wrong after a change was saved) at the end."""

    aliases = {"ls": "list"}

    @property
    def sections(self):
        return messages.HELP_SECTIONS

    @property
    def help(self):
        return common.kinds_text(messages.APP_HELP)

    @help.setter
    def help(self, value):
        pass  # worded when shown, in the language spoken then

    def main(self, *args, standalone_mode=True, **kwargs):
        """Click's own errors (usage, a bad value) as one line in the language spoken."""
        from ..i18n import forget

        forget()  # each command line speaks the language its environment asks for
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.UsageError as exc:
            from .usage_errors import one_line

            common.error(one_line(exc))
            sys.exit(exc.exit_code)
        except click.exceptions.ClickException as exc:
            common.error(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            common.info(messages.ABORTED)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            _show_warnings(ctx)
            (common.info if isinstance(exc, Cancelled) else common.error)(exc.message)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            _reader_left()
        except (typer.Abort, KeyboardInterrupt):  # Ctrl-C, at a prompt or not
            common.info(messages.INTERRUPTED)
            raise typer.Exit(130) from None
        except Exception as exc:
            if (isinstance(exc.__cause__ or exc.__context__, BrokenPipeError)
                    or getattr(exc, "errno", None) == errno.EPIPE):
                _reader_left()
            from ..atomic import is_user_os_error, os_error_message

            debug = os.environ.get("ZHAOSHANG_DEBUG")
            if is_user_os_error(exc) and not debug:  # a full disk, a read-only mount, missing rights
                _show_warnings(ctx)
                common.error(os_error_message(exc))
                raise typer.Exit(1) from None
            if debug or type(exc).__module__.split(".")[0] in ("typer", "click"):
                raise  # Typer's and Click's own exits and usage errors print themselves
            # a bug: one line for the user, the traceback on request
            common.error(messages.INTERNAL_ERROR.format(kind=type(exc).__name__, detail=exc))
            raise typer.Exit(70) from None
        finally:
            _show_warnings(ctx)
            if isinstance(ctx.obj, common.Settings):
                ctx.obj.close()


def _reader_left() -> None:
    """`zhaoshang … | head`: the reader left, which is fine, for every command: exit 0, and
    nothing more is written to the closed pipe (not even when Python flushes at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise typer.Exit(0) from None


def _show_warnings(ctx) -> None:
    settings = ctx.obj if isinstance(ctx.obj, common.Settings) else None
    if settings is not None and sys.stderr is not None:
        for message in settings.pending_warnings():
            common.warn(message)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zhaoshang-cli {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar=common.DB_ENV, show_envvar=True,
                                               help="Store file, or a team store's URL postgresql://USER@HOST/DBNAME. "
                                                    "Default: zhaoshang.json in the user data directory.")] = None,
    lock_timeout: Annotated[float, typer.Option(envvar="ZHAOSHANG_LOCK_TIMEOUT",
                                                help="Seconds to wait for another process's lock.")] = 10.0,
    backups: Annotated[int, typer.Option(envvar="ZHAOSHANG_BACKUPS", callback=common.not_negative,
                                         help="How many previous versions of the store to keep.")] = 5,
    no_pager: common.NoPager = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    install_completion: completion.InstallOption = None,
    show_completion: completion.ShowOption = None,
) -> None:
    if not math.isfinite(lock_timeout) or lock_timeout < 0:  # nan would wait forever
        raise UsageError(messages.LOCK_TIMEOUT_INVALID.format(value=lock_timeout))
    ctx.obj = common.Settings(common.location(db), lock_timeout, backups, pager=not no_pager)


def build_app() -> typer.Typer:
    """The `zhaoshang` command tree: `add` has a subcommand per kind, `edit` an option per
    field of any kind, of the kinds registered (domain/kind.py) when a command is first built."""
    built = typer.Typer(
        cls=_ErrorsAsMessages,
        name="zhaoshang",
        help=common.kinds_text(messages.APP_HELP),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help: rendering it with Rich costs more than the rest of start-up
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    )
    built.callback()(root)
    return built


app = build_app()


def main() -> None:
    if os.environ.get(completion.VAR):  # the shell asking what Tab may offer
        completion.complete(app)
    app()
