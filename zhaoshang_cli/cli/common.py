"""What every command shares: settings from global options, the store, output helpers."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import messages
from ..errors import UserError
from .help import Command, Group  # noqa: F401 - Command is used as common.Command

if TYPE_CHECKING:
    from ..domain.kind import Kind
    from ..io.exporters import Options
    from ..storage.base import Backend

DB_ENV = "ZHAOSHANG_DB"


class AliasGroup(Group):
    """A command group that also answers to other names (articles → article, ls → list)."""

    aliases: dict[str, str] = {}

    def get_command(self, ctx, name):
        return super().get_command(ctx, self.aliases.get(name, name))


def location(value: str | None) -> str | Path | None:
    """--db as given: a server URL stays text, anything else is a file path."""
    from ..service.store import is_server_url

    if value is None or value == "":
        return None
    return value if is_server_url(value) else Path(value)


@dataclass
class Settings:
    db: str | Path | None
    lock_timeout: float
    backups: int
    opened: dict[str, Backend] = field(default_factory=dict)  # by location; their warnings are shown at the end
    pager: bool = True  # long output at a terminal goes through a pager

    def db_path(self) -> str | Path:
        if self.db is not None:
            return self.db
        from ..folders import data_dir

        return data_dir() / "zhaoshang.json"

    def store(self, *, must_exist: bool = False) -> Backend:
        """The store; with ``must_exist``, one that is there (a command reading records from
        a store that does not exist says so, rather than printing nothing)."""
        return self.open(self.db_path(), must_exist=must_exist, create_folders=self.db is None)

    def open(self, location: str | Path, *, must_exist: bool = False, create_folders: bool = False) -> Backend:
        """The store at ``location`` (--db's, or another one: copy's --from and --to)."""
        from ..service.store import open_store

        store = self.opened.get(str(location))
        if store is None:  # a command asking twice (its records, the home region) gets the one store
            store = open_store(location, lock_timeout=self.lock_timeout, keep_backups=self.backups,
                               create_folders=create_folders)
            self.opened[str(location)] = store
        if must_exist and not store.exists():
            with store.reading():
                pass  # a store lost beside its backups is refused with its own message
            raise UserError(messages.NO_STORE.format(path=store.describe()))
        return store

    def close(self) -> None:
        for store in self.opened.values():
            store.close()

    def pending_warnings(self) -> list[str]:
        found = [w for store in self.opened.values() for w in store.warnings]
        for store in self.opened.values():
            store.warnings.clear()
        return found


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):  # a sub-app invoked on its own (tests)
        root.obj = Settings(location(os.environ.get(DB_ENV)), 10.0, 5)
    return root.obj


def store(ctx: typer.Context, *, must_exist: bool = False) -> Backend:
    return settings(ctx).store(must_exist=must_exist)


def paged(ctx: typer.Context, no_pager: bool = False) -> Any:
    """A block whose output on stdout goes through a pager when it is long (io/pager.py)."""
    from ..io.pager import paged as paging

    return paging(settings(ctx).pager and not no_pager)


NoPager = Annotated[bool, typer.Option("--no-pager", help=messages.NO_PAGER_HELP)]


def region_context(ctx: typer.Context, within: str | None = None) -> str | None:
    """The region names are read in: --in, else the store's home region (see `config`)."""
    if within:
        from ..domain.regions import table

        return table().resolve(within, field_name="--in").code
    from ..service.config import home_region

    return home_region(store(ctx))


In = Annotated[str | None, typer.Option("--in", metavar="REGION", help=messages.IN_HELP)]


def kind_arg(value: str) -> Kind:
    from ..domain.kind import kind_named

    return kind_named(value)


def kinds_text(template: str) -> str:
    """A help text naming the kinds registered now: {kinds} (articles, policies and leads),
    {some} (articles, policies or leads), {one} (article, policy or lead), {ids} (a12, p3, l7)."""
    from ..domain.kind import id_examples, kind_names

    return template.format(kinds=kind_names(joined=messages.AND), some=kind_names(),
                           one=kind_names(plural=False), ids=id_examples())


def command_help(name: str) -> str:
    """The help of a top-level command (messages.COMMAND_HELP), naming the registered kinds."""
    return kinds_text(messages.COMMAND_HELP[name])


def with_help(command: Callable[..., Any], **helps: str) -> Callable[..., Any]:
    """``command`` with its arguments' help (by parameter name) built now, from the
    registered kinds, as a new function: the command itself is not changed, so that each
    app built has the help of its own time."""
    import functools
    import inspect

    signature = inspect.signature(command, eval_str=True)
    params = []
    for param in signature.parameters.values():
        if param.name in helps:
            info = copy_param_info(param.annotation.__metadata__[0], help=helps[param.name])
            param = param.replace(annotation=Annotated[param.annotation.__origin__, info])
        params.append(param)

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return with_signature(run, params, command.__doc__)


