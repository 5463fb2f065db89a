"""Excel workbooks: `import FILE.xlsx` reads them like CSV, `export --format xlsx` writes them."""

import datetime
import io
import json
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang_cli.domain.article import ARTICLE
from zhaoshang_cli.domain.kind import KINDS
from zhaoshang_cli.errors import UserError
from zhaoshang_cli.io import terminal
from zhaoshang_cli.io.exporters import Options
from zhaoshang_cli.io.exporters import xlsx as xlsx_exporter
from zhaoshang_cli.io.importers.columns import field_for
from zhaoshang_cli.io.importers.xlsx import xlsx_rows

NEEDS_EXTRA = ("needs openpyxl and python-calamine, which zhaoshang installs: "
               "pip install --force-reinstall zhaoshang-cli")


def _save(book: openpyxl.Workbook, path):
    book.save(path)
    return str(path)


def _fresh(cli, tmp_path, name="fresh.json"):
    return cli.__class__(tmp_path / name / "zhaoshang.json")


def _sheet(path):
    return openpyxl.load_workbook(path).worksheets[0]


def _cell(path, header: str, row: int = 2):
    """The cell of ``row`` under the column headed ``header``."""
    sheet = _sheet(path)
    column = next(c.column_letter for c in sheet[1] if c.value == header)
    return sheet[f"{column}{row}"]


# -- round trips ---------------------------------------------------------------------------
def test_export_import_export_gives_the_same_records_for_every_kind(examples, tmp_path):
    examples("edit", "l3", "--status", "visited", "--note", "第二次考察")
    examples("rm", "a2", "p3", "--yes")  # gaps in the IDs must survive
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"company": "某某科技有限公司", "phone": "13700001111", "微信": "wx_13700001111",
                                 "推荐人": "张三", "amount": "1.2亿元"}, ensure_ascii=False) + "\n" +
                     json.dumps({"title": "多行正文", "region": "武清", "date": "2025-07-01", "tags": ["甲", "乙"],
                                 "body": "第一段\n第二段\n\n  缩进的第三段", "栏目编号": 7}, ensure_ascii=False) + "\n",
                     "utf-8")
    examples("import", str(extra))
    for kind in ("articles", "policies", "leads"):
        workbook = tmp_path / f"{kind}.xlsx"
        examples("export", kind, "--format", "xlsx", "-o", str(workbook))
        fresh = _fresh(examples, tmp_path, kind)
        fresh("import", str(workbook))
        assert fresh("export", kind).stdout == examples("export", kind).stdout, kind
    lead = _fresh(examples, tmp_path, "leads").json("show", "l19", "--reveal")
    assert lead["extra"] == {"微信": "wx_13700001111", "推荐人": "张三"} and lead["amount"] == 120_000_000
    assert [n["text"] for n in _fresh(examples, tmp_path, "leads").json("show", "l3")["notes"]] == [
        "需要洁净厂房和双回路供电", "第二次考察"]


def test_text_that_excel_would_run_or_mangle_comes_back_unchanged(cli, tmp_path):
    tricky = {"title": "=HYPERLINK(\"http://evil\",\"点我\")", "region": "武清", "date": "1899-12-31",
              "summary": "-2 和 +1", "tags": ["@a", "b"], "category": "'=已加撇号",
              "body": "CRLF\r\n行\r尾\x1b[31m红\x07\x00 _x000D_ 原样 _x005F_ _xFFFE_ 😀"}
    batch = tmp_path / "tricky.jsonl"
    batch.write_text(json.dumps(tricky, ensure_ascii=False) + "\n", "utf-8")
    cli("import", str(batch))
    cli("add", "lead", "--company", "大额公司", "--phone", "13800000000", "--amount", "9000000000000000")
    for kind in ("articles", "leads"):
        workbook = tmp_path / f"{kind}.xlsx"
        cli("export", kind, "--format", "xlsx", "-o", str(workbook))
        fresh = _fresh(cli, tmp_path, kind)
        fresh("import", str(workbook))
        assert fresh("export", kind).stdout == cli("export", kind).stdout, kind
    title = _cell(tmp_path / "articles.xlsx", "标题")
    assert title.value == tricky["title"] and title.data_type == "s" and title.quotePrefix  # text, never a formula
    assert _cell(tmp_path / "articles.xlsx", "发布日期").value == "1899-12-31"  # before Excel's calendar: text
    assert _cell(tmp_path / "leads.xlsx", "投资额").value == "9000000000000000"  # beyond Excel's 15 digits: text


