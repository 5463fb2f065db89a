"""The Chinese catalogue, kept with Babel: every message the code says, merged into
zhaoshang_cli/locale/zh_CN/LC_MESSAGES/zhaoshang.po (translations kept), and compiled.

    python tools/i18n.py update     # messages new in the code added (untranslated), gone ones dropped;
                                    # the .mo compiled again
    python tools/i18n.py compile    # .po → .mo (setup.py does it when the package is built)
    python tools/i18n.py missing    # the messages without a translation, one per line

The messages are English in the code: messages.py (one source of truth for what commands
say) and the help of every command and option, read from the commands built in English.
A text without two Latin letters in a row (a Chinese label, 编号) needs no translation, nor
do the command names of messages.HELP_SECTIONS and the shell commands of EXAMPLES.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "zhaoshang_cli" / "locale" / "zh_CN" / "LC_MESSAGES" / "zhaoshang.po"
MO = PO.with_suffix(".mo")
_PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")


def is_text(value: str) -> bool:
    """Whether ``value`` is words to translate: two Latin letters in a row outside its placeholders."""
    return bool(re.search("[A-Za-z]{2}", _PLACEHOLDER.sub("", value)))


def placeholders(value: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(value))


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def messages_in_code() -> dict[str, str]:
    """msgid → where it comes from (a messages.py name, or a command's help)."""
    before = os.environ.get("ZHAOSHANG_LANG")
    os.environ["ZHAOSHANG_LANG"] = "en"  # the commands' help as written
    try:
        return _messages_in_code()
    finally:
        if before is None:
            del os.environ["ZHAOSHANG_LANG"]
        else:
            os.environ["ZHAOSHANG_LANG"] = before


def _messages_in_code() -> dict[str, str]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from zhaoshang_cli import messages
    from zhaoshang_cli.cli import app as cli_app

    found: dict[str, str] = {}
    for name in messages.names():
        if name in messages.NOT_TRANSLATED:
            continue
        value = messages.english(name)
        if name == "HELP_SECTIONS":  # (title, command names): the titles are words
            value = [title for title, _ in value]  # type: ignore[attr-defined]
        for text in _strings(value):
            if is_text(text):
                found.setdefault(text, f"messages.{name}")
    group = cli_app.build_app()
    import typer.main

    root = typer.main.get_command(group)
    for name in sorted(cli_app._MODULE_OF):
        _walk(root.get_command(None, name), name, found)  # type: ignore[arg-type]
    for param in root.params:
        _add(getattr(param, "help", None), "zhaoshang", found)
    return found


def _walk(command: object, path: str, found: dict[str, str]) -> None:
    _add(getattr(command, "help", None), path, found)
    _add(getattr(command, "short_help", None), path, found)
    for param in getattr(command, "params", []):
        _add(getattr(param, "help", None), f"{path} {param.name}", found)
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        _walk(sub, f"{path} {name}", found)


def _add(text: str | None, where: str, found: dict[str, str]) -> None:
    if text and is_text(text):
        found.setdefault(text.strip("\n"), where)


def read_catalogue(path: Path = PO):  # -> babel Catalog
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain="zhaoshang")


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    old = {m.id: m.string for m in read_catalogue() if m.id} if PO.exists() else {}
    catalog = Catalog(locale="zh_CN", domain="zhaoshang", project="zhaoshang-cli", charset="utf-8",
                      fuzzy=False)
    for msgid, where in messages_in_code().items():
        catalog.add(msgid, old.get(msgid) or "", auto_comments=[where])
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False)
    missing = sum(1 for m in catalog if m.id and not m.string)
    print(f"{PO.relative_to(ROOT)}: {len(catalog)} messages, {missing} without a translation")
    compile_catalogue()


def compile_catalogue(source: Path = PO, target: Path = MO) -> None:
    from babel.messages.mofile import write_mo

    catalog = read_catalogue(source)
    with target.open("wb") as handle:
        write_mo(handle, catalog)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        update()
    elif command == "compile":
        compile_catalogue()
    elif command == "missing":
        for message in read_catalogue():
            if message.id and not message.string:
                print(message.id)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
