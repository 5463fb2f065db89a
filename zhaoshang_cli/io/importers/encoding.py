"""Decode input bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030/GBK.

Chinese spreadsheet exports are usually GB18030; scrapers write UTF-8.  UTF-8 is tried
first because GB18030 text is practically never valid UTF-8, while the reverse is
often true.
"""

from __future__ import annotations

import codecs

from ... import messages
from ...errors import UserError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect(raw: bytes) -> str:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8"  # report the UTF-8 error: it names the first bad byte


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    chosen = encoding or detect(raw)
    try:
        text = raw.decode(chosen)
    except LookupError:
        raise UserError(messages.ENCODING_UNKNOWN.format(value=encoding)) from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(messages.DECODE_FAILED.format(
            file=name, line=line, byte=raw[exc.start:exc.start + 1].hex(), encoding=chosen)) from None
    return text[1:] if text.startswith("\ufeff") else text
