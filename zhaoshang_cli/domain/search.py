"""What ``--text`` searches, and the form a store can search it in fast.

A record matches when the (casefolded) needle is in one of its text fields, tags, notes
or its body.  ``pieces`` lists those texts, so that every backend answers alike.

The *planes* of a text are its casefolded UTF-16 split into the low bytes and the high
bytes of each code unit.  A needle is in a text exactly when the needle's low plane is
found in the text's low plane at a position where the high planes agree too: a byte
search over one byte per character (Chinese text has no words to index, and building an
n-gram index costs more Python per character than a whole import may spend), confirmed
by a comparison of a few bytes.  The pieces of a record are joined by U+FFFF, which no
needle holds, so that a match never spans two fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from .kind import Kind

SEARCHED_TYPES = ("text", "suggest", "source", "choice")
SEPARATOR = "\uffff"
Planes = tuple[bytes, bytes]  # (low bytes, high bytes) of the casefolded UTF-16-LE text


@cache
def _searched(kind: Kind) -> tuple[tuple[str, str], ...]:
    """(stored key, how its value holds text) of each field a text search looks in."""
    found = []
    for spec in kind.fields:
        if spec.apart:
            continue
        if spec.type in SEARCHED_TYPES:
            found.append((spec.key, "text"))
        elif spec.type in ("tags", "notes"):
            found.append((spec.key, spec.type))
    return tuple(found)


def pieces(kind: Kind, doc: Mapping[str, Any]) -> Iterator[str]:
    """The casefolded texts of a stored document that a text search looks in (the body aside)."""
    for key, holds in _searched(kind):
        value = doc.get(key)
        if not value:
            continue
        if holds == "text":
            if isinstance(value, str):
                yield value.casefold()
        elif not isinstance(value, list):
            continue
        elif holds == "tags":
            yield from (t.casefold() for t in value if isinstance(t, str))
        else:
            yield from (n["text"].casefold() for n in value if isinstance(n, dict) and isinstance(n.get("text"), str))


def text_hit(kind: Kind, doc: Mapping[str, Any], needle: str, body: str | None = None) -> bool:
    """``needle`` (casefolded) in the document's searched fields or in ``body``."""
    if any(needle in piece for piece in pieces(kind, doc)):
        return True
    return body is not None and needle in body.casefold()


def planes(text: str, folded: bool = False) -> Planes:
    data = (text if folded else text.casefold()).encode("utf-16-le", "surrogatepass")
    return data[0::2], data[1::2]


def record_planes(kind: Kind, doc: Mapping[str, Any], body: Planes | None) -> Planes:
    """The planes of everything a text search looks in, pieces joined by the separator."""
    low, high = planes(SEPARATOR.join(pieces(kind, doc)), folded=True)
    if body is not None:
        low, high = low + b"\xff" + body[0], high + b"\xff" + body[1]
    return low, high


def needle_planes(needle: str) -> Planes | None:
    """The planes a needle is searched by; None when it can match nothing (it holds the separator)."""
    if not needle or SEPARATOR in needle:
        return None
    return planes(needle, folded=True)
