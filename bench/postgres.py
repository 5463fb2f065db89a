"""The team store on PostgreSQL beside the file store (and sqlite-utils), on the same data.

    pip install '.[bench,postgres]'
    python bench/postgres.py                        # 100k articles, 10k policies, 20k leads
    python bench/postgres.py --write-readme         # …and put the table in bench/README.md
    python bench/postgres.py --articles 1000000 --policies 0 --leads 0 --import-repeat 1 --repeat 5 \\
        --no-sqlite --write-readme                  # a million articles (an hour; the table of its own)
    python bench/postgres.py --articles 300 --policies 30 --leads 60 --repeat 1   # smoke

A throwaway server is started in a temporary directory as the tests do (tests/pgserver.py:
initdb and pg_ctl, fsync off, so that writes cost less than on a server that syncs its log).

1. The articles are imported into an empty file store and an empty database, taking turns,
   ``--import-repeat`` times (time and the peak memory of the importing processes); then the
   policies and leads, untimed, and ``VACUUM (ANALYZE)``, which autovacuum does on its own soon
   after a bulk load (statistics, and the visibility map that lets an index answer alone).
2. The file store is copied to a third database and back to a new file (``zhaoshang copy``), and
   the JSONL export of every kind must be byte-identical to the original's (``--round-trip``,
   on by default up to 200k records).
3. Reads and single writes on each store, whole processes taking turns, ``--repeat`` times
   (at least 9 for reads), medians: first as the stores are made (no text index: ``--text``
   reads every record on both), then with each store's text index on (``db text-index on``,
   timed once), for ``--text``.
"""

from __future__ import annotations

import argparse
import filecmp
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from measure import HERE, Timing, once, remove, run, summary
from run import Bench
from stores import KINDS, RARE

ROOT = HERE.parent
MARKS = {False: ("<!-- bench-postgres -->", "<!-- /bench-postgres -->"),
         True: ("<!-- bench-postgres-1m -->", "<!-- /bench-postgres-1m -->")}
Row = tuple[str, list[Timing | None]]


def alternately(commands: list[list[str]], repeat: int) -> list[Timing]:
    """Each command ``repeat`` times, taking turns, so that a slow spell hits all of them."""
    runs: list[list[Timing]] = [[] for _ in commands]
    for _ in range(repeat):
        for i, command in enumerate(commands):
            runs[i].append(run(command, 1))
    return [summary(r) for r in runs]


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
    parser.add_argument("--import-repeat", type=int, default=3, help="imports of the articles into each store")
    parser.add_argument("--round-trip", action=argparse.BooleanOptionalAction, default=None,
                        help="copy the file store through PostgreSQL and back (default: up to 200k records)")
    parser.add_argument("--no-sqlite", action="store_true", help="no sqlite-utils column (it builds its own copy)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-readme", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    import pgserver

    reason = pgserver.unavailable()
    if reason:
        raise SystemExit(reason)
    server = pgserver.Server().start()
    try:
        print(measure(args, server), end="")
    finally:
        server.stop()


class Databases:
    """Empty store databases made from a template that `db init` set up once."""

    def __init__(self, server: object, zs: list[str]):
        self.server = server
        server.admin("CREATE DATABASE zs_bench_template TEMPLATE template0")  # type: ignore[attr-defined]
        run([*zs, "--db", self.url("zs_bench_template"), "db", "init"], 1)

    def url(self, name: str) -> str:
        return self.server.url(name)  # type: ignore[attr-defined,no-any-return]

    def fresh(self, name: str) -> str:
        self.server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",  # type: ignore[attr-defined]
                          f"CREATE DATABASE {name} TEMPLATE zs_bench_template")
        return self.url(name)


