"""The segmented store under real processes: concurrent imports beside concurrent edits,
SIGKILL at random moments and at named points of checkpoint and commit, what a backup
costs on disk, and a damaged segment that backups share.

Every write under test runs in a process of its own: `python -m zhaoshang_cli`, or
tests/kill_driver.py, which runs the same module (after a pause, or in a child forked
from a process that has imported it) and can SIGKILL itself at a named os call.  After
every kill the store must read as exactly the state before or the state after (compared
through `export`, timestamps aside), `doctor` must find no error, every body must read
back, the listing index must agree with the documents and the segment files, and the
next write must work, issue a new ID and clean up what the killed one left.

Covered elsewhere and not repeated here: 8×50 concurrent adds
(test_store.py::test_parallel_processes_lose_nothing), two concurrent imports and 20
random kills of a 2,000-row import (test_reliability.py), kill/fail at every os call of
each writing command on a one-segment store (test_faults.py), the damage matrix
(test_damage.py), doctor --fix, restore and backup rotation (test_reliability.py,
test_trust.py, test_store.py).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, Cli

from zhaoshang_cli.storage.tinydb import doctor
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend
from zhaoshang_cli.storage.tinydb.manifest import Manifest

DRIVER = Path(__file__).with_name("kill_driver.py")
TABLES = ("articles", "policies", "leads")
STATUSES = ("new", "contacted", "visited", "negotiating", "signed", "lost")
IMPORT_ROWS = 2100  # JSONL is stored 500 rows at a time: five chunks, five checkpoints


# -- processes -------------------------------------------------------------------------------
def environment(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZS_")}
    env.update({"ZHAOSHANG_DB": str(db), "ZHAOSHANG_LOCK_TIMEOUT": "60", "NO_COLOR": "1", "COLUMNS": "80",
                "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)})
    env.update(extra)
    return env


def zhaoshang(db: Path, *args: str, **extra: str) -> subprocess.Popen:
    """`python -m zhaoshang_cli ARGS` on ``db``."""
    return subprocess.Popen([sys.executable, "-m", "zhaoshang_cli", *args], env=environment(db, **extra),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def driven(db: Path, args: list[str], *, kill_at: str | None = None, wait_for_go: bool = False) -> subprocess.Popen:
    """The same command through tests/kill_driver.py (see there)."""
    extra = {}
    if kill_at:
        extra["ZS_KILL_AT"] = kill_at
    if wait_for_go:
        extra["ZS_WAIT_FOR_GO"] = "1"
    return subprocess.Popen([sys.executable, str(DRIVER), *args], env=environment(db, **extra),
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def ready(proc: subprocess.Popen) -> None:
    line = proc.stderr.readline()
    assert line == b"ready\n", line + proc.stderr.read()


def go(proc: subprocess.Popen) -> float:
    proc.stdin.write(b"go\n")
    proc.stdin.flush()
    return time.perf_counter()


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err.decode("utf-8", "replace")


# -- stores and data ---------------------------------------------------------------------------
def articles_batch(path: Path, tag: str, count: int, first_id: int | None = None) -> Path:
    """``count`` articles; with ``first_id``, numbered from there (as an export brings them)."""
    def row(i: int) -> dict:
        given = {"kind": "article", "id": f"a{first_id + i}"} if first_id else {}
        return {**given, "title": f"{tag}批次重点项目第{i}号", "region": "滨海新区",
                "date": f"2025-07-{i % 28 + 1:02d}",
                "url": f"https://example.org/{tag}/{i}.html", "body": f"{tag}批次第{i}号项目正文。" * 3}

    path.write_text("".join(json.dumps(row(i), ensure_ascii=False) + "\n" for i in range(count)), "utf-8")
    return path


def leads_batch(path: Path, tag: str, count: int) -> Path:
    path.write_text("".join(json.dumps(
        {"company": f"{tag}批次导入企业{i}有限公司", "phone": f"137{i:08d}", "region": "武清", "industry": "生物医药",
         "status": STATUSES[i % 4]}, ensure_ascii=False) + "\n" for i in range(count)), "utf-8")
    return path


def examples_store(db: Path) -> Cli:
    cli = Cli(db)
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "policies.json"), str(EXAMPLES / "leads.csv"))
    return cli


def copy_store(source: Path, folder: Path) -> Path:
    shutil.copytree(source.parent, folder)
    return folder / source.name


def comparable(state: dict[str, list[dict]]) -> str:
    """The exported records without the times they were written at (runs differ in those)."""
    def clean(record: dict) -> dict:
        record = {k: v for k, v in record.items() if k not in ("created_at", "updated_at")}
        for key in ("history", "notes"):
            if record.get(key):
                record[key] = [{k: v for k, v in entry.items() if k != "at"} for entry in record[key]]
        return record

    return json.dumps({table: [clean(r) for r in rows] for table, rows in state.items()},
                      ensure_ascii=False, sort_keys=True)


def check(db: Path) -> dict[str, list[dict]]:
    """What `export` says, once the store is shown consistent: `doctor` finds no error; every
    body reads back (export reads them all); IDs are unique; `list` (the listing index)
    names exactly the exported records, and so do the segment files; an index column
    (dates, lead status) selects what the documents say."""
    cli = Cli(db)
    errors = [f.message for f in doctor.diagnose(TinyDBBackend(db)) if f.level == doctor.ERROR]
    assert not errors, errors
    state: dict[str, list[dict]] = {}
    for table in TABLES:
        rows = [json.loads(line) for line in cli("export", table).stdout.splitlines()]
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)), f"{table}: an ID twice"
        assert sorted(cli("list", table, "--format", "ids").stdout.split()) == sorted(ids), table
        assert cli("list", table, "--format", "count").stdout.strip() == str(len(ids)), table
        assert sorted(int(n) for n in cli.stored(table)) == sorted(int(i[1:]) for i in ids), table
        state[table] = rows
    late = cli("list", "articles", "--since", "2025-07-15", "--format", "ids").stdout.split()
    assert sorted(late) == sorted(r["id"] for r in state["articles"] if r["date"] >= "2025-07-15")
    for status in ("contacted", "signed"):
        listed = cli("list", "leads", "--status", status, "--format", "ids").stdout.split()
        assert sorted(listed) == sorted(r["id"] for r in state["leads"] if r["status"] == status), status
    return state


def all_ids(state: dict[str, list[dict]]) -> set[str]:
    return {r["id"] for rows in state.values() for r in rows}


def leftovers(db: Path) -> list[str]:
    """Files in the side folder that neither the store nor a kept backup needs."""
    store = TinyDBBackend(db)
    wanted: set[str] = set()
    for found in [store.load(), *store.kept_manifests()]:
        if isinstance(found, Manifest):
            wanted |= found.files()
    extra = [name for name in os.listdir(store.segments_dir) if name not in wanted]
    temps = [p.name for d in (db.parent, store.side, store.backups_dir) if d.is_dir()
             for p in d.iterdir() if p.name.endswith(".tmp")]
    return extra + temps


def write_after(db: Path, issued: set[str], label: str) -> None:
    """The next write works, gives an ID never given before, and cleans up what a killed
    write left behind."""
    new_id = Cli(db)("add", "article", "--title", f"之后的文章 {label}", "--region", "武清",
                     "--date", "2025-07-02", "--body", "之后的正文").stdout.strip()
    assert new_id.startswith("a") and new_id not in issued, f"{label}: {new_id} issued twice"
    assert Cli(db).json("show", new_id)["body"] == "之后的正文"
    assert not leftovers(db), f"{label}: {leftovers(db)}"


class Forker:
    """tests/kill_driver.py --serve: commands run in forked children of one process that
    has imported the program, so that a run costs the command, not Python's start-up."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.runs = 0
        self.proc = subprocess.Popen([sys.executable, str(DRIVER), "--serve"], env=environment(folder / "none"),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._answer() == {"ready": True}

    def _ask(self, request: dict) -> dict:
        self.proc.stdin.write((json.dumps(request, ensure_ascii=False) + "\n").encode())
        self.proc.stdin.flush()
        return self._answer()

    def _answer(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, "the fork server is gone"
        return json.loads(line)

    def start(self, db: Path, args: list[str], kill_at: str | None = None, trace: Path | None = None,
              chunk: int | None = None, sync_bytes: int | None = None) -> tuple[int, Path]:
        self.runs += 1
        out = self.folder / f"run{self.runs}"
        pid = self._ask({"db": str(db), "args": args, "kill_at": kill_at, "trace": str(trace) if trace else None,
                         "chunk": chunk, "sync_bytes": sync_bytes, "out": str(out)})["pid"]
        return pid, out

    def wait(self, pid: int, out: Path) -> tuple[int, str]:
        """The child's exit code (-9: killed) and what it wrote to stderr; it is reaped only now."""
        code = self._ask({"reap": pid})["code"]
        return code, Path(f"{out}.err").read_text("utf-8", "replace")

    def run(self, db: Path, args: list[str], **kw) -> tuple[int, str]:
        return self.wait(*self.start(db, args, **kw))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def forker(tmp_path_factory):
    server = Forker(tmp_path_factory.mktemp("forks"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    """small: the examples (one segment per kind); two: the examples and 100 articles
    numbered a2001-a2100 (two article segments); batch: 2,100 new articles (JSONL);
    spanning: 250 articles numbered a1951-a2200, across the segment boundary."""
    folder = tmp_path_factory.mktemp("stores")
    small = folder / "small" / "zhaoshang.json"
    examples_store(small)
    two = copy_store(small, folder / "two")
    Cli(two)("import", str(articles_batch(folder / "two.jsonl", "第二段", 100, first_id=2001)))
    return {"small": small, "two": two, "batch": articles_batch(folder / "batch.jsonl", "滨海", IMPORT_ROWS),
            "spanning": articles_batch(folder / "spanning.jsonl", "跨段", 250, first_id=1951)}


# -- 1. concurrent imports beside concurrent edits ------------------------------------------------
# An editor (or reader) is one process running its commands one after another through the
# program's own command line (in-process, to spare a Python start-up per command), noting
# when each started and ended.
WORKER = textwrap.dedent("""
    import functools, itertools, json, os, sys, time
    import typer.main, typer.testing
    typer.testing._get_command = functools.cache(typer.main.get_command)
    from typer.testing import CliRunner
    from zhaoshang_cli.cli.app import app

    root = typer.testing._get_command(app)  # every command built now, not on its first use in the race
    ctx = root.make_context("zhaoshang", [], resilient_parsing=True)
    for name in root.list_commands(ctx):
        root.get_command(ctx, name)
    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    if len(sys.argv) > 3:  # a reader: round and round until told to stop, then once more
        stop = sys.argv[3]
        going = itertools.takewhile(lambda _: time.sleep(0.02) or not os.path.exists(stop), itertools.cycle(plan))
        plan = itertools.chain(going, plan)
    runner = CliRunner()
    done = []
    for args in plan:
        start = time.time()
        result = runner.invoke(app, args, catch_exceptions=False)
        done.append({"args": args, "start": start, "end": time.time(), "code": result.exit_code,
                     "out": result.stdout, "err": result.stderr})
        if len(done) == 1:
            print("started", flush=True)
            while os.environ.get("ZS_GO") and not os.path.exists(os.environ["ZS_GO"]):
                time.sleep(0.005)  # the rest once the imports are under way
    json.dump(done, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
""")

SHARED_ARTICLES = ("a1", "a2", "a3")   # every editor edits these
SHARED_LEADS = ("l10", "l11", "l12")   # every editor adds a note to these
MOVED_LEADS = tuple(f"l{n}" for n in range(1, 7))  # two per editor


def editor_plan(worker: int, initial: dict[str, str]) -> list[list[str]]:
    """22 commands of one editor, in a shuffled order that keeps each record's own sequence.
    Shared: a1-a3 edited and l10-l12 noted by every editor; its own: two of a5-a10 edited
    (with new bodies), two of a20-a25 removed, two of l1-l6 moved twice; 3 records added."""
    rng = random.Random(worker)
    streams: list[list[list[str]]] = []
    for rid in SHARED_ARTICLES:
        streams.append([["edit", rid, "--title", f"共享标题 {rid} 编辑者{worker} 第{j}次"] for j in range(2)])
    for k in range(2):
        rid = f"a{5 + 2 * worker + k}"
        streams.append([["edit", rid, "--title", f"私有标题 {rid} 编辑者{worker} 第{j}次",
                         "--body", f"{rid} 第{j}次改过的正文"] for j in range(2)])
        streams.append([["rm", f"a{20 + 2 * worker + k}", "--yes"]])
        lead = MOVED_LEADS[2 * worker + k]
        moves, current = [], initial[lead]
        for j in range(2):
            current = STATUSES[(STATUSES.index(current) + 1 + j) % len(STATUSES)]
            moves.append(["lead", "status", lead, current, "--note", f"{lead} 编辑者{worker} 第{j}次"])
        streams.append(moves)
        streams.append([["add", "article", "--title", f"编辑者{worker}新增的文章{k}", "--region", "武清",
                         "--date", "2025-07-20", "--body", f"编辑者{worker}新增的正文{k}"]])
    for rid in SHARED_LEADS:
        streams.append([["lead", "note", rid, f"{rid} 编辑者{worker} 的备注"]])
    streams.append([["add", "lead", "--company", f"编辑者{worker}新增企业", "--phone", f"139{worker:08d}",
                     "--region", "武清"]])
    plan: list[list[str]] = []
    while streams:
        stream = rng.choice(streams)
        plan.append(stream.pop(0))
        if not stream:
            streams.remove(stream)
    return plan


def test_concurrent_imports_beside_concurrent_edits_lose_nothing(tmp_path):
    """Three imports of 2,100 records (five chunks each: articles, articles, leads) while three
    editors run 66 edits, moves, notes, adds and removals on the same segments, and a
    reader counts what each import has stored so far (all or nothing, never a chunk)."""
    db = tmp_path / "store" / "zhaoshang.json"
    seed = examples_store(db)
    initial = {r["id"]: r for r in check(db)["leads"]}
    batches = {"甲": articles_batch(tmp_path / "a.jsonl", "甲", IMPORT_ROWS),
               "乙": articles_batch(tmp_path / "b.jsonl", "乙", IMPORT_ROWS),
               "丙": leads_batch(tmp_path / "c.jsonl", "丙", IMPORT_ROWS)}
    plans = {}
    for worker in range(3):
        plans[worker] = tmp_path / f"plan{worker}.json"
        plans[worker].write_text(json.dumps(editor_plan(worker, {k: v["status"] for k, v in initial.items()}),
                                            ensure_ascii=False), "utf-8")
    counts = [["list", "articles", "--text", "甲批次", "--format", "count"],
              ["list", "leads", "--text", "丙批次", "--format", "count"],
              ["filter", "--text", "乙批次", "--format", "count"]]
    plans[3] = tmp_path / "plan3.json"
    plans[3].write_text(json.dumps(counts * 6, ensure_ascii=False), "utf-8")
    times: dict[str, tuple[float, float]] = {}

    def timed(name: str, proc: subprocess.Popen, started: float, out: dict) -> None:
        out[name] = finish(proc)
        times[name] = (started, time.time())

    results: dict[str, tuple[int, str]] = {}
    threads = []
    stop = tmp_path / "stop"
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(plans[w]), str(tmp_path / f"done{w}.json"),
                                 *([str(stop)] if w == 3 else [])],
                                env={**environment(db), "ZS_GO": str(go)}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE) for w in range(4)]
    for worker, proc in enumerate(workers):  # the imports start once every worker is at work
        assert proc.stdout.readline() == b"started\n", proc.communicate()[1].decode()
        threads.append(threading.Thread(target=timed, args=(f"worker {worker}", proc, time.time(), results)))
    for tag, path in batches.items():
        started = time.time()
        threads.append(threading.Thread(target=timed, args=(tag, zhaoshang(db, "import", str(path)), started, results)))
    go.touch()  # the workers go on from their first command
    for thread in threads:
        thread.start()
    for thread in threads[4:]:  # the imports, then the editors
        thread.join()
    stop.touch()  # the reader's last round reads after every import has ended
    for thread in threads[:4]:
        thread.join()
    for name, (code, err) in results.items():
        assert code == 0, f"{name} exited {code}:\n{err}"
        if name in batches:
            assert f"{IMPORT_ROWS} added, 0 updated, 0 unchanged, 0 invalid" in err, err
    done = [c for w in range(3) for c in json.loads((tmp_path / f"done{w}.json").read_text("utf-8"))]
    failed = [c for c in done if c["code"] != 0]
    assert not failed, failed[:3]
    # the test is worth something only if edits committed while the imports were running
    first_import, last_import = min(times[t][0] for t in batches), max(times[t][1] for t in batches)
    assert sum(first_import < c["end"] < last_import for c in done) >= 5, "no edit ran beside the imports"
    seen = json.loads((tmp_path / "done3.json").read_text("utf-8"))
    assert all(c["code"] == 0 and c["out"].strip() in ("0", str(IMPORT_ROWS)) for c in seen), \
        [(c["args"][3], c["out"].strip(), c["err"]) for c in seen]
    assert {c["out"].strip() for c in seen} == {"0", str(IMPORT_ROWS)}  # it read before, between and after

    state = check(db)
    articles = {r["id"]: r for r in state["articles"]}
    leads = {r["id"]: r for r in state["leads"]}
    # every import entirely there, once, in one run of IDs (one transaction), bodies intact
    for tag in ("甲", "乙"):
        mine = {r["url"]: r for r in state["articles"] if (r["url"] or "").startswith(f"https://example.org/{tag}/")}
        assert len(mine) == IMPORT_ROWS, tag
        numbers = sorted(int(r["id"][1:]) for r in mine.values())
        assert numbers == list(range(numbers[0], numbers[0] + IMPORT_ROWS)), f"{tag}: IDs not one run"
        for i in (0, 1999, 2000, IMPORT_ROWS - 1):
            record = mine[f"https://example.org/{tag}/{i}.html"]
            assert (record["title"] == f"{tag}批次重点项目第{i}号"
                    and record["body"] == f"{tag}批次第{i}号项目正文。" * 3)
    imported = [r for r in state["leads"] if r["company"].startswith("丙批次导入企业")]
    assert len(imported) == IMPORT_ROWS and len({r["phone"] for r in imported}) == IMPORT_ROWS
    numbers = sorted(int(r["id"][1:]) for r in imported)
    assert numbers == list(range(numbers[0], numbers[0] + IMPORT_ROWS)), "丙: IDs not one run"

    # every edit kept: a record's title is the one of an edit that no other edit followed
    edits: dict[str, list[dict]] = {}
    for c in done:
        if c["args"][0] == "edit":
            edits.setdefault(c["args"][1], []).append(c)
    for rid, made in edits.items():
        winner = [c for c in made if c["args"][3] == articles[rid]["title"]]
        assert len(winner) == 1, f"{rid}: title {articles[rid]['title']!r} from no edit"
        later = [c["args"][3] for c in made if c["start"] > winner[0]["end"]]
        assert not later, f"{rid}: {later} started after {articles[rid]['title']!r} was saved, and was lost"
        if "--body" in winner[0]["args"]:
            assert articles[rid]["body"] == winner[0]["args"][5]
    # every move kept, in order, on the leads each editor moved
    for rid in MOVED_LEADS:
        moves = [c["args"] for c in done if c["args"][:2] == ["lead", "status"] and c["args"][2] == rid]
        assert len(moves) == 2
        start = len(initial[rid]["history"])
        assert leads[rid]["history"][:start] == initial[rid]["history"]
        assert [(h["to"], h.get("note")) for h in leads[rid]["history"][start:]] == [(m[3], m[5]) for m in moves]
        assert leads[rid]["status"] == moves[-1][3]
    # every note kept once, in an order the commands' times allow
    for rid in SHARED_LEADS:
        notes = [n["text"] for n in leads[rid]["notes"][len(initial[rid]["notes"]):]]
        given = [c for c in done if c["args"][:3] == ["lead", "note", rid]]
        assert sorted(notes) == sorted(c["args"][3] for c in given), rid
        for a in given:
            for b in given:
                if a["end"] < b["start"]:
                    assert notes.index(a["args"][3]) < notes.index(b["args"][3]), rid
    # every add there, every removal done
    for c in done:
        if c["args"][0] == "add":
            rid = c["out"].strip()
            record = articles.get(rid) or leads.get(rid)
            assert record is not None, f"{rid} added, then lost"
            assert record.get("title", record.get("company")) == c["args"][3]
        if c["args"][0] == "rm":
            assert c["args"][1] not in articles
    assert len(state["articles"]) == 33 - 6 + 2 * IMPORT_ROWS + 6
    assert len(state["leads"]) == 18 + IMPORT_ROWS + 3
    # the ID counters are past everything ever given, and the real program says the store is sound
    added = seed("add", "policy", "--title", "最后的政策", "--region", "武清", "--date", "2025-07-30")
    assert added.stdout.strip() == "p13"
    code, err = finish(zhaoshang(db, "doctor"))
    assert code == 0 and "0 error(s)" in err, err


# -- 2a. SIGKILL at random moments of single writes -------------------------------------------------
SINGLE_WRITES = {
    "edit in the first segment": ["edit", "a5", "--title", "改过的标题", "--body", "改过的正文"],
    "edit in the second segment": ["edit", "a2100", "--title", "第二段里改过的标题"],
    "add": ["add", "article", "--title", "新文章", "--region", "武清", "--date", "2025-07-03", "--body", "新正文"],
    "rm of two kinds": ["rm", "a2", "a2049", "l3", "--yes"],
    "lead status": ["lead", "status", "l1", "contacted", "--note", "电话沟通"],
    "lead note": ["lead", "note", "l2", "约了考察"],
}


def test_sigkill_at_random_moments_of_single_writes(stores, forker, tmp_path):
    """24 single writes on a store of two article segments, each SIGKILLed after a random
    delay, spread evenly over the measured length of that command's run."""
    pristine = stores["two"]
    before_state = check(pristine)
    before, issued = comparable(before_state), all_ids(before_state)
    after: dict[str, str] = {}
    length: dict[str, float] = {}
    for name, args in SINGLE_WRITES.items():  # a clean run of each: the state after, and how long it takes
        db = copy_store(pristine, tmp_path / f"clean {name}")
        started = time.perf_counter()
        code, err = forker.run(db, args)
        length[name] = time.perf_counter() - started
        assert code == 0, err
        after[name] = comparable(check(db))
        assert after[name] != before
    rng = random.Random(20250801)
    outcomes = []
    for i, (name, fraction) in enumerate((name, (k + rng.random()) / 4) for k in range(4) for name in SINGLE_WRITES):
        db = copy_store(pristine, tmp_path / f"trial{i}")
        pid, out = forker.start(db, SINGLE_WRITES[name])
        time.sleep(fraction * length[name])
        os.kill(pid, signal.SIGKILL)  # a zombie until reaped: the PID is still ours
        code, err = forker.wait(pid, out)
        assert code in (0, -signal.SIGKILL), err
        got_state = check(db)
        got = comparable(got_state)
        assert got in (before, after[name]), f"{name}, killed at {fraction:.0%}: neither before nor after"
        outcomes.append((code, got == before))
        write_after(db, issued | all_ids(got_state), f"trial {i}")
    assert (-signal.SIGKILL, True) in outcomes, "no kill landed before a commit"
    assert any(not was_before for _, was_before in outcomes), "no write was ever saved"


# -- 2b. SIGKILL at random moments of a multi-chunk import -------------------------------------------
@pytest.mark.slow  # a sweep of kills at random moments: run by CI beside the default suite
def test_sigkill_at_random_moments_of_a_multi_chunk_import(stores, tmp_path):
    """20 runs of a 2,100-row import (five chunks, five checkpoints, records across two
    segments) into a small store, each a fresh `python -m zhaoshang_cli` killed at a random
    moment of its run (after start-up: the driver waits for a go)."""
    pristine, batch = stores["small"], stores["batch"]
    before_state = check(pristine)
    before, issued = comparable(before_state), all_ids(before_state)
    db = copy_store(pristine, tmp_path / "clean")
    proc = driven(db, ["import", str(batch)], wait_for_go=True)
    ready(proc)
    started = go(proc)
    code, err = finish(proc)
    length = time.perf_counter() - started
    assert code == 0 and f"{IMPORT_ROWS} added" in err, err
    after = comparable(check(db))

    rng = random.Random(20250802)
    fractions = [(k + rng.random()) / 20 * 1.05 for k in range(20)]

    def spawn(i: int):
        db = copy_store(pristine, tmp_path / f"trial{i}")
        return db, driven(db, ["import", str(batch)], wait_for_go=True)

    outcomes = []
    upcoming = spawn(0)
    for i, fraction in enumerate(fractions):
        db, proc = upcoming
        ready(proc)
        if i + 1 < len(fractions):
            upcoming = spawn(i + 1)  # it starts up while this one runs and is checked
        started = go(proc)
        time.sleep(max(0.0, started + fraction * length - time.perf_counter()))
        proc.send_signal(signal.SIGKILL)
        code, err = finish(proc)
        assert code in (0, -signal.SIGKILL), err
        got_state = check(db)
        got = comparable(got_state)
        assert got in (before, after), f"killed at {fraction:.0%}: neither before nor after"
        outcomes.append((code, got == before))
        write_after(db, issued | all_ids(got_state), f"trial {i}")
    assert sum(1 for code, was_before in outcomes if code == -signal.SIGKILL and was_before) >= 5


# -- 2c. SIGKILL at named points of checkpoint and commit -----------------------------------------
def store_calls(trace: Path, db: Path) -> list[tuple[str, str, int]]:
    """The os calls a traced run made on the store's files, in order, each as (call, the
    path pattern kill_driver matches, its number among such calls)."""
    side = f"{db}.d"
    patterns = [(lambda p: p == str(db), f"={db}"), (lambda p: p == str(db.parent), f"={db.parent}"),
                (lambda p: p == f"{side}/segments", f"={side}/segments"),
                (lambda p: p.startswith(f"{side}/segments/"), "/segments/"),
                (lambda p: p.startswith(f"{side}/bodies."), "/bodies."),
                (lambda p: p.startswith(f"{side}/backups/"), "/backups/"),
                (lambda p: p == f"{side}/counters", "/counters"), (lambda p: p == f"{side}/lock", "/lock"),
                (lambda p: p.startswith(f"{db.parent}/.{db.name}."), f"/.{db.name}.")]  # the new manifest
    calls, seen = [], {}
    for line in trace.read_text("utf-8").splitlines():
        op, path = line.split("\t", 1)
        pattern = next((name for test, name in patterns if test(path)), None)
        if pattern and op != "open":
            seen[op, pattern] = seen.get((op, pattern), 0) + 1
            calls.append((op, pattern, seen[op, pattern]))
    return calls


def kill_points(calls: list[tuple[str, str, int]], db: Path) -> list[tuple[str, str]]:
    """Where to kill a run that makes ``calls``, each with the state it must leave: inside
    every checkpoint (before the first segment file is written, after each one is synced),
    the body log (written, then synced), then every step of the commit, the commit point itself (the replace of the
    store file) just before and just after, and what follows it."""
    commit = calls.index(("replace", f"={db}", 1))
    chosen: list[tuple[tuple[str, str, int], str]] = []

    def pick(found: list, *whens: str) -> None:
        chosen.extend((call, when) for call in found for when in whens)

    segments = [c for c in calls[:commit] if c[1] == "/segments/"]
    pick([c for c in segments if c[0] == "write"][:1], "before")
    pick([c for c in segments if c[0] == "fsync"], "after")
    pick([c for c in calls if c[:2] == ("writev", "/bodies.")][:1], "after")  # bodies written, not synced
    bodies = [c for c in calls if c[1] == "/bodies." and c[0] == "fsync"]
    pick(bodies[:1], "before")
    pick(bodies[-1:], "after")
    for op, pattern, whens in (("fsync", f"={db}.d/segments", ("after",)),
                               ("replace", "/counters", ("before", "after")),
                               ("link", "/backups/", ("after",)), ("fsync", f"/.{db.name}.", ("after",)),
                               ("replace", f"={db}", ("before", "after")), ("fsync", f"={db.parent}", ("before",)),
                               ("close", "/lock", ("before",))):
        pick([c for c in calls if c[:2] == (op, pattern)][:1], *whens)
    pruned = [c for c in calls[commit:] if c[:2] == ("unlink", "/segments/")]
    pick(pruned[:1], "before")
    pick(pruned[1:][-1:], "after")
    return [("|".join(map(str, call)) + "|" + when,
             "before" if calls.index(call) < commit or (call == calls[commit] and when == "before") else "after")
            for call, when in chosen]


def test_sigkill_at_each_point_of_checkpoint_and_commit(stores, forker, tmp_path):
    """A three-chunk import across two segments (its body log synced before the commit, or
    after each chunk as a big import syncs it) and an edit with a new body, each first run
    with every os call traced, then killed at each named point the trace shows (30 runs or
    more): each must leave exactly the state before, or after once the store file is
    replaced."""
    small, two, spanning = stores["small"], stores["two"], stores["spanning"]
    commands = {"import": (small, ["import", str(spanning)], None),
                "import synced as it goes": (small, ["import", str(spanning)], 1),
                "edit": (two, ["edit", "a5", "--title", "改过的标题", "--body", "改过的正文"], None)}
    runs = []
    states = {}
    for command, (pristine, args, sync_bytes) in commands.items():
        clean = Path(os.path.realpath(copy_store(pristine, tmp_path / f"clean {command}")))
        code, err = forker.run(clean, args, trace=tmp_path / f"{command}.trace", chunk=100, sync_bytes=sync_bytes)
        assert code == 0, err
        states[command] = {"before": comparable(check(pristine)), "after": comparable(check(clean))}
        calls = store_calls(tmp_path / f"{command}.trace", clean)
        points = kill_points(calls, clean)
        runs += [(command, point.replace(str(clean.parent), "{folder}"), want) for point, want in points]
        if command.startswith("import"):  # three checkpoints, two segments: several segment files, then the commit
            assert len([c for c in calls if c[:2] == ("fsync", "/segments/")]) >= 4
        if sync_bytes:  # the log synced after each chunk's bodies
            assert len([c for c in calls if c[:2] == ("fsync", "/bodies.")]) >= 3
    assert len(runs) >= 30
    for i, (command, point, want) in enumerate(runs):
        pristine, args, sync_bytes = commands[command]
        db = Path(os.path.realpath(copy_store(pristine, tmp_path / f"run{i}")))  # the program's own names
        point = point.replace("{folder}", str(db.parent))
        code, err = forker.run(db, args, kill_at=point, chunk=100, sync_bytes=sync_bytes)
        assert code == -signal.SIGKILL, f"{command}, {point}: the point was never reached (exit {code}):\n{err}"
        got_state = check(db)
        assert comparable(got_state) == states[command][want], f"{command}, killed at {point}: not the state {want}"
        write_after(db, all_ids(got_state), f"{command} {point}")


# -- 3. a backup per write costs a manifest, not a store --------------------------------------------
def disk_use(db: Path) -> tuple[int, int]:
    """(bytes of the store file and its side folder, each hard-linked file once; bytes of the backups folder)."""
    seen, total = set(), 0
    for path in [db, *db.with_name(db.name + ".d").rglob("*")]:
        st = os.lstat(path)
        if path.is_file() and st.st_ino not in seen:
            seen.add(st.st_ino)
            total += st.st_size
    backups = db.with_name(db.name + ".d") / "backups"
    return total, sum(p.stat().st_size for p in backups.iterdir()) if backups.is_dir() else 0


def test_single_writes_do_not_copy_the_store_into_backups(tmp_path):
    db = tmp_path / "store" / "zhaoshang.json"
    cli = Cli(db)
    cli("import", str(articles_batch(tmp_path / "many.jsonl", "多段", 7000)))  # four article segments
    store = TinyDBBackend(db)
    by_segment: dict[str, int] = {}  # a segment file with its index (and whatever else is written with it)
    for path in store.segments_dir.iterdir():
        by_segment[path.stem] = by_segment.get(path.stem, 0) + path.stat().st_size
    assert len(by_segment) == 4
    largest_pair = max(by_segment.values())
    store_size, _ = disk_use(db)
    assert store_size > 3 * largest_pair
    writes = 10
    for i in range(writes):  # edits in every segment in turn, and adds
        args = (["edit", f"a{1 + (i % 4) * 2048}", "--title", f"第{i}次修改"] if i % 3 else
                ["add", "article", "--title", f"新增{i}", "--region", "武清", "--date", "2025-07-05"])
        cli("--backups", str(writes), *args)
    grown, backups = disk_use(db)
    backup_files = store.backup_paths()
    assert len(backup_files) == writes
    assert all(p.stat().st_size < 4096 for p in backup_files)  # each a manifest
    assert backups < 0.01 * store_size
    # the old segments a backup names stay: one segment per write, never the whole store
    assert grown - store_size <= writes * largest_pair
    assert grown - store_size < writes * store_size / 3
    # every backup is whole: the oldest restores the store as it was before the first write
    assert all(info.valid for info in store.backups())
    cli("restore", backup_files[-1].name, "--yes")
    assert cli("list", "articles", "--format", "count").stdout.strip() == "7000"
    assert cli.json("show", "a1")["title"] == "多段批次重点项目第0号"
    assert not [f for f in doctor.diagnose(TinyDBBackend(db)) if f.level == doctor.ERROR]
    # pruned back to two backups, the old segments go with them
    cli("--backups", "2", "edit", "a2", "--title", "修剪之后")
    pruned, _ = disk_use(db)
    assert len(store.backup_paths()) == 2 and not leftovers(db)
    assert pruned < grown


# -- 4. a damaged segment shared with backups, through real processes ------------------------------
def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "lock"}


