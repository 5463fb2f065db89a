"""The language zhaoshang speaks, and its translations (gettext).

Chinese when the locale asks for it (the first of LC_ALL, LC_MESSAGES and LANG that is set
starts with ``zh``), English otherwise; ``ZHAOSHANG_LANG=zh|en`` overrides it for one shell,
and ``zhaoshang config set language zh|en`` for one person (their own config, personal.py).
Messages are written in English in the code (messages.py, the commands' help) and looked up
in ``locale/zh_CN/LC_MESSAGES/zhaoshang.mo``, compiled from the ``.po`` beside it when the
package is built (setup.py); a checkout run in place reads the ``.po`` itself.  The choice
is made once and kept: each command line starts by forgetting it (cli/app.py), so that one
process may speak both (the tests do), and ``config set language`` forgets it too.
"""

from __future__ import annotations

import os
import struct
from functools import lru_cache
from pathlib import Path

DOMAIN = "zhaoshang"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
ENV = "ZHAOSHANG_LANG"
_chosen: str | None = None


def parse_language(text: str) -> str | None:
    """zh, zh_CN.UTF-8, 中文 → zh; en, C, POSIX → en; None for anything else."""
    value = text.strip().lower().replace("-", "_")
    if value.startswith("zh") or value in ("中文", "汉语", "chinese", "cn"):
        return "zh"
    if value.startswith("en") or value in ("c", "posix", "english", "英文") or value.startswith("c."):
        return "en"
    return None


def from_locale() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _personal() -> str | None:
    from . import personal

    try:
        saved = personal.read().get("language")
    except Exception:  # an unreadable config file is reported by the command that reads it
        return None
    return parse_language(saved) if saved else None


def language() -> str:
    """``zh`` or ``en``: see the module's docstring."""
    global _chosen
    if _chosen is None:
        _chosen = parse_language(os.environ.get(ENV, "")) or _personal() or from_locale()
    return _chosen


def forget() -> None:
    """Decide again (after `config set language`)."""
    global _chosen
    _chosen = None


@lru_cache(maxsize=2)
def catalogue(lang: str) -> dict[str, str]:
    """The translations into ``lang`` (msgid → msgstr); none for English."""
    if lang == "en":
        return {}
    folder = LOCALE_DIR / "zh_CN" / "LC_MESSAGES"
    compiled, source = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if compiled.exists():  # tools/i18n.py compiles it again whenever it changes the .po
        return read_mo(compiled.read_bytes())
    from .po import read_po

    return {k: v for k, v in read_po(source.read_text("utf-8")).items() if v}


def gettext(message: str) -> str:
    """``message`` in the language spoken (itself when it has no translation)."""
    lang = language()
    if lang == "en":
        return message
    return catalogue(lang).get(message, message)


def read_mo(data: bytes) -> dict[str, str]:
    """A compiled catalogue (GNU .mo, as Babel writes it) as msgid → msgstr, read directly:
    the standard gettext module would cost more start-up than the whole help page."""
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, count, ids_at, strs_at = struct.unpack(order + "4I", data[4:20])
    found = {}
    for i in range(count):
        id_len, id_off = struct.unpack(order + "2I", data[ids_at + 8 * i:ids_at + 8 * i + 8])
        str_len, str_off = struct.unpack(order + "2I", data[strs_at + 8 * i:strs_at + 8 * i + 8])
        msgid = data[id_off:id_off + id_len].decode("utf-8")
        msgstr = data[str_off:str_off + str_len].decode("utf-8")
        if msgid and msgstr and "\x00" not in msgid:
            found[msgid] = msgstr
    return found
