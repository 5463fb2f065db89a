"""The team store on PostgreSQL beside the TinyDB store and sqlite-utils, on the same data.

    pip install '.[bench,postgres]'
    python bench/postgres.py                          # 100k articles, 10k policies, 20k leads
    python bench/postgres.py --write-readme           # …and put the table in bench/README.md
    python bench/postgres.py --articles 300 --policies 30 --leads 60 --repeat 1   # smoke
    python bench/postgres.py --url postgresql://zs@dbhost/bench                     # a server of yours

Without ``--url`` a throwaway server is started in a temporary directory as the tests do
(tests/pgserver.py: initdb and pg_ctl, fsync off).  First the main store of bench/run.py is
copied TinyDB → PostgreSQL → a new TinyDB store, and the JSONL export of every kind of the
copy is compared byte for byte with the original's (the run stops if they differ).  Then
list, show, report and single writes are timed as whole processes on each store, ``--repeat``
times (at least 9), alternately, medians in the table.
"""

from __future__ import annotations

import argparse
import filecmp
import platform
import statistics
import sys
import time
from pathlib import Path

from measure import HERE, Timing, remove, run
from run import Bench
from stores import KINDS

ROOT = HERE.parent
MARK_START = "<!-- bench-postgres -->"
MARK_END = "<!-- /bench-postgres -->"


def alternately(commands: list[list[str]], repeat: int) -> list[Timing]:
    """Each command ``repeat`` times, taking turns, so that a slow spell hits all of them."""
    runs: list[list[Timing]] = [[] for _ in commands]
    for _ in range(repeat):
        for i, command in enumerate(commands):
            runs[i].append(run(command, 1))
    return [Timing(statistics.median(t.seconds for t in r), max(t.peak_mb for t in r)) for r in runs]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    run(command, 1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--url", help="an empty database to use (default: a throwaway server of this run's own)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-readme", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()
    server = None
    if args.url is None:
        sys.path.insert(0, str(ROOT / "tests"))
        import pgserver

        reason = pgserver.unavailable()
        if reason:
            raise SystemExit(reason)
        server = pgserver.Server().start()
        args.url = server.url(server.new_database(template="template0"))
    try:
        print(measure(args), end="")
    finally:
        if server is not None:
            server.stop()


def measure(args: argparse.Namespace) -> str:
    bench = Bench(args)
    zs, su, url = bench.zs, bench.su, args.url
    data = bench.stores.data(args.articles, args.policies, args.leads)
    store, sdb = bench.stores.build(data, fts=True)
    scratch = args.out / "scratch-pg"
    remove(scratch)
    scratch.mkdir(parents=True)
    back = scratch / "back.json"
    total = args.articles + args.policies + args.leads
    to_pg = timed([*zs, "copy", "--from", str(store), "--to", url])
    from_pg = timed([*zs, "copy", "--from", url, "--to", str(back)])
    lines = [f"copy {total} records TinyDB → PostgreSQL: {to_pg:.1f} s",
             f"copy {total} records PostgreSQL → TinyDB: {from_pg:.1f} s"]
    for kind in KINDS:
        mine, theirs = scratch / f"{kind}.original.jsonl", scratch / f"{kind}.back.jsonl"
        run([*zs, "--db", str(store), "export", kind, "-o", str(mine)], 1)
        run([*zs, "--db", str(back), "export", kind, "-o", str(theirs)], 1)
        if not filecmp.cmp(mine, theirs, shallow=False):
            raise SystemExit(f"the round trip changed the {kind}: {mine} and {theirs} differ")
    lines.append("JSONL export of every kind after TinyDB → PostgreSQL → TinyDB: identical to the original's")
    remove(scratch)

    middle = max(1, args.articles // 2)
    sql = ("select title, region, date from articles where region_code >= '120114' and region_code < '120115' "
           "and date >= '2025-07-01' order by date desc limit 20")
    rows: list[tuple[str, list[Timing | None]]] = []
    reads = [
        ("list --region 武清 --since 2025-07-01 --limit 20",
         ["list", "articles", "--region", "武清", "--since", "2025-07-01", "--limit", "20"],
         [*su, "query", str(sdb), sql]),
        (f"show a{middle}", ["show", f"a{middle}"], None),
        ("report --region 天津 --month 2025-07", ["report", "--region", "天津", "--month", "2025-07"], None),
        ("list articles --text 生物医药 --limit 20", ["list", "articles", "--text", "生物医药", "--limit", "20"],
         [*su, "search", str(sdb), "articles", "生物医药", "--limit", "20", "-c", "title", "-c", "date"]),
    ]
    for label, command, theirs in reads:
        commands = [[*zs, "--db", str(store), *command], [*zs, "--db", url, *command]]
        found = alternately(commands + ([theirs] if theirs else []), args.repeat)
        rows.append((label, [*found[:2], found[2] if theirs else None]))
        print(f"  {label}: {found}", file=sys.stderr)
    row = scratch / "row.json"
    scratch.mkdir(parents=True)
    row.write_text('{"title": "新引进项目", "region": "武清区", "region_code": "120114", '
                   '"date": "2026-11-01"}', "utf-8")
    writes = [
        ("add article", lambda db, i: [*zs, "--db", db, "add", "article", "--title", f"新引进项目{i}",
                                       "--region", "武清", "--date", "2026-11-01"],
         lambda i: [*su, "insert", str(sdb), "articles", str(row)]),
        ("edit (title)", lambda db, i: [*zs, "--db", db, "edit", f"a{2 * i + 1}", "--title", f"改过的标题{i}"],
         lambda i: [*su, "query", str(sdb), f"update articles set title = '改过的标题{i}' where rowid = {2 * i + 1}"]),
        ("lead status", lambda db, i: [*zs, "--db", db, "lead", "status", f"l{i + 1}", "visited"],
         lambda i: [*su, "query", str(sdb), f"update leads set status = 'visited' where rowid = {i + 1}"]),
    ]
    for label, mine, theirs in writes:
        runs: list[list[Timing]] = [[], [], []]
        for i in range(args.repeat):
            for slot, command in enumerate((mine(str(store), i), mine(url, i), theirs(i))):
                runs[slot].append(run(command, 1))
        found = [Timing(statistics.median(t.seconds for t in r), max(t.peak_mb for t in r)) for r in runs]
        rows.append((f"{label} (single write)", found))
        print(f"  {label}: {found}", file=sys.stderr)
    remove(scratch)
    return render(rows, lines, args)


def render(rows: list[tuple[str, list[Timing | None]]], lines: list[str], args: argparse.Namespace) -> str:
    head = (f"Command: `python bench/postgres.py` — {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
            f"{args.articles} articles, {args.policies} policies, {args.leads} leads; PostgreSQL on the same machine "
            f"over a Unix socket; medians of {args.repeat} runs of whole processes, taking turns.\n\n")
    table = ["| benchmark | TinyDB | PostgreSQL | sqlite-utils |", "|---|---:|---:|---:|"]
    for label, found in rows:
        cells = [f"{t.seconds:.3f} s" if t else "–" for t in found]
        table.append(f"| {label} | {' | '.join(cells)} |")
    text = head + "\n".join(table) + "\n\n" + "".join(f"* {line}\n" for line in lines)
    if args.write_readme:
        readme = HERE / "README.md"
        old = readme.read_text("utf-8")
        start, end = old.index(MARK_START) + len(MARK_START), old.index(MARK_END)
        readme.write_text(old[:start] + "\n" + text + old[end:], "utf-8")
    return text


if __name__ == "__main__":
    main()
