"""The day's agenda (issue 23, point 6): overdue and upcoming follow-ups by day, for one
person or all, and an iCalendar file a real calendar library reads; both backends."""

import json
from datetime import date, timedelta

import icalendar
import pytest

pytestmark = pytest.mark.backends

TODAY = date.today()


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def desk(cli):
    rows = [("瑞拓精密", "13820011234", "张三", -3), ("启元生物", "13911223344", "李四", 0),
            ("华芯微电子", "13700001111", "张三", 2), ("远景楼宇", "13600002222", "张三", 30),
            ("美联精工", "13500003333", "李四", 5)]
    for company, phone, owner, offset in rows:
        cli("add", "lead", "--company", company, "--phone", phone, "--owner", owner, "--due", _day(offset),
            "--need", "厂房租赁")
    cli("lead", "status", "l5", "lost")  # a closed lead has no follow-up to do
    return cli


def test_the_agenda_lists_overdue_then_each_day(desk):
    agenda = json.loads(desk("agenda", "--format", "json").stdout)
    assert agenda["today"] == TODAY.isoformat() and agenda["until"] == _day(7)
    assert [r["id"] for r in agenda["overdue"]] == ["l1"]
    assert [(d["day"], [r["id"] for r in d["leads"]]) for d in agenda["days"]] == [(_day(0), ["l2"]), (_day(2), ["l3"])]
    mine = json.loads(desk("agenda", "--mine", "--days", "60", "--format", "json",
                           env={"ZHAOSHANG_USER": "张三"}).stdout)
    listed = [r["id"] for r in mine["overdue"]] + [r["id"] for d in mine["days"] for r in d["leads"]]
    assert listed == ["l1", "l3", "l4"]
    table = desk("agenda", "--owner", "李四").stdout
    assert "今天（1）" in table and "启元生物" in table and "瑞拓精密" not in table
    assert "逾期（1）" in desk("agenda").stdout


def test_the_calendar_file_is_read_by_a_calendar_library(desk, tmp_path):
    out = tmp_path / "跟进.ics"
    desk("agenda", "--days", "60", "--format", "ics", "-o", str(out))
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 4
    by_summary = {str(e["SUMMARY"]): e for e in events}
    assert set(by_summary) == {"跟进 瑞拓精密（l1）", "跟进 启元生物（l2）", "跟进 华芯微电子（l3）",
                               "跟进 远景楼宇（l4）"}
    first = by_summary["跟进 瑞拓精密（l1）"]
    assert first.decoded("DTSTART") == TODAY - timedelta(days=3)
    assert first.decoded("DTEND") == TODAY - timedelta(days=2)
    assert len({str(e["UID"]) for e in events}) == 4
    text = out.read_text("utf-8")
    assert "13820011234" not in text and "138****1234" in str(first["DESCRIPTION"])
    assert "负责人：张三" in str(first["DESCRIPTION"])
    revealed = desk("agenda", "--days", "60", "--format", "ics", "--reveal").stdout_bytes  # (.stdout: \r\n made \n)
    assert "13820011234" in revealed.decode("utf-8").replace("\r\n ", "")
    lines = revealed.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines) and b"\n" not in b"".join(lines)


def test_nothing_due_says_so(cli):
    cli("add", "lead", "--company", "瑞拓精密", "--phone", "13820011234")
    result = cli("agenda")
    assert result.stdout == "" and "no follow-ups due" in result.stderr
    assert cli("agenda", "--format", "xml", ok=False).exit_code == 2
