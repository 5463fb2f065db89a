"""config: the store's settings (the home region) and your own (who you are), listed, read,
set and unset.  Your own need no store."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from .. import messages
from . import common

if TYPE_CHECKING:
    from ..service.config import Config, Key

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="A setting: region, user, language, map.HEADER.")]


def _config(ctx: typer.Context, key: Key, *, must_exist: bool = True) -> Config:
    """The settings a command reads or changes: a personal key's need no store."""
    from ..service.config import Config

    if key.personal:
        return Config(None)
    return Config(common.store(ctx, must_exist=must_exist))


def show_all(ctx: typer.Context) -> None:
    """List every setting: its value, where it comes from, and what it does."""
    if ctx.invoked_subcommand is not None:
        return
    from ..io import views
    from ..service.config import Config

    store = common.store(ctx)
    views.settings(Config(store if store.exists() else None).all(), sys.stdout)


def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one setting's value (nothing, exit 1, when it is not set)."""
    from ..service.config import key_named

    the_key = key_named(key)
    setting = _config(ctx, the_key).get(the_key)
    if not setting.value:
        common.info(messages.CONFIG_IS_NOT_SET.format(key=setting.key.name))
        raise typer.Exit(1)
    typer.echo(setting.key.label(setting.value))


def set_(ctx: typer.Context, key: KeyArg,
         value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value, e.g. 天津.")]) -> None:
    """Set a setting (e.g. `config set region 天津` for this store, `config set user 张三` for you)."""
    from ..service.config import key_named

    the_key = key_named(key)
    stored = _config(ctx, the_key, must_exist=False).set(the_key, value)
    common.info(messages.CONFIG_SET.format(key=the_key.name, value=the_key.label(stored)))


def unset(ctx: typer.Context, key: KeyArg) -> None:
    """Remove a setting (the store's, or your own)."""
    from ..service.config import key_named

    the_key = key_named(key)
    _config(ctx, the_key).unset(the_key)
    common.info(messages.CONFIG_UNSET.format(key=the_key.name))


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(cls=common.Group, help=common.command_help("config"),
                             invoke_without_command=True)
    config_app.callback()(show_all)
    config_app.command("get", cls=common.Command)(get)
    config_app.command("set", cls=common.Command)(set_)
    config_app.command("unset", cls=common.Command)(unset)
    app.add_typer(config_app, name="config")
