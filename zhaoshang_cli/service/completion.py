"""What shell completion offers for a partly typed word: record IDs from the store, kinds,
statuses, region names.  Each answer must come within a keypress: IDs are read from the
store's listing indexes without its lock (storage/base.py ``numbers_starting``)."""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.kind import KINDS, Kind, record_id
from ..storage.base import Backend


def record_ids(store: Backend, typed: str, kinds: Iterable[Kind]) -> list[str]:
    """The stored IDs of ``kinds`` starting with ``typed`` (a → a1, a2…; a1 → a1, a10…),
    kind by kind, in number order; none when there is no store."""
    typed = typed.strip().lower()
    found: list[str] = []
    for kind in kinds:
        if kind.prefix.startswith(typed):
            digits = ""
        elif typed.startswith(kind.prefix) and typed[len(kind.prefix):].isdigit():
            digits = typed[len(kind.prefix):]
        else:
            continue
        found += [record_id(kind, n) for n in store.numbers_starting(kind, digits)]
    return found


def kind_names(typed: str) -> list[str]:
    """The names of the registered kinds, singular and plural, starting with ``typed``."""
    typed = typed.strip().lower()
    names = [name for kind in KINDS.values() for name in (kind.name, kind.plural)]
    return [name for name in dict.fromkeys(names) if name.startswith(typed)]


def statuses(typed: str) -> list[tuple[str, str]]:
    """(status, what it is called in the other language) of the kinds with a pipeline,
    English (signed, 已签约) and Chinese (已签约, signed), starting with ``typed``."""
    found: dict[str, str] = {}
    for kind in KINDS.values():
        if kind.pipeline is None:
            continue
        for status in kind.pipeline.statuses:
            label = kind.pipeline.label(status)
            found.setdefault(status, label)
            found.setdefault(label, status)
    typed = typed.strip().lower()
    return [(name, other) for name, other in found.items() if name.lower().startswith(typed)]


def region_names(typed: str) -> list[str]:
    """Region and zone names ``typed`` may become: by prefix, pinyin or initials (domain/region_lookup.py)."""
    from ..domain.regions import table

    return table().completions(typed.strip())
