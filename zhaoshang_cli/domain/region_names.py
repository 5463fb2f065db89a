"""Region names typed some other way: as pinyin, as initials, or with a slip.

``NameIndex`` is built once from every name, alias and zone name, the first time a name is
typed in pinyin or not found (a name found as typed never needs it).  Near misses are ranked by edit distance
over the characters and over their pinyin, so a homophone slip (武请区, 滨海新去) costs less
than any other: the input method wrote the wrong character for the right sound.  Among
equally close names the bigger place comes first (天律 → 天津 before 天水).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cached_property

from .hanzi import pinyin


def latin(text: str) -> str | None:
    """``text`` as pinyin letters (``Wuqing`` → wuqing, ``lu'an`` → luan), or None if it is not."""
    key = text.lower().replace("'", "").replace("’", "").replace("ü", "v")
    return key if len(key) >= 2 and key.isascii() and key.isalpha() else None


def distance(a: Sequence[object], b: Sequence[object], limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it exceeds ``limit``.
    An unknown item (None) equals nothing."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x is None or x != y)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


class NameIndex:
    def __init__(self, ranks: dict[str, int]):
        """``ranks``: every name, alias and zone name → the highest level of the places it
        names (0 province, 1 city, 2 county); a tie between near misses goes to the bigger place."""
        self._ranks = ranks
        self._readings: dict[str, tuple[str | None, ...]] = {}
        self._full: dict[str, list[str]] = defaultdict(list)      # wuqing → [武清]
        self._initials: dict[str, list[str]] = defaultdict(list)  # wq → [武清, …]
        self._similar: dict[tuple[str, int], list[str]] = {}
        for name in ranks:
            if name.isascii():  # TEDA
                self._full[name.lower()].append(name)
                continue
            self._readings[name] = reading = pinyin(name)
            syllables = [s for s in reading if s]
            if len(syllables) == len(name):  # 中国（上海）自由贸易试验区 is not typed in pinyin
                self._full["".join(syllables)].append(name)
                self._initials["".join(s[0] for s in syllables)].append(name)
        self._longest = max(map(len, [*ranks, *self._full]), default=0)

    @cached_property
    def _with(self) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
        """Where to look for near misses, built on the first one: the names having a character,
        the names having a syllable, and the pinyin having two letters in a row."""
        chars: dict[str, set[str]] = defaultdict(set)
        syllables: dict[str, set[str]] = defaultdict(set)
        pairs: dict[str, set[str]] = defaultdict(set)
        for name, reading in self._readings.items():
            for char, syllable in zip(name, reading):
                chars[char].add(name)
                if syllable:
                    syllables[syllable].add(name)
        for full in self._full:
            for i in range(len(full) - 1):
                pairs[full[i : i + 2]].add(full)
        return chars, syllables, pairs

    def by_pinyin(self, key: str) -> tuple[list[str], bool]:
        """The names read ``key`` (wuqing → 武清), else those with these initials (wq → 武清 …);
        True when it matched initials.  ``key`` comes from ``latin()``."""
        if key in self._full:
            return self._full[key], False
        return self._initials.get(key, []), True

    def starting(self, key: str) -> list[str]:
        """The names whose pinyin starts with ``key`` (wuq → 武清 …), or whose initials are
        ``key`` (wq → 武清 …), for completion; ``key`` comes from ``latin()``."""
        found = [name for full, names in self._full.items() if full.startswith(key) for name in names]
        return found + self._initials.get(key, [])

    def similar(self, text: str, limit: int = 5) -> list[str]:
        """Names close to ``text`` (Chinese or pinyin), closest first; cached."""
        found = self._similar.get((text, limit))
        if found is None:
            key = latin(text)
            if len(text) > self._longest + 3:  # much longer than any name: close to none
                found = []
            elif key:
                found = self._similar_pinyin(key, limit)
            else:
                found = self._similar_hanzi(text, limit)
            if len(self._similar) > 4096:
                self._similar.clear()
            self._similar[text, limit] = found
        return found

    def _similar_hanzi(self, text: str, limit: int) -> list[str]:
        n = len(text)
        edits = 1 if n <= 3 else 2
        syllables = pinyin(text)
        with_char, with_syllable, _ = self._with
        # a name within `edits` of the text shares a character or a syllable with all but `edits` places of it
        shared: Counter[str] = Counter()
        for char, syllable in zip(text, syllables):
            shared.update(with_char.get(char, set()) | (with_syllable.get(syllable, set()) if syllable else set()))
        scored = []
        for name, count in shared.items():
            if count < n - edits or abs(len(name) - n) > edits:
                continue
            chars = distance(text, name, 2 * edits)
            sounds = distance(syllables, self._readings[name], 2 * edits)
            if chars + sounds <= 2 * edits:
                scored.append((chars + sounds, sounds, self._ranks[name], abs(len(name) - n), name))
        close = [name for *_, name in sorted(scored)[:limit]]
        if len(close) < limit and n >= 2:  # a part of a longer name: 苏州工业 → 苏州工业园区
            longer = sorted((self._ranks[name], len(name), name) for name in with_char.get(text[0], ())
                            if text in name and name not in close)
            close += [name for *_, name in longer[: limit - len(close)]]
        return close

    def _similar_pinyin(self, key: str, limit: int) -> list[str]:
        edits = 1 if len(key) <= 5 else 2 if len(key) <= 9 else 3
        pairs = {key[i : i + 2] for i in range(len(key) - 1)}
        with_pair = self._with[2]
        shared: Counter[str] = Counter()
        for pair in pairs:
            shared.update(with_pair.get(pair, ()))
        scored = []
        for full, count in shared.items():
            if count < len(pairs) - 2 * edits or abs(len(full) - len(key)) > edits:
                continue  # an edit changes at most two letter pairs
            d = distance(key, full, edits)
            if d <= edits:
                same = len(os.path.commonprefix([key, full]))  # wuqin: wuqing before wuqia
                scored += [(d, -same, self._ranks[name], len(name), name) for name in self._full[full]]
        return [name for *_, name in sorted(scored)[:limit]]
