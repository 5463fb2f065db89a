"""Issue 9, "nothing lost, nothing misread": imports that update merge instead of
overwriting, a lead always has a status and its whole history, a record-ID source names
a stored record."""

import functools
import json

import pytest
import typer.main
import typer.testing
from conftest import EXAMPLES, Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.backends


def lead(cli, record_id):
    return cli.json("show", record_id)


def without_stamps(record):
    return {k: v for k, v in record.items() if k not in ("created_at", "updated_at")}


# -- imports with --on-conflict update merge -----------------------------------------------
def test_update_from_a_sheet_without_status_keeps_moves_notes_and_creation(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,行业,备注\n瑞拓精密,13800000001,高端装备,想买地\n"
                     "启元生物,13800000002,生物医药,\n", "utf-8")
    cli("import", str(sheet))
    cli("lead", "status", "l1", "contacted")
    cli("lead", "note", "l1", "电话沟通，下周考察")
    before = lead(cli, "l1")
    stored = cli.state()
    for args in ([], ["--dry-run"]):
        result = cli("import", str(sheet), "--on-conflict", "update", *args)
        assert "0 added, 0 updated, 2 unchanged, 0 invalid" in result.stderr
    assert cli.state() == stored
    assert lead(cli, "l1") == before
    assert before["status"] == "contacted"
    assert [h.get("from") for h in before["history"]] == [None, "new"]
    assert [n["text"] for n in before["notes"]] == ["想买地", "电话沟通，下周考察"]

    sheet.write_text(sheet.read_text("utf-8").replace("高端装备", "数控机床"), "utf-8")
    result = cli("import", str(sheet), "--on-conflict", "update")
    assert "0 added, 1 updated, 1 unchanged" in result.stderr
    after = lead(cli, "l1")
    assert after["industry"] == "数控机床"
    assert without_stamps(after) == {**without_stamps(before), "industry": "数控机床"}
    assert after["created_at"] == before["created_at"]
    shown = cli("show", "l1").stdout
    assert shown.index("创建 · 新线索") < shown.index("备注 · 想买地")


def test_a_different_status_in_the_file_is_a_recorded_move(cli):
    sheet = str(EXAMPLES / "leads.csv")  # l3 is 'contacted' in it
    cli("import", sheet)
    cli("lead", "status", "l3", "visited")
    before = lead(cli, "l3")
    # a move back, which an import makes only when told to (test_import_regression.py)
    dry = cli("import", sheet, "--on-conflict", "update", "--dry-run", "--allow-status-regression")
    real = cli("import", sheet, "--on-conflict", "update", "--allow-status-regression")
    for result in (dry, real):
        assert "0 added, 1 updated, 17 unchanged, 0 invalid" in result.stderr
    after = lead(cli, "l3")
    assert after["status"] == "contacted"
    assert after["history"][:2] == before["history"]
    move = after["history"][2]
    assert (move["from"], move["to"], move["source"]) == ("visited", "contacted", "import")
    assert after["notes"] == before["notes"]
    again = cli("import", sheet, "--on-conflict", "update")
    assert "0 added, 0 updated, 18 unchanged" in again.stderr


def test_an_export_brings_its_history_without_doubling_what_is_stored(cli, tmp_path):
    sheet = str(EXAMPLES / "leads.csv")  # l1 is 'negotiating' in it
    cli("import", sheet)
    cli("lead", "status", "l1", "signed", "--note", "合同已签")
    cli("lead", "note", "l1", "月底开工")
    exported = tmp_path / "leads.jsonl"
    cli("export", "leads", "-o", str(exported))
    assert "18 unchanged" in cli("import", str(exported), "--on-conflict", "update").stderr

    other = Cli(tmp_path / "other.json")
    other("import", sheet)
    created = lead(other, "l1")["history"][0]
    assert "1 updated, 17 unchanged" in other("import", str(exported), "--on-conflict", "update").stderr
    merged = lead(other, "l1")
    source = lead(cli, "l1")
    assert merged["status"] == "signed"
    assert merged["history"] == [created, source["history"][1]]  # its own creation, the move, nothing twice
    assert [n["text"] for n in merged["notes"]] == [n["text"] for n in source["notes"]]
    assert "0 updated, 18 unchanged" in other("import", str(exported), "--on-conflict", "update").stderr


