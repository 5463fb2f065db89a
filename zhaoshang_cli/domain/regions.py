"""China's administrative regions: the table, loaded once, and the short names of its regions.

The table (data/regions.tsv) holds provinces, prefecture cities and counties/districts
with their 6-digit codes (NBS 2023 统计用区划代码, see tools/build_regions.py).
data/zones.tsv attaches well-known development zones to the district that holds them.
``places()`` gives the regions by code (region_places.py); ``table()`` adds the name
indexes that resolving a name needs (region_lookup.py).
"""

from __future__ import annotations

from functools import lru_cache

from ..data import lines
from .region_lookup import RegionTable
from .region_places import CITY, COUNTY, NATION, NATION_CODE, PROVINCE, ZONE, Places, Region, Zone

NATION_ALIASES = ("中国", "国家", "中华人民共和国", "国家级")  # besides its name, 全国

# Ethnic groups peeled off autonomous prefecture/county names to form their short alias
# (恩施土家族苗族自治州 → 恩施).
_ETHNIC = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 "
    "水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各".split(),
    key=len,
    reverse=True,
)
_ETHNIC_TAILS = [group + "族" for group in _ETHNIC]  # the longest first
_SUFFIXES = frozenset(("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "新区", "地区",
                       "林区", "省", "市", "区", "县", "旗", "盟"))
_SUFFIX_SIZES = sorted({len(s) for s in _SUFFIXES}, reverse=True)  # the longest suffix a name ends in is peeled
_AUTONOMOUS = ("自治州", "自治县", "自治旗")


def short_name(name: str) -> str | None:
    """The customary short form of a region name (天津市 → 天津), if it has one."""
    base = name
    if base.endswith(_AUTONOMOUS):
        base = base[:-3]
        while base.endswith("族"):
            for tail in _ETHNIC_TAILS:
                if base.endswith(tail) and len(base) > len(tail) + 1:
                    base = base[: -len(tail)]
                    break
            else:
                break
    else:
        for size in _SUFFIX_SIZES:
            if base[-size:] in _SUFFIXES:
                base = base[:-size]
                break
    return base if len(base) >= 2 and base != name else None


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
def _zones() -> list[Zone]:
    found: list[Zone] = []
    numbered: dict[str, int] = {}  # zones of each district so far
    for name, county, aliases in _read_tsv("zones.tsv"):
        numbered[county] = numbered.get(county, 0) + 1
        found.append(Zone(name, county, tuple(a for a in aliases.split(",") if a), f"{county}z{numbered[county]:02d}"))
    return found


@lru_cache(maxsize=1)
def table() -> RegionTable:
    regions = places().regions
    tbl = RegionTable(regions=regions, zones=list(_zones()))
    for code, region in regions.items():
        if region.level == ZONE:
            continue  # found by their names and aliases below
        tbl.by_name.setdefault(region.name, []).append(code)
        tbl.children.setdefault(region.parent, []).append(code)
        short = short_name(region.name)
        if short:
            tbl.by_alias.setdefault(short, []).append(code)
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
    tbl.longest_name = max(map(len, [*tbl.by_name, *tbl.by_alias]))
    return tbl
