"""Make text from records inert at a terminal.

Rich markup is never parsed (records go into ``rich.text.Text``); what remains are
characters a terminal acts on: C0/C1 controls (ESC starts ANSI and OSC sequences),
DEL, NUL, and the bidirectional overrides that reorder what is displayed.  They are
shown as visible escapes such as ``\\x1b`` and ``\\u202e``.

JSON output keeps the data exact instead: JSON already escapes C0 controls, and
``json_inert`` writes the rest as ``\\uXXXX`` escapes, which every JSON reader turns
back into the same characters.
"""

from __future__ import annotations

import re

from ..patterns import lazy

# beyond the C0 controls: DEL, C1 controls, bidi marks, embeddings, overrides and isolates,
# interlinear annotation marks
_ACTIVE = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb"
_UNSAFE = lazy(f"[\x00-\x08\x0b-\x1f{_ACTIVE}]")
_UNSAFE_WITH_BREAKS = lazy(f"[\x00-\x1f{_ACTIVE}\u2028\u2029]")
_JSON_UNSAFE = lazy(f"[{_ACTIVE}\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object, *, single_line: bool = False) -> str:
    """``text`` with every terminal-active character replaced by a visible escape.

    ``single_line`` also turns line breaks and tabs into spaces (table cells).
    """
    if text is None:
        return ""
    value = str(text)
    if value.isprintable():  # every character acted on or breaking a line is unprintable: nothing to do
        return value
    if single_line:
        value = value.replace("\r\n", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ")
        return _UNSAFE_WITH_BREAKS.sub(_escape, value)
    return _UNSAFE.sub(_escape, value.replace("\r\n", "\n"))


def json_inert(text: str) -> str:
    """JSON text with the terminal-active characters its strings hold written as ``\\uXXXX``.

    Only for serialised JSON, where such characters can stand only inside strings: the
    result is valid JSON holding the same data.
    """
    if text.isprintable():  # every character escaped here is unprintable: a line of JSON Lines is checked in C
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
