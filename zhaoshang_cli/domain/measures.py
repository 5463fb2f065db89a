"""Areas and prices of sites (载体) as offices quote them, read into one unit each.

An area is kept in square metres (``area``) beside the words it was given in
(``area_as_written``): 5000㎡, 5000平方米, 5000平米, 1.2万平方米, 50亩 (1 亩 = 10000/15 ㎡),
3公顷; a bare number is square metres.  A price is kept per square metre (``price``, yuan)
with what it is a price of (``price_unit``: 元/㎡ to buy, 元/㎡/月 to rent) and the words it
was given in: 80万元/亩 (land: per 亩 → per ㎡), 1.2元/㎡/天 (rent by the day → by the
month, 30 days), 25元/平方米/月, 4500元/㎡; 面议 leaves it empty, kept as written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import messages
from ..errors import FieldError
from .values import nfkc

SQUARE_METRES_PER_MU = Decimal(10000) / Decimal(15)
_AREA_UNITS = {"亩": SQUARE_METRES_PER_MU, "公顷": Decimal(10000), "万平方米": Decimal(10000),
               "万平米": Decimal(10000), "万㎡": Decimal(10000), "万m2": Decimal(10000), "平方米": Decimal(1),
               "平米": Decimal(1), "平方": Decimal(1), "㎡": Decimal(1), "m2": Decimal(1), "": Decimal(1)}
_NUMBER = r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
_AREA = re.compile(_NUMBER + r"(?P<unit>" + "|".join(sorted(map(re.escape, _AREA_UNITS), key=len, reverse=True))
                   + r")(?:左右|以上|以内|以下)?")
BUY, RENT = "元/㎡", "元/㎡/月"
_PRICE = re.compile(_NUMBER + r"(?P<scale>万)?元?/(?P<per>亩|平方米|平米|㎡|m2)(?:/(?P<time>月|天|日|年))?(?:左右|起)?")
_MONTHLY = {"月": Decimal(1), "天": Decimal(30), "日": Decimal(30), "年": Decimal(1) / Decimal(12)}
NOT_QUOTED = ("面议", "待定", "协商", "电询")


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _plain(value: Any) -> str:
    """The words, as compared: full width folded (NFKC turns ㎡ into m2), spaces out, lower case."""
    return nfkc(str(value)).replace(" ", "").lower()


def parse_area(value: Any, field: str = "area") -> dict[str, Any]:
    """{"area": square metres (a whole number), "area_as_written": the words}."""
    written = str(value).strip()
    m = _AREA.fullmatch(_plain(written))
    if not m:
        raise FieldError(field, value, messages.AREA_INVALID.format(value=value))
    try:
        square_metres = _number(m["number"]) * _AREA_UNITS[m["unit"]]
    except (InvalidOperation, KeyError):
        raise FieldError(field, value, messages.AREA_INVALID.format(value=value)) from None
    if not 0 < square_metres <= 10**9:
        raise FieldError(field, value, messages.AREA_INVALID.format(value=value))
    return {field: int(square_metres.to_integral_value()), f"{field}_as_written": written}


def parse_price(value: Any, field: str = "price") -> dict[str, Any]:
    """{"price": yuan per ㎡ (per month for a rent), "price_unit": 元/㎡ or 元/㎡/月,
    "price_as_written": the words}; a price not quoted yet (面议) gives only the words."""
    written = str(value).strip()
    text = _plain(written)
    if text in NOT_QUOTED:
        return {f"{field}_as_written": written}
    m = _PRICE.fullmatch(text)
    if not m:
        raise FieldError(field, value, messages.PRICE_INVALID.format(value=value))
    amount = _number(m["number"]) * (10000 if m["scale"] else 1)
    if m["per"] == "亩":
        amount = amount / SQUARE_METRES_PER_MU
    unit = BUY
    if m["time"]:
        amount, unit = amount * _MONTHLY[m["time"]], RENT
    return {field: float(round(amount, 2)), f"{field}_unit": unit, f"{field}_as_written": written}


def area_text(record: dict[str, Any], field: str = "area") -> str:
    """An area as written, with square metres when the words were in another unit: 50亩 (33333㎡)."""
    written, square_metres = record.get(f"{field}_as_written"), record.get(field)
    if square_metres is None:
        return str(written or "")
    if not written:
        return f"{square_metres}㎡"
    plain = _plain(written)
    if "亩" in plain or "公顷" in plain or "万" in plain:
        return f"{written} ({square_metres}㎡)"
    return str(written) if not plain.replace(".", "").isdigit() else f"{written}㎡"


def price_text(record: dict[str, Any], field: str = "price") -> str:
    """A price as written, with its price per ㎡ when the words were in another unit."""
    written, price = record.get(f"{field}_as_written"), record.get(field)
    if price is None:
        return str(written or "")
    shown = f"{price:g}{record.get(f'{field}_unit') or BUY}"
    return f"{written} ({shown})" if written and _plain(written) != _plain(shown) else shown
