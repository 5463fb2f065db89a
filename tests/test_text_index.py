"""A file store's text index (``db text-index``): a segment is ruled out of a --text search
only when it cannot hold the needle, whatever the needle's position, characters or length;
single writes keep it covering their records; doctor finds one that does not and mends it;
turning it on and off writes again exactly the segments that differ."""

from __future__ import annotations

import json
import random
import time

import pytest
from conftest import Cli

from zhaoshang_cli.domain import search
from zhaoshang_cli.domain import validate as validation
from zhaoshang_cli.domain.article import ARTICLE
from zhaoshang_cli.storage.base import Filters, Query
from zhaoshang_cli.storage.tinydb import digests, doctor, text_filter
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend
from zhaoshang_cli.storage.tinydb.segments import SegmentView
from zhaoshang_cli.storage.tinydb.text_indexing import state, switch

# CJK of every plane, ASCII that casefolds, a character outside the BMP (two UTF-16 units)
# and one that casefolds to two: a needle starts at either parity in UTF-16 units
PIECES = ["武清", "招商", "生物医药", "Straße", "AI芯片", "𠀀𠀁", "新能源", "厂房", "😀", "e-mail", "（第1期）",
          "精密轴承", "数据中心", "ß", "项目", "a", "中"]


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(n))


def _ruled_out(index: text_filter.Filter, needle: str) -> bool:
    asked = text_filter.asked(search.needle_planes(needle.casefold()))
    if asked is None:
        return False
    bits, bitmap = index
    return not asked.may_hold(bits, {at: bitmap[at] for at in asked.plan(bits)[0]})


def test_a_needle_a_row_holds_is_never_ruled_out():
    rng = random.Random(5)
    for _ in range(200):
        rows = [_text(rng, rng.randint(0, 12)) for _ in range(rng.randint(1, 6))]
        index = text_filter.build(search.planes(row) for row in rows)
        for row in rows:
            folded = row.casefold()
            for _ in range(10):
                if len(folded) < 3:
                    break
                start = rng.randrange(len(folded) - 2)
                needle = folded[start:start + rng.randint(3, 9)]
                assert not _ruled_out(index, needle), (rows, needle)


def test_a_needle_no_row_holds_is_mostly_ruled_out():
    """What the index is for: of needles made of the same pieces but in no row, nearly all are
    ruled out (a bit set by a collision lets a few through)."""
    rng = random.Random(6)
    rows = [_text(rng, 20) for _ in range(50)]
    index = text_filter.build(search.planes(row) for row in rows)
    absent = {n for n in (rng.choice(PIECES[:13]) + "瑞拓" + rng.choice(PIECES[:13]) for _ in range(200))}
    assert sum(_ruled_out(index, n) for n in absent) >= 0.95 * len(absent)
    assert not _ruled_out(index, "瑞拓")  # two characters: nothing to rule out with


def test_short_needles_ask_nothing():
    assert text_filter.asked(search.planes("武清")) is None
    even, odd = text_filter.asked(search.planes("武清区招商")).parities
    assert len(even) == 2 and len(odd) == 2


def _engine(backend, needle):
    with backend.reading() as reader:
        return sorted(r.number for r in reader.select(Query((ARTICLE,), Filters(text=needle))))


def _brute(backend, needle):
    with backend.reading() as reader:
        return sorted(r.number for r in reader.select(Query((ARTICLE,), Filters(), with_body=True))
                      if search.text_hit(ARTICLE, r.doc, needle, r.body))


def _article(rng: random.Random, i: int, body: str | None = None) -> dict:
    doc = validation.validate(ARTICLE, {"title": _text(rng, 3) + f"{i}", "region": "武清", "date": "2025-07-01",
                                        "summary": _text(rng, 2)})
    doc["body"] = body if body is not None else _text(rng, 25)
    return doc


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    """A store of many small segments that keeps a text index from its first write."""
    for module in ("segments", "doctor", "repair"):
        monkeypatch.setattr(f"zhaoshang_cli.storage.tinydb.{module}.SIZE", 32)
    backend = TinyDBBackend(tmp_path / "z.json", keep_backups=1)
    switch(backend, True)
    rng = random.Random(8)
    with backend.writing() as txn:
        txn.insert(ARTICLE, [_article(rng, i) for i in range(300)])
    return backend


