"""Issue 21, point 3, "no silent regressions by import": an update import never moves a
lead backwards on its pipeline or out of 已签约/已流失 unless --allow-status-regression; such
rows are reported (FILE:LINE) and counted, and a move an import makes is shown by `show` as
coming from that file."""

from __future__ import annotations

import getpass
import json

import pytest

from zhaoshang_cli.domain.kind import Pipeline
from zhaoshang_cli.domain.lead import PIPELINE
from zhaoshang_cli.service.import_merge import status_regresses

pytestmark = pytest.mark.backends

HEADER = "企业名称,联系电话,状态,联系人\n"
REGRESSION_KEPT = "status regression(s) kept at the stored status"


def seeded(cli, tmp_path, *statuses):
    """Leads l1, l2, … (瑞拓精密, 启元生物, …) moved by a colleague's `lead status` to ``statuses``."""
    companies = ("瑞拓精密", "启元生物", "华芯微电子")
    seed = tmp_path / "seed.csv"
    seed.write_text(HEADER + "".join(f"{c},1380000000{i + 1},,\n" for i, c in enumerate(companies[:len(statuses)])),
                    "utf-8")
    cli("import", str(seed))
    for i, status in enumerate(statuses):
        if status != "new":
            cli("lead", "status", f"l{i + 1}", status)


def sheet(tmp_path, *rows, name="weekly.csv"):
    """A sheet of rows (company, phone, status label, contact) in a folder of its own."""
    folder = tmp_path / "周报"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), "utf-8")
    return path


def summary(result):
    return result.stderr.strip().splitlines()[-1]


def moves(cli, record_id):
    return [(h.get("from"), h["to"], h.get("source"), h.get("file")) for h in cli.json("show", record_id)["history"]]


def timeline(cli, record_id):
    shown = cli("show", record_id).stdout
    return shown[shown.index("跟进记录"):]


# -- kept --------------------------------------------------------------------------------------
def test_an_update_saying_visited_for_a_signed_lead_keeps_signed_and_reports_the_row(cli, tmp_path):
    seeded(cli, tmp_path, "signed", "contacted")
    before = cli.json("show", "l1")
    weekly = sheet(tmp_path, ("瑞拓精密", "13800000001", "已考察", "张经理"), ("启元生物", "13800000002", "已联系", ""))
    result = cli("import", str(weekly), "--on-conflict", "update")
    assert result.exit_code == 0
    assert f"warning: {weekly}:2: l1 is 已签约; the row says 已考察: kept (--allow-status-regression moves it)" \
        in result.stderr.splitlines()
    assert summary(result) == f"imported: 0 added, 1 updated, 1 unchanged, 0 invalid; 1 {REGRESSION_KEPT}"
    after = cli.json("show", "l1")
    assert after["status"] == "signed" and after["history"] == before["history"]
    assert after["contact"] == "张经理"  # the rest of the row still updates
    assert "已签约 → 已考察" not in timeline(cli, "l1")
    assert "已签约 (signed)" in cli("show", "l1").stdout

    again = cli("import", str(weekly), "--on-conflict", "update")  # still reported, nothing else to do
    assert f"{weekly}:2: l1 is 已签约" in again.stderr
    assert summary(again) == f"imported: 0 added, 0 updated, 2 unchanged, 0 invalid; 1 {REGRESSION_KEPT}"
    assert cli.json("show", "l1")["status"] == "signed"


@pytest.mark.parametrize("stored, label, said", [("lost", "已流失", "洽谈中"), ("lost", "已流失", "已签约"),
                                                 ("signed", "已签约", "已流失"), ("negotiating", "洽谈中", "新线索")])
def test_a_lead_never_leaves_a_closed_status_nor_goes_back_by_import(cli, tmp_path, stored, label, said):
    seeded(cli, tmp_path, stored)
    before = cli.json("show", "l1")["history"]
    weekly = sheet(tmp_path, ("瑞拓精密", "13800000001", said, ""))
    result = cli("import", str(weekly), "--on-conflict", "update")
    assert result.exit_code == 0
    assert f"warning: {weekly}:2: l1 is {label}; the row says {said}: kept" in result.stderr
    assert summary(result).endswith(f"0 updated, 1 unchanged, 0 invalid; 1 {REGRESSION_KEPT}")
    after = cli.json("show", "l1")
    assert after["status"] == stored and after["history"] == before


def test_several_rows_for_one_lead_are_compared_as_merged_with_the_stored_status(cli, tmp_path):
    seeded(cli, tmp_path, "signed", "contacted", "signed")
    weekly = sheet(tmp_path,
                   ("瑞拓精密", "13800000001", "已考察", ""), ("瑞拓精密", "13800000001", "洽谈中", ""),  # still back
                   ("启元生物", "13800000002", "洽谈中", ""), ("启元生物", "13800000002", "已考察", ""),  # forward
                   ("华芯微电子", "13800000003", "已考察", ""),
                   ("华芯微电子", "13800000003", "已签约", ""))  # where it is
    result = cli("import", str(weekly), "--on-conflict", "update")
    kept = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert kept == [f"warning: {weekly}:3: l1 is 已签约; the row says 洽谈中: "
                    "kept (--allow-status-regression moves it)"]
    assert summary(result) == f"imported: 0 added, 1 updated, 5 unchanged, 0 invalid; 1 {REGRESSION_KEPT}"
    assert [cli.json("show", i)["status"] for i in ("l1", "l2", "l3")] == ["signed", "visited", "signed"]
    assert moves(cli, "l2")[-1] == ("contacted", "visited", "import", "weekly.csv")  # one move, from the stored status


