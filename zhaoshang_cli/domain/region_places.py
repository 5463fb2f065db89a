"""Regions by code: each with its level, parent and names (``Places``), and the development
zones kept beside the district that holds them.

A region is identified by its code.  Filtering by a region selects every code that
starts with its *prefix*: ``12`` for 天津市, ``1301`` for 石家庄市, the whole code for
a county.  Zones resolve to their district, so ``武清开发区`` and ``武清`` select the
same records.
"""

from __future__ import annotations

from typing import NamedTuple

PROVINCE, CITY, COUNTY, ZONE = "province", "city", "county", "zone"
NATION = "nation"  # 全国: the nation's own scope (国务院, 国家发展改革委), beside the provinces
NATION_CODE = "100000"  # as the usual datasets number 中华人民共和国; no province is numbered 10


class Region(NamedTuple):  # a tuple: the table makes 3,400 of them for every command that reads a region
    code: str
    name: str
    level: str
    parent: str | None  # parent code, None for provinces

    @property
    def prefix(self) -> str:
        """The code prefix shared by this region and everything under it."""
        if self.level in (PROVINCE, NATION):
            return self.code[:2]
        if self.level == CITY:
            return self.code[:4]
        return self.code

    @property
    def county(self) -> str:
        """The code stored as a record's region: a zone's is its district's."""
        return self.parent if self.level == ZONE else self.code  # type: ignore[return-value]


class Zone(NamedTuple):
    """A development zone, kept beside the district that holds it.  Its ``code`` (the
    district's code, ``z`` and its place in zones.tsv) only names it while the program runs:
    records keep the zone's name."""

    name: str
    county: str  # code of the district holding it
    aliases: tuple[str, ...]
    code: str = ""
    note: str = ""  # what a state-level new area spans, and why it is kept beside this district


class Places:
    """Regions by code, each with its parent: names and full names.  ``places()`` gives
    them without the name indexes that resolving a name needs (``table()``), so that a
    command that only shows a record's region does not build those."""

    regions: dict[str, Region]

    def __init__(self, regions: dict[str, Region]):
        self.regions = regions

    # -- lookups ---------------------------------------------------------------------------
    def get(self, code: str) -> Region | None:
        return self.regions.get(code)

    def name(self, code: str | None) -> str:
        region = self.regions.get(code or "")
        return region.name if region else (code or "")

    def path(self, code: str) -> list[Region]:
        chain: list[Region] = []
        region = self.regions.get(code)
        while region is not None:
            chain.append(region)
            region = self.regions.get(region.parent) if region.parent else None
        return chain[::-1]

    def full_name(self, code: str) -> str:
        parts = [r.name for r in self.path(code)]
        # 天津市 › 天津市 never happens (placeholders are dropped), but a county named like
        # its city (e.g. 省直辖县级) stays readable anyway.
        return "".join(parts)
