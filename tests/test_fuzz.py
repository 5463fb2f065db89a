"""Hostile and random input never gives a traceback or a partial write."""

import csv
import io
import json
import re

from conftest import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang_cli.domain.amounts import CURRENCIES, parse_amount, parse_amount_fields
from zhaoshang_cli.domain.contacts import parse_email, parse_phone
from zhaoshang_cli.domain.dates import parse_date, parse_period, period_name
from zhaoshang_cli.domain.lead import LEAD, NEEDS
from zhaoshang_cli.domain.regions import table
from zhaoshang_cli.domain.values import parse_suggested
from zhaoshang_cli.errors import FieldError, UserError
from zhaoshang_cli.io.importers.page import parse, rows_of
from zhaoshang_cli.io.masking import mask_phone

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
NASTY = st.sampled_from(["\x1b[31m", "\x1b]8;;http://x\x07", "\u202e", "\x00", "[bold]", "=1+1", "@SUM", "\r\n",
                         "\ufeff", '"', "\\", "，", "：", "〔2025〕", "年", "月", "日", "亿", "万元",
                         "-", "/", ".", " "])
TEXT = st.lists(st.one_of(st.text(max_size=6), st.text(CJK, max_size=4), NASTY, st.integers(-99, 9999).map(str)),
                max_size=8).map("".join)
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


RELATIVE = st.builds(lambda sign, n, unit, word: f"{sign}{n}{unit}{word}", st.sampled_from(["", "+", "-"]),
                     st.one_of(st.integers(0, 10**6), st.integers(0, 10**30)),
                     st.sampled_from(["d", "w", "m", "天", "个月"]), st.sampled_from(["", "前", "后"]))


@FAST
@given(st.one_of(TEXT, RELATIVE))
def test_dates_parse_or_refuse(text):
    for parser in (parse_date, parse_period):
        try:
            parser(text)
        except FieldError as exc:
            assert "\n" not in exc.message.strip()


@FAST
@given(TEXT)
def test_region_names_resolve_or_refuse(text):
    try:
        region = table().resolve(text)
    except UserError:
        return
    assert region.code in table().regions


PLACES = st.sampled_from(["天津", "天津市", "和平区", "濱海新區", "蘇州工業園區", "浙江省", "杭州市", "西湖区",
                         "文三路", "人民路8号", "街道", "区", "wuqing", "wq", "Tianjin", "lu'an", "heping", "ü", "'",
                         "律"])


@FAST
@given(st.lists(st.one_of(PLACES, TEXT), min_size=1, max_size=6).map("".join))
def test_traditional_pinyin_and_address_forms_resolve_or_refuse(text):
    tbl = table()
    try:
        region = tbl.resolve(text, field_name="region")
    except UserError as exc:
        assert "\n" not in exc.message
    else:
        assert region.code in tbl.regions
    assert all(isinstance(name, str) and name for name in tbl.suggest(text))


NAMES = st.sampled_from(["天津", "北京", "和平区", "河西区", "海淀区", "沈阳", "辽宁", "武清开发区", "吉林", "朝阳",
                         "120101", "12", "滨海", "苏州工业园区", "火星", ""])
JOINS = st.sampled_from([" ", ",", "，", "、", ";", "/", " › ", ">", "　", " , "])


@FAST
@given(st.lists(st.tuples(NAMES, JOINS), min_size=1, max_size=5))
def test_region_lists_resolve_or_refuse_in_one_line(parts):
    text = "".join(name + join for name, join in parts)
    try:
        found = table().resolve_list(text, field_name="--region")
    except UserError as exc:
        assert "\n" not in exc.message
        return
    assert found and all(r.code in table().regions for r in found)
    assert len({r.code for r in found}) == len(found)


AMOUNT_PIECES = st.sampled_from([
    "约", "大约", "约合", "左右", "上下", "1", "2", "5000", "1.2", "0.5", "12,000", "9" * 20, ",", ".",
    "点", "一", "二", "两", "三", "五", "十", "百", "千", "万", "亿", "零", "〇", "壹", "仟", "元",
    "美元", "美金", "欧元", "港元", "港币", "日元", "英镑", "人民币", "usd", "USD", "us$", "HK$", "€", "£", "￥",
    "$", "-", "~", "至", "到", "–", "—", " ", "e"])
AMOUNTS = st.lists(AMOUNT_PIECES, max_size=10).map("".join)


@FAST
@given(st.one_of(TEXT, AMOUNTS, st.integers(), st.floats(), st.booleans(), st.none()))
def test_amounts_parse_or_refuse_and_read_back_as_written(value):
    try:
        amount = parse_amount(value)
    except FieldError as exc:
        assert "\n" not in exc.message and exc.field == "amount"
        return
    assert 0 <= amount.low <= 10**16 and amount.currency in CURRENCIES
    assert amount.high is None or amount.low < amount.high <= 10**16
    again = parse_amount(amount.text())  # what reports write reads back (rounded to four decimals)
    assert (again.currency, again.approx) == (amount.currency, amount.approx)


@FAST
@given(st.dictionaries(st.sampled_from(["amount", "amount_high", "currency", "amount_approx"]),
                       st.one_of(AMOUNTS, st.sampled_from(["CNY", "USD", "美元", "true", "false", "", "卢布"]),
                                 st.integers(-5, 10**17), st.booleans(), st.none())))
def test_amount_fields_parse_or_refuse(given):
    try:
        stored = parse_amount_fields(given)
    except FieldError as exc:
        assert exc.field in given and "\n" not in exc.message
        return
    assert set(stored) <= {"amount", "amount_high", "currency", "amount_approx"}
    if "amount_high" in stored:
        assert stored["amount_high"] > stored["amount"]
    assert stored.get("currency") != "CNY" and stored.get("amount_approx") in (None, True)


