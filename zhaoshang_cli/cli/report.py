"""report: what happened in a region and period, and where the investors are."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TextIO

import typer

from .. import messages
from ..errors import UsageError
from . import common


def report(
    ctx: typer.Context,
    region: Annotated[str | None, typer.Option(
        "--region", "-r", help="The region reported on; rows are the areas one level below it.")] = None,
    since: common.Since = None,
    until: common.Until = None,
    on: common.On = None,
    month: common.Month = None,
    owner: common.Owner = None,
    mine: common.Mine = False,
    by: Annotated[str, typer.Option(help="Rows: an area, month, kind or field.")] = "district",
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="table, markdown, csv, json or html (a page with charts).")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")] = None,
    open_page: Annotated[bool, typer.Option(
        "--open",
        help="Write the HTML report to a temporary file (or -o FILE) and open it with the system's opener.")] = False,
    no_pager: common.NoPager = False,
) -> None:
    from ..domain import dates
    from ..domain.regions import table
    from ..io import exporters
    from ..io.exporters import report as render
    from ..io.output import opened
    from ..service import reports
    from ..service.filters import FilterArgs, build_filters

    if open_page:
        given = ctx.get_parameter_source("fmt")  # Click's ParameterSource: DEFAULT unless typed
        if fmt != "html" and getattr(given, "name", "DEFAULT") != "DEFAULT":
            raise UsageError(messages.REPORT_OPEN_FORMAT.format(fmt=fmt))
        fmt = "html"
    exporters.check_format(fmt, render.FORMATS)
    exporters.check_format(by, reports.groupings())
    region_code = table().resolve(region, common.region_context(ctx), field_name="--region",
                                  why_one=messages.REGION_ONE_PER_REPORT).code if region else None
    filters = build_filters(FilterArgs(regions=[region_code] if region_code else [], since=since, until=until,
                                       on=on, month=month, owners=list(owner or []), mine=mine))
    store = common.store(ctx, must_exist=True)

    def write(out: TextIO) -> None:
        result = reports.build(store, filters, by=by, region_code=region_code)
        follow = reports.follow_ups(store, filters, dates.today().isoformat()) if fmt == "html" else None
        render.write(fmt, result, out, follow=follow)

    if open_page:
        from ..io.opener import page_file, show

        with page_file(output) as (path, temporary), opened(path, store, private=temporary) as out:
            write(out)
        common.info(show(path))
        return
    with common.paged(ctx, no_pager or output is not None), opened(output, store) as out:
        write(out)
    if output is not None:
        common.info(messages.REPORT_WRITTEN.format(path=output))


def register(app: typer.Typer) -> None:
    from ..service.groupings import groupings

    by_help = messages.REPORT_BY_HELP.format(groupings=", ".join(groupings()))
    app.command("report", cls=common.Command, help=common.command_help("report"))(common.with_help(report, by=by_help))
