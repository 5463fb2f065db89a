"""Parsers and formatters for single field values: phones, e-mail, amounts, URLs, tags.

Each ``parse_*`` takes what a user or a file gave and returns the stored form, or
raises FieldError naming the field and the value (phones and e-mails masked: errors go
to logs and terminals where personal data has no place).
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from . import messages
from .errors import FieldError
from .masking import quoted

_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
# 010 and 020-029 are the three-digit area codes; every other one has four digits
_LANDLINE = re.compile(r"(?:\+?86)?(0[12]\d|0[3-9]\d{2})(\d{7,8})(?:(?:转|ext\.?|x|#)(\d{1,6}))?")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
_RECORD_ID = re.compile(r"[apl][1-9]\d*")
_AMOUNT = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(亿|万|千)?\s*(?:人民币)?\s*(元|rmb|cny)?")
_UNITS = {"亿": Decimal(100_000_000), "万": Decimal(10_000), "千": Decimal(1_000), None: Decimal(1)}


def nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_phone(value: object, field: str = "phone") -> str:
    """Mainland mobile (13812345678) or landline with area code (022-12345678[-转123])."""
    text = re.sub(r"[\s\-()（）]", "", nfkc(value))
    m = _MOBILE.fullmatch(text)
    if m:
        return m[1]
    m = _LANDLINE.fullmatch(text)
    if m:
        return f"{m[1]}-{m[2]}" + (f"-{m[3]}" if m[3] else "")
    raise FieldError(field, value, messages.PHONE_INVALID.format(value=quoted(value)))


def parse_email(value: object, field: str = "email") -> str:
    text = nfkc(value)
    if not _EMAIL.fullmatch(text):
        raise FieldError(field, value, messages.EMAIL_INVALID.format(value=quoted(value)))
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_url(value: object, field: str = "url") -> str:
    text = str(value).strip()
    if not _URL.fullmatch(text):
        raise FieldError(field, value, messages.URL_INVALID.format(value=value))
    return text


def parse_amount(value: object, field: str = "amount") -> int:
    """Yuan as an integer: 5000万元, 1.2亿元, 3亿, 12,000, 800000."""
    if isinstance(value, bool):
        raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value))
        number = Decimal(repr(value))
    else:
        text = nfkc(value).lower().replace(" ", "")
        m = _AMOUNT.fullmatch(text)
        if not m:
            raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value))
        try:
            number = Decimal(m[1].replace(",", "")) * _UNITS[m[2]]
        except InvalidOperation:
            raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value)) from None
    if number < 0 or number != number.to_integral_value() or number > 10**16:
        raise FieldError(field, value, messages.AMOUNT_INVALID.format(value=value))
    return int(number)


def format_amount(yuan: int | None) -> str:
    """The way Chinese reports write money: 1.2亿元, 5000万元, 8000元."""
    if yuan is None:
        return ""
    if yuan >= 100_000_000:
        return _trim(Decimal(yuan) / 100_000_000) + "亿元"
    if yuan >= 10_000:
        return _trim(Decimal(yuan) / 10_000) + "万元"
    return f"{yuan}元"


def _trim(number: Decimal) -> str:
    text = f"{number:.4f}".rstrip("0").rstrip(".")
    return text


def parse_record_id(value: object, field: str = "id") -> str:
    text = nfkc(value).lower()
    if not _RECORD_ID.fullmatch(text):
        raise FieldError(field, value, messages.ID_INVALID.format(value=value))
    return text


def is_record_id(text: str) -> bool:
    return _RECORD_ID.fullmatch(text) is not None


SOURCE_MAX = 30
CHANNELS = ("展会", "招商会", "电话", "官网", "推荐", "中介", "上门", "微信", "网络")


def parse_source(value: object, field: str = "source") -> str:
    """Where a lead came from: a channel (展会, 电话, 推荐, any short text), a record ID (a12)
    or a URL."""
    if isinstance(value, (dict, list, bool)) or value is None:
        raise FieldError(field, value, messages.SOURCE_INVALID.format(value=value, most=SOURCE_MAX))
    text = " ".join(nfkc(value).split())
    if _RECORD_ID.fullmatch(text.lower()):
        return text.lower()
    if _URL.fullmatch(text):
        return text
    if not text or len(text) > SOURCE_MAX or "://" in text:
        raise FieldError(field, value, messages.SOURCE_INVALID.format(value=value, most=SOURCE_MAX))
    return text


def parse_tags(value: object, field: str = "tags") -> list[str]:
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[,，、;；|]", str(value))
    tags: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in tags:
            tags.append(item)
    return tags


def parse_choice(value: object, field: str, choices: dict[str, str]) -> str:
    """One of a fixed set; ``choices`` maps every accepted spelling to the stored value."""
    text = nfkc(value).lower()
    if text in choices:
        return choices[text]
    allowed = ", ".join(dict.fromkeys(choices.values()))
    raise FieldError(field, value, messages.CHOICE_INVALID.format(value=value, allowed=allowed))


def normalise_title(title: str) -> str:
    """Title as compared for duplicates: width, case, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKC", title).lower()
    return "".join(ch for ch in text if ch.isalnum())
