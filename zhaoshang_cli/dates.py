"""Chinese and relative dates, normalised in front of python-dateutil.

``parse_date`` reads one day: ISO, 2025年07月17日, 2025/7/17, 2025.07.17, 20250717,
7月17日 (this year), 二〇二五年七月十七日, any of them with a time after it, English
month names, and relative days (today, yesterday, 7d, +3d, 今天, 昨天, 3天前, 3天后).

``parse_period`` reads a span for filters: a day, a month (2025-07, 2025年7月,
this-month, 本月, last-month, 上月), a week (this-week, 本周, last-week, 上周) or a year
(2025, 今年, 去年).  ``--since`` takes its first day, ``--until`` its last.

An impossible date is an error naming the field and the value, never a guess.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from . import messages
from .errors import FieldError

_TIME = r"(?:[T\s]+\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MD = re.compile(r"(\d{1,2})\s*[月/]\s*(\d{1,2})\s*[日号]?" + _TIME)
_YM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_YEAR = re.compile(r"(\d{4})\s*年?")
_AGO = re.compile(r"([+-]?)(\d+)\s*(d|w|m|天|周|个月)(前|后|以前|之前|以后|之后)?")
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?")

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
_YEAR_WORDS = {"this-year": 0, "今年": 0, "last-year": -1, "去年": -1, "next-year": 1, "明年": 1}


def today() -> date:
    return date.today()


def now_iso() -> str:
    """A timestamp for created_at, updated_at and notes: local time, seconds, offset."""
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def _clean(value: str) -> str:
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


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


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
        delta = relativedelta(months=count)
    elif unit in ("w", "周"):
        delta = relativedelta(weeks=count)
    else:
        delta = relativedelta(days=count)
    return _shift(field, raw, base, delta)


def parse_date(value: object, *, field: str = "date", base: date | None = None) -> date:
    """One calendar day from any of the accepted forms, or a FieldError naming it."""
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
        return _english(field, value, text)
    raise FieldError(field, value, messages.DATE_UNREADABLE.format(value=value))


def _english(field: str, raw: object, text: str) -> date:
    """'Jul 17 2025', '17 July 2025': dateutil, refusing to fill in missing parts."""
    from dateutil import parser

    try:
        first = parser.parse(text, default=datetime(1901, 1, 1))
        second = parser.parse(text, default=datetime(1902, 2, 2))
    except (ValueError, OverflowError, parser.ParserError):
        raise FieldError(field, raw, messages.DATE_UNREADABLE.format(value=raw)) from None
    if first.date() != second.date():
        raise FieldError(field, raw, messages.DATE_UNREADABLE.format(value=raw))
    return first.date()


def parse_period(value: object, *, field: str = "date", base: date | None = None) -> tuple[date, date]:
    """A span of days (first, last), both inclusive."""
    text = _clean(value) if value is not None else ""
    base = base or today()
    if text in _MONTH_WORDS:
        first = _shift(field, value, base.replace(day=1), relativedelta(months=_MONTH_WORDS[text]))
        return first, month_end(first)
    if text in _WEEK_WORDS:
        first = _shift(field, value, base, timedelta(days=7 * _WEEK_WORDS[text] - base.weekday()))
        return first, _shift(field, value, first, timedelta(days=6))
    if text in _YEAR_WORDS:
        year = base.year + _YEAR_WORDS[text]
        return _make(field, value, year, 1, 1), _make(field, value, year, 12, 31)
    if not _ymd(text):
        m = _YM.fullmatch(text)
        cn = _CN_DATE.fullmatch(text)
        if cn and not cn[3]:
            year = int("".join(str(_CN_DIGITS[c]) for c in cn[1]))
            m_year, m_month = year, _cn_number(cn[2])
        elif m:
            m_year, m_month = int(m[1]), int(m[2])
        else:
            m_year = m_month = None
        if m_month is not None:
            first = _make(field, value, m_year, m_month, 1)
            return first, month_end(first)
        y = _YEAR.fullmatch(text)
        if y:
            return _make(field, value, int(y[1]), 1, 1), _make(field, value, int(y[1]), 12, 31)
    day = parse_date(value, field=field, base=base)
    return day, day


def parse_month(value: object, *, field: str = "month", base: date | None = None) -> tuple[date, date]:
    first, last = parse_period(value, field=field, base=base)
    if first.day != 1 or last != month_end(first):
        raise FieldError(field, value, messages.MONTH_EXPECTED.format(value=value))
    return first, last
