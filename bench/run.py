"""Time whole zhaoshang processes against sqlite-utils on the same data, in one run.

    pip install '.[bench]'
    python bench/run.py                       # the sizes of issue 11 (takes about half an hour)
    python bench/run.py --articles 1000000    # …and issue 22's targets at a million articles
    python bench/run.py --write-readme        # …and put the table in bench/README.md
    python bench/run.py --articles 300 --policies 30 --leads 60 --small 200 --big 400 --repeat 1 --writes 5  # smoke

Each command runs as a separate process, ours and the comparison alternately, ``--repeat``
times (more for the quick ones); the table shows medians, their ratio, and the memory of
each command: the peaks of all its processes added (bench/peak.py; zhaoshang forks a second
process for a big import).  Targets (bench/results.py) are issue 11's, and issue 22's from a million
articles on.

Stores: the main one holds ``--articles``, ``--policies`` and ``--leads`` records (one
article carries a word no other record holds); single writes are timed on a small and a big
store (``--small``, ``--big`` records in all, in the same proportions), each beside an SQLite
database of the same records.  Text searches and the table listing check that both sides
list the same records in the same order before their times count.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

from measure import HERE, Timing, compare, python_code, python_command, python_script, remove, run
from results import MILLION, Row, Target, Targets, table
from stores import RARE, Stores, copy_store

MARK_START = "<!-- bench-results -->"
MARK_END = "<!-- /bench-results -->"
WORDS = ("生物医药", "武清区", "标准厂房")  # words of the generated text: common, regional, everywhere
NOWHERE = "不存在的词"  # a word no record holds: every record searched
TEXT_SQL = ("select a.rowid, a.title, a.region, a.date from articles a join articles_fts f on f.rowid = a.rowid "
            "where articles_fts match :phrase order by a.date desc, a.rowid desc limit 20")  # ours: newest first
TABLE_SQL = ("select rowid, title, region, date from articles where region_code like '12%' "
             "order by date desc, rowid desc")


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.zs = python_command("zhaoshang", "zhaoshang_cli")
        self.su = python_command("sqlite-utils", "sqlite_utils")
        self.stores = Stores(args.out, self.zs, self.su)
        self.targets = Targets.at(args.articles)
        self.quick = max(args.repeat, 9)
        self.scratch = args.out / "scratch"
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.rows: list[Row] = []

    def note(self, label: str, ours: Timing, theirs: Timing | None, target: Target | None) -> None:
        self.rows.append(Row.timed(label, ours, theirs, target))

    def sql(self, sdb: Path, query: str, *params: str) -> list[dict]:
        found = subprocess.run([*self.su, "query", str(sdb), query, *params], check=True, capture_output=True,
                               text=True).stdout
        return json.loads(found)


def first_column(path: Path) -> list[str]:
    """The IDs a table lists: the first cell of each line under the header and its rule."""
    with open(path, encoding="utf-8") as lines:
        return [line.split(" ", 1)[0] for i, line in enumerate(lines) if i >= 2 and line.strip()]


def line_count(path: Path) -> int:
    count = 0
    with open(path, "rb") as data:
        while block := data.read(1 << 20):
            count += block.count(b"\n")
    return count


def agree(what: str, ours: int | list[str], theirs: int | list[str]) -> None:
    """Stop the run when both sides did not list the same: a time is worth nothing then."""
    if ours == theirs:
        return
    if isinstance(ours, list) and isinstance(theirs, list):
        at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        what += f" ({len(ours)} and {len(theirs)} rows; from row {at + 1})"
        ours, theirs = ours[at:at + 10], theirs[at:at + 10]
    raise SystemExit(f"{what}: zhaoshang and the comparison differ\n  ours:   {ours}\n  theirs: {theirs}")


# -- 1. import into an empty store ------------------------------------------------------------
def import_all(bench: Bench, data: Path) -> None:
    store, sdb = bench.scratch / "z.json", bench.scratch / "s.db"
    side = store.with_name(store.name + ".d")
    articles = str(data / "articles.jsonl")
    ours, theirs = compare([*bench.zs, "--db", str(store), "import", articles],
                           [*bench.su, "insert", str(sdb), "articles", articles, "--nl"], bench.args.repeat,
                           setup_ours=lambda: remove(store, side), setup_theirs=lambda: remove(sdb))
    size_mb = os.path.getsize(articles) >> 20
    bench.note(f"import {bench.args.articles} articles ({size_mb} MB JSONL)", ours, theirs,
               bench.targets.import_all)
    remove(store, side, sdb)


# -- 2. the main store: size, reads, text search, export and full listings --------------------
def disk(bench: Bench, store: Path) -> None:
    ours, theirs = bench.stores.built_sizes(store)
    bench.rows.append(Row.sizes("disk, as built: the main store, every file, against the SQLite database with its "
                                "FTS5 table", ours, theirs))


def reads(bench: Bench, store: Path, sdb: Path, when: str) -> None:
    zs, db, targets = bench.zs, ["--db", str(store)], bench.targets
    sql = ("select title, region, date from articles where region_code >= '120114' and region_code < '120115' "
           "and date >= '2025-07-01' order by date desc limit 20")
    ours, plain = compare([*zs, *db, "list", "articles", "--region", "武清", "--since", "2025-07-01", "--limit", "20"],
                          [*bench.su, "query", str(sdb), sql], bench.quick)
    bench.note(f"list --region 武清 --since 2025-07-01 --limit 20{when}", ours, plain, targets.listing)
    middle = max(1, bench.args.articles // 2)
    bench.note(f"show a{middle}{when}", run([*zs, *db, "show", f"a{middle}"], bench.quick), None, targets.show)
    ours = run([*zs, *db, "report", "--region", "天津", "--month", "2025-07"], bench.quick)
    bench.note(f"report --region 天津 --month 2025-07{when}", ours, None, targets.report)


def text_search(bench: Bench, store: Path, sdb: Path, words: tuple[str, ...] = WORDS, where: str = "") -> None:
    """Our default listing of a text search (newest first, then the higher ID) against the
    same columns of the FTS5 trigram table's matches in the same order, with the same limit."""
    rare = f"a{bench.args.articles // 2 + 1}"  # the middle article (generate.py --rare), the line's number
    mine, theirs = bench.scratch / "text-ours", bench.scratch / "text-theirs"
    for word, what, expected, target in (
        *((w, where, None, bench.targets.text) for w in words),
        (RARE, f", a word in one article{where}", [rare], bench.targets.text_rare),
        (NOWHERE, f", a word in none{where}", [], bench.targets.text),
    ):
        if len(word) < 3:  # FTS5's trigrams: a shorter phrase matches nothing
            raise SystemExit(f"{word}: FTS5 trigram cannot search fewer than three characters")
        phrase = '"' + word.replace('"', '""') + '"'
        ours, fts = compare([*bench.zs, "--db", str(store), "list", "articles", "--text", word, "--limit", "20"],
                            [*bench.su, "query", str(sdb), TEXT_SQL, "-p", "phrase", phrase], bench.quick,
                            stdout=(mine, theirs))
        found = first_column(mine)
        agree(f"--text {word}", found, [f"a{r['rowid']}" for r in json.loads(theirs.read_text("utf-8"))])
        if expected is not None:
            agree(f"--text {word} (what the data holds)", found, expected)
        bench.note(f"list articles --text {word} --limit 20{what}", ours, fts, target)
    remove(mine, theirs)