def copy_param_info(info: Any, **changes: Any) -> Any:
    """A copy of a typer.Argument/typer.Option with some attributes changed."""
    import copy

    found = copy.copy(info)
    for name, value in changes.items():
        setattr(found, name, value)
    return found


# -- messages on stderr --------------------------------------------------------------------
def ask(question: str, check: Callable[[str], str], **options: Any) -> str:
    """A prompt at a terminal, asked again with the reason (in the language spoken) until
    ``check`` accepts the answer."""
    while True:
        answer = typer.prompt(question, **options)
        try:
            return check(answer)
        except typer.BadParameter as exc:
            error(exc.message)


def error(message: str) -> None:
    from ..io.safe_text import inert

    _stderr_line(messages.ERROR_PREFIX + inert(message, single_line=True), "red")


def warn(message: str) -> None:
    from ..io.safe_text import inert

    _stderr_line(messages.WARNING_PREFIX + inert(message, single_line=True), "yellow")


def info(message: str) -> None:
    from ..io.safe_text import inert

    _stderr_line(inert(message, single_line=True), "")


_COLOURS = {"red": "\x1b[31m", "yellow": "\x1b[33m"}


def _stderr_line(text: str, style: str) -> None:
    """One line on stderr, coloured at a terminal (not under NO_COLOR or TERM=dumb); written
    directly: importing Rich for one line would cost a single write a fifth of its time."""
    from ..io.terminal import colour

    stream = sys.stderr
    if style and colour(stream):
        text = f"{_COLOURS[style]}{text}\x1b[0m"
    try:
        stream.write(text + "\n")
        stream.flush()
    except (BrokenPipeError, ValueError):  # nobody reads stderr any more
        pass


def at_terminal() -> bool:
    from ..io.terminal import is_terminal

    return is_terminal(sys.stdin) and is_terminal(sys.stdout)


# -- records on stdout ---------------------------------------------------------------------
def for_people(records: list[dict[str, Any]], reveal: bool, *, note: bool = True) -> list[dict[str, Any]]:
    """Records as `show` prints them: contact data masked unless ``reveal`` (and then, with
    ``note``, a line on stderr saying how to see it)."""
    from .. import messages
    from ..io.masking import ForPeople

    shown = ForPeople(records, reveal)
    found = list(shown)
    if note and shown.masked:
        info(messages.REVEAL_NOTE)
    return found


def emit(fmt: str, records: Iterable[dict[str, Any]], kinds: list[Kind], options: Options,
         empty_message: str | None = None) -> None:
    """Records on stdout in a format; an empty table is a note on stderr instead."""
    from itertools import chain

    from .. import messages
    from ..io import exporters

    stream = iter(records)
    first = next(stream, None)
    if first is None:
        from ..io.terminal import is_terminal

        if is_terminal(sys.stderr):  # for people: scripts see an empty result and exit 0 alike
            info(empty_message or messages.NO_RECORDS)
        if fmt == "table":
            return
    exporters.write(fmt, chain([first], stream) if first is not None else [], sys.stdout, kinds=kinds,
                    options=options)


# -- shared options ------------------------------------------------------------------------
Region = Annotated[list[str] | None, typer.Option(
    "--region", "-r",
    help="Region name or code; a list (天津,北京 or 天津 北京) or repeated gives any of them; '天津 和平区' is a path. "
         "A province or city includes its districts and zones.")]
Since = Annotated[str | None, typer.Option(
    help="From this date, or the first day of a month, week, quarter, half-year or year "
         "(2025-07, 2025Q3, 2025年上半年).")]
Until = Annotated[str | None, typer.Option(
    help="Up to this date, or the last day of a month, week, quarter, half-year or year.")]
On = Annotated[str | None, typer.Option(
    help="On this day, or within this month, week, quarter, half-year or year: "
         "2025-07, 2025Q3, 2025年第三季度, 2025年上半年, 上季度, 今年.")]
Month = Annotated[str | None, typer.Option(help="Within a month: 2025-07, 2025年7月, this-month, 上月.")]
Text = Annotated[str | None, typer.Option("--text", "-t", help="Substring of title, body, company, notes.")]
Status = Annotated[list[str] | None, typer.Option("--status", "-s", help="Lead status; repeatable.")]
DueBefore = Annotated[str | None, typer.Option("--due-before", help="Leads due on or before this date (e.g. today).")]
SignedSince = Annotated[str | None, typer.Option(
    "--signed-since", metavar="DATE", help="Leads signed on or after this day (their signing date, not registration).")]
