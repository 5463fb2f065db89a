"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temporary directory.

The server listens on a Unix socket in its own directory only (no TCP port, so several
test runs on one machine never collide), runs with fsync off (its data is thrown away),
and as the ``postgres`` system user when the tests run as root (initdb refuses root).
Each test gets a database of its own, copied from a template that already has the
store's tables (``CREATE DATABASE … TEMPLATE``, milliseconds), dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

SERVER_USER = "postgres"  # the system user the server runs as when the tests run as root
SUPERUSER = "zs_admin"    # the database superuser initdb creates
PASSWORD_ROLE = "zs_pw"   # the one role that signs in with a password


def binaries() -> Path | None:
    """The directory of initdb and pg_ctl: PostgreSQL's own (Debian keeps them out of PATH), or PATH's."""
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(found).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def unavailable() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None."""
    if binaries() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install -e '.[postgres]'"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no '{SERVER_USER}' system user to run the server as"
    return None


class Server:
    def __init__(self) -> None:
        self.bin = binaries()
        assert self.bin is not None
        self.root = Path(tempfile.mkdtemp(prefix="zs-pg-"))
        self.data = self.root / "data"
        self.port = 5432
        self.as_root = os.geteuid() == 0
        if self.as_root:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.count = 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}{log}")

    def start(self) -> Server:
        locale = "C.UTF-8" if self._has_locale("C.UTF-8") else "C"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
                  f"--locale={locale}", "--no-sync")
        # one role signs in with a password (tests of a failed sign-in); every other one is trusted
        (self.data / "pg_hba.conf").write_text(f"local all {PASSWORD_ROLE} scram-sha-256\nlocal all all trust\n")
        options = (f"-k {self.root} -h '' -p {self.port} -F -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "start")
        self.admin("CREATE DATABASE zs_template")
        return self

    @staticmethod
    def _has_locale(name: str) -> bool:
        try:
            found = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
        except OSError:
            return False
        return name.lower().replace("-", "") in {n.lower().replace("-", "") for n in found}

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{quote(user)}@/{database}?host={quote(str(self.root))}&port={self.port}"

    def admin(self, *statements: str, database: str = "postgres", user: str = SUPERUSER) -> list[tuple]:
        import psycopg

        rows: list[tuple] = []
        with psycopg.connect(self.url(database, user), autocommit=True) as conn:
            for statement in statements:
                cursor = conn.execute(statement)
                if cursor.description:
                    rows = cursor.fetchall()
        return rows

    def prepare_template(self) -> None:
        """The store's tables in the template every test database is copied from."""
        from zhaoshang_cli.storage.postgres.backend import PostgresBackend

        store = PostgresBackend(self.url("zs_template"))
        store.init()
        store.close()  # a template must have no connections when it is copied

    def new_database(self, template: str = "zs_template") -> str:
        self.count += 1
        name = f"zs_test_{self.count}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
