"""log and undo: what changed, and an import taken back."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import messages
from ..errors import Cancelled
from . import common


def log(
    ctx: typer.Context,
    record_ids: Annotated[list[str] | None, typer.Argument(
        metavar="[ID]...", help="Only the changes of these records (a deleted one too).", show_default=False)] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help=messages.LOG_SINCE_HELP)] = None,
    by: Annotated[list[str] | None, typer.Option("--by", metavar="NAME", help=messages.LOG_BY_HELP)] = None,
    batch: Annotated[str | None, typer.Option("--batch", metavar="BATCH", help=messages.LOG_BATCH_HELP)] = None,
    limit: common.Limit = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=messages.LOG_FORMAT_HELP)] = "table",
    no_pager: common.NoPager = False,
) -> None:
    """What changed, newest first: created, edited (field, old → new), moved, noted, assigned,
    imported (with its file) and deleted (with its title), each with who and when."""
    from ..domain import dates
    from ..domain.changes import ChangeQuery
    from ..domain.people import parse_name
    from ..io import exporters
    from ..io.exporters.changes import FORMATS, write_changes
    from ..service import changes

    exporters.check_format(fmt, FORMATS)
    ids = changes.check_ids(record_ids or [])
    start = dates.parse_period(since, field="--since")[0].isoformat() if since else None
    people = tuple(parse_name(name, "--by") for name in by or [])
    query = ChangeQuery(ids, start, people, batch.strip() if batch else None, limit)
    found = changes.entries(common.store(ctx, must_exist=True), query)
    if not found and fmt == "table":
        common.info(messages.LOG_NONE.format(which=f" for {', '.join(ids)}" if ids else ""))
        return
    with common.paged(ctx, no_pager or fmt != "table"):
        write_changes(fmt, found, sys.stdout)


def undo(
    ctx: typer.Context,
    batch: Annotated[str | None, typer.Argument(
        metavar="[BATCH]", help="The import to take back, as `log` names it; default: the last one.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Undo even when records were changed since.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Take back one import: remove the records it created and restore the fields it changed,
    logged as an undo."""
    from ..domain.changes import ChangeQuery, created_ids
    from ..service import changes

    store = common.store(ctx, must_exist=True)
    if common.at_terminal() and not yes:
        shown = changes.entries(store, ChangeQuery(batch=batch.strip() if batch else None))
        imported = next((e for e in shown if e.get("action") == "imported" and not e.get("id")), None)
        if imported is not None and not any(e.get("action") == "undone" for e in shown
                                            if e.get("batch") == imported.get("batch")):
            question = messages.UNDO_CONFIRM.format(batch=imported["batch"], file=imported.get("file", ""),
                                                    at=str(imported["at"])[:16].replace("T", " "),
                                                    by=imported.get("by", ""), added=len(created_ids(imported)),
                                                    updated=imported.get("updated") or 0)
            if not typer.confirm(question):
                raise Cancelled(messages.UNDO_ABORTED)
    done = changes.undo(store, batch.strip() if batch else None, force=force)
    if done.gone:
        common.warn(messages.UNDO_GONE.format(count=len(done.gone), ids=", ".join(done.gone[:5])))
    common.info(messages.UNDO_DONE.format(batch=done.batch, file=done.imported.get("file", ""),
                                          removed=len(done.removed), restored=len(done.restored)))


def register(app: typer.Typer) -> None:
    app.command("log", cls=common.Command)(log)
    app.command("undo", cls=common.Command)(undo)
