"""regions: how a name resolves, and what lies under it."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer

from .. import messages
from . import common


def regions(
    ctx: typer.Context,
    query: Annotated[Optional[str], typer.Argument(help="A region name, alias, zone or code; none lists provinces.")] = None,
    within: Annotated[Optional[str], typer.Option("--in", metavar="REGION", help="Settle a name found in several places (default: the home region).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Show how a region name resolves (code, full name, level) and list its children."""
    from ..io import exporters
    from ..domain.regions import AmbiguousRegion, table

    exporters.check_format(fmt, ("table", "json"))
    tbl = table()
    if query is None:
        rows = [_row(tbl, code) for code in tbl.children.get(None, [])]
        _emit(fmt, None, rows, [])
        return
    context = common.region_context(ctx, within)
    try:
        region = tbl.resolve(query, context, field_name="region")
    except AmbiguousRegion as exc:
        if fmt == "table":
            _emit(fmt, None, [_row(tbl, c) for c in exc.codes], [])
        raise
    zone = tbl.zone_by_code.get(region.code)
    if zone is not None:  # a zone is shown as the district that holds it, the zone beside it
        region = tbl.regions[zone.county]
    children = [_row(tbl, c) for c in tbl.children.get(region.code, [])]
    zones = [{"name": z.name, "district": tbl.name(z.county), "code": z.county, "aliases": list(z.aliases)}
             for z in tbl.zones_in(region.code)]
    resolved = _row(tbl, region.code) | {"query": query, "path": [r.name for r in tbl.path(region.code)],
                                         "prefix": region.prefix, "zone": zone.name if zone else None}
    _emit(fmt, resolved, children, zones)


def _row(tbl: Any, code: str) -> dict[str, Any]:
    region = tbl.regions[code]
    return {"code": code, "name": region.name, "full_name": tbl.full_name(code), "level": region.level,
            "children": len(tbl.children.get(code, []))}


def _emit(fmt: str, resolved: dict[str, Any] | None, rows: list[dict[str, Any]], zones: list[dict[str, Any]]) -> None:
    if fmt == "json":
        from ..io.exporters.json_ import dumps

        typer.echo(dumps({"region": resolved, "children": rows, "zones": zones} if resolved else rows))
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..io.safe_text import inert
    from ..io.terminal import console

    out = console(sys.stdout)
    if resolved:
        line = messages.REGION_RESOLVES.format(query=resolved["query"], path=" › ".join(resolved["path"]),
                                               code=resolved["code"], level=messages.REGION_LEVELS[resolved["level"]])
        out.print(Text(inert(line, single_line=True), style="bold"))
        if resolved["zone"]:
            out.print(Text(messages.REGION_ZONE.format(zone=resolved["zone"], district=resolved["full_name"])))
    if rows:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for header in ("代码", "名称", "级别", "下级"):
            table.add_column(header, no_wrap=True, overflow="ellipsis")
        for row in rows:
            table.add_row(row["code"], row["name"], messages.REGION_LEVELS[row["level"]], str(row["children"] or ""))
        out.print(table)
    if zones:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for header in ("开发区", "所在区县", "别名"):
            table.add_column(header, no_wrap=True, overflow="ellipsis")
        for zone in zones:
            table.add_row(zone["name"], zone["district"], "、".join(zone["aliases"]))
        out.print(table)


def register(app: typer.Typer) -> None:
    app.command("regions")(regions)