def full_listings(bench: Bench, store: Path, sdb: Path) -> None:
    """Export and listings of every 天津 article, each into a file: ours against sqlite-utils
    writing JSON Lines, and against bench/sqlite_table.py, which sizes and cuts a table as ours does."""
    zs, db, su = bench.zs, ["--db", str(store)], bench.su
    mine, theirs = bench.scratch / "out-ours", bench.scratch / "out-theirs"
    for label, ours_cmd, their_cmd, same in (
        (f"export articles ({bench.args.articles}, JSONL)", [*zs, *db, "export", "articles"],
         [*su, "query", str(sdb), "select * from articles", "--nl"], line_count),
        ("list articles --region 天津, all, as jsonl", [*zs, *db, "list", "articles", "--region", "天津", "--format",
                                                        "jsonl"],
         [*su, "query", str(sdb), "select * from articles where region_code like '12%' order by date desc", "--nl"],
         line_count),
        ("list articles --region 天津, all, as a table", [*zs, *db, "list", "articles", "--region", "天津"],
         python_script(HERE / "sqlite_table.py", str(sdb), TABLE_SQL), first_column),
    ):
        ours, them = compare(ours_cmd, their_cmd, bench.args.repeat, stdout=(mine, theirs))
        agree(label, same(mine), same(theirs))
        bench.note(label, ours, them, bench.targets.full)
        remove(mine, theirs)


