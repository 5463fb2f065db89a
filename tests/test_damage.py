"""The damaged-store matrix: the store file, its records, the body log, the listing index, the
lock, the counters and the side folder, each damaged in a way that happens (a cut file, a
bad byte, a stray directory, a link, JSON that is valid but wrong).

For every case: no command exits 70 or prints a traceback; a command that fails leaves
every file as it was; doctor exits 1 and names the damage whenever any command fails;
after `doctor --fix`, doctor's verdict agrees with whether `export` of every kind works.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, Cli

from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend

READS = [
    ["list", "articles", "--format", "json"], ["list", "leads", "--format", "json"], ["show", "a1"], ["show", "l5"],
    ["filter", "--text", "园区", "--format", "ids"], ["report", "--region", "天津"],
    ["export", "articles"], ["export", "policies"], ["export", "leads"],
]
WRITES = [["add", "article", "--title", "损坏之后的文章", "--region", "武清", "--date", "2025-07-01"],
          ["lead", "note", "l1", "损坏之后的备注"]]


def _doc(cli: Cli) -> dict:
    return json.loads(cli.db.read_text("utf-8"))


def _edit(change: Callable[[dict], None]) -> Callable[[Cli], None]:
    """Damage the store file (the manifest) itself."""
    def apply(cli: Cli) -> None:
        data = _doc(cli)
        change(data)
        cli.db.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    return apply


def _records(table: str, change: Callable[[dict], None]) -> Callable[[Cli], None]:
    """Damage the records of a segment: its file changed, its index left as it was."""
    return lambda cli: cli.tamper(table, change, reindex=False)


def _meta(data: dict) -> dict:
    return data["_meta"]["1"]


def _entry(data: dict, table: str) -> dict:
    return next(e for e in data["segments"].values() if e["file"].startswith(table + "."))


def _side(cli: Cli) -> Path:
    return cli.db.with_name(cli.db.name + ".d")


def _log(cli: Cli) -> Path:
    return _side(cli) / f"bodies.{_meta(_doc(cli))['log']}.log"


def _segment(cli: Cli, table: str, suffix: str = ".json") -> Path:
    return cli.segment_files(table)[0].with_suffix(suffix)


def _rewrite(path_of: Callable[[Cli], Path], change: Callable[[bytes], bytes]) -> Callable[[Cli], None]:
    def apply(cli: Cli) -> None:
        path = path_of(cli)
        path.write_bytes(change(path.read_bytes()))

    return apply


def _garble_first_body(cli: Cli) -> None:
    ref = cli.stored("articles")["1"]["_body"]
    log = _log(cli)
    raw = bytearray(log.read_bytes())
    raw[ref[0] + 5: ref[0] + 9] = b"\xff\xfe\x00\x01"
    log.write_bytes(bytes(raw))


def _swap_index_ids(cli: Cli) -> None:
    """Swap the record numbers of l5 and l6 in their segment's index."""
    from zhaoshang_cli.domain.lead import LEAD
    from zhaoshang_cli.storage.tinydb.index import parse

    path = _segment(cli, "leads", ".idx")
    raw = bytearray(path.read_bytes())
    numbers = parse(bytes(raw), LEAD).arrays["n"]
    blob = numbers.tobytes()
    start = raw.find(blob)
    at5, at6 = numbers.index(5), numbers.index(6)
    numbers[at5], numbers[at6] = 6, 5
    raw[start:start + len(blob)] = numbers.tobytes()
    path.write_bytes(bytes(raw))


def _index_column(table: str, column: str, value: int) -> Callable[[Cli], None]:
    """Set one column of a segment's index to ``value`` in every row (a damaged index)."""
    def damage(cli: Cli) -> None:
        from zhaoshang_cli.domain.kind import KINDS
        from zhaoshang_cli.storage.tinydb.index import parse

        kind = next(k for k in KINDS.values() if k.table == table)
        path = _segment(cli, table, ".idx")
        raw = bytearray(path.read_bytes())
        values = parse(bytes(raw), kind).arrays[column]
        blob = values.tobytes()
        start = raw.find(blob)
        for i in range(len(values)):
            values[i] = value
        raw[start:start + len(blob)] = values.tobytes()
        path.write_bytes(bytes(raw))
    return damage


