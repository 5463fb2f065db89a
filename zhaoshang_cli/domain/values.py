"""Parsers for single field values: URLs, flags, record IDs, sources, tags and choices.

Phones and e-mails are read in contacts.py, amounts and currencies in amounts.py.  Each
``parse_*`` takes what a user or a file gave and returns the stored form, or raises
FieldError naming the field and the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from .. import messages
from ..errors import FieldError
from ..patterns import lazy

_URL = lazy(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_url(value: object, field: str = "url") -> str:
    text = str(value).strip()
    if not _URL.fullmatch(text):
        raise FieldError(field, value, messages.URL_INVALID.format(value=value))
    return text


_FLAGS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "是": True, "否": False}


def parse_flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    flag = _FLAGS.get(nfkc(value).lower())
    if flag is None:
        raise FieldError(field, value, messages.FLAG_INVALID.format(value=value))
    return flag


def parse_record_id(value: object, field: str = "id") -> str:
    text = nfkc(value).lower()
    if not is_record_id(text):
        from .kind import id_examples

        raise FieldError(field, value, messages.ID_INVALID.format(value=value, examples=id_examples()))
    return text


def is_record_id(text: str) -> bool:
    """a12, p3, l7: the prefix of a known kind and a number."""
    from .kind import is_record_id as known

    return known(text)


SOURCE_MAX = 30
CHANNELS = ("展会", "招商会", "电话", "官网", "推荐", "中介", "上门", "微信", "网络")


def parse_source(value: object, field: str = "source") -> str:
    """Where a lead came from: a channel (展会, 电话, 推荐, any short text), a record ID (a12)
    or a URL."""
    if isinstance(value, (dict, list, bool)) or value is None:
        raise FieldError(field, value, messages.SOURCE_INVALID.format(value=value, most=SOURCE_MAX))
    text = " ".join(nfkc(value).split())
    if is_record_id(text.lower()):
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


def parse_choice(value: object, field: str, choices: Mapping[str, str]) -> str:
    """One of a fixed set; ``choices`` maps every accepted spelling to the stored value."""
    text = nfkc(value).lower()
    if text in choices:
        return choices[text]
    allowed = ", ".join(dict.fromkeys(choices.values()))
    raise FieldError(field, value, messages.CHOICE_INVALID.format(value=value, allowed=allowed))


def parse_suggested(value: object, field: str, choices: Mapping[str, str], limit: int) -> str:
    """An open list: one of the usual values (``choices`` maps their spellings to them), or
    any other text of at most ``limit`` characters, kept as written."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(field, value, messages.TEXT_INVALID.format(value=value))
    text = str(value).strip()
    usual = ", ".join(dict.fromkeys(choices.values()))
    if not text:
        raise FieldError(field, value, messages.SUGGESTED_EMPTY.format(usual=usual))
    known = choices.get(nfkc(text).lower())
    if known:
        return known
    if len(text) > limit:
        shown = text[:limit] + "…"
        raise FieldError(field, value, messages.SUGGESTED_TOO_LONG.format(value=shown, limit=limit, usual=usual))
    return text
