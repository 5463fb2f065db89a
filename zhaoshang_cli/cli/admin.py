"""doctor and restore: look after the store file."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import messages
from . import common


def doctor(
    ctx: typer.Context,
    fix: Annotated[bool, typer.Option("--fix", help=messages.DOCTOR_FIX_HELP)] = False,
    drop_unreadable: Annotated[bool, typer.Option("--drop-unreadable", help=messages.DOCTOR_DROP_HELP)] = False,
) -> None:
    from ..errors import UsageError
    from ..io import views

    if drop_unreadable and not fix:
        raise UsageError(messages.DOCTOR_DROP_NEEDS_FIX)
    findings = common.store(ctx).doctor(fix=fix, drop_unreadable=drop_unreadable)
    views.findings(findings, sys.stdout)
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    common.info(messages.DOCTOR_SUMMARY.format(errors=errors, warnings=warnings))
    if errors:
        raise typer.Exit(1)


def restore(
    ctx: typer.Context,
    backup: Annotated[str | None, typer.Argument(
        metavar="[BACKUP]", help="Backup name (default: the newest good one).")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the backups and exit.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    from ..domain.kind import KINDS
    from ..errors import UsageError
    from ..io import views

    store = common.store(ctx)
    found = store.backups()
    if list_only:
        if not found:
            common.info(messages.BACKUP_LIST_EMPTY.format(path=store.describe()))
            return
        views.backups(found, list(KINDS.values()), sys.stdout)
        return
    chosen = next((b for b in found if b.valid and (not backup or b.name.startswith(backup))), None)
    counts = ", ".join(f"{n} {t}" for t, n in chosen.counts.items()) if chosen else ""
    if not yes and chosen is not None:
        if not common.at_terminal():
            raise UsageError(messages.RESTORE_NEEDS_YES)
        if not typer.confirm(messages.RESTORE_CONFIRM.format(name=chosen.name, counts=counts)):
            raise typer.Exit(1)
    done = store.restore(backup)
    common.info(messages.RESTORE_DONE.format(name=done.name, counts=", ".join(
        f"{n} {t}" for t, n in done.counts.items())))


def register(app: typer.Typer) -> None:
    app.command("doctor", cls=common.Command, help=common.command_help("doctor"))(doctor)
    app.command("restore", cls=common.Command, help=common.command_help("restore"))(restore)
