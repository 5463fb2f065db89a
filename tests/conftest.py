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
_built: "weakref.WeakKeyDictionary[typer.Typer, object]" = weakref.WeakKeyDictionary()


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
    """Runs `zhaoshang` in-process against one store, the way a user types it."""

    def __init__(self, db: Path, typer_app: typer.Typer | None = None):
        self.db = db
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
        """Every stored document of a table by number, as the segment files hold them."""
        docs: dict = {}
        for path in self.segment_files(table):
            docs.update(json.loads(path.read_text("utf-8"))[table])
        return docs

    def tamper(self, table: str, change, *, reindex: bool = True) -> None:
        """Change stored documents behind the program's back: each segment file of ``table``
        rewritten in place (and its index, unless ``reindex`` is False)."""
        from zhaoshang_cli.domain.kind import KINDS
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
                payload, index = encode(kind, data[table])
                path.write_bytes(payload)
                path.with_suffix(".idx").write_bytes(index)
                refs = [(int(k), d["_body"]) for k, d in data[table].items() if isinstance(d, dict) and d.get("_body")]
                path.with_suffix(".txt").write_bytes(digests.of_records(kind, data[table], dict(log.read_many(refs))))
            else:
                path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


@pytest.fixture
def db(tmp_path: Path) -> Path:
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
    """Never touch the real user data directory."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    os.environ.pop("ZHAOSHANG_LOCK_TIMEOUT", None)
