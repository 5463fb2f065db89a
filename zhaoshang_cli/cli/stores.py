"""copy, db init, db grant and db text-index: moving a store between backends, setting a store up."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import messages
from . import common


def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", metavar="STORE", help=messages.COPY_TO_HELP)],
    source: Annotated[str | None, typer.Option("--from", metavar="STORE", help=messages.COPY_FROM_HELP)] = None,
    prefer: Annotated[str | None, typer.Option("--prefer", metavar="SIDE", help=messages.COPY_PREFER_HELP)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=messages.COPY_DRY_RUN_HELP)] = False,
) -> None:
    from ..errors import UsageError, UserError
    from ..service import copy as copying

    if prefer is not None and prefer not in ("source", "target"):
        raise UsageError(messages.CHOICE_OPTION.format(option="prefer", allowed="source, target"))
    settings = common.settings(ctx)
    origin, target = common.location(source) or settings.db_path(), common.location(to)
    if target is None:
        raise UsageError(messages.COPY_NO_TARGET)
    stores = settings.open(origin), settings.open(target)
    if copying.same_store(*stores):
        raise UserError(messages.COPY_SAME_STORE.format(path=stores[0].describe()))
    settings.open(origin, must_exist=True)
    result = copying.copy(*stores, prefer=prefer, dry_run=dry_run)
    for line in copying.lines(result):
        typer.echo(line)
    template = messages.COPY_DRY_RUN if dry_run else messages.COPY_SUMMARY
    common.info(template.format(source=stores[0].describe(), target=stores[1].describe(), added=result.added,
                                renumbered=len(result.renumbered), updated=result.updated,
                                unchanged=result.unchanged, conflicts=len(result.conflicts),
                                skipped=len(result.skipped), kept=result.kept))


def init(ctx: typer.Context) -> None:
    """Create or bring up to date the tables of a PostgreSQL store (its owner runs this once)."""
    from ..service.store import init_store

    store = common.store(ctx)
    for action in init_store(store):
        common.info(messages.DB_INIT_DONE.format(url=store.describe(), action=action))


def grant(
    ctx: typer.Context,
    editors: Annotated[list[str] | None, typer.Option(
        "--editor", metavar="ROLE", help=messages.DB_GRANT_EDITOR_HELP)] = None,
    readers: Annotated[list[str] | None, typer.Option(
        "--reader", metavar="ROLE", help=messages.DB_GRANT_READER_HELP)] = None,
    show: Annotated[bool, typer.Option("--print", help=messages.DB_GRANT_PRINT_HELP)] = False,
) -> None:
    """Give database roles exactly what editors and readers need (the store's owner runs this)."""
    from ..errors import UsageError

    if not editors and not readers:
        raise UsageError(messages.DB_GRANT_NOBODY)
    store = common.store(ctx)
    run = getattr(store, "grant", None)
    if run is None:
        raise UsageError(messages.DB_INIT_NEEDS_URL)
    sql = run(editors or [], readers or [], run=not show)
    for statement in sql:
        typer.echo(statement + ";")
    if not show:
        common.info(messages.DB_GRANT_DONE.format(url=store.describe(), editors=", ".join(editors or []) or "-",
                                                  readers=", ".join(readers or []) or "-"))


def text_index(
    ctx: typer.Context,
    switch: Annotated[str | None, typer.Argument(metavar="on|off", help=messages.DB_TEXT_INDEX_SWITCH_HELP)] = None,
) -> None:
    """Keep a text index, so that --text of a rare word skips what cannot hold it.

    Like sqlite-utils' enable-fts: it makes imports slower and the store larger (bench/README.md
    measures both).  A file store notes the pairs of characters of every text in each segment;
    a team store keeps trigram indexes of its fields' and bodies' searched text, built by the
    tables' owner while editors go on writing.
    """
    from ..errors import UsageError
    from ..storage.tinydb.backend import TinyDBBackend

    if switch not in (None, "on", "off"):
        raise UsageError(messages.DB_TEXT_INDEX_CHOICE.format(value=switch))
    store = common.store(ctx, must_exist=switch is None)
    on = None if switch is None else switch == "on"
    if not isinstance(store, TinyDBBackend):
        from ..storage.postgres.backend import PostgresBackend

        assert isinstance(store, PostgresBackend)
        kept = store.text_index(on)
        label = messages.DB_TEXT_INDEX_ON if kept.on else messages.DB_TEXT_INDEX_OFF
        if on is not None:
            common.info(messages.DB_TEXT_INDEX_WRITTEN_PG.format(url=store.describe(), state=label,
                                                                 written=kept.written))
        typer.echo(messages.DB_TEXT_INDEX_STATE_PG.format(url=store.describe(), state=label, indexed=kept.indexed,
                                                          tables=kept.tables, size=f"{kept.size / 2**20:.1f}"))
        return
    from ..storage.tinydb import text_indexing

    found = text_indexing.state(store) if on is None else text_indexing.switch(store, on)
    label = messages.DB_TEXT_INDEX_ON if found.on else messages.DB_TEXT_INDEX_OFF
    if on is not None:
        common.info(messages.DB_TEXT_INDEX_WRITTEN.format(path=store.describe(), state=label, written=found.written))
    typer.echo(messages.DB_TEXT_INDEX_STATE.format(path=store.describe(), state=label, indexed=found.indexed,
                                                   segments=found.segments, size=f"{found.size / 2**20:.1f}"))


def register(app: typer.Typer) -> None:
    app.command("copy", cls=common.Command, help=common.command_help("copy"))(copy)
    db_app = typer.Typer(cls=common.Group, help=common.command_help("db"), no_args_is_help=True)
    db_app.command("init", cls=common.Command)(init)
    db_app.command("grant", cls=common.Command)(grant)
    db_app.command("text-index", cls=common.Command)(text_index)
    app.add_typer(db_app, name="db")
