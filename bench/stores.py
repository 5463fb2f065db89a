"""The bench's data and stores: generated once and kept in ``--out`` between runs.

Each store is a zhaoshang store beside an SQLite database of the same records, built from
the same files: the articles first, into an empty store, so that article ``aN`` is the
database's row ``N`` (the N-th line of articles.jsonl).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from measure import HERE, disk_bytes, remove

KINDS = ("articles", "policies", "leads")
RARE = "瑞拓精密轴承"  # in the body of one article, the middle one (bench/generate.py --rare)


class Stores:
    def __init__(self, out: Path, zs: list[str], su: list[str]):
        self.out, self.zs, self.su = out, zs, su

    def data(self, articles: int, policies: int, leads: int) -> Path:
        """Generated files of these sizes (made once), one article carrying the word RARE."""
        folder = self.out / f"data-{articles}-{policies}-{leads}-rare"
        if not (folder / "leads.jsonl").exists():
            print(f"generating {folder.name} …", file=sys.stderr)
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(folder), "--articles", str(articles),
                            "--policies", str(policies), "--leads", str(leads), "--rare", RARE], check=True)
        return folder

    def build(self, data: Path, fts: bool = False) -> tuple[Path, Path]:
        """A zhaoshang store and an SQLite database of the records of ``data`` (made once; the
        runs that follow keep them, with what they wrote to them)."""
        work = self.out / ("work-" + data.name.removeprefix("data-") + ("-fts" if fts else ""))
        store, sdb = work / "zhaoshang.json", work / "s.db"
        if _sizes(work) is None:
            remove(work)
            work.mkdir(parents=True)
            subprocess.run([*self.zs, "--db", str(store), "import", *(str(data / f"{k}.jsonl") for k in KINDS)],
                           check=True, stderr=subprocess.DEVNULL)
            for kind in KINDS:
                subprocess.run([*self.su, "insert", str(sdb), kind, str(data / f"{kind}.jsonl"), "--nl"], check=True,
                               stdout=subprocess.DEVNULL)
            if fts:
                subprocess.run([*self.su, "enable-fts", str(sdb), "articles", "title", "body", "--tokenize", "trigram",
                                "--create-triggers"], check=True, stdout=subprocess.DEVNULL)
            sizes = {"store": disk_bytes(store, store.with_name(store.name + ".d")),
                     "database": disk_bytes(sdb, sdb.with_name(sdb.name + "-wal"))}
            (work / "ready").write_text(json.dumps(sizes))
        return store, sdb

    @staticmethod
    def built_sizes(store: Path) -> tuple[int, int]:
        """Bytes of every file of the store and of its database as they were built (a kept
        store holds more: the backups of what later runs wrote)."""
        sizes = _sizes(store.parent)
        assert sizes is not None, "built before"
        return sizes["store"], sizes["database"]

    def new_articles(self, data: Path, count: int, batch: int, into: Path) -> Path:
        """``count`` articles no store holds yet, batch by batch: the first ones of ``data`` under
        a URL of their own (an article's natural key is its URL) and their title marked."""
        path = into / f"new-{batch}.jsonl"
        with open(data / "articles.jsonl", encoding="utf-8") as source, open(path, "w", encoding="utf-8") as out:
            for i, line in zip(range(count), source):
                row = json.loads(line)
                row["url"] = f"https://zs.example.org/new/{batch}/{i + 1}.html"
                row["title"] += f"（新{batch}）"
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return path


def copy_store(store: Path, into: Path) -> Path:
    """A copy of a store (its file and its folder), as the same name in ``into``."""
    remove(into)
    into.mkdir(parents=True)
    side = store.with_name(store.name + ".d")
    try:  # a copy-on-write filesystem copies nothing
        subprocess.run(["cp", "-a", "--reflink=auto", str(store), str(side), str(into)], check=True,
                       stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        remove(into)
        into.mkdir(parents=True)
        shutil.copy2(store, into / store.name)
        shutil.copytree(side, into / side.name, symlinks=True)
    return into / store.name


def _sizes(work: Path) -> dict[str, int] | None:
    """What ``work/ready`` says was built there, or None: not built, or not to the end."""
    try:
        return json.loads((work / "ready").read_text())
    except (OSError, ValueError):
        return None
