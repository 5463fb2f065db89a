"""The store loses nothing: parallel writers, SIGKILL mid-import, corrupt files, lock waits.

The crash test runs 20 trials on a 2,000-record import here; ZHAOSHANG_HEAVY_TESTS=1
runs it on 20,000 records as the issue describes.
"""

import json
import os
import random
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Cli

from zhaoshang_cli.domain.article import ARTICLE as ARTICLE_KIND
from zhaoshang_cli.storage.base import Filters, Query
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend

HEAVY = os.environ.get("ZHAOSHANG_HEAVY_TESTS") == "1"


def batch(path: Path, start: int, stop: int, body: int = 40) -> Path:
    path.write_text("".join(json.dumps(
        {"title": f"滨海新区重点项目第{i}号", "region": "滨海新区", "date": f"2025-07-{i % 28 + 1:02d}",
         "url": f"https://example.org/p/{i}.html", "body": f"第{i}号项目正文。" * body},
        ensure_ascii=False) + "\n" for i in range(start, stop)), "utf-8")
    return path


def zhaoshang(db: Path, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "ZHAOSHANG_DB": str(db), "ZHAOSHANG_LOCK_TIMEOUT": "60"}
    return subprocess.Popen([sys.executable, "-m", "zhaoshang_cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)


def test_two_concurrent_imports_store_every_record_once(tmp_path, db):
    a = batch(tmp_path / "a.jsonl", 0, 500)
    b = batch(tmp_path / "b.jsonl", 250, 750)  # half of it is in a too
    procs = [zhaoshang(db, "import", str(a)), zhaoshang(db, "import", str(b))]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    urls = [doc["url"] for doc in Cli(db).stored("articles").values()]
    assert len(urls) == 750 and len(set(urls)) == 750
    assert not [f for f in TinyDBBackend(db).doctor() if f.level == "error"]


def _state(db: Path) -> tuple[int, int]:
    """(articles stored, articles the listing indexes count); every body must be readable."""
    with TinyDBBackend(db).reading() as reader:
        records = list(reader.select(Query((ARTICLE_KIND,), Filters(), with_body=True)))
        indexed = reader.count(Query((ARTICLE_KIND,), Filters(), fields=frozenset()))
    assert all(r.body for r in records)
    return len(records), indexed


@pytest.mark.slow  # a sweep of kills: run by CI beside the default suite
def test_sigkill_at_random_moments_leaves_before_or_after(tmp_path):
    rows = 20_000 if HEAVY else 2_000
    data = batch(tmp_path / "big.jsonl", 0, rows)
    seed_db = tmp_path / "seed" / "zhaoshang.json"
    seed = Cli(seed_db)
    seed("add", "article", "--title", "已有文章", "--region", "武清", "--date", "2025-07-01", "--body", "正文")
    timing_db = tmp_path / "timing" / "zhaoshang.json"
    start = time.perf_counter()
    proc = zhaoshang(timing_db, "import", str(data))
    proc.communicate(timeout=300)
    duration = time.perf_counter() - start
    rng = random.Random(20250717)
    outcomes = set()
    for trial in range(20):
        db = tmp_path / f"t{trial}" / "zhaoshang.json"
        db.parent.mkdir()
        subprocess.run(["cp", "-a", str(seed_db), str(seed_db) + ".d", str(db.parent)], check=True)
        proc = zhaoshang(db, "import", str(data))
        time.sleep(rng.uniform(0.05, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored, indexed = _state(db)
        assert stored in (1, rows + 1), f"trial {trial}: {stored} records"
        assert indexed == stored
        assert not [f for f in TinyDBBackend(db).doctor() if f.level == "error"], trial
        outcomes.add(stored)
        Cli(db)("add", "article", "--title", "之后的文章", "--region", "武清", "--date", "2025-07-02")
        assert not [p for p in db.parent.iterdir() if p.name.endswith(".tmp")]  # the next write cleans up
        again = Cli(db)("import", str(data))
        assert Cli(db)("list", "articles", "--format", "count").stdout.strip() == str(rows + 2), again.stderr
    assert outcomes <= {1, rows + 1}


CORRUPT = {
    "truncated": lambda good: good[: len(good) // 2],
    "not json": lambda good: b"\x00\x01 this is not json",
    "foreign json": lambda good: b'{"_default": {"1": {"name": "another program"}}}',
    "newer schema": lambda good: re.sub(rb'"schema":\d+', b'"schema":99', good),
}


@pytest.mark.parametrize("damage", CORRUPT)
def test_a_damaged_store_is_refused_untouched_and_can_be_restored(cli, damage):
    cli("add", "article", "--title", "第一篇", "--region", "武清", "--date", "2025-07-01")
    cli("add", "article", "--title", "第二篇", "--region", "武清", "--date", "2025-07-02")
    bad = CORRUPT[damage](cli.db.read_bytes())
    cli.db.write_bytes(bad)
    for args in (("list", "articles"), ("add", "article", "--title", "x", "--region", "武清", "--date", "today"),
                 ("show", "a1"), ("report",)):
        result = cli(*args, ok=False)
        assert result.exit_code == 1, args
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert cli.db.read_bytes() == bad
    checked = cli("doctor", ok=False)
    assert checked.exit_code == 1 and "zhaoshang restore" in checked.stdout
    if damage == "newer schema":
        assert "upgrade" in checked.stdout
    cli("restore", "--yes")
    assert [a["title"] for a in cli.json("list", "articles", "--sort", "id")] == ["第一篇"]
    if damage != "newer schema":
        assert list(cli.db.parent.glob("zhaoshang.json.unreadable-*"))  # the damaged file is kept aside


def test_doctor_on_a_healthy_store_and_fix(examples):
    result = examples("doctor")
    assert "valid store" in result.stdout and "0 error(s)" in result.stderr
    (examples.db.parent / ".zhaoshang.json.abc123.tmp").write_bytes(b"partial")
    (examples.segments / "articles.000009.0badf00d.json").write_bytes(b"half a segment")  # a killed write's
    index = next(examples.segments.glob("leads.*.idx"))
    index.write_bytes(index.read_bytes()[:-8])
    said = examples("doctor", ok=False).stdout.replace("\n", "")
    assert "temporary file" in said and "no version of the store names" in said and "index" in said
    examples("doctor", "--fix")
    assert not list(examples.db.parent.glob("*.tmp")) and not list(examples.segments.glob("articles.000009.*"))
    assert "0 error(s), 0 warning(s)" in examples("doctor").stderr


def test_backups_are_kept_configurably_and_listed(cli):
    for i in range(4):
        cli("--backups", "2", "add", "article", "--title", f"文章{i}", "--region", "武清", "--date", "2025-07-01")
    listing = cli("restore", "--list").stdout
    assert listing.count("zhaoshang.json.") == 2
    cli("restore", "--yes")
    assert cli("list", "articles", "--format", "count").stdout.strip() == "3"


def test_store_and_backups_are_private(cli):
    for i in range(2):
        cli("add", "lead", "--company", f"公司{i}", "--phone", f"1380000000{i}")
    store = TinyDBBackend(cli.db)
    for path in [cli.db, *store.segments_dir.iterdir(), *store.backup_paths()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_writer_that_cannot_get_the_lock_fails_clearly(cli):
    cli("add", "article", "--title", "第一篇", "--region", "武清", "--date", "2025-07-01")
    store = TinyDBBackend(cli.db)
    with store.lock.exclusive():
        start = time.perf_counter()
        result = cli("--lock-timeout", "0.3", "add", "article", "--title", "第二篇", "--region", "武清",
                     "--date", "2025-07-02", ok=False)
        assert time.perf_counter() - start < 5
    assert result.exit_code == 1 and "lock" in result.stderr and "--lock-timeout" in result.stderr
    assert cli("list", "articles", "--format", "count").stdout.strip() == "1"


def test_doctor_fix_compacts_the_body_log_and_backups_still_restore(cli):
    big = "正文" * 200_000  # 1.2 MB each time
    cli("add", "article", "--title", "反复修改的文章", "--region", "武清", "--date", "2025-07-01", "--body", big)
    for i in range(3):
        cli("edit", "a1", "--body", big + str(i))
    log = lambda generation: cli.db.with_name("zhaoshang.json.d") / f"bodies.{generation}.log"  # noqa: E731
    old_log = log(1)
    assert "--fix drops edited" in cli("doctor").stdout
    cli("doctor", "--fix")
    new_log = log(2)
    assert new_log.stat().st_size < old_log.stat().st_size / 3
    assert cli.json("show", "a1")["body"] == big + "2"
    assert old_log.exists()  # backups still read from it
    cli("restore", "--yes")
    assert cli.json("show", "a1")["body"] == big + "2"
    # the restored version reads generation 1; generation 2 is only in the backup taken before
    assert log(2).exists()
    for i in range(6):  # …until that backup is pruned
        cli("add", "article", "--title", f"后来的文章{i}", "--region", "武清", "--date", "2025-07-02")
    assert not log(2).exists()
    assert cli.json("show", "a1")["body"] == big + "2"
