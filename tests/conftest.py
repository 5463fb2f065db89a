from __future__ import annotations

import json
import os
import tempfile
import weakref
from pathlib import Path

import pytest
import typer
import typer.testing
from typer.testing import CliRunner

from zhaoshang_cli.cli.app import app

# Typer's test runner builds the Click command tree from the function signatures on every
# invoke (tens of milliseconds); the tests build it once per app.  Keyed by the app itself,
# not its id(): an app built by a test (cli.app.build_app) and freed must not lend its id,
# and so its commands, to the next one.
_built: weakref.WeakKeyDictionary[typer.Typer, object] = weakref.WeakKeyDictionary()


def _command_once(typer_app: typer.Typer) -> object:
    if typer_app not in _built:
        _built[typer_app] = typer.main.get_command(typer_app)
    return _built[typer_app]


typer.testing._get_command = _command_once

# Hundreds of store writes each fsync; on this kind of disk that is most of the suite's time.
# Where the machine has a RAM disk, the tests' folders live there (PYTEST_DEBUG_TEMPROOT wins).
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) and not os.environ.get("PYTEST_DEBUG_TEMPROOT"):
    tempfile.tempdir = "/dev/shm"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED = ROOT.parent / "shared" / "seed" / "000_45bb69569adba156.txt"
if not SEED.exists():  # the bundled copy, for checkouts without ../shared
    SEED = EXAMPLES / "pages" / "000_45bb69569adba156.txt"


class Cli:
    """Runs `zhaoshang` in-process against one store, the way a user types it.  ``db`` is a
    TinyDB store's path, or a PostgreSQL store's URL (tests marked ``backends``)."""

    def __init__(self, db: Path | str, typer_app: typer.Typer | None = None):
        self.db = db
        if isinstance(db, Path):
            db.parent.mkdir(parents=True, exist_ok=True)  # a store is made in a folder that exists
        self.app = typer_app or app  # another app: one built for kinds a test registers
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None, env: dict | None = None, ok: bool = True):
        full_env = {"ZHAOSHANG_DB": str(self.db), "COLUMNS": "80", "NO_COLOR": "1", **(env or {})}
        result = self.runner.invoke(self.app, list(args), input=input, env=full_env, catch_exceptions=False)
        if ok and result.exit_code != 0:
            raise AssertionError(f"zhaoshang {' '.join(args)} exited {result.exit_code}:\n{result.stderr}")
        return result

    def json(self, *args: str):
        return json.loads(self(*args, "--format", "json").stdout)

    @property
    def on_postgres(self) -> bool:
        return isinstance(self.db, str)

    def state(self):
        """Everything the store holds, to tell whether a command changed it: the TinyDB store
        file's bytes (None: no file), or every row of a PostgreSQL store's tables."""
        if not self.on_postgres:
            return self.db.read_bytes() if self.db.exists() else None
        import psycopg

        rows = []
        with psycopg.connect(self.db) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'zs\\_%' ORDER BY tablename")]
            for table in tables:
                order = {"zs_meta": "1", "zs_counters": "1", "zs_settings": "1", "zs_sync": "1", "zs_regions": "1",
                         "zs_changes": "seq"}.get(table, "number")
                rows.append((table, conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()))
        return rows

    def counters(self) -> dict:
        """The next ID number per prefix, as the store keeps it (on PostgreSQL: each kind's
        sequence, or the table zs_counters of a store set up before them)."""
        if not self.on_postgres:
            return self.file()["_meta"]["1"]["next"]
        import psycopg

        from zhaoshang_cli.domain.kind import KINDS
        from zhaoshang_cli.storage.postgres import ids

        with psycopg.connect(self.db) as conn:
            if conn.execute("SELECT to_regclass('zs_counters') IS NOT NULL").fetchone()[0]:
                found = dict(conn.execute("SELECT prefix, next FROM zs_counters").fetchall())
            else:
                found = {kind.prefix: ids.next_free(conn, kind) for kind in KINDS.values()}
        return {prefix: number for prefix, number in found.items() if number > 1}

    def exists(self) -> bool:
        """Has anything been written: the TinyDB store file, or on PostgreSQL a record, a change
        logged or a setting (a refused write may still have drawn numbers: sequences outlive a
        rollback, and are not data)."""
        if not self.on_postgres:
            return self.db.exists()
        for table, rows in self.state():
            if table not in ("zs_meta", "zs_counters", "zs_settings", "zs_regions") and rows:
                return True
        return False

    def file(self) -> dict:
        """The store file (the manifest naming the segments)."""
        return json.loads(self.db.read_text("utf-8"))

    @property
    def segments(self) -> Path:
        return self.db.with_name(self.db.name + ".d") / "segments"

    def segment_files(self, table: str) -> list[Path]:
        return [self.segments / e["file"] for e in self.file().get("segments", {}).values()
                if e["file"].startswith(table + ".")]

    def stored(self, table: str) -> dict:
        """Every stored document of a table by number, as the segment files hold them (on
        PostgreSQL: as its table's doc column holds them)."""
        if self.on_postgres:
            import psycopg

            with psycopg.connect(self.db) as conn:
                rows = conn.execute(f'SELECT number, doc::text FROM "zs_{table}" ORDER BY number').fetchall()
            return {str(n): json.loads(doc) for n, doc in rows}
        docs: dict = {}
        for path in self.segment_files(table):
            docs.update(json.loads(path.read_text("utf-8"))[table])
        return docs

    def _tamper_rows(self, table: str, change, reindex: bool) -> None:
        import psycopg

        from zhaoshang_cli.domain.kind import KINDS
        from zhaoshang_cli.storage.postgres.doctor import _rewrite

        kind = next(k for k in KINDS.values() if k.table == table)
        before = self.stored(table)
        docs = json.loads(json.dumps(before))
        change(docs)
        with psycopg.connect(self.db) as conn:
            for key, doc in before.items():
                if key not in docs:
                    conn.execute(f'DELETE FROM "zs_{table}" WHERE number = %s', [int(key)])
                elif docs[key] != doc:
                    conn.execute(f'UPDATE "zs_{table}" SET doc = %s WHERE number = %s',
                                 [json.dumps(docs[key], ensure_ascii=False), int(key)])
                    if reindex:
                        _rewrite(conn, kind, int(key))

    def tamper(self, table: str, change, *, reindex: bool = True) -> None:
        """Change stored documents behind the program's back: each segment file of ``table``
        rewritten in place (and its index, unless ``reindex`` is False); on PostgreSQL, the
        rows' documents updated (and their column copies, unless ``reindex`` is False)."""
        from zhaoshang_cli.domain.kind import KINDS

        if self.on_postgres:
            return self._tamper_rows(table, change, reindex)
        from zhaoshang_cli.storage.tinydb import digests
        from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend
        from zhaoshang_cli.storage.tinydb.segments import encode

        kind = next(k for k in KINDS.values() if k.table == table)
        backend = TinyDBBackend(self.db)
        log = backend.body_log(self.file()["_meta"]["1"])
        for path in self.segment_files(table):
            data = json.loads(path.read_text("utf-8"))
            change(data[table])
            if reindex:
                payload, index = encode(kind, data[table], name=path.name)
                path.write_bytes(payload)
                path.with_suffix(".idx").write_bytes(index)
                refs = [(int(k), d["_body"]) for k, d in data[table].items() if isinstance(d, dict) and d.get("_body")]
                path.with_suffix(".txt").write_bytes(digests.of_records(kind, data[table], dict(log.read_many(refs)),
                                                                        path.name))
            else:
                path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


