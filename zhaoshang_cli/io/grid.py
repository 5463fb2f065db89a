"""Plain-text tables for people: aligned by display width (a Chinese character takes two
cells), one line per row, long cells cut with an ellipsis, written as the rows come.

Column widths are planned from the headers and the first rows, within the room the
terminal (or ``COLUMNS``, else 80) gives: fixed columns as wide as their content up to
their maximum, the flexible one (a title) taking the rest; when the room is short,
optional columns go first, then the widest shrink toward their minimum.  A listing of
a hundred thousand rows is printed without holding them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import NamedTuple, TextIO

from ..patterns import lazy
from .terminal import colour, extent

GAP = "  "
SAMPLE = 200  # rows that decide the column widths
_NO_LINE_START = frozenset("，。、；：？！）》」』”’…,.;:?!)]}")


# printable ASCII and the Chinese characters and marks of everyday text, which Rich counts as
# two cells in every Unicode version it knows (tests/test_terminal.py checks each one); each
# takes three bytes in UTF-8, so a text of only these is as wide as (UTF-8 bytes + length) / 2
_PLAIN_CHINESE = lazy("[\x20-\x7e\u4e00-\u9fa5\u3001-\u3003\u3008-\u3011\u3014-\u301b\uff01-\uff5e]*")


def width(text: str) -> int:
    """Display cells of ``text``, as Rich counts them (wide CJK and emoji two, a combining
    mark none): one rule for tables, help, ``show`` and cuts.  ASCII, and ASCII with everyday
    Chinese, are counted without it (a listing measures every title: a third of its time)."""
    if text.isascii():
        return len(text)
    if _PLAIN_CHINESE.fullmatch(text):
        return (len(text.encode()) + len(text)) // 2
    from rich.cells import cell_len  # here: a command that shows only ASCII never needs it

    return cell_len(text)


def fit(text: str, cells: int, justify: str = "left") -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``cells`` display cells."""
    size = width(text)
    if size > cells:
        text, size = _cut(text, cells - 1)
        text, size = text + "…", size + 1
    pad = " " * (cells - size)
    return pad + text if justify == "right" else text + pad


