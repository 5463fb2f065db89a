"""The report's charts as static inline SVG, drawn here (no library, no script).

Three charts: horizontal bars per group (one bar per kind counted), the lead funnel, and
the monthly trend as small multiples (one row of columns per kind).  Every bar, stage and
column carries its number as text, and the series differ by pattern as well as colour,
so a chart printed in black and white still reads.  A chart is drawn in a coordinate
space about as wide as a phone (``WIDTH``) and scales to its box: on a 375-pixel screen
the labels keep a readable size, on a desktop the chart is capped (style.py: figure).

Text inside a chart comes from records (region names, field values): it is escaped like
every other text of the page (``line``), and cut to fit with an ellipsis; the full text
is in the table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from .... import messages
from . import line

WIDTH = 360
FONT = 13
INK = "#1d2733"
MUTED = "#5b6573"
RULE = "#9aa4b1"
BLUE = "#1f5fa8"


def text_width(value: str, size: float = FONT) -> float:
    """Roughly how wide ``value`` is drawn: a CJK or full-width character one em, others 0.6."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in value)


def fit(value: str, room: float, size: float = FONT) -> str:
    """``value`` cut with an ellipsis to fit ``room``."""
    if text_width(value, size) <= room:
        return value
    while value and text_width(value + "…", size) > room:
        value = value[:-1]
    return value + "…"


def _n(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


# -- series looks: colour and pattern -------------------------------------------------------
def _pattern_defs(chart_id: str) -> str:
    return (f"<defs><pattern id=\"{chart_id}-h\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" "
            f"patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"#fbe1bf\"/>"
            f"<rect width=\"2\" height=\"5\" fill=\"#c0650a\"/></pattern>"
            f"<pattern id=\"{chart_id}-d\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\">"
            f"<rect width=\"4\" height=\"4\" fill=\"#e4e4e4\"/><circle cx=\"2\" cy=\"2\" r=\"1.1\" fill=\"#444\"/>"
            "</pattern></defs>")


def _look(chart_id: str, index: int) -> str:
    """The fill (and outline) of series ``index``: solid dark blue, orange hatching, light
    green with a dark outline, grey dots; then again."""
    return (f"fill=\"{BLUE}\"",
            f"fill=\"url(#{chart_id}-h)\" stroke=\"#c0650a\" stroke-width=\"0.8\"",
            "fill=\"#a8d5b7\" stroke=\"#2e7d4f\" stroke-width=\"1\"",
            f"fill=\"url(#{chart_id}-d)\" stroke=\"#444\" stroke-width=\"0.8\"")[index % 4]


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> str:
    return (f"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {_n(height)}\" "
            f"width=\"{WIDTH}\" height=\"{_n(height)}\" role=\"img\" aria-labelledby=\"{chart_id}-t\" "
            f"font-size=\"{FONT}\" fill=\"{INK}\"><title id=\"{chart_id}-t\">{line(title)}</title>"
            + _pattern_defs(chart_id) + "".join(body) + "</svg>")


def _text(x: float, y: float, value: str, *, anchor: str = "start", size: float | None = None,
          weight: str | None = None, colour: str | None = None, full: str | None = None) -> str:
    """A label, vertically centred on ``y``; ``full``: the whole text as its tooltip when cut."""
    attrs = f" x=\"{_n(x)}\" y=\"{_n(y)}\" dy=\"0.35em\""
    if anchor != "start":
        attrs += f" text-anchor=\"{anchor}\""
    if size is not None:
        attrs += f" font-size=\"{_n(size)}\""
    if weight:
        attrs += f" font-weight=\"{weight}\""
    if colour:
        attrs += f" fill=\"{colour}\""
    drawn = f"<text{attrs}>{line(value)}</text>"
    if full is not None and full != value:  # cut to fit: the whole text as a tooltip
        return f"<g><title>{line(full)}</title>{drawn}</g>"
    return drawn


def _legend(chart_id: str, series: Sequence[str], x: float, y: float) -> list[str]:
    parts = []
    for i, name in enumerate(series):
        parts.append(f"<rect x=\"{_n(x)}\" y=\"{_n(y - 6)}\" width=\"12\" height=\"12\" {_look(chart_id, i)}/>")
        parts.append(_text(x + 16, y, name))
        x += 16 + text_width(name) + 14
    return parts


# -- bars per group --------------------------------------------------------------------------
PART_ROWS = 16  # rows of bars in one drawing: a part always fits on an A4 page


def bars(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str]) -> list[str]:
    """Horizontal bars: a block per row (a district…), a bar per series (kind) in it, each
    with its number at its end; one scale for all, so that rows compare.  Beyond
    ``PART_ROWS`` rows the chart is drawn in parts (each with its legend) that a printer
    can put on pages of their own."""
    largest = max((v for _, values in rows for v in values), default=0)
    labels = [label for label, _ in rows]
    label_room = min(max((text_width(label) for label in labels), default=0), 100)
    parts = []
    for start in range(0, max(len(rows), 1), PART_ROWS):
        part_id = chart_id if start == 0 else f"{chart_id}-{start // PART_ROWS + 1}"
        parts.append(_bars(part_id, title, rows[start:start + PART_ROWS], series, largest, label_room))
    return parts


