"""Hostile and random input never gives a traceback or a partial write."""

import csv
import io
import json
import re

from conftest import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang_cli.dates import parse_date, parse_period
from zhaoshang_cli.errors import FieldError, UserError
from zhaoshang_cli.importers.page import parse, rows_of
from zhaoshang_cli.regions import table
from zhaoshang_cli.values import parse_amount, parse_email, parse_phone

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
NASTY = st.sampled_from(["\x1b[31m", "\x1b]8;;http://x\x07", "\u202e", "\x00", "[bold]", "=1+1", "@SUM", "\r\n",
                         "\ufeff", '"', "\\", "，", "：", "〔2025〕", "年", "月", "日", "亿", "万元", "-", "/", ".", " "])
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


PLACES = st.sampled_from(["天津", "天津市", "和平区", "濱海新區", "蘇州工業園區", "浙江省", "杭州市", "西湖区", "文三路",
                         "人民路8号", "街道", "区", "wuqing", "wq", "Tianjin", "lu'an", "heping", "ü", "'", "律"])


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


@FAST
@given(st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none()))
def test_amounts_phones_emails_parse_or_refuse(value):
    for parser in (parse_amount, parse_phone, parse_email):
        try:
            result = parser(value)
        except FieldError:
            continue
        if parser is parse_amount:
            assert isinstance(result, int) and result >= 0


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
          "kind", "id", "标题", "所属地区", "发布日期", "投资额", "联系电话", "extra", "notes", "province", "created_at"]
def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


VALUES = st.one_of(TEXT, st.sampled_from(["武清", "天津 和平区", "和平区", "天津,北京", "天津 海淀区", "2025-07-01",
                                          "2025-13-45", "+99999999d", "13812345678", "a1", "lead", "policy", "signed",
                                          "5000万元", "https://e.org/1"]),
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
    else:
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