def _cut(text: str, cells: int) -> tuple[str, int]:
    """The longest start of ``text`` within ``cells``, and its width: a guess from the
    average width of its characters, then a character at a time (a listing cuts every long
    title; halving measured six prefixes of each)."""
    if cells < 0:
        return "", 0
    if text.isascii():
        piece = text[:cells]
        return piece, len(piece)
    total = width(text)
    k = min(len(text), cells * len(text) // total) if total else len(text)
    size = width(text[:k])
    while size > cells:  # widths add up character by character
        k -= 1
        size -= width(text[k])
    while k < len(text) and size + (step := width(text[k])) <= cells:
        size += step
        k += 1
    if 0 < k < len(text) and _inside_cluster(text, k):  # never half a flag, an emoji sequence, a mark
        while 0 < k and _inside_cluster(text, k):
            k -= 1
        size = width(text[:k])
    return text[:k], size


_JOINING = frozenset("\u200d\ufe0e\ufe0f")  # zero-width joiner, variation selectors


def _inside_cluster(text: str, k: int) -> bool:
    """Whether ``text[k]`` continues the character before it (one grapheme on screen): a
    combining mark, a joiner or what follows one, a skin tone, a variation selector, the
    second regional indicator of a flag."""
    import unicodedata

    ch, before = text[k], text[k - 1]
    if ch in _JOINING or before == "\u200d" or "\U0001f3fb" <= ch <= "\U0001f3ff" or unicodedata.combining(ch):
        return True
    if _regional(ch) and _regional(before):
        run = 0
        while k - run - 1 >= 0 and _regional(text[k - run - 1]):
            run += 1
        return run % 2 == 1
    return False


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


# Chinese characters and full-width marks: the characters a Chinese line may break between
_WIDE_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
_WIDE = "".join(f"{chr(low)}-{chr(high)}" for low, high in _WIDE_RANGES)
_ATOMS = lazy(f"(\\s*)([{_WIDE}]|[^\\s{_WIDE}]+)")
_NO_LINE_END = frozenset("（《「『“‘([{")


def _is_wide(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _WIDE_RANGES)


def _atoms(text: str) -> list[tuple[str, bool]]:
    """``text`` in the pieces a line may break between, each with whether a space came
    before it.  In Chinese text (more Chinese characters than Latin letters) a run of Latin
    letters, digits and ASCII marks (a word, 2025-07, --region) is one piece and a Chinese
    character another, a closing mark (，。）) going with the piece before it and an opening
    one (（“) with the piece after it; in English text, with a Chinese label or two, pieces
    are what lies between spaces, so that 意向地区 stays whole."""
    if sum(map(_is_wide, text)) <= sum(1 for ch in text if "a" <= ch.lower() <= "z"):
        return [(word, i > 0) for i, word in enumerate(text.split())]
    pieces: list[tuple[str, bool]] = []
    glue = False  # the last piece was an opening mark: the next one joins it
    for space, piece in _ATOMS.findall(text):
        if pieces and (glue or (not space and piece[0] in _NO_LINE_START)):
            pieces[-1] = (pieces[-1][0] + piece, pieces[-1][1])
        else:
            pieces.append((piece, bool(space) and bool(pieces)))
        glue = piece[-1] in _NO_LINE_END
    return pieces


def wrap(text: str, cells: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` in lines of at most ``cells`` display cells (the indents ``first`` and
    ``rest`` included), broken at whitespace (collapsed to one space) or between Chinese
    characters, never inside a word or before a closing mark; a piece wider than a whole
    line is cut by width, one character at the least."""
    lines: list[str] = []
    line, used, empty = first, width(first), True
    for word, spaced in _atoms(text):
        size = width(word)
        gap = 1 if spaced else 0
        if not empty and used + gap + size > cells:
            lines.append(line)
            line, used, empty = rest, width(rest), True
        while empty and used + size > cells:
            piece, taken = _cut(word, cells - used)
            if not piece:
                piece, taken = word[0], width(word[0])
            if piece == word:
                break
            lines.append(line + piece)
            word, size = word[len(piece):], size - taken
            line, used = rest, width(rest)
        line, used = (line + word, used + size) if empty else (line + " " * gap + word, used + gap + size)
        empty = False
    lines.append(line)
    return lines


def fold(line: str, cells: int) -> list[str]:
    """One line of running text in pieces of at most ``cells`` display cells, its spaces
    kept (a paragraph's indent of 　　 too): broken after a space in the second half of a
    piece, else cut by width, before the character ahead of a closing mark (、。）)."""
    pieces: list[str] = []
    while width(line) > cells:
        piece, _ = _cut(line, cells)
        if not piece:
            piece = line[0]
        space = piece.rfind(" ")
        if space >= len(piece) // 2 and space > 0:
            piece = piece[: space + 1]
        else:
            while len(piece) > 1 and line[len(piece)] in _NO_LINE_START:  # 、 and 。 end a line, never start one
                piece = piece[:-1]
        pieces.append(piece.rstrip(" ") or piece)
        line = line[len(piece):]
    pieces.append(line)
    return pieces


class Column(NamedTuple):
    header: str
    min_width: int | None = None
    max_width: int | None = None
    flexible: bool = False
    justify: str = "left"
    optional: bool = False  # dropped first when the room is short
    whole: bool = False  # never cut (a phone, a date, an ID): when the room is short, a column goes instead


def room(out: TextIO) -> int:
    """The width to fill: COLUMNS when set, else the terminal's, else 80."""
    return extent(out, "COLUMNS")


def plan(columns: Sequence[Column], sample: Sequence[Sequence[str]], total: int) -> tuple[list[int], list[int]]:
    """(indexes of the columns shown, their widths) fitting ``total`` cells.

    The room goes, in this order: the other columns as wide as their content up to their
    maximum; the flexible one (a title, a company) up to two fifths of the room or its
    content, optional columns giving way to it first; then the other columns up to their
    whole content (a 文号, a zone beside its district), the flexible one taking the rest.
    """
    natural = []
    for i, col in enumerate(columns):
        size = max([width(col.header)] + [width(row[i]) for row in sample])
        natural.append(max(size, col.min_width or 1))
    given = [min(size, col.max_width) if col.max_width and not col.flexible and not col.whole else size
             for size, col in zip(natural, columns)]
    shown = list(range(len(columns)))
    flex = next((i for i in shown if columns[i].flexible), None)
    flex_min = (columns[flex].min_width or 1) if flex is not None else 0
    wanted = max(flex_min, min(natural[flex], total * 2 // 5)) if flex is not None else 0

    def left() -> int:
        return total - len(GAP) * (len(shown) - 1) - sum(given[i] for i in shown if i != flex)

    while left() < wanted and any(columns[i].optional for i in shown):
        shown.remove([i for i in shown if columns[i].optional][-1])
    while left() < flex_min:
        shrinkable = [i for i in shown if i != flex and not columns[i].whole
                      and given[i] > (columns[i].min_width or width(columns[i].header))]
        if shrinkable:
            given[max(shrinkable, key=lambda i: given[i])] -= 1
            continue
        droppable = [i for i in shown[1:] if i != flex]  # the last one goes rather than a phone cut short
        if not droppable or not any(columns[i].whole for i in shown):
            break
        shown.remove(droppable[-1])
    spare = left() - wanted
    for i in shown:
        if i != flex and spare > 0 and natural[i] > given[i]:
            grown = min(natural[i] - given[i], spare)
            given[i] += grown
            spare -= grown
    if flex is not None:
        given[flex] = max(min(natural[flex], left()), flex_min)
    return shown, [given[i] for i in shown]


def write(columns: Sequence[Column], rows: Iterable[tuple[Sequence[str], bool]], out: TextIO,
          *, drop_empty: bool = True) -> int:
    """Write a table; ``rows`` are (cells, marked) where marked rows are shown in red at a
    terminal.  Columns that no sampled row fills are left out (a 文号 column of policies
    without numbers).  Returns the number of rows."""
    stream: Iterator[tuple[Sequence[str], bool]] = iter(rows)
    sample = list(islice(stream, SAMPLE))
    keep = [i for i, col in enumerate(columns)
            if not drop_empty or i == 0 or col.flexible or any(cells[i] for cells, _ in sample)]
    columns = [columns[i] for i in keep]
    shown, widths = plan(columns, [[cells[i] for i in keep] for cells, _ in sample], room(out))
    bold, red, reset = ("\x1b[1m", "\x1b[31m", "\x1b[0m") if colour(out) else ("", "", "")
    header = GAP.join(fit(columns[i].header, w, columns[i].justify) for i, w in zip(shown, widths)).rstrip()
    out.write(f"{bold}{header}{reset}\n" if bold else header + "\n")
    out.write("─" * (sum(widths) + len(GAP) * (len(widths) - 1)) + "\n")
    count = 0
    lines: list[str] = []
    for cells, marked in chain(sample, stream):
        line = GAP.join(fit(cells[keep[i]], w, columns[i].justify) for i, w in zip(shown, widths)).rstrip()
        lines.append(f"{red}{line}{reset}" if marked and red else line)
        count += 1
        if len(lines) >= 256:
            out.write("\n".join(lines) + "\n")
            lines = []
    if lines:
        out.write("\n".join(lines) + "\n")
    return count
