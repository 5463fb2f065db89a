"""Rebuild zhaoshang_cli/data/t2s.txt and zhaoshang_cli/data/pinyin.txt.

Both are built from well-kept libraries at build time, so the CLI needs neither at run time:

* t2s.txt: traditional → simplified characters from OpenCC's dictionaries
  (https://github.com/BYVoid/OpenCC, Apache-2.0, data/dictionary at commit
  5249273a3e5606852f088c9a8b23522145d94f78): TSCharacters' default for each character, kept where
  the simplified character is a GB2312 one (what a simplified-Chinese user types) or one a
  place name is written with (浉, 硚), and the traditional one is not written as it is in a
  region name (乾县 keeps its 乾); then the characters OpenCC's phrase dictionaries (STPhrases,
  TSPhrases) write otherwise in place names (澄江 ↔ 澂江, 浚县 ↔ 濬縣, 慈溪 ↔ 慈谿).  Every region,
  zone and former name written as OpenCC writes it in traditional characters must read back
  (the build fails otherwise).
* pinyin.txt: the toneless pinyin of every GB2312 character and every character of a region
  or zone name (pypinyin), then the names whose reading differs from their characters' one.
  Place names are read with pypinyin's phrase dictionaries, corrected by PLACE_CHARS and
  PLACE_PHRASES below where they read a place the way it is not called.

    git clone https://github.com/BYVoid/OpenCC
    git -C OpenCC checkout 5249273a3e5606852f088c9a8b23522145d94f78
    pip install -e . pypinyin==0.55.0
    python tools/build_hanzi.py OpenCC/data/dictionary

It reads the region and zone names through zhaoshang_cli (so run it after tools/build_regions.py
or a zones.tsv change) and writes both files in place.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import pypinyin
from pypinyin import lazy_pinyin

from zhaoshang_cli.domain.regions import table

DATA = Path(__file__).resolve().parent.parent / "zhaoshang_cli" / "data"

# How these characters are read in every place name that has them (pypinyin reads them
# otherwise in some): 成都/于都/丰都 du, 长治/长丰 chang, 朝阳市 chao, 阿勒泰 le, 什邡 shi …
PLACE_CHARS = {
    "都": "du", "长": "chang", "朝": "chao", "勒": "le", "什": "shi", "乐": "le", "佛": "fo", "柏": "bai",
    "泊": "bo", "涡": "guo", "漯": "luo", "蚌": "beng", "覃": "qin", "圩": "xu", "卡": "ka", "曾": "zeng",
    "伽": "jia", "峒": "tong", "珲": "hun", "筠": "jun",
}
# Places read otherwise than PLACE_CHARS or pypinyin say.
PLACE_PHRASES = {
    "六合": "lu he", "单县": "shan xian", "长子": "zhang zi", "洪洞": "hong tong", "浚县": "xun xian",
    "称多": "chen duo", "荥经": "ying jing", "召陵": "shao ling", "马尾": "ma wei", "繁峙": "fan shi",
    "穆棱": "mu ling", "乐亭": "lao ting", "乐清": "yue qing",
}


def is_gb2312(char: str) -> bool:
    try:
        return len(char.encode("gb2312")) == 2
    except UnicodeEncodeError:
        return False


def han(text: str) -> bool:
    return bool(text) and all("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def place_names() -> list[str]:
    tbl = table()
    return sorted(n for n in {*tbl.by_name, *tbl.by_alias, *tbl.zone_by_name} if han(n))


def reading(name: str) -> list[str]:
    syllables = [PLACE_CHARS.get(c, s) for c, s in zip(name, lazy_pinyin(name))]
    for phrase, read in PLACE_PHRASES.items():
        at = name.find(phrase)
        while at >= 0:
            syllables[at : at + len(phrase)] = read.split()
            at = name.find(phrase, at + 1)
    return syllables


def _dictionary(path: Path) -> dict[str, list[str]]:
    """An OpenCC dictionary: each entry and its conversions, OpenCC's default first."""
    found = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, values = line.split("\t")
            found[key] = values.split()
    return found