def start_up(bench: Bench) -> None:
    ours, floor = compare([*bench.zs, "--help"], python_code("import typer, rich"),
                          max(bench.args.repeat, 21))
    bench.note("zhaoshang --help", ours, floor, bench.targets.help)


# -- 3. single writes on a small and a big store, each against the same change in SQLite --------
def proportion(total: int, args: argparse.Namespace) -> tuple[int, int, int]:
    whole = args.articles + args.policies + args.leads
    articles, policies = total * args.articles // whole, total * args.policies // whole
    return articles, policies, total - articles - policies


def single_writes(bench: Bench) -> None:
    args, zs, su, quick = bench.args, bench.zs, bench.su, bench.quick
    writes: dict[str, dict[str, Timing]] = {}
    row = bench.scratch / "row.json"
    row.write_text(json.dumps({"title": "新引进项目", "region": "武清区", "region_code": "120114",
                               "date": "2026-11-01"}, ensure_ascii=False), "utf-8")
    for label, total in (("small", args.small), ("big", args.big)):
        wstore, wdb = bench.stores.build(bench.stores.data(*proportion(total, args)))
        db = ["--db", str(wstore)]

        # the stores are kept between runs: each run writes to records that are still there
        def ids(*query: str, db: list[str] = db) -> list[int]:
            found = subprocess.run([*zs, *db, "list", *query, "--format", "ids", "--sort", "id"], check=True,
                                   capture_output=True, text=True).stdout.split()
            return [int(i[1:]) for i in found]

        articles = ids("articles", "-n", str(2 * quick))
        leads = ids("leads", *(f"--status={s}" for s in ("new", "contacted", "negotiating", "signed", "lost")),
                    "-n", str(quick))
        done = time.strftime("%m%d%H%M%S")  # new titles for add: a kept store has the last run's
        # the commands are called within this iteration only; the defaults bind this iteration's values
        cases = {
            "add": (lambda i, db=db, label=label, done=done:
                    [*zs, *db, "add", "article", "--title", f"新引进项目{label}{done}-{i}", "--region", "武清",
                     "--date", "2026-11-01"],
                    lambda i, wdb=wdb: [*su, "insert", str(wdb), "articles", str(row)]),
            "edit": (lambda i, db=db, articles=articles, done=done:
                     [*zs, *db, "edit", f"a{articles[2 * i]}", "--title", f"改过的标题{done}-{i}"],
                     lambda i, wdb=wdb, articles=articles, done=done:
                     [*su, "query", str(wdb), f"update articles set title = '改过的标题{done}-{i}' "
                                             f"where rowid = {articles[2 * i]}"]),
            "lead status": (lambda i, db=db, leads=leads: [*zs, *db, "lead", "status", f"l{leads[i]}", "visited"],
                            lambda i, wdb=wdb, leads=leads:
                            [*su, "query", str(wdb), f"update leads set status = 'visited' where rowid = {leads[i]}"]),
            "lead note": (lambda i, db=db, leads=leads, done=done:
                          [*zs, *db, "lead", "note", f"l{leads[i]}", f"约了下周考察{done}-{i}"],
                          lambda i, wdb=wdb, leads=leads, done=done:
                          [*su, "query", str(wdb), f"update leads set company = company || '' "
                                                   f"where rowid = {leads[i]}"]),  # (its table has no notes)
            "rm": (lambda i, db=db, articles=articles: [*zs, *db, "rm", f"a{articles[2 * i + 1]}", "--yes"],
                   lambda i, wdb=wdb, articles=articles:
                   [*su, "query", str(wdb), f"delete from articles where rowid = {articles[2 * i + 1]}"]),
        }
        for name, (mine, theirs) in cases.items():
            ours, them = compare(mine, theirs, quick)
            writes.setdefault(name, {})[label] = ours
            bench.note(f"{name} at {total} records", ours, them, bench.targets.write if label == "big" else None)
    for name, by_size in writes.items():
        bench.note(f"{name}: {args.big} against {args.small} records", by_size["big"], by_size["small"],
                   bench.targets.growth)


