"""What each benchmark must meet, and the table of results.

The targets are issue 11's (set at 100 000 articles) at every size, except from a million
articles on, where issue 22's replace them where it sets any: memory of reads under 60 MB, a
full import under 200 MB, an import of 10 000 new records into the big store under 120 MB,
and a search for a word found in one record no slower than FTS5.  Memory is always that of
all the processes of a command, added.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from measure import Timing

MILLION = 1_000_000


@dataclass(frozen=True)
class Target:
    ratio: float | None = None  # at most this many times the comparison's time
    against: str = ""  # what the comparison is, when the label does not say
    seconds: float | None = None  # under this wall time
    mb: float | None = None  # under this much memory, processes summed

    def text(self) -> str:
        parts = []
        if self.ratio is not None:
            parts.append(f"≤ {self.ratio:.1f}×" + (f" {self.against}" if self.against else ""))
        if self.seconds is not None:
            parts.append(f"< {self.seconds:g} s")
        if self.mb is not None:
            parts.append(f"< {self.mb:g} MB")
        return ", ".join(parts)

    def met(self, ours: Timing, theirs: Timing | None) -> bool:
        return ((self.ratio is None or theirs is None or ours.seconds <= self.ratio * theirs.seconds)
                and (self.seconds is None or ours.seconds < self.seconds)
                and (self.mb is None or ours.peak_mb < self.mb))


@dataclass(frozen=True)
class Targets:
    import_all: Target
    import_new: Target | None
    listing: Target  # list … --limit 20 against the same query unindexed
    show: Target
    report: Target
    text: Target  # list --text W --limit 20 against FTS5
    text_rare: Target  # …of a word found in one record
    full: Target  # export and full listings
    help: Target
    write: Target  # a single write on the big store
    growth: Target  # the same write on the big store against the small one

    @staticmethod
    def at(articles: int) -> Targets:
        issue_11 = Targets(
            import_all=Target(1.0, mb=300), import_new=None,
            listing=Target(1.5, "unindexed"), show=Target(seconds=0.3), report=Target(seconds=1),
            text=Target(1.5, "FTS5 trigram", mb=150), text_rare=Target(1.5, "FTS5 trigram", mb=150),
            full=Target(1.5, mb=150), help=Target(1.5, "`import typer, rich`"),
            write=Target(1.5, mb=120), growth=Target(1.5))
        if articles < MILLION:
            return issue_11
        return Targets(
            import_all=Target(1.0, mb=200), import_new=Target(mb=120),
            listing=Target(1.5, "unindexed", mb=60), show=Target(seconds=0.3, mb=60),
            report=Target(seconds=1, mb=60), text=Target(1.5, "FTS5 trigram", mb=60),
            text_rare=Target(1.0, "FTS5 trigram", mb=60), full=Target(1.5, mb=60),
            help=issue_11.help, write=issue_11.write, growth=issue_11.growth)


@dataclass(frozen=True)
class Row:
    label: str
    ours: str
    theirs: str = "–"
    ratio: str = "–"
    ours_mb: str = "–"
    theirs_mb: str = "–"
    target: str = ""
    met: str = ""

    @staticmethod
    def timed(label: str, ours: Timing, theirs: Timing | None, target: Target | None) -> Row:
        row = Row(label, f"{ours.seconds:.3f} s", f"{theirs.seconds:.3f} s" if theirs else "–",
                  f"{ours.seconds / theirs.seconds:.2f}×" if theirs else "–", ours.memory(),
                  theirs.memory() if theirs else "–", target.text() if target else "",
                  ("yes" if target.met(ours, theirs) else "no") if target else "")
        print(f"  {label}: {row.ours} {row.ours_mb} MB" + (f" vs {row.theirs} {row.theirs_mb} MB = {row.ratio}"
                                                          if theirs else ""), file=sys.stderr)
        return row

    @staticmethod
    def sizes(label: str, ours: int, theirs: int) -> Row:
        row = Row(label, f"{ours / 2**20:.0f} MB", f"{theirs / 2**20:.0f} MB", f"{ours / theirs:.2f}×")
        print(f"  {label}: {row.ours} vs {row.theirs} = {row.ratio}", file=sys.stderr)
        return row


HEADER = ("| benchmark | zhaoshang | comparison | ratio | zhaoshang MB, processes summed | comparison MB "
          "| target | met |\n|---|---:|---:|---:|---:|---:|---|---|")


def table(rows: list[Row]) -> str:
    lines = [HEADER]
    for r in rows:
        lines.append(f"| {r.label} | {r.ours} | {r.theirs} | {r.ratio} | {r.ours_mb} | {r.theirs_mb} | {r.target} "
                     f"| {r.met} |")
    return "\n".join(lines)