def test_rows_for_one_lead_in_one_batch_are_merged_then_settled_once(cli, tmp_path):
    batch = tmp_path / "b.csv"
    batch.write_text("企业名称,联系电话,状态,备注\n瑞拓精密,13800000001,,想买地\n"
                     "瑞拓精密,13800000001,contacted,约了考察\n瑞拓精密,13800000001,contacted,约了考察\n", "utf-8")
    result = cli("import", str(batch), "--on-conflict", "update")
    assert "1 added, 0 updated, 2 unchanged" in result.stderr  # further rows for a record count as unchanged
    record = lead(cli, "l1")
    assert record["status"] == "contacted"
    assert [(h.get("from"), h["to"]) for h in record["history"]] == [(None, "contacted")]
    assert [n["text"] for n in record["notes"]] == ["想买地", "约了考察"]

    back_and_forth = tmp_path / "twice.csv"  # contradicting rows: the last one's status wins, moved once
    back_and_forth.write_text("企业名称,联系电话,行业,状态,备注\n瑞拓精密,13800000001,装备,new,第三条\n"
                              "瑞拓精密,13800000001,,visited,第四条\n", "utf-8")
    for _ in range(2):
        dry = cli("import", str(back_and_forth), "--on-conflict", "update", "--dry-run")
        real = cli("import", str(back_and_forth), "--on-conflict", "update")
        assert dry.stderr.splitlines()[-1].split(": ")[1] == real.stderr.splitlines()[-1].split(": ")[1]
    assert "0 added, 0 updated, 2 unchanged" in real.stderr
    record = lead(cli, "l1")
    assert record["industry"] == "装备" and record["status"] == "visited"
    assert [(h.get("from"), h["to"], h.get("source")) for h in record["history"]] == [
        (None, "contacted", None), ("contacted", "visited", "import")]
    assert [n["text"] for n in record["notes"]] == ["想买地", "约了考察", "第三条", "第四条"]
    skipped = cli("import", str(batch))  # under skip: rows that differ from the stored lead are named
    assert "0 added, 0 updated, 1 unchanged, 0 invalid; 2 differ" in skipped.stderr
    assert "differ from their stored record (l1) and were skipped" in skipped.stderr


# -- a lead always has a status ------------------------------------------------------------
def test_a_status_cannot_be_cleared_by_edit(cli):
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13800000001")
    before = cli.state()
    result = cli("edit", "l1", "--status", "", ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: status: ") and "lead status" in result.stderr
    assert cli.state() == before
    cli("edit", "l1", "--status", "visited")
    record = lead(cli, "l1")
    assert record["status"] == "visited" and record["history"][-1]["from"] == "new"


def test_doctor_reports_a_lead_without_status_or_history(cli):
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13800000001")
    cli("add", "lead", "--company", "启元生物", "--phone", "13800000002")
    cli("add", "lead", "--company", "华芯微电子", "--phone", "13800000003")
    assert "0 error(s)" in cli("doctor").stderr + cli("doctor").stdout
    def damage(docs: dict) -> None:
        del docs["1"]["status"]
        docs["2"]["history"] = []

    cli.tamper("leads", damage)
    result = cli("doctor", ok=False)
    out = result.stdout + result.stderr
    assert result.exit_code == 1 and "2 error(s)" in out
    assert "l1: a lead without a status" in out
    assert "l2: a lead without a status history" in out
    assert "l3:" not in out
    cli("doctor", "--fix")
    result = cli("doctor")
    assert "0 error(s)" in result.stdout + result.stderr
    assert cli.json("show", "l1")["status"] == "new" and len(cli.json("show", "l2", "--reveal")["history"]) == 1


# -- a record-ID source names a stored record ----------------------------------------------
def test_add_and_edit_refuse_a_source_naming_no_record(cli):
    cli("add", "article", "--title", "武清开发区招商", "--region", "武清", "--date", "2025-07-01")
    stored = cli.state()
    refused = cli("add", "lead", "--company", "瑞拓精密", "--phone", "13800000001", "--source", "a999",
                  ok=False)
    assert refused.exit_code == 1 and refused.stderr == "error: source: no record a999\n"
    assert cli.state() == stored
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13800000001", "--source", "a1")
    cli("add", "lead", "--company", "启元生物", "--phone", "13800000002", "--source", "https://example.org/none")
    stored = cli.state()
    refused = cli("edit", "l1", "--source", "p1", ok=False)
    assert refused.exit_code == 1 and refused.stderr == "error: source: no record p1\n"
    assert cli.state() == stored
    cli("edit", "l2", "--source", "l1")
    assert lead(cli, "l2")["source"] == "l1"


def test_import_checks_sources_against_the_store_and_earlier_rows(cli, tmp_path):
    batch = tmp_path / "b.jsonl"
    rows = [{"kind": "article", "id": "a7", "title": "武清开发区招商", "region": "武清", "date": "2025-07-01"},
            {"company": "瑞拓精密", "phone": "13800000001", "source": "a7"},
            {"company": "启元生物", "phone": "13800000002", "source": "a999"},
            {"company": "华芯微电子", "phone": "13800000003", "source": "l1"},
            {"company": "云帆数据", "phone": "13800000004", "source": "l9"}]
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    refused = cli("import", str(batch), ok=False)
    assert refused.exit_code == 1
    assert f"error: {batch}:3: source: no record a999" in refused.stderr
    assert f"error: {batch}:5: source: no record l9" in refused.stderr
    assert "0 added, 0 updated, 0 unchanged, 2 invalid" in refused.stderr
    assert not cli.exists()
    result = cli("import", str(batch), "--skip-invalid")
    assert "3 added, 0 updated, 0 unchanged, 2 invalid" in result.stderr
    assert [(r["company"], r["source"]) for r in cli.json("list", "leads", "--sort", "id")] == [
        ("瑞拓精密", "a7"), ("华芯微电子", "l1")]


# -- any interleaving of moves, notes and imports ------------------------------------------
COMPANIES = (("瑞拓精密", "13800000001"), ("启元生物", "13800000002"), ("华芯微电子", "13800000003"))
STATUSES = ("new", "contacted", "visited", "signed")
NOTES = ("想买地", "约了考察", "已签约")

row = st.tuples(st.sampled_from(range(len(COMPANIES))), st.sampled_from((None, *STATUSES)),
                st.sampled_from((None, *NOTES)))
operation = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(range(len(COMPANIES))), st.sampled_from(STATUSES)),
    st.tuples(st.just("note"), st.sampled_from(range(len(COMPANIES))), st.sampled_from(NOTES)),
    st.tuples(st.just("import"), st.sampled_from(("csv", "jsonl")), st.lists(row, min_size=1, max_size=4)),
    st.tuples(st.just("again")),
)


