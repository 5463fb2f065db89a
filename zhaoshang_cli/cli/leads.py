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


def dupes(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    reveal: common.Reveal = False,
) -> None:
    """List groups of leads that are likely one investor: the same phone or e-mail, or company
    names equal without their place and legal form (天津瑞拓精密机械有限公司, 瑞拓精密（天津）有限公司)."""
    import json
    import sys

    from ..io import exporters
    from ..io.masking import masked
    from ..service import duplicates

    exporters.check_format(fmt, ("table", "json"))
    found = duplicates.find(common.store(ctx, must_exist=True))
    shown = [(group, leads if reveal else [masked(lead) for lead in leads]) for group, leads in found]
    if fmt == "json":
        typer.echo(json.dumps([{"ids": g.ids, "reasons": g.reasons, "leads": leads} for g, leads in shown],
                              ensure_ascii=False, indent=2))
        return
    if not shown:
        common.info(messages.DUPES_NONE)
        return
    from ..io import grid

    for group, leads in shown:
        how = "、".join(messages.LINK_LABELS[w] for w in group.reasons)
        sys.stdout.write(messages.DUPES_GROUP.format(count=len(leads), how=how) + "\n")
        columns = [grid.Column(h) for h in messages.DUPES_COLUMNS[:-1]]
        columns.append(grid.Column(messages.DUPES_COLUMNS[-1], flexible=True))
        rows = ([lead["id"], lead.get("owner") or "", _status_label(lead),
                 str(lead.get("phone") or lead.get("email") or ""), lead.get("company") or ""] for lead in leads)
        grid.write(columns, ((cells, False) for cells in rows), sys.stdout, drop_empty=False)
        sys.stdout.write("\n")


def _status_label(lead: dict) -> str:
    from ..domain.kind import KINDS

    kind = KINDS[lead["kind"]]
    return kind.pipeline.label(lead.get("status") or "") if kind.pipeline else ""


def merge(
    ctx: typer.Context,
    keep: LeadId,
    others: Annotated[list[str], typer.Argument(metavar="OTHER...", help="The leads folded into it, then deleted.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Fold leads into one: the fields it lacks, every note and move in time order; the others
    are deleted, each logged as merged into it."""
    from ..errors import Cancelled
    from ..service import duplicates

    store = common.store(ctx, must_exist=True)
    if common.at_terminal() and not yes:
        listed = "、".join(others)
        if not typer.confirm(messages.MERGE_CONFIRM.format(others=listed, keep=keep)):
            raise Cancelled(messages.MERGE_ABORTED)
    done = duplicates.merge(store, keep, others)
    common.info(messages.MERGED.format(others="、".join(done.others), keep=done.keep,
                                       filled=", ".join(done.filled) or "—", notes=done.notes, moves=done.moves))


def register(app: typer.Typer) -> None:
    lead_app = typer.Typer(cls=common.Group, help=common.command_help("lead"), no_args_is_help=True)
    lead_app.command("status", cls=common.Command)(status)
    lead_app.command("note", cls=common.Command)(note)
    lead_app.command("due", cls=common.Command)(due)
    lead_app.command("assign", cls=common.Command)(assign)
    lead_app.command("dupes", cls=common.Command)(dupes)
    lead_app.command("merge", cls=common.Command)(merge)
    app.add_typer(lead_app, name="lead")
