"""How a region name resolves, and what lies under it (the `regions` command's answer)."""

from __future__ import annotations

from typing import Any

from ..domain.regions import table


def row(code: str) -> dict[str, Any]:
    tbl = table()
    region = tbl.regions[code]
    return {"code": code, "name": region.name, "full_name": tbl.full_name(code), "level": region.level,
            "children": len(tbl.children.get(code, []))}


def provinces() -> list[dict[str, Any]]:
    return [row(code) for code in table().children.get(None, [])]


def describe(query: str, context: str | None) -> dict[str, Any]:
    """{region: how ``query`` resolves, children: the areas under it, zones: its development
    zones}; a zone is shown as the district holding it, the zone beside it.  UserError (an
    AmbiguousRegion with its choices) when the name does not settle on one place."""
    tbl = table()
    region = tbl.resolve(query, context, field_name="region")
    zone = tbl.zone_by_code.get(region.code)
    if zone is not None:
        region = tbl.regions[zone.county]
    resolved = row(region.code) | {"query": query, "path": [r.name for r in tbl.path(region.code)],
                                   "prefix": region.prefix, "zone": zone.name if zone else None}
    return {"region": resolved,
            "children": [row(c) for c in tbl.children.get(region.code, [])],
            "zones": [{"name": z.name, "district": tbl.name(z.county), "code": z.county, "aliases": list(z.aliases)}
                      for z in tbl.zones_in(region.code)]}
