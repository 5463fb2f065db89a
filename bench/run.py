"""Time whole zhaoshang processes against sqlite-utils on the same data, in one run.

    pip install '.[bench]'
    python bench/run.py                       # the sizes of issue 11 (takes about half an hour)
    python bench/run.py --write-readme        # …and put the table in bench/README.md
    python bench/run.py --articles 300 --policies 30 --leads 60 --small 200 --big 400 --repeat 1 --writes 5  # smoke

Each command runs as a separate process, ours and the comparison alternately, ``--repeat``
times (more for the quick ones); the table shows medians, their ratio, and the peak memory
(max RSS) of the zhaoshang process.  Targets are those of issue 11.

Stores: the main one holds ``--articles``, ``--policies`` and ``--leads`` records; single
writes are timed on a small and a big store (``--small``, ``--big`` records in all, in the
same proportions), each beside an SQLite database of the same records.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK_START = "<!-- bench-results -->"
MARK_END = "<!-- /bench-results -->"
KINDS = ("articles", "policies", "leads")
WORDS = ("生物医药", "武清区", "标准厂房")  # words of the generated text: common, regional, everywhere


@dataclass
class Timing:
    seconds: float
    peak_mb: float


def run(cmd: list[str], setup: Callable[[], None] | None = None, repeat: int = 3, stdout=None) -> Timing:
    """Median wall time and the largest peak RSS of ``repeat`` runs of ``cmd``."""
    times, peaks = [], []
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        error = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        if code != 0:
            raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{error}")
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return Timing(statistics.median(times), max(peaks))


def compare(ours: Callable[[int], list[str]] | list[str], theirs: Callable[[int], list[str]] | list[str], repeat: int,
            setup_ours=None, setup_theirs=None) -> tuple[Timing, Timing]:
    """Both commands alternately, run by run, so that a slow spell of the machine hits both.
    A command may depend on the run's number (a different record written each time)."""
    a, b = [], []
    for i in range(repeat):
        a.append(run(ours(i) if callable(ours) else ours, setup_ours, 1))
        b.append(run(theirs(i) if callable(theirs) else theirs, setup_theirs, 1))
    return (Timing(statistics.median(t.seconds for t in a), max(t.peak_mb for t in a)),
            Timing(statistics.median(t.seconds for t in b), max(t.peak_mb for t in b)))


