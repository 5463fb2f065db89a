"""copy and db init: moving a store between backends, setting up a team store."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .. import messages
from . import common


def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="STORE", help=messages.COPY_TO_HELP)],
    source: Annotated[Optional[str], typer.Option("--from", metavar="STORE", help=messages.COPY_FROM_HELP)] = None,
) -> None:
    from ..errors import UsageError
    from ..service import copy as copying

    settings = common.settings(ctx)
    origin, target = common.location(source) or settings.db_path(), common.location(to)
    if target is None:
        raise UsageError(messages.COPY_NO_TARGET)
    if str(origin) == str(target):
        raise UsageError(messages.COPY_SAME_STORE)
    stores = settings.open(origin, must_exist=True), settings.open(target)
    result = copying.copy(*stores)
    common.info(messages.COPY_SUMMARY.format(source=stores[0].describe(), target=stores[1].describe(), **vars(result)))

def init(ctx: typer.Context) -> None:
    """Create or bring up to date the tables of a PostgreSQL store (its owner runs this once)."""
    from ..service.store import init_store

    store = common.store(ctx)
    for action in init_store(store):
        common.info(messages.DB_INIT_DONE.format(url=store.describe(), action=action))


def register(app: typer.Typer) -> None:
    app.command("copy", cls=common.Command, help=common.command_help("copy"))(copy)
    db_app = typer.Typer(cls=common.Group, help=common.command_help("db"), no_args_is_help=True)
    db_app.command("init", cls=common.Command)(init)
    app.add_typer(db_app, name="db")
