"""Reads hold what their answer needs, not the store: segment indexes are dropped as a read
moves on (segments.RESIDENT_INDEXES), and a sorted listing gathers one integer a match and
reads indexes again a window at a time (order.py).  Shown with segments of a few records,
so that a small store has many, and windows of a few rows."""

from __future__ import annotations

import random
import tracemalloc

import pytest

from zhaoshang_cli.domain import validate as validation
from zhaoshang_cli.domain.kind import KINDS
from zhaoshang_cli.domain.sorting import Sort
from zhaoshang_cli.storage.base import Filters, Query
from zhaoshang_cli.storage.tinydb import order, segments
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend

ARTICLE, LEAD = KINDS["article"], KINDS["lead"]
PLACES = ["武清", "东丽", "西青", "海淀区", "浦东新区", "苏州工业园区"]


def _store(path, articles: int, leads: int, seed: int = 5) -> TinyDBBackend:
    rng = random.Random(seed)
    backend = TinyDBBackend(path, keep_backups=1)
    with backend.writing() as txn:
        txn.insert(ARTICLE, [dict(validation.validate(ARTICLE, {
            "title": f"项目{i}", "region": rng.choice(PLACES),
            "date": f"2025-0{rng.randint(1, 3)}-0{rng.randint(1, 4)}"}), body=f"正文{i}") for i in range(articles)])
        txn.insert(LEAD, [validation.validate(LEAD, {  # a third without a region, a quarter without a date
            "company": f"企业{i}有限公司", "phone": "13800138000",
            **({"region": rng.choice(PLACES)} if i % 3 else {}),
            **({"date": f"2025-0{rng.randint(1, 3)}-01"} if i % 4 else {})}) for i in range(leads)])
    return backend


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(segments, "SIZE", 16)
    monkeypatch.setattr(segments, "RESIDENT_INDEXES", 3)
    monkeypatch.setattr(order, "WINDOW", 7)


def test_sorted_listings_through_windows_and_dropped_indexes_give_the_order_asked(tmp_path, small_parts):
    backend = _store(tmp_path / "z.json", 150, 90)
    places = Filters(places=("120114", "120110"))
    with backend.reading() as reader:
        for kinds in ((ARTICLE,), (ARTICLE, LEAD)):
            every = list(reader.select(Query(kinds, with_body=True)))
            assert len(every) == (150 if len(kinds) == 1 else 240)
            for spec in ("date", "-date", "region", "-region", "id", "-id"):
                sort = Sort(spec.lstrip("-"), spec.startswith("-"))
                key, reverse = sort.key()
                for filters in (Filters(), places):
                    chosen = [r for r in every if filters is not places or r.doc.get("region_code") in places.places]
                    expected = [(r.id, r.doc, r.body) for r in
                                sorted(chosen, key=lambda r: key(r.kind, r.number, r.doc), reverse=reverse)]
                    for limit in (None, 0, 1, 5, 40):
                        got = [(r.id, r.doc, r.body) for r in
                               reader.select(Query(kinds, filters, sort, limit, with_body=True))]
                        assert got == expected[:limit], (kinds, spec, filters, limit)


def _peak(work) -> int:
    """The least of three peaks of ``work`` (a cache some run fills is not what is measured)."""
    peaks = []
    for _ in range(3):
        tracemalloc.start()
        try:
            work()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(peaks)


def test_a_read_holds_no_more_for_a_store_four_times_the_size(tmp_path, monkeypatch):
    monkeypatch.setattr(segments, "SIZE", 32)
    monkeypatch.setattr(segments, "RESIDENT_INDEXES", 4)
    monkeypatch.setattr(order, "WINDOW", 64)
    small, big = _store(tmp_path / "s" / "z.json", 1000, 0), _store(tmp_path / "b" / "z.json", 4000, 0)
    since = Filters(places=("120114",), since="2025-02-01")

    def reads(backend):
        def work():
            with backend.reading() as reader:
                list(reader.select(Query((ARTICLE,), since, Sort("date", True), 20)))
                list(reader.select(Query((ARTICLE,), Filters(text="项目777"), Sort("date", True), 20)))
                reader.count(Query((ARTICLE,), since))
        return work

    reads(small)(), reads(big)()  # the modules' first use is not what is measured
    def opened(backend):
        def work():
            with backend.reading():
                pass
        return work

    # what opening a store holds grows with its segments (the manifest: 2 KB each); what a
    # read holds beyond that must not: every index of the bigger store kept would be 94
    # segments × 32 rows × 50 bytes more, and a list of rows per segment as much again
    grown = (_peak(reads(big)) - _peak(opened(big))) - (_peak(reads(small)) - _peak(opened(small)))
    assert grown < 40_000, grown
