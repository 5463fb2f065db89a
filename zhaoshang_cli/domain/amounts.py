"""Amounts of money: read as offices write them (5000万元, 一点二亿, 1-2亿美元, 约3亿), kept
as whole units of a currency with a range and approximation (``Amount``), and written as
Chinese reports write money (1.2亿元).

``parse_amount`` and ``parse_amount_fields`` raise FieldError naming the field and the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from .. import messages
from ..errors import FieldError
from ..patterns import lazy
from .currencies import CURRENCIES, CURRENCY_UNITS, DEFAULT_CURRENCY
from .values import nfkc, parse_flag

# the stored fields of one amount
AMOUNT_KEYS = ("amount", "amount_high", "currency", "amount_approx", "amount_at_least")
AMOUNT_LIMIT = 10**16
_CURRENCY_WORDS = {
    "元": "CNY", "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "¥": "CNY",
    "美元": "USD", "美金": "USD", "usd": "USD", "us$": "USD",
    "欧元": "EUR", "eur": "EUR", "€": "EUR",
    "港元": "HKD", "港币": "HKD", "hkd": "HKD", "hk$": "HKD",
    "日元": "JPY", "jpy": "JPY",
    "英镑": "GBP", "gbp": "GBP", "£": "GBP",
}
_APPROX, _AT_LEAST = "~", ">="
_BEFORE = {**_CURRENCY_WORDS, "约合": _APPROX, "大约": _APPROX, "大概": _APPROX, "约": _APPROX,
           "不低于": _AT_LEAST, "不少于": _AT_LEAST, "不小于": _AT_LEAST, "至少": _AT_LEAST, "超过": _AT_LEAST,
           "逾": _AT_LEAST, "高于": _AT_LEAST, "大于": _AT_LEAST, "≥": _AT_LEAST, ">=": _AT_LEAST, ">": _AT_LEAST}
_AFTER = {**_CURRENCY_WORDS, "左右": _APPROX, "上下": _APPROX, "以上": _AT_LEAST, "及以上": _AT_LEAST,
          "或以上": _AT_LEAST, "+": _AT_LEAST}
_MARKS = (_APPROX, _AT_LEAST)
_LONGEST_FIRST = {id(words): sorted(words, key=len, reverse=True) for words in (_BEFORE, _AFTER)}
_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_VALUES = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
              "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_UNIT_CHARS = "十拾百佰千仟万亿"
_SIDE = lazy(f"(?P<before>[^0-9{_CN_DIGITS}{_UNIT_CHARS}]*)(?P<number>[0-9.,点{_CN_DIGITS}{_UNIT_CHARS}]+)"
                   f"(?P<after>[^0-9{_CN_DIGITS}{_UNIT_CHARS}]*)")
_RANGE = lazy(r"(.+?)(?:-|~|–|—|〜|至|到)(.+)")
_TOKEN = lazy(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)|点([" + _CN_DIGITS[2:] + "零〇]+)|([零〇])"
                    r"|([" + _CN_DIGITS[2:] + "])|([十拾百佰千仟])|(万)|(亿)")


@dataclass(frozen=True)
class Amount:
    """An amount as kept: whole units of its currency; a range keeps both ends."""

    low: int
    high: int | None = None
    currency: str = DEFAULT_CURRENCY
    approx: bool = False
    at_least: bool = False  # a lower bound (10亿元以上, 不低于5亿)

    def stored(self) -> dict[str, Any]:
        """The stored fields: only what differs from a plain amount in yuan."""
        doc: dict[str, Any] = {"amount": self.low}
        if self.high is not None:
            doc["amount_high"] = self.high
        if self.currency != DEFAULT_CURRENCY:
            doc["currency"] = self.currency
        if self.approx:
            doc["amount_approx"] = True
        if self.at_least:
            doc["amount_at_least"] = True
        return doc

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Amount | None:
        """The amount of a stored or public record, or None when it has none."""
        low = record.get("amount")
        if low is None:
            return None
        return cls(low, record.get("amount_high"), record.get("currency") or DEFAULT_CURRENCY,
                   bool(record.get("amount_approx")), bool(record.get("amount_at_least")))

    def text(self) -> str:
        """As reports write money: 1.2亿元, 约2亿元, 1–2亿元, 5000万–1.2亿元, 5000万美元."""
        unit = CURRENCY_UNITS[self.currency]
        if self.high is None:
            body = format_amount(self.low, self.currency)
        else:
            (low, low_scale), (high, high_scale) = _scaled(self.low), _scaled(self.high)
            if low_scale == high_scale:
                body = f"{low}–{high}{high_scale}{unit}"
            elif low_scale:
                body = f"{low}{low_scale}–{high}{high_scale}{unit}"
            else:  # 8000–1.2万元 would read as 8000万
                body = f"{low}{unit}–{high}{high_scale}{unit}"
        return ("约" if self.approx else "") + body + ("以上" if self.at_least and self.high is None else "")


def amount_text(record: Mapping[str, Any]) -> str:
    """A record's amount as reports write it; "" when it has none."""
    amount = Amount.of(record)
    return amount.text() if amount else ""


