"""Former names of China's county- and prefecture-level units, and what they are called now,
from the history of the official division codes (used by tools/build_regions.py).

The history is yescallop/areacodes' result.csv (CC0): every code of the Ministry of Civil
Affairs' 县级以上行政区划代码 tables since 1980, each with the year it came into use, the year
it was changed or dropped (变更/弃用时间: the first year-end table without it, so the year of
the change) and the codes its area went to (新代码).  A name dropped since FIRST_YEAR that no
place bears today becomes a former name of the places its area went to, followed through
later changes to today's codes:

* ``renamed``: one place became one new one (上饶县 → 广信区 in 2019, 襄樊市 → 襄阳市 in 2010);
* ``merged``: it went into a place that already existed, or with others into a new one
  (闸北区 → 静安区 in 2015, 塘沽区 → 滨海新区 in 2009);
* ``now``: its area is today in this place (or these places) after more than one change or a
  split (南汇县 became 南汇区 in 2001, merged into 浦东新区 in 2009).

Names made only of generic parts (新区, 市郊区, 南市区…) are left out: in free text they are
not a place.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

FIRST_YEAR = 2000  # names dropped before it are left out
_GENERIC = set("东西南北中市郊城新矿区县")


class Former(NamedTuple):
    name: str
    code: str        # its last code
    year: int        # the year it was dropped
    how: str         # renamed, merged or now
    now: tuple[str, ...]  # today's codes


class _Record(NamedTuple):
    code: str
    name: str
    level: str       # 省级, 地级, 县级
    live: bool
    start: int
    end: int | None
    new: tuple[str, ...]  # plain successor codes (those tagged [year] are earlier transfers)


def _records(result_csv: Path) -> list[_Record]:
    found = []
    with result_csv.open(encoding="utf-8-sig", newline="") as file:
        for row in csv.DictReader(file):
            end = row["变更/弃用时间"]
            found.append(_Record(row["代码"], row["名称"], row["级别"], row["状态"] == "在用", int(row["启用时间"]),
                                 int(end) if end else None,
                                 tuple(c for c in row["新代码"].split(";") if c and "[" not in c)))
    return found


def formers(result_csv: Path, current: dict[str, str]) -> list[Former]:
    """Former names and today's places for them; ``current``: today's codes → names."""
    records = _records(result_csv)
    by_code: dict[str, list[_Record]] = defaultdict(list)
    for record in records:
        by_code[record.code].append(record)

    def next_records(record: _Record) -> list[_Record]:
        """The records a changed record's area went to."""
        codes = record.new or (() if record.level == "地级" and record.code not in current else (record.code,))
        found = []
        for code in codes:
            later = [r for r in by_code[code] if r.start == record.end] or [r for r in by_code[code] if r.live]
            found += later
        if not found and record.level == "地级":  # a prefecture dropped whole: where its counties went
            kids = [r for r in records if r.level == "县级" and r.code[:4] == record.code[:4] and r.end == record.end]
            cities = {code[:4] + "00" for kid in kids for code in today(kid)}
            found = [r for code in cities for r in by_code[code] if r.live]
            if len(found) != 1:
                found = []
        return found

    def today(record: _Record, depth: int = 0) -> set[str]:
        if record.live:
            return {record.code}
        if depth > 12:
            return set()
        return {code for later in next_records(record) for code in today(later, depth + 1)}

    dropped = [r for r in records if not r.live and r.end and r.end >= FIRST_YEAR and r.level in ("县级", "地级")]
    into: dict[tuple[str, int], list[_Record]] = defaultdict(list)  # (code, year) → the records it took in
    for record in dropped:
        for later in next_records(record):
            into[later.code, record.end or 0].append(record)
    names = set(current.values())
    best: dict[tuple[str, tuple[str, ...]], Former] = {}
    for record in dropped:
        if record.name in names or _generic(record.name):
            continue
        now = tuple(sorted(c for c in today(record) if c in current))
        if not now:
            continue
        step = next_records(record)
        if len(step) == 1 and step[0].live:
            alone = [r.code for r in into[step[0].code, record.end or 0]] == [record.code]
            how = "renamed" if alone and step[0].start == record.end else "merged"
        else:
            how = "now"
        former = Former(record.name, record.code, record.end or 0, how, now)
        key = (record.name, now)
        if key not in best or best[key].year < former.year:  # 上饶县 362321 (2000) then 361121 (2019)
            best[key] = former
    return sorted(best.values(), key=lambda f: (f.now, f.year, f.name))


def _generic(name: str) -> bool:
    return len(name) <= 2 and name.endswith("区") or set(name) <= _GENERIC


def rows(found: Iterable[Former]) -> list[str]:
    return [f"{f.name}\t{f.code}\t{f.year}\t{f.how}\t{','.join(f.now)}" for f in found]
