"""What an officer hits daily (issue 23, point 8): follow-up days read forward, lists of
statuses, --where by the Chinese labels, a future date warned of, the questions of an
interactive `add lead`, Ctrl-C at a prompt."""

import json
import signal
from datetime import date, timedelta

import pytest
from terminal import Terminal, width

from zhaoshang_cli.domain.dates import parse_follow_up

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize("text,day", [
    ("7/17", "2027-07-17"), ("12/25", "2026-12-25"), ("12月7日", "2026-12-07"), ("下周一", "2026-12-14"),
    ("下周", "2026-12-14"), ("下星期三", "2026-12-16"), ("周五", "2026-12-11"), ("一周后", "2026-12-14"),
    ("3天后", "2026-12-10"), ("两个月后", "2027-02-07"), ("月底", "2026-12-31"), ("下月初", "2027-01-01"),
    ("下月底", "2027-01-31"), ("2025-08-01", "2025-08-01"), ("+3d", "2026-12-10"),
])
def test_follow_up_days_are_read_forward(text, day):
    assert parse_follow_up(text, base=MONDAY).isoformat() == day


@pytest.mark.backends
def test_lead_due_and_the_due_field_read_forward(cli):
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234", "--due", "下周一")
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    assert cli.json("show", "l1")["due"] == monday.isoformat()
    passed = date.today() - timedelta(days=1)
    cli("lead", "due", "l1", f"{passed.month}/{passed.day}")
    assert cli.json("show", "l1")["due"] > date.today().isoformat()  # a day that has passed: next year's


@pytest.mark.backends
def test_statuses_tags_and_chinese_labels_filter(cli):
    cli("add", "lead", "--company", "甲", "--phone", "13800000001", "--industry", "生物医药")
    cli("add", "lead", "--company", "乙", "--phone", "13800000002", "--status", "negotiating")
    cli("add", "lead", "--company", "丙", "--phone", "13800000003")
    cli("lead", "status", "l3", "signed")
    assert cli("list", "leads", "--status", "signed,negotiating", "--format", "ids").stdout.split() == ["l3", "l2"]
    assert cli("list", "leads", "--status", "已签约、洽谈中", "--format", "count").stdout.strip() == "2"
    assert cli("list", "leads", "--where", "行业=生物医药", "--format", "ids").stdout.split() == ["l1"]
    assert cli("list", "leads", "--where", "电话=138-0000-0002", "--format", "ids").stdout.split() == ["l2"]
    for title, tags in (("一", "厂房,招商"), ("二", "政策"), ("三", "")):
        cli("add", "article", "--title", title, "--region", "武清", "--date", "2025-07-01",
            *(["--tags", tags] if tags else []))
    assert cli("list", "articles", "--where", "标签=招商", "--format", "ids").stdout.split() == ["a1"]
    assert cli("list", "articles", "--where", "tags=", "--format", "ids").stdout.split() == ["a3"]
    assert cli("list", "articles", "--tag", "招商", "--format", "ids").stdout.split() == ["a1"]
    assert sorted(cli("filter", "--tag", "招商,政策", "--format", "ids").stdout.split()) == ["a1", "a2"]
    assert cli("list", "articles", "--fields", "编号,标签", "--format", "json").stdout.count("招商") == 1


@pytest.mark.backends
def test_a_record_dated_after_today_is_kept_with_a_warning(cli, tmp_path):
    later = (date.today() + timedelta(days=400)).isoformat()
    result = cli("add", "article", "--title", "明年的稿件", "--region", "武清", "--date", later)
    assert f"its date {later} is after today" in result.stderr and result.stdout.strip() == "a1"
    sheet = tmp_path / "a.jsonl"
    sheet.write_text(json.dumps({"title": "又一篇", "region": "武清", "date": later}, ensure_ascii=False) + "\n",
                     "utf-8")
    assert "1 record(s) dated after today" in cli("import", str(sheet)).stderr


def test_an_interactive_lead_takes_an_email_and_asks_region_and_owner(cli, monkeypatch):
    from zhaoshang_cli.cli import common

    monkeypatch.setattr(common, "at_terminal", lambda: True)
    result = cli("add", "lead", input="瑞拓精密\n\nli@ruituo.example.com\n武清\n\n", env={"ZHAOSHANG_USER": "张三"})
    assert "an e-mail will do" in result.stdout and "负责人 (owner, Enter to leave it empty) [张三]" in result.stdout
    lead = cli.json("show", "l1", "--reveal")
    assert (lead["email"], lead["region"], lead["owner"], lead.get("phone")) == (
        "li@ruituo.example.com", "武清区", "张三", None)


def test_ctrl_c_at_a_prompt_exits_130_and_saves_nothing(cli):
    term = Terminal(["add", "lead"], cli.db)
    term.expect("企业名称")
    term.proc.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C (this one is no controlling tty)
    assert term.finish() == 130, term.seen  # 128 + SIGINT, as shells report an interrupted command
    assert not cli.db.exists()


def test_fields_drop_a_column_rather_than_cut_a_phone_or_a_date(examples):
    shown = examples("list", "leads", "--fields", "id,company,contact,phone,email,due,region,need", "--reveal",
                     env={"COLUMNS": "70"}).stdout.splitlines()
    assert all(width(line) <= 70 for line in shown)
    phones = {lead["id"]: lead["phone"] for lead in examples.json("list", "leads", "--reveal")}
    rows = [line.split() for line in shown[2:]]
    assert rows and all(phones[row[0]] in row for row in rows if phones.get(row[0]))  # whole, never cut
    assert "…" not in "".join(" ".join(row[:1] + row[3:]) for row in rows)
    assert "邮箱" not in shown[0]  # a column went instead


def test_list_and_filter_write_csv_for_excel(examples):
    raw = examples("list", "leads", "--format", "csv", "--excel").stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert examples("filter", "--format", "csv", "--excel").stdout_bytes.startswith(b"\xef\xbb\xbf")
    refused = examples("list", "leads", "--excel", ok=False)
    assert refused.exit_code == 2 and "--format csv" in refused.stderr
