import pytest

from zhaoshang_cli.errors import FieldError
from zhaoshang_cli.masking import mask_email, mask_phone
from zhaoshang_cli.values import (
    format_amount,
    parse_amount,
    parse_email,
    parse_phone,
    parse_source,
)


@pytest.mark.parametrize("text,yuan", [
    ("5000万元", 50_000_000), ("1.2亿元", 120_000_000), ("3亿", 300_000_000), ("800000", 800_000),
    ("12,000元", 12_000), ("0.5亿", 50_000_000), ("１２００万", 12_000_000), (1500, 1500), ("2.5 亿元", 250_000_000),
])
def test_amounts(text, yuan):
    assert parse_amount(text) == yuan


@pytest.mark.parametrize("text", ["很多", "-5万", "1.23456元", "5000万美元", "", "1e9"])
def test_bad_amounts(text):
    with pytest.raises(FieldError):
        parse_amount(text)


@pytest.mark.parametrize("yuan,text", [(120_000_000, "1.2亿元"), (50_000_000, "5000万元"), (8000, "8000元"),
                                       (125_000, "12.5万元"), (300_000_000, "3亿元")])
def test_amounts_read_the_way_reports_write_them(yuan, text):
    assert format_amount(yuan) == text


@pytest.mark.parametrize("text,stored", [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
    ("022-12345678", "022-12345678"), ("(022)12345678", "022-12345678"), ("02112345678", "021-12345678"),
    ("0316-1234567", "0316-1234567"), ("010-12345678转123", "010-12345678-123"),
])
def test_phones(text, stored):
    assert parse_phone(text) == stored


@pytest.mark.parametrize("text", ["12345", "12812345678", "1381234567", "abc", "22-12345678"])
def test_bad_phones(text):
    with pytest.raises(FieldError):
        parse_phone(text)


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("022-12345678") == "022-****5678"
    assert mask_email("wang@example.com") == "w***@example.com"


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
