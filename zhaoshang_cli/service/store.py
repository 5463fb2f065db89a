"""Opening a store: the one place that knows which backend a location means."""

from __future__ import annotations

from pathlib import Path

from ..storage.base import Backend

URL_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(location: str | Path) -> bool:
    """A ``postgresql://`` URL (a team store on a server) rather than a file path."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def open_store(location: str | Path, *, lock_timeout: float, keep_backups: int,
               create_folders: bool = False) -> Backend:
    """The store at ``location``: a ``postgresql://USER@HOST/DBNAME`` URL (the PostgreSQL
    backend, psycopg imported only now), else a file path (the TinyDB backend).
    ``create_folders``: a file store's folder may be made when missing (the default
    location, which is the program's own); a folder someone named that does not exist is
    an error, not a new tree."""
    if is_server_url(location):
        from ..storage.postgres.backend import PostgresBackend

        return PostgresBackend(str(location), lock_timeout=lock_timeout)
    from ..storage.tinydb.backend import TinyDBBackend

    return TinyDBBackend(location, lock_timeout=lock_timeout, keep_backups=keep_backups,
                         create_folders=create_folders)


def init_store(store: Backend) -> list[str]:
    """Set up a store on a server (its tables, indexes, schema version); what was done.
    A file store needs no setting up: its first write creates it."""
    from .. import messages
    from ..errors import UsageError

    init = getattr(store, "init", None)
    if init is None:
        raise UsageError(messages.DB_INIT_NEEDS_URL)
    return init() or [messages.PG_INIT_NOTHING.format(schema=store.state().schema)]  # type: ignore[attr-defined]
