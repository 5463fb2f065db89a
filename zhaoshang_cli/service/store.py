"""Opening a store: the one place that knows which backend a location means."""

from __future__ import annotations

import re
from pathlib import Path

from ..storage.base import Backend

URL_SCHEMES = ("postgresql://", "postgres://")
# the keywords of a libpq connection string (host=… dbname=… user=…), as libpq documents them
LIBPQ_KEYWORDS = frozenset("""
host hostaddr port dbname user password passfile channel_binding connect_timeout client_encoding options
application_name fallback_application_name keepalives keepalives_idle keepalives_interval keepalives_count
tcp_user_timeout replication gssencmode sslmode requiressl sslcompression sslcert sslkey sslpassword
sslcertmode sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version
krbsrvname gsslib gssdelegation service target_session_attrs load_balance_hosts
""".split())
_KEYWORD = re.compile(r"\s*([a-z_]+)\s*=")


def is_server_url(location: str | Path) -> bool:
    """A team store on a server rather than a file path: a ``postgresql://`` URL, or a libpq
    connection string (``host=/var/run/postgresql dbname=zs user=zs_editor``,
    ``service=zhaoshang``) whose first word is one of libpq's keywords."""
    if not isinstance(location, str):
        return False
    if location.startswith(URL_SCHEMES):
        return True
    m = _KEYWORD.match(location)
    return m is not None and m[1] in LIBPQ_KEYWORDS


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