def test_a_damaged_segment_is_refused_untouched_and_restore_brings_back_a_sound_version(stores, tmp_path):
    """A segment file cut in half that the newest backup names too (a write elsewhere came
    after it): writes and reads that need it are refused and change no file; doctor names
    it; `zhaoshang restore`, as doctor advises, brings back the newest version whose files
    are all sound, and the store is healthy again."""
    sound = copy_store(stores["two"], tmp_path / "sound")  # backups: 000001 (the examples)
    Cli(sound)("add", "article", "--title", "第二段的新文章", "--region", "武清", "--date", "2025-07-03")  # a2101
    restorable = comparable(check(stores["two"]))  # …kept as backup 000002
    Cli(sound)("edit", "a5", "--title", "之后在第一段改的标题")  # backup 000003 names the same second segment
    damaged = TinyDBBackend(sound).load().entries[("article", 1)].file
    path = TinyDBBackend(sound).segments_dir / damaged
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    before = tree(sound.parent)

    refused = [zhaoshang(sound, *args) for args in (
        ["edit", "a2100", "--title", "改不了"], ["rm", "a2060", "--yes"], ["export", "articles"],
        ["add", "article", "--title", "加不了", "--region", "武清", "--date", "2025-07-04"])]
    for proc in refused:
        code, err = finish(proc)
        assert code == 1 and err.count("error:") == 1 and "Traceback" not in err, (proc.args, err)
        assert damaged in err
    assert tree(sound.parent) == before, "a refused command changed a file"
    said, err = zhaoshang(sound, "doctor").communicate(timeout=60)
    assert damaged in said.decode() and "1 error(s)" in err.decode(), said.decode()

    listed, _ = zhaoshang(sound, "restore", "--list", COLUMNS="200").communicate(timeout=60)
    rows = {line.split()[0]: line for line in listed.decode().splitlines() if line.startswith("zhaoshang.json.")}
    assert "damaged segment" in rows["zhaoshang.json.000003.g1"]  # listed, not as a version to bring back
    assert rows["zhaoshang.json.000002.g1"].endswith("ok")
    said, err = zhaoshang(sound, "restore", "--yes").communicate(timeout=60)
    assert "restored zhaoshang.json.000002" in said.decode() + err.decode(), err.decode()
    code, err = finish(zhaoshang(sound, "doctor"))
    assert code == 0 and "0 error(s)" in err, err
    assert comparable(check(sound)) == restorable
    assert Cli(sound)("add", "article", "--title", "恢复之后", "--region", "武清",
                      "--date", "2025-07-05").stdout.strip() == "a2102"  # a2101 stays issued
