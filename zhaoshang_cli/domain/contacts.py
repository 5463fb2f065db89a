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
