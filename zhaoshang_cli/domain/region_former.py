"""Former names of regions: a county renamed, merged or split since 2000 (上饶县 → 广信区,
闸北区 → 静安区), read from data/region_changes.tsv (built by tools/build_regions.py from the
history of the Ministry of Civil Affairs' division codes).  A former name resolves to today's
place, and the ``regions`` command says why (``notes``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .. import messages
from ..data import lines


class Former(NamedTuple):
    name: str
    code: str               # its last code
    year: int               # the year it was dropped
    how: str                # renamed, merged, or now (after several changes or a split)
    now: tuple[str, ...]    # today's codes


def read_formers() -> list[Former]:
    found = []
    for line in lines("region_changes.tsv"):
        name, code, year, how, now = line.split("\t")
        found.append(Former(name, code, int(year), how, tuple(now.split(","))))
    return found


def note(former: Former, name_of: Callable[[str], str]) -> str:
    """上饶县 renamed 广信区 in 2019; 闸北区 merged into 静安区 in 2015; 绍兴县 (until 2013) now lies in …"""
    template = {"renamed": messages.REGION_RENAMED, "merged": messages.REGION_MERGED}.get(former.how,
                                                                                         messages.REGION_NOW_IN)
    return template.format(old=former.name, new="、".join(map(name_of, former.now)), year=former.year)