def _bars(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str],
          largest: int, label_room: float) -> str:
    count = max(len(series), 1)
    bar = {1: 16, 2: 13}.get(count, 11)
    inner, gap, top = 1, 9, 30
    block = count * bar + (count - 1) * inner
    label_w = label_room + 8
    value_w = text_width(str(largest), 11) + 6
    area = WIDTH - label_w - value_w - 2
    height = top + len(rows) * (block + gap) - gap + 6
    body = _legend(chart_id, series, label_w, 11)
    for r, (label, values) in enumerate(rows):
        y0 = top + r * (block + gap)
        body.append(_text(label_w - 8, y0 + block / 2, fit(label, label_room), anchor="end", full=label))
        for s, value in enumerate(values):
            y = y0 + s * (bar + inner)
            length = area * value / largest if largest else 0
            if length:
                body.append(f"<rect x=\"{_n(label_w)}\" y=\"{_n(y)}\" width=\"{_n(length)}\" height=\"{bar}\" "
                            f"{_look(chart_id, s)}/>")
            body.append(_text(label_w + length + 3, y + bar / 2, str(value), size=11))
    body.append(f"<line x1=\"{_n(label_w)}\" y1=\"{top - 4}\" x2=\"{_n(label_w)}\" y2=\"{_n(height - 2)}\" "
                f"stroke=\"{RULE}\"/>")
    return _svg(chart_id, title, height, body)


# -- the funnel ------------------------------------------------------------------------------
_FUNNEL_FILLS = ("#d4e3f6", "#adc9ec", "#85aee0", "#5a8fd0", "#3473bd", "#1f5fa8")


def funnel(chart_id: str, title: str, stages: Sequence[tuple[str, int, int]], total: int,
           closing: Sequence[str]) -> str:
    """The stages as a funnel, each as wide as the records that reached it: (label, now at
    the stage, reached it).  Beside each stage: how many reached it, their share of all,
    and how many are there now; under it the ``closing`` lines (lost, conversion)."""
    label_w, numbers_w = 58, 118
    area = WIDTH - label_w - numbers_w
    centre = label_w + area / 2
    step, gap = 36, 4
    widths = [max(area * reached / total, 6) if total else 6 for _, _, reached in stages]
    body: list[str] = []
    for i, (label, now, reached) in enumerate(stages):
        y = 6 + i * step
        top = widths[i]
        bottom = widths[i + 1] if i + 1 < len(widths) else max(top * 0.8, 6)
        fill = _FUNNEL_FILLS[min(len(_FUNNEL_FILLS) - 1, round(i * (len(_FUNNEL_FILLS) - 1) / max(len(stages) - 1, 1)))]
        points = (f"{_n(centre - top / 2)},{_n(y)} {_n(centre + top / 2)},{_n(y)} "
                  f"{_n(centre + bottom / 2)},{_n(y + step - gap)} {_n(centre - bottom / 2)},{_n(y + step - gap)}")
        body.append(f"<polygon points=\"{points}\" fill=\"{fill}\" stroke=\"{BLUE}\" stroke-width=\"1\"/>")
        middle = y + (step - gap) / 2
        body.append(_text(label_w - 8, middle, fit(label, label_w - 8), anchor="end", weight="600", full=label))
        share = f"{reached / total:.0%}" if total else "–"
        x = label_w + area + 10
        body.append(f"<text x=\"{_n(x)}\" y=\"{_n(middle - 7)}\" dy=\"0.35em\"><tspan font-weight=\"700\" "
                    f"font-size=\"14\">{reached}</tspan><tspan fill=\"{MUTED}\" font-size=\"11\">"
                    f"{line(messages.HTML_FUNNEL_REACHED.format(share=share))}</tspan></text>")
        body.append(_text(x, middle + 9, messages.HTML_FUNNEL_NOW.format(count=now), size=11, colour=MUTED))
    y = 6 + len(stages) * step + 8
    for note in closing:  # centred under the funnel, as far as the drawing's edges allow
        half = min(text_width(note, 12), WIDTH) / 2
        body.append(_text(min(max(centre, half), WIDTH - half), y, fit(note, WIDTH, 12), anchor="middle", size=12))
        y += 18
    return _svg(chart_id, title, y, body)


