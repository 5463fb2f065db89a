import pytest

from zhaoshang_cli.domain.amounts import Amount, format_amount, parse_amount, parse_amount_fields
from zhaoshang_cli.domain.contacts import parse_email, parse_phone
from zhaoshang_cli.domain.lead import LEAD
from zhaoshang_cli.domain.values import parse_source, parse_suggested
from zhaoshang_cli.errors import FieldError
from zhaoshang_cli.io.masking import mask_email, mask_in_text, mask_phone, quoted

YI, WAN = 100_000_000, 10_000


# -- amounts -------------------------------------------------------------------------------
@pytest.mark.parametrize("text,yuan", [
    ("5000万元", 50_000_000), ("1.2亿元", 120_000_000), ("3亿", 300_000_000), ("800000", 800_000),
    ("12,000元", 12_000), ("0.5亿", 50_000_000), ("１２００万", 12_000_000), (1500, 1500), ("2.5 亿元", 250_000_000),
    (1.5e8, 150_000_000), ("5千元", 5_000), ("500千元", 500_000), ("3百万", 3_000_000), ("1千万", 10_000_000),
    ("1,200万元", 12_000_000), ("1.2万亿", 1_200_000_000_000), ("1亿5000万", 150_000_000),
])
def test_plain_amounts_are_yuan(text, yuan):
    assert parse_amount(text) == Amount(yuan)