def format_amount(value: int | None, currency: str = DEFAULT_CURRENCY) -> str:
    """One number the way Chinese reports write money: 1.2亿元, 5000万元, 8000元, 5000万美元."""
    if value is None:
        return ""
    number, scale = _scaled(value)
    return f"{number}{scale}{CURRENCY_UNITS[currency]}"


def _scaled(value: int) -> tuple[str, str]:
    if value >= 1_000_000_000_000:
        return _trim(Decimal(value) / 1_000_000_000_000), "万亿"
    if value >= 100_000_000:
        return _trim(Decimal(value) / 100_000_000), "亿"
    if value >= 10_000:
        return _trim(Decimal(value) / 10_000), "万"
    return str(value), ""


def _trim(number: Decimal) -> str:
    return f"{number:.4f}".rstrip("0").rstrip(".")


def parse_amount(value: object, field: str = "amount") -> Amount:
    """An amount as offices write it: 5000万元, 1.2亿, 800000, 12,000元; Chinese numerals
    (五千万, 一点二亿, 三千五百万元); 约/大约/约合 before or 左右 after it (kept as
    approximate); a range (1-2亿元, 1亿-2亿元, 1~2亿, 1至2亿元: the lower end without a
    unit takes the upper end's); a currency (美元/美金, 欧元, 港元/港币, 日元, 英镑 or
    USD, EUR, HKD, JPY, GBP; yuan when none is named)."""
    return _read_amount(value, field)[0]


def _read_amount(value: object, field: str) -> tuple[Amount, bool]:
    """(the amount, whether its text named a currency)."""
    if isinstance(value, bool):
        raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value))
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        return Amount(_whole(number, value, field, DEFAULT_CURRENCY)), False
    text = re.sub(r"(?<=\d)w", "万", re.sub(r"\s+", "", nfkc(value).lower()))  # 5000W: 5000万, as offices type it
    m = _RANGE.fullmatch(text)
    if m and _SIDE.fullmatch(m[1]) and _SIDE.fullmatch(m[2]):
        high = _side(m[2], value, field)
        low = _side(m[1], value, field, inherit=high[3])
        if low[1] and high[1] and low[1] != high[1]:
            raise FieldError(field, value, messages.AMOUNT_CURRENCIES_DIFFER.format(
                value=value, first=CURRENCY_UNITS[low[1]], second=CURRENCY_UNITS[high[1]]))
        currency = low[1] or high[1] or DEFAULT_CURRENCY
        if low[4] or high[4]:  # 1-2亿元以上: a range has an upper end
            raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value))
        bottom, top = _whole(low[0], value, field, currency), _whole(high[0], value, field, currency)
        if bottom > top:
            raise FieldError(field, value, messages.AMOUNT_RANGE_REVERSED.format(
                value=value, low=format_amount(bottom, currency), high=format_amount(top, currency)))
        return Amount(bottom, top if top != bottom else None, currency, low[2] or high[2]), bool(low[1] or high[1])
    number, named, approx, _, at_least = _side(text, value, field)
    amount = Amount(_whole(number, value, field, named or DEFAULT_CURRENCY), None,
                    named or DEFAULT_CURRENCY, approx, at_least)
    return amount, named is not None