# -- the trend -------------------------------------------------------------------------------
def buckets(months: Sequence[str], series: Sequence[Sequence[int]]) -> tuple[str, list[str], list[list[int]]]:
    """The trend's months, or their quarters beyond 24 months, or their years beyond 24
    quarters: (unit, keys, each series summed per key); unit is month, quarter or year."""
    def key(month: str, unit: str) -> str:
        if unit == "month":
            return month
        if unit == "quarter":
            return f"{month[:4]}Q{(int(month[5:7]) - 1) // 3 + 1}"
        return month[:4]

    unit = "month" if len(months) <= 24 else "quarter" if len(months) <= 72 else "year"
    keys = list(dict.fromkeys(key(m, unit) for m in months))
    where = {k: i for i, k in enumerate(keys)}
    sums = []
    for values in series:
        summed = [0] * len(keys)
        for month, value in zip(months, values):
            summed[where[key(month, unit)]] += value
        sums.append(summed)
    return unit, keys, sums


def _axis_label(key: str, unit: str) -> tuple[str, str | None]:
    """(the label under a column, the year under it where a year starts)."""
    if unit == "month":
        return messages.HTML_AXIS_MONTH.format(month=int(key[5:7])), messages.HTML_AXIS_YEAR.format(year=key[:4])
    if unit == "quarter":
        return key[4:], messages.HTML_AXIS_YEAR.format(year=key[:4])
    return messages.HTML_AXIS_YEAR.format(year=key), None


def trend(chart_id: str, title: str, months: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> str:
    """A row of columns per series (kind), each month (quarter, year) a column with its
    number on top; each row is scaled to its own largest number."""
    unit, keys, sums = buckets(months, [values for _, values in series])
    label_w, right = 40, 4
    area = WIDTH - label_w - right
    slot = area / max(len(keys), 1)
    column = min(slot * 0.62, 30)
    size = 11 if slot >= 22 else 10 if slot >= 17 else 8
    row_h, rise = 74, 46
    body: list[str] = []
    for r, ((name, _), values) in enumerate(zip(series, sums)):
        base = 8 + r * row_h + 16 + rise
        largest = max(values, default=0)
        body.append(_text(0, base - rise / 2, fit(name, label_w - 6), weight="600", full=name))
        for j, value in enumerate(values):
            centre = label_w + slot * (j + 0.5)
            height = rise * value / largest if largest else 0
            if height:
                body.append(f"<rect x=\"{_n(centre - column / 2)}\" y=\"{_n(base - height)}\" width=\"{_n(column)}\" "
                            f"height=\"{_n(height)}\" {_look(chart_id, r)}/>")
            body.append(_text(centre, base - height - 7, str(value), anchor="middle", size=size))
        body.append(f"<line x1=\"{label_w}\" y1=\"{_n(base)}\" x2=\"{WIDTH - right}\" y2=\"{_n(base)}\" "
                    f"stroke=\"{RULE}\"/>")
    axis = 8 + len(series) * row_h + 8
    years_shown = False
    for j, key in enumerate(keys):
        centre = label_w + slot * (j + 0.5)
        label, year = _axis_label(key, unit)
        body.append(_text(centre, axis, label, anchor="middle", size=size, colour=MUTED))
        starts_year = j == 0 or (unit == "month" and key.endswith("-01")) or (unit == "quarter" and key.endswith("Q1"))
        if year and starts_year:
            body.append(_text(centre, axis + 16, year, anchor="middle", size=size, colour=MUTED))
            years_shown = True
    return _svg(chart_id, title, axis + (30 if years_shown else 14), body)
