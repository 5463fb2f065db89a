import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest
from tinydb import TinyDB

from zhaoshang_cli.domain.article import ARTICLE as ARTICLE_KIND
from zhaoshang_cli.domain.lead import LEAD as LEAD_KIND
from zhaoshang_cli.storage.tinydb import migrations
from zhaoshang_cli.domain import kind as models, validate as validation
from zhaoshang_cli.errors import StoreError
from zhaoshang_cli.storage.tinydb.document import AtomicJSONStorage
from zhaoshang_cli.storage.tinydb.store import Store

ARTICLE = {"title": "武清开发区新引进项目", "region": "武清", "date": "2025-07-03", "body": "正文"}


def add(store, kind=ARTICLE_KIND, **fields):
    doc = validation.validate(kind, {**ARTICLE, **fields} if kind is ARTICLE_KIND else fields)
    with store.writing() as txn:
        return txn.insert_many(kind, [doc])[0]


def test_new_store_is_private_and_versioned(db):
    store = Store(db)
    add(store)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.side.stat().st_mode) == 0o700
    meta = json.loads(db.read_text())["_meta"]["1"]
    assert meta["app"] == "zhaoshang-cli" and meta["schema"] == migrations.CURRENT


def test_ids_are_never_reused(db):
    store = Store(db)
    ids = [add(store, title=f"项目{i}") for i in range(3)]
    assert ids == ["a1", "a2", "a3"]
    with store.writing() as txn:
        txn.remove(["a3"])
    assert add(store, title="又一个项目") == "a4"


def test_bodies_are_kept_apart_from_the_listing_table(db):
    store = Store(db)
    add(store, body="很长的正文" * 100)
    assert "很长的正文" not in db.read_text()
    with store.reading() as snap:
        _, _, doc = snap.get("a1")
        assert snap.body(doc) == "很长的正文" * 100


@pytest.mark.parametrize("content,says", [
    (b'{"_meta": {"1": {"app": "zhaoshang-cli", "sche', "not a valid zhaoshang store"),
    (b"hello, world", "not a valid zhaoshang store"),
    (b'{"_default": {"1": {"name": "x"}}}', "not a zhaoshang store"),
    (b'[1, 2, 3]', "not a zhaoshang store"),
    (b'{"_meta": {"1": {"app": "zhaoshang-cli", "schema": 99}}}', "newer zhaoshang"),
])
def test_a_file_that_is_not_a_usable_store_is_refused_and_untouched(db, content, says):
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    store = Store(db)
    with pytest.raises(StoreError) as err:
        add(store)
    assert says in err.value.message
    with pytest.raises(StoreError):
        store.read()
    assert db.read_bytes() == content


def test_a_failed_transaction_writes_nothing(db):
    store = Store(db)
    add(store)
    before = db.read_bytes()
    with pytest.raises(RuntimeError):
        with store.writing() as txn:
            txn.insert_many(ARTICLE_KIND, [validation.validate(ARTICLE_KIND, {**ARTICLE, "title": "新"})])
            raise RuntimeError("crash in the middle")
    assert db.read_bytes() == before


def test_older_schemas_are_migrated_on_open(db):
    db.parent.mkdir(parents=True)
    old = {"_meta": {"1": {"app": "zhaoshang-cli", "schema": 1, "next": {"a": 1, "p": 1, "l": 2}, "log": 1}},
           "leads": {"1": {"company": "老线索公司", "phone": "13812345678", "status": "contacted", "date": "2025-01-01",
                           "created_at": "2025-01-01T09:00:00+08:00", "updated_at": "2025-01-01T09:00:00+08:00"}}}
    db.write_text(json.dumps(old))
    store = Store(db)
    with store.reading() as snap:
        assert snap.meta["schema"] == migrations.CURRENT
        assert snap.table(LEAD_KIND)["1"]["history"] == [{"at": "2025-01-01T09:00:00+08:00", "to": "contacted"}]
    add(store)
    assert json.loads(db.read_text())["_meta"]["1"]["schema"] == migrations.CURRENT


def test_tinydb_storage_on_its_own(tmp_path):
    path = tmp_path / "plain.json"
    tiny = TinyDB(path, storage=AtomicJSONStorage)
    tiny.insert({"标题": "一"})
    tiny.insert({"标题": "二"})
    assert [d["标题"] for d in TinyDB(path, storage=AtomicJSONStorage).all()] == ["一", "二"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_backups_keep_the_last_versions(db):
    store = Store(db, keep_backups=3)
    for i in range(6):
        add(store, title=f"项目{i}")
    backups = store.backups()
    assert len(backups) == 3
    newest = json.loads(backups[0].read_text())
    assert len(newest["articles"]) == 5  # the version before the last write


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
    store = Store(db)
    add(store)  # an existing store with content
    env = {**os.environ, "ZHAOSHANG_DB": str(db), "ZHAOSHANG_LOCK_TIMEOUT": "60"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(w)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for w in range(8)]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
    data = json.loads(db.read_text())
    companies = [d["company"] for d in data["leads"].values()]
    assert len(companies) == 400 and len(set(companies)) == 400
    assert sorted(int(k) for k in data["leads"]) == list(range(1, 401))
    assert len(data["articles"]) == 1


def test_a_schema_2_store_with_plain_text_bodies_reads_and_converts_on_write(db):
    db.parent.mkdir(parents=True)
    side = db.parent / "zhaoshang.json.d"
    side.mkdir()
    body = "旧格式的正文，第一段。\n第二段。"
    (side / "bodies.1.log").write_bytes(body.encode("utf-8"))
    old = {"_meta": {"1": {"app": "zhaoshang-cli", "schema": 2, "next": {"a": 2, "p": 1, "l": 1}, "log": 1}},
           "articles": {"1": {"title": "旧文章", "region_code": "120114", "date": "2025-07-01",
                              "_body": [0, len(body.encode("utf-8"))], "created_at": "2025-07-01T09:00:00+08:00",
                              "updated_at": "2025-07-01T09:00:00+08:00"}}}
    db.write_text(json.dumps(old, ensure_ascii=False))
    store = Store(db)
    with store.reading() as snap:
        assert snap.body(snap.get("a1")[2]) == body
        assert snap.search_bodies("第二段", snap.table(ARTICLE_KIND).items()) == {"1"}
    add(store, title="新文章", body="新的正文")
    with store.reading() as snap:
        assert snap.meta["bodies"] == "json" and snap.meta["log"] == 2
        assert snap.body(snap.get("a1")[2]) == body and snap.body(snap.get("a2")[2]) == "新的正文"
    assert (side / "bodies.1.log").exists()  # the backup of the old version still reads it