def test_answers_are_those_of_a_scan_and_rare_words_skip_segments(indexed, monkeypatch):
    found = state(indexed)
    assert found.on and found.indexed == found.segments >= 9 and found.size > 0
    rng = random.Random(9)
    needles = ["武清招商", "不存在的词", "strasse", "𠀀𠁀", "😀e-", "期）精", "a中a", *(
        _text(rng, 3)[1:6] for _ in range(20))]
    for needle in needles:
        assert _engine(indexed, needle.casefold()) == _brute(indexed, needle.casefold()), needle
    # a word in one record: the other segments' digests are never read
    with indexed.writing() as txn:
        txn.update(ARTICLE, 150, {**txn.get("a150").doc, "body": "本期介绍瑞拓精密轴承有限公司"})
    read = []
    real = SegmentView.digest_by_rows

    def spy(self):
        read.append(self.entry.seq)
        return real(self)

    monkeypatch.setattr(SegmentView, "digest_by_rows", spy)
    assert _engine(indexed, "瑞拓精密轴承") == [150]
    assert read == [(150 - 1) // 32]


def test_single_writes_keep_the_index_covering_their_records(indexed):
    with indexed.writing() as txn:
        txn.update(ARTICLE, 40, {**txn.get("a40").doc, "title": "独一无二的标题词"})
        txn.insert(ARTICLE, [_article(random.Random(1), 999, "正文里有罕见词汇甲乙丙")])
        txn.remove(ARTICLE, [41])
    assert _engine(indexed, "独一无二的标题") == [40]
    assert _engine(indexed, "罕见词汇甲乙丙") == [301]
    assert not [f for f in doctor.diagnose(indexed) if f.level != doctor.OK]
    view = next(v for v in _views(indexed) if v.entry.seq == 1)
    assert digests.Digest(view.path.with_suffix(".txt").read_bytes()).index is not None


def _views(backend):
    with backend.reading() as reader:
        return list(reader.engine.views["article"])


def test_doctor_reports_a_missing_or_short_index_and_mends_it(indexed):
    views = _views(indexed)
    missing, short = views[2].path.with_suffix(".txt"), views[3].path.with_suffix(".txt")
    whole = digests.Digest(missing.read_bytes())
    missing.write_bytes(whole.without_index())  # an index the store keeps, lost (the manifest agreeing)
    data = json.loads(indexed.path.read_text("utf-8"))
    next(e for e in data["segments"].values() if e["file"] == views[2].entry.file).pop("text_index")
    indexed.path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    damaged = digests.Digest(short.read_bytes())
    bits, bitmap = damaged.index
    short.write_bytes(digests.encode([damaged.row(i) for i in range(damaged.rows)], damaged.stated,
                                     (bits, bytes(len(bitmap)))))  # an index with no bit set
    assert _engine(indexed, "武清招商") != _brute(indexed, "武清招商")  # the short one hides records …
    findings = [(f.level, f.message) for f in doctor.diagnose(indexed)]
    assert any(level == doctor.WARN and "no text index, which this store keeps" in message
               for level, message in findings), findings
    assert any(level == doctor.ERROR and "does not match its records" in message for level, message in findings)
    indexed.doctor(fix=True)
    assert not [f for f in doctor.diagnose(indexed) if f.level != doctor.OK]
    assert state(indexed).indexed == state(indexed).segments
    assert _engine(indexed, "武清招商") == _brute(indexed, "武清招商")  # … and the mended one does not


def test_turning_it_off_and_on_writes_the_segments_that_differ(indexed):
    off = switch(indexed, False)
    assert not off.on and off.indexed == 0 and off.written == off.segments
    assert _engine(indexed, "武清招商") == _brute(indexed, "武清招商")
    assert switch(indexed, False).written == 0
    with indexed.writing() as txn:  # a store without: writes add none
        txn.update(ARTICLE, 5, {**txn.get("a5").doc, "title": "不再有索引"})
    assert state(indexed).indexed == 0
    on = switch(indexed, True)
    assert on.on and on.indexed == on.segments == on.written
    assert not [f for f in doctor.diagnose(indexed) if f.level != doctor.OK]


def test_the_command(tmp_path):
    cli = Cli(tmp_path / "z.json")
    cli("add", "article", "--title", "武清招商引资", "--region", "武清", "--date", "2025-07-01", "--body", "正文")
    assert cli("db", "text-index").stdout.strip().endswith("text index off: 0 of 1 segments have one (0.0 MiB)")
    result = cli("db", "text-index", "on")
    assert "text index on: 1 of 1 segments have one" in result.stdout
    assert "1 segments written again" in result.stderr
    assert cli("list", "articles", "--text", "武清招商", "--format", "count").stdout.strip() == "1"
    assert cli("list", "articles", "--text", "上海招商", "--format", "count").stdout.strip() == "0"
    before = cli.state()
    bad = cli("db", "text-index", "maybe", ok=False)
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "'maybe'" in bad.stderr
    assert cli.state() == before
    assert "text index off: 0 of 1" in cli("db", "text-index", "off").stdout
    missing = Cli(tmp_path / "none.json")("db", "text-index", ok=False)
    assert missing.exit_code == 1 and not (tmp_path / "none.json").exists()


def test_the_command_on_a_team_store(pg_server, pg_url):
    """On a server: the trigram indexes of every table, built and dropped by the owner while
    editors write; a role that does not own the tables is told so in one line."""
    import psycopg

    cli = Cli(pg_url)
    cli("add", "article", "--title", "武清招商引资", "--region", "武清", "--date", "2025-07-01", "--body", "正文")
    assert cli("db", "text-index").stdout.strip().endswith("text index off: 0 of 4 tables have one (0.0 MiB)")
    result = cli("db", "text-index", "on")
    assert "text index on: 4 of 4 tables have one" in result.stdout and "6 indexes built or dropped" in result.stderr
    assert cli("db", "text-index", "on").stderr.endswith("0 indexes built or dropped\n")
    assert "text index on: trigram indexes serve --text in 4 of 4 tables" in cli("doctor").stdout
    assert cli("list", "articles", "--text", "武清招商", "--format", "count").stdout.strip() == "1"
    bad = cli("db", "text-index", "maybe", ok=False)
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1
    with psycopg.connect(pg_url, autocommit=True) as conn:  # a build cut short leaves an index not ready
        conn.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'zs_articles_body_text'::regclass")
    assert "3 of 4" in cli("db", "text-index").stdout
    assert "4 of 4" in cli("db", "text-index", "on").stdout
    pg_server.admin("CREATE ROLE zs_stranger LOGIN")
    try:
        database = pg_url.split("@/")[1].split("?")[0]
        pg_server.admin("GRANT SELECT ON ALL TABLES IN SCHEMA public TO zs_stranger", database=database)
        stranger = Cli(pg_server.url(database, "zs_stranger"))("db", "text-index", "off", ok=False)
        assert stranger.exit_code == 1 and stranger.stderr.count("\n") == 1 and "owner" in stranger.stderr
    finally:
        pg_server.admin("DROP OWNED BY zs_stranger", database=database)
        pg_server.admin("DROP ROLE zs_stranger")
    assert "text index off: 0 of 4" in cli("db", "text-index", "off").stdout
    assert cli("list", "articles", "--text", "武清招商", "--format", "count").stdout.strip() == "1"
    import threading

    with psycopg.connect(pg_url) as writer:  # a write not yet committed (a long import): the build waits for it
        writer.execute("UPDATE zs_articles SET title = title WHERE number = 1")
        timer = threading.Timer(2.5, writer.rollback)
        timer.start()
        started = time.monotonic()
        built = cli("--lock-timeout", "1", "db", "text-index", "on")
        timer.join()
    assert "4 of 4" in built.stdout and time.monotonic() - started > 2  # waited past --lock-timeout, then built


def test_an_index_grown_one_record_at_a_time_is_built_again_before_it_fills(tmp_path):
    """Records added one by one to a segment would fill the bitmap its first record sized: when
    a quarter of the bits are set it is built again, for all its rows."""
    backend = TinyDBBackend(tmp_path / "z.json", keep_backups=1)
    switch(backend, True)
    rng = random.Random(12)
    sizes = []
    for i in range(40):
        with backend.writing() as txn:
            txn.insert(ARTICLE, [_article(rng, i, "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(400))
                                          + f"独有{i}号")])
        index = digests.Digest(_views(backend)[0].path.with_suffix(".txt").read_bytes()).index
        sizes.append(index[0])
        assert not text_filter.crowded(index), i
    assert sizes[-1] > sizes[0]
    assert _engine(backend, "独有17号") == [18]
    assert not [f for f in doctor.diagnose(backend) if f.level != doctor.OK]


def _rewrite_index(path, change):
    digest = digests.Digest(path.read_bytes())
    bits, bitmap = digest.index
    path.write_bytes(digests.encode([digest.row(i) for i in range(digest.rows)], digest.stated,
                                    (bits, change(bitmap))))


def test_a_crowded_index_is_reported_and_built_again(indexed):
    path = _views(indexed)[1].path.with_suffix(".txt")
    _rewrite_index(path, lambda bitmap: b"\xff" * len(bitmap))  # every bit set: rules nothing out
    assert _engine(indexed, "不存在的词") == []
    findings = [(f.level, f.message) for f in doctor.diagnose(indexed)]
    assert any(level == doctor.WARN and "too full to rule much out" in message for level, message in findings)
    assert switch(indexed, True).written == 1
    assert not [f for f in doctor.diagnose(indexed) if f.level != doctor.OK]


def test_a_header_with_impossible_numbers_costs_speed_not_a_traceback(indexed):
    view = _views(indexed)[2]
    path = view.path.with_suffix(".txt")
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"chars":', b'"chars":9223372036854775808,"was":', 1))
    data = json.loads(indexed.path.read_text("utf-8"))  # the manifest not saying where the index is
    next(e for e in data["segments"].values() if e["file"] == view.entry.file).pop("text_index")
    indexed.path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert _engine(indexed, "武清招商") == _brute(indexed, "武清招商")
    assert any(f.level == doctor.ERROR for f in doctor.diagnose(indexed))
    indexed.doctor(fix=True)
    assert not [f for f in doctor.diagnose(indexed) if f.level != doctor.OK]


def test_restore_keeps_the_choice_to_keep_text_indexes(tmp_path):
    cli = Cli(tmp_path / "z.json")
    cli("add", "article", "--title", "武清招商引资", "--region", "武清", "--date", "2025-07-01", "--body", "正文")
    cli("db", "text-index", "on")
    cli("restore", "--yes")  # the version before, whose segment had no index: it is given one
    assert "text index on: 1 of 1" in cli("db", "text-index").stdout
    assert cli("doctor").exit_code == 0
    assert cli("list", "articles", "--text", "武清招商", "--format", "count").stdout.strip() == "1"
