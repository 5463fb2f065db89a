"""regions: how a name resolves, and what lies under it."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from . import common


def regions(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(
        help="A region name, alias, zone or code; none lists provinces.")] = None,
    within: Annotated[str | None, typer.Option(
        "--in", metavar="REGION", help="Settle a name found in several places (default: the home region).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    from ..domain.region_lookup import AmbiguousRegion
    from ..domain.regions import table
    from ..io import exporters, views
    from ..service import regions as lookup

    exporters.check_format(fmt, exporters.VIEW_FORMATS)
    if query is None:
        with common.paged(ctx):
            _emit(fmt, None, lookup.provinces(), [])
        return
    context = common.region_context(ctx, within)
    try:
        answer = lookup.describe(query, context)
    except AmbiguousRegion as exc:
        if fmt == "table":
            views.region(None, [lookup.row(c) for c in exc.codes], [], sys.stdout)
        raise
    # why a former name or a state-level new area resolved where it did (上饶县 renamed 广信区 in 2019)
    answer["region"]["notes"] = table().notes(query, table().resolve(query, context).code)
    with common.paged(ctx):
        _emit(fmt, answer["region"], answer["children"], answer["zones"])


def _emit(fmt: str, resolved: dict[str, Any] | None, rows: list[dict[str, Any]], zones: list[dict[str, Any]]) -> None:
    if fmt == "json":
        from ..io.exporters.json_ import dumps

        typer.echo(dumps({"region": resolved, "children": rows, "zones": zones} if resolved else rows))
        return
    from ..io import views

    if resolved and resolved["notes"]:  # the notes right under the line saying how the name resolved
        views.region(resolved, [], [], sys.stdout)
        sys.stdout.write("".join(f"{line}\n" for line in resolved["notes"]))
        resolved = None
    views.region(resolved, rows, zones, sys.stdout)


def register(app: typer.Typer) -> None:
    app.command("regions", cls=common.Command, help=common.command_help("regions"))(regions)