SignedUntil = Annotated[str | None, typer.Option(
    "--signed-until", metavar="DATE", help="Leads signed on or before this day.")]
SignedOn = Annotated[str | None, typer.Option(
    "--signed-on", metavar="PERIOD", help="Leads signed in this day, month, quarter or year (2025-07, 2025Q3).")]
Tag = Annotated[list[str] | None, typer.Option(
    "--tag", metavar="TAG", help="Records whose tags hold this one (标签); repeatable, or 厂房,招商: any of them.")]
Owner = Annotated[list[str] | None, typer.Option(
    "--owner", metavar="NAME", help="Leads this colleague owns (负责人); repeatable, or 张三,李四.")]
Mine = Annotated[bool, typer.Option(
    "--mine", help="Leads you own (you: $ZHAOSHANG_USER, `config set user`, else your login name).")]
Sort = Annotated[str | None, typer.Option(
    help="Sort key, '-' for descending: date, id, title, region, created, updated, amount (each currency apart), "
         "status, due.")]
def not_negative(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise typer.BadParameter(messages.NOT_NEGATIVE.format(value=value))
    return value


Limit = Annotated[int | None, typer.Option("--limit", "-n", callback=not_negative, help="At most this many records.")]
Format = Annotated[str, typer.Option("--format", "-f", help="table, json, jsonl, csv, count, ids or html (a page).")]
Fields = Annotated[str | None, typer.Option("--fields", metavar="FIELDS", help=messages.FIELDS_HELP)]
Excel = Annotated[bool, typer.Option("--excel", help="CSV for Excel: UTF-8 with BOM, CRLF.")]
Reveal = Annotated[bool, typer.Option(
    "--reveal", help="Show contact data unmasked: phones, e-mails, WeChat/QQ IDs (also in extra columns).")]


ExactRegion = Annotated[bool, typer.Option(
    "--exact-region", help="Only records of the region itself, not of its districts.")]
Where = Annotated[list[str] | None, typer.Option(
    "--where", "-w", metavar="FIELD=VALUE",
    help="Only records whose FIELD is VALUE (industry=生物医药, need=厂房租赁, source=a3); 'FIELD=' for records "
         "without one. Repeatable: one field any of its values, several fields all.")]

Source = Annotated[list[str] | None, typer.Option(
    "--source", metavar="SOURCE",
    help="Only records from this source: a channel (展会, 电话, 推荐…), a record ID or a URL; repeatable.")]

_FILTER_OPTIONS = (("region", Region, None), ("since", Since, None), ("until", Until, None), ("on", On, None),
                   ("month", Month, None), ("text", Text, None), ("status", Status, None),
                   ("due_before", DueBefore, None), ("signed_since", SignedSince, None),
                   ("signed_until", SignedUntil, None), ("signed_on", SignedOn, None),
                   ("owner", Owner, None), ("mine", Mine, False), ("tag", Tag, None),
                   ("exact_region", ExactRegion, False), ("where", Where, None), ("source", Source, None))


def with_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the record filters (--region, --since, --until, --on, --month, --text,
    --status, --due-before, --owner, --mine, --exact-region, --where, --source) as one
    ``filters: FilterArgs`` argument."""
    import inspect

    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    at = next((i for i, p in enumerate(own) if p.default is not inspect.Parameter.empty
               and p.kind is not inspect.Parameter.POSITIONAL_ONLY), len(own))
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
             for name, annotation, default in _FILTER_OPTIONS]
    params = [p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in own[:at]] + \
             [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[at:]]
    params[at:at] = added

    def run(**kwargs: Any) -> Any:
        from ..service.filters import FilterArgs

        picked = {name: kwargs.pop(name) for name, _, _ in _FILTER_OPTIONS}
        filters = FilterArgs(regions=list(picked["region"] or []), since=picked["since"], until=picked["until"],
                             on=picked["on"], month=picked["month"], text=picked["text"],
                             statuses=list(picked["status"] or []), due_before=picked["due_before"],
                             owners=list(picked["owner"] or []), mine=picked["mine"], tags=list(picked["tag"] or []),
                             signed_since=picked["signed_since"], signed_until=picked["signed_until"],
                             signed_on=picked["signed_on"],
                             exact_region=picked["exact_region"], where=list(picked["where"] or []),
                             sources=list(picked["source"] or []))
        return command(filters=filters, **kwargs)

    run.__name__ = command.__name__
    return with_signature(run, params, command.__doc__)


def with_signature(function: Callable[..., Any], params: list[Any], doc: str | None) -> Callable[..., Any]:
    """Give a ``**kwargs`` function the parameters Typer should see (options built from data)."""
    import inspect

    function.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    function.__annotations__ = {p.name: p.annotation for p in params}
    function.__doc__ = doc
    return function