def tool(name: str) -> str | None:
    """A command of this Python's environment (even when it is not on PATH)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        found = tool("zhaoshang")
        self.zs = [found] if found else [sys.executable, "-m", "zhaoshang_cli"]
        su = tool("sqlite-utils")
        if su is None:
            raise SystemExit("sqlite-utils is missing: pip install '.[bench]'")
        self.su = su
        self.rows: list[tuple[str, Timing, Timing | None, str, str]] = []

    def note(self, label: str, ours: Timing, theirs: Timing | None, target: str, ok: bool | None) -> None:
        self.rows.append((label, ours, theirs, target, "" if ok is None else ("yes" if ok else "no")))
        print(f"  {label}: {ours.seconds:.3f}s {ours.peak_mb:.0f}MB"
              + (f" vs {theirs.seconds:.3f}s = {ours.seconds / theirs.seconds:.2f}×" if theirs else ""),
              file=sys.stderr)

    def data(self, articles: int, policies: int, leads: int) -> Path:
        folder = self.args.out / f"data-{articles}-{policies}-{leads}"
        if not (folder / "leads.jsonl").exists():
            print(f"generating {folder.name} …", file=sys.stderr)
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(folder), "--articles", str(articles),
                            "--policies", str(policies), "--leads", str(leads)], check=True)
        return folder

    def stores(self, data: Path, name: str, fts: bool = False) -> tuple[Path, Path]:
        """A zhaoshang store and an SQLite database of the same records (made once)."""
        work = self.args.out / f"work-{name}"
        store, sdb = work / "zhaoshang.json", work / "s.db"
        if not (work / "ready").exists():
            remove(work)
            work.mkdir(parents=True)
            subprocess.run([*self.zs, "--db", str(store), "import", *(str(data / f"{k}.jsonl") for k in KINDS)],
                           check=True, stderr=subprocess.DEVNULL)
            for kind in KINDS:
                subprocess.run([self.su, "insert", str(sdb), kind, str(data / f"{kind}.jsonl"), "--nl"], check=True)
            if fts:
                subprocess.run([self.su, "enable-fts", str(sdb), "articles", "title", "body", "--tokenize", "trigram",
                                "--create-triggers"], check=True)
            (work / "ready").write_text("")
        return store, sdb


def proportion(total: int, args: argparse.Namespace) -> tuple[int, int, int]:
    whole = args.articles + args.policies + args.leads
    articles, policies = total * args.articles // whole, total * args.policies // whole
    return articles, policies, total - articles - policies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=10_000, help="records of the small store for single writes")
    parser.add_argument("--big", type=int, default=200_000, help="records of the big store for single writes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--writes", type=int, default=200, help="single writes before the reads are timed again")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-readme", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()
    bench = Bench(args)
    zs, su = bench.zs, bench.su
    quick = max(args.repeat, 9)

    # 1. import of the articles file into an empty store
    data = bench.data(args.articles, args.policies, args.leads)
    scratch = args.out / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    store, side, sdb = scratch / "z.json", scratch / "z.json.d", scratch / "s.db"
    articles = str(data / "articles.jsonl")
    ours, theirs = compare([*zs, "--db", str(store), "import", articles],
                           [su, "insert", str(sdb), "articles", articles, "--nl"], args.repeat,
                           setup_ours=lambda: remove(store, side), setup_theirs=lambda: remove(sdb))
    size_mb = os.path.getsize(articles) >> 20
    bench.note(f"import {args.articles} articles ({size_mb} MB JSONL)", ours, theirs, "≤ 1.0×, < 300 MB",
               ours.seconds <= theirs.seconds and ours.peak_mb < 300)
    remove(store, side, sdb)

    # 2. the main store: listing, show, report, text search, export
    store, sdb = bench.stores(data, f"{args.articles}-{args.policies}-{args.leads}", fts=True)
    db = ["--db", str(store)]
    sql = ("select title, region, date from articles where region_code >= '120114' and region_code < '120115' "
           "and date >= '2025-07-01' order by date desc limit 20")
    listing = [*zs, *db, "list", "articles", "--region", "武清", "--since", "2025-07-01", "--limit", "20"]

    def reads(when: str) -> None:
        ours, plain = compare(listing, [su, "query", str(sdb), sql], quick)
        bench.note(f"list --region 武清 --since 2025-07-01 --limit 20{when}", ours, plain, "≤ 1.5× unindexed",
                   ours.seconds <= 1.5 * plain.seconds)
        middle = max(1, args.articles // 2)
        ours = run([*zs, *db, "show", f"a{middle}"], repeat=quick)
        bench.note(f"show a{middle}{when}", ours, None, "< 0.3 s", ours.seconds < 0.3)
        ours = run([*zs, *db, "report", "--region", "天津", "--month", "2025-07"], repeat=quick)
        bench.note(f"report --region 天津 --month 2025-07{when}", ours, None, "< 1 s", ours.seconds < 1)

    reads("")
    for word in WORDS:
        ours, fts = compare([*zs, *db, "list", "articles", "--text", word, "--limit", "20"],
                            [su, "search", str(sdb), "articles", word, "--limit", "20", "-c", "title", "-c", "date"],
                            quick)
        bench.note(f"list articles --text {word} --limit 20", ours, fts, "≤ 1.5× FTS5 trigram, < 150 MB",
                   ours.seconds <= 1.5 * fts.seconds and ours.peak_mb < 150)
    out = scratch / "out"
    for label, mine, theirs in (
        (f"export articles ({args.articles}, JSONL)", [*zs, *db, "export", "articles"],
         [su, "query", str(sdb), "select * from articles", "--nl"]),
        ("list articles --region 天津, all, as jsonl", [*zs, *db, "list", "articles", "--region", "天津",
                                                        "--format", "jsonl"],
         [su, "query", str(sdb), "select * from articles where region_code like '12%' order by date desc", "--nl"]),
        ("list articles --region 天津, all, as a table", [*zs, *db, "list", "articles", "--region", "天津"],
         [su, "query", str(sdb), "select rowid, title, region, date from articles where region_code like '12%' "
                                 "order by date desc", "--table"]),
    ):
        a, b = [], []
        with open(out, "wb") as sink:  # both into a file: a terminal would time the terminal
            for _ in range(args.repeat):
                a.append(run(mine, None, 1, stdout=sink))
                b.append(run(theirs, None, 1, stdout=sink))
        ours = Timing(statistics.median(t.seconds for t in a), max(t.peak_mb for t in a))
        them = Timing(statistics.median(t.seconds for t in b), max(t.peak_mb for t in b))
        bench.note(label, ours, them, "≤ 1.5×, < 150 MB", ours.seconds <= 1.5 * them.seconds and ours.peak_mb < 150)
    remove(out)

    ours, floor = compare([*zs, "--help"], [sys.executable, "-c", "import typer, rich"], max(args.repeat, 21))
    bench.note("zhaoshang --help", ours, floor, "≤ 1.5× `import typer, rich`", ours.seconds <= 1.5 * floor.seconds)

    # 3. single writes on a small and a big store, each against the same change in SQLite
    writes: dict[str, dict[str, Timing]] = {}
    for label, total in (("small", args.small), ("big", args.big)):
        sizes = proportion(total, args)
        wstore, wdb = bench.stores(bench.data(*sizes), f"{total}")
        wdb_ = ["--db", str(wstore)]
        row = scratch / "row.json"
        row.write_text(json.dumps({"title": "新引进项目", "region": "武清区", "region_code": "120114",
                                   "date": "2026-11-01"}, ensure_ascii=False), "utf-8")
        # the stores are kept between runs: each run writes to records that are still there
        def ids(*query: str, wdb_: list[str] = wdb_) -> list[int]:
            found = subprocess.run([*zs, *wdb_, "list", *query, "--format", "ids", "--sort", "id"], check=True,
                                   capture_output=True, text=True).stdout.split()
            return [int(i[1:]) for i in found]

        articles = ids("articles", "-n", str(2 * quick))
        leads = ids("leads", *(f"--status={s}" for s in ("new", "contacted", "negotiating", "signed", "lost")),
                    "-n", str(quick))
        done = time.strftime("%m%d%H%M%S")  # new titles for add: a kept store has the last run's
        # the commands are called within this iteration only; the defaults bind this iteration's values
        cases = {
            "add": (lambda i, wdb_=wdb_, label=label, done=done:
                    [*zs, *wdb_, "add", "article", "--title", f"新引进项目{label}{done}-{i}", "--region", "武清",
                     "--date", "2026-11-01"],
                    lambda i, wdb=wdb, row=row: [su, "insert", str(wdb), "articles", str(row)]),
            "edit": (lambda i, wdb_=wdb_, articles=articles, done=done:
                     [*zs, *wdb_, "edit", f"a{articles[2 * i]}", "--title", f"改过的标题{done}-{i}"],
                     lambda i, wdb=wdb, articles=articles, done=done:
                     [su, "query", str(wdb), f"update articles set title = '改过的标题{done}-{i}' "
                                             f"where rowid = {articles[2 * i]}"]),
            "lead status": (lambda i, wdb_=wdb_, leads=leads: [*zs, *wdb_, "lead", "status", f"l{leads[i]}", "visited"],
                            lambda i, wdb=wdb, leads=leads:
                            [su, "query", str(wdb), f"update leads set status = 'visited' where rowid = {leads[i]}"]),
            "rm": (lambda i, wdb_=wdb_, articles=articles: [*zs, *wdb_, "rm", f"a{articles[2 * i + 1]}", "--yes"],
                   lambda i, wdb=wdb, articles=articles:
                   [su, "query", str(wdb), f"delete from articles where rowid = {articles[2 * i + 1]}"]),
        }
        for name, (mine, theirs) in cases.items():
            ours, them = compare(mine, theirs, quick)
            writes.setdefault(name, {})[label] = ours
            bench.note(f"{name} at {total} records", ours, them, "≤ 1.5×, < 120 MB" if label == "big" else "",
                       (ours.seconds <= 1.5 * them.seconds and ours.peak_mb < 120) if label == "big" else None)
    for name, by_size in writes.items():
        small, big = by_size["small"], by_size["big"]
        bench.note(f"{name}: {args.big} against {args.small} records", big, small, "< 1.5×",
                   big.seconds < 1.5 * small.seconds)

    # 4. reads again after many single writes on the main store
    for i in range(args.writes):
        subprocess.run([*zs, *db, "edit", f"a{i + 1}", "--title", f"又改过的标题{i}"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reads(f", after {args.writes} single writes")

    table = render(bench.rows, args)
    print(table)
    if args.write_readme:
        readme = HERE / "README.md"
        text = readme.read_text("utf-8")
        start, end = text.index(MARK_START) + len(MARK_START), text.index(MARK_END)
        readme.write_text(text[:start] + "\n" + table + "\n" + text[end:], "utf-8")


def render(rows: list[tuple[str, Timing, Timing | None, str, str]], args: argparse.Namespace) -> str:
    defaults = {"articles": 100_000, "policies": 10_000, "leads": 20_000, "small": 10_000, "big": 200_000,
                "repeat": 3, "writes": 200}
    command = "python bench/run.py" + "".join(f" --{k} {getattr(args, k)}" for k, v in defaults.items()
                                               if getattr(args, k) != v)
    lines = [
        f"Command: `{command}` — {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; medians of {args.repeat} runs for imports and exports, {max(args.repeat, 9)} for "
        f"the rest, {max(args.repeat, 21)} for --help, ours and the comparison alternately; "
        "peak = max RSS of the zhaoshang process (and its second process, if any).",
        "",
        "| benchmark | zhaoshang | comparison | ratio | peak MB | target | met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for label, ours, theirs, target, ok in rows:
        comparison = f"{theirs.seconds:.3f} s" if theirs else "–"
        ratio = f"{ours.seconds / theirs.seconds:.2f}×" if theirs else "–"
        lines.append(f"| {label} | {ours.seconds:.3f} s | {comparison} | {ratio} | {ours.peak_mb:.0f} "
                     f"| {target} | {ok} |")
    lines += ["", "Comparisons (sqlite-utils on a database of the same records): `insert --nl` of the same file; "
              "`query` of the same filter (no index); `search` on an FTS5 trigram table of titles and bodies; "
              "`query … --nl` and `query … --table` for exports and full listings; for single writes one "
              "`insert` of a row, or one `UPDATE`/`DELETE` by rowid; the last rows compare our own write on the "
              "big store with the same write on the small one; `python -c \"import typer, rich\"` for --help."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
