"""Settings, set once: ``zhaoshang config set region 天津``, ``zhaoshang config set user 张三``.

A store's settings live with the store (the TinyDB backend keeps them in its private side
folder, ``STORE.d/config.json``), so that each office's store carries its own; a person's
(``user``) live in their own config folder (personal.py), since colleagues share a store.
An environment variable overrides either for one shell or script (``ZHAOSHANG_REGION=天津``,
``ZHAOSHANG_USER=张三``).  Each key says what it does; ``zhaoshang config`` lists them.
Plain Python: values, sources, no printing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from .. import messages
from ..errors import UsageError

if TYPE_CHECKING:
    from ..storage.base import Backend


def _region_code(text: str, where: str) -> str:
    from ..domain.regions import table

    return table().resolve(text, field_name=where).code


def _name(text: str, where: str) -> str:
    from ..domain.people import parse_name

    return parse_name(text, where)


def _region_label(code: str) -> str:
    from ..domain.regions import places

    return f"{places().full_name(code)} ({code})"


class Key(NamedTuple):
    name: str
    env: str
    help: str
    parse: Callable[[str, str], str]  # (what the user typed, where it came from) → the stored value
    label: Callable[[str], str]       # the stored value as people read it
    personal: bool = False            # kept in the person's own settings, not in the store
    fallback: Callable[[], str] | None = None  # the value when it is set nowhere
    fallback_from: str = "login"  # where the fallback comes from (a source of Setting)


def _language(text: str, where: str) -> str:
    from ..i18n import LANGUAGES, parse_language

    found = parse_language(text)
    if found is None:
        raise UsageError(messages.CONFIG_LANGUAGE_UNKNOWN.format(where=where, value=text, allowed=", ".join(LANGUAGES)))
    return found


def _locale_language() -> str:
    from ..i18n import from_locale

    return from_locale()


def _login() -> str:
    from ..domain.people import _login_name

    return _login_name()


KEYS: dict[str, Key] = {
    "region": Key("region", "ZHAOSHANG_REGION", messages.CONFIG_HELP_REGION, _region_code, _region_label),
    "user": Key("user", "ZHAOSHANG_USER", messages.CONFIG_HELP_USER, _name, str, personal=True, fallback=_login),
    "language": Key("language", "ZHAOSHANG_LANG", messages.CONFIG_HELP_LANGUAGE, _language, str, personal=True,
                    fallback=_locale_language, fallback_from="locale"),
}


class Setting(NamedTuple):
    key: Key
    value: str | None
    source: str  # "env", "file" (the store's), "personal", "login", "locale" or "" (not set)


MAP_PREFIX = "map."  # map.HEADER: the field a column of that header fills, in every import into the store


def _mapped_field(text: str, where: str) -> str:
    from ..io.importers.columns import mapping_target

    return mapping_target(text, where)


def _map_key(header: str) -> Key:
    return Key(MAP_PREFIX + header, "", messages.CONFIG_HELP_MAP.format(header=header), _mapped_field, str)


def key_named(name: str) -> Key:
    text = name.strip()
    if text.lower().startswith(MAP_PREFIX) and text[len(MAP_PREFIX):].strip():
        return _map_key(text[len(MAP_PREFIX):].strip())
    key = KEYS.get(text.lower().replace("_", "-"))
    if key is None:
        raise UsageError(messages.CONFIG_KEY_UNKNOWN.format(key=name, keys=", ".join([*KEYS, MAP_PREFIX + "HEADER"])))
    return key


def column_mappings(store: Backend | None) -> dict[str, str]:
    """The store's header mappings (``config set map.对接人 contact``): header → field."""
    if store is None or not store.exists():
        return {}
    return {k[len(MAP_PREFIX):]: v for k, v in store.settings().items() if k.startswith(MAP_PREFIX)}


class Config:
    """The settings of one store (kept by its backend) and of the person using it, with the
    environment over them.  ``store`` may be None for a person's own settings alone."""

    def __init__(self, store: Backend | None):
        self.store = store

    def get(self, key: Key) -> Setting:
        """The setting in force: the environment variable, else the saved one, else the fallback."""
        from_env = os.environ.get(key.env, "").strip() if key.env else ""
        if from_env:
            return Setting(key, key.parse(from_env, f"${key.env}"), "env")
        if key.personal:
            from .. import personal

            saved = personal.read().get(key.name)
            if saved:
                return Setting(key, saved, "personal")
        elif self.store is not None:
            saved = self.store.settings().get(key.name)
            if saved:
                return Setting(key, saved, "file")
        if key.fallback is not None:
            return Setting(key, key.fallback(), key.fallback_from)
        return Setting(key, None, "")

    def all(self) -> list[Setting]:
        found = [self.get(key) for key in KEYS.values() if key.personal or self.store is not None]
        return found + [self.get(_map_key(header)) for header in sorted(column_mappings(self.store))]

    def set(self, key: Key, text: str) -> str:
        value = key.parse(text, key.name)
        self._change(key, value)
        return value

    def unset(self, key: Key) -> None:
        self._change(key, None)

    def _change(self, key: Key, value: str | None) -> None:
        if key.personal:
            from .. import personal

            personal.change(key.name, value)
        else:
            assert self.store is not None
            self.store.change_setting(key.name, value)


def home_region(store: Backend) -> str | None:
    """The region code names are read in when a command is not told otherwise."""
    return Config(store).get(KEYS["region"]).value
