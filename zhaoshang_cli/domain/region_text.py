"""Region names as typed and as written in free text: suggestions for a typo and completions
(``NameIndex``, region_names.py), the regions a title mentions, and the notes that say why a
former name or a state-level new area resolved where it did.  The other half of
``RegionTable`` (region_lookup.py), which resolves a name.
"""

from __future__ import annotations

from .. import messages
from ..patterns import lazy
from .hanzi import simplified
from .region_former import Former, note
from .region_names import NameIndex, latin
from .region_places import CITY, COUNTY, NATION, PROVINCE, ZONE, Places, Zone

_LIST = lazy(r"[,，、;；]")  # between the items of a list of regions
_RANK = {NATION: -1, PROVINCE: 0, CITY: 1, COUNTY: 2, ZONE: 3}


class RegionText(Places):
    """What ``RegionTable`` reads names with (its fields and its resolving methods)."""

    by_name: dict[str, list[str]]
    by_alias: dict[str, list[str]]
    formers: dict[str, list[Former]]
    zone_by_name: dict[str, Zone]
    zone_by_code: dict[str, Zone]
    longest_name: int
    _names: NameIndex | None

    def candidates(self, text: str) -> tuple[list[str], str]:
        raise NotImplementedError

    def narrow(self, codes: list[str], context: str | None) -> list[str]:
        raise NotImplementedError

    def names(self) -> NameIndex:
        """Pinyin, initials and near misses of every name, alias and zone; built on first use."""
        if self._names is None:
            self._names = NameIndex({name: self._rank(name)
                                     for name in (*self.by_name, *self.by_alias, *self.zone_by_name)})
        return self._names

    def _rank(self, name: str) -> int:
        """The highest level of the places a name, alias or zone names (0 province, 1 city…)."""
        codes = self.candidates(name)[0] or [self.zone_by_name[name].county]
        return min(_RANK[self.regions[c].level] for c in codes)

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Close names, closest first: 天律 → 天津, 武请区 → 武清区, wuqin → 武清区."""
        names = self.names().similar(normalise_name(text), limit)
        if not latin(text):
            return names
        return self._shown(names)[:limit]

    def _shown(self, names: list[str]) -> list[str]:
        """Names found by their pinyin as they are answered: in characters, a short alias by
        its region's name (武清 → 武清区), once each."""
        shown = []
        for name in names:
            shown += [name] if name in self.by_name or name in self.zone_by_name else \
                [self.regions[c].name for c in self.by_alias.get(name, [])]
        return list(dict.fromkeys(shown))

    def completions(self, text: str) -> list[str]:
        """Names a partly typed one may become, for shell completion: full names and zones
        starting with ``text`` (武 → 武清区, 武汉市…), or read so in pinyin (wuq, 武清区) or
        initials (wq → 武清区, tj → 天津市); bigger places first.  In a list, the last item
        is completed (天津,武 → 天津,武清区)."""
        cut = max((m.end() for m in _LIST.finditer(text)), default=0)
        head, text = text[:cut], text[cut:]
        key = latin(text)
        if key:
            names = self._shown(self.names().starting(key))
        else:
            typed = normalise_name(text)
            names = [n for n in (*self.by_name, *self.zone_by_name) if n.startswith(typed)] if typed else []
        return [head + name for name in sorted(dict.fromkeys(names), key=lambda n: (self._rank(n), n))]

    # -- scanning free text ----------------------------------------------------------------
    def mentions(self, text: str, context: str | None = None) -> list[str]:
        """Region codes named in free text (a title), longest match first at each position.

        With a context, only places inside the context's province count: a Tianjin page
        naming 和平区 means Tianjin's 和平区, and a foreign name is not its region.
        """
        text = normalise_name(text)
        found: list[str] = []
        i, n = 0, len(text)
        longest = self.longest_name
        while i < n:
            for size in range(min(longest, n - i), 1, -1):
                piece = text[i : i + size]
                codes, _ = self.candidates(piece)
                if not codes:
                    continue
                if context:
                    province = context[:2]
                    codes = [c for c in codes if c.startswith(province)]
                codes = self.narrow(codes, context)
                if len(codes) == 1:
                    found.append(codes[0])
                    i += size - 1
                    break
            i += 1
        return found

    def most_specific(self, codes: list[str]) -> str | None:
        """The deepest of the given regions; the first one among equals."""
        rank = _RANK
        best = None
        for code in codes:
            if best is None or rank[self.regions[code].level] > rank[self.regions[best].level]:
                best = code
        return best

    def notes(self, text: str, code: str) -> list[str]:
        """Why ``text`` resolved to ``code``: the former names it holds (上饶县 renamed 广信区 in
        2019) whose places lie on the way to ``code``, and a state-level new area's note."""
        text = normalise_name(text)
        zone = self.zone_by_code.get(code)
        on_path = {region.code for region in self.path(zone.county if zone else code)}
        found = [note(former, self.name) for name, formers in self.formers.items() if name in text
                 for former in formers if on_path.intersection(former.now)]
        if zone and zone.note:
            found.append(messages.REGION_ZONE_NOTE.format(zone=zone.name, note=zone.note))
        return found


def normalise_name(text: str) -> str:
    text = simplified(text.strip())
    return text.replace("（", "(").replace("）", ")").replace("(", "（").replace(")", "）")
