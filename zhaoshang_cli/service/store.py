"""Opening a store: the one place that knows which backend a location means."""

from __future__ import annotations

from pathlib import Path

from ..storage.base import Backend


def open_store(location: str | Path, *, lock_timeout: float, keep_backups: int,
               create_folders: bool = False) -> Backend:
    """The store at ``location``: a file path (the TinyDB backend).  ``create_folders``: its
    folder may be made when missing (the default location, which is the program's own);
    a folder someone named that does not exist is an error, not a new tree."""
    from ..storage.tinydb.backend import TinyDBBackend

    return TinyDBBackend(location, lock_timeout=lock_timeout, keep_backups=keep_backups,
                         create_folders=create_folders)