def test_the_workbook_opens_cleanly_in_a_spreadsheet(examples, tmp_path):
    workbook = tmp_path / "leads.xlsx"
    examples("export", "leads", "--format", "xlsx", "-o", str(workbook))
    assert workbook.stat().st_mode & 0o777 == 0o600  # personal data, like every lead export
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["线索"]
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["编号", "记录类型", "企业名称", "联系人", "联系电话", "邮箱"]
    assert "意向地区" in headers and "登记日期" in headers and "状态记录" in headers
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    row = {h: c for h, c in zip(headers, sheet[2])}
    assert row["编号"].value == "l1" and row["联系电话"].value == "13820011234" and row["联系电话"].data_type == "s"
    assert row["区划代码"].value == "120114" and row["投资额"].value == 120_000_000
    assert row["登记日期"].value == datetime.datetime(2025, 7, 4) and row["登记日期"].number_format == "yyyy-mm-dd"
    assert row["记录创建时间"].value.startswith("20") and "T" in row["记录创建时间"].value
    assert json.loads(row["状态记录"].value)[0]["to"] == "negotiating"
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert all(8 <= w <= 60 for w in widths)
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width  # 企业名称 wider than 编号


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_exported_header_reads_back_as_its_field(cli, tmp_path, kind):
    workbook = tmp_path / "empty.xlsx"
    cli("config", "set", "region", "天津")  # a store without records
    cli("export", kind, "--format", "xlsx", "-o", str(workbook))
    headers = [c.value for c in _sheet(workbook)[1]]
    assert all("\u4e00" <= h[0] <= "\u9fff" for h in headers)  # Chinese, as the users write them
    assert [field_for(h) for h in headers] == KINDS[kind].public_fields


ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"), min_size=1)
PIECES = st.lists(st.one_of(ANY_TEXT, st.sampled_from(["_x000D_", "_x005F_", "_x41_", "_xABCD_", "_X0041_", "\r\n",
                                                         "\x00", "\x1b", "=", "'", " ", "\t"])),
                  min_size=1).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=8))
def test_any_text_is_read_back_exactly_as_it_was_written(bodies):
    records = [{"id": f"a{i}", "kind": "article", "body": body} for i, body in enumerate(bodies, start=1)]
    out = io.BytesIO()
    xlsx_exporter.write(records, out, kinds=[ARTICLE], options=Options())
    rows = xlsx_rows("t.xlsx", out.getvalue())
    assert [row.data.get("正文") for row in rows] == bodies


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_in_a_zip_envelope_read_or_give_a_user_error(tail):
    try:
        xlsx_rows("t.xlsx", b"PK\x03\x04" + tail)
    except UserError as exc:
        assert exc.message.startswith("t.xlsx: ") and "\n" not in exc.message