@pytest.mark.parametrize("text,yuan", [
    ("五千万", 5000 * WAN), ("五千万元", 5000 * WAN), ("一点二亿", 12 * YI // 10), ("两亿", 2 * YI),
    ("三千五百万元", 3500 * WAN), ("一亿二千万", 12 * YI // 10), ("十二万", 12 * WAN), ("二十五万", 25 * WAN),
    ("一万五", 15_000), ("三千五", 3_500), ("一亿五", 15 * YI // 10), ("一百零五", 105), ("一千零五十万", 1050 * WAN),
    ("十二点五万", 125_000), ("壹仟万元", 1000 * WAN), ("贰亿", 2 * YI),
])
def test_chinese_numerals(text, yuan):
    assert parse_amount(text) == Amount(yuan)


@pytest.mark.parametrize("text,low,high", [
    ("1-2亿元", YI, 2 * YI), ("1亿-2亿元", YI, 2 * YI), ("1~2亿", YI, 2 * YI), ("1至2亿元", YI, 2 * YI),
    ("1到2亿", YI, 2 * YI), ("1—2亿元", YI, 2 * YI), ("1〜2亿", YI, 2 * YI), ("1～2亿元", YI, 2 * YI),
    ("5000万-1亿元", 5000 * WAN, YI),
    ("3-5千万", 3000 * WAN, 5000 * WAN), ("三千到五千万", 3000 * WAN, 5000 * WAN), ("一至二亿", YI, 2 * YI),
    ("1000-2000万", 1000 * WAN, 2000 * WAN), ("一万五到两万", 15_000, 20_000), ("8000元–1.2万元", 8_000, 12_000),
    ("1.5-2万亿", 15 * 10**11, 2 * 10**12),
])
def test_ranges_keep_both_ends_and_a_bare_lower_end_takes_the_upper_ends_unit(text, low, high):
    assert parse_amount(text) == Amount(low, high)


@pytest.mark.parametrize("text,expected", [
    ("约2亿元", Amount(2 * YI, approx=True)), ("大约5000万", Amount(5000 * WAN, approx=True)),
    ("约合300万美元", Amount(300 * WAN, currency="USD", approx=True)),
    ("5000万元左右", Amount(5000 * WAN, approx=True)), ("1亿上下", Amount(YI, approx=True)),
    ("约1-2亿元", Amount(YI, 2 * YI, approx=True)),
    ("5000万美元", Amount(5000 * WAN, currency="USD")), ("5000万美金", Amount(5000 * WAN, currency="USD")),
    ("300万欧元", Amount(300 * WAN, currency="EUR")), ("2000万港元", Amount(2000 * WAN, currency="HKD")),
    ("2000万港币", Amount(2000 * WAN, currency="HKD")), ("10亿日元", Amount(10 * YI, currency="JPY")),
    ("100万英镑", Amount(100 * WAN, currency="GBP")), ("USD 5000万", Amount(5000 * WAN, currency="USD")),
    ("5000万usd", Amount(5000 * WAN, currency="USD")), ("US$5000万", Amount(5000 * WAN, currency="USD")),
    ("HK$1亿", Amount(YI, currency="HKD")), ("€300万", Amount(300 * WAN, currency="EUR")),
    ("1-2亿美元", Amount(YI, 2 * YI, currency="USD")), ("100万美元-200万美元", Amount(100 * WAN, 200 * WAN, "USD")),
    ("人民币5000万元", Amount(5000 * WAN)), ("5000万元人民币", Amount(5000 * WAN)), ("RMB 800万", Amount(800 * WAN)),
    ("￥800万", Amount(800 * WAN)), ("五千万美元", Amount(5000 * WAN, currency="USD")),
])
def test_approximate_and_foreign_amounts_are_kept_as_such(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text,message", [
    ("很多", "cannot read '很多' as an amount (try 5000万元"), ("-5万", "cannot read"), ("", "cannot read"),
    ("1e9", "cannot read"), ("万元", "cannot read"), ("1,2亿", "cannot read"), ("五五", "cannot read"),
    ("三千五万", "cannot read"),  # 3005万 or 3500万?
    ("1万2", "cannot read"), ("一百十", "cannot read"), ("1亿亿", "cannot read"), ("约", "cannot read"),
    ("1.23456元", "'1.23456元' is not a whole number of 元"), ("0.5美元", "is not a whole number of 美元"),
    ("5-2亿", "'5-2亿': the range runs from 5亿元 down to 2亿元; give the lower end first"),
    ("500-2亿", "from 500亿元 down to 2亿元"),
    ("5000万美元-1亿元", "names two currencies (美元, 元)"), ("美元5000万欧元", "names two currencies"),
    ("99999999999亿", "is beyond the largest amount kept"), ("5000万卢布", "cannot read"), ("$5000万", "cannot read"),
])
def test_bad_amounts_say_why(text, message):
    with pytest.raises(FieldError) as err:
        parse_amount(text)
    assert err.value.field == "amount" and message in err.value.message


@pytest.mark.parametrize("amount,text", [
    (Amount(120_000_000), "1.2亿元"), (Amount(50_000_000), "5000万元"), (Amount(8000), "8000元"),
    (Amount(125_000), "12.5万元"), (Amount(300_000_000), "3亿元"), (Amount(2 * YI, approx=True), "约2亿元"),
    (Amount(YI, 2 * YI), "1–2亿元"), (Amount(5000 * WAN, currency="USD"), "5000万美元"),
    (Amount(5000 * WAN, 12 * YI // 10), "5000万–1.2亿元"), (Amount(8_000, 12_000), "8000元–1.2万元"),
    (Amount(YI, 2 * YI, "EUR", approx=True), "约1–2亿欧元"), (Amount(12 * 10**11), "1.2万亿元"),
    (Amount(3000 * WAN, 5000 * WAN, "JPY"), "3000–5000万日元"),
])
def test_amounts_read_the_way_reports_write_them_and_read_back_the_same(amount, text):
    assert amount.text() == text
    assert parse_amount(text) == amount


def test_one_number_in_a_currency():
    assert format_amount(120_000_000) == "1.2亿元"
    assert format_amount(50_000_000, "USD") == "5000万美元"
    assert format_amount(None) == ""


def test_stored_fields_are_the_plain_amount_unless_more_was_said():
    assert parse_amount("5000万元").stored() == {"amount": 50_000_000}
    assert parse_amount("约1-2亿美元").stored() == {"amount": YI, "amount_high": 2 * YI, "currency": "USD",
                                                   "amount_approx": True}


@pytest.mark.parametrize("given,stored", [
    ({"amount": 50_000_000, "amount_high": None, "currency": "CNY", "amount_approx": False}, {"amount": 50_000_000}),
    ({"amount": "50000000", "amount_high": "", "currency": "USD", "amount_approx": "false"},
     {"amount": 50_000_000, "currency": "USD"}),
    ({"amount": 100, "amount_high": 200, "currency": "美元", "amount_approx": True},
     {"amount": 100, "amount_high": 200, "currency": "USD", "amount_approx": True}),
    ({"amount": "5000万", "currency": "欧元"}, {"amount": 50_000_000, "currency": "EUR"}),
    ({"amount": "5000万美元", "currency": "usd"}, {"amount": 50_000_000, "currency": "USD"}),
    ({"amount": "1-2亿", "amount_high": 200_000_000}, {"amount": YI, "amount_high": 2 * YI}),
    ({"amount": "1亿", "amount_high": "1亿"}, {"amount": YI}),
    ({"amount": "约1亿", "amount_approx": "true"}, {"amount": YI, "amount_approx": True}),
    ({}, {}), ({"amount": None, "currency": ""}, {}),
])
def test_amount_fields_as_exports_write_them(given, stored):
    assert parse_amount_fields(given) == stored


@pytest.mark.parametrize("given,field,message", [
    ({"amount": "5000万美元", "currency": "CNY"}, "currency", "the amount is in USD but the currency given is CNY"),
    ({"amount": "5000万元", "currency": "EUR"}, "currency", "the amount is in CNY but the currency given is EUR"),
    ({"amount": 1, "currency": "卢布"}, "currency", "'卢布' is not a currency kept"),
    ({"amount": 300, "amount_high": 200}, "amount_high", "'200' is below the amount 300元"),
    ({"amount": "1-2亿", "amount_high": "3亿"}, "amount_high", "'3亿' differs from the upper end 2亿元"),
    ({"amount": "1亿", "amount_high": "2亿美元"}, "amount_high", "cannot read '2亿美元'"),
    ({"amount": "约1亿", "amount_approx": "false"}, "amount_approx", "says the amount is exact, but it reads '约1亿'"),
    ({"amount": 1, "amount_approx": "maybe"}, "amount_approx", "'maybe' is neither true nor false"),
    ({"currency": "USD"}, "currency", "'USD' belongs to an amount, and none is given"),
    ({"amount": "", "amount_high": 5}, "amount_high", "belongs to an amount"),
])
def test_amount_fields_that_contradict_each_other_are_errors(given, field, message):
    with pytest.raises(FieldError) as err:
        parse_amount_fields(given)
    assert err.value.field == field and message in err.value.message


# -- phones --------------------------------------------------------------------------------
@pytest.mark.parametrize("text,stored", [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
    ("8613812345678", "13812345678"), ("0086-138-1234-5678", "13812345678"), ("+8613812345678", "13812345678"),
    ("022-12345678", "022-12345678"), ("(022)12345678", "022-12345678"), ("（022）1234 5678", "022-12345678"),
    ("02112345678", "021-12345678"), ("0316-1234567", "0316-1234567"), ("022-1234-5678", "022-12345678"),
    ("+86 22 1234 5678", "022-12345678"), ("+86 (0)22 12345678", "022-12345678"), ("+86-10-12345678", "010-12345678"),
    ("010-12345678转123", "010-12345678-123"), ("022-12345678-转8001", "022-12345678-8001"),
    ("022-12345678转8001", "022-12345678-8001"), ("022-12345678 ext 8001", "022-12345678-8001"),
    ("022-12345678 EXT.8001", "022-12345678-8001"), ("022-12345678#8001", "022-12345678-8001"),
    ("022-12345678x8001", "022-12345678-8001"), ("022-12345678 分机 8001", "022-12345678-8001"),
    ("022-12345678-8001", "022-12345678-8001"), ("022-1234567-8", "022-1234567-8"), ("0224000086转0", "022-4000086-0"),
    ("400-800-1234", "400-800-1234"), ("4008001234", "400-800-1234"), ("800-820-8820", "800-820-8820"),
    ("400 800 1234", "400-800-1234"), ("400-800-1234转2", "400-800-1234-2"), ("400-800-1234-2", "400-800-1234-2"),
])
def test_phones_have_one_canonical_form_each(text, stored):
    assert parse_phone(text) == stored
    assert parse_phone(stored) == stored


@pytest.mark.parametrize("text", ["12345", "12812345678", "1381234567", "abc", "22-12345678", "13812345678转1",
                                  "022-0123456", "011-12345678", "013812345678", "4001234", "400-800-12345678",
                                  "+86 400", "", "900-800-1234", "022-12345678-1234567"])
def test_bad_phones_are_errors_quoting_them_masked(text):
    with pytest.raises(FieldError) as err:
        parse_phone(text)
    assert err.value.message.startswith(f"phone: '{quoted(text)}' is not a mainland mobile")
    assert "or a 400/800 number (400-800-1234)" in err.value.message
    assert len(text) < 6 or quoted(text) != text


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("022-12345678") == "022-****5678"
    assert mask_phone("022-12345678-8001") == "022-****5678"
    assert mask_phone("0316-1234567") == "0316-***4567"
    assert mask_phone("400-800-1234") == "400-***-1234"
    assert mask_phone("800-820-8820-2") == "800-***-8820"
    assert mask_email("wang@example.com") == "w***@example.com"
    assert mask_in_text("客服 400-800-1234，座机 022-12345678分机8001") == "客服 400-***-1234，座机 022-****5678"


# -- needs ---------------------------------------------------------------------------------
NEED = LEAD.field("need")


@pytest.mark.parametrize("text,stored", [
    ("买地自建", "买地自建"), ("标准厂房", "标准厂房"), ("并购", "并购"), ("注册公司", "公司注册"),
    ("厂房", "厂房租赁"),
    ("Office", "写字楼租赁"), ("其它", "其他"), ("收购", "并购"),
    (" 研发中心用地 ", "研发中心用地"), ("冷链仓储", "冷链仓储"), ("x" * 20, "x" * 20),
])
def test_needs_are_an_open_list_with_usual_values(text, stored):
    assert parse_suggested(text, "need", NEED.choices, NEED.limit) == stored


@pytest.mark.parametrize("value,message", [
    ("x" * 21, f"'{'x' * 20}…' is longer than 20 characters; write it briefly, usually one of: 买地自建, 厂房租赁, "
               "标准厂房, 写字楼租赁, 公司注册, 并购, 其他"),
    ("   ", "is empty; give a short text, usually one of: 买地自建, 厂房租赁, 标准厂房"),
    (["买地"], "is not text"),
])
def test_needs_too_long_or_empty_are_errors_listing_the_usual_ones(value, message):
    with pytest.raises(FieldError) as err:
        parse_suggested(value, "need", NEED.choices, NEED.limit)
    assert err.value.message == f"need: {message}" or message in err.value.message


def test_email_and_source():
    assert parse_email("Wang.JG@Example.COM") == "Wang.JG@example.com"
    with pytest.raises(FieldError):
        parse_email("not-an-email")
    assert parse_source("A12") == "a12"
    assert parse_source("https://example.org/x") == "https://example.org/x"
    assert parse_source(" 展会 ") == "展会" and parse_source("朋友  推荐") == "朋友 推荐"
    for bad in ("很长的来源" * 7, "", "ftp://example.org/x", ["展会"], None):
        with pytest.raises(FieldError):
            parse_source(bad)


def test_every_pattern_compiled_on_first_use_compiles():
    """patterns.lazy puts off compiling to the first use: a typo in a rarely used pattern
    would otherwise show only then.  Every module's lazy patterns, compiled here."""
    import importlib
    import pkgutil

    import zhaoshang_cli
    from zhaoshang_cli.patterns import _Lazy

    found = 0
    for info in pkgutil.walk_packages(zhaoshang_cli.__path__, "zhaoshang_cli."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra not installed
            continue
        for value in vars(module).values():
            if isinstance(value, _Lazy):
                assert isinstance(value.groups, int)  # compiled: a bad pattern raises re.error here
                found += 1
    assert found >= 30
