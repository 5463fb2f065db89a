"""Per-store settings, set once: ``zhaoshang config set region 天津``.

The settings live beside the store, in its private side folder (``STORE.d/config.json``),
so that each office's store carries its own.  An environment variable overrides the
file for one shell or script (``ZHAOSHANG_REGION=天津``).  Each key says what it does;
``zhaoshang config`` lists them.  Plain Python: values, sources, no printing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import orjson

from .. import messages
from ..atomic import atomic_write, make_private_dir, read_private
from ..errors import StoreError, UsageError, UserError

if TYPE_CHECKING:
    from ..storage.tinydb.store import Store

FILE_NAME = "config.json"


def _region_code(text: str, where: str) -> str:
    from ..domain.regions import table

    return table().resolve(text, field_name=where).code


def _region_label(code: str) -> str:
    from ..domain.regions import table

    return f"{table().full_name(code)} ({code})"


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
    def __init__(self, store: "Store"):
        self.store = store
        self.path = store.side / FILE_NAME

    def _saved(self) -> dict[str, str]:
        try:
            data = orjson.loads(read_private(self.path))
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError):
            raise StoreError(messages.CONFIG_DAMAGED.format(path=self.path)) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise StoreError(messages.CONFIG_DAMAGED.format(path=self.path))
        return data

    def get(self, key: Key) -> Setting:
        """The setting in force: the environment variable, else the file."""
        from_env = os.environ.get(key.env, "").strip()
        if from_env:
            return Setting(key, key.parse(from_env, key.env), "env")
        saved = self._saved().get(key.name) if self.store.side.is_dir() else None
        return Setting(key, saved, "file" if saved else "")

    def all(self) -> list[Setting]:
        return [self.get(key) for key in KEYS.values()]

    def set(self, key: Key, text: str) -> str:
        value = key.parse(text, key.name)
        self._change(key.name, value)
        return value

    def unset(self, key: Key) -> None:
        self._change(key.name, None)

    def _change(self, name: str, value: str | None) -> None:
        self.store.check_paths()
        try:
            make_private_dir(self.store.side)
            with self.store.lock.exclusive():
                saved = self._saved()
                if value is None:
                    saved.pop(name, None)
                else:
                    saved[name] = value
                atomic_write(self.path, orjson.dumps(saved, option=orjson.OPT_INDENT_2))
        except FileNotFoundError:
            raise UserError(messages.CONFIG_NO_FOLDER.format(path=self.store.side.parent)) from None


def home_region(store: "Store") -> str | None:
    """The region code names are read in when a command is not told otherwise."""
    return Config(store).get(KEYS["region"]).value
