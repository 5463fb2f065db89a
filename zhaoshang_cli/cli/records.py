"""add, list, filter, show, edit, rm."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from .. import messages
from ..errors import UsageError, UserError
from ..domain.kind import KINDS, Field, Kind
from . import common


# -- options generated from the record fields ----------------------------------------------
_PLACEHOLDERS = {"date": "DATE", "region": "REGION", "amount": "AMOUNT", "phone": "PHONE", "email": "EMAIL",
                 "url": "URL", "tags": "TAG,…", "notes": "TEXT", "source": "SOURCE"}


def option_names(spec: Field) -> list[str]:
    """The options of a field on add and edit: --title, -r/--region; notes take --note as
    everywhere else (lead status), one note at a time."""
    if spec.type == "notes":
        return ["--note"]
    return [f"--{spec.name.replace('_', '-')}", *(["-r"] if spec.type == "region" else [])]


def _field_parameters(fields: list[Field]) -> list[inspect.Parameter]:
    params = []
    for spec in fields:
        placeholder = _PLACEHOLDERS.get(spec.type) or (spec.name.upper() if spec.type == "choice" else "TEXT")
        option = typer.Option(*option_names(spec), metavar=placeholder, help=f"{spec.help} ({spec.label})",
                              show_default=False)
        params.append(inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                        annotation=Annotated[Optional[str], option]))
    return params


_BODY_FILE = inspect.Parameter(
    "body_file", inspect.Parameter.KEYWORD_ONLY, default=None,
    annotation=Annotated[Optional[str], typer.Option("--body-file", metavar="FILE",
                                                     help="Read the body from FILE ('-' for stdin).")])
_CTX = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
_WITHIN = inspect.Parameter("within", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=common.In)


def _command(params: list[inspect.Parameter], body: Callable[..., None], doc: str) -> Callable[..., None]:
    def command(**kwargs: Any) -> None:
        body(**kwargs)

    return common.with_signature(command, params, doc)


def read_body_file(path: str) -> str:
    from ..io.importers.encoding import decode

    if path == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(messages.BODY_FILE_MISSING.format(path=path, reason=exc.strerror or exc)) from None
    return decode(raw, path)


def _given(kwargs: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in kwargs.items() if v is not None and k not in ("ctx", "body_file")}
    for name, value in values.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes in argv arrive as lone surrogates
            raise UserError(f"--{name.replace('_', '-')}: {messages.TEXT_NOT_UTF8}") from None
    if kwargs.get("body_file") is not None:
        if "body" in values:
            raise UsageError(messages.BODY_TWICE)
        values["body"] = read_body_file(kwargs["body_file"])
    return values


# -- add -----------------------------------------------------------------------------------
def _ask_missing(kind: Kind, values: dict[str, Any]) -> None:
    """Prompt for required fields at a terminal; elsewhere a missing one is a usage error."""
    wanted = [spec for spec in kind.required if not values.get(spec.name)]
    for problem in kind.checks(values):  # a check that names a field without a value wants it given
        spec = kind.field(problem.field)
        if problem.value is None and spec is not None and spec.settable and spec not in wanted:
            wanted.append(spec)
    for spec in wanted:
        if not common.at_terminal():
            raise UsageError(messages.MISSING_OPTION.format(field=spec.name.replace("_", "-"), label=spec.label))
        values[spec.name] = typer.prompt(f"{spec.label} ({spec.name})")


def _make_add(kind: Kind) -> Callable[..., None]:
    fields = [f for f in kind.fields if f.settable]

    def run(ctx: typer.Context, within: str | None = None, **kwargs: Any) -> None:
        from ..service import records

        values = _given(kwargs)
        _ask_missing(kind, values)
        record_id = records.add(common.store(ctx), kind, values, common.region_context(ctx, within))
        typer.echo(record_id)

    params = [_CTX, *_field_parameters(fields)] + ([_BODY_FILE] if kind.has_body else []) + [_WITHIN]
    article = "an" if kind.name[0] in "aeiou" else "a"
    return _command(params, run, messages.ADD_KIND_HELP.format(article=article, kind=kind.name, label=kind.label))


# -- list / filter -------------------------------------------------------------------------
_FULL_FORMATS = ("json", "jsonl", "csv")  # whole records, bodies included; tables need no bodies


def _list(ctx: typer.Context, fmt: str, kinds: list[Kind], filters: Any, sort: str | None, limit: int | None,
          reveal: bool, show_kind: bool) -> None:
    """Find and print, record by record: a listing of everything holds one record at a time."""
    from ..domain import dates
    from ..io import exporters
    from ..io.masking import ForPeople
    from ..service import records

    exporters.check_format(fmt, exporters.LIST_FORMATS)
    store = common.store(ctx, must_exist=True)
    if fmt in ("count", "ids"):
        found = [{"id": i} for i in records.find_ids(store, kinds, filters, sort=sort, limit=limit)]
        exporters.write(fmt, found, sys.stdout, kinds=kinds)
        return
    request = records.query(kinds, filters, sort=sort or "-date", limit=limit, with_body=fmt in _FULL_FORMATS)
    shown = ForPeople(records.stream(store, request), reveal)
    options = exporters.Options(today=dates.today().isoformat(), show_kind=show_kind)
    common.emit(fmt, shown, kinds, options)
    if shown.masked and not (fmt == "table" and show_kind):  # that table has no contact column
        common.info(messages.REVEAL_NOTE)


@common.with_filters
def list_records(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="The kind of record.")],
    filters: Any = None,
    sort: common.Sort = None,
    limit: common.Limit = None,
    fmt: common.Format = "table",
    reveal: common.Reveal = False,
) -> None:
    """List records of one kind, filtered by region, date, text and status."""
    from ..io import exporters
    from ..service.filters import build_filters

    the_kind = common.kind_arg(kind)
    exporters.check_format(fmt, exporters.LIST_FORMATS)
    built = build_filters(filters, context=common.region_context(ctx))
    _list(ctx, fmt, [the_kind], built, sort, limit, reveal, show_kind=False)


@common.with_filters
def filter_records(
    ctx: typer.Context,
    kinds: Annotated[Optional[list[str]], typer.Option("--kind", "-k", help="Only this kind; repeatable.")] = None,
    filters: Any = None,
    sort: common.Sort = None,
    limit: common.Limit = None,
    fmt: common.Format = "table",
    reveal: common.Reveal = False,
) -> None:
    """Filter records of every kind at once: one table with a kind column."""
    from ..io import exporters
    from ..service.filters import build_filters

    exporters.check_format(fmt, exporters.LIST_FORMATS)
    chosen = list(dict.fromkeys(common.kind_arg(k) for k in kinds)) if kinds else list(KINDS.values())
    built = build_filters(filters, context=common.region_context(ctx))
    _list(ctx, fmt, chosen, built, sort, limit, reveal, show_kind=True)


# -- show ----------------------------------------------------------------------------------
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Record ID.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table (readable), json or html (a page).")] = "table",
    reveal: common.Reveal = False,
) -> None:
    """Show one whole record, body included."""
    from ..io import exporters
    from ..service import records

    exporters.check_format(fmt, ("table", "json", "html"))
    [record] = common.for_people([records.get(common.store(ctx, must_exist=True), record_id)], reveal)
    if fmt == "json":
        from ..io.exporters.json_ import dumps

        sys.stdout.write(dumps(record) + "\n")
        return
    if fmt == "html":
        from ..io.exporters.html.records import write_record
    else:
        from ..io.exporters.record import write_record
    write_record(record, sys.stdout, origin=records.origin(common.store(ctx), record))


# -- edit / rm -----------------------------------------------------------------------------
def _make_edit() -> Callable[..., None]:
    union: dict[str, Field] = {}
    for kind in KINDS.values():
        for spec in kind.fields:
            if spec.settable and spec.name not in union:
                union[spec.name] = spec
    record_param = inspect.Parameter(
        "record_id", inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[str, typer.Argument(metavar="ID", help=common.kinds_text(messages.ID_HELP))])

    def run(ctx: typer.Context, record_id: str, **kwargs: Any) -> None:
        from ..service import records

        changes = _given(kwargs)
        records.edit(common.store(ctx, must_exist=True), record_id, changes)
        common.info(messages.UPDATED.format(id=record_id))

    params = [_CTX, record_param, *_field_parameters(list(union.values())), _BODY_FILE]
    return _command(params, run, "Change fields of a record (same validation as add); '' clears a field.")


def rm(
    ctx: typer.Context,
    record_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Record IDs to delete.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete records (asks at a terminal; needs --yes in scripts). IDs are never reused."""
    from ..service import records

    if not yes:
        if not common.at_terminal():
            raise UsageError(messages.RM_NEEDS_YES)
        if not typer.confirm(messages.RM_CONFIRM.format(count=len(record_ids), ids=" ".join(record_ids))):
            common.info(messages.RM_ABORTED)
            raise typer.Exit(1)
    removed = records.remove(common.store(ctx, must_exist=True), record_ids)
    common.info(messages.REMOVED.format(ids=" ".join(removed)))


class _KindGroup(common.AliasGroup):
    """`add`: a subcommand per kind, also under its other names (articles, 文章, 资讯…)."""

    def get_command(self, ctx, name):  # type: ignore[no-untyped-def]
        from ..domain.kind import find_kind

        kind = find_kind(name)
        return super().get_command(ctx, kind.name if kind is not None else name)


def register(app: typer.Typer) -> None:
    """The record commands for the kinds registered now."""
    add_app = typer.Typer(cls=_KindGroup, help=common.kinds_text(messages.ADD_HELP), no_args_is_help=True)
    for kind in KINDS.values():
        add_app.command(kind.name, cls=common.Command)(_make_add(kind))
    app.add_typer(add_app, name="add")
    kinds_help = common.kinds_text(messages.KIND_ARG_HELP)
    id_help = common.kinds_text(messages.ID_HELP)
    app.command("list", cls=common.Command)(common.with_help(list_records, kind=kinds_help))
    app.command("filter", cls=common.Command)(common.with_help(filter_records, doc=common.kinds_text(messages.FILTER_HELP)))
    app.command("show", cls=common.Command)(common.with_help(show, record_id=id_help))
    app.command("edit", cls=common.Command)(_make_edit())
    app.command("rm", cls=common.Command)(rm)