def _digest_of_other_rows(cli: Cli) -> None:
    """A text digest that reads well but tells of other records: its rows in reverse."""
    from zhaoshang_cli.storage.tinydb.digests import Digest, encode

    path = _segment(cli, ARTICLES, ".txt")
    digest = Digest(path.read_bytes())
    path.write_bytes(encode(digest.row(i) for i in reversed(range(digest.rows))))


def _indexed(damage: Callable[[Cli], None]) -> Callable[[Cli], None]:
    """Damage a store that keeps a text index (``db text-index on``)."""
    def apply(cli: Cli) -> None:
        cli("db", "text-index", "on")
        damage(cli)

    return apply


def _index_without_bits(cli: Cli) -> None:
    """A text index that reads well but has no bit set: searches would skip its segment."""
    from zhaoshang_cli.storage.tinydb.digests import Digest, encode

    path = _segment(cli, ARTICLES, ".txt")
    digest = Digest(path.read_bytes())
    bits, bitmap = digest.index
    path.write_bytes(encode([digest.row(i) for i in range(digest.rows)], digest.stated, (bits, bytes(len(bitmap)))))


def _replace_by_dir(path_of: Callable[[Cli], Path]) -> Callable[[Cli], None]:
    def apply(cli: Cli) -> None:
        path = path_of(cli)
        path.unlink(missing_ok=True)
        path.mkdir()

    return apply


def _replace_by_link(path_of: Callable[[Cli], Path]) -> Callable[[Cli], None]:
    def apply(cli: Cli) -> None:
        path = path_of(cli)
        elsewhere = cli.db.parent.parent / f"elsewhere-{path.name}"
        elsewhere.write_bytes(path.read_bytes() if path.exists() else b"")
        path.unlink(missing_ok=True)
        path.symlink_to(elsewhere)

    return apply


def _write(data: bytes) -> Callable[[Cli], None]:
    return lambda cli: cli.db.write_bytes(data)


def _first_backup(cli: Cli) -> Path:
    return TinyDBBackend(cli.db).backup_paths()[0]


def _move_record(cli: Cli) -> None:
    """A record in a segment that does not hold its number."""
    cli.tamper("articles", lambda docs: docs.update({"5000": docs.pop("7")}), reindex=True)


def _swap_entries(data: dict) -> None:
    """Two entries of the store file name each other's segment file."""
    rows = list(data["segments"].values())
    rows[0]["file"], rows[1]["file"] = rows[1]["file"], rows[0]["file"]


def _lower_counter(cli: Cli) -> None:
    """The ID counter of articles set back, and the file of the highest IDs gone."""
    _edit(lambda d: _meta(d)["next"].update(a=3))(cli)
    (_side(cli) / "counters").unlink()


def _lose_store_and_backups(cli: Cli) -> None:
    """The store file gone before any backup was kept (ZHAOSHANG_BACKUPS=0, or the first write)."""
    shutil.rmtree(_side(cli) / "backups")
    cli.db.unlink()


LEADS, ARTICLES = "leads", "articles"

