"""--text through the segments' text digests: every answer against a plain reading of the
records, across fields, cases and characters outside the BMP; a segment without a digest,
a digest that does not fit, and the second process searching half the store."""

import random

import pytest

from zhaoshang_cli.domain import search
from zhaoshang_cli.domain import validate as validation
from zhaoshang_cli.domain.article import ARTICLE
from zhaoshang_cli.domain.lead import LEAD
from zhaoshang_cli.storage.base import Filters, Query
from zhaoshang_cli.storage.tinydb import digests
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend

WORDS = ["武清", "招商", "引资", "生物医药", "Straße", "STRASSE", "AI芯片", "𠀀𠀁", "新能源", "厂房", "ß", "e-mail",
         "项目", "（第1期）", "数据中心", "😀"]
NEEDLES = ["武清", "武清招商", "生物", "strasse", "straße", "ai芯", "𠀀", "𠀁新", "期）", "😀", "清招", "源厂",
           "不存在", "e-m", "a", "中", "\uffff", "房数据"]


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n))


@pytest.fixture
def store(tmp_path, backend, request):
    rng = random.Random(7)
    if backend == "postgres":
        from zhaoshang_cli.storage.postgres.backend import PostgresBackend

        backend = PostgresBackend(request.getfixturevalue("pg_url"))
        request.addfinalizer(backend.close)
    else:
        backend = TinyDBBackend(tmp_path / "z.json", keep_backups=1)
    docs = []
    for i in range(300):
        doc = validation.validate(ARTICLE, {"title": _text(rng, 3) + f"{i}", "region": "武清", "date": "2025-07-01",
                                            "summary": _text(rng, 2), "tags": [_text(rng, 1)]})
        if i % 3:
            doc["body"] = _text(rng, 30)
        docs.append(doc)
    leads = [validation.validate(LEAD, {"company": _text(rng, 2) + f"{i}有限公司", "phone": "13800138000",
                                        "region": "东丽", "notes": _text(rng, 3)}) for i in range(40)]
    with backend.writing() as txn:
        txn.insert(ARTICLE, docs)
        txn.insert(LEAD, leads)
    # some records changed after: a new title, a new body, one gone
    with backend.writing() as txn:
        txn.update(ARTICLE, 5, {**txn.get("a5").doc, "title": "改成了数据中心𠀀"})
        txn.update(ARTICLE, 7, {**txn.get("a7").doc, "body": "新的正文：武清招商引资"})
        txn.remove(ARTICLE, [9])
    return backend


def _brute(backend, kind, needle):
    with backend.reading() as reader:
        return sorted(r.number for r in reader.select(Query((kind,), Filters(), with_body=True))
                      if search.text_hit(kind, r.doc, needle, r.body))


def _engine(backend, kind, needle):
    with backend.reading() as reader:
        return sorted(r.number for r in reader.select(Query((kind,), Filters(text=needle))))


@pytest.mark.backends
@pytest.mark.parametrize("needle", NEEDLES)
def test_every_answer_is_what_the_records_say(store, needle):
    needle = needle.casefold()
    for kind in (ARTICLE, LEAD):
        expected = [] if "\uffff" in needle else _brute(store, kind, needle)
        assert _engine(store, kind, needle) == expected
    assert any(_brute(store, k, n.casefold()) for k in (ARTICLE, LEAD) for n in NEEDLES[:10])


def test_a_match_never_spans_two_fields(tmp_path):
    backend = TinyDBBackend(tmp_path / "z.json")
    with backend.writing() as txn:
        txn.insert(ARTICLE, [{**validation.validate(ARTICLE, {"title": "武清", "region": "武清", "date": "2025-07-01"}),
                              "body": "招商"}])
    assert _engine(backend, ARTICLE, "武清") == [1] and _engine(backend, ARTICLE, "招商") == [1]
    assert _engine(backend, ARTICLE, "清招") == []


def test_without_a_digest_or_with_one_that_does_not_fit_the_answers_stay_right(store):
    expected = {n: _brute(store, ARTICLE, n) for n in ("武清", "数据中心", "strasse")}
    digest_file = next(store.segments_dir.glob("articles.*.txt"))
    digest_file.write_bytes(digests.encode([(b"x", b"y")]))  # one row for a segment of 299
    assert {n: _engine(store, ARTICLE, n) for n in expected} == expected
    digest_file.unlink()
    assert {n: _engine(store, ARTICLE, n) for n in expected} == expected
    with store.writing() as txn:  # the next write of the segment brings the digest back
        txn.update(ARTICLE, 1, {**txn.get("a1").doc, "title": "再改一次"})
    assert next(store.segments_dir.glob("articles.*.txt")).exists()
    expected = {n: _brute(store, ARTICLE, n) for n in ("武清", "数据中心", "strasse", "再改")}
    assert expected["再改"] == [1]
    assert {n: _engine(store, ARTICLE, n) for n in expected} == expected


