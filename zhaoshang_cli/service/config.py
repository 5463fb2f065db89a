"""Per-store settings, set once: ``zhaoshang config set region 天津``.

The settings live with the store (the TinyDB backend keeps them in its private side
folder, ``STORE.d/config.json``), so that each office's store carries its own.  An environment variable overrides the
file for one shell or script (``ZHAOSHANG_REGION=天津``).  Each key says what it does;
``zhaoshang config`` lists them.  Plain Python: values, sources, no printing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import messages
from ..errors import UsageError

if TYPE_CHECKING:
    from ..storage.base import Backend


def _region_code(text: str, where: str) -> str:
    from ..domain.regions import table

    return table().resolve(text, field_name=where).code


def _region_label(code: str) -> str:
    from ..domain.regions import places

    return f"{places().full_name(code)} ({code})"


@dataclass(frozen=True)
class Key:
    name: str
    env: str
    help: str
    parse: Callable[[str, str], str]  # (what the user typed, where it came from) → the stored value
    label: Callable[[str], str]       # the stored value as people read it


KEYS: dict[str, Key] = {
    "region": Key("region", "ZHAOSHANG_REGION", messages.CONFIG_HELP_REGION, _region_code, _region_label),
}


@dataclass
class Setting:
    key: Key
    value: str | None
    source: str  # "env", "file" or "" (not set)


def key_named(name: str) -> Key:
    key = KEYS.get(name.strip().lower().replace("_", "-"))
    if key is None:
        raise UsageError(messages.CONFIG_KEY_UNKNOWN.format(key=name, keys=", ".join(KEYS)))
    return key


class Config:
    """The settings of one store (kept by its backend), with the environment over them."""

    def __init__(self, store: Backend):
        self.store = store

    def get(self, key: Key) -> Setting:
        """The setting in force: the environment variable, else the store's."""
        from_env = os.environ.get(key.env, "").strip()
        if from_env:
            return Setting(key, key.parse(from_env, key.env), "env")
        saved = self.store.settings().get(key.name)
        return Setting(key, saved, "file" if saved else "")

    def all(self) -> list[Setting]:
        return [self.get(key) for key in KEYS.values()]

    def set(self, key: Key, text: str) -> str:
        value = key.parse(text, key.name)
        self.store.change_setting(key.name, value)
        return value

    def unset(self, key: Key) -> None:
        self.store.change_setting(key.name, None)


def home_region(store: Backend) -> str | None:
    """The region code names are read in when a command is not told otherwise."""
    return Config(store).get(KEYS["region"]).value