def _side(text: str, raw: object, field: str, inherit: str = "") -> tuple[Decimal, str | None, bool, str, bool]:
    """One amount without a range: (number, currency named or None, approximate, its
    trailing units, a lower bound).  ``inherit`` holds the upper end's trailing units, which a lower end
    without 万, 亿 or a word after it completes itself with (1-2亿: 1亿; 3-5千万: 3千万;
    三千到五千万: 三千万; 二至五十万: 二万, not 二十万; 一百五十到二百万: 一百五十万; but
    8000元-1.2万元 stays 8000元).  A 十, 百 or 千 after a Chinese digit is part of the
    number (五十万: fifty 万), not of its unit."""
    m = _SIDE.fullmatch(text)
    if not m:
        raise FieldError(field, raw, messages.AMOUNT_INVALID.format(value=raw))
    number = m["number"]
    units = re.search(f"[{_UNIT_CHARS}]*$", number)[0]  # type: ignore[index]
    if units and len(number) > len(units) and number[-len(units) - 1] in _CN_VALUES:
        units = units.lstrip("十拾百佰千仟")
    if inherit and not m["after"] and not re.search("[万亿]", number) and inherit.startswith(units) \
            and inherit != units:
        number += inherit[len(units):]
    before, after = _words(m["before"], _BEFORE), _words(m["after"], _AFTER)
    value = _number(number)
    if before is None or after is None or value is None:
        raise FieldError(field, raw, messages.AMOUNT_INVALID.format(value=raw))
    named = [w for w in before + after if w not in _MARKS]
    if len(set(named)) > 1:
        raise FieldError(field, raw, messages.AMOUNT_CURRENCIES_DIFFER.format(
            value=raw, first=CURRENCY_UNITS[named[0]], second=CURRENCY_UNITS[named[-1]]))
    return value, named[0] if named else None, _APPROX in before + after, units, _AT_LEAST in before + after


def _words(text: str, vocabulary: dict[str, str]) -> list[str] | None:
    """The meanings of the words ``text`` is made of (longest first), or None."""
    found = []
    while text:
        word = next((w for w in _LONGEST_FIRST[id(vocabulary)] if text.startswith(w)), None)
        if word is None:
            return None
        found.append(vocabulary[word])
        text = text[len(word):]
    return found


def _number(text: str) -> Decimal | None:
    """五千万, 三千五百万, 一亿二千万, 一点二亿, 1.2亿, 5000万, 1亿5000万, 12,000, 一万五 → a number."""
    total_yi = total_wan = section = Decimal(0)  # above 亿, the 万 group, below 万
    pending: Decimal | None = None  # a number not yet followed by its unit
    pending_digit = False  # ... and it is one Chinese digit (一万五: 五 means 五千)
    last_small = 0  # the last of 十百千 in this section: they must fall
    last_unit = 0
    zero = False  # 零 since the last unit (一百零五: 五 means 五)
    at = 0
    for m in _TOKEN.finditer(text):
        if m.start() != at:
            return None
        at = m.end()
        arabic, fraction, zero_char, digit, small, wan, yi = m.groups()
        if arabic or digit:
            if pending is not None:
                return None
            pending = Decimal(arabic.replace(",", "")) if arabic else Decimal(_CN_VALUES[digit])
            pending_digit = bool(digit)
        elif fraction:
            if pending is None and not section:
                return None
            digits = "".join(str(_CN_VALUES[c]) for c in fraction)
            pending, section, last_small, pending_digit = section + (pending or 0) + Decimal("0." + digits), \
                Decimal(0), 0, False
        elif zero_char:
            if pending is not None:
                return None
            zero = True
        elif small:
            unit = _SMALL_UNITS[small]
            if pending is None:
                if unit != 10 or section:
                    return None
                pending = Decimal(1)  # 十二万
            if last_small and unit >= last_small:
                return None
            section += pending * unit
            pending, last_small, last_unit, zero = None, unit, unit, False
        else:
            if pending is not None and last_small > 10 and not zero:
                return None  # 三千五万: 3005万 or 3500万?
            group = section + (pending or 0)
            if wan:
                if not group or total_wan:
                    return None
                total_wan, last_unit = group * 10_000, 10_000
            else:
                group += total_wan
                if not group or total_yi:
                    return None
                total_yi, total_wan, last_unit = group * 100_000_000, Decimal(0), 100_000_000
            section, pending, last_small, zero = Decimal(0), None, 0, False
    if at != len(text) or not text:
        return None
    if pending is not None and last_unit and not zero:
        if not pending_digit:
            return None  # 1万2: a number after a unit must be said in full
        pending = pending * last_unit / 10  # 一万五, 三千五, 一亿五
    return total_yi + total_wan + section + (pending or 0)


