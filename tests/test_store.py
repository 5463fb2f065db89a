"""The TinyDB backend through the storage protocol: segments, schema, bodies, old stores,
backups, parallel writers."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest
from tinydb import TinyDB

from zhaoshang_cli.domain import validate as validation
from zhaoshang_cli.domain.article import ARTICLE as ARTICLE_KIND
from zhaoshang_cli.domain.lead import LEAD as LEAD_KIND
from zhaoshang_cli.errors import StoreError
from zhaoshang_cli.storage.base import Filters, Query
from zhaoshang_cli.storage.tinydb import manifest
from zhaoshang_cli.storage.tinydb.backend import TinyDBBackend
from zhaoshang_cli.storage.tinydb.segments import SIZE

ARTICLE = {"title": "武清开发区新引进项目", "region": "武清", "date": "2025-07-03", "body": "正文"}


def add(store, kind=ARTICLE_KIND, **fields):
    doc = validation.validate(kind, {**ARTICLE, **fields} if kind is ARTICLE_KIND else fields)
    with store.writing() as txn:
        return f"{kind.prefix}{txn.insert(kind, [doc])[0]}"


def everything(store, kind=ARTICLE_KIND):
    with store.reading() as reader:
        return [(r.id, r.doc, r.body) for r in reader.select(Query((kind,), Filters(), with_body=True))]


def test_new_store_is_private_and_versioned(db):
    store = TinyDBBackend(db)
    add(store)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.side.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.segments_dir.stat().st_mode) == 0o700
    meta = json.loads(db.read_text())["_meta"]["1"]
    assert meta["app"] == "zhaoshang-cli" and meta["schema"] == manifest.SCHEMA


def test_records_live_in_segments_that_plain_tinydb_reads(db):
    store = TinyDBBackend(db)
    with store.writing() as txn:
        docs = [validation.validate(ARTICLE_KIND, {**ARTICLE, "title": f"项目{i}"}) for i in range(SIZE + 10)]
        txn.insert(ARTICLE_KIND, docs)
    entries = json.loads(db.read_text())["segments"]
    assert sorted((e["seq"], e["count"]) for e in entries.values()) == [(0, SIZE), (1, 10)]
    second = next(e for e in entries.values() if e["seq"] == 1)
    with TinyDB(store.segments_dir / second["file"]) as plain:
        titles = [d["title"] for d in plain.table("articles").all()]
        assert titles[0] == f"项目{SIZE}" and plain.table("articles").get(doc_id=SIZE + 1)["title"] == f"项目{SIZE}"


def test_one_write_rewrites_one_segment(db):
    store = TinyDBBackend(db, keep_backups=0)
    with store.writing() as txn:
        txn.insert(ARTICLE_KIND, [validation.validate(ARTICLE_KIND, {**ARTICLE, "title": f"项目{i}"})
                                  for i in range(3 * SIZE)])
    before = set(os.listdir(store.segments_dir))
    with store.writing() as txn:
        record = txn.get(f"a{SIZE + 5}")
        txn.update(ARTICLE_KIND, record.number, {**record.doc, "title": "改过"})
    after = set(os.listdir(store.segments_dir))
    assert len(before - after) == 3 and len(after - before) == 3  # one segment, its index and digest, replaced


def test_ids_are_never_reused(db):
    store = TinyDBBackend(db)
    ids = [add(store, title=f"项目{i}") for i in range(3)]
    assert ids == ["a1", "a2", "a3"]
    with store.writing() as txn:
        txn.remove(ARTICLE_KIND, [3])
    assert add(store, title="又一个项目") == "a4"


def test_bodies_are_kept_apart_from_the_segments(db):
    store = TinyDBBackend(db)
    add(store, body="很长的正文" * 100)
    assert not any("很长的正文" in p.read_text() for p in store.segments_dir.glob("*.json"))
    with store.reading() as reader:
        assert reader.get("a1").body == "很长的正文" * 100


@pytest.mark.parametrize("content,says", [
    (b'{"_meta": {"1": {"app": "zhaoshang-cli", "sche', "not a valid zhaoshang store"),
    (b"hello, world", "not a valid zhaoshang store"),
    (b'{"_default": {"1": {"name": "x"}}}', "not a zhaoshang store"),
    (b'[1, 2, 3]', "not a zhaoshang store"),
    (b'{"_meta": {"1": {"app": "zhaoshang-cli", "schema": 99}}}', "newer zhaoshang"),
])
def test_a_file_that_is_not_a_usable_store_is_refused_and_untouched(db, content, says):
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(content)
    store = TinyDBBackend(db)
    with pytest.raises(StoreError) as err:
        add(store)
    assert says in err.value.message
    with pytest.raises(StoreError):
        everything(store)
    assert db.read_bytes() == content


def test_a_failed_transaction_writes_nothing(db):
    store = TinyDBBackend(db)
    add(store)
    before = db.read_bytes()
    files = set(os.listdir(store.segments_dir))
    log = (store.side / "bodies.1.log").read_bytes()
    with pytest.raises(RuntimeError):
        with store.writing() as txn:
            txn.insert(ARTICLE_KIND, [validation.validate(ARTICLE_KIND, {**ARTICLE, "title": "新", "body": "新正文"})])
            txn.checkpoint()
            raise RuntimeError("crash in the middle")
    assert db.read_bytes() == before and set(os.listdir(store.segments_dir)) == files
    assert (store.side / "bodies.1.log").read_bytes() == log


def test_older_schemas_are_read_and_split_into_segments_by_the_first_write(db):
    db.parent.mkdir(parents=True, exist_ok=True)
    old = {"_meta": {"1": {"app": "zhaoshang-cli", "schema": 1, "next": {"a": 1, "p": 1, "l": 2}, "log": 1}},
           "leads": {"1": {"company": "老线索公司", "phone": "13812345678", "status": "contacted", "date": "2025-01-01",
                           "created_at": "2025-01-01T09:00:00+08:00", "updated_at": "2025-01-01T09:00:00+08:00"}}}
    db.write_text(json.dumps(old))
    store = TinyDBBackend(db)
    with store.reading() as reader:
        assert reader.get("l1").doc["history"] == [{"at": "2025-01-01T09:00:00+08:00", "to": "contacted"}]
    add(store)
    written = json.loads(db.read_text())
    assert written["_meta"]["1"]["schema"] == manifest.SCHEMA and "leads" not in written
    assert [d["company"] for _, d, _ in everything(store, LEAD_KIND)] == ["老线索公司"]
    assert any(json.loads(p.read_text())["_meta"]["1"]["schema"] == 1 for p in store.backup_paths())


def test_a_schema_3_store_is_migrated_on_first_write_with_its_bodies(db):
    db.parent.mkdir(parents=True, exist_ok=True)
    side = db.parent / "zhaoshang.json.d"
    side.mkdir()
    bodies = ['"第一篇的正文"', '"第二篇的正文"']
    (side / "bodies.1.log").write_text("".join(bodies), "utf-8")
    sizes = [len(b.encode()) for b in bodies]
    old = {"_meta": {"1": {"app": "zhaoshang-cli", "schema": 3, "next": {"a": 3, "p": 1, "l": 1}, "log": 1,
                           "bodies": "json"}},
           "articles": {str(i + 1): {"title": f"旧文章{i + 1}", "region_code": "120114", "date": "2025-07-01",
                                     "_body": [sum(sizes[:i]), sizes[i]], "created_at": "2025-07-01T09:00:00+08:00",
                                     "updated_at": "2025-07-01T09:00:00+08:00"} for i in range(2)}}
    db.write_text(json.dumps(old, ensure_ascii=False))
    store = TinyDBBackend(db)
    assert [b for _, _, b in everything(store)] == ["第一篇的正文", "第二篇的正文"]
    add(store, title="新文章", body="新的正文")
    assert json.loads(db.read_text())["_meta"]["1"]["schema"] == manifest.SCHEMA
    assert [(i, b) for i, _, b in everything(store)] == [("a1", "第一篇的正文"), ("a2", "第二篇的正文"),
                                                         ("a3", "新的正文")]


def test_a_schema_2_store_with_plain_text_bodies_reads_and_converts_on_write(db):
    db.parent.mkdir(parents=True, exist_ok=True)
    side = db.parent / "zhaoshang.json.d"
    side.mkdir()
    body = "旧格式的正文，第一段。\n第二段。"
    (side / "bodies.1.log").write_bytes(body.encode("utf-8"))
    old = {"_meta": {"1": {"app": "zhaoshang-cli", "schema": 2, "next": {"a": 2, "p": 1, "l": 1}, "log": 1}},
           "articles": {"1": {"title": "旧文章", "region_code": "120114", "date": "2025-07-01",
                              "_body": [0, len(body.encode("utf-8"))], "created_at": "2025-07-01T09:00:00+08:00",
                              "updated_at": "2025-07-01T09:00:00+08:00"}}}
    db.write_text(json.dumps(old, ensure_ascii=False))
    store = TinyDBBackend(db)
    with store.reading() as reader:
        assert reader.get("a1").body == body
        assert [r.id for r in reader.select(Query((ARTICLE_KIND,), Filters(text="第二段")))] == ["a1"]
    add(store, title="新文章", body="新的正文")
    meta = json.loads(db.read_text())["_meta"]["1"]
    assert meta["bodies"] == "json" and meta["log"] == 2
    assert [b for _, _, b in everything(store)] == [body, "新的正文"]
    assert (side / "bodies.1.log").exists()  # the backup of the old version still reads it


def test_backups_keep_the_last_versions_without_copies(db):
    store = TinyDBBackend(db, keep_backups=3)
    for i in range(6):
        add(store, title=f"项目{i}")
    backups = store.backup_paths()
    assert len(backups) == 3
    assert all(os.stat(b).st_size < 2000 for b in backups)  # manifests, not copies of the records
    assert [i.counts["articles"] for i in store.backups()] == [5, 4, 3]
    store.restore(backups[-1].name)
    assert len(everything(store)) == 3


WORKER = textwrap.dedent("""
    import sys
    from zhaoshang_cli.cli.app import app
    worker = int(sys.argv[1])
    for i in range(50):
        try:
            app(["add", "lead", "--company", f"并发测试{worker}-{i}有限公司", "--phone", f"139{worker:04d}{i:04d}",
                 "--region", "武清"], standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                raise
""")


def test_parallel_processes_lose_nothing(db, tmp_path):
    store = TinyDBBackend(db)
    add(store)  # an existing store with content
    env = {**os.environ, "ZHAOSHANG_DB": str(db), "ZHAOSHANG_LOCK_TIMEOUT": "60"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(w)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for w in range(8)]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
    leads = everything(store, LEAD_KIND)
    companies = [doc["company"] for _, doc, _ in leads]
    assert len(companies) == 400 and len(set(companies)) == 400
    assert sorted(int(i[1:]) for i, _, _ in leads) == list(range(1, 401))
    assert len(everything(store)) == 1


def _open_fds(folder) -> int:
    """Files of ``folder`` this process holds open."""
    held = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            held += os.readlink(f"/proc/self/fd/{fd}").startswith(os.path.realpath(folder))
        except OSError:
            pass  # the descriptor listdir itself used
    return held


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc/self/fd (Linux)")
def test_a_listing_in_date_order_reads_through_few_open_files_and_closes_them(db, monkeypatch):
    """A listing sorted by date jumps between segments row by row: each select keeps its
    files open (at most a few segments at a time) and closes them when it ends, also when
    the reader stops early."""
    from zhaoshang_cli.domain.sorting import parse
    from zhaoshang_cli.storage.tinydb import engine

    store = TinyDBBackend(db)
    with store.writing() as txn:
        txn.insert(ARTICLE_KIND, [validation.validate(ARTICLE_KIND, {
            **ARTICLE, "title": f"项目{i}", "date": f"2025-07-{i % 28 + 1:02d}", "body": f"第{i}号正文"})
            for i in range(2 * SIZE + 10)])
    query = Query((ARTICLE_KIND,), Filters(), sort=parse("-date"), with_body=True)

    def listing():
        with store.reading() as reader:
            return [(r.id, r.doc["date"], r.body) for r in reader.select(query)]

    before = _open_fds(db.parent)
    wide = listing()
    monkeypatch.setattr(engine, "_KEEP_OPEN", 1)  # every move to another segment closes the last one
    assert listing() == wide
    assert _open_fds(db.parent) == before
    assert [d for _, d, _ in wide] == sorted((d for _, d, _ in wide), reverse=True)
    assert all(body == f"第{int(rid[1:]) - 1}号正文" for rid, _, body in wide)
    with store.reading() as reader:
        rows = reader.select(query)
        next(rows)
        assert _open_fds(db.parent) > before
        rows.close()
    assert _open_fds(db.parent) == before


def test_a_body_is_logged_as_the_literal_orjson_would_write():
    """Bodies are written as canonical JSON string literals (text searches and doctor
    compare them byte for byte); the json module makes them, orjson must agree."""
    import random

    import orjson

    from zhaoshang_cli.domain.body import text_literal

    rng = random.Random(7)
    samples = ["", "招商引资\n第二段\t“引号” \"quoted\" back\\slash", "\x00\x01\x1f\x7f\u2028\u2029\ufeff", "😀𠀀"]
    for _ in range(500):
        samples.append("".join(chr(rng.choice([rng.randrange(0, 0x80), rng.randrange(0x80, 0x800),
                                                rng.randrange(0x800, 0xD800), rng.randrange(0xE000, 0x10000),
                                                rng.randrange(0x10000, 0x110000)])) for _ in range(40)))
    for text in samples:
        assert text_literal(text) == orjson.dumps(text), repr(text)


def test_spans_read_together_give_what_each_read_alone_gives(tmp_path):
    """atomic.read_spans against slicing the file: in the order asked, neighbours or not,
    overlapping, empty, and nothing for a span outside the file (negative, or past its end)."""
    import random

    from zhaoshang_cli.atomic import read_spans

    rng = random.Random(3)
    data = bytes(rng.randrange(256) for _ in range(300_000))
    path = tmp_path / "f"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        for _ in range(200):
            spans = []
            for _ in range(rng.randint(0, 40)):
                offset = rng.choice([rng.randrange(len(data)), rng.randrange(-5, 5), len(data) - rng.randrange(9)])
                spans.append((offset, rng.choice([0, rng.randrange(3000), rng.randrange(2_000_000), -1])))
            if rng.random() < 0.5:
                spans.sort()
            expected = [data[o:o + n] if o >= 0 and n >= 0 and o + n <= len(data) else b"" for o, n in spans]
            assert list(read_spans(fd, spans)) == expected
    finally:
        os.close(fd)


def test_a_damaged_length_stops_the_read_at_the_first_bad_body(tmp_path, monkeypatch):
    """A body reference longer than the log (a damaged index) is reported as it is met: no
    read larger than the log, none after it (a listing of a damaged store must not read
    gigabytes before it says so)."""
    from zhaoshang_cli import atomic
    from zhaoshang_cli.storage.tinydb.bodies import BodyLog, BodyUnreadable

    log = BodyLog(tmp_path / "bodies.1.log")
    refs = log.append([f"正文{i}" * 50 for i in range(20)])
    size = log.size()
    reads = []
    real = atomic.pread
    monkeypatch.setattr(atomic, "pread", lambda fd, n, at: reads.append(n) or real(fd, n, at))
    damaged = [(i, [at, length if i < 5 else 1 << 40]) for i, (at, length) in enumerate(refs)]
    got = []
    with pytest.raises(BodyUnreadable):
        for key, _body in log.read_many(damaged):
            got.append(key)
    assert got == [0, 1, 2, 3, 4]
    assert reads and max(reads) <= size


def test_a_document_written_says_where_each_record_sits():
    from zhaoshang_cli.storage.tinydb.document import dump_document

    tables = {"articles": {str(n): {"title": f"标题{n}", "tags": ["a"] * (n % 3), "n": n, "x": "\u2028\"\\"}
                           for n in (1, 2, 10, 2048)},
              "empty": {}, "leads": {"7": {}}}
    data, spans = dump_document(tables)
    assert json.loads(data) == tables
    for name, table in tables.items():
        assert list(spans[name]) == list(table)
        for key, (start, end) in spans[name].items():
            assert json.loads(data[start:end]) == table[key]
    assert dump_document({}) == (b"{}", {})