PHONE_PIECES = st.sampled_from(["+86", "0086", "86", "138", "1234", "5678", "022", "010", "0316", "12345678", "400",
                                "800", "820", "8820", "转", "分机", "ext", "ext.", "#", "x", "-", " ", "(", ")", "（",
                                "）", "0", "1", "9", "/", "８"])
PHONES = st.lists(PHONE_PIECES, max_size=8).map("".join)


@FAST
@given(st.one_of(TEXT, PHONES, st.integers(), st.floats(), st.booleans(), st.none()))
def test_phones_and_emails_parse_or_refuse(value):
    try:
        phone = parse_phone(value)
    except FieldError as exc:
        assert "\n" not in exc.message
    else:
        assert parse_phone(phone) == phone  # one canonical form
        assert "*" in mask_phone(phone) and mask_phone(phone) != phone
    try:
        parse_email(value)
    except FieldError:
        pass


PERIOD_PIECES = st.sampled_from(["2025", "0000", "9999", "二〇二五", "年", "q", "Q", "第", "三", "3", "5", "0", "季度",
                                 "季", "上", "下", "半年", "度", "h", "H", "1", "2", "-", " ", "本季度", "上季度",
                                 "this-quarter", "last-quarter", "今年", "去年", "月"])
PERIODS = st.lists(PERIOD_PIECES, max_size=6).map("".join)


@FAST
@given(st.one_of(PERIODS, TEXT))
def test_periods_parse_or_refuse(text):
    try:
        first, last = parse_period(text)
    except FieldError as exc:
        assert "\n" not in exc.message
        return
    assert first <= last
    name = period_name(first, last)
    assert name is None or name.startswith(f"{first.year:04d}")


@FAST
@given(st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.lists(TEXT, max_size=2)))
def test_needs_are_usual_or_short_text_or_refused(value):
    need = LEAD.field("need")
    try:
        stored = parse_suggested(value, "need", need.choices, need.limit)
    except FieldError as exc:
        assert "\n" not in exc.message
        return
    assert stored in NEEDS or 1 <= len(stored) <= need.limit


@FAST
@given(st.lists(st.one_of(TEXT, st.sampled_from(["所属地区:天津", "发布日期:2025-07-01", "天津招商项目", "更多项目",
                                                 "2025-07-29", "【武清招商】", "所屬地區：和平区", "更多政策"])),
                max_size=12))
def test_scraped_pages_parse_or_are_skipped(lines):
    try:
        rows = rows_of(parse("\n".join(lines)), "page.txt")
    except UserError:
        return
    assert rows and all(r.line >= 1 for r in rows)


FIELDS = ["title", "region", "date", "url", "body", "tags", "company", "phone", "email", "amount", "status", "need",
          "kind", "id", "标题", "所属地区", "发布日期", "投资额", "联系电话", "extra", "notes", "province",
          "created_at", "amount_high", "currency", "amount_approx", "币种"]
def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


VALUES = st.one_of(TEXT, st.sampled_from(["武清", "天津 和平区", "和平区", "天津,北京", "天津 海淀区", "2025-07-01",
                                          "2025-13-45", "+99999999d", "13812345678", "a1", "lead", "policy", "signed",
                                          "5000万元", "https://e.org/1", "约1-2亿美元", "400-800-1234", "USD",
                                          "true", "标准厂房", "2025Q3"]), AMOUNTS, PHONES,
                   st.integers(-5, 10**12), st.integers(-2**70, 2**70), st.floats(), st.none(),
                   st.lists(TEXT, max_size=3), st.booleans(), st.integers(0, 300).map(_nested),
                   st.dictionaries(TEXT, st.one_of(st.integers(-2**70, 2**70), st.floats(), TEXT), max_size=2))
ROW = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)


def _import_is_all_or_nothing(cli: Cli, path, *extra):
    before = cli.db.read_bytes() if cli.db.exists() else None
    result = cli("import", str(path), *extra, ok=False)
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        after = cli.db.read_bytes() if cli.db.exists() else None
        assert after == before, "a refused import changed the store"
        assert re.search(r"error: ", result.stderr)
    elif cli.db.exists():  # an import that added nothing to no store made none
        cli("list", "articles")  # and the store still reads
        cli("filter", "--format", "json")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=5), fmt=st.sampled_from(["jsonl", "json"]))
def test_json_rows(tmp_path_factory, rows, fmt):
    tmp = tmp_path_factory.mktemp("json")
    cli = Cli(tmp / "db.json")
    cli("add", "article", "--title", "已有", "--region", "武清", "--date", "2025-07-01")
    path = tmp / f"rows.{fmt}"
    if fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=bool(len(r) % 2)) for r in rows), "utf-8")
    else:
        path.write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    _import_is_all_or_nothing(cli, path, *(["--skip-invalid"] if len(rows) % 2 else []))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=6, unique=True),
       cells=st.lists(st.lists(st.one_of(TEXT, st.sampled_from(["武清", "2025-07-01", "13812345678"])),
                               max_size=7), min_size=1, max_size=4),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_csv_rows(tmp_path_factory, header, cells, encoding):
    tmp = tmp_path_factory.mktemp("csv")
    cli = Cli(tmp / "db.json")
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *cells])
    path = tmp / "rows.csv"
    try:
        path.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return
    _import_is_all_or_nothing(cli, path, "--skip-invalid")
    _import_is_all_or_nothing(cli, path)
