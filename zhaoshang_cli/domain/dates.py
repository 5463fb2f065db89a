"""Chinese and relative dates, normalised in front of python-dateutil.

``parse_date`` reads one day: ISO, 2025年07月17日, 2025/7/17, 2025.07.17, 20250717,
7月17日 (this year), 二〇二五年七月十七日, any of them with a time after it, English
month names, and relative days (today, yesterday, 7d, +3d, 今天, 昨天, 3天前, 3天后).

``parse_period`` reads a span for filters: a day, a month (2025-07, 2025年7月,
this-month, 本月, last-month, 上月), a week (this-week, 本周, last-week, 上周), a quarter
(2025Q3, 2025 Q3, 2025年Q3, 2025年第三季度, 2025年三季度, 三季度 and Q3 of this year,
this-quarter, 本季度, last-quarter, 上季度), a half-year (2025年上半年, 2025年下半年, 2025H1,
上半年 and 下半年 of this year) or a year (2025, 2025年度, 今年, 去年).  ``--since`` takes its
first day, ``--until`` its last.  ``period_name`` names a span the way a report's title does.

An impossible date is an error naming the field and the value, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .. import messages
from ..errors import FieldError
from ..patterns import lazy

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

_TIME = r"(?:[T\s]+\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YMD = lazy(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?" + _TIME)
_COMPACT = lazy(r"(\d{4})(\d{2})(\d{2})")
_MD = lazy(r"(\d{1,2})\s*[月/]\s*(\d{1,2})\s*[日号]?" + _TIME)
_YM = lazy(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_YEAR = lazy(r"(\d{4})\s*(?:年度?)?")
_YEAR_FIRST = r"(?:(\d{4}|[〇零一二三四五六七八九]{4})\s*(?:年度?|[-/.])?\s*)?"
_CN_QUARTER = "一二三四五六七八九"
_QUARTER = lazy(_YEAR_FIRST + f"(?:q(\\d)|第?([1-9{_CN_QUARTER}])季度|第([1-9{_CN_QUARTER}])季)")
_HALF = lazy(_YEAR_FIRST + r"(?:([上下])半年度?|h([12]))")
_AGO = lazy(r"([+-]?)(\d+)\s*(d|w|m|天|周|个月)(前|后|以前|之前|以后|之后)?")
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = lazy(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                r"(?:([一二三四五六七八九十]{1,3})[日号])?")

_DAY_WORDS = {
    "today": 0, "今天": 0, "今日": 0,
    "yesterday": -1, "昨天": -1, "昨日": -1,
    "前天": -2,
    "tomorrow": 1, "明天": 1, "明日": 1,
    "后天": 2,
}
_MONTH_WORDS = {"this-month": 0, "本月": 0, "这个月": 0, "last-month": -1, "上月": -1, "上个月": -1,
                "next-month": 1, "下月": 1, "下个月": 1}
_WEEK_WORDS = {"this-week": 0, "本周": 0, "这周": 0, "last-week": -1, "上周": -1, "next-week": 1, "下周": 1}
_QUARTER_WORDS = {"this-quarter": 0, "本季度": 0, "本季": 0, "这个季度": 0, "last-quarter": -1, "上季度": -1,
                  "上个季度": -1, "上季": -1, "next-quarter": 1, "下季度": 1, "下个季度": 1}
_YEAR_WORDS = {"this-year": 0, "今年": 0, "本年": 0, "last-year": -1, "去年": -1, "前年": -2, "next-year": 1,
               "明年": 1}


def today() -> date:
    return date.today()


def now_iso() -> str:
    """A timestamp for created_at, updated_at and notes: local time, seconds, offset."""
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def _clean(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def _cn_number(text: str) -> int:
    """十七 → 17, 二十 → 20, 十 → 10, 七 → 7."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[text]


