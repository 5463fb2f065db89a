"""A record's body as it comes in: text, or already in the bytes the store keeps.

An import's second process (service/import_worker.py) sends each body as a ``RawBody``:
its JSON string literal (quotes included, UTF-8, escapes canonical), ready to be written
to the body log as it is, and often its searched form, so that the storing process need
not decode it again.
"""

from __future__ import annotations

from json.encoder import encode_basestring as _encode_string

import orjson

from .search import planes


class RawBody:
    """A body as a canonical JSON string literal (bytes or a view of them), with its
    searched form when that was worked out already."""

    __slots__ = ("literal", "planes", "plain")

    def __init__(self, literal: bytes | memoryview, planes: tuple[bytes, bytes] | None = None,
                 plain: bool = False):
        self.literal = literal
        self.planes = planes  # its searchable form (domain/search.py), when worked out already
        self.plain = plain  # known to be its own searched form: casefolding leaves its text as it is

    def __bool__(self) -> bool:
        return len(self.literal) > 2

    def text(self) -> str:
        return orjson.loads(self.literal)

    def __repr__(self) -> str:
        return f"RawBody({bytes(self.literal[:40])!r}…)"


Body = str | RawBody


def literal(body: Body) -> bytes | memoryview:
    """The body as the JSON string literal the body log keeps."""
    return body.literal if isinstance(body, RawBody) else text_literal(body)


def text_literal(text: str) -> bytes:
    """A text as a canonical JSON string literal, the bytes orjson.dumps gives.  Made with
    the json module: orjson's buffers, made and freed for a hundred thousand bodies, leave
    the heap so scattered that an import's memory grew by a hundred megabytes."""
    return _encode_string(text).encode("utf-8")


def text_of(body: Body | None) -> str | None:
    return body.text() if isinstance(body, RawBody) else body


def planes_of(body: Body) -> tuple[bytes, bytes]:
    """The body's searchable form: worked out before (by an import's second process) or now."""
    if isinstance(body, RawBody):
        return body.planes if body.planes is not None else planes(body.text())
    return planes(body)