# -- 4. many single writes on the main store (the same titles written in its database) -----------
def edit_titles(bench: Bench, store: Path, sdb: Path) -> None:
    count = min(bench.args.writes, bench.args.articles)
    for i in range(count):
        subprocess.run([*bench.zs, "--db", str(store), "edit", f"a{i + 1}", "--title", f"又改过的标题{i}"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bench.sql(sdb, f"update articles set title = '又改过的标题' || (rowid - 1) where rowid <= {count}")


# -- 5. the text index (db text-index): what it costs and what it saves ----------------------------
def text_index(bench: Bench, data: Path, store: Path, sdb: Path) -> None:
    """An import into a store that keeps a text index, against the same import without one
    and against sqlite-utils inserting and then enabling FTS5; turning it on in a copy of the
    main store, the disk it adds, and the text searches on that copy against FTS5."""
    fresh, sdb_fresh = bench.scratch / "zi.json", bench.scratch / "si.db"
    plain = bench.scratch / "zp.json"
    articles = str(data / "articles.jsonl")
    size_mb = os.path.getsize(articles) >> 20

    def indexed_store() -> None:
        remove(fresh, fresh.with_name(fresh.name + ".d"))
        subprocess.run([*bench.zs, "--db", str(fresh), "db", "text-index", "on"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    with_index, fts = compare([*bench.zs, "--db", str(fresh), "import", articles],
                              python_script(HERE / "sqlite_fts_import.py", str(sdb_fresh), "articles", articles),
                              bench.args.repeat, setup_ours=indexed_store, setup_theirs=lambda: remove(sdb_fresh))
    bench.note(f"import {bench.args.articles} articles ({size_mb} MB JSONL) into a store that keeps a text "
               "index, against insert and enable-fts (FTS5 trigram)", with_index, fts, None)
    with_index, without = compare([*bench.zs, "--db", str(fresh), "import", articles],
                                  [*bench.zs, "--db", str(plain), "import", articles], bench.args.repeat,
                                  setup_ours=indexed_store,
                                  setup_theirs=lambda: remove(plain, plain.with_name(plain.name + ".d")))
    bench.note(f"import {bench.args.articles} articles: into a store that keeps a text index, against one that "
               "does not", with_index, without, None)
    remove(fresh, fresh.with_name(fresh.name + ".d"), plain, plain.with_name(plain.name + ".d"), sdb_fresh)

    copy = copy_store(store, bench.scratch / "indexed")
    try:
        turn_on = run([*bench.zs, "--db", str(copy), "db", "text-index", "on"], 1)
        bench.note(f"db text-index on, the main store ({bench.args.articles + bench.args.policies + bench.args.leads}"
                   " records: every segment written again)", turn_on, None, None)
        from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend
        from zhaoshang_cli.storage.tinydb.text_indexing import state

        built = bench.stores.built_sizes(store)[0]  # the copy keeps the old segments for its backups
        added = state(TinyDBBackend(copy)).size
        bench.rows.append(Row.sizes(f"disk: the main store as built with its text indexes ({added / 2**20:.1f} MB), "
                                    "against without", built + added, built))
        text_search(bench, copy, sdb, WORDS[:1], ", with the text index")
    finally:
        remove(copy.parent)


# -- 6. new records imported into the main store ------------------------------------------------
def import_new(bench: Bench, data: Path, store: Path, sdb: Path) -> Row:
    """``--new`` articles no store holds, different ones each run, imported into a copy of the
    main store, against ``sqlite-utils insert`` of the same rows into the main database (its
    FTS5 table kept by triggers), from which they are deleted afterwards."""
    args, scratch = bench.args, bench.scratch
    count = min(args.new, max(1, args.articles // 10))
    files = [bench.stores.new_articles(data, count, batch + 1, scratch) for batch in range(args.repeat)]
    size_mb = os.path.getsize(files[0]) >> 20
    last = bench.sql(sdb, "select max(rowid) as last from articles")[0]["last"]
    copy = copy_store(store, scratch / "copy")
    try:
        ours, theirs = compare(lambda i: [*bench.zs, "--db", str(copy), "import", str(files[i])],
                               lambda i: [*bench.su, "insert", str(sdb), "articles", str(files[i]), "--nl"],
                               args.repeat)
    finally:
        remove(copy.parent, *files)
        bench.sql(sdb, f"delete from articles where rowid > {last}")
    label = f"import {count} new articles ({size_mb} MB JSONL) into the main store (a copy) and its database"
    return Row.timed(label, ours, theirs, bench.targets.import_new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=10_000, help="records of the small store for single writes")
    parser.add_argument("--big", type=int, default=200_000, help="records of the big store for single writes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--writes", type=int, default=200, help="single writes before the reads are timed again")
    parser.add_argument("--new", type=int, default=10_000,
                        help="new articles imported into the main store (at most a tenth of --articles)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-readme", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()
    bench = Bench(args)

    data = bench.stores.data(args.articles, args.policies, args.leads)
    import_all(bench, data)
    imported = len(bench.rows)
    store, sdb = bench.stores.build(data, fts=True)
    disk(bench, store)
    reads(bench, store, sdb, "")
    text_search(bench, store, sdb)
    text_index(bench, data, store, sdb)
    full_listings(bench, store, sdb)
    start_up(bench)
    single_writes(bench)
    edit_titles(bench, store, sdb)
    reads(bench, store, sdb, f", after {args.writes} single writes")
    # last, so that no other row sees a bigger store; in the table beside the other import
    bench.rows.insert(imported, import_new(bench, data, store, sdb))

    text = render(bench.rows, args)
    print(text)
    if args.write_readme:
        readme = HERE / "README.md"
        old = readme.read_text("utf-8")
        start, end = old.index(MARK_START) + len(MARK_START), old.index(MARK_END)
        readme.write_text(old[:start] + "\n" + text + "\n" + old[end:], "utf-8")


def render(rows: list[Row], args: argparse.Namespace) -> str:
    defaults = {"articles": 100_000, "policies": 10_000, "leads": 20_000, "small": 10_000, "big": 200_000,
                "repeat": 3, "writes": 200, "new": 10_000}
    command = "python bench/run.py" + "".join(f" --{k} {getattr(args, k)}" for k, v in defaults.items()
                                               if getattr(args, k) != v)
    issue = "issue 22's (at a million articles), else issue 11's" if args.articles >= MILLION else "issue 11's"
    return "\n".join([
        f"Command: `{command}` — {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; medians of {args.repeat} runs for imports and exports, {max(args.repeat, 9)} for "
        f"the rest, {max(args.repeat, 21)} for --help, ours and the comparison alternately. Memory: peak RSS in MB "
        "of every process of the command, added: for zhaoshang the storing process and, in a big import, the "
        "second process it forks (shown as main + second); each program runs through bench/peak.py, which "
        f"reads its own peak (VmHWM) and its child's (RUSAGE_CHILDREN) as it exits. Targets: {issue}.",
        "",
        table(rows),
        "",
        "Comparisons (sqlite-utils on a database of the same records, the articles in the same order, so that "
        "article aN is row N): `insert --nl` of the same file; `query` of the same filter (no index); for `--text`, "
        "an SQL query of the FTS5 trigram table of titles and bodies returning ID, title, region and date in our "
        "order (newest first, then the higher ID) with the same limit, checked to list the same records as ours; "
        f"{RARE} is in one article's body (generate.py --rare), {NOWHERE} in none; the rows \"with the text index\" "
        "search a copy of the main store after `db text-index on`; for the import into a store that keeps a text "
        "index, bench/sqlite_fts_import.py: `insert --nl`, then `enable-fts … --tokenize trigram --create-triggers`, "
        "in one process; `query … --nl` for the export "
        "and the JSON Lines listing (as many lines as ours); for the table, bench/sqlite_table.py: the query "
        "through Python's sqlite3, columns sized from the first 200 rows by display width and titles cut with "
        "an ellipsis as ours are (checked to list the same IDs in the same order; `query --table` sizes over "
        "every row first); for single writes one `insert` of a row, or one `UPDATE`/`DELETE` by rowid; the "
        "big-against-small rows compare our own write on the big store with the same write on the small one; "
        "the new articles (others in each run, each with a URL of its own) are imported into a copy of the main "
        "store and inserted into its database (FTS5 kept by its triggers), from which they are deleted afterwards; "
        "disk: the bytes of every file of the store against the database file, when they were built; "
        "`python -c \"import typer, rich\"` for --help.",
    ])


if __name__ == "__main__":
    main()