# (damage, what doctor must say when it fails)
CASES: dict[str, tuple[Callable[[Cli], None], str]] = {
    # the store file (the manifest): valid JSON, damaged inside
    "meta next missing": (_edit(lambda d: _meta(d).pop("next")), "_meta"),
    "meta next not a number": (_edit(lambda d: _meta(d)["next"].update(a="x")), "_meta"),
    "meta log missing": (_edit(lambda d: _meta(d).pop("log")), "_meta"),
    "meta log negative": (_edit(lambda d: _meta(d).update(log=-1)), "_meta"),
    "meta bodies missing": (_edit(lambda d: _meta(d).pop("bodies")), "_meta"),
    "meta of another program": (_edit(lambda d: _meta(d).update(app="wordpress")), "not a zhaoshang store"),
    "schema from the future": (_edit(lambda d: _meta(d).update(schema=99)), "newer zhaoshang"),
    "schema not a number": (_edit(lambda d: _meta(d).update(schema="3")), "schema"),
    "segment list not an object": (_edit(lambda d: d.update(segments=[1, 2])), "segments"),
    "segment entry not an object": (_edit(lambda d: d["segments"].update({"1": "garbage"})), "segment entry"),
    "segment entry leading out of the folder": (_edit(lambda d: _entry(d, LEADS).update(file="../../x.json")),
                                                "segment entry"),
    "segment entry with a wrong count": (_edit(lambda d: _entry(d, ARTICLES).update(count=7)), "holds"),
    "two entries for one segment": (_edit(lambda d: d["segments"].update({"99": dict(_entry(d, LEADS))})),
                                    "two entries"),
    "segment entry naming a missing file": (_edit(lambda d: _entry(d, LEADS).update(
        file="leads.000000.00000000.json")), "missing"),
    "segment entries naming each other's files": (_edit(_swap_entries), "segment entry"),
    "segment entry of an unknown kind": (_edit(lambda d: _entry(d, "policies").update(kind="widget")), "widget"),
    "body log generation set forward": (_edit(lambda d: _meta(d).update(log=2)), "bodies.1.log holds every body"),
    "counter set back, counters file gone": (_lower_counter, "the next ID for articles is 3"),
    "store and backups gone, segments left": (_lose_store_and_backups, "doctor --fix"),
    "change log cut": (_rewrite(lambda c: _side(c) / "changes.jsonl", lambda raw: raw[: len(raw) // 2]),
                       "change log"),
    "change log garbled line": (_rewrite(lambda c: _side(c) / "changes.jsonl", lambda raw: b"{\xff\n" + raw[4:]),
                                "change log"),
    "change log replaced by a directory": (_replace_by_dir(lambda c: _side(c) / "changes.jsonl"), "changes.jsonl"),
    "settings garbled": (lambda cli: (_side(cli) / "config.json").write_bytes(b"{\xff"), "config.json"),
    # a segment's records: valid JSON, damaged inside
    "record is a string": (_records(ARTICLES, lambda d: d.update({"3": "garbage"})), "a3"),
    "record is null": (_records(ARTICLES, lambda d: d.update({"3": None})), "a3"),
    "key not a number": (_records(ARTICLES, lambda d: d.update(abc=d.pop("3"))), "abc"),
    "key with a leading zero": (_records(ARTICLES, lambda d: d.update({"007": d.pop("7")})), "007"),
    "key zero": (_records(ARTICLES, lambda d: d.update({"0": d.pop("7")})), "'0'"),
    "a record in another segment's range": (_move_record, "no numbers of it"),
    "impossible date": (_records(ARTICLES, lambda d: d["2"].update(date="2025-13-45")), "a2"),
    "date as a number": (_records(ARTICLES, lambda d: d["2"].update(date=20250701)), "a2"),
    "region code not digits": (_records(ARTICLES, lambda d: d["2"].update(region_code="abc")), "a2"),
    "region code as a number": (_records(ARTICLES, lambda d: d["2"].update(region_code=120114)), "a2"),
    "amount as text": (_records(LEADS, lambda d: d["2"].update(amount="5000万")), "l2"),
    "amount negative": (_records(LEADS, lambda d: d["2"].update(amount=-5)), "l2"),
    "unknown currency": (_records(LEADS, lambda d: d["2"].update(currency="卢布")), "l2"),
    "amount approx as text": (_records(LEADS, lambda d: d["2"].update(amount_approx="约")), "l2"),
    "amount high as text": (_records(LEADS, lambda d: d["2"].update(amount_high="2亿")), "l2"),
    "tags as text": (_records(ARTICLES, lambda d: d["1"].update(tags="a,b")), "a1"),
    "notes as text": (_records(LEADS, lambda d: d["1"].update(notes="备注")), "l1"),
    "history with an unknown status": (_records(LEADS, lambda d: d["1"].update(history=[{"to": "bogus"}])), "l1"),
    "unknown status": (_records(LEADS, lambda d: d["1"].update(status="bogus")), "l1"),
    "lead without status": (_records(LEADS, lambda d: d["1"].pop("status")), "l1"),
    "body reference as text": (_records(ARTICLES, lambda d: d["1"].update(_body="x")), "a1"),
    "body reference negative": (_records(ARTICLES, lambda d: d["1"].update(_body=[-1, 5])), "a1"),
    "body reference past the log": (_records(ARTICLES, lambda d: d["1"].update(_body=[10**9, 10])), "a1"),
    "extra as a list": (_records(LEADS, lambda d: d["1"].update(extra=[1, 2])), "l1"),
    "timestamp as a number": (_records(LEADS, lambda d: d["1"].update(created_at=5)), "l1"),
    # a segment's files
    "segment cut in half": (_rewrite(lambda c: _segment(c, ARTICLES), lambda raw: raw[: len(raw) // 2]),
                            "cannot be read"),
    "segment of garbage": (_rewrite(lambda c: _segment(c, LEADS), lambda raw: b"\x00\xff garbage"), "cannot be read"),
    "segment missing": (lambda cli: _segment(cli, LEADS).unlink(), "missing"),
    "segment is a directory": (_replace_by_dir(lambda c: _segment(c, LEADS)), "regular file"),
    "segment is a link": (_replace_by_link(lambda c: _segment(c, LEADS)), "link"),
    "segment index missing": (lambda cli: _segment(cli, ARTICLES, ".idx").unlink(), "missing"),
    "segment index cut short": (_rewrite(lambda c: _segment(c, ARTICLES, ".idx"), lambda raw: raw[:99]), "index"),
    "segment index of garbage": (_rewrite(lambda c: _segment(c, LEADS, ".idx"), lambda raw: b"\x00" * 64),
                                 "index"),
    "segment index with two ids swapped": (_swap_index_ids, "index"),
    "segment index with bodies longer than the log": (_index_column(ARTICLES, "body_len", 1 << 40), "index"),
    "segment index with records past the file's end": (_index_column(ARTICLES, "end", 1 << 40), "index"),
    "segment index of another segment": (lambda cli: _segment(cli, LEADS, ".idx").write_bytes(
        _segment(cli, ARTICLES, ".idx").read_bytes()), "index"),
    "text digest missing": (lambda cli: _segment(cli, ARTICLES, ".txt").unlink(), "no text digest"),
    "text digest cut short": (_rewrite(lambda c: _segment(c, ARTICLES, ".txt"), lambda raw: raw[:120]), "text digest"),
    "text digest of garbage": (_rewrite(lambda c: _segment(c, LEADS, ".txt"), lambda raw: b"\x00" * 64), "text digest"),
    "text digest of another segment": (lambda cli: _segment(cli, LEADS, ".txt").write_bytes(
        _segment(cli, ARTICLES, ".txt").read_bytes()), "text digest"),
    "text digest of other records": (_digest_of_other_rows, "text digest"),
    "text index with no bit set": (_indexed(_index_without_bits), "text digest"),
    "text index cut short": (_indexed(_rewrite(lambda c: _segment(c, ARTICLES, ".txt"), lambda raw: raw[:-100])),
                             "text digest"),
    "text index of an impossible size": (_indexed(_rewrite(lambda c: _segment(c, ARTICLES, ".txt"), lambda raw: re.sub(
        rb'"index_bits":\d+', b'"index_bits":99', raw, count=1))), "text digest"),
    "store names a text index its digest lacks": (_indexed(_edit(lambda d: _entry(d, ARTICLES).update(
        text_index=_entry(d, ARTICLES)["text_index"] + 1))), "text digest"),
    "text digest is a link": (_replace_by_link(lambda c: _segment(c, ARTICLES, ".txt")), "link"),
    "segment file nothing refers to": (lambda cli: (cli.segments / "articles.000003.0badf00d.json").write_bytes(
        b"half a segment"), "no version of the store names"),
    # the store file: not usable JSON at all
    "store cut in half": (lambda cli: cli.db.write_bytes(cli.db.read_bytes()[: cli.db.stat().st_size // 2]),
                          "restore"),
    "store of 0 bytes beside backups": (_write(b""), "restore"),
    "store of white space beside backups": (_write(b"  \n\t "), "restore"),
    "store of {} beside backups": (_write(b"{}"), "restore"),
    "store missing beside backups": (lambda cli: cli.db.unlink(), "restore"),
    "store is a directory": (lambda cli: (cli.db.unlink(), cli.db.mkdir()), "directory"),
    "store is binary garbage": (_write(b"\x00\xff\x13garbage"), "restore"),
    # the body log
    "body log cut in half": (_rewrite(_log, lambda raw: raw[: len(raw) // 2]), "body"),
    "body log garbled": (_garble_first_body, "a1"),
    "body log missing": (lambda cli: _log(cli).unlink(), "missing"),
    "body log is a directory": (_replace_by_dir(_log), "regular file"),
    "body log is a link": (_replace_by_link(_log), "link"),
    "body log with a tail nobody refers to": (_rewrite(_log, lambda raw: raw + b'"half a bo'), "bytes"),
    # the lock, the counters, the side folder, backups
    "lock is a directory": (_replace_by_dir(lambda c: _side(c) / "lock"), "lock"),
    "lock is a link": (_replace_by_link(lambda c: _side(c) / "lock"), "lock"),
    "counters of garbage": (lambda cli: (_side(cli) / "counters").write_bytes(b"\xff garbage"), "counters"),
    "counters is a directory": (_replace_by_dir(lambda c: _side(c) / "counters"), "counters"),
    "side folder writable by all": (lambda cli: os.chmod(_side(cli), 0o777), "writable"),
    "segments folder writable by all": (lambda cli: os.chmod(cli.segments, 0o777), "writable"),
    "side folder is a link": (lambda cli: (shutil.move(_side(cli), cli.db.parent.parent / "moved.d"),
                                          _side(cli).symlink_to(cli.db.parent.parent / "moved.d")), "link"),
    "backups folder is a file": (lambda cli: (shutil.rmtree(_side(cli) / "backups"),
                                             (_side(cli) / "backups").write_text("x")), "backups"),
    "a backup cut short": (lambda cli: _first_backup(cli).write_bytes(_first_backup(cli).read_bytes()[:50]),
                           "backup"),
    "temp files of killed writes": (lambda cli: ((_side(cli) / ".counters.x1.tmp").write_bytes(b"half"),
                                                (cli.db.parent / ".zhaoshang.json.x2.tmp").write_bytes(b"half")),
                                    "temporary"),
}


def copy_store(pristine: Path, folder: Path) -> Cli:
    shutil.copytree(pristine, folder, symlinks=True)
    return Cli(folder / "zhaoshang.json")


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (links and directories by what they are) and its content."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.name == "lock":
            continue  # readers may create an empty lock file
        if path.is_symlink():
            found[name] = "link → " + os.readlink(path)
        elif path.is_dir():
            found[name] = "dir"
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pristine") / "store"
    cli = Cli(folder / "zhaoshang.json")
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "policies.json"), str(EXAMPLES / "leads.csv"))
    cli("lead", "status", "l1", "contacted", "--note", "电话沟通")
    cli("edit", "a2", "--body", "改过的正文，说明武清开发区的园区配套。")
    cli("add", "article", "--title", "备份之后的文章", "--region", "武清", "--date", "2025-07-09", "--body", "正文")
    return folder


def test_the_matrix_has_enough_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_damage(pristine, tmp_path, case):
    damage, says = CASES[case]
    folder = tmp_path / "store"
    cli = copy_store(pristine, folder)
    damage(cli)
    verdict = cli("doctor", ok=False)
    assert verdict.exit_code in (0, 1), verdict.stderr
    report = (verdict.stdout + verdict.stderr).replace("\n", "").replace(str(tmp_path), "…")  # (names the case)
    failed = []
    for args in READS + WRITES:
        before = tree(tmp_path)
        result = cli(*args, ok=False)
        assert result.exit_code in (0, 1), f"{args}: exit {result.exit_code}: {result.stderr}"
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        if result.exit_code:
            failed.append(args)
            assert result.stderr.count("error:") == 1, result.stderr
            assert tree(tmp_path) == before, f"{args} failed but changed files"
    if failed:
        assert verdict.exit_code == 1, f"{failed[0]} failed, but doctor said:\n{report}"
        assert says in report, report

    shutil.rmtree(folder)  # again from the damaged state: repair it
    cli = copy_store(pristine, folder)
    damage(cli)
    fixed = cli("doctor", "--fix", ok=False)
    assert fixed.exit_code in (0, 1), fixed.stderr
    assert "Traceback" not in fixed.stderr and "internal error" not in fixed.stderr, fixed.stderr
    after = cli("doctor", ok=False)
    exports = [cli("export", kind, ok=False).exit_code for kind in ("articles", "policies", "leads")]
    assert (after.exit_code == 0) == (exports == [0, 0, 0]), f"doctor: {after.stdout}{after.stderr}; exports {exports}"


def intact(pristine: Path, damaged: Path) -> dict[str, dict]:
    """The records the damage left whole in the files, as the pristine store shows them: a
    record whose document reads the same from its segment file, and whose body's bytes are
    the same in its body log.  Whatever the store file says: its records must come back."""
    from zhaoshang_cli.domain.kind import KINDS, to_public

    def table(path: Path, name: str) -> dict:
        try:
            return json.loads(path.read_bytes())[name]
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def log(folder: Path) -> bytes:
        try:
            return (folder / "zhaoshang.json.d" / "bodies.1.log").read_bytes()
        except OSError:
            return b""

    data = json.loads((pristine / "zhaoshang.json").read_text("utf-8"))
    before, after = log(pristine), log(damaged)
    kinds = {k.table: k for k in KINDS.values()}
    found = {}
    for row in data["segments"].values():
        kind = kinds[row["file"].split(".")[0]]
        docs = table(pristine / "zhaoshang.json.d" / "segments" / row["file"], kind.table)
        now = table(damaged / "zhaoshang.json.d" / "segments" / row["file"], kind.table)
        for key, doc in docs.items():
            start, length = doc.get("_body") or (0, 0)
            if now.get(key) == doc and after[start:start + length] == before[start:start + length]:
                body = json.loads(before[start:start + length]) if length else None
                found[f"{kind.prefix}{key}"] = to_public(kind, int(key), doc, body)
    return found


def held(db: Path, ids) -> dict[str, dict | None]:
    """Each record as the store gives it now (None: it cannot)."""
    from zhaoshang_cli.errors import StoreError, UserError
    from zhaoshang_cli.service.records import get

    store = TinyDBBackend(db)
    found = {}
    for rid in ids:
        try:
            found[rid] = get(store, rid)
        except (StoreError, UserError):
            found[rid] = None
    return found


@pytest.mark.parametrize("case", CASES)
def test_doctor_fix_loses_nothing_that_was_intact(pristine, tmp_path, case):
    cli = copy_store(pristine, tmp_path / "store")
    CASES[case][0](cli)
    whole = intact(pristine, tmp_path / "store")
    before = tree(tmp_path / "store")
    fixed = cli("doctor", "--fix", ok=False)
    if fixed.exit_code == 1 and "error:" in fixed.stderr:
        assert fixed.stderr.count("error:") == 1  # refused (not ours, too new…): untouched, nothing lost either
        assert tree(tmp_path / "store") == before
        return
    assert held(cli.db, whole) == whole


@pytest.mark.parametrize("case", CASES)
def test_restore_never_says_restored_over_a_broken_store(pristine, tmp_path, case):
    cli = copy_store(pristine, tmp_path / "store")
    CASES[case][0](cli)
    result = cli("restore", "--yes", ok=False)
    assert result.exit_code in (0, 1) and "Traceback" not in result.stderr, result.stderr
    if result.exit_code == 0:
        after = cli("doctor", ok=False)
        assert after.exit_code == 0, f"restored, but doctor says:\n{after.stdout}"
    else:
        assert result.stderr.count("error:") == 1 and "restored" not in result.stderr, result.stderr


@pytest.mark.parametrize("case", ["text digest missing", "text digest cut short", "text digest of garbage",
                                  "text index cut short", "text index of an impossible size",
                                  "text digest of another segment", "text digest is a link"])
def test_a_digest_that_cannot_be_used_leaves_text_searches_right(pristine, tmp_path, case):
    """Any digest that is unusable (as opposed to one that reads well but lies, which only
    doctor finds) costs speed, never answers: the segment is searched record by record."""
    cli = copy_store(pristine, tmp_path / "store")
    needles = ["园区", "武清", "天津", "wuqing", "正文", "电话沟通", "园区配套"]
    before = {n: cli("filter", "--text", n, "--format", "ids").stdout for n in needles}
    CASES[case][0](cli)
    assert {n: cli("filter", "--text", n, "--format", "ids").stdout for n in needles} == before
    assert any(before.values())
