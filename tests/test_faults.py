"""Kill or fail every write step of every writing command: the store is always exactly the
state before or the state after, never missing, never mixed; the exit code is 0 whenever
the change was saved and 1 (one line) when it was not; the next write works and never
reuses an ID.

Each command is first run once to count its calls of write, fsync, replace, link,
unlink, mkdir…; then once per call and mode: SIGKILL just before it, SIGKILL just after
it, and the call failing with ENOSPC.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import faults
import pytest
from conftest import EXAMPLES, Cli, app

from zhaoshang_cli.domain.changes import ChangeQuery
from zhaoshang_cli.domain.kind import KINDS, to_public
from zhaoshang_cli.errors import StoreError
from zhaoshang_cli.storage.base import Filters, Query
from zhaoshang_cli.storage.tinydb import doctor
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend


def state(db: Path) -> str:
    """Every record with its body, or what is wrong with the store."""
    if not db.exists():
        return "NO STORE"
    try:
        with TinyDBBackend(db).reading() as reader:
            records = {}
            for record in reader.select(Query(tuple(KINDS.values()), Filters(), with_body=True)):
                public = to_public(record.kind, record.number, record.doc, record.body)
                for stamp in ("created_at", "updated_at"):  # the clean run was at another second
                    public.pop(stamp)
                for entry in (public.get("history") or []) + (public.get("notes") or []):
                    entry.pop("at")
                records[public["id"]] = public
            logged = [{k: v for k, v in e.items() if k not in ("at", "batch")} for e in reader.changes(ChangeQuery())]
            return json.dumps({"records": records, "log": logged, "text_index": bool(reader.meta.get("text_index"))},
                              ensure_ascii=False, sort_keys=True)
    except StoreError:
        return "DAMAGED " + hashlib.sha256(db.read_bytes()).hexdigest()


def ids_in(text: str) -> set[str]:
    return set(json.loads(text)["records"]) if text.startswith("{") else set()


def damage_store(cli: Cli) -> None:
    """A record that is not an object and counters gone: valid JSON, damaged store."""
    cli.tamper("articles", lambda docs: docs.update({"3": "garbage"}), reindex=False)
    data = cli.file()
    del data["_meta"]["1"]["next"]
    cli.db.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def _base(tmp: Path, name: str) -> tuple[Cli, list[str], set[str]]:
    """A store for one command; returns the CLI on it, the command, and every ID ever issued."""
    cli = Cli(tmp / name / "zhaoshang.json")
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "policies.json"), str(EXAMPLES / "leads.csv"))
    cli("add", "article", "--title", "备份之后的文章", "--region", "武清", "--date", "2025-07-09", "--body", "正文")
    mine = Cli(tmp / "mine" / "zhaoshang.json")  # a colleague's copy, changed since, into the changed store
    if name == "copy":
        cli("copy", "--to", str(mine.db))
        mine("edit", "a1", "--title", "同事改过的标题", "--body", "同事改过的正文")
        mine("lead", "note", "l1", "同事的备注")
        mine("add", "article", "--title", "同事的文章", "--region", "西青", "--date", "2025-07-10",
             "--body", "同事的正文")
        cli("add", "article", "--title", "团队的文章", "--region", "武清", "--date", "2025-07-11")  # a35 on both
    if name == "edit, text index":
        cli("db", "text-index", "on")
    issued = ids_in(state(cli.db))
    batch = tmp / "batch.jsonl"
    batch.write_text("".join(json.dumps(
        {"title": f"静海区新项目{i}", "region": "静海", "date": "2025-08-01", "body": f"第{i}个项目的正文" * 20},
        ensure_ascii=False) + "\n" for i in range(30)), "utf-8")
    commands = {
        "add": ["add", "article", "--title", "新文章", "--region", "武清", "--date", "2025-07-03", "--body", "新正文"],
        "edit": ["edit", "a1", "--title", "改过的标题", "--body", "改过的正文"],
        "edit, text index": ["edit", "a1", "--title", "改过的标题", "--body", "改过的正文"],
        "db text-index on": ["db", "text-index", "on"],
        "rm": ["rm", "a2", "l3", "--yes"],
        "lead status": ["lead", "status", "l1", "contacted", "--note", "电话沟通"],
        "import": ["import", str(batch)],
        "doctor --fix": ["doctor", "--fix", "--drop-unreadable"],  # a3 is no record: dropped, as asked
        "restore": ["restore", "--yes"],
        "copy": ["copy", "--from", str(mine.db), "--to", str(cli.db)],
    }
    if name in ("doctor --fix", "restore"):
        damage_store(cli)
    return cli, commands[name], issued


@pytest.mark.parametrize("name", ["add", "edit", "rm", "lead status", "import", "doctor --fix", "restore", "copy",
                                  "db text-index on", "edit, text index"])
def test_every_fault_point_leaves_before_or_after(tmp_path, name):
    base, args, issued = _base(tmp_path, name)
    env = {"ZHAOSHANG_DB": str(base.db), "COLUMNS": "80", "NO_COLOR": "1"}
    pristine = tmp_path / "pristine"
    shutil.copytree(base.db.parent, pristine)

    def fresh() -> None:
        shutil.rmtree(base.db.parent)
        shutil.copytree(pristine, base.db.parent)

    before = state(base.db)
    base(*args)  # in this process first: forked runs then start with every module imported
    fresh()
    clean = faults.run(app, args, env)
    assert clean.exit_code == 0, clean.stderr
    after = state(base.db)
    assert after != before and after.startswith("{")
    points = faults.sweep(clean.counts)
    assert len(points) >= 20
    for fault in points:
        fresh()
        outcome = faults.run(app, args, env, fault)
        got = state(base.db)
        assert got in (before, after), f"{name}, {fault}: neither before nor after"
        if outcome.exit_code is not None:
            saved = "saved" if got == after else "not saved"
            assert outcome.exit_code == (0 if got == after else 1), (f"{name}, {fault}: exit {outcome.exit_code}"
                                                                     f" with the change {saved}:\n{outcome.stderr}")
            if got == before:
                assert outcome.stderr.count("error:") == 1 and "Traceback" not in outcome.stderr, outcome.stderr
        if got == before and before.startswith("DAMAGED"):
            base(*args)  # the damaged store is still there, untouched: the command can be run again
            assert state(base.db) == after, f"{name}, {fault}: a second run did not finish the job"
        assert not [f for f in doctor.diagnose(TinyDBBackend(base.db)) if f.level == doctor.ERROR], f"{name}, {fault}"
        new_id = base("add", "article", "--title", f"之后的文章 {fault}", "--region", "武清",
                      "--date", "2025-07-02").stdout.strip()
        assert new_id not in issued | ids_in(got), f"{name}, {fault}: {new_id} issued twice"
