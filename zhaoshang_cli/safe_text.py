"""Make text from records inert at a terminal.

Rich markup is never parsed (records go into ``rich.text.Text``); what remains are
characters a terminal acts on: C0/C1 controls (ESC starts ANSI and OSC sequences),
DEL, NUL, and the bidirectional overrides that reorder what is displayed.  They are
shown as visible escapes such as ``\\x1b`` and ``\\u202e``.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]")
_UNSAFE_WITH_BREAKS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufff9-\ufffb]")


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
    if single_line:
        value = value.replace("\r\n", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ")
        return _UNSAFE_WITH_BREAKS.sub(_escape, value)
    return _UNSAFE.sub(_escape, value.replace("\r\n", "\n"))