def _whole(number: Decimal, raw: object, field: str, currency: str) -> int:
    if number > AMOUNT_LIMIT:
        raise FieldError(field, raw, messages.AMOUNT_TOO_BIG.format(value=raw))
    if number < 0:
        raise FieldError(field, raw, messages.AMOUNT_INVALID.format(value=raw))
    if number != number.to_integral_value():
        raise FieldError(field, raw, messages.AMOUNT_NOT_WHOLE.format(value=raw, unit=CURRENCY_UNITS[currency]))
    return int(number)


def parse_currency(value: object, field: str = "currency") -> str:
    """An ISO code (CNY, USD, EUR, HKD, JPY, GBP) from a code or a Chinese name (美元, 港币…)."""
    text = nfkc(value).lower()
    code = _CURRENCY_WORDS.get(text) or (text.upper() if text.upper() in CURRENCIES else None)
    if code is None:
        raise FieldError(field, value, messages.CURRENCY_UNKNOWN.format(value=value))
    return code


NOT_KNOWN_YET = ("面议", "待定", "不详", "若干", "未定", "暂无", "待议", "未知")  # an amount to be agreed


def not_known_yet(value: object) -> str | None:
    """The words of an amount not known yet (面议, 待定…), as written; None for any other value."""
    if isinstance(value, str):
        text = re.sub(r"\s+", "", nfkc(value))
        if text and text.strip("。.；;、") in NOT_KNOWN_YET:
            return value.strip()
    return None


def parse_amount_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    """The stored fields of the amount in ``given``: ``amount`` in any written form, with
    ``amount_high``, ``currency`` and ``amount_approx`` as exports write them (a currency
    that contradicts the amount's text is an error, never a choice between them).  An
    amount not known yet (面议, 待定) gives none: the caller keeps its words."""
    parts = {key: given.get(key) for key in AMOUNT_KEYS[1:] if not _blank(given.get(key))}
    value = given.get("amount")
    if not_known_yet(value) is not None and not parts:
        return {}
    if _blank(value):
        for key, part in parts.items():
            raise FieldError(key, part, messages.AMOUNT_PART_ALONE.format(value=part))
        return {}
    amount, named = _read_amount(value, "amount")
    if "currency" in parts:
        code = parse_currency(parts["currency"])
        if named and code != amount.currency:
            raise FieldError("currency", parts["currency"], messages.AMOUNT_CURRENCY_CONFLICT.format(
                found=amount.currency, given=code))
        amount = replace(amount, currency=code)
    if "amount_high" in parts:
        high, high_named = _read_amount(parts["amount_high"], "amount_high")
        if high.high is not None or (high_named and high.currency != amount.currency):
            raise FieldError("amount_high", parts["amount_high"], messages.AMOUNT_INVALID.format(
                value=parts["amount_high"]))
        if amount.high is not None and high.low != amount.high:
            raise FieldError("amount_high", parts["amount_high"], messages.AMOUNT_HIGH_CONFLICT.format(
                value=parts["amount_high"], high=format_amount(amount.high, amount.currency)))
        if high.low < amount.low:
            raise FieldError("amount_high", parts["amount_high"], messages.AMOUNT_HIGH_BELOW.format(
                value=parts["amount_high"], low=format_amount(amount.low, amount.currency)))
        amount = replace(amount, high=high.low if high.low != amount.low else None)
    if "amount_approx" in parts:
        approx = parse_flag(parts["amount_approx"], "amount_approx")
        if amount.approx and not approx:
            raise FieldError("amount_approx", parts["amount_approx"], messages.AMOUNT_APPROX_CONFLICT.format(
                value=parts["amount_approx"], amount=value))
        amount = replace(amount, approx=approx)
    if "amount_at_least" in parts:
        at_least = parse_flag(parts["amount_at_least"], "amount_at_least")
        if amount.at_least and not at_least:
            raise FieldError("amount_at_least", parts["amount_at_least"], messages.AMOUNT_AT_LEAST_CONFLICT.format(
                value=parts["amount_at_least"], amount=value))
        amount = replace(amount, at_least=at_least and amount.high is None)
    return amount.stored()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