# -- the backends ------------------------------------------------------------------------------
# Tests marked `backends` (the behaviour: filters, sorting, reports, imports, lead history)
# run once on each backend; every other test uses the default TinyDB store.
BACKENDS = ("tinydb", "postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends: run the test on every storage backend (TinyDB, PostgreSQL)")
    config.addinivalue_line("markers", "slow: the longest tests (a 50k-row import on PostgreSQL, every command on "
                                       "both backends, a kill sweep); not in the default suite, run by CI beside it "
                                       "(pytest -m slow)")
    config.addinivalue_line("markers", "tinydb: a test of the TinyDB store's own files, in a module marked backends")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    node = metafunc.definition
    if node.get_closest_marker("backends") and not node.get_closest_marker("tinydb") \
            and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "tinydb")


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of the test run's own (tests/pgserver.py); skipped with the reason
    where the server binaries or psycopg are missing."""
    import pgserver

    reason = pgserver.unavailable()
    if reason:
        if os.environ.get("ZHAOSHANG_REQUIRE_POSTGRES") == "1":  # CI: never skip them silently
            pytest.fail(reason)
        pytest.skip(reason)
    server = pgserver.Server().start()
    try:
        server.prepare_template()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """The URL of a new database of the test's own, with the store's tables."""
    server = request.getfixturevalue("pg_server")
    name = server.new_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def db(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Path | str:
    if backend == "postgres":
        return request.getfixturevalue("pg_url")
    (tmp_path / "store").mkdir(exist_ok=True)
    return tmp_path / "store" / "zhaoshang.json"


@pytest.fixture
def cli(db: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("ZHAOSHANG_DB", str(db))
    return Cli(db)


@pytest.fixture
def examples(cli: Cli) -> Cli:
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "policies.json"), str(EXAMPLES / "leads.csv"))
    return cli


@pytest.fixture(autouse=True)
def _no_user_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never touch the real user data or config directory; changes are made by a known user."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("ZHAOSHANG_CONFIG_DIR", raising=False)
    monkeypatch.delenv("ZHAOSHANG_USER", raising=False)
    os.environ.pop("ZHAOSHANG_LOCK_TIMEOUT", None)
    from zhaoshang_cli import i18n

    i18n.forget()  # the language is chosen again from this test's environment


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (ZHAOSHANG_CI=1, set by .ci/run) a skipped test is a failure: CI installs
    everything the tests need (PostgreSQL, Chromium), so a skip there means a test did not run."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("ZHAOSHANG_CI") == "1" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"
