"""Rebuild zhaoshang_cli/data/t2s.txt and zhaoshang_cli/data/pinyin.txt.

Both are built from well-kept libraries at build time, so the CLI needs neither at run time:

* t2s.txt: traditional → simplified characters from OpenCC's TSCharacters dictionary (as
  shipped in the opencc-python-reimplemented package, or OpenCC's own TSCharacters.txt),
  kept where the simplified character is a GB2312 one (what a simplified-Chinese user types)
  and the traditional one is not written as it is in a region name (乾县 keeps its 乾).
* pinyin.txt: the toneless pinyin of every GB2312 character and every character of a region
  or zone name (pypinyin), then the names whose reading differs from their characters' one.
  Place names are read with pypinyin's phrase dictionaries, corrected by PLACE_CHARS and
  PLACE_PHRASES below where they read a place the way it is not called.

    pip install -e . pypinyin==0.55.0 opencc-python-reimplemented==0.1.7
    python tools/build_hanzi.py [path/to/TSCharacters.txt]

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


def t2s(tscharacters: Path, names: list[str]) -> list[str]:
    in_names = set("".join(names))
    pairs = []
    for line in tscharacters.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        traditional, simplified = line.split("\t")
        simplified = simplified.split()[0]  # the first of several is OpenCC's default
        if len(traditional) == 1 and is_gb2312(simplified) and traditional not in in_names:
            pairs.append(traditional + simplified)
    return sorted(pairs)


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


def main(tscharacters: Path) -> None:
    names = place_names()
    header = ("# traditional → simplified characters -- source: OpenCC TSCharacters via "
              "opencc-python-reimplemented; regenerate: python tools/build_hanzi.py")
    (DATA / "t2s.txt").write_text("\n".join([header, *t2s(tscharacters, names)]) + "\n", "utf-8")
    header = (f"# syllable<TAB>characters read so, then names read otherwise<TAB>their syllables -- source: "
              f"pypinyin {pypinyin.__version__} with place-name corrections; regenerate: python tools/build_hanzi.py")
    (DATA / "pinyin.txt").write_text("\n".join([header, *pinyin(names)]) + "\n", "utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        import opencc

        main(Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt")