# -- forward moves, and moves allowed back, name the file --------------------------------------
def test_a_forward_move_is_made_and_show_names_the_file(cli, tmp_path):
    seeded(cli, tmp_path, "contacted", "negotiating")
    weekly = sheet(tmp_path, ("瑞拓精密", "13800000001", "洽谈中", ""), ("启元生物", "13800000002", "已流失", ""))
    result = cli("import", str(weekly), "--on-conflict", "update")
    assert "warning" not in result.stderr
    assert summary(result) == "imported: 0 added, 2 updated, 0 unchanged, 0 invalid"
    assert cli.json("show", "l1")["status"] == "negotiating"
    assert moves(cli, "l1") == [(None, "new", None, None), ("new", "contacted", None, None),
                                ("contacted", "negotiating", "import", "weekly.csv")]  # the name, not the folders
    assert "已联系 → 洽谈中 (导入 weekly.csv)" in timeline(cli, "l1")
    assert f"新线索 → 已联系（{getpass.getuser()}）\n" in timeline(cli, "l1")  # a colleague's: nothing of an import
    assert "洽谈中 → 已流失 (导入 weekly.csv)" in timeline(cli, "l2")  # into lost is no regression


def test_allow_status_regression_makes_the_move_back_and_show_names_the_file(cli, tmp_path):
    seeded(cli, tmp_path, "signed")
    weekly = sheet(tmp_path, ("瑞拓精密", "13800000001", "已考察", ""), name="七月线索.csv")
    result = cli("import", str(weekly), "--on-conflict", "update", "--allow-status-regression")
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert f"{weekly}:2: l1 moved back from 已签约 to 已考察 (--allow-status-regression)" in result.stderr.splitlines()
    assert summary(result) == "imported: 0 added, 1 updated, 0 unchanged, 0 invalid; 1 status regression(s) made"
    assert cli.json("show", "l1")["status"] == "visited"
    assert moves(cli, "l1")[-1] == ("signed", "visited", "import", "七月线索.csv")
    assert "已签约 → 已考察 (导入 七月线索.csv)" in timeline(cli, "l1")


def test_an_import_move_stored_before_files_were_named_still_says_import(cli, tmp_path):
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"company": "瑞拓精密", "phone": "13800000001", "status": "contacted", "history": [
        {"at": "2025-07-01T09:00:00+08:00", "to": "new"},
        {"at": "2025-07-02T09:00:00+08:00", "from": "new", "to": "contacted", "source": "import"}]},
        ensure_ascii=False) + "\n", "utf-8")
    cli("import", str(old))
    assert "2025-07-02 09:00  新线索 → 已联系 (导入)\n" in timeline(cli, "l1")


# -- dry run, skip ------------------------------------------------------------------------------
@pytest.mark.parametrize("allow", [[], ["--allow-status-regression"]])
def test_a_dry_run_reports_the_same_and_writes_nothing(cli, tmp_path, allow):
    seeded(cli, tmp_path, "signed")
    weekly = sheet(tmp_path, ("瑞拓精密", "13800000001", "已考察", "张经理"))
    stored = cli.state()
    dry = cli("import", str(weekly), "--on-conflict", "update", "--dry-run", *allow)
    assert cli.state() == stored
    assert cli.json("show", "l1")["status"] == "signed"
    real = cli("import", str(weekly), "--on-conflict", "update", *allow)
    said = [line for line in dry.stderr.splitlines() if not line.startswith("  ") and "columns read as" not in line]
    assert said[:-1] == real.stderr.splitlines()[:-1] != []  # the same row reported, after the column mapping
    assert summary(dry).startswith("dry run, nothing written: ")
    assert summary(dry).split(": ", 1)[1] == summary(real).split(": ", 1)[1]
    assert (REGRESSION_KEPT in summary(dry)) == (not allow)


def test_on_conflict_skip_is_unaffected(cli, tmp_path):
    seeded(cli, tmp_path, "signed")
    weekly = sheet(tmp_path, ("瑞拓精密", "13800000001", "已考察", "张经理"))
    stored = cli.state()
    for allow in ([], ["--allow-status-regression"]):
        result = cli("import", str(weekly), *allow)
        assert result.stderr == ("imported: 0 added, 0 updated, 0 unchanged, 0 invalid; 1 differ\n"
                                 "1 row(s) differ from their stored record (l1) and were skipped: "
                                 "--on-conflict update applies them\n")
    assert cli.state() == stored


# -- by the kind's pipeline --------------------------------------------------------------------
def test_regression_is_read_from_the_kinds_pipeline_declaration():
    lead = [(a, b) for a in PIPELINE.statuses for b in PIPELINE.statuses if status_regresses(PIPELINE, a, b)]
    assert ("signed", "visited") in lead and ("lost", "contacted") in lead and ("signed", "lost") in lead
    assert ("contacted", "negotiating") not in lead and ("negotiating", "lost") not in lead
    assert all(not status_regresses(PIPELINE, s, s) for s in PIPELINE.statuses)

    other = Pipeline(statuses=("draft", "review", "approved", "withdrawn"), labels={}, aliases={},
                     path=("draft", "review", "approved"), won="approved", closed=("approved", "withdrawn"),
                     start="draft")
    assert status_regresses(other, "review", "draft") and status_regresses(other, "withdrawn", "review")
    assert not status_regresses(other, "draft", "review") and not status_regresses(other, "review", "withdrawn")