def test_a_search_of_many_segments_finds_what_a_scan_finds(store, monkeypatch):
    expected = {n: _brute(store, ARTICLE, n) for n in ("武清", "𠀀", "e-m")}
    monkeypatch.setattr("zhaoshang_cli.storage.tinydb.segments.SIZE", 64)  # many segments
    small = TinyDBBackend(store.path.parent / "small.json")
    with store.reading() as reader:
        records = list(reader.select(Query((ARTICLE,), Filters(), with_body=True)))
    with small.writing() as txn:
        for r in records:
            txn.insert(ARTICLE, [{**r.doc, **({"body": r.body} if r.body else {})}], [r.number])
    assert len(list(small.segments_dir.glob("articles.*.txt"))) > 2
    assert {n: _engine(small, ARTICLE, n) for n in expected} == expected


PLACES = ["武清", "东丽", "西青", "津南", "北辰", "宁河", "静海", "蓟州", "宝坻", "滨海新区", "海淀区", "昌平区",
          "顺义区", "浦东新区", "苏州工业园区", "姑苏区", "余杭区", "天河区", "武侯区"]


@pytest.mark.parametrize("indexed", [False, True], ids=["digests", "text index"])
def test_a_limited_sorted_search_gives_what_searching_every_row_gives(tmp_path, monkeypatch, indexed):
    """``list --text 词 --limit N`` searches the rows first in the order first (a band): the
    answer, records and bodies in order, is the one of searching every row, whatever the
    sort, the limit, the filters, ties on the sort value, records without a date or region,
    two kinds at once, a segment without a digest or a test on documents; with the store's
    text index ruling segments out first, too."""
    from zhaoshang_cli.domain import sorting
    from zhaoshang_cli.domain.regions import table
    from zhaoshang_cli.storage.tinydb import engine, text_search

    monkeypatch.setattr("zhaoshang_cli.storage.tinydb.segments.SIZE", 64)  # many segments
    monkeypatch.setattr(text_search, "_BAND", 16)
    monkeypatch.setattr(text_search, "_BAND_PER_LIMIT", 4)
    monkeypatch.setattr(text_search, "_FIRST_RUN", 2)
    rng = random.Random(11)
    backend = TinyDBBackend(tmp_path / "z.json", keep_backups=1)
    articles = []
    for i in range(800):
        doc = validation.validate(ARTICLE, {
            "title": _text(rng, 2) + f"{i}", "region": rng.choice(PLACES),
            "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "source": rng.choice(["展会", "展会", "官网", ""])})
        doc["body"] = _text(rng, 12)
        articles.append(doc)
    leads = [validation.validate(LEAD, {  # some without a date or a region: sort value 0
        "company": _text(rng, 2) + f"{i}有限公司", "phone": "13800138000", "notes": _text(rng, 3),
        "source": rng.choice(["展会", "电话"]),
        **({"region": rng.choice(PLACES)} if i % 3 else {}),
        **({"date": f"2025-{rng.randint(1, 12):02d}-01"} if i % 4 else {})}) for i in range(300)]
    with backend.writing() as txn:
        txn.insert(ARTICLE, articles)
        txn.insert(LEAD, leads)
    if indexed:
        from zhaoshang_cli.storage.tinydb.text_indexing import switch

        assert switch(backend, True).indexed > 10
    next(backend.segments_dir.glob("articles.*.txt")).unlink()  # one segment searched the slow way

    answered = set()
    real = engine.Engine._first_by_text
    band = [True]

    def spy(self, query):
        if not band[0]:
            return None
        found = real(self, query)
        if found is not None:
            answered.add((query.sort.spec, len(query.kinds), bool(query.filters.fields), bool(query.filters.places)))
        return found

    monkeypatch.setattr(engine.Engine, "_first_by_text", spy)

    def records(reader, query, with_band):
        band[0] = with_band
        return [(r.id, r.doc, r.body) for r in reader.select(query)]

    tianjin = table().resolve("天津").code[:2]
    with backend.reading() as reader:
        for kinds in ((ARTICLE,), (ARTICLE, LEAD)):
            for needle in ("武清", "生物医药", "不存在", "𠀀"):
                for spec in ("-date", "date", "region", "-region"):
                    for limit in (0, 1, 3, 20):
                        for filters in (Filters(text=needle), Filters(text=needle, places=(tianjin,)),
                                        Filters(text=needle, fields=(("source", ("展会",)),))):
                            query = Query(kinds, filters, sorting.parse(spec), limit, with_body=True)
                            assert records(reader, query, True) == records(reader, query, False), \
                                (kinds, needle, spec, limit, filters)
    for spec in ("-date", "date", "region", "-region"):  # the band answered each kind of query
        assert {(spec, 1, False, False), (spec, 2, False, False), (spec, 1, True, False),
                (spec, 1, False, True)} <= answered, (spec, answered)
