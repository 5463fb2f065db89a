"""What an import holds does not grow with the store or with the records it creates: the
compact table of natural keys (key_table.py) and what the batch keeps of its own records."""

import gc
import importlib
import json
import pkgutil
import random
import tracemalloc

import pytest

import zhaoshang_cli
from zhaoshang_cli.service.imports import _Numbers
from zhaoshang_cli.storage.tinydb import keys, segments
from zhaoshang_cli.storage.tinydb.index import key_hash
from zhaoshang_cli.storage.tinydb.key_table import KeyTable


def test_the_key_table_gives_every_number_a_hash_may_stand_for():
    table = KeyTable()
    same_half = (7 << 32) | 1, (7 << 32) | 2  # two hashes with the same upper half
    table.add(same_half[0], 10)
    table.add(same_half[1], 11)
    table.add(same_half[0], 12)  # two records with one key
    table.add(0, 13)  # no key: not held
    assert table.get(same_half[0]) == table.get(same_half[1]) == [10, 11, 12]
    assert table.get(8 << 32) == [] and len(table) == 3
    table.add(-(5 << 32), 14)  # negative hashes (signed 64 bits) as well
    assert table.get(-(5 << 32)) == [14]


def test_the_key_table_takes_no_number_for_a_hash():
    table = KeyTable()
    table.add(21 << 32, 5)  # bucket 5 of 16 holds the number 5…
    table.add(0x00050005 << 32, 7)  # …and bytes 05 00 05 00 07 00 00 00
    assert table.get(5 << 32) == []  # 5 is a number there, not a half
    assert table.get(0x00070005 << 32) == []  # 05 00 07 00 straddles a half and a number
    assert table.get(0x00050005 << 32) == [7]


def test_the_key_table_grows_and_finds_every_record():
    rng = random.Random(7)
    hashes = [rng.getrandbits(64) - (1 << 63) or 1 for _ in range(20_000)]
    table = KeyTable()
    for number, hashed in enumerate(hashes[:15_000], start=1):
        table.add(hashed, number)
    table.add_all(hashes[15_000:], range(15_001, 20_001))
    assert len(table) == 20_000
    assert all(number in table.get(hashed) for number, hashed in enumerate(hashes, start=1))
    false = sum(len(table.get(hashed)) - 1 for hashed in hashes)
    assert false < 20  # half a hash rarely matches another record's
    assert all(table.get(rng.getrandbits(64) - (1 << 63)) == [] for _ in range(1000))


def test_the_numbers_a_batch_created_are_kept_as_runs():
    numbers = _Numbers()
    for number in [*range(5, 1005), 2000, 2001, 3000]:
        numbers.add(number)
    assert len(numbers.starts) == 3
    assert all(n in numbers for n in (5, 1004, 2000, 2001, 3000))
    assert not any(n in numbers for n in (4, 1005, 1999, 2002, 2999, 3001))


def _articles(path, numbers, prefix="p"):
    path.write_text("".join(json.dumps({"title": f"{prefix}项目{i}", "region": "武清", "date": "2025-07-01",
                                        "url": f"https://e.org/{prefix}/{i}.html", "body": f"正文{i}"},
                                       ensure_ascii=False) + "\n" for i in numbers), "utf-8")
    return path


@pytest.mark.parametrize("collide", ["half", "whole"])
def test_keys_are_found_through_hash_collisions(cli, tmp_path, monkeypatch, collide):
    """Every key hashing alike (or to the same upper half, which is all the table keeps):
    stored records, records of an earlier chunk and rows of the same chunk are still told
    apart by their documents, and each key is imported once."""
    if collide == "whole":
        monkeypatch.setattr(keys, "key_hash", lambda key: 0 if key is None else 1 << 40)
    else:
        monkeypatch.setattr(keys, "key_hash", lambda key: 0 if key is None else (1 << 40) | key_hash(key) & 0xFFFFFFFF)
    cli("import", str(_articles(tmp_path / "stored.jsonl", range(0, 40))))
    monkeypatch.setattr("zhaoshang_cli.io.importers.inputs.CHUNK", 30)
    batch = _articles(tmp_path / "batch.jsonl", [*range(20, 120), *range(100, 130), *range(0, 10)])
    result = cli("import", str(batch))
    assert "90 added, 0 updated, 50 unchanged" in result.stderr
    articles = cli.stored("articles")
    assert sorted(doc["url"] for doc in articles.values()) == sorted(f"https://e.org/p/{i}.html" for i in range(130))


@pytest.mark.backends
def test_later_rows_merge_into_records_earlier_chunks_created(cli, tmp_path, monkeypatch):
    """Chunks of two rows: the fourth row updates l1 (created a chunk before) and names l2
    (a chunk before) as its source; the sixth names l4, created by the row before it."""
    monkeypatch.setattr("zhaoshang_cli.io.importers.inputs.CHUNK", 2)
    rows = [{"company": f"公司{i}", "phone": f"1380000000{i}"} for i in range(3)]
    rows += [{"company": "公司0", "phone": "13800000000", "status": "contacted", "source": "l2"},
             {"company": "新公司", "phone": "13900000000"},
             {"company": "又一家", "phone": "13900000001", "source": "l4"}]
    batch = tmp_path / "leads.jsonl"
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    result = cli("import", str(batch), "--on-conflict", "update")
    assert "5 added, 0 updated, 1 unchanged" in result.stderr
    lead = cli.json("show", "l1")
    assert lead["status"] == "contacted" and lead["source"] == "l2"
    assert [h["to"] for h in lead["history"]] == ["contacted"]  # created as it ends
    assert cli.json("show", "l5")["source"] == "l4"


def _import_peak(cli, batch) -> int:
    """The traced peak of one import, from the same state each time: the collector's generations
    emptied (garbage left by earlier tests is not this import's), every module of the package
    loaded (one compiled for the first time inside the import counts its compiler's memory,
    which made the peak depend on what the tests before this one happened to import)."""
    for info in pkgutil.walk_packages(zhaoshang_cli.__path__, "zhaoshang_cli."):
        if ".postgres" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    gc.collect()
    tracemalloc.start()
    try:
        cli("import", str(batch))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_importing_into_a_bigger_store_takes_no_more_memory(tmp_path, monkeypatch):
    """The same 400 new rows into a store of 2048 articles and of four times as many: the
    peak may grow by a few bytes per stored record (the key table keeps 8), not by the
    hundreds a dict of keys took."""
    from conftest import Cli

    monkeypatch.setattr(segments, "RESIDENT_INDEXES", 2)  # a cache bounded by its own size, not ours
    monkeypatch.setattr("zhaoshang_cli.io.importers.inputs.BLOCK", 1 << 16)  # a read's buffer is no peak
    peaks = []
    for size in (2048, 4 * 2048):
        cli = Cli(tmp_path / f"store{size}" / "zhaoshang.json")
        cli("import", str(_articles(tmp_path / f"stored{size}.jsonl", range(size), "s")))
        peaks.append(_import_peak(cli, _articles(tmp_path / "new.jsonl", range(400))))
    grown = peaks[1] - peaks[0]
    assert grown < 40 * 3 * 2048, f"peak {peaks[0]} → {peaks[1]}: {grown / (3 * 2048):.0f} bytes per stored record"
