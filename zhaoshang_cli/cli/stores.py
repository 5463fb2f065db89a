"""copy and db init: moving a store between backends, setting up a team store."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .. import messages
from . import common


def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="STORE", help="The store to copy into: a file path or postgresql://USER@HOST/DBNAME.")],
    source: Annotated[Optional[str], typer.Option("--from", metavar="STORE", help="The store to copy from (default: --db).")] = None,
) -> None:
    """Copy every record (IDs, histories, bodies) and the settings into another store, TinyDB or PostgreSQL; a second run changes nothing."""
    from ..errors import UsageError, UserError
    from ..service import copy as copying
    from ..service.store import open_store

    settings = common.settings(ctx)
    origin = common.location(source) if source else settings.db_path()
    target = common.location(to)
    if target is None:
        raise UsageError(messages.COPY_NO_TARGET)
    if str(origin) == str(target):
        raise UsageError(messages.COPY_SAME_STORE)
    stores = [open_store(place, lock_timeout=settings.lock_timeout, keep_backups=settings.backups)
              for place in (origin, target)]
    settings.opened += stores
    if not stores[0].exists():
        raise UserError(messages.COPY_NO_SOURCE.format(path=stores[0].describe()))
    result = copying.copy(stores[0], stores[1])
    common.info(messages.COPY_SUMMARY.format(source=stores[0].describe(), target=stores[1].describe(),
                                             added=result.added, updated=result.updated,
                                             unchanged=result.unchanged, kept=result.kept))


def init(ctx: typer.Context) -> None:
    """Create or bring up to date the tables of a PostgreSQL store (its owner runs this once)."""
    from ..service.store import init_store

    store = common.store(ctx)
    for action in init_store(store):
        common.info(messages.DB_INIT_DONE.format(url=store.describe(), action=action))


def register(app: typer.Typer) -> None:
    app.command("copy")(copy)
    db_app = typer.Typer(help="A team store on PostgreSQL: set it up (zhaoshang --db postgresql://… db init).",
                         no_args_is_help=True)
    db_app.command("init")(init)
    app.add_typer(db_app, name="db")
