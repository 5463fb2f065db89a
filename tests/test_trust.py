"""What the store trusts: the path it is given (links resolved once), its side folder (ours,
private, no links), a full disk and a read-only mount."""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, Cli

from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend

IS_ROOT = os.geteuid() == 0


def folder_state(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` and its size: what a failed command must leave as it was."""
    return {str(p.relative_to(folder)): p.lstat().st_size for p in sorted(folder.rglob("*")) if not p.is_dir()}


def test_a_store_reached_through_a_link_lives_beside_its_target(tmp_path):
    real = tmp_path / "data" / "zhaoshang.json"
    real.parent.mkdir()
    link = tmp_path / "home" / "store.json"
    link.parent.mkdir()
    Cli(real)("add", "article", "--title", "第一篇", "--region", "武清", "--date", "2025-07-01", "--body", "正文一")
    link.symlink_to(real)
    cli = Cli(link)
    cli("add", "article", "--title", "第二篇", "--region", "武清", "--date", "2025-07-02", "--body", "正文二")
    cli("edit", "a1", "--body", "改过的正文")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert not (link.parent / "store.json.d").exists()
    assert cli.json("show", "a1")["body"] == "改过的正文" and cli.json("show", "a2")["body"] == "正文二"
    assert cli("doctor").exit_code == 0


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("alias ll='ls -l'\n")
    return victim


@pytest.mark.skipif(not IS_ROOT, reason="making a folder owned by another user needs root")
def test_a_side_folder_planted_by_another_user_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o1777)
    victim = _victim(tmp_path)
    side = shared / "zhaoshang.json.d"
    side.mkdir(mode=0o777)
    (side / "bodies.1.log").symlink_to(victim)
    os.lchown(side / "bodies.1.log", 65534, 65534)
    os.chown(side, 65534, 65534)
    cli = Cli(shared / "zhaoshang.json")
    result = cli("import", str(EXAMPLES / "articles.jsonl"), ok=False)
    assert result.exit_code == 1 and "belongs to another user" in result.stderr, result.stderr
    assert victim.read_text() == "alias ll='ls -l'\n" and not cli.db.exists()
    checked = cli("doctor", ok=False)
    assert checked.exit_code == 1 and "another user" in checked.stdout


def test_a_link_in_the_side_folder_is_never_followed(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("add", "article", "--title", "第一篇", "--region", "武清", "--date", "2025-07-01")
    victim = _victim(tmp_path)
    log = cli.db.with_name("zhaoshang.json.d") / "bodies.1.log"
    log.unlink(missing_ok=True)
    log.symlink_to(victim)
    before = folder_state(cli.db.parent)
    result = cli("import", str(EXAMPLES / "articles.jsonl"), ok=False)
    assert result.exit_code == 1 and "symbolic link" in result.stderr, result.stderr
    assert victim.read_text() == "alias ll='ls -l'\n" and folder_state(cli.db.parent) == before
    checked = cli("doctor", ok=False)
    assert checked.exit_code == 1 and "symbolic link" in checked.stdout
    fixed = cli("doctor", "--fix")  # the link is kept aside, never followed nor taken for the log
    assert f"kept {log} aside as" in fixed.stdout and not log.is_symlink()
    cli("import", str(EXAMPLES / "articles.jsonl"))
    assert victim.read_text() == "alias ll='ls -l'\n"


def test_a_side_folder_others_can_write_is_refused(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("add", "article", "--title", "第一篇", "--region", "武清", "--date", "2025-07-01")
    side = cli.db.with_name("zhaoshang.json.d")
    os.chmod(side, 0o777)
    result = cli("list", "articles", ok=False)
    assert result.exit_code == 1 and "writable by other users" in result.stderr
    assert "chmod 700" in result.stderr


def _import_with_file_size_limit(db: Path, limit: int, batch: Path) -> subprocess.CompletedProcess:
    def limit_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "ZHAOSHANG_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "zhaoshang_cli", "import", str(batch)], env=env,
                          capture_output=True, text=True, preexec_fn=limit_size, timeout=60)


@pytest.mark.parametrize("where", ["body log", "store file"])
def test_a_full_disk_leaves_the_store_and_the_disk_as_they_were(tmp_path, where):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "leads.csv"))
    log = cli.db.with_name("zhaoshang.json.d") / "bodies.1.log"
    batch = tmp_path / "batch.jsonl"
    body = "正文" * (400 if where == "body log" else 2)
    batch.write_text("".join(json.dumps({"title": f"西青区新项目{i}", "region": "西青", "date": "2025-08-01",
                                          "body": body, "summary": "摘要" * 60}, ensure_ascii=False) + "\n"
                             for i in range(60)), "utf-8")
    store_size, log_size = cli.db.stat().st_size, log.stat().st_size
    # the body log may grow by its bodies (or not at all); the store file may not grow
    limit = log_size + 1000 if where == "body log" else max(store_size, log_size + 60 * 20) + 10
    assert limit < store_size + 60 * 300  # the batch's records cannot fit under it
    before = folder_state(cli.db.parent)
    stored = cli.db.read_bytes()
    result = _import_with_file_size_limit(cli.db, limit, batch)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert "nothing was saved" in result.stderr
    assert cli.db.read_bytes() == stored and folder_state(cli.db.parent) == before
    cli("add", "article", "--title", "磁盘清理之后", "--region", "武清", "--date", "2025-08-02", "--body", "正文")
    assert cli("doctor").exit_code == 0


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -rm (user and mount namespaces) for a read-only mount")
def test_reads_work_on_a_read_only_mount_and_writes_say_why_not(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "leads.csv"))
    (cli.db.with_name("zhaoshang.json.d") / "lock").unlink()  # not even a lock file to open
    folder = cli.db.parent
    zhaoshang = f"{sys.executable} -m zhaoshang_cli --db {cli.db}"
    script = (f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} && "
              f"{zhaoshang} list articles --format count && {zhaoshang} show a1 --format json >/dev/null && "
              f"{zhaoshang} report --region 天津 >/dev/null && "
              f"{zhaoshang} add article --title 只读 --region 武清 --date 2025-07-01")
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert result.stdout.splitlines()[0] == "33", result.stderr
    assert result.returncode == 1
    assert result.stderr.count("error:") == 1 and "Read-only file system" in result.stderr, result.stderr
    assert "internal error" not in result.stderr


def test_files_of_the_store_are_private(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("import", str(EXAMPLES / "articles.jsonl"))
    cli("add", "article", "--title", "第二次写", "--region", "武清", "--date", "2025-07-01")
    store = TinyDBBackend(cli.db)
    for path in [cli.db, *store.segments_dir.iterdir(), store.counters_path, *store.backup_paths()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(store.segments_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.side.stat().st_mode) == 0o700


def test_restoring_an_older_version_never_gives_an_id_again(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("import", str(EXAMPLES / "leads.csv"))
    for i in range(3):
        cli("add", "lead", "--company", f"后来的公司{i}", "--phone", f"1380000000{i}")
    assert cli("list", "leads", "--format", "count").stdout.strip() == "21"
    oldest = cli("restore", "--list").stdout.strip().splitlines()[-1].split()[0]
    cli("restore", oldest, "--yes")
    assert cli("list", "leads", "--format", "count").stdout.strip() == "18"
    assert cli("add", "lead", "--company", "恢复之后的公司", "--phone", "13900000000").stdout.strip() == "l22"


def test_backups_are_ordered_by_sequence_not_by_the_clock(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    for i in range(4):
        cli("--backups", "3", "add", "article", "--title", f"文章{i}", "--region", "武清", "--date", "2025-07-01")
        for backup in TinyDBBackend(cli.db).backup_paths():  # the clock set back: every file looks older than the last
            os.utime(backup, (1_000_000_000 - i, 1_000_000_000 - i))
    names = [p.name for p in TinyDBBackend(cli.db).backup_paths()]
    assert names == ["zhaoshang.json.000003.g1", "zhaoshang.json.000002.g1", "zhaoshang.json.000001.g1"]
    cli("--backups", "3", "add", "article", "--title", "文章4", "--region", "武清", "--date", "2025-07-01")
    assert TinyDBBackend(cli.db).backup_paths()[0].name == "zhaoshang.json.000004.g1"
    cli("restore", "--yes")
    assert cli("list", "articles", "--format", "count").stdout.strip() == "4"
