"""lead status|note|due|assign: move leads along the pipeline, and give them owners."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import messages
from . import common

LeadId = Annotated[str, typer.Argument(metavar="ID", help="Lead ID, e.g. l7.")]


def status(
    ctx: typer.Context,
    record_id: LeadId,
    new_status: Annotated[str, typer.Argument(
        metavar="STATUS", help="new, contacted, visited, negotiating, signed or lost (或 已联系, 已签约…).")],
    note: Annotated[str | None, typer.Option("--note", "-m", help="Why, recorded with the move.")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", metavar="DATE", help="Signed: the day the deal was signed (default today); reports count it then.")]
    = None,
    amount: Annotated[str | None, typer.Option(
        "--amount", metavar="AMOUNT", help="Signed: the amount contracted (default the lead's), e.g. 1.2亿元.")]
    = None,
) -> None:
    """Move a lead to a status; every move is kept with its time and who made it (going back is
    allowed). A move to signed keeps the signing day and amount."""
    from ..service import records
    old, new, kind = records.move_status(common.store(ctx, must_exist=True), record_id, new_status, note,
                                         on=on, amount=amount)
    label = kind.pipeline.label  # type: ignore[union-attr]
    if old == new:
        common.info(messages.STATUS_SAME.format(id=record_id, status=label(new)))
    else:
        common.info(messages.STATUS_MOVED.format(id=record_id, old=label(old), new=label(new)))


def note(
    ctx: typer.Context,
    record_id: LeadId,
    text: Annotated[str | None, typer.Argument(metavar="TEXT", help="The note.")] = None,
    editor: Annotated[bool, typer.Option("--editor", "-e", help=messages.NOTE_EDITOR_HELP)] = False,
) -> None:
    """Add a timestamped note to a lead."""
    from ..errors import UsageError
    from ..service import records

    if editor:
        from ..io.editor import require_terminal

        require_terminal()
    elif text is None:
        raise UsageError(messages.NOTE_NEEDS_TEXT)
    store = common.store(ctx, must_exist=True)
    if editor:
        from ..io.editor import edit_until_accepted
        from ..io.editor_template import note_template, note_text

        template = note_template(record_id, records.pipeline_title(store, record_id), text)
        edit_until_accepted(template, lambda back: records.add_note(store, record_id, note_text(back)))
    else:
        records.add_note(store, record_id, text or "")
    common.info(messages.NOTE_ADDED.format(id=record_id))


def due(
    ctx: typer.Context,
    record_id: LeadId,
    when: Annotated[str | None, typer.Argument(metavar="DATE", help="Next follow-up: 2025-08-01, +3d, 明天…")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the follow-up date.")] = False,
) -> None:
    """Set (or --clear) a lead's next follow-up date."""
    from ..errors import UsageError
    from ..service import records

    if bool(when) == clear:
        raise UsageError(messages.DUE_USAGE)
    result = records.set_due(common.store(ctx, must_exist=True), record_id, None if clear else when)
    common.info(messages.DUE_SET.format(id=record_id, due=result) if result
                else messages.DUE_CLEARED.format(id=record_id))


def assign(
    ctx: typer.Context,
    record_id: LeadId,
    owner: Annotated[str | None, typer.Argument(metavar="OWNER", help="The colleague who follows it up, e.g. 张三.")]
    = None,
    clear: Annotated[bool, typer.Option("--clear", help="The lead has no owner any more.")] = False,
) -> None:
    """Give a lead an owner (负责人), or --clear it; recorded in the lead's history."""
    from ..errors import UsageError
    from ..service import records

    if bool(owner) == clear:
        raise UsageError(messages.ASSIGN_USAGE)
    old, new = records.assign(common.store(ctx, must_exist=True), record_id, None if clear else owner)
    if old == new:
        common.info(messages.ASSIGNED_SAME.format(id=record_id, owner=new or messages.NOBODY))
    else:
        common.info(messages.ASSIGNED.format(id=record_id, old=old or messages.NOBODY, new=new or messages.NOBODY))


def register(app: typer.Typer) -> None:
    lead_app = typer.Typer(cls=common.Group, help=common.command_help("lead"), no_args_is_help=True)
    lead_app.command("status", cls=common.Command)(status)
    lead_app.command("note", cls=common.Command)(note)
    lead_app.command("due", cls=common.Command)(due)
    lead_app.command("assign", cls=common.Command)(assign)
    app.add_typer(lead_app, name="lead")