def measure(args: argparse.Namespace, server: object) -> str:
    bench = Bench(args)
    zs, su = bench.zs, bench.su
    data = bench.stores.data(args.articles, args.policies, args.leads)
    sdb = None if args.no_sqlite else bench.stores.build(data, fts=True)[1]
    total = args.articles + args.policies + args.leads
    databases = Databases(server, zs)
    work = args.out / f"scratch-pg-{args.articles}"
    remove(work)
    work.mkdir(parents=True)
    store, url = work / "zhaoshang.json", databases.url("zs_bench")
    lines: list[str] = []
    rows: list[Row] = []

    # 1. imports
    def file_import(_: int) -> list[str]:
        remove(work / "zhaoshang.json", work / "zhaoshang.json.d")
        return [*zs, "--db", str(store), "import", str(data / "articles.jsonl")]

    def pg_import(_: int) -> list[str]:
        databases.fresh("zs_bench")
        return [*zs, "--db", url, "import", str(data / "articles.jsonl")]

    mine: list[Timing] = []
    theirs: list[Timing] = []
    for i in range(args.import_repeat):
        mine.append(once(file_import(i)))
        theirs.append(once(pg_import(i)))
        print(f"  import {i + 1}: {mine[-1]} {theirs[-1]}", file=sys.stderr)
    imported = [summary(mine), summary(theirs), None]
    rows.append((f"import {args.articles} articles into an empty store", imported))
    rest = [str(data / f"{kind}.jsonl") for kind in KINDS[1:] if getattr(args, kind)]
    if rest:
        for db in (str(store), url):
            run([*zs, "--db", db, "import", *rest], 1)
    # what autovacuum does on a server after a bulk load (its statistics, the visibility map that
    # lets an index answer alone), done now rather than while the reads are timed
    server.admin("VACUUM (ANALYZE)", database="zs_bench")  # type: ignore[attr-defined]

    # 2. the round trip
    if args.round_trip if args.round_trip is not None else total <= 200_000:
        lines += round_trip(zs, store, databases.fresh("zs_round"), work)

    # 3. reads and writes
    middle = max(1, args.articles // 2)
    sql = ("select title, region, date from articles where region_code >= '120114' and region_code < '120115' "
           "and date >= '2025-07-01' order by date desc limit 20")
    quick = max(args.repeat, 9)

    def reads(cases: list[tuple[str, list[str], list[str] | None]]) -> None:
        for label, command, sqlite in cases:
            commands = [[*zs, "--db", str(store), *command], [*zs, "--db", url, *command]]
            with_sqlite = sqlite is not None and sdb is not None
            found = alternately(commands + ([sqlite] if with_sqlite else []), quick)  # type: ignore[list-item]
            rows.append((label, [*found[:2], found[2] if with_sqlite else None]))
            print(f"  {label}: {found}", file=sys.stderr)

    def sqlite(*words: str) -> list[str] | None:
        return [*su, *[w if w != "DB" else str(sdb) for w in words]] if sdb is not None else None

    reads([
        ("list --region 武清 --since 2025-07-01 --limit 20",
         ["list", "articles", "--region", "武清", "--since", "2025-07-01", "--limit", "20"],
         sqlite("query", "DB", sql)),
        (f"show a{middle}", ["show", f"a{middle}"], None),
        ("report --region 天津 --month 2025-07", ["report", "--region", "天津", "--month", "2025-07"], None),
        ("list articles --text 生物医药 --limit 20, no text index",
         ["list", "articles", "--text", "生物医药", "--limit", "20"], None),
        (f"list articles --text {RARE} --format count, no text index",
         ["list", "articles", "--text", RARE, "--format", "count"], None),
    ])
    switched = [timed([*zs, "--db", db, "db", "text-index", "on"]) for db in (str(store), url)]
    lines.append(f"`db text-index on`: file store {switched[0]:.1f} s, PostgreSQL {switched[1]:.1f} s "
                 "(CREATE INDEX CONCURRENTLY of both trigram indexes of every table)")
    reads([
        ("list articles --text 生物医药 --limit 20, text index on",
         ["list", "articles", "--text", "生物医药", "--limit", "20"],
         sqlite("search", "DB", "articles", "生物医药", "--limit", "20", "-c", "title", "-c", "date")),
        (f"list articles --text {RARE} --format count, text index on",
         ["list", "articles", "--text", RARE, "--format", "count"], None),
    ])
    if sdb is not None:
        rows += writes(zs, su, store, url, sdb, work, args.repeat)
    remove(work)
    return render(rows, lines, args)


def round_trip(zs: list[str], store: Path, url: str, work: Path) -> list[str]:
    back = work / "back" / "zhaoshang.json"
    back.parent.mkdir()
    to_pg = timed([*zs, "copy", "--from", str(store), "--to", url])
    from_pg = timed([*zs, "copy", "--from", url, "--to", str(back)])
    for kind in KINDS:
        mine, theirs = work / f"{kind}.original.jsonl", work / f"{kind}.back.jsonl"
        run([*zs, "--db", str(store), "export", kind, "-o", str(mine)], 1)
        run([*zs, "--db", str(back), "export", kind, "-o", str(theirs)], 1)
        if not filecmp.cmp(mine, theirs, shallow=False):
            raise SystemExit(f"the round trip changed the {kind}: {mine} and {theirs} differ")
        remove(mine, theirs)
    remove(back.parent)
    return [f"copy the file store → PostgreSQL: {to_pg:.1f} s; PostgreSQL → a new file store: {from_pg:.1f} s",
            "JSONL export of every kind after file → PostgreSQL → file: identical to the original's"]


def writes(zs: list[str], su: list[str], store: Path, url: str, sdb: Path, work: Path, repeat: int) -> list[Row]:
    row = work / "row.json"
    row.write_text('{"title": "新引进项目", "region": "武清区", "region_code": "120114", '
                   '"date": "2026-11-01"}', "utf-8")
    cases: list[tuple[str, Callable[[str, int], list[str]], Callable[[int], list[str]]]] = [
        ("add article", lambda db, i: [*zs, "--db", db, "add", "article", "--title", f"新引进项目{i}",
                                       "--region", "武清", "--date", "2026-11-01"],
         lambda i: [*su, "insert", str(sdb), "articles", str(row)]),
        ("edit (title)", lambda db, i: [*zs, "--db", db, "edit", f"a{2 * i + 1}", "--title", f"改过的标题{i}"],
         lambda i: [*su, "query", str(sdb), f"update articles set title = '改过的标题{i}' where rowid = {2 * i + 1}"]),
        ("lead status", lambda db, i: [*zs, "--db", db, "lead", "status", f"l{i + 1}", "visited"],
         lambda i: [*su, "query", str(sdb), f"update leads set status = 'visited' where rowid = {i + 1}"]),
    ]
    found: list[Row] = []
    for label, ours, theirs in cases:
        runs: list[list[Timing]] = [[], [], []]
        for i in range(repeat):
            for slot, command in enumerate((ours(str(store), i), ours(url, i), theirs(i))):
                runs[slot].append(run(command, 1))
        timings: list[Timing | None] = [summary(r) for r in runs]
        found.append((f"{label} (single write)", timings))
        print(f"  {label}: {timings}", file=sys.stderr)
    return found


def render(rows: list[Row], lines: list[str], args: argparse.Namespace) -> str:
    head = (f"Command: `python bench/postgres.py{_options(args)}` — {time.strftime('%Y-%m-%d')}, Python "
            f"{platform.python_version()}, {args.articles} articles, {args.policies} policies, {args.leads} leads; "
            "PostgreSQL on the same machine over a Unix socket, fsync off, vacuumed after the imports; whole "
            "processes taking turns, medians "
            f"({args.import_repeat} imports, {max(args.repeat, 9)} reads, {args.repeat} writes); memory: the peak of "
            "the command's processes.\n\n")
    table = ["| benchmark | file store | PostgreSQL | PostgreSQL ÷ file | sqlite-utils |", "|---|---:|---:|---:|---:|"]
    for label, (mine, theirs, other) in rows:
        cells = [_cell(mine, label), _cell(theirs, label),
                 f"{theirs.seconds / mine.seconds:.2f}×" if mine and theirs else "–", _cell(other, label)]
        table.append(f"| {label} | {' | '.join(cells)} |")
    text = head + "\n".join(table) + "\n\n" + "".join(f"* {line}\n" for line in lines)
    if args.write_readme:
        start_mark, end_mark = MARKS[args.articles >= 1_000_000]
        readme = HERE / "README.md"
        old = readme.read_text("utf-8")
        start, end = old.index(start_mark) + len(start_mark), old.index(end_mark)
        readme.write_text(old[:start] + "\n" + text + old[end:], "utf-8")
    return text


def _cell(timing: Timing | None, label: str) -> str:
    if timing is None:
        return "–"
    return f"{timing.seconds:.2f} s, {timing.memory()} MB" if label.startswith("import") else f"{timing.seconds:.3f} s"


def _options(args: argparse.Namespace) -> str:
    given = [f"--{name.replace('_', '-')} {value}" for name, value, default in
             (("articles", args.articles, 100_000), ("policies", args.policies, 10_000),
              ("leads", args.leads, 20_000), ("repeat", args.repeat, 9), ("import_repeat", args.import_repeat, 3))
             if value != default]
    return "".join(" " + g for g in given) + (" --no-sqlite" if args.no_sqlite else "")


if __name__ == "__main__":
    main()
