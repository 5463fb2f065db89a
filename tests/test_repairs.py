"""Repairs never destroy, one test per damage a user met (issue 21): each is named by
`doctor`, gets one line from every command that trips over it (never exit 70, never a
wrong answer with exit 0), and loses no data that was intact after `doctor --fix` (and
`restore`, which never says "restored" over a store that is still broken).

More damages, each run through every command, are in test_damage.py."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import EXAMPLES, Cli

from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend

READS = [["list", "articles", "--format", "count"], ["list", "leads", "--format", "json"], ["show", "a2"],
         ["export", "policies"], ["report", "--region", "天津"]]
WRITES = [["add", "lead", "--company", "新来的企业", "--phone", "13700001111"], ["lead", "note", "l2", "一条备注"]]


def everything(cli: Cli) -> dict[str, dict]:
    """Every record with its body, as export gives it."""
    found = {}
    for kind in ("articles", "policies", "leads"):
        for line in cli("export", kind).stdout.splitlines():
            record = json.loads(line)
            found[record["id"]] = record
    return found


def one_line(result) -> bool:
    return (result.exit_code == 1 and result.stderr.count("error:") == 1 and result.stderr.count("\n") == 1
            and "Traceback" not in result.stderr and "internal error" not in result.stderr)


def each_command_answers_or_gives_one_line(cli: Cli, expected: dict[str, dict]) -> None:
    """Every command, run on a copy of the damaged store (the store itself is left for the fix)."""
    trial_folder = cli.db.parent.with_name(cli.db.parent.name + "-trial")
    shutil.rmtree(trial_folder, ignore_errors=True)
    shutil.copytree(cli.db.parent, trial_folder, symlinks=True)
    trial = Cli(trial_folder / cli.db.name)
    for args in READS + WRITES:
        result = trial(*args, ok=False)
        assert result.exit_code == 0 or one_line(result), (args, result.exit_code, result.stderr)
        if result.exit_code == 0 and args[-1] == "count":
            assert int(result.stdout) == sum(k.startswith("a") for k in expected), "a wrong answer with exit 0"


def side(cli: Cli) -> Path:
    return cli.db.with_name(cli.db.name + ".d")


def meta(cli: Cli) -> dict:
    return cli.file()["_meta"]["1"]


def write_meta(cli: Cli, change) -> None:
    data = cli.file()
    change(data)
    cli.db.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


@pytest.fixture
def store(tmp_path) -> Cli:
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "policies.json"), str(EXAMPLES / "leads.csv"))
    cli("lead", "status", "l1", "contacted", "--note", "电话沟通")
    cli("edit", "a2", "--body", "改过的正文，说明武清开发区的园区配套。")
    return cli


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory) -> Path:
    """A store whose articles fill two segments (2,100 of them), pristine: tests copy it."""
    folder = tmp_path_factory.mktemp("two") / "store"
    rows = tmp_path_factory.mktemp("rows") / "a.jsonl"
    rows.write_text("".join(json.dumps({"title": f"静海区项目{i}", "region": "静海", "date": "2025-08-01",
                                        "body": f"第{i}个项目的正文"}, ensure_ascii=False) + "\n"
                            for i in range(2100)), "utf-8")
    cli = Cli(folder / "zhaoshang.json")
    cli("import", str(rows))
    cli("edit", "a5", "--title", "改过的第五篇")
    return folder


def copied(pristine: Path, tmp_path: Path) -> Cli:
    shutil.copytree(pristine, tmp_path / "store")
    return Cli(tmp_path / "store" / "zhaoshang.json")


# 1 -------------------------------------------------------------------------------------------
def test_a_store_naming_the_wrong_body_log_is_pointed_back_at_the_one_holding_its_bodies(store):
    before = everything(store)
    write_meta(store, lambda d: d["_meta"]["1"].update(log=2))
    said = store("doctor", ok=False)
    assert said.exit_code == 1
    assert "bodies.2.log is missing, but bodies.1.log holds every body the store refers to" in said.stdout
    each_command_answers_or_gives_one_line(store, before)
    for i in range(7):  # more writes than backups are kept: none may rotate bodies.1.log away
        result = store("add", "lead", "--company", f"企业{i}", "--phone", f"1370000{i:04d}", ok=False)
        assert one_line(result) and "bodies.2.log" in result.stderr
    assert (side(store) / "bodies.1.log").stat().st_size > 0
    fixed = store("doctor", "--fix")
    assert "reads its bodies from bodies.1.log" in fixed.stdout and "dropped" not in fixed.stdout
    assert everything(store) == before
    assert "0 error(s)" in store("doctor").stderr


# 2 -------------------------------------------------------------------------------------------
def test_a_deleted_index_is_written_again_and_nothing_else_happens(store):
    before = everything(store)
    index = next(p for p in store.segment_files("articles")).with_suffix(".idx")
    index.unlink()
    said = store("doctor", ok=False)
    assert said.exit_code == 1 and f"{index.name}, is missing" in said.stdout
    each_command_answers_or_gives_one_line(store, before)
    fixed = store("doctor", "--fix")
    assert "dropped" not in fixed.stdout and "compacted" not in fixed.stdout
    assert "wrote the index and text digest of segment articles 0" in fixed.stdout
    assert everything(store) == before


# 3 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("backups", ["0", "5"])
def test_a_store_file_lost_beside_its_segments_is_refused_then_rebuilt(tmp_path, backups):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    env = {"ZHAOSHANG_BACKUPS": backups}
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "leads.csv"), env=env)  # the first write
    before = everything(cli)
    cli.db.unlink()
    files = sorted(p.name for p in cli.segments.iterdir())
    said = cli("doctor", ok=False, env=env)
    assert said.exit_code == 1 and "doctor --fix" in said.stdout and "does not exist yet" not in said.stdout
    for args in WRITES[:1] + READS[:1]:
        result = cli(*args, ok=False, env=env)
        assert one_line(result) and "does not exist" in result.stderr, result.stderr
    assert sorted(p.name for p in cli.segments.iterdir()) == files and not cli.db.exists()
    fixed = cli("doctor", "--fix", env=env)
    assert "rebuilt" in fixed.stdout
    assert everything(cli) == before
    assert cli("add", "lead", "--company", "之后的企业", "--phone", "13700001111", env=env).stdout == "l19\n"


def test_default_folders_are_private_whatever_the_umask(tmp_path):
    cli = Cli(tmp_path / "unused.json")
    old = os.umask(0)
    try:
        result = cli.runner.invoke(cli.app, ["add", "lead", "--company", "企业", "--phone", "13700001111"],
                                   env={"ZHAOSHANG_DB": "", "XDG_DATA_HOME": str(tmp_path / "xdg")})
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    for folder in (tmp_path / "xdg", tmp_path / "xdg" / "zhaoshang-cli", tmp_path / "xdg" / "zhaoshang-cli" /
                   "zhaoshang.json.d"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


# 4 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("what", ["segment", "body log"])
def test_a_file_replaced_by_a_link_to_an_intact_copy_is_copied_back(store, tmp_path, what):
    before = everything(store)
    path = store.segment_files("leads")[0] if what == "segment" else side(store) / f"bodies.{meta(store)['log']}.log"
    copy = tmp_path / f"copy-of-{path.name}"
    shutil.copyfile(path, copy)
    path.unlink()
    path.symlink_to(copy)
    said = store("doctor", ok=False)
    assert said.exit_code == 1 and "link" in said.stdout
    each_command_answers_or_gives_one_line(store, before)
    fixed = store("doctor", "--fix")
    assert "replaced by a copy" in fixed.stdout and not path.is_symlink()
    assert everything(store) == before and copy.exists()


def test_a_link_another_user_planted_is_moved_aside_not_followed(store, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give a link to another user")
    before = everything(store)
    path = store.segment_files("leads")[0]
    kept = path.read_bytes()
    elsewhere = tmp_path / "planted.json"
    elsewhere.write_bytes(kept)
    os.chown(elsewhere, 65534, 65534)
    path.unlink()
    path.symlink_to(elsewhere)
    os.lchown(path, 65534, 65534)
    fixed = store("doctor", "--fix", ok=False)
    assert "kept" in fixed.stdout and "aside" in fixed.stdout
    assert elsewhere.read_bytes() == kept  # never written through
    after = everything(store)  # the leads as a backup holds them: l1 before its move, every other record as it was
    assert after["l1"]["history"] == before["l1"]["history"][:-1] and {k: v for k, v in after.items() if k != "l1"} == \
        {k: v for k, v in before.items() if k != "l1"}


# 5 -------------------------------------------------------------------------------------------
def test_a_folder_the_store_did_not_make_is_never_adopted(tmp_path):
    folder = tmp_path / "app.d"
    folder.mkdir()
    mine = {".draft.tmp": b"half", "bodies.1.log": b"someone's log", "notes.txt": b"hello"}
    for name, data in mine.items():
        (folder / name).write_bytes(data)
    cli = Cli(tmp_path / "app")
    for args in (["list", "articles"], ["add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01"],
                 ["config", "set", "region", "天津"]):
        result = cli(*args, ok=False)
        assert one_line(result), (args, result.stderr)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == mine
    assert not (tmp_path / "app").exists()


# 6 -------------------------------------------------------------------------------------------
def test_two_segment_entries_swapped_in_the_store_file(two_segments, tmp_path):
    cli = copied(two_segments, tmp_path)
    before = everything(cli)

    def swap(data: dict) -> None:
        rows = [r for r in data["segments"].values() if r["kind"] == "article"]
        rows[0]["file"], rows[1]["file"] = rows[1]["file"], rows[0]["file"]

    write_meta(cli, swap)
    said = cli("doctor", ok=False)
    assert said.exit_code == 1 and "says segment 0, but it names" in said.stdout
    each_command_answers_or_gives_one_line(cli, before)
    cli("doctor", "--fix")
    assert everything(cli) == before


def test_two_segment_files_swapped_are_mended_and_never_restored_as_they_are(two_segments, tmp_path):
    cli = copied(two_segments, tmp_path)
    before = everything(cli)
    first, second = cli.segment_files("articles")[:2]
    for suffix in (".json", ".idx", ".txt"):
        a, b = first.with_suffix(suffix), second.with_suffix(suffix)
        data = a.read_bytes()
        a.write_bytes(b.read_bytes())
        b.write_bytes(data)
    said = cli("doctor", ok=False)
    assert said.exit_code == 1
    each_command_answers_or_gives_one_line(cli, before)
    restored = cli("restore", "--yes", ok=False)
    assert one_line(restored) and "intact" in restored.stderr  # every backup shares the swapped files
    assert "restored" not in restored.stdout + restored.stderr
    fixed = cli("doctor", "--fix")
    assert "dropped" not in fixed.stdout
    assert everything(cli) == before
    assert "0 error(s)" in cli("doctor").stderr


# 7 -------------------------------------------------------------------------------------------
def test_an_index_copied_from_another_segment_never_gives_a_wrong_count(two_segments, tmp_path):
    cli = copied(two_segments, tmp_path)
    before = everything(cli)
    first, second = cli.segment_files("articles")[:2]
    second.with_suffix(".idx").write_bytes(first.with_suffix(".idx").read_bytes())
    each_command_answers_or_gives_one_line(cli, before)
    result = cli("list", "articles", "--format", "count", ok=False)
    assert one_line(result) and second.with_suffix(".idx").name in result.stderr
    said = cli("doctor", ok=False)
    assert said.exit_code == 1 and "index of segment articles 1" in said.stdout
    cli("doctor", "--fix")
    assert cli("list", "articles", "--format", "count").stdout == "2100\n"
    assert everything(cli) == before


# 8 -------------------------------------------------------------------------------------------
def test_a_segment_entry_of_an_unknown_kind_hides_nothing(store):
    before = everything(store)

    def widget(data: dict) -> None:
        next(r for r in data["segments"].values() if r["kind"] == "policy")["kind"] = "widget"

    write_meta(store, widget)
    said = store("doctor", ok=False)
    assert said.exit_code == 1 and "says its records are widget" in said.stdout
    for args in READS + WRITES:
        result = store(*args, ok=False)
        assert one_line(result), (args, result.stderr)  # never policies that silently vanished
    store("doctor", "--fix")
    assert everything(store) == before


def test_records_of_a_kind_this_version_lacks_are_kept_and_named(store):
    before = everything(store)
    entry = next(r for r in store.file()["segments"].values() if r["kind"] == "policy")
    alien = dict(entry, kind="widget", file=entry["file"].replace("policies.", "widgets."))
    for suffix in (".json", ".idx", ".txt"):
        shutil.copyfile(store.segments / entry["file"].replace(".json", suffix),
                        store.segments / alien["file"].replace(".json", suffix))
    write_meta(store, lambda d: d["segments"].update({"99": alien}))
    said = store("doctor")
    assert "a kind this zhaoshang does not know (widget)" in said.stdout
    assert everything(store) == before
    store("add", "lead", "--company", "企业", "--phone", "13700001111")
    assert alien["file"] in json.dumps(store.file())


# 10 ------------------------------------------------------------------------------------------
def test_a_counter_set_back_with_its_file_gone_never_reissues_an_id(store):
    before = everything(store)
    write_meta(store, lambda d: d["_meta"]["1"]["next"].update(a=5))
    (side(store) / "counters").unlink()
    result = store("add", "article", "--title", "新的", "--region", "武清", "--date", "2025-07-01", ok=False)
    assert one_line(result) and "set back" in result.stderr
    said = store("doctor", ok=False)
    assert said.exit_code == 1 and "the next ID for articles is 5" in said.stdout
    store("doctor", "--fix")
    assert store("add", "article", "--title", "新的", "--region", "武清", "--date", "2025-07-01").stdout == "a34\n"
    assert {k: v for k, v in everything(store).items() if k != "a34"} == before


# 11 ------------------------------------------------------------------------------------------
def test_garbled_settings_are_named_and_set_aside(store):
    config = side(store) / "config.json"
    store("config", "set", "region", "天津")
    config.write_bytes(b"{\"region\": \xff garbled")
    assert one_line(store("list", "articles", ok=False))
    said = store("doctor", ok=False)
    assert said.exit_code == 1 and "config.json" in said.stdout + said.stderr
    fixed = store("doctor", "--fix")
    assert "set" in fixed.stdout and "aside" in fixed.stdout and "0 error(s)" in fixed.stderr
    [kept] = (side(store) / "set-aside").glob("config.json.*")
    assert kept.read_bytes() == b"{\"region\": \xff garbled"
    store("list", "articles")


# 13 ------------------------------------------------------------------------------------------
def test_settings_of_another_user_are_not_called_damaged(store):
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    store("config", "set", "region", "天津")
    os.chown(side(store) / "config.json", 65534, 65534)
    result = store("list", "articles", ok=False)
    assert one_line(result) and "another user" in result.stderr and "not a settings file" not in result.stderr


def test_a_full_disk_names_the_file_it_could_not_write(store):
    import faults
    from conftest import app

    env = {"ZHAOSHANG_DB": str(store.db), "COLUMNS": "80", "NO_COLOR": "1"}
    args = ["edit", "a1", "--body", "新的正文" * 100]
    clean = faults.run(app, args, env, faults.Fault("write", 10**6, "fail"))
    for n in range(1, clean.counts["write"] + 1):
        outcome = faults.run(app, args, env, faults.Fault("write", n, "fail"))
        if outcome.exit_code == 1:
            assert "cannot write ?" not in outcome.stderr and str(store.db.parent) in outcome.stderr, outcome.stderr


# 14 ------------------------------------------------------------------------------------------
def test_a_store_path_planted_as_another_users_link_is_not_followed(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give a link to another user")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("my own file")
    planted = shared / "zhaoshang.json"
    planted.symlink_to(victim)
    os.lchown(planted, 65534, 65534)
    cli = Cli(planted)
    for args in (["add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01"], ["list", "articles"],
                 ["doctor"]):
        result = cli(*args, ok=False)
        assert result.exit_code == 1 and "another user" in result.stdout + result.stderr, (args, result.stderr)
    assert victim.read_text() == "my own file"
    assert not (tmp_path / "victim.txt.d").exists()


def test_restore_never_says_restored_over_a_broken_store(store):
    data = store.segment_files("policies")[0]
    data.write_bytes(data.read_bytes()[:100])  # written by the first write, named by every backup: none is intact
    result = store("restore", "--yes", ok=False)
    assert one_line(result) and "none of the" in result.stderr and "intact" in result.stderr
    assert TinyDBBackend(store.db).backups()  # the backups are listed, as not usable


# -- what a review found: repairs, restores and writes that must not destroy ------------------
def test_restore_over_a_mendable_store_file_keeps_what_that_file_named(store):
    store("add", "article", "--title", "最新的文章", "--region", "武清", "--date", "2025-07-09", "--body", "最新的正文")
    newest = {row["file"] for row in store.file()["segments"].values()}
    write_meta(store, lambda d: d["_meta"]["1"].update(next="garbled"))
    store("restore", "--yes")
    for i in range(7):  # writes enough for the backups to rotate
        store("add", "lead", "--company", f"之后的企业{i}", "--phone", f"1370000{i:04d}")
    assert newest <= {p.name for p in store.segments.iterdir()}  # the set-aside store file names them


def test_a_backups_folder_others_can_write_stops_every_pruning(store):
    before = {p.name for p in store.segments.iterdir()} | {p.name for p in side(store).iterdir()}
    os.chmod(side(store) / "backups", 0o775)
    result = store("add", "lead", "--company", "新企业", "--phone", "13700001111")
    assert "kept" in result.stderr
    after = {p.name for p in store.segments.iterdir()} | {p.name for p in side(store).iterdir()}
    assert before <= after


def _compacted(tmp_path) -> Cli:
    """A store whose body log was compacted (generation 2), with backups naming generation 1."""
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("import", str(EXAMPLES / "articles.jsonl"))
    for i in range(4):
        cli("edit", "a1", "--body", f"第{i}版正文" + "长" * 300_000)
    fixed = cli("doctor", "--fix")
    assert "compacted" in fixed.stdout and meta(cli)["log"] == 2
    cli("add", "article", "--title", "压缩之后", "--region", "武清", "--date", "2025-07-09", "--body", "之后的正文")
    return cli


def test_a_store_pointed_at_an_older_body_log_never_reads_it_as_its_own(tmp_path):
    cli = _compacted(tmp_path)
    before = everything(cli)
    write_meta(cli, lambda d: d["_meta"]["1"].update(log=1))
    shown = cli("show", "a34", ok=False)
    assert one_line(shown) and "not the body log this store wrote" in shown.stderr  # never another's bytes
    for i in range(7):
        assert one_line(cli("add", "lead", "--company", f"企业{i}", "--phone", f"1370000{i:04d}", ok=False))
    assert (side(cli) / "bodies.2.log").exists()
    fixed = cli("doctor", "--fix")
    assert "reads its bodies from bodies.2.log" in fixed.stdout
    assert everything(cli) == before


def test_a_failed_repair_leaves_no_log_behind(store):
    before = everything(store)
    store.tamper("articles", lambda docs: docs["1"].update(_body="x"), reindex=False)
    write_meta(store, lambda d: d["_meta"]["1"].update(log=2))
    store("doctor", "--fix", ok=False)
    log2 = side(store) / "bodies.2.log"
    assert not log2.exists() or log2.read_bytes().startswith(b"ZSBODY1 ")  # never a log of zeros
    for i in range(6):
        store("add", "lead", "--company", f"企业{i}", "--phone", f"1370000{i:04d}", ok=False)
    assert everything(store)["p1"] == before["p1"]


def test_dropping_an_unreadable_segment_keeps_the_bodies_of_the_others(store):
    before = everything(store)
    log = side(store) / "bodies.1.log"
    size = log.stat().st_size
    path = store.segment_files("articles")[0]
    path.write_bytes(b"\x00" * path.stat().st_size)  # garbled in place, no other version of it is kept
    for backup in (side(store) / "backups").iterdir():
        backup.unlink()
    fixed = store("doctor", "--fix", "--drop-unreadable", ok=False)
    assert "Traceback" not in fixed.stderr and "internal error" not in fixed.stderr
    assert log.stat().st_size >= size  # the articles' bodies stay in the log, never cut off as unreferenced
    after = everything(store)
    assert {k: v for k, v in after.items() if not k.startswith("a")} == \
        {k: v for k, v in before.items() if not k.startswith("a")}


def test_a_segment_no_version_of_which_reads_is_reported_not_crashed_on(store):
    path = store.segment_files("policies")[0]
    path.write_bytes(b"garbage")
    for backup in (side(store) / "backups").iterdir():
        backup.unlink()
    fixed = store("doctor", "--fix", ok=False)
    assert fixed.exit_code == 1 and "internal error" not in fixed.stderr and "Traceback" not in fixed.stderr
    assert "not fixed" in fixed.stdout and "--drop-unreadable" in fixed.stdout


def test_a_mended_segment_beside_a_cut_log_is_repaired_not_crashed_on(store):
    store.tamper("articles", lambda docs: docs["2"].update(date=20250701), reindex=False)
    log = side(store) / "bodies.1.log"
    log.write_bytes(log.read_bytes()[: log.stat().st_size // 2])
    for flags in ([], ["--drop-unreadable"]):
        fixed = store("doctor", "--fix", *flags, ok=False)
        assert "internal error" not in fixed.stderr and "Traceback" not in fixed.stderr, fixed.stderr
    assert "0 error(s)" in store("doctor").stderr


def test_doctor_fix_touches_nothing_in_a_folder_the_store_did_not_make(tmp_path):
    folder = tmp_path / "app.d"
    folder.mkdir(mode=0o700)
    (folder / "photos").mkdir()
    (folder / "notes.txt").write_text("mine")
    result = Cli(tmp_path / "app")("doctor", "--fix", ok=False)
    assert one_line(result)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "photos"]


def test_older_versions_of_a_segment_damaged_in_place_are_kept_for_the_repair(store):
    store("edit", "a3", "--title", "改过的第三篇")
    before = everything(store)
    path = store.segment_files("articles")[0]
    raw = bytearray(path.read_bytes())
    raw[200:240] = b"\x00" * 40  # same size: only its content tells
    path.write_bytes(bytes(raw))
    for i in range(6):
        store("add", "lead", "--company", f"企业{i}", "--phone", f"1370000{i:04d}")
    fixed = store("doctor", "--fix")
    assert "put back" in fixed.stdout
    after = everything(store)
    assert {k: v for k, v in after.items() if k.startswith("a") and k != "a3"} == \
        {k: v for k, v in before.items() if k.startswith("a") and k != "a3"}


def test_doctor_fix_on_a_sound_store_changes_nothing(store):
    store("doctor", "--fix")  # the counters file written, if it was behind
    files = {p: p.read_bytes() for p in store.db.parent.rglob("*") if p.is_file() and p.name != "lock"}
    result = store("doctor", "--fix")
    assert "nothing to mend" in result.stdout
    assert {p: p.read_bytes() for p in store.db.parent.rglob("*") if p.is_file() and p.name != "lock"} == files


def test_a_repair_leaving_a_body_unread_never_lets_a_write_put_another_body_in_its_place(store):
    log = side(store) / "bodies.1.log"
    p12 = store.stored("policies")["12"]["_body"]
    log.write_bytes(log.read_bytes()[: p12[0] + p12[1] - 10])  # p12's body cut short
    store.segment_files("leads")[0].with_suffix(".idx").unlink()  # and something --fix does mend
    fixed = store("doctor", "--fix", ok=False)
    assert "not fixed: p12" in fixed.stdout
    added = store("add", "policy", "--title", "新政策", "-r", "武清", "--date", "2025-09-01", "--body", "X" * 96,
                  ok=False)
    assert one_line(added)  # refused: the log is shorter than the store says
    shown = store("show", "p12", ok=False)
    assert shown.exit_code == 1 and "X" * 20 not in shown.stdout


def test_a_store_from_before_log_end_with_a_cut_log_is_not_written_to(store):
    log = side(store) / "bodies.1.log"
    p12 = store.stored("policies")["12"]["_body"]
    log.write_bytes(log.read_bytes()[: p12[0] + 5])
    write_meta(store, lambda d: d["_meta"]["1"].pop("log_end"))  # as the version before wrote it
    added = store("add", "policy", "--title", "新政策", "-r", "武清", "--date", "2025-09-01", "--body", "X" * 96,
                  ok=False)
    assert one_line(added)


def test_a_compaction_with_no_body_left_gives_the_new_log_a_token_of_its_own(tmp_path):
    cli = Cli(tmp_path / "store" / "zhaoshang.json")
    cli("add", "article", "--title", "一", "-r", "武清", "--date", "2025-07-01", "--body", "短")
    cli("add", "article", "--title", "二", "-r", "武清", "--date", "2025-07-02", "--body", "长" * 600_000)
    cli("rm", "a1", "a2", "--yes")
    cli("doctor", "--fix")
    cli("add", "article", "--title", "三", "-r", "武清", "--date", "2025-07-03", "--body", "第三篇的正文")
    write_meta(cli, lambda d: d["_meta"]["1"].update(log=1))
    shown = cli("show", "a3", ok=False)
    assert one_line(shown)  # never a deleted article's body


def test_bookkeeping_of_the_wrong_type_is_one_line_and_mended(store):
    store.tamper("leads", lambda docs: docs["2"].update(field_times="oops"), reindex=False)
    store.tamper("leads", lambda docs: docs["2"].update(field_times="oops"))
    result = store("edit", "l2", "--industry", "新材料", ok=False)
    assert result.exit_code in (0, 1) and "internal error" not in result.stderr
    said = store("doctor", ok=False)
    assert said.exit_code == 1 and "field_times" in said.stdout
    store("doctor", "--fix")
    store("edit", "l2", "--industry", "新材料")


def test_files_a_backup_set_aside_names_are_not_pruned(store):
    for i in range(3):
        store("edit", "a1", "--title", f"第{i}次改的标题")
    import re

    backups = sorted((side(store) / "backups").iterdir())
    cut = backups[0].read_bytes()[: backups[0].stat().st_size * 3 // 4]
    backups[0].write_bytes(cut)  # cut: no longer a backup, but what it still names may be needed
    named = set(re.findall(r"[a-z]+\.\d{6}\.[0-9a-f]{8}\.json", cut.decode("utf-8", "replace")))
    assert named
    fixed = store("doctor", "--fix")
    assert "aside" in fixed.stdout
    store("add", "lead", "--company", "之后的企业", "--phone", "13700009999")
    assert named <= {p.name for p in store.segments.iterdir()}


def test_a_segment_changed_in_place_keeps_the_older_logs_its_older_versions_need(tmp_path):
    cli = _compacted(tmp_path)
    path = cli.segment_files("articles")[0]
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"articles"', b'"art#cles"', 1))  # one byte, the same size
    for i in range(7):
        result = cli("add", "lead", "--company", f"企业{i}", "--phone", f"1370000{i:04d}")
        assert "kept" in result.stderr
    assert (side(cli) / "bodies.1.log").exists()
