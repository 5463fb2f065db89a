"""-o FILE: written atomically, never into the store, never over a device, FIFO or directory."""

import os
import socket
import stat
from pathlib import Path

import pytest


def _tree(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every entry under ``root``: its mode and, for files, its bytes (what 'unchanged' means)."""
    found = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        found[str(path.relative_to(root))] = (st.st_mode, path.read_bytes() if stat.S_ISREG(st.st_mode) else None)
    return found


@pytest.fixture
def stocked(examples):
    examples("lead", "note", "l1", "a second write, so that a backup exists")
    assert list((examples.db.parent / "zhaoshang.json.d" / "backups").iterdir())
    return examples


def _refused(cli, target: str, command: tuple[str, ...]) -> str:
    before = _tree(cli.db.parent)
    result = cli(*command, "-o", target, ok=False)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: --output: ")
    assert "Traceback" not in result.stderr
    assert _tree(cli.db.parent) == before  # the store, its bodies, index and backups as they were
    assert cli("list", "leads", "--format", "count").stdout == "18\n"
    return result.stderr


@pytest.mark.parametrize("command", [("export", "leads"), ("export", "articles", "--format", "csv"),
                                     ("export", "policies", "--format", "xlsx"), ("report", "--format", "json")])
def test_output_refuses_the_store_file(stocked, command):
    err = _refused(stocked, str(stocked.db), command)
    assert "it is the store" in err and str(stocked.db) in err


def _side_paths(cli, tmp_path: Path) -> list[str]:
    store, side = cli.db, cli.db.parent / "zhaoshang.json.d"
    backup = next((side / "backups").iterdir())
    log = next(side.glob("bodies.*.log"))
    (tmp_path / "to-side").symlink_to(side)
    (tmp_path / "to-store").symlink_to(store)
    return [
        str(log),                                                        # the bodies
        str(side / "index"),
        str(backup),                                                     # a backup
        str(side / "backups" / "new.jsonl"),                             # a new file in there
        str(side),                                                       # the directory itself
        f"{store.parent}/../{store.parent.name}/zhaoshang.json.d/{log.name}",  # a '..' spelling
        str(tmp_path / "to-side" / log.name),                            # through a symlinked directory
        str(tmp_path / "to-side" / "new.csv"),
        str(tmp_path / "to-store"),                                      # a symlink to the store
    ]


def test_output_refuses_anything_in_the_store_directory_however_spelled(stocked, tmp_path):
    for target in _side_paths(stocked, tmp_path):
        for command in (("export", "leads"), ("report", "--format", "markdown")):
            err = _refused(stocked, target, command)
            assert target in err and ("store's directory" in err or "it is the store" in err), err


def test_output_refuses_a_relative_spelling_from_inside_the_store_directory(stocked, monkeypatch):
    side = stocked.db.parent / "zhaoshang.json.d"
    monkeypatch.chdir(side / "backups")
    err = _refused(stocked, "../" + next(side.glob("bodies.*.log")).name, ("export", "articles"))
    assert "store's directory" in err
    err = _refused(stocked, "../../zhaoshang.json", ("export", "articles"))
    assert "it is the store" in err


def _special_files(tmp_path: Path) -> list[tuple[Path, str]]:
    made = [(tmp_path / "a-directory", "a directory")]
    made[0][0].mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "a-fifo")
        made.append((tmp_path / "a-fifo", "a FIFO (named pipe)"))
    try:  # a socket path must be short
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(tmp_path / "s"))
        sock.close()
        made.append((tmp_path / "s", "a socket"))
    except (OSError, AttributeError):
        pass
    if os.geteuid() == 0:  # a node like /dev/null, made where breaking it harms nothing
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        made.append((tmp_path / "null", "a character device"))
    else:  # only root could replace the real one, so the real one is safe to try
        made.append((Path("/dev/null"), "a character device"))
    return made


@pytest.mark.parametrize("command", [("export", "leads"), ("export", "leads", "--format", "xlsx"), ("report",)])
def test_output_refuses_an_existing_path_that_is_not_a_regular_file(examples, tmp_path, command):
    special = _special_files(tmp_path)
    assert any(what.startswith("a FIFO") for _, what in special) or not hasattr(os, "mkfifo")
    for path, what in special:
        mode = path.lstat().st_mode
        result = examples(*command, "-o", str(path), ok=False)
        assert result.exit_code == 1 and result.stderr.count("\n") == 1
        assert f"'{path}': it is {what}, not a regular file" in result.stderr
        assert path.lstat().st_mode == mode  # still the same kind of thing
        link = tmp_path / f"link-to-{path.name}"
        link.symlink_to(path)
        assert examples(*command, "-o", str(link), ok=False).exit_code == 1
        assert path.lstat().st_mode == mode and link.is_symlink()
        link.unlink()


def test_output_replaces_an_existing_file_whole_and_atomically(examples, tmp_path):
    out = tmp_path / "leads.jsonl"
    out.write_text("old line\n" * 50_000, "utf-8")  # longer than the export: nothing of it may remain
    examples("export", "leads", "-o", str(out))
    assert out.read_text("utf-8") == examples("export", "leads").stdout
    assert out.stat().st_mode & 0o777 == 0o600  # personal data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left behind
    report = tmp_path / "report.md"
    report.write_text("old report\n" * 1000, "utf-8")
    examples("report", "--format", "markdown", "-o", str(report))
    assert report.read_text("utf-8") == examples("report", "--format", "markdown").stdout
    assert report.stat().st_mode & 0o777 == 0o644


def test_a_failed_command_leaves_the_output_file_as_it_was(examples, tmp_path):
    out = tmp_path / "kept.csv"
    out.write_text("kept\n", "utf-8")
    result = examples("export", "leads", "--region", "火星", "-o", str(out), ok=False)
    assert result.exit_code == 1 and out.read_text("utf-8") == "kept\n"


def test_output_through_a_symlink_replaces_the_file_it_points_to(examples, tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old\n", "utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    examples("report", "--format", "markdown", "-o", str(link))
    assert link.is_symlink() and real.read_text("utf-8").startswith("## 招商报告")


def test_output_into_a_missing_directory_names_it(examples, tmp_path):
    result = examples("export", "articles", "-o", str(tmp_path / "nowhere" / "a.jsonl"), ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert f"no directory {tmp_path / 'nowhere'}" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_output_into_a_read_only_directory_names_the_path(examples, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root writes anywhere: the directory refuses it the way it would refuse a user
        import errno

        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(locked / "x.tmp"))

        monkeypatch.setattr("tempfile.mkstemp", refuse)
    try:
        result = examples("report", "-o", str(locked / "r.txt"), ok=False)
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert f"cannot write '{locked / 'r.txt'}': Permission denied" in result.stderr
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("encoding,line_buffering", [("utf-8", False), ("UTF8", False), ("gb18030", False),
                                                     ("utf-8", True)])
def test_json_lines_come_out_as_the_text_stream_would_write_them(encoding, line_buffering):
    """JSON Lines go to the bytes under a UTF-8 stream a megabyte at a time, and through the
    text stream otherwise (another encoding, or a terminal's line buffering): the same text
    either way, escapes of terminal controls included."""
    import io

    from zhaoshang_cli.io.exporters import jsonl
    from zhaoshang_cli.io.exporters.json_ import dumps

    records = [{"id": f"a{i}", "title": f"武清招商{i}", "body": "段落\u3000一\u202e二\x85" * 200} for i in range(3000)]
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, newline="", line_buffering=line_buffering)
    jsonl.write(iter(records), out)
    out.flush()
    assert raw.getvalue() == "".join(dumps(r, indent=False) + "\n" for r in records).encode(encoding)
    assert b"\\u202e" in raw.getvalue() and "\u202e".encode("utf-8") not in raw.getvalue()
