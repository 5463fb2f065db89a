"""Time whole zhaoshang processes against sqlite-utils on the same data, in one run.

    pip install '.[bench]'
    python bench/run.py                       # 100k articles, 10k policies, 20k leads
    python bench/run.py --write-readme        # …and put the table in bench/README.md
    python bench/run.py --articles 300 --policies 30 --leads 60 --repeat 1   # smoke test

Each command runs ``--repeat`` times as a separate process; the table shows medians,
the ratio to the comparison run in the same session, and the peak memory (max RSS)
of the zhaoshang process.  Targets are from issue 5.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK_START = "<!-- bench-results -->"
MARK_END = "<!-- /bench-results -->"


@dataclass
class Timing:
    seconds: float
    peak_mb: float


def run(cmd: list[str], setup=None, repeat: int = 3) -> Timing:
    """Median wall time and the largest peak RSS of ``repeat`` runs of ``cmd``."""
    times, peaks = [], []
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.read().decode()}")
        proc.stderr.close()
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return Timing(statistics.median(times), max(peaks))


def compare(ours: list[str], theirs: list[str], repeat: int, setup_ours=None, setup_theirs=None) -> tuple[Timing, Timing]:
    """Both commands, alternating run by run, so that a slow spell of the machine hits both."""
    a, b = [], []
    for _ in range(repeat):
        a.append(run(ours, setup_ours, 1))
        b.append(run(theirs, setup_theirs, 1))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--write-readme", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()

    zs = [tool("zhaoshang")] if tool("zhaoshang") else [sys.executable, "-m", "zhaoshang_cli"]
    su = tool("sqlite-utils")
    if su is None:
        raise SystemExit("sqlite-utils is missing: pip install '.[bench]'")
    size = f"{args.articles}-{args.policies}-{args.leads}"
    data = args.out / f"data-{size}"
    work = args.out / f"work-{size}"
    if not (data / "leads.jsonl").exists():
        print(f"generating {size} into {data} …", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(data), "--articles", str(args.articles),
                        "--policies", str(args.policies), "--leads", str(args.leads)], check=True)
    work.mkdir(parents=True, exist_ok=True)
    articles = str(data / "articles.jsonl")
    store, sdb = work / "zhaoshang.json", work / "s.db"
    side = work / "zhaoshang.json.d"
    rows: list[tuple[str, Timing, Timing | None, str, str]] = []

    def note(label: str, ours: Timing, theirs: Timing | None, target: str, ok: str) -> None:
        rows.append((label, ours, theirs, target, ok))
        print(f"  {label}: {ours.seconds:.3f}s" + (f" vs {theirs.seconds:.3f}s" if theirs else ""), file=sys.stderr)

    # 1. import 100k articles into an empty store
    ours, theirs = compare([*zs, "--db", str(store), "import", articles],
                           [su, "insert", str(sdb), "articles", articles, "--nl"], args.repeat,
                           setup_ours=lambda: remove(store, side), setup_theirs=lambda: remove(sdb))
    ratio = ours.seconds / theirs.seconds
    note(f"import {args.articles} articles (JSONL)", ours, theirs, "≤ 0.6×", "yes" if ratio <= 0.6 else "no")

    # the full store on both sides
    remove(store, side, sdb)
    subprocess.run([*zs, "--db", str(store), "import", articles, str(data / "policies.jsonl"),
                    str(data / "leads.jsonl")], check=True, stderr=subprocess.DEVNULL)
    for kind in ("articles", "policies", "leads"):
        subprocess.run([su, "insert", str(sdb), kind, str(data / f"{kind}.jsonl"), "--nl"], check=True)
    indexed = work / "s-indexed.db"
    shutil.copy(sdb, indexed)
    subprocess.run([su, "create-index", str(indexed), "articles", "region_code", "date"], check=True)

    # 2. the filtered list
    sql = ("select title, region, date from articles where region_code >= '120114' and region_code < '120115' "
           "and date >= '2025-07-01' order by date desc limit 20")
    listing = [*zs, "--db", str(store), "list", "articles", "--region", "武清", "--since", "2025-07-01",
               "--limit", "20"]
    quick = max(args.repeat, 9)
    ours, plain = compare(listing, [su, "query", str(sdb), sql], quick)
    _, with_index = compare(listing, [su, "query", str(indexed), sql], quick)
    ratio = ours.seconds / plain.seconds
    ok = ratio <= 1.5 and ours.seconds < 0.5 and ours.peak_mb < 300
    note("list --region 武清 --since 2025-07-01 --limit 20", ours, plain, "≤ 1.5× unindexed, < 0.5 s, < 300 MB",
         "yes" if ok else "no")
    note("  … against sqlite-utils with an index", ours, with_index, "(for reference)", "")

    # 3. show, report, --help
    middle = max(1, args.articles // 2)
    ours = run([*zs, "--db", str(store), "show", f"a{middle}"], repeat=quick)
    note(f"show a{middle}", ours, None, "< 0.3 s", "yes" if ours.seconds < 0.3 else "no")
    ours = run([*zs, "--db", str(store), "report", "--region", "天津", "--month", "2025-07"], repeat=quick)
    note("report --region 天津 --month 2025-07", ours, None, "< 1 s", "yes" if ours.seconds < 1 else "no")
    ours, floor = compare([*zs, "--help"], [sys.executable, "-c", "import typer, rich"], max(args.repeat, 21))
    note("zhaoshang --help", ours, floor, "≤ 1.5× `import typer, rich`",
         "yes" if ours.seconds <= 1.5 * floor.seconds else "no")

    table = render(rows, args)
    print(table)
    if args.write_readme:
        readme = HERE / "README.md"
        text = readme.read_text("utf-8")
        start, end = text.index(MARK_START) + len(MARK_START), text.index(MARK_END)
        readme.write_text(text[:start] + "\n" + table + "\n" + text[end:], "utf-8")


def render(rows: list[tuple[str, Timing, Timing | None, str, str]], args: argparse.Namespace) -> str:
    command = "python bench/run.py" + ("" if (args.articles, args.policies, args.leads) == (100_000, 10_000, 20_000)
                                       else f" --articles {args.articles} --policies {args.policies} --leads {args.leads}")
    command += f" --repeat {args.repeat}" if args.repeat != 3 else ""
    lines = [
        f"Command: `{command}` — {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; medians of {args.repeat} runs for imports, {max(args.repeat, 9)} for queries, "
        f"{max(args.repeat, 21)} for --help, each pair of commands run alternately; peak = max RSS of the zhaoshang "
        "process.",
        "",
        "| benchmark | zhaoshang | comparison | ratio | peak MB | target | met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for label, ours, theirs, target, ok in rows:
        comparison = f"{theirs.seconds:.3f} s" if theirs else "–"
        ratio = f"{ours.seconds / theirs.seconds:.2f}×" if theirs else "–"
        lines.append(f"| {label} | {ours.seconds:.3f} s | {comparison} | {ratio} | {ours.peak_mb:.0f} | {target} | {ok} |")
    lines.append("")
    lines.append("Comparisons: `sqlite-utils insert --nl` of the same file; `sqlite-utils query` of the same filter "
                 "(unindexed, then with an index on region_code, date); `python -c \"import typer, rich\"`.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
