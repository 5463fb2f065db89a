"""match: the sites and policies that fit a lead, or the leads that fit a site."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import messages
from . import common


def match(
    ctx: typer.Context,
    record_id: Annotated[str | None, typer.Argument(metavar="LEAD", help=messages.MATCH_LEAD_HELP)] = None,
    site: Annotated[str | None, typer.Option("--site", metavar="SITE", help=messages.MATCH_SITE_HELP)] = None,
    tolerance: Annotated[float, typer.Option(min=0.0, max=10.0, help=messages.MATCH_TOLERANCE_HELP)] = 0.3,
    limit: common.Limit = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=messages.MATCH_FORMAT_HELP)] = "table",
    reveal: common.Reveal = False,
) -> None:
    """The sites and policies that fit a lead (or, with --site, the leads that fit a site), with the reasons."""
    import json

    from ..errors import UsageError
    from ..io import exporters, views
    from ..service import matching

    exporters.check_format(fmt, ("table", "json"))
    if (record_id is None) == (site is None):
        raise UsageError(messages.MATCH_ONE_OF)
    store = common.store(ctx, must_exist=True)
    found = (matching.match_lead(store, record_id, tolerance=tolerance, limit=limit or 10) if record_id
             else matching.match_site(store, site or "", tolerance=tolerance, limit=limit or 10))
    for fits in (found.sites, found.policies, found.leads):
        people = common.for_people([f.record for f in fits], reveal, note=False)
        for fit, shown in zip(fits, people):
            fit.record = shown
    if fmt == "json":
        sys.stdout.write(json.dumps(found.public(), ensure_ascii=False, indent=2) + "\n")
        return
    views.matches(found, sys.stdout)


def register(app: typer.Typer) -> None:
    app.command("match", cls=common.Command, help=common.command_help("match"))(match)