# -- workbooks written by an office --------------------------------------------------------
def _office_workbook(path, bad_phone=False):
    """Leads as an office keeps them: a notes sheet first, a merged title row, a header over
    two rows with merged cells, phones and amounts as numbers, Excel dates, a blank row,
    a column nobody asked for and trailing empty formatted cells."""
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active["A1"] = "请在“线索台账”中填写"
    sheet = book.create_sheet("线索台账")
    sheet["A1"] = "2025年7月武清区招商线索台账"
    sheet.merge_cells("A1:I1")
    for col, name in zip("ADEFGHI", ["企业名称", "投资额", "意向地区", "登记日期", "需求", "微信", "重点客户"]):
        sheet[f"{col}2"] = name
        sheet.merge_cells(f"{col}2:{col}3")
    sheet["B2"] = "联系方式"
    sheet.merge_cells("B2:C2")
    sheet["B3"], sheet["C3"] = "联系人", "联系电话"
    sheet.append(["天津瑞拓精密机械有限公司", "王建国", 13820011234, 120000000, "武清开发区",
                  datetime.datetime(2025, 7, 4), "买地自建", "wx_ruituo", True])
    sheet.append([None] * 9)  # a blank row
    sheet.append(["北京启元生物科技有限公司", "李晓梅", "1391122334" if bad_phone else 13911223344.0, 50000000.0,
                  "武清区", datetime.datetime(2025, 7, 12, 15, 30), "厂房租赁", None, False])
    sheet["L10"].number_format = "0.00"  # formatted, empty: not a column
    return _save(book, path)


def test_a_workbook_written_by_an_office_imports_like_csv(cli, tmp_path):
    workbook = _office_workbook(tmp_path / "台账.xlsx")
    result = cli("import", workbook, "--sheet", "线索台账")
    assert "2 added" in result.stderr
    assert f"{workbook}:线索台账: unknown column(s) kept under 'extra': 微信, 重点客户" in result.stderr
    first, second = cli.json("list", "leads", "--reveal", "--sort", "id")
    assert first["company"] == "天津瑞拓精密机械有限公司" and first["contact"] == "王建国"
    assert first["phone"] == "13820011234" and first["amount"] == 120_000_000
    assert first["region"] == "武清区" and first["date"] == "2025-07-04" and first["need"] == "买地自建"
    assert first["extra"] == {"微信": "wx_ruituo", "重点客户": "TRUE"}
    assert second["phone"] == "13911223344" and second["amount"] == 50_000_000 and second["date"] == "2025-07-12"
    assert second["extra"] == {"重点客户": "FALSE"}


