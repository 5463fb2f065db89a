"""China's administrative regions: the table, loaded once, and the short names of its regions.

The table (data/regions.tsv) holds provinces, prefecture cities and counties/districts
with their 6-digit codes (NBS 2023 统计用区划代码 and the units the MCA 2024 table adds, see
tools/build_regions.py); data/region_changes.tsv keeps the names dropped since 2000 as former
names of today's places (region_former.py).  data/zones.tsv attaches well-known development
zones and the state-level new areas (国家级新区) to the district that holds them.
``places()`` gives the regions by code (region_places.py); ``table()`` adds the name
indexes that resolving a name needs (region_lookup.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..data import lines
from .region_places import CITY, COUNTY, NATION, NATION_CODE, PROVINCE, ZONE, Places, Region, Zone

if TYPE_CHECKING:
    from .region_lookup import RegionTable

NATION_ALIASES = ("中国", "国家", "中华人民共和国", "国家级")  # besides its name, 全国

# Ethnic groups peeled off the names of autonomous units to form their short name
# (恩施土家族苗族自治州 → 恩施, 伊犁哈萨克自治州 → 伊犁, 管城回族区 → 管城).
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 "
    "水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各".split()
)
# "X族", and a group of two or more characters without 族 (巴音郭楞蒙古自治州); the longest first
_PEOPLES = sorted([*(group + "族" for group in _ETHNIC), *(group for group in _ETHNIC if len(group) > 1)],
                  key=len, reverse=True)
_AUTONOMOUS = ("自治州", "自治县", "自治旗")
# The suffixes naming a unit's type, the longest first, with the characters a name keeps
# before it: 林区 is a type only in 神农架林区 (in 万柏林区, 碑林区 … 林 is part of the name),
# and 清新区 is 清新 + 区, not 清 + 新区.
_TYPES = (("特别行政区", 2), ("维吾尔自治区", 2), ("壮族自治区", 2), ("回族自治区", 2), ("自治区", 2),
          ("林区", 3), ("矿区", 2), ("特区", 2), ("新区", 2), ("地区", 2),
          ("省", 2), ("市", 2), ("区", 2), ("县", 2), ("旗", 2), ("盟", 2))
# Types a short name is loose for: 井陉矿区 and 北戴河新区 are not what 井陉 and 北戴河 mean
# beside 井陉县 and 北戴河区 in the same city (``table()`` leaves them out there).
_LOOSE = ("林区", "矿区", "特区", "新区")


def short_name(name: str) -> str | None:
    """The customary short form of a region name (天津市 → 天津, 峰峰矿区 → 峰峰), if it has one."""
    if name.endswith(_AUTONOMOUS):
        base = _without_peoples(name[:-3])
    elif name.endswith("族区"):  # 管城回族区, 梅里斯达斡尔族区
        base = _without_peoples(name[:-1])
    else:
        base = next((name[: -len(suffix)] for suffix, keeps in _TYPES
                     if name.endswith(suffix) and len(name) - len(suffix) >= keeps), name)
    return base if len(base) >= 2 and base != name else None


def _without_peoples(base: str) -> str:
    """积石山保安族东乡族撒拉族 → 积石山; 东乡族 → 东乡; 鄂伦春 stays."""
    while people := next((p for p in _PEOPLES if base.endswith(p) and len(base) - len(p) >= 2), None):
        base = base[: -len(people)]
    if base.endswith("族") and base[:-1] in _ETHNIC:  # 东乡族自治县, 鄂温克族自治旗
        base = base[:-1]
    return base


def _level(code: str) -> str:
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return COUNTY


def _read_tsv(name: str) -> list[list[str]]:
    return [line.split("\t") for line in lines(name)]


@lru_cache(maxsize=1)
def places() -> Places:
    """Names and full names by code, zones included (``table()`` shares them)."""
    regions: dict[str, Region] = {}
    for code, name in _read_tsv("regions.tsv"):
        level = _level(code)
        if level == PROVINCE:
            parent = None
        elif level == CITY:
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00"
        regions[code] = Region(code, name, level, parent)
    # Counties whose city is a placeholder (直辖市, 省直辖县级) hang from the province.
    for code, region in list(regions.items()):
        if region.parent and region.parent not in regions:
            regions[code] = Region(code, region.name, region.level, code[:2] + "0000")
    for zone in _zones():
        regions[zone.code] = Region(zone.code, zone.name, ZONE, zone.county)
    regions[NATION_CODE] = Region(NATION_CODE, "全国", NATION, None)
    return Places(regions)


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """Each region's name by code, as ``places().name`` gives it, without building the
    regions: a listing shows a few names, and building them all cost more than the rest of
    a listing of one record."""
    found = dict(line.split("\t", 1) for line in lines("regions.tsv"))
    found.update((zone.code, zone.name) for zone in _zones())
    found[NATION_CODE] = "全国"
    return found


@lru_cache(maxsize=1)
def _zones() -> list[Zone]:
    found: list[Zone] = []
    numbered: dict[str, int] = {}  # zones of each district so far
    for name, county, aliases, *note in _read_tsv("zones.tsv"):
        numbered[county] = numbered.get(county, 0) + 1
        found.append(Zone(name, county, tuple(a for a in aliases.split(",") if a), f"{county}z{numbered[county]:02d}",
                          "".join(note)))
    return found


@lru_cache(maxsize=1)
def table() -> RegionTable:
    from .region_former import read_formers  # here: showing a name needs neither (names())
    from .region_lookup import RegionTable

    regions = places().regions
    tbl = RegionTable(regions=regions, zones=list(_zones()))
    loose: set[tuple[str, str]] = set()  # (short name, code) of 井陉矿区 and the like
    for code, region in regions.items():
        if region.level == ZONE:
            continue  # found by their names and aliases below
        tbl.by_name.setdefault(region.name, []).append(code)
        tbl.children.setdefault(region.parent, []).append(code)
        short = short_name(region.name)
        if short:
            tbl.by_alias.setdefault(short, []).append(code)
            if region.name[len(short):] in _LOOSE:
                loose.add((short, code))
    for short, code in loose:  # 井陉 is 井陉县, not 井陉矿区 in the same city
        codes = tbl.by_alias[short]
        if any(other[:4] == code[:4] and (short, other) not in loose for other in codes if other != code):
            codes.remove(code)
    for alias in NATION_ALIASES:
        tbl.by_alias.setdefault(alias, []).append(NATION_CODE)
    for zone in tbl.zones:
        code = zone.code
        tbl.zone_by_code[code] = zone
        for alias in (zone.name, *zone.aliases):
            tbl.zone_by_name[alias] = zone
            codes = tbl.by_alias.setdefault(alias, [])
            if code not in codes:
                codes.append(code)
    for former in read_formers():
        if former.name not in tbl.by_name:
            tbl.formers.setdefault(former.name, []).append(former)
            tbl.by_former.setdefault(former.name, []).extend(c for c in former.now if c in regions)
    tbl.longest_name = max(map(len, [*tbl.by_name, *tbl.by_alias, *tbl.by_former]))
    return tbl
