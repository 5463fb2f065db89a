"""Parsers for phone numbers and e-mail addresses.

Each ``parse_*`` takes what a user or a file gave and returns the stored form, or raises
FieldError naming the field and the value, masked: errors go to logs and terminals where
personal data has no place.
"""

from __future__ import annotations

from .. import messages
from ..errors import FieldError
from ..io.masking import quoted
from ..patterns import lazy
from .values import nfkc

_MOBILE = lazy(r"1[3-9]\d{9}")
# 010 and 020-029 are the three-digit area codes; every other one (0310-0999) has four
_AREA = lazy(r"0(?:10|2\d|[3-9]\d{2})")
_SERVICE = lazy(r"([48]00)(\d{3})(\d{4})")  # 400/800 service numbers: ten digits
_EXTENSION = lazy(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$")
_COUNTRY = lazy(r"(?:\+|00)\s*86(?!\d)|(?:\+|00)86|86(?=[\s\-(]*1[3-9])")
_PHONE_GROUPS = lazy(r"[\s\-()/]+")
_ABROAD = lazy(r"(?:\+|00)\s*([1-9]\d{0,2})[\s\-]+(.+)")  # +852 2123 4567: a country code, then its number
_ABROAD_KNOWN = ("852", "853", "886", "1", "44", "81", "82", "65", "60", "61", "49", "33", "7")  # +85221234567
_NOTE = lazy(r"\s*[（(]([^（()）]*[\u4e00-\u9fff][^（()）]*)[)）]\s*")  # （微信同号）, (同微信)
_SEVERAL = lazy(r"\s*(?:/|、|;|；|,|，|或)\s*")
_EMAIL = lazy(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


# -- phones --------------------------------------------------------------------------------
def parse_phone(value: object, field: str = "phone") -> str:
    """One canonical form for each kind of number: a mobile as 13812345678, a landline as
    022-12345678 (022-12345678-8001 with an extension), a service number as 400-800-1234.

    Takes spaces, hyphens and brackets anywhere, +86/0086 (and 86 before a mobile), the
    international form without the area code's 0 (+86 22 1234 5678), and extensions
    written 转8001, -转8001, 分机8001, ext 8001, x8001, #8001 or as a last group after a
    complete number (022-12345678-8001; 022-1234-5678 is one local number in two groups).
    """
    text = nfkc(value).lower()
    extension = None
    m = _EXTENSION.search(text)
    if m:
        extension, text = m[1], text[:m.start()]
    m = _COUNTRY.match(text)
    international = m is not None
    if m:
        text = text[m.end():]
    elif extension is None and text.startswith(("+", "00")):
        abroad = _abroad(text.strip())
        if abroad:
            return abroad
    groups = [g for g in _PHONE_GROUPS.split(text) if g]
    digits = "".join(groups)
    if not digits.isascii() or not digits.isdigit():
        raise _bad_phone(field, value)
    if extension is None and _MOBILE.fullmatch(digits):
        return digits
    readings = [(digits, extension)]
    if extension is None and len(groups) > 1 and len(groups[-1]) <= 6:
        split = (digits[:-len(groups[-1])], groups[-1])  # 022-12345678-8001
        if len(groups) > 2 and 7 <= len(groups[-2]) <= 8:
            readings.insert(0, split)  # a whole local number before the last group: as written
        else:
            readings.append(split)
    for number, ext in readings:
        found = _service(number) or _landline(number, international)
        if found:
            return found + (f"-{ext}" if ext else "")
    raise _bad_phone(field, value)


def split_phone(value: object, field: str = "phone") -> tuple[str, dict[str, str]]:
    """A phone cell as offices fill it: the number (its stored form) and what was written
    beside it, kept: a note (13820011234（微信同号）→ 电话备注: 微信同号) and further numbers
    (13900001111/022-23456789 → 其他电话: 022-23456789).  FieldError when no number leads it."""
    text = str(value)
    kept: dict[str, str] = {}
    notes = [m.group(1).strip() for m in _NOTE.finditer(text)]
    if notes:
        text = _NOTE.sub(" ", text).strip()
        kept[PHONE_NOTE] = "；".join(notes)
    try:
        return parse_phone(text, field), kept
    except FieldError:
        parts = [p for p in _SEVERAL.split(text) if p.strip()]
        if len(parts) < 2:
            raise
        first = parse_phone(parts[0], field)
        kept[OTHER_PHONES] = "、".join(p.strip() for p in parts[1:])
        return first, kept


PHONE_NOTE, OTHER_PHONES = "电话备注", "其他电话"  # where a phone cell's other words are kept


def _abroad(text: str) -> str | None:
    """A number outside the mainland in international form, +852 21234567 (E.164 digits)."""
    m = _ABROAD.fullmatch(text)
    if m:
        code, rest = m[1], "".join(g for g in _PHONE_GROUPS.split(m[2]) if g)
    else:
        digits = "".join(g for g in _PHONE_GROUPS.split(text.lstrip("+").removeprefix("00")) if g)
        if not text.startswith(("+", "00")):
            return None
        code = next((c for c in _ABROAD_KNOWN if digits.startswith(c)), None)
        if code is None:
            return None
        rest = digits[len(code):]
    if code == "86" or not rest.isascii() or not rest.isdigit() or not 4 <= len(rest) <= 14 - len(code) + 1:
        return None
    return f"+{code} {rest}"


def _service(digits: str) -> str | None:
    m = _SERVICE.fullmatch(digits)
    return "-".join(m.groups()) if m else None


def _landline(digits: str, international: bool) -> str | None:
    if international and not digits.startswith("0"):
        digits = "0" + digits  # +86 22 1234 5678: the area code without its 0
    area = _AREA.match(digits)
    local = digits[area.end():] if area else ""
    if not (7 <= len(local) <= 8) or local[0] == "0":
        return None
    return f"{area[0]}-{local}"  # type: ignore[index]


def _bad_phone(field: str, value: object) -> FieldError:
    return FieldError(field, value, messages.PHONE_INVALID.format(value=quoted(value)))


def parse_email(value: object, field: str = "email") -> str:
    text = nfkc(value)
    if not _EMAIL.fullmatch(text):
        raise FieldError(field, value, messages.EMAIL_INVALID.format(value=quoted(value)))
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"
