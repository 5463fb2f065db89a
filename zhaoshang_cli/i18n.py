"""The language zhaoshang speaks, and its translations (gettext).

Chinese when the locale asks for it (the first of LC_ALL, LC_MESSAGES and LANG that is set
starts with ``zh``), English otherwise; ``ZHAOSHANG_LANG=zh|en`` overrides it for one shell,
and ``zhaoshang config set language zh|en`` for one person (their own config, personal.py).
Messages are written in English in the code (messages.py, the commands' help) and looked up
in ``locale/zh_CN/LC_MESSAGES/zhaoshang.mo``, compiled from the ``.po`` beside it when the
package is built (setup.py); a checkout run in place reads the ``.po`` itself.  The choice
is made again whenever the environment that decides it changes, so that one process may
speak both (the tests do).
"""

from __future__ import annotations

import gettext as _gettext
import os
from functools import lru_cache
from pathlib import Path

DOMAIN = "zhaoshang"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
ENV = "ZHAOSHANG_LANG"
_DECIDING = (ENV, "LC_ALL", "LC_MESSAGES", "LANG", "ZHAOSHANG_CONFIG_DIR", "XDG_CONFIG_HOME", "HOME")
_chosen: tuple[tuple[str | None, ...], str] | None = None


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
    key = tuple(os.environ.get(name) for name in _DECIDING)
    if _chosen is not None and _chosen[0] == key:
        return _chosen[1]
    forced = parse_language(os.environ.get(ENV, ""))
    chosen = forced or _personal() or from_locale()
    _chosen = (key, chosen)
    return chosen


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
    if compiled.exists() and (not source.exists() or compiled.stat().st_mtime_ns >= source.stat().st_mtime_ns):
        with compiled.open("rb") as handle:
            found = _gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        return {k: v for k, v in found.items() if isinstance(k, str) and k and v}
    from .po import read_po

    return {k: v for k, v in read_po(source.read_text("utf-8")).items() if v}


def gettext(message: str) -> str:
    """``message`` in the language spoken (itself when it has no translation)."""
    lang = language()
    if lang == "en":
        return message
    return catalogue(lang).get(message, message)
