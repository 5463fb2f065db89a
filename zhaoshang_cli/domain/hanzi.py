"""Chinese characters: their simplified form and their pinyin.

Both tables are generated at build time by tools/build_hanzi.py (OpenCC's TSCharacters, and
its phrase dictionaries for the characters place names are written with: 慈谿 → 慈溪, 澂江 →
澄江; pypinyin) into data/t2s.txt and data/pinyin.txt, and read on first use only.  ONE
traditional → simplified table serves region names, page labels and column headers.
"""

from __future__ import annotations

from functools import cache

from ..data import lines as _lines


@cache
def _simplified() -> dict[int, str]:
    return {ord(line[0]): line[1] for line in _lines("t2s.txt")}


def simplified(text: str) -> str:
    """``text`` with its traditional characters written simplified (蘇州工業園區 → 苏州工业园区);
    one character for one, so positions stay the same."""
    return text.translate(_simplified())


@cache
def _readings() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    chars: dict[str, str] = {}
    names: dict[str, tuple[str, ...]] = {}
    for line in _lines("pinyin.txt"):
        key, value = line.split("\t")
        if key.isascii():
            chars.update(dict.fromkeys(value, key))
        else:
            names[key] = tuple(value.split())
    return chars, names


def pinyin(text: str) -> tuple[str | None, ...]:
    """The toneless syllables of ``text``, one per character (None for one without a reading).

    A place name is read as the place is called (重庆 chong qing, 六安 lu an, 长子 zhang zi).
    """
    chars, names = _readings()
    return names.get(text) or tuple(map(chars.get, text))
