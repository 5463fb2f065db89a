"""Contact data is masked wherever people read it unless --reveal; export keeps it whole."""

import csv
import io
import json

import pytest

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
