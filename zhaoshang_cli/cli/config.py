"""config: per-store settings (the home region), listed, read, set and unset."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import messages
from . import common

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="A setting: region.")]


def show_all(ctx: typer.Context) -> None:
    """List every setting: its value, where it comes from, and what it does."""
    if ctx.invoked_subcommand is not None:
        return
    from ..io import views
    from ..service.config import Config

    views.settings(Config(common.store(ctx, must_exist=True)).all(), sys.stdout)


def get(ctx: typer.Context, key: KeyArg) -> None:
    """Print one setting's value (nothing, exit 1, when it is not set)."""
    from ..service.config import Config, key_named

    setting = Config(common.store(ctx, must_exist=True)).get(key_named(key))
    if not setting.value:
        common.info(messages.CONFIG_IS_NOT_SET.format(key=setting.key.name))
        raise typer.Exit(1)
    typer.echo(setting.key.label(setting.value))


def set_(ctx: typer.Context, key: KeyArg,
         value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value, e.g. 天津.")]) -> None:
    """Set a setting for this store (e.g. `config set region 天津`)."""
    from ..service.config import Config, key_named

    the_key = key_named(key)
    stored = Config(common.store(ctx)).set(the_key, value)
    common.info(messages.CONFIG_SET.format(key=the_key.name, value=the_key.label(stored)))


def unset(ctx: typer.Context, key: KeyArg) -> None:
    """Remove a setting from this store."""
    from ..service.config import Config, key_named

    the_key = key_named(key)
    Config(common.store(ctx, must_exist=True)).unset(the_key)
    common.info(messages.CONFIG_UNSET.format(key=the_key.name))


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(cls=common.Group, help=common.command_help("config"),
                             invoke_without_command=True)
    config_app.callback()(show_all)
    config_app.command("get", cls=common.Command)(get)
    config_app.command("set", cls=common.Command)(set_)
    config_app.command("unset", cls=common.Command)(unset)
    app.add_typer(config_app, name="config")
