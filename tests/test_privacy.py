"""Contact data is masked wherever people read it unless --reveal; export keeps it whole."""

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang_cli.io import masking
from zhaoshang_cli.io.masking import is_contact_key, mask_in_text, mask_value

pytestmark = pytest.mark.backends

# the whole values that no masked output may show, and how they look masked
PHONE, EMAIL = "13812345678", "wang.jianguo@ruituo.example.com"
EXTRA = {  # columns a spreadsheet brought along, kept under 'extra'
    "mobile": "13922223333", "tel": "022-87654321", "微信": "wang_jianguo88", "wechat": "ruituo_wang",
    "QQ": "987654321", "座机": "(022)66667777", "备用电话": "+86 137 1111 2222", "手机": "13644445555",
    "电话": "010-55556666转123", "邮箱": "boss@ruituo.example.com", "Fax No": "022-12121212",
}
IN_TEXT = "请拨打 15955556666 或发邮件 li.ming@qiye.example.cn，微信：liming_2025"
SECRETS = [PHONE, EMAIL, *EXTRA.values(), "87654321", "wang_jianguo88", "ruituo_wang", "987654321", "66667777",
           "1111 2222", "55556666", "boss@", "15955556666", "li.ming@", "liming_2025", "12121212"]
HARMLESS = {"阅读量": "120", "备注": "客户关注用电指标", "项目编号": "2025-07"}


@pytest.fixture
def lead(cli, tmp_path):
    row = {"company": "瑞拓精密", "contact": "王建国", "phone": PHONE, "email": EMAIL, "region": "武清",
           "date": "2025-07-03", "extra": {**EXTRA, **HARMLESS, "说明": IN_TEXT}}
    batch = tmp_path / "lead.jsonl"
    batch.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    cli("import", str(batch))
    return cli


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


VIEWS = [("list", "leads"), ("list", "leads", "--format", "csv"), ("list", "leads", "--format", "json"),
         ("list", "leads", "--format", "jsonl"), ("filter", "--format", "csv"), ("filter", "--format", "json"),
         ("filter", "--kind", "lead", "--format", "jsonl"), ("show", "l1"), ("show", "l1", "--format", "json")]


@pytest.mark.parametrize("view", VIEWS, ids=" ".join)
def test_every_view_masks_contact_data_unless_revealed(lead, view):
    result = lead(*view)
    assert _leaks(result.stdout) == []
    assert "138****5678" in result.stdout
    assert "--reveal" in result.stderr
    revealed = lead(*view, "--reveal")
    assert PHONE in revealed.stdout and revealed.stderr == ""
    if view[0] == "show" or "--format" in view:  # tables of lists have no e-mail or extra columns
        assert "w***@ruituo.example.com" in result.stdout
        assert "阅读量" in result.stdout and "客户关注用电指标" in result.stdout  # other columns as they are
        assert [s for s in SECRETS if s not in revealed.stdout] == []


def test_masked_machine_formats_hold_the_masked_values(lead):
    [record] = lead.json("list", "leads")
    assert record["phone"] == "138****5678" and record["email"] == "w***@ruituo.example.com"
    extra = record["extra"]
    assert extra["mobile"] == "139****3333" and extra["tel"] == "022-****4321" and extra["座机"] == "022-****7777"
    assert extra["备用电话"] == "137****2222" and extra["电话"] == "010-****6666"
    assert extra["邮箱"] == "b***@ruituo.example.com"
    assert extra["微信"] == "wan*********88" and extra["QQ"] == "987****21"
    assert extra["说明"] == "请拨打 159****6666 或发邮件 l***@qiye.example.cn，微信：lim******25"
    assert {k: extra[k] for k in HARMLESS} == HARMLESS
    [row] = list(csv.DictReader(io.StringIO(lead("list", "leads", "--format", "csv").stdout)))
    assert row["phone"] == "138****5678" and json.loads(row["extra"]) == extra
    revealed = lead.json("list", "leads", "--reveal")[0]
    assert revealed["phone"] == PHONE and revealed["extra"] == {**EXTRA, **HARMLESS, "说明": IN_TEXT}