def t2s(opencc: Path, names: list[str], former: list[str]) -> dict[str, str]:
    """``former``: former names, whose characters are kept as they are too, but which OpenCC may
    write otherwise (江干区: 江乾區)."""
    in_names = set("".join([*names, *former]))
    pairs = {}
    for traditional, simplified in _dictionary(opencc / "TSCharacters.txt").items():
        first = simplified[0]
        if len(traditional) == 1 and traditional != first and traditional not in in_names and \
                (is_gb2312(first) or first in in_names):
            pairs[traditional] = first
    # place names in OpenCC's phrase dictionaries: simplified → traditional, traditional → simplified
    phrases = [(simple, t) for simple, ts in _dictionary(opencc / "STPhrases.txt").items() for t in ts]
    phrases += [(simple, t) for t, simples in _dictionary(opencc / "TSPhrases.txt").items() for simple in simples]
    text = "\n".join(names)
    for simple, traditional in phrases:
        if len(simple) >= 2 and len(simple) == len(traditional) and simple in text:
            for t, simple_char in zip(traditional, simple):
                if t != simple_char and t not in in_names:
                    pairs.setdefault(t, simple_char)
    _check_t2s(opencc, names, pairs)
    return pairs


def _check_t2s(opencc: Path, names: list[str], pairs: dict[str, str]) -> None:
    """Every place name as OpenCC writes it traditional (STPhrases, else STCharacters) reads back."""
    characters, phrases = _dictionary(opencc / "STCharacters.txt"), _dictionary(opencc / "STPhrases.txt")
    longest = max(map(len, phrases))
    table = str.maketrans(pairs)
    wrong = []
    for name in names:
        written, i = "", 0
        while i < len(name):
            size = next((n for n in range(min(longest, len(name) - i), 1, -1) if name[i : i + n] in phrases), 1)
            piece = name[i : i + size]
            written += phrases[piece][0] if size > 1 else characters.get(piece, [piece])[0]
            i += size
        if written.translate(table) != name:
            wrong.append(f"{written} → {written.translate(table)}, not {name}")
    if wrong:
        raise SystemExit("traditional place names that do not read back:\n" + "\n".join(wrong))


def pinyin(names: list[str]) -> list[str]:
    readings = {name: reading(name) for name in names}
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for name, syllables in readings.items():
        for char, syllable in zip(name, syllables):
            seen[char][syllable] += 1
    chars = {chr(i) for i in range(0x4E00, 0x9FA6) if is_gb2312(chr(i))} | set(seen)
    usual = {}
    for char in chars:
        own = lazy_pinyin(char)[0]
        counts = seen.get(char)
        # the reading most place names give it; pypinyin's own when places do not settle it
        usual[char] = max(counts, key=lambda s: (counts[s], s == own)) if counts else own
    by_syllable: dict[str, list[str]] = defaultdict(list)
    for char in sorted(chars):
        by_syllable[usual[char]].append(char)
    lines = [f"{syllable}\t{''.join(cs)}" for syllable, cs in sorted(by_syllable.items())]
    lines += [f"{name}\t{' '.join(syl)}" for name, syl in readings.items()
              if syl != [usual[c] for c in name]]
    return lines


def main(opencc: Path) -> None:
    names = place_names()
    tbl = table()
    header = ("# traditional → simplified characters -- source: OpenCC 5249273 TSCharacters, and its STPhrases/"
              "TSPhrases for place names; regenerate: python tools/build_hanzi.py")
    pairs = t2s(opencc, names, sorted(n for n in tbl.by_former if han(n)))
    (DATA / "t2s.txt").write_text("\n".join([header, *sorted(t + s for t, s in pairs.items())]) + "\n", "utf-8")
    header = (f"# syllable<TAB>characters read so, then names read otherwise<TAB>their syllables -- source: "
              f"pypinyin {pypinyin.__version__} with place-name corrections; regenerate: python tools/build_hanzi.py")
    (DATA / "pinyin.txt").write_text("\n".join([header, *pinyin(names)]) + "\n", "utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
