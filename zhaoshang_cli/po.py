"""A gettext ``.po`` catalogue read into msgid → msgstr, for a checkout run in place (an
installed package reads the ``.mo`` compiled from it at build time, i18n.py).  Only what
our catalogue uses: entries apart by blank lines, no plurals, no contexts; a fuzzy entry
counts as untranslated."""

from __future__ import annotations

import ast


def read_po(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in text.split("\n\n"):
        parts: dict[str, list[str]] = {}
        current: list[str] | None = None
        fuzzy = False
        for raw in entry.splitlines():
            line = raw.strip()
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith(("msgid ", "msgstr ")):
                key, _, literal = line.partition(" ")
                current = parts[key] = [ast.literal_eval(literal)]
            elif line.startswith('"') and current is not None:
                current.append(ast.literal_eval(line))
        if "msgid" in parts and "msgstr" in parts and not fuzzy:
            found["".join(parts["msgid"])] = "".join(parts["msgstr"])
    return found