def test_show_masks_extra_columns_in_its_table(lead):
    out = lead("show", "l1").stdout
    assert "QQ" in out and "987****21" in out and "wan*********88" in out and "139****3333" in out
    assert _leaks(out) == []
    assert all(v in lead("show", "l1", "--reveal").stdout for v in ("987654321", "wang_jianguo88", EXTRA["tel"]))


def test_export_keeps_contact_data_whole_and_says_it_is_personal(lead, tmp_path):
    for fmt in ("jsonl", "json", "csv"):
        result = lead("export", "leads", "--format", fmt)
        assert PHONE in result.stdout and EMAIL in result.stdout and "wang_jianguo88" in result.stdout
        assert "personal data" in result.stderr and "--reveal" not in result.stderr
    [record] = [json.loads(line) for line in lead("export", "leads").stdout.splitlines()]
    assert record["extra"] == {**EXTRA, **HARMLESS, "说明": IN_TEXT}


def test_articles_without_contact_data_print_no_note(examples):
    assert examples("list", "articles", "--format", "json").stderr == ""
    assert examples("show", "a1").stderr == ""


@pytest.mark.parametrize("key,contact", [("手机号码", True), ("联系电话", True), ("WeChat ID", True), ("qq_no", True),
                                         ("E-mail", True), ("备用电话", True), ("hotel", False), ("阅读量", False),
                                         ("telecom_sector", False), ("cell", True)])
def test_contact_keys(key, contact):
    assert is_contact_key(key) is contact


def test_contact_data_inside_text_and_nested_values():
    assert mask_in_text("电话(022)23456789-8001，手机+86 139-1234-5678") == "电话022-****6789，手机139****5678"
    assert mask_in_text("QQ号: 12345678；wxid_abcdef123") == "QQ号: 12****78；wxi*********23"
    assert mask_in_text("2025-07-17 投资5000万元，编号91120116MA05K") == "2025-07-17 投资5000万元，编号91120116MA05K"
    assert mask_value({"联系人": {"qq": 12345678, "name": "王"}, "list": ["x@y.example.com"]}) == \
        {"联系人": {"qq": "12****78", "name": "王"}, "list": ["x***@y.example.com"]}