def test_a_bad_cell_names_file_sheet_row_and_field_and_nothing_is_written(cli, tmp_path):
    cli("add", "article", "--title", "已有文章", "--region", "武清", "--date", "2025-07-01")
    before = cli.db.read_bytes()
    workbook = _office_workbook(tmp_path / "台账.xlsx", bad_phone=True)
    result = cli("import", workbook, "--sheet", "2", ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"error: {workbook}:线索台账:6: phone: '139*****34' is not a mainland mobile" in result.stderr
    assert cli.db.read_bytes() == before
    result = cli("import", workbook, "--sheet", "线索台账", "--skip-invalid")
    assert result.exit_code == 0 and "1 added" in result.stderr and "1 invalid" in result.stderr


def test_the_sheet_is_the_first_visible_one_or_the_one_named(cli, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "隐藏"
    book.active.sheet_state = "hidden"
    for title, date in (("七月", "2025-07-01"), ("八月", "2025-08-01")):
        sheet = book.create_sheet(title)
        sheet.append(["标题", "地区", "发布日期"])
        sheet.append([f"{title}的文章", "武清", date])
    workbook = _save(book, tmp_path / "articles.xlsx")
    cli("import", workbook, "--dry-run")
    assert "1 added" in cli("import", workbook).stderr
    assert "1 added" in cli("import", workbook, "--sheet", "3").stderr
    assert [a["title"] for a in cli.json("list", "articles", "--sort", "id")] == ["七月的文章", "八月的文章"]
    result = cli("import", workbook, "--sheet", "九月", ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: {workbook}: no sheet '九月'; its sheets are 1 隐藏, 2 七月, 3 八月 "
                             "(--sheet takes a name or a number)\n")
    result = cli("import", str(EXAMPLES / "leads.csv"), "--sheet", "1", ok=False)
    assert result.exit_code == 2 and "--sheet picks a sheet of an .xlsx workbook" in result.stderr


def test_kind_on_conflict_and_header_below_a_title_row(cli, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B2"] = "政策汇编（2025）"
    sheet.append([])
    sheet.append([None, "政策名称", "发文单位", "地区", "成文日期", "链接"])
    sheet.append([None, "关于支持总部经济的若干措施", "武清区商务局", "武清", datetime.datetime(2025, 3, 1),
                  "https://example.org/p/1"])
    workbook = _save(book, tmp_path / "p.xlsx")
    cli("import", workbook, "--kind", "policy")
    policy = cli.json("show", "p1")
    assert policy["title"] == "关于支持总部经济的若干措施" and policy["issuer"] == "武清区商务局"
    sheet["C5"] = "天津市武清区商务局"
    _save(book, tmp_path / "p.xlsx")
    assert "1 updated" in cli("import", workbook, "--kind", "policy", "--on-conflict", "update").stderr
    assert cli.json("show", "p1")["issuer"] == "天津市武清区商务局"


# -- recognising and refusing files --------------------------------------------------------
def test_a_workbook_is_recognised_by_its_content_on_stdin_or_under_another_name(examples, tmp_path):
    workbook = tmp_path / "articles.xlsx"
    examples("export", "articles", "--format", "xlsx", "-o", str(workbook))
    fresh = _fresh(examples, tmp_path)
    assert "33 added" in fresh("import", "-", input=workbook.read_bytes()).stderr
    renamed = tmp_path / "download.dat"
    renamed.write_bytes(workbook.read_bytes())
    assert "33 unchanged" in fresh("import", str(renamed)).stderr
    assert "33 unchanged" in fresh("import", "-", "--format", "xlsx", input=workbook.read_bytes()).stderr


@pytest.mark.parametrize("content, message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "an old binary Excel file (.xls) cannot be read; open it in "
                                                       "Excel or WPS and save it as .xlsx or CSV"),
    (b"PK\x03\x04 not really a zip", "cannot read this workbook"),
])
def test_old_and_damaged_workbooks_are_one_line_errors(cli, tmp_path, content, message):
    cli("add", "article", "--title", "已有文章", "--region", "武清", "--date", "2025-07-01")
    before = cli.db.read_bytes()
    for name in ("old.xls", "old.xlsx"):
        (tmp_path / name).write_bytes(content)
        result = cli("import", str(tmp_path / name), ok=False)
        assert result.exit_code == 1 and result.stderr.startswith(f"error: {tmp_path / name}: ")
        assert message in result.stderr and result.stderr.count("\n") == 1
    assert cli.db.read_bytes() == before


def test_a_zip_that_is_no_workbook_and_text_named_xlsx_are_refused(cli, tmp_path):
    archive = tmp_path / "docs.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    result = cli("import", str(archive), ok=False)
    assert result.exit_code == 1 and "cannot read this workbook" in result.stderr
    (tmp_path / "text.xlsx").write_text("标题,地区,发布日期\n", "utf-8")
    result = cli("import", str(tmp_path / "text.xlsx"), ok=False)
    assert result.exit_code == 1 and "not an .xlsx workbook (an .xlsx file is a ZIP archive)" in result.stderr


def test_a_stray_cell_far_away_is_a_message_not_a_crash(cli, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["标题", "地区", "发布日期"])
    book.active.append(["文章", "武清", "2025-07-01"])
    book.active["XFD1048576"] = " "  # laid out from A1, the sheet would take hundreds of GiB
    workbook = _save(book, tmp_path / "far.xlsx")
    result = cli("import", workbook, ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: {workbook}:Sheet: the sheet reaches cell XFD1048576 (1,048,576 rows × 16,384 "
                             "columns), too far to read; delete what lies beyond the data (Ctrl+End finds it) or "
                             "save the sheet as CSV\n")
    del book.active["XFD1048576"]
    book.active["AB1"] = "备注"  # wide but near: read
    _save(book, tmp_path / "far.xlsx")
    assert "1 added" in cli("import", workbook).stderr


def test_without_the_excel_libraries_a_workbook_says_how_to_install_them(examples, tmp_path, monkeypatch):
    workbook = tmp_path / "articles.xlsx"
    examples("export", "articles", "--format", "xlsx", "-o", str(workbook))
    before = examples.db.read_bytes()
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # `import python_calamine` fails
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = examples("import", str(workbook), ok=False)
    assert result.exit_code == 1 and result.stderr == f"error: reading or writing .xlsx files {NEEDS_EXTRA}\n"
    result = examples("export", "leads", "--format", "xlsx", "-o", str(tmp_path / "leads.xlsx"), ok=False)
    assert result.exit_code == 1 and NEEDS_EXTRA in result.stderr
    assert not (tmp_path / "leads.xlsx").exists() and examples.db.read_bytes() == before


def test_only_reading_or_writing_a_workbook_imports_the_excel_libraries(examples, tmp_path):
    script = (
        "import sys\n"
        "from zhaoshang_cli.cli.app import app\n"
        "for args in (['--help'], ['list', 'leads'], ['export', 'leads', '--format', 'csv'],\n"
        "             ['import', sys.argv[1], '--dry-run'], ['report']):\n"
        "    try:\n"
        "        app(args)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code in (0, None), (args, exc.code)\n"
        "loaded = sorted(m for m in ('openpyxl', 'python_calamine') if m in sys.modules)\n"
        "print('loaded:', loaded, file=sys.stderr)\n"
        "sys.exit(1 if loaded else 0)\n")
    result = subprocess.run([sys.executable, "-c", script, str(EXAMPLES / "leads.csv")], capture_output=True,
                            text=True, env={"ZHAOSHANG_DB": str(examples.db), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr


# -- output --------------------------------------------------------------------------------
def test_xlsx_goes_to_stdout_only_when_it_is_not_a_terminal(examples, monkeypatch):
    result = examples("export", "policies", "--format", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes))
    assert book.active.title == "政策" and book.active.max_row == 13
    monkeypatch.setattr(terminal, "is_terminal", lambda stream=None: True)
    result = examples("export", "policies", "--format", "xlsx", ok=False)
    assert result.exit_code == 2 and result.stdout_bytes == b""
    assert result.stderr == ("error: this format is a binary file, not text for a terminal: write it with -o FILE "
                             "(or redirect stdout to a file)\n")


def test_what_excel_cannot_hold_is_refused_before_anything_is_written(cli, tmp_path, monkeypatch):
    cli("add", "article", "--title", "长文", "--region", "武清", "--date", "2025-07-01", "--body", "字" * 32_768)
    target = tmp_path / "a.xlsx"
    result = cli("export", "articles", "--format", "xlsx", "-o", str(target), ok=False)
    assert result.exit_code == 1 and not target.exists()
    assert result.stderr == ("error: a1: 正文 has 32,768 characters, more than an Excel cell holds (32,767); "
                             "export as jsonl or csv instead\n")
    cli("edit", "a1", "--body", "字" * 32_767)
    cli("add", "article", "--title", "短文", "--region", "武清", "--date", "2025-07-02")
    cli("export", "articles", "--format", "xlsx", "-o", str(target))
    assert len(_cell(target, "正文").value) == 32_767
    cli("edit", "a2", "--summary", "无法保存的\ufffe字符")
    result = cli("export", "articles", "--format", "xlsx", "-o", str(target), ok=False)
    assert result.exit_code == 1 and result.stderr == ("error: a2: 摘要 holds U+FFFE, a character an .xlsx file "
                                                       "cannot hold; export as jsonl or csv instead\n")
    monkeypatch.setattr(xlsx_exporter, "ROW_LIMIT", 2)
    result = cli("export", "articles", "--format", "xlsx", "-o", str(tmp_path / "b.xlsx"), ok=False)
    assert result.exit_code == 1 and "2 records do not fit in an Excel sheet (1 rows)" in result.stderr
