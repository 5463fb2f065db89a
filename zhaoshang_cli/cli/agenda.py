"""agenda: the follow-ups overdue and of the days ahead, by day, or as an iCalendar file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .. import messages
from . import common


def agenda(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", "-d", min=0, max=366, help=messages.AGENDA_DAYS_HELP)] = 7,
    owner: common.Owner = None,
    mine: common.Mine = False,
    region: common.Region = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=messages.AGENDA_FORMAT_HELP)] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")] = None,
    reveal: common.Reveal = False,
    no_pager: common.NoPager = False,
) -> None:
    """Follow-ups by day: overdue, then the days ahead; --format ics for a calendar."""
    from ..domain import dates
    from ..io import exporters, views
    from ..io.exporters.ics import write_ics
    from ..io.output import opened
    from ..service import agenda as service
    from ..service.filters import FilterArgs, build_filters

    exporters.check_format(fmt, ("table", "json", "ics"))
    filters = build_filters(FilterArgs(regions=list(region or []), owners=list(owner or []), mine=mine),
                            context=common.region_context(ctx))
    store = common.store(ctx, must_exist=True)
    found = service.build(store, filters, dates.today(), days)
    shown = common.for_people(found.records, reveal, note=fmt != "ics" or not reveal)
    by_id = {r["id"]: r for r in shown}
    if fmt == "ics":
        with store.reading() as reader:
            store_id = reader.sync_state().store or ""
        with opened(output, store, private=reveal) as out:
            write_ics(shown, out, store_id=store_id)
        return
    if fmt == "json":
        import json

        with opened(output, store, private=reveal) as out:
            out.write(json.dumps({"today": found.today, "until": found.until,
                                  "overdue": [by_id[r["id"]] for r in found.overdue],
                                  "days": [{"day": day, "leads": [by_id[r["id"]] for r in leads]}
                                           for day, leads in found.days]}, ensure_ascii=False, indent=2) + "\n")
        return
    if not found.records:
        common.info(messages.AGENDA_NOTHING.format(until=found.until))
        return
    with common.paged(ctx, no_pager), opened(output, store, private=reveal) as out:
        views.agenda(found, by_id, out if output else sys.stdout)


def register(app: typer.Typer) -> None:
    app.command("agenda", cls=common.Command)(agenda)
