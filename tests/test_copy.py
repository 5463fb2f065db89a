"""Copies between people's stores: records are matched by who they are, never by ID alone;
two versions of a record merge field by field; nothing either side holds is lost.

The team's store is each backend in turn (`cli`); colleagues' stores are files."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES, Cli

pytestmark = pytest.mark.backends


def _file(tmp_path, name: str) -> Cli:
    return Cli(tmp_path / name / "zhaoshang.json")


def _titles(cli: Cli) -> dict[str, str]:
    return {r["id"]: r["title"] for r in cli.json("list", "articles", "--sort", "id")}


def test_a_colleagues_a1_and_the_teams_a1_both_survive_the_copy(cli, tmp_path):
    mine = _file(tmp_path, "mine")
    mine("add", "article", "--title", "同事本地文章", "--region", "武清", "--date", "2025-07-01",
         "--body", "同事的正文")
    cli("add", "article", "--title", "团队的文章", "--region", "西青", "--date", "2025-07-02", "--body", "团队的正文")
    cli("add", "article", "--title", "团队的第二篇", "--region", "武清", "--date", "2025-07-03")

    plan = mine("copy", "--to", str(cli.db), "--dry-run")
    assert plan.stdout == "a1 → a3: the target's a1 is another record\n"
    assert "would copy" in plan.stderr and "1 added (1 under new IDs)" in plan.stderr
    assert _titles(cli) == {"a1": "团队的文章", "a2": "团队的第二篇"}

    done = mine("copy", "--to", str(cli.db))
    assert done.stdout == "a1 → a3: the target's a1 is another record\n"
    assert "1 added (1 under new IDs), 0 updated" in done.stderr and "2 only in the target (kept)" in done.stderr
    assert _titles(cli) == {"a1": "团队的文章", "a2": "团队的第二篇", "a3": "同事本地文章"}
    assert cli.json("show", "a3")["body"] == "同事的正文"
    assert cli.json("show", "a1")["body"] == "团队的正文"

    mine("edit", "a1", "--title", "同事改过的本地文章")  # the renumbered copy is still the same record
    again = mine("copy", "--to", str(cli.db))
    assert again.stdout == "a1 → a3: took title from the source (a change the target had not seen)\n"
    assert _titles(cli) == {"a1": "团队的文章", "a2": "团队的第二篇", "a3": "同事改过的本地文章"}
    assert cli("add", "article", "--title", "之后", "--region", "武清", "--date", "2025-07-04").stdout == "a4\n"


def test_a_stale_snapshot_copied_back_keeps_newer_edits_and_reports_conflicts(cli, tmp_path):
    cli("import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "leads.csv"))
    offline = _file(tmp_path, "offline")
    cli("copy", "--to", str(offline.db))
    cli("edit", "a2", "--title", "团队改过的标题")
    cli("edit", "a3", "--title", "团队改的a3")
    offline("edit", "a3", "--title", "离线改的a3")
    offline("edit", "a4", "--title", "离线改的a4")
    offline("lead", "note", "l1", "离线时的备注")
    cli("lead", "note", "l1", "团队的备注")
    team_a1 = cli.json("show", "a1")

    before = cli.state()
    plan = offline("copy", "--to", str(cli.db), "--dry-run")
    assert cli.state() == before
    done = offline("copy", "--to", str(cli.db))
    assert done.stdout == plan.stdout
    assert done.stdout.splitlines() == [
        "a4: took title from the source (a change the target had not seen)",
        "conflict a3: title changed in both stores since each last took the other's; kept the target's "
        "(--prefer source takes the source's)"]
    titles = _titles(cli)
    assert (titles["a2"], titles["a3"], titles["a4"]) == ("团队改过的标题", "团队改的a3", "离线改的a4")
    notes = [n["text"] for n in cli.json("show", "l1")["notes"]]
    assert sorted(notes[-2:]) == ["团队的备注", "离线时的备注"] and len(notes) == len(set(notes))
    assert cli.json("show", "a1") == team_a1

    state = cli.state()
    again = offline("copy", "--to", str(cli.db))  # nothing left to do, in either direction
    assert again.stdout == "" and "0 updated" in again.stderr and cli.state() == state
    back = cli("copy", "--to", str(offline.db))
    assert "conflict" not in back.stdout
    assert _titles(offline) == _titles(cli)
    assert cli("copy", "--to", str(offline.db)).stdout == ""


def test_prefer_source_takes_the_sources_side_of_a_conflict(cli, tmp_path):
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--industry", "装备制造")
    offline = _file(tmp_path, "offline")
    cli("copy", "--to", str(offline.db))
    cli("edit", "l1", "--industry", "新材料")
    offline("edit", "l1", "--industry", "生物医药")
    result = offline("copy", "--to", str(cli.db), "--prefer", "source")
    assert "kept the source's (--prefer target takes the target's)" in result.stdout
    assert cli.json("show", "l1", "--reveal")["industry"] == "生物医药"
    bad = offline("copy", "--to", str(cli.db), "--prefer", "mine", ok=False)
    assert bad.exit_code == 2


def test_a_source_holding_two_records_with_one_natural_key_copies_the_rest(cli, tmp_path):
    mine = _file(tmp_path, "mine")
    mine("add", "lead", "--company", "天津瑞拓精密机械有限公司", "--phone", "13820011234")
    mine("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234")
    mine("add", "lead", "--company", "美联精工", "--phone", "13900001111")
    # a store written before keys were enforced: l2 took l1's company behind the program's back
    mine.tamper("leads", lambda docs: docs["2"].update(company="天津瑞拓精密机械有限公司"))
    assert "l2" in mine("doctor", ok=False).stdout
    result = mine("copy", "--to", str(cli.db))
    assert result.exit_code == 0
    assert result.stdout == ("not copied: l2 has the same phone/email and company as l1 in the source "
                             "(merge or edit one of them)\n")
    assert "2 added" in result.stderr and "1 not copied" in result.stderr
    assert [r["company"] for r in cli.json("list", "leads", "--sort", "id")] == ["天津瑞拓精密机械有限公司", "美联精工"]


def test_edit_cannot_give_a_lead_another_leads_natural_key(cli):
    cli("add", "lead", "--company", "天津瑞拓精密机械有限公司", "--phone", "13820011234")
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13900001111")
    before = cli.state()
    result = cli("edit", "l2", "--company", "天津瑞拓精密机械有限公司", "--phone", "13820011234", ok=False)
    assert result.exit_code == 1
    assert result.stderr == ("error: l2 would have the same phone/email and company as l1; nothing was changed "
                             "(edit or merge l1 instead)\n")
    assert cli.state() == before
    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    cli("add", "article", "--title", "二", "--region", "武清", "--date", "2025-07-01")
    result = cli("edit", "a2", "--title", "一", ok=False)
    assert result.exit_code == 1 and "as a1" in result.stderr


def test_copy_onto_the_same_store_by_another_spelling_is_refused_at_once(tmp_path):
    cli = _file(tmp_path, "one")
    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    link = tmp_path / "link.json"
    link.symlink_to(cli.db)
    result = cli("copy", "--to", str(link), ok=False)
    assert result.exit_code == 1 and "same store" in result.stderr and result.stderr.count("\n") == 1
    dotted = str(cli.db.parent / ".." / "one" / "zhaoshang.json")
    assert cli("copy", "--from", dotted, "--to", str(cli.db), ok=False).exit_code == 1


def test_edits_on_both_sides_after_copies_both_ways_are_a_conflict(cli, tmp_path):
    """Team → offline, the team edits, offline → team (the team keeps its edit, which the
    offline copy has not seen), the offline copy edits the same field: a conflict, whichever
    way the next copy runs, never a silent overwrite."""
    cli("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01", "--summary", "原来的摘要")
    offline = _file(tmp_path, "offline")
    cli("copy", "--to", str(offline.db))
    cli("edit", "a1", "--summary", "团队的摘要")
    offline("add", "article", "--title", "二", "--region", "武清", "--date", "2025-07-02")
    offline("copy", "--to", str(cli.db))
    assert cli.json("show", "a1")["summary"] == "团队的摘要"
    offline("edit", "a1", "--summary", "离线的摘要")
    there = cli("copy", "--to", str(offline.db))
    assert "conflict a1: summary" in there.stdout and offline.json("show", "a1")["summary"] == "离线的摘要"
    back = offline("copy", "--to", str(cli.db))
    assert "conflict a1: summary" not in back.stdout  # settled by the copy before: the target's side stands
    assert cli.json("show", "a1")["summary"] == "离线的摘要"


def test_records_arriving_later_with_old_timestamps_are_copied(cli, tmp_path):
    mine = _file(tmp_path, "mine")
    mine("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    mine("copy", "--to", str(cli.db))
    cli("add", "article", "--title", "团队的", "--region", "武清", "--date", "2025-07-02")
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"title": "去年的稿件", "region": "武清", "date": "2024-05-01",
                               "created_at": "2024-05-01T09:00:00+08:00"}, ensure_ascii=False) + "\n", "utf-8")
    mine("import", str(old))  # a2 in mine, a2 taken in the team's store
    result = mine("copy", "--to", str(cli.db))
    assert result.stdout == "a2 → a3: the target's a2 is another record\n"
    assert _titles(cli)["a3"] == "去年的稿件"


def test_a_record_the_target_deleted_comes_back_said_so(cli, tmp_path):
    mine = _file(tmp_path, "mine")
    mine("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    mine("copy", "--to", str(cli.db))
    cli("rm", "a1", "--yes")
    result = mine("copy", "--to", str(cli.db))
    assert result.stdout.startswith("a1 → a2: the target issued a1 and no longer holds it (deleted there?)")


def test_a_dry_run_into_a_store_that_does_not_exist_creates_nothing(tmp_path):
    mine = _file(tmp_path, "mine")
    mine("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    target = tmp_path / "new" / "team.json"
    target.parent.mkdir()
    result = mine("copy", "--to", str(target), "--dry-run")
    assert "would copy" in result.stderr and "1 added" in result.stderr
    assert list(target.parent.iterdir()) == []


@pytest.mark.tinydb
def test_every_copy_records_who_matched_whom(tmp_path):
    mine, team = _file(tmp_path, "mine"), _file(tmp_path, "team")
    mine("add", "article", "--title", "一", "--region", "武清", "--date", "2025-07-01")
    mine("copy", "--to", str(team.db))
    meta, theirs = team.file()["_meta"]["1"], mine.file()["_meta"]["1"]
    assert list(meta["synced"]) == [theirs["id"]] and meta["id"] != theirs["id"]
    [stored] = team.stored("articles").values()
    assert stored["uid"] == mine.stored("articles")["1"]["uid"]
    assert "uid" not in json.dumps(team.json("show", "a1"))


def test_three_stores_edits_on_two_of_them_meet_as_a_conflict(tmp_path):
    """A → B → C, then A and C edit one field: as the edits travel (A → B, B → C…) their
    meeting is a conflict, never one edit silently undoing the other."""
    a, b, c = (_file(tmp_path, name) for name in "abc")
    a("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--contact", "原联系人")
    a("copy", "--to", str(b.db))
    b("copy", "--to", str(c.db))
    a("edit", "l1", "--contact", "A的联系人")
    c("edit", "l1", "--contact", "C的联系人")
    assert "conflict" not in a("copy", "--to", str(b.db)).stdout  # B had not changed it: A's edit arrives
    meeting = b("copy", "--to", str(c.db))
    assert "conflict l1: contact" in meeting.stdout
    assert c.json("show", "l1", "--reveal")["contact"] == "C的联系人"
    for source, target in ((c, b), (b, a)):  # the outcome travels back without another conflict
        assert "conflict" not in source("copy", "--to", str(target.db)).stdout
    assert {s.json("show", "l1", "--reveal")["contact"] for s in (a, b, c)} == {"C的联系人"}


def test_a_later_edit_at_the_origin_wins_over_its_older_copy_two_stores_away(tmp_path):
    a, b, c = (_file(tmp_path, name) for name in "abc")
    a("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--contact", "原联系人")
    a("copy", "--to", str(b.db))
    b("copy", "--to", str(c.db))
    a("edit", "l1", "--contact", "A改的")
    result = a("copy", "--to", str(c.db))  # C's value is A's own older one: no conflict
    assert "conflict" not in result.stdout and c.json("show", "l1", "--reveal")["contact"] == "A改的"
    assert "conflict" not in c("copy", "--to", str(a.db)).stdout
    assert a.json("show", "l1", "--reveal")["contact"] == "A改的"


def test_copying_from_a_store_without_an_id_gives_it_one_so_a_conflict_is_settled_once(tmp_path):
    a, b = _file(tmp_path, "a"), _file(tmp_path, "b")
    a("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--contact", "原联系人")
    a("copy", "--to", str(b.db))
    data = a.file()
    del data["_meta"]["1"]["id"]  # a store written before stores had ids
    a.db.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    a("edit", "l1", "--contact", "A的")
    b("edit", "l1", "--contact", "B的")
    first = a("copy", "--to", str(b.db))
    assert "conflict l1: contact" in first.stdout and "id" in a.file()["_meta"]["1"]
    again = a("copy", "--to", str(b.db))
    assert "conflict" not in again.stdout and "0 updated" in again.stderr


def test_a_record_that_never_said_who_made_it_gets_no_maker_from_a_copy(cli, tmp_path):
    """A record from before changes named people (an export of such a store says when it was
    made, not by whom): neither importing nor copying it makes the person doing it its maker."""
    mine = _file(tmp_path, "mine")
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"title": "早年的文章", "region": "武清", "date": "2020-01-02",
                               "created_at": "2020-01-02T08:00:00+08:00"}, ensure_ascii=False) + "\n", "utf-8")
    mine("import", str(old))
    before = mine.json("show", "a1")
    assert before["created_by"] is None and before["updated_by"] is None
    mine("copy", "--to", str(cli.db))
    after = cli.json("show", "a1")
    assert {k: after[k] for k in ("created_at", "updated_at", "created_by", "updated_by")} == \
        {k: before[k] for k in ("created_at", "updated_at", "created_by", "updated_by")}
    cli("add", "article", "--title", "新文章", "--region", "武清", "--date", "2025-07-01")
    made = cli.json("show", "a2")
    assert made["created_by"] and made["created_by"] == made["updated_by"]  # a new record is someone's