def _make(field: str, raw: object, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise FieldError(field, raw, messages.DATE_IMPOSSIBLE.format(value=raw, reason=exc)) from None


def _relative(**parts: int) -> relativedelta:
    from dateutil.relativedelta import relativedelta  # here: it costs every command 2 ms to import

    return relativedelta(**parts)


def month_end(first: date) -> date:
    if first.month == 12:
        return first.replace(day=31)
    return date(first.year, first.month + 1, 1) - timedelta(days=1)


def _shift(field: str, raw: object, day: date, delta: timedelta | relativedelta) -> date:
    """``day + delta``, or a FieldError when that falls outside the years 1–9999."""
    try:
        return day + delta
    except (OverflowError, ValueError):
        raise FieldError(field, raw, messages.DATE_OUT_OF_RANGE.format(value=raw)) from None


def _ymd(text: str) -> tuple[int, int, int] | None:
    for pattern in (_YMD, _COMPACT):
        m = pattern.fullmatch(text)
        if m:
            return int(m[1]), int(m[2]), int(m[3])
    m = _CN_DATE.fullmatch(text)
    if m and m[3]:
        year = int("".join(str(_CN_DIGITS[c]) for c in m[1]))
        return year, _cn_number(m[2]), _cn_number(m[3])
    return None


def _relative_day(text: str, base: date, field: str, raw: object) -> date | None:
    if text in _DAY_WORDS:
        return _shift(field, raw, base, timedelta(days=_DAY_WORDS[text]))
    m = _AGO.fullmatch(text)
    if not m:
        return None
    sign, count, unit, word = m[1], int(m[2]), m[3], m[4] or ""
    if count > 10_000 * 366:  # beyond any date; relativedelta cannot even hold the biggest
        raise FieldError(field, raw, messages.DATE_OUT_OF_RANGE.format(value=raw))
    if not (sign == "+" or word.endswith("后")):
        count = -count
    if unit in ("m", "个月"):
        delta = _relative(months=count)
    elif unit in ("w", "周"):
        delta = _relative(weeks=count)
    else:
        delta = _relative(days=count)
    return _shift(field, raw, base, delta)


def parse_date(value: object, *, field: str = "date", base: date | None = None) -> date:
    """One calendar day from any of the accepted forms, or a FieldError naming it."""
    return _day(value, field, base, messages.DATE_UNREADABLE)


def _day(value: object, field: str, base: date | None, unreadable: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _clean(value) if value is not None else ""
    if not text:
        raise FieldError(field, value, messages.DATE_EMPTY)
    base = base or today()
    parts = _ymd(text)
    if parts:
        return _make(field, value, *parts)
    m = _MD.fullmatch(text)
    if m:
        return _make(field, value, base.year, int(m[1]), int(m[2]))
    relative = _relative_day(text, base, field, value)
    if relative is not None:
        return relative
    if re.search(r"[a-z]", text) and re.search(r"\d", text):
        return _english(field, value, text, unreadable)
    raise FieldError(field, value, unreadable.format(value=value))


def _english(field: str, raw: object, text: str, unreadable: str) -> date:
    """'Jul 17 2025', '17 July 2025': dateutil, refusing to fill in missing parts."""
    from dateutil import parser

    try:
        first = parser.parse(text, default=datetime(1901, 1, 1))
        second = parser.parse(text, default=datetime(1902, 2, 2))
    except (ValueError, OverflowError, parser.ParserError):
        raise FieldError(field, raw, unreadable.format(value=raw)) from None
    if first.date() != second.date():
        raise FieldError(field, raw, unreadable.format(value=raw))
    return first.date()


def _year(text: str | None, base: date) -> int:
    """2025 or 二〇二五; this year when not given."""
    if not text:
        return base.year
    return int("".join(str(_CN_DIGITS.get(c, c)) for c in text))


def _months(field: str, raw: object, first: date, count: int) -> tuple[date, date]:
    """``count`` whole months from ``first`` (a first of the month)."""
    last = _shift(field, raw, first, _relative(months=count - 1))
    return first, month_end(last)


def _quarter_or_half(text: str, base: date, field: str, raw: object) -> tuple[date, date] | None:
    if text in _QUARTER_WORDS:
        start = base.replace(day=1, month=(base.month - 1) // 3 * 3 + 1)
        first = _shift(field, raw, start, _relative(months=3 * _QUARTER_WORDS[text]))
        return _months(field, raw, first, 3)
    m = _QUARTER.fullmatch(text)
    if m:
        number = m[2] or m[3] or m[4]
        quarter = int(number) if number.isdigit() else _CN_QUARTER.index(number) + 1
        if not 1 <= quarter <= 4:
            raise FieldError(field, raw, messages.QUARTER_INVALID.format(value=raw, quarter=quarter))
        return _months(field, raw, _make(field, raw, _year(m[1], base), 3 * quarter - 2, 1), 3)
    m = _HALF.fullmatch(text)
    if m:
        second = m[2] == "下" or m[3] == "2"
        return _months(field, raw, _make(field, raw, _year(m[1], base), 7 if second else 1, 1), 6)
    return None


def parse_period(value: object, *, field: str = "date", base: date | None = None) -> tuple[date, date]:
    """A span of days (first, last), both inclusive."""
    text = _clean(value) if value is not None else ""
    base = base or today()
    if text in _MONTH_WORDS:
        first = _shift(field, value, base.replace(day=1), _relative(months=_MONTH_WORDS[text]))
        return first, month_end(first)
    if text in _WEEK_WORDS:
        first = _shift(field, value, base, timedelta(days=7 * _WEEK_WORDS[text] - base.weekday()))
        return first, _shift(field, value, first, timedelta(days=6))
    if text in _YEAR_WORDS:
        year = base.year + _YEAR_WORDS[text]
        return _make(field, value, year, 1, 1), _make(field, value, year, 12, 31)
    span = _quarter_or_half(text, base, field, value)
    if span:
        return span
    if not _ymd(text):
        m = _YM.fullmatch(text)
        cn = _CN_DATE.fullmatch(text)
        m_year: int | None
        m_month: int | None
        if cn and not cn[3]:
            year = int("".join(str(_CN_DIGITS[c]) for c in cn[1]))
            m_year, m_month = year, _cn_number(cn[2])
        elif m:
            m_year, m_month = int(m[1]), int(m[2])
        else:
            m_year = m_month = None
        if m_year is not None and m_month is not None:  # both or neither
            first = _make(field, value, m_year, m_month, 1)
            return first, month_end(first)
        y = _YEAR.fullmatch(text)
        if y:
            return _make(field, value, int(y[1]), 1, 1), _make(field, value, int(y[1]), 12, 31)
    day = _day(value, field, base, messages.PERIOD_UNREADABLE)
    return day, day


def period_name(first: date, last: date) -> str | None:
    """A span as a report's title names it: 2025-07, 2025年第三季度, 2025年上半年, 2025年;
    None for any other span."""
    if first.day != 1 or last.year != first.year or last != month_end(last):
        return None
    months, year = last.month - first.month + 1, f"{first.year:04d}"
    if months == 1:
        return f"{year}-{first.month:02d}"
    if months == 3 and first.month % 3 == 1:
        return messages.PERIOD_QUARTER.format(year=year, quarter=_CN_QUARTER[first.month // 3])
    if months == 6 and first.month in (1, 7):
        return messages.PERIOD_HALVES[first.month // 7].format(year=year)
    if months == 12:
        return messages.PERIOD_YEAR.format(year=year)
    return None


def parse_month(value: object, *, field: str = "month", base: date | None = None) -> tuple[date, date]:
    first, last = parse_period(value, field=field, base=base)
    if first.day != 1 or last != month_end(first):
        raise FieldError(field, value, messages.MONTH_EXPECTED.format(value=value))
    return first, last


# -- follow-up days: read forward -----------------------------------------------------------
_WEEKDAY_NAMES = "一二三四五六日"
_NEXT_WEEKDAY = lazy(r"下(?:个)?(?:周|星期|礼拜)([一二三四五六日天])")
_THIS_WEEKDAY = lazy(r"(?:本|这)?(?:周|星期|礼拜)([一二三四五六日天])")
_CN_AFTER = lazy(r"([一二两三四五六七八九十]{1,3}|\d+)\s*(天|周|个星期|个月)(后|以后|之后)")
_MONTH_END_WORDS = {"月底": 0, "本月底": 0, "下月底": 1, "下个月底": 1}
_MONTH_START_WORDS = {"下月初": 1, "下个月初": 1}


def parse_follow_up(value: object, *, field: str = "due", base: date | None = None) -> date:
    """A next follow-up day, read forward: a day without a year that has passed this year is
    next year's (`7/17` in December), and the words people say of the days ahead: 下周一,
    下周 (next Monday), 周五 (this week's, or next week's once it has passed), 一周后, 三天后,
    两个月后, 月底, 下月底, 下月初; anything else as ``parse_date`` reads it."""
    base = base or today()
    text = _clean(value) if isinstance(value, str) else ""
    if text:
        found = _ahead(text, base, field, value)
        if found is not None:
            return found
    day = parse_date(value, field=field, base=base)
    if text and _MD.fullmatch(text) and day < base:
        return _make(field, value, base.year + 1, day.month, day.day)
    return day


def _ahead(text: str, base: date, field: str, raw: object) -> date | None:
    if text in ("下周", "下个星期", "下星期"):
        return base + timedelta(days=7 - base.weekday())
    m = _NEXT_WEEKDAY.fullmatch(text)
    if m:
        return base + timedelta(days=7 - base.weekday() + _WEEKDAY_NAMES.index(m[1].replace("天", "日")))
    m = _THIS_WEEKDAY.fullmatch(text)
    if m:
        ahead = (_WEEKDAY_NAMES.index(m[1].replace("天", "日")) - base.weekday()) % 7
        return base + timedelta(days=ahead)
    if text in _MONTH_END_WORDS:
        return month_end(_shift(field, raw, base.replace(day=1), _relative(months=_MONTH_END_WORDS[text])))
    if text in _MONTH_START_WORDS:
        return _shift(field, raw, base.replace(day=1), _relative(months=_MONTH_START_WORDS[text]))
    m = _CN_AFTER.fullmatch(text)
    if m:
        count = int(m[1]) if m[1].isdigit() else _cn_number(m[1].replace("两", "二"))
        unit = {"天": "d", "周": "w", "个星期": "w", "个月": "m"}[m[2]]
        return _relative_day(f"+{count}{unit}", base, field, raw)
    return None
