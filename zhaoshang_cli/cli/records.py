"""add, list, filter, show, edit, rm."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import messages
from ..domain.kind import KINDS, Field, Kind
from ..errors import Cancelled, UsageError, UserError
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
                                        annotation=Annotated[str | None, option]))
    return params


_BODY_FILE = inspect.Parameter(
    "body_file", inspect.Parameter.KEYWORD_ONLY, default=None,
    annotation=Annotated[str | None, typer.Option("--body-file", metavar="FILE",
                                                     help="Read the body from FILE ('-' for stdin).")])
_EDITOR = inspect.Parameter(
    "editor", inspect.Parameter.KEYWORD_ONLY, default=False,
    annotation=Annotated[bool, typer.Option("--editor", "-e", help=messages.EDITOR_HELP)])
_CTX = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
_WITHIN = inspect.Parameter("within", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=common.In)


def _command(params: list[inspect.Parameter], body: Callable[..., None], doc: str | None) -> Callable[..., None]:
    def command(**kwargs: Any) -> None:
        body(**kwargs)

    return common.with_signature(command, params, doc)


def read_body_file(path: str) -> str:
    from ..io.importers.encoding import decode

    if path == "-":
        if common.at_terminal():
            import os

            keys = messages.BODY_STDIN_KEYS_WINDOWS if os.name == "nt" else messages.BODY_STDIN_KEYS
            common.info(messages.BODY_STDIN_HINT.format(keys=keys))
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


def _in_editor(editor: bool) -> bool:
    """--editor, refused before anything else when no one is at a terminal to use it."""
    if editor:
        from ..io.editor import require_terminal

        require_terminal()
    return editor


def _confirm(lines: list[str], question: str, aborted: str) -> None:
    """Show what a command is about to change and ask; no is Cancelled (exit 1)."""
    for line in lines:
        common.info(line)
    if not typer.confirm(question):
        raise Cancelled(aborted)


# -- add -----------------------------------------------------------------------------------
_ASKED_TOO = ("region", "owner")  # asked at a terminal when a kind has them and they are not given
def _ask_missing(kind: Kind, values: dict[str, Any], context: str | None) -> None:
    """Prompt for required fields at a terminal, each answer checked as it is given and
    asked again when bad (a lead's phone or else its e-mail), then for its region and owner,
    which may be left empty; elsewhere a missing one is a usage error."""
    from ..domain import validate as validation
    from ..domain.people import current_user

    wanted = [spec for spec in kind.required if not values.get(spec.name)]
    for problem in kind.checks(values):  # a check that names a field without a value wants it given
        spec = kind.field(problem.field)
        if problem.value is None and spec is not None and spec.settable and spec not in wanted:
            wanted.append(spec)
    if not wanted:
        return
    if not common.at_terminal():
        spec = wanted[0]
        raise UsageError(messages.MISSING_OPTION.format(field=spec.name.replace("_", "-"), label=spec.label))
    validation.validate(kind, values, partial=True, region_context=context)  # no questions for a lost cause
    email = kind.field("email")
    for spec in wanted:
        if spec.type == "phone" and email is not None and not values.get("email"):
            # a lead needs a phone or an e-mail: an empty answer asks for the e-mail instead
            answer = common.ask(messages.PROMPT_PHONE_OR_EMAIL.format(label=spec.label),
                                _answer_check(kind, spec, context, empty=True), default="", show_default=False)
            if answer:
                values[spec.name] = answer
                continue
            spec = email
        values[spec.name] = common.ask(f"{spec.label} ({spec.name})", _answer_check(kind, spec, context))
    for name in _ASKED_TOO:  # where the lead is meant to go, and who follows it up: asked, may be left empty
        spec = kind.field(name)
        if spec is not None and spec.settable and not values.get(name):
            default = current_user() if name == "owner" else ""
            answer = common.ask(messages.PROMPT_OPTIONAL.format(label=spec.label, name=name),
                                _answer_check(kind, spec, context, empty=True), default=default,
                                show_default=bool(default))
            if answer:
                values[name] = answer


def _answer_check(kind: Kind, spec: Field, context: str | None, empty: bool = False) -> Callable[[str], str]:
    """A prompt's answer validated as the field's option is (common.ask asks again on
    BadParameter); with ``empty``, no answer is one."""
    def check(answer: str) -> str:
        if empty and not answer.strip():
            return ""
        from ..domain import validate as validation
        from ..io.safe_text import inert

        try:
            validation.validate(kind, {spec.name: answer}, partial=True, region_context=context)
        except UserError as exc:
            raise typer.BadParameter(inert(exc.message, single_line=True)) from None
        return answer

    return check


def _add_in_editor(ctx: typer.Context, kind: Kind, values: dict[str, Any], context: str | None) -> str:
    """A new record written in the editor, its template filled with the options given."""
    from ..io import editor_template as template
    from ..io.editor import edit_until_accepted
    from ..service import records

    heading = messages.EDITOR_ADD_HEADING.format(kind=kind.name, label=kind.label)
    text = template.render(kind, values, values.get("body"), heading)

    def save(back: str) -> str:
        return records.add(common.store(ctx), kind, template.given(template.parse(kind, back)), context)

    return edit_until_accepted(text, save)


def _make_add(kind: Kind) -> Callable[..., None]:
    fields = [f for f in kind.fields if f.settable]

    def run(ctx: typer.Context, within: str | None = None, editor: bool = False, **kwargs: Any) -> None:
        from ..service import records

        in_editor = _in_editor(editor)
        values = _given(kwargs)
        context = common.region_context(ctx, within)
        if in_editor:
            record_id = _add_in_editor(ctx, kind, values, context)
        else:
            _ask_missing(kind, values, context)
            record_id = records.add(common.store(ctx), kind, values, context)
        typer.echo(record_id)

    params = [_CTX, *_field_parameters(fields)] + ([_BODY_FILE] if kind.has_body else []) + [_EDITOR, _WITHIN]
    from ..domain.kind import with_article

    return _command(params, run, messages.ADD_KIND_HELP.format(kind=with_article(kind.name), label=kind.label))


# -- list / filter -------------------------------------------------------------------------
_FULL_FORMATS = ("json", "jsonl", "csv")  # whole records, bodies included; tables need no bodies


def _list(ctx: typer.Context, fmt: str, kinds: list[Kind], filters: Any, sort: str | None, limit: int | None,
          reveal: bool, show_kind: bool, fields: str | None, no_pager: bool, excel: bool = False) -> None:
    """Find and print, record by record: a listing of everything holds one record at a time."""
    from ..domain import dates
    from ..io import exporters
    from ..io.masking import ForPeople
    from ..service import records

    chosen = exporters.pick_fields(fields, kinds, fmt)
    store = common.store(ctx, must_exist=True)
    if fmt == "count":  # counted by the store (a server: count(*), which may scan in parallel)
        records.query(kinds, filters, sort=sort)  # what it would refuse to list, it refuses to count
        counted = records.count(store, kinds, filters)
        typer.echo(str(counted if limit is None else max(0, min(counted, limit))))
        return
    if fmt == "ids":
        found = [{"id": i} for i in records.find_ids(store, kinds, filters, sort=sort, limit=limit)]
        exporters.write(fmt, found, sys.stdout, kinds=kinds)
        return
    with_body = exporters.needs_body(chosen, kinds) if chosen else fmt in _FULL_FORMATS
    request = records.query(kinds, filters, sort=sort or "-date", limit=limit, with_body=with_body)
    shown = ForPeople(records.stream(store, request), reveal, chosen)
    if excel and fmt != "csv":
        raise UsageError(messages.EXCEL_NEEDS_CSV.format(fmt=fmt))
    options = exporters.Options(today=dates.today().isoformat(), show_kind=show_kind, fields=chosen, excel=excel)
    with common.paged(ctx, no_pager):
        common.emit(fmt, shown, kinds, options)
    if shown.masked and (chosen or not (fmt == "table" and show_kind)):  # that table has no contact column
        common.info(messages.REVEAL_NOTE)


@common.with_filters
def list_records(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="The kind of record.")],
    filters: Any = None,
    sort: common.Sort = None,
    limit: common.Limit = None,
    fmt: common.Format = "table",
    fields: common.Fields = None,
    reveal: common.Reveal = False,
    excel: common.Excel = False,
    no_pager: common.NoPager = False,
) -> None:
    from ..io import exporters
    from ..service.filters import build_filters

    the_kind = common.kind_arg(kind)
    exporters.check_format(fmt, exporters.LIST_FORMATS)
    built = build_filters(filters, context=common.region_context(ctx))
    _list(ctx, fmt, [the_kind], built, sort, limit, reveal, show_kind=False, fields=fields, no_pager=no_pager,
          excel=excel)


@common.with_filters
def filter_records(
    ctx: typer.Context,
    kinds: Annotated[list[str] | None, typer.Option("--kind", "-k", help="Only this kind; repeatable.")] = None,
    filters: Any = None,
    sort: common.Sort = None,
    limit: common.Limit = None,
    fmt: common.Format = "table",
    fields: common.Fields = None,
    reveal: common.Reveal = False,
    excel: common.Excel = False,
    no_pager: common.NoPager = False,
) -> None:
    from ..io import exporters
    from ..service.filters import build_filters

    exporters.check_format(fmt, exporters.LIST_FORMATS)
    chosen = list(dict.fromkeys(common.kind_arg(k) for k in kinds)) if kinds else list(KINDS.values())
    built = build_filters(filters, context=common.region_context(ctx))
    _list(ctx, fmt, chosen, built, sort, limit, reveal, show_kind=True, fields=fields, no_pager=no_pager,
          excel=excel)


# -- show ----------------------------------------------------------------------------------
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Record ID.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table (readable), json or html (a page).")] = "table",
    reveal: common.Reveal = False,
    no_pager: common.NoPager = False,
) -> None:
    from ..io import exporters
    from ..service import records

    exporters.check_format(fmt, exporters.SHOW_FORMATS)
    [record] = common.for_people([records.get(common.store(ctx, must_exist=True), record_id)], reveal)
    if fmt == "json":
        from ..io.exporters.json_ import dumps

        sys.stdout.write(dumps(record) + "\n")
        return
    if fmt == "html":
        from ..io.exporters.html.records import write_record
    else:
        from ..io.exporters.record import write_record
    origin = records.origin(common.store(ctx), record)
    with common.paged(ctx, no_pager or fmt == "html"):
        write_record(record, sys.stdout, origin=origin)


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

    def run(ctx: typer.Context, record_id: str, editor: bool = False, yes: bool = False, **kwargs: Any) -> None:
        from ..service import records

        in_editor = _in_editor(editor)
        changes = _given(kwargs)
        store = common.store(ctx, must_exist=True)
        if in_editor:
            _edit_in_editor(store, record_id, changes, yes)
        else:
            _confirm_edit(store, record_id, changes, yes)
            records.edit(store, record_id, changes)
        common.info(messages.UPDATED.format(id=record_id))

    yes_param = inspect.Parameter("yes", inspect.Parameter.KEYWORD_ONLY, default=False,
                                  annotation=Annotated[bool, typer.Option("--yes", "-y", help=messages.EDIT_YES_HELP)])
    params = [_CTX, record_param, *_field_parameters(list(union.values())), _BODY_FILE, _EDITOR, yes_param]
    return _command(params, run, None)  # its help: messages.COMMAND_HELP


def _confirm_edit(store: Any, record_id: str, changes: dict[str, Any], yes: bool) -> None:
    """At a terminal, unless --yes: each change (old → new), and a question; scripts are
    not asked (an edit names what it changes)."""
    if yes or not common.at_terminal():
        return
    from ..io.views import edit_lines
    from ..service import records

    before, after = records.preview_edit(store, record_id, changes)
    head = messages.EDIT_CONFIRM.format(id=before["id"], kind=KINDS[before["kind"]].label)
    _confirm([head, *edit_lines(before, after)], messages.EDIT_CONFIRM_ASK, messages.EDIT_ABORTED)


def _edit_in_editor(store: Any, record_id: str, changes: dict[str, Any], yes: bool) -> None:
    """A record rewritten in the editor, its template filled with the record and the
    options given; what differs from the record is the edit."""
    from ..io import editor_template as template
    from ..io.editor import edit_until_accepted
    from ..service import records

    record = records.get(store, record_id)
    kind = KINDS[record["kind"]]
    records.check_fields(kind, list(changes))
    before = template.texts(kind, record)
    heading = messages.EDITOR_EDIT_HEADING.format(id=record["id"], kind=kind.name, label=kind.label)
    text = template.render(kind, {**before, **changes}, changes.get("body", record.get("body")), heading)

    def save(back: str) -> None:
        found = template.changes(template.parse(kind, back), before, record.get("body"))
        if not found:
            raise Cancelled(messages.EDITOR_NOTHING_CHANGED)
        _confirm_edit(store, record_id, found, yes)
        records.edit(store, record_id, found)

    edit_until_accepted(text, save)


def rm(
    ctx: typer.Context,
    record_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Record IDs to delete.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    from ..service import records

    if not yes:
        if not common.at_terminal():
            raise UsageError(messages.RM_NEEDS_YES)
        found = records.summaries(common.store(ctx, must_exist=True), record_ids)
        lines = [messages.RM_CONFIRM_LINE.format(id=rid, kind=kind.label, title=title) for rid, kind, title in found]
        _confirm([messages.RM_CONFIRM.format(count=len(found)), *lines], messages.RM_CONFIRM_ASK,
                 messages.RM_ABORTED)
    removed = records.remove(common.store(ctx, must_exist=True), record_ids)
    common.info(messages.REMOVED.format(ids=" ".join(removed)))


class _KindGroup(common.AliasGroup):
    """`add`: a subcommand per kind, also under its other names (articles, 文章, 资讯…)."""

    def get_command(self, ctx, name):
        from ..domain.kind import find_kind

        kind = find_kind(name)
        return super().get_command(ctx, kind.name if kind is not None else name)


def register(app: typer.Typer) -> None:
    """The record commands for the kinds registered now."""
    add_app = typer.Typer(cls=_KindGroup, help=common.command_help("add"), no_args_is_help=True)
    for kind in KINDS.values():
        add_app.command(kind.name, cls=common.Command)(_make_add(kind))
    app.add_typer(add_app, name="add")
    kinds_help = common.kinds_text(messages.KIND_ARG_HELP)
    id_help = common.kinds_text(messages.ID_HELP)
    for name, command in (("list", common.with_help(list_records, kind=kinds_help)), ("filter", filter_records),
                          ("show", common.with_help(show, record_id=id_help)), ("edit", _make_edit()), ("rm", rm)):
        app.command(name, cls=common.Command, help=common.command_help(name))(command)
