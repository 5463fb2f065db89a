"""Leads that are likely one investor: the same phone or e-mail, or company names equal once
the parts offices write differently are set aside (`lead dupes`, `lead merge`, and the
import's warning).

A company name is compared without its place (天津, 天津市, 武清区 at its start; （天津）,
(上海) anywhere), its legal form (有限公司, 有限责任公司, 股份有限公司, 集团…) and differences of
width, case, spaces and punctuation: 天津瑞拓精密机械有限公司 → 瑞拓精密机械, 瑞拓精密（天津）有限公司
→ 瑞拓精密.  Two leads are one group when any link joins them, directly or through others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团股份有限公司", "集团公司", "集团", "公司",
          "股份公司", "总公司", "分公司")
_BRACKETED = re.compile(r"[（(][^（()）]{1,12}[)）]")
_PLACE_SUFFIXES = ("省", "市", "区", "县", "自治区", "自治州", "新区")


@lru_cache(maxsize=1)
def _places() -> dict[str, tuple[str, ...]]:
    """Place names a company name may start with, by their first character, longest first
    (天津市武清区 before 天津): a name is compared with the few that start as it does."""
    from .regions import short_name, table

    names: set[str] = set()
    for region in table().regions.values():
        if region.level in ("province", "city", "county"):
            names.add(region.name)
            short = short_name(region.name)
            if short:
                names.add(short)
    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        by_first.setdefault(name[0], []).append(name)
    return {first: tuple(found) for first, found in by_first.items()}


def company_key(name: str) -> str:
    """A company name as compared for duplicates ("" when nothing is left of it)."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    text = _BRACKETED.sub("", text.replace("（", "(").replace("）", ")"))
    for _ in range(3):  # 天津市武清区… : a province or city, then a district
        for place in _places().get(text[:1], ()):
            if text.startswith(place) and len(text) > len(place) + 1:
                text = text[len(place):]
                break
        else:
            break
    for form in sorted(_FORMS, key=len, reverse=True):
        if text.endswith(form) and len(text) > len(form) + 1:
            text = text[: -len(form)]
            break
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _digits(phone: Any) -> str:
    return "".join(ch for ch in str(phone or "") if ch.isdigit())


@dataclass
class Group:
    ids: list[str]
    reasons: dict[str, list[str]] = field(default_factory=dict)  # how they are linked: "phone" → the values


def links(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What may tie a lead to another: (what, value)."""
    found = []
    phone = _digits(doc.get("phone"))
    if len(phone) >= 7:
        found.append(("phone", phone))
    email = str(doc.get("email") or "").strip().lower()
    if email:
        found.append(("email", email))
    key = company_key(doc.get("company") or "")
    if len(key) >= 2:
        found.append(("company", key))
    return found


def groups(leads: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Group]:
    """The groups of two or more leads (ID, stored document) that links join, in ID order."""
    parent: dict[str, str] = {}
    seen: dict[tuple[str, str], str] = {}  # link → the first lead with it
    reasons: dict[tuple[str, str], list[str]] = {}

    def root(rid: str) -> str:
        while parent[rid] != rid:
            parent[rid] = parent[parent[rid]]
            rid = parent[rid]
        return rid

    for rid, doc in leads:
        parent.setdefault(rid, rid)
        for link in links(doc):
            first = seen.setdefault(link, rid)
            if first != rid:
                a, b = root(first), root(rid)
                if a != b:
                    parent[b] = a
                reasons.setdefault(link, [first]).append(rid)
    members: dict[str, list[str]] = {}
    for rid in parent:
        members.setdefault(root(rid), []).append(rid)
    found = []
    for ids in members.values():
        if len(ids) < 2:
            continue
        group = Group(sorted(ids, key=_order))
        for (what, value), linked in reasons.items():
            if linked[0] in ids:
                group.reasons.setdefault(what, []).append(value)
        found.append(group)
    return sorted(found, key=lambda g: _order(g.ids[0]))


def _order(rid: str) -> tuple[str, int]:
    return rid[:1], int(rid[1:]) if rid[1:].isdigit() else 0
