from datetime import date

import pytest

from zhaoshang_cli.domain.dates import parse_date, parse_month, parse_period, period_name
from zhaoshang_cli.errors import FieldError

BASE = date(2025, 7, 20)


@pytest.mark.parametrize("text", [
    "2025-07-17", "2025-7-17", "2025年07月17日", "2025年7月17日", "2025/7/17", "2025.07.17", "20250717",
    "7月17日", "2025年7月17日 13:20", "2025-07-17 10:20:33", "2025-07-17T10:20:33+08:00", "２０２５年７月１７日",
    "二〇二五年七月十七日", "Jul 17 2025", "17 July 2025", " 2025-07-17 ", "2025 年 7 月 17 日",
])
def test_one_day_in_every_usual_form(text):
    assert parse_date(text, base=BASE) == date(2025, 7, 17)


@pytest.mark.parametrize("text,expected", [
    ("today", date(2025, 7, 20)), ("今天", date(2025, 7, 20)), ("yesterday", date(2025, 7, 19)),
    ("昨天", date(2025, 7, 19)), ("7d", date(2025, 7, 13)), ("3天前", date(2025, 7, 17)),
    ("+3d", date(2025, 7, 23)), ("3天后", date(2025, 7, 23)), ("2w", date(2025, 7, 6)), ("1m", date(2025, 6, 20)),
])
def test_relative_days(text, expected):
    assert parse_date(text, base=BASE) == expected


@pytest.mark.parametrize("text", ["2025-13-45", "2025-02-30", "2025年13月1日", "0月1日", "2025-07", "7", "soon", "3月"])
def test_impossible_or_partial_dates_are_errors_naming_the_value(text):
    with pytest.raises(FieldError) as err:
        parse_date(text, field="--since", base=BASE)
    assert err.value.field == "--since"
    assert text.strip() in err.value.message


@pytest.mark.parametrize("text,first,last", [
    ("2025-07", date(2025, 7, 1), date(2025, 7, 31)),
    ("2025年7月", date(2025, 7, 1), date(2025, 7, 31)),
    ("2025/02", date(2025, 2, 1), date(2025, 2, 28)),
    ("this-month", date(2025, 7, 1), date(2025, 7, 31)),
    ("本月", date(2025, 7, 1), date(2025, 7, 31)),
    ("last-month", date(2025, 6, 1), date(2025, 6, 30)),
    ("上月", date(2025, 6, 1), date(2025, 6, 30)),
    ("2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("去年", date(2024, 1, 1), date(2024, 12, 31)),
    ("this-week", date(2025, 7, 14), date(2025, 7, 20)),
    ("2025-07-17", date(2025, 7, 17), date(2025, 7, 17)),
])
def test_periods(text, first, last):
    assert parse_period(text, base=BASE) == (first, last)


def test_month_must_be_a_month():
    assert parse_month("2025-07", base=BASE)[0] == date(2025, 7, 1)
    with pytest.raises(FieldError):
        parse_month("2025-07-17", base=BASE)
    with pytest.raises(FieldError):
        parse_month("2025-13", base=BASE)


Q3 = (date(2025, 7, 1), date(2025, 9, 30))
H1 = (date(2025, 1, 1), date(2025, 6, 30))
H2 = (date(2025, 7, 1), date(2025, 12, 31))


@pytest.mark.parametrize("text,span", [
    ("2025Q3", Q3), ("2025 Q3", Q3), ("2025q3", Q3), ("2025-Q3", Q3), ("2025年Q3", Q3), ("2025年第三季度", Q3),
    ("2025年三季度", Q3), ("2025年第3季度", Q3), ("2025年第三季", Q3), ("三季度", Q3), ("第三季度", Q3), ("Q3", Q3),
    ("this-quarter", Q3), ("本季度", Q3), ("二〇二五年第三季度", Q3),
    ("last-quarter", (date(2025, 4, 1), date(2025, 6, 30))), ("上季度", (date(2025, 4, 1), date(2025, 6, 30))),
    ("2025Q1", (date(2025, 1, 1), date(2025, 3, 31))), ("2024年第四季度", (date(2024, 10, 1), date(2024, 12, 31))),
    ("2025年上半年", H1), ("2025年下半年", H2), ("上半年", H1), ("下半年", H2), ("2025H1", H1), ("2025 h2", H2),
    ("今年", (date(2025, 1, 1), date(2025, 12, 31))), ("去年", (date(2024, 1, 1), date(2024, 12, 31))),
    ("2025年度", (date(2025, 1, 1), date(2025, 12, 31))),
])
def test_quarters_half_years_and_years(text, span):
    assert parse_period(text, base=BASE) == span


def test_last_quarter_in_january_is_last_years_fourth():
    assert parse_period("上季度", base=date(2026, 1, 15)) == (date(2025, 10, 1), date(2025, 12, 31))


@pytest.mark.parametrize("text,message", [
    ("2025Q5", "'2025Q5' names quarter 5; a year has quarters 1 to 4"),
    ("2025年第五季度", "names quarter 5"), ("2025Q0", "names quarter 0"),
    ("2025年中", "cannot read '2025年中' as a date or period (try 2025-07-17, 2025-07, 2025Q3, 2025年第三季度, "
                "2025年上半年, 今年"),
])
def test_impossible_periods_are_errors_naming_the_value(text, message):
    with pytest.raises(FieldError) as err:
        parse_period(text, field="--on", base=BASE)
    assert err.value.field == "--on" and message in err.value.message


def test_a_quarter_is_not_a_month():
    with pytest.raises(FieldError) as err:
        parse_month("2025Q3", field="--month", base=BASE)
    assert "is not a month" in err.value.message


@pytest.mark.parametrize("first,last,name", [
    (date(2025, 7, 1), date(2025, 9, 30), "2025年第三季度"), (date(2025, 1, 1), date(2025, 6, 30), "2025年上半年"),
    (date(2025, 7, 1), date(2025, 12, 31), "2025年下半年"), (date(2025, 1, 1), date(2025, 12, 31), "2025年"),
    (date(2025, 7, 1), date(2025, 7, 31), "2025-07"), (date(2025, 7, 1), date(2025, 8, 31), None),
    (date(2025, 2, 1), date(2025, 4, 30), None), (date(2025, 7, 2), date(2025, 9, 30), None),
    (date(2024, 10, 1), date(2025, 3, 31), None),
])
def test_period_names_read_as_a_leader_would(first, last, name):
    assert period_name(first, last) == name