# -- errors quote personal values masked -----------------------------------------------------
def test_invalid_phone_and_email_are_masked_in_errors(cli):
    result = cli("add", "lead", "--company", "某公司", "--phone", "1391234567", "--email", "wang@@example.com",
                 ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "phone: '139*****67' is not a mainland mobile" in result.stderr
    assert "email: 'wan************om' is not an e-mail address" in result.stderr
    assert "1391234567" not in result.stderr and "wang@@example.com" not in result.stderr


def test_import_errors_keep_file_line_and_field_but_mask_the_value(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,邮箱\n甲公司,13800000001,a@example.com\n乙公司,1390000000,b@example.com\n"
                     "丙公司,13700000003,zhang.san@example\n", "utf-8")
    result = cli("import", str(sheet), ok=False)
    assert result.exit_code == 1 and not cli.exists()
    assert f"error: {sheet}:3: phone: '139*****00' is not" in result.stderr
    assert f"error: {sheet}:4: email: 'zha************le' is not" in result.stderr
    assert "1390000000" not in result.stderr and "zhang.san@example" not in result.stderr


# -- contact data written in free text: notes, status-move notes, text fields -----------------
NOTE = "客户手机13912345678，微信wx_ruituo88"
MOVE_NOTE = "已电话联系13912345678，QQ 12345678"
CONTACT = "王经理 微信号：ruituo88"
ADDRESS = "和平区南京路100号 电话(022)23456789"
PLAIN_NOTE = "2025-07-17 投资5000万元，编号91120116MA05K，区划120114，见l12"  # no contact data in it
IN_NOTES = ["13912345678", "wx_ruituo88", "ruituo88", "12345678", "23456789"]


@pytest.fixture
def noted(cli):
    cli("add", "lead", "--company", "瑞拓精密2025", "--contact", CONTACT, "--phone", PHONE, "--address", ADDRESS,
        "--region", "武清", "--amount", "5000万", "--date", "2025-07-03", "--due", "2025-08-01")
    cli("lead", "note", "l1", NOTE)
    cli("lead", "status", "l1", "contacted", "--note", MOVE_NOTE)
    cli("lead", "note", "l1", PLAIN_NOTE)
    return cli


def _in_notes_leaks(text: str) -> list[str]:
    return [s for s in IN_NOTES if s in text]


def _check_masked(record: dict) -> None:
    """A lead as `list`/`filter` print it in a machine format: every text masked, nothing else touched."""
    assert [n["text"] for n in record["notes"]] == ["客户手机139****5678，微信wx_******88", PLAIN_NOTE]
    assert record["history"][-1]["note"] == "已电话联系139****5678，QQ 12****78"
    assert record["contact"] == "王经理 微信号：ru****88"
    assert record["address"] == "和平区南京路100号 电话022-****6789"
    assert record["company"] == "瑞拓精密2025" and record["phone"] == "138****5678"
    assert (record["id"], record["amount"], record["date"], record["due"], record["region_code"]) == \
        ("l1", 50000000, "2025-07-03", "2025-08-01", "120114")


def test_notes_and_free_text_are_masked_in_show(noted):
    result = noted("show", "l1")
    assert _in_notes_leaks(result.stdout) == []
    assert "备注 · 客户手机139****5678，微信wx_******88" in result.stdout
    assert "新线索 → 已联系 · 已电话联系139****5678，QQ 12****78" in result.stdout
    assert "王经理 微信号：ru****88" in result.stdout and "和平区南京路100号 电话022-****6789" in result.stdout
    assert PLAIN_NOTE in result.stdout and "瑞拓精密2025" in result.stdout
    assert "--reveal" in result.stderr
    [record] = [json.loads(noted("show", "l1", "--format", "json").stdout)]
    _check_masked(record)


@pytest.mark.parametrize("view", [("list", "leads"), ("filter", "--kind", "lead")], ids=" ".join)
def test_notes_and_free_text_are_masked_in_every_list_format(noted, view):
    as_json = noted(*view, "--format", "json")
    assert _in_notes_leaks(as_json.stdout) == [] and "--reveal" in as_json.stderr
    [record] = json.loads(as_json.stdout)
    _check_masked(record)
    as_jsonl = noted(*view, "--format", "jsonl").stdout
    assert _in_notes_leaks(as_jsonl) == []
    assert [json.loads(line) for line in as_jsonl.splitlines()] == [record]
    as_csv = noted(*view, "--format", "csv").stdout
    assert _in_notes_leaks(as_csv) == []
    [row] = list(csv.DictReader(io.StringIO(as_csv)))
    assert json.loads(row["notes"]) == record["notes"] and json.loads(row["history"]) == record["history"]
    assert row["contact"] == record["contact"] and row["address"] == record["address"]


def test_notes_are_masked_in_tables(noted):
    wide = {"COLUMNS": "250"}
    table = noted("list", "leads", "--fields", "id,contact,address,notes", env=wide)
    assert _in_notes_leaks(table.stdout) == []
    assert "客户手机139****5678，微信wx_******88" in table.stdout and "王经理 微信号：ru****88" in table.stdout
    assert "电话022-****6789" in table.stdout and "--reveal" in table.stderr
    assert "139****5678" in noted("filter", "--kind", "lead", "--fields", "notes", env=wide).stdout
    assert "ru****88" in noted("list", "leads", env=wide).stdout  # its 联系人 column
    revealed = noted("list", "leads", "--fields", "id,contact,address,notes", "--reveal", env=wide)
    assert NOTE in revealed.stdout and CONTACT in revealed.stdout and revealed.stderr == ""


def test_only_the_fields_shown_count_for_the_note(noted):
    result = noted("list", "leads", "--fields", "id,company,date", "--format", "csv")
    assert "瑞拓精密2025" in result.stdout and result.stderr == ""  # nothing masked in these columns


def test_reveal_shows_notes_and_export_keeps_them(noted):
    for view in (("show", "l1"), ("list", "leads", "--format", "jsonl"), ("list", "leads", "--format", "csv"),
                 ("filter", "--kind", "lead", "--format", "json")):
        revealed = noted(*view, "--reveal").stdout
        assert all(s in revealed for s in (NOTE, MOVE_NOTE, CONTACT)), view
    record = json.loads(noted("show", "l1", "--format", "json", "--reveal").stdout)
    assert record["notes"][0]["text"] == NOTE and record["history"][-1]["note"] == MOVE_NOTE
    for fmt in ("jsonl", "json", "csv"):
        exported = noted("export", "leads", "--format", fmt).stdout
        assert all(s in exported for s in (NOTE, MOVE_NOTE, CONTACT, PHONE)), fmt
    [stored] = [json.loads(line) for line in noted("export", "leads").stdout.splitlines()]
    assert [n["text"] for n in stored["notes"]] == [NOTE, PLAIN_NOTE] and stored["history"][-1]["note"] == MOVE_NOTE
    assert stored["contact"] == CONTACT and stored["address"] == ADDRESS


def test_text_of_kinds_without_personal_data_is_not_masked(cli):
    cli("add", "article", "--title", "武清区招商热线", "--region", "武清", "--date", "2025-07-01",
        "--summary", "咨询电话022-23456789，邮箱zhaoshang@wuqing.example.gov.cn")
    for view in (("show", "a1"), ("list", "articles", "--format", "json")):
        result = cli(*view)
        assert "022-23456789" in result.stdout and "zhaoshang@wuqing.example.gov.cn" in result.stdout
        assert result.stderr == ""


@pytest.mark.parametrize("text,shown", [
    ("客户手机13912345678，微信wx_ruituo88", "客户手机139****5678，微信wx_******88"),
    ("微信号：ruituo88", "微信号：ru****88"),
    ("微信 ruituo88，电话见名片", "微信 ru****88，电话见名片"),
    ("QQ 12345678", "QQ 12****78"),
    ("qq号12345678。", "qq号12****78。"),
    ("手机13912345678，", "手机139****5678，"),
    ("手机：１３９１２３４５６７８，ＱＱ：１２３４５６７８",
     "手机：139****5678，ＱＱ：12****78"),  # typed in full width
    ("邮箱ｗａｎｇ＠ｒｕｉｔｕｏ．ｃｎ", "邮箱w***@ruituo.cn"),
    ("139－1234－5678", "139****5678"),
    # no contact data: left exactly as written
    ("2025-07-17 签约，投资5000万元（5,000万），l12 跟进，区划120114", None),
    ("合同号HT20250717001，统一社会信用代码91120116MA05K2XX", None),
    ("投资５０００万，２０２５年７月", None),
    ("王经理说下周来考察", None),
])
def test_contact_data_in_chinese_text(text, shown):
    assert mask_in_text(text) == (text if shown is None else shown)


# pieces of text near the edges of the patterns: digits and the separators phones are written with,
# labels, letters, @ and dots, in ASCII and in full width, among Chinese characters
PIECES = (st.sampled_from(["1", "3", "9", "0", "2", "4", "8", "5", "86", "+", "-", " ", "(", ")", "（", "）", "：",
                           ":", "，", "转", "@", ".", "cn", "com", "_", "wx", "wxid_", "微信", "微信号", "QQ", "qq号",
                           "wechat", "a", "Z", "电话", "手机", "万元", "１", "３", "９", "０", "－", "＠",
                           "ｑ", "Ｑ", "．", "\u3000", "\n"])
          | st.text("0123456789", min_size=1, max_size=12) | st.text("０１３９", max_size=11))


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_quick_check_passes_over_no_contact_data(text):
    """The cheap scan that spares most texts the full search never passes over one it would change."""
    found = masking._IN_TEXT.search(text.translate(masking._TO_ASCII))
    if masking._HINT.search(text) is None:
        assert found is None
    if found is None:
        assert mask_in_text(text) == text
