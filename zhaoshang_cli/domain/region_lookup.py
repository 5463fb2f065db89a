"""Region names read as regions (``RegionTable``): a name, code, path or list resolved; close
names suggested for a typo, partly typed ones completed and the regions free text names are
the other half (region_text.py).

A name resolves in traditional characters too (蘇州工業園區), as a chain from the top with
the rest of an address ignored (浙江省杭州市西湖区文三路 → 西湖区), as a county found once in the
country followed by the rest of an address (徐汇区虹漕路461号), by a former name (上饶县 →
广信区, region_former.py), and as pinyin or initials (wuqing, 天津 wq; see region_names.py,
which also ranks the suggestions for a typo).  Pinyin read by several places' names (jinzhou:
锦州, 晋州, 金州) is ambiguous, as a name found in several places is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import messages
from ..errors import UserError
from ..patterns import lazy
from .region_former import Former
from .region_names import NameIndex, latin
from .region_places import COUNTY, Region, Zone
from .region_text import _LIST, _RANK, RegionText, normalise_name

_JOINS = lazy(r"([\s/／·•\-—>＞›|]+)")  # between parts: whitespace (path or list), the rest (a path)
_CHOICES = 10  # an ambiguous name's choices shown in its error
# the start of an address's rest that reads as a county (岑岭县) rather than a street (县前街)
_COUNTY_LIKE = lazy(r"[^\d\s路街道巷号弄镇乡村县]{1,6}?(?:自治)?县(?![城前后道路街大巷府委])")


class AmbiguousRegion(UserError):
    """A name found in several places; ``codes`` are the choices."""

    def __init__(self, message: str, codes: list[str]):
        super().__init__(message)
        self.codes = codes


class _Unresolved(Exception):
    """Why a region text did not resolve, before it is worded for the option or field."""

    def __init__(self, why: str, part: str = "", codes: list[str] | None = None, text: str | None = None):
        super().__init__(why)
        self.why, self.part, self.codes, self.text = why, part, codes or [], text

    def error(self, tbl: RegionTable, field_name: str, raw: str, *, lists: bool) -> UserError:
        value = raw if self.part == normalise_name(raw) else self.part
        if self.why == "empty":
            return UserError(messages.REGION_EMPTY.format(field=field_name))
        if self.why == "ambiguous":
            choices = "; ".join(f"{tbl.full_name(c)} ({c})" for c in self.codes[:_CHOICES])
            if len(self.codes) > _CHOICES:  # initials (ls) may name dozens
                choices += messages.REGION_MORE_CHOICES.format(count=len(self.codes))
            return AmbiguousRegion(messages.REGION_AMBIGUOUS.format(field=field_name, value=value, choices=choices),
                                   self.codes)
        if self.why == "not_in":
            hint = messages.REGION_LIST_HINT.format(example=re.sub(r"\s+", ",", self.text)) if self.text and lists \
                else ""
            return UserError(messages.REGION_NOT_IN.format(field=field_name, child=self.part,
                                                           parent=tbl.full_name(self.codes[0]), hint=hint))
        suggestions = tbl.suggest(self.part)
        hint = messages.REGION_SUGGEST.format(choices="、".join(suggestions)) if suggestions else ""
        return UserError(messages.REGION_UNKNOWN.format(field=field_name, value=value, hint=hint))


@dataclass
class RegionTable(RegionText):
    regions: dict[str, Region]
    zones: list[Zone]
    by_name: dict[str, list[str]] = field(default_factory=dict)   # full names → codes
    by_alias: dict[str, list[str]] = field(default_factory=dict)  # short names, zones → codes
    by_former: dict[str, list[str]] = field(default_factory=dict)  # former names → today's codes
    formers: dict[str, list[Former]] = field(default_factory=dict)
    children: dict[str | None, list[str]] = field(default_factory=dict)
    zone_by_name: dict[str, Zone] = field(default_factory=dict)
    zone_by_code: dict[str, Zone] = field(default_factory=dict)
    longest_name: int = 0  # the longest name or alias, for scanning free text
    _resolved: dict[tuple[str, str | None], tuple[str, ...] | _Unresolved] = field(default_factory=dict,
                                                                                      repr=False)
    _names: NameIndex | None = field(default=None, repr=False)

    def contains(self, outer: str, inner: str) -> bool:
        """True when region ``inner`` is ``outer`` or lies under it."""
        return inner.startswith(self.regions[outer].prefix)

    def zones_in(self, code: str) -> list[Zone]:
        prefix = self.regions[code].prefix
        return [z for z in self.zones if z.code.startswith(prefix)]

    def zone_named(self, name: str) -> Zone | None:
        """A zone by its name or an alias (traditional characters too)."""
        return self.zone_by_name.get(normalise_name(name))

    def zone_label(self, name: str) -> str:
        """A zone as a narrow column shows it: its shortest Chinese name (泰达, 武清开发区)."""
        zone = self.zone_by_name.get(name)
        if zone is None:
            return name
        chinese = [n for n in (zone.name, *zone.aliases) if not n.isascii()]
        return min(chinese, key=len) if chinese else zone.name

    def place(self, code: str) -> tuple[str, str | None]:
        """(the region code a record stores, the zone name it keeps beside it, if any)."""
        zone = self.zone_by_code.get(code)
        return (zone.county, zone.name) if zone else (code, None)

    # -- name resolution -------------------------------------------------------------------
    def candidates(self, text: str) -> tuple[list[str], str]:
        """Codes a single name may mean, and how it matched ("name", "alias", "former" or "")."""
        if text in self.by_name:
            return list(self.by_name[text]), "name"
        if text in self.by_alias:
            return list(self.by_alias[text]), "alias"
        if text in self.by_former:
            return list(self.by_former[text]), "former"
        return [], ""

    def resolve(self, text: str, context: str | None = None, *, field_name: str = "region",
                why_one: str = messages.REGION_GIVE_ONE) -> Region:
        """Resolve a region name, code or path ('天津 和平区', '辽宁/沈阳/和平区') to one region.

        ``context`` (a region code) settles names that exist in several places: the one
        inside the context, else in the context's city, else in its province wins.  A list
        (``天津,北京``) is an error ending in ``why_one``.
        """
        try:
            codes = self._resolved_codes(text, context)
        except _Unresolved as problem:
            raise problem.error(self, field_name, text, lists=False) from None
        if len(codes) > 1:
            names = "、".join(self.regions[c].name for c in codes)
            raise UserError(messages.REGION_NOT_ONE.format(field=field_name, value=text, count=len(codes),
                                                           names=names, why=why_one))
        return self.regions[codes[0]]

    def resolve_list(self, text: str, context: str | None = None, *, field_name: str = "region") -> list[Region]:
        """Resolve a list of regions: ``天津,北京``, ``天津、北京``, ``天津;北京``, ``天津 北京``.

        Whitespace also joins a parent and its child: a part of a deeper level than the one
        before it is read inside it (``天津 和平区``, a path), a part of the same or a higher
        level starts a new item, settled by the previous item's parent (``天津 和平区 河西区``
        is two districts of Tianjin).  ``/ > ›`` always join a path.  A child that is not in
        its parent (``天津 海淀区``) is an error naming both.
        """
        try:
            return [self.regions[c] for c in self._resolved_codes(text, context)]
        except _Unresolved as problem:
            raise problem.error(self, field_name, text, lists=True) from None

    def _resolved_codes(self, text: str, context: str | None) -> tuple[str, ...]:
        """The codes a text names, cached, and so is why it names none: imports resolve the
        same names (and the same typos) again and again."""
        key = (text, context)
        found = self._resolved.get(key)
        if found is None:
            try:
                found = self._parse_list(normalise_name(text), context)
            except _Unresolved as problem:
                found = problem
            if len(self._resolved) > 65536:
                self._resolved.clear()
            self._resolved[key] = found
        if isinstance(found, _Unresolved):
            raise found.with_traceback(None)
        return found

    def _parse_list(self, text: str, context: str | None) -> tuple[str, ...]:
        items: list[str] = []
        for chunk in _LIST.split(text):
            pieces = _JOINS.split(chunk)
            start = True
            for i in range(0, len(pieces), 2):
                part, join = pieces[i], pieces[i - 1] if i else ""
                if not part:  # a separator at either end
                    continue
                if start:
                    items.append(self._new_item(part, items, context))
                    start = False
                elif join.strip():  # / > › : always a path
                    items[-1] = self._child(items[-1], part, text, hint=False)
                else:
                    items[-1:] = self._path_or_next(items[-1], part, items, context, text)
        if not items:
            raise _Unresolved("empty")
        return tuple(dict.fromkeys(items))

    def _new_item(self, part: str, items: list[str], context: str | None) -> str:
        """A list item; the previous item's parent (or the caller's context) settles its name."""
        soft = (self.regions[items[-1]].parent if items else None) or context
        codes = self.narrow(self._codes(part, soft), soft)
        if len(codes) == 1:
            return codes[0]
        raise _Unresolved("ambiguous" if codes else "unknown", part, codes)

    def _path_or_next(self, parent: str, part: str, items: list[str], context: str | None,
                      text: str) -> list[str]:
        """``天津 和平区`` → [和平区]; ``和平区 河西区`` → [和平区, 河西区]; ``天津 海淀区``: an error."""
        codes = self._codes(part, parent)
        rank = _RANK[self.regions[parent].level]
        if codes and all(_RANK[self.regions[c].level] > rank for c in codes):
            return [self._child(parent, part, text, hint=True)]
        if self._inside(parent, codes):
            return [self._child(parent, part, text, hint=False)]
        return [parent, self._new_item(part, items, context)]

    def _inside(self, parent: str, codes: list[str]) -> list[str]:
        """The candidates under ``parent`` (deeper ones first); the parent itself if it is one."""
        deeper = [c for c in codes if c != parent and self.contains(parent, c)]
        return self.narrow(deeper, parent) if deeper else [c for c in codes if c == parent][:1]

    def _child(self, parent: str, part: str, text: str, *, hint: bool) -> str:
        codes = self._codes(part, parent)
        if not codes:
            raise _Unresolved("unknown", part)
        inside = self._inside(parent, codes)
        if len(inside) == 1:
            return inside[0]
        if inside:
            raise _Unresolved("ambiguous", part, inside)
        raise _Unresolved("not_in", part, [parent], text if hint else None)

    def _codes(self, part: str, context: str | None) -> list[str]:
        """Codes a single name may mean: a 2-, 4- or 6-digit code, a name, alias or zone, its
        pinyin or initials, or a chain of names from the top (天津市和平区, 沈阳和平区, an address)."""
        if part.isdigit() and len(part) in (2, 4, 6):
            # 1201 (天津's placeholder 市辖区) stands for the municipality itself
            for code in (part.ljust(6, "0"), part[:2] + "0000"):
                if code in self.regions:
                    return [code]
            return []
        codes, _how = self.candidates(part)
        if codes:
            return codes
        key = latin(part)
        if key:
            return self._pinyin_codes(part, key, context)
        return self._chain(part, context)

    def _pinyin_codes(self, part: str, key: str, context: str | None) -> list[str]:
        """``wuqing`` → 武清区; ``heping`` → 和平区 twice and 和平县, for narrow() to settle like
        any name.  Pinyin read by the names of different places (jinzhou: 锦州市, 晋州市, 金州区)
        is ambiguous unless the context settles it, and so are initials (``wq``), which are lossy."""
        names, initials = self.names().by_pinyin(key)
        codes = list(dict.fromkeys(code for name in names for code in self.candidates(name)[0]))
        if len(codes) > 1 and initials:
            codes = self._near(codes, context)
            if len(codes) > 1:
                raise _Unresolved("ambiguous", part, sorted(codes))
        elif len(codes) > 1 and len(names) > 1:
            near = set(self._near(codes, context))  # each name then settles its own places (吉林: the province)
            places = [self.narrow([c for c in self.candidates(name)[0] if c in near], None) for name in names]
            places = [found for found in places if found]
            codes = list(dict.fromkeys(code for found in places for code in found))
            if len(places) > 1 and len(codes) > 1:
                raise _Unresolved("ambiguous", part, sorted(codes))
        return codes

    def _chain(self, text: str, context: str | None) -> list[str]:
        """Read names from the start of ``text``, each inside the one before, the longest
        that fits at each step: 天津市和平区, 江苏淮安清江浦区人民路 (江苏 › 淮安 › 清江浦区).
        Once two are chained, the rest (a street, a village) is ignored, unless it starts
        with a county that is not known there (新疆和田地区岑岭县: an error, not 和田地区); one
        name followed by other text is not a region (天津智库联盟) unless it is a county's full
        name found once in the country, or in the context (徐汇区虹漕路461号).  A full region
        name after the chain that is deeper but not inside it is an error naming both (天津海淀区)."""
        found: list[str] = []
        depth = i = 0
        first = ""
        while i < len(text):
            for size in range(min(self.longest_name, len(text) - i), 1, -1):
                piece = text[i : i + size]
                codes = self.candidates(piece)[0]
                if codes and depth:
                    zone = piece in self.zone_by_name  # a zone may be its district's own code
                    codes = [c for c in codes if any(self.contains(p, c) and (c != p or zone) for p in found)]
                if codes:
                    break
            else:
                break
            found = codes if depth else self._near(codes, context)
            first = first or piece
            depth, i = depth + 1, i + size
        rest = text[i:]
        if not rest or not depth:
            return found if depth >= 2 else []
        self._check_not_outside(found, rest)
        if self._names_at(rest):
            return []  # a sibling after a district (天津和平区河西区)
        if depth == 1:
            return self._county_address(first, found)
        county = _COUNTY_LIKE.match(rest)
        if county and all(_RANK[self.regions[c].level] < _RANK[COUNTY] for c in found):
            raise _Unresolved("unknown", county.group(0))
        return found

    def _county_address(self, name: str, codes: list[str]) -> list[str]:
        """徐汇区 in 徐汇区虹漕路461号: a county's full (or former) name followed by the rest of an
        address; 和平区人民路 is ambiguous, 天津智库联盟 is not an address."""
        if self.candidates(name)[1] not in ("name", "former") or \
                any(self.regions[c].level != COUNTY for c in codes):
            return []
        if len(codes) > 1:
            raise _Unresolved("ambiguous", name, codes)
        return codes

    def _names_at(self, text: str) -> list[str]:
        """The full region names ``text`` starts with."""
        return [text[:n] for n in range(2, min(self.longest_name, len(text)) + 1) if text[:n] in self.by_name]

    def _check_not_outside(self, parents: list[str], rest: str) -> None:
        """天津海淀区, 天津市海淀区中关村: a known child that is not inside its parent is an error."""
        if len(parents) != 1:
            return
        rank = _RANK[self.regions[parents[0]].level]
        for name in [rest] if rest in self.by_alias else self._names_at(rest):
            tails = self.candidates(name)[0]
            if tails and all(_RANK[self.regions[c].level] > rank for c in tails):
                raise _Unresolved("not_in", name, parents)

    def _near(self, codes: list[str], context: str | None) -> list[str]:
        """The codes inside the context, else in its city, else in its province; else all."""
        if context and context in self.regions:
            ctx = self.regions[context]
            for prefix in (ctx.prefix, ctx.code[:4], ctx.code[:2]):
                inside = [c for c in codes if c.startswith(prefix)]
                if inside:
                    return inside
        return codes

    def narrow(self, codes: list[str], context: str | None) -> list[str]:
        """Pick among same-named places: by context first, then by the highest level."""
        codes = self._near(list(dict.fromkeys(codes)), context)
        if len(codes) <= 1:
            return codes
        best = min(_RANK[self.regions[c].level] for c in codes)
        top = [c for c in codes if _RANK[self.regions[c].level] == best]
        return top if len(top) == 1 else codes