def write_import(path, fmt, rows):
    with_status = any(s for _, s, _ in rows)
    with_notes = any(n for _, _, n in rows)
    if fmt == "csv":
        header = ["企业名称", "联系电话"] + ["状态"] * with_status + ["备注"] * with_notes
        lines = [",".join(header)]
        for i, status, note in rows:
            lines.append(",".join([*COMPANIES[i], *([status or ""] if with_status else []),
                                   *([note or ""] if with_notes else [])]))
        path.write_text("\n".join(lines) + "\n", "utf-8")
    else:
        records = []
        for i, status, note in rows:
            record = {"company": COMPANIES[i][0], "phone": COMPANIES[i][1]}
            record.update({"status": status} if status else {})
            record.update({"notes": note} if note else {})
            records.append(json.dumps(record, ensure_ascii=False))
        path.write_text("\n".join(records) + "\n", "utf-8")


def counts(result):
    return result.stderr.strip().splitlines()[-1].split(": ", 1)[1]


@pytest.fixture
def command_built_once(monkeypatch):
    """Typer builds the Click command on every CliRunner.invoke (most of an in-process run);
    the installed program builds it once per process, and so does this fixture."""
    monkeypatch.setattr(typer.testing, "_get_command", functools.cache(typer.main.get_command))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=8))
def test_moves_notes_and_imports_in_any_order_lose_nothing(tmp_path_factory, command_built_once, operations):
    folder = tmp_path_factory.mktemp("interleaved")
    cli = Cli(folder / "zhaoshang.json")
    last = folder / "start.csv"
    write_import(last, "csv", [(i, None, None) for i in range(len(COMPANIES))])
    cli("import", str(last))
    ids = [f"l{i + 1}" for i in range(len(COMPANIES))]
    previous = {r["id"]: r for r in cli.json("list", "leads")}
    moves = {i: [] for i in ids}
    for step, op in enumerate(operations):
        if op[0] == "status":
            record_id = ids[op[1]]
            if previous[record_id]["status"] != op[2]:
                moves[record_id].append((previous[record_id]["status"], op[2]))
            cli("lead", "status", record_id, op[2])
        elif op[0] == "note":
            cli("lead", "note", ids[op[1]], op[2])
        else:
            if op[0] == "import":
                last = folder / f"{step}.{op[1]}"
                write_import(last, op[1], op[2])
            dry = cli("import", str(last), "--on-conflict", "update", "--dry-run")
            real = cli("import", str(last), "--on-conflict", "update")
            assert counts(dry) == counts(real)
            assert counts(cli("import", str(last), "--on-conflict", "update")).startswith("0 added, 0 updated,")
        now = {r["id"]: r for r in cli.json("list", "leads")}
        for record_id in ids:
            old, new = previous[record_id], now[record_id]
            assert new["history"][:len(old["history"])] == old["history"], op
            assert new["notes"][:len(old["notes"])] == old["notes"], op
            assert "from" not in new["history"][0] and new["created_at"] == old["created_at"]
            assert new["status"] == new["history"][-1]["to"]
            made = [(h["from"], h["to"]) for h in new["history"] if "from" in h and "source" not in h]
            assert made == moves[record_id]
        previous = now
