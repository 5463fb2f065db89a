from collections import Counter

import pytest
from conftest import SEED

pytestmark = pytest.mark.backends

NAVIGATION = ("天津产业园区", "招商政策", "土地招拍挂", "厂房价格", "联系我们", "企业入驻", "立即获取", "更多项目",
              "天津招商项目")


def test_the_seed_page(cli):
    result = cli("import-page", str(SEED))
    assert "17 added" in result.stderr
    articles = cli.json("list", "articles", "--sort", "id")
    policies = cli.json("list", "policies", "--sort", "id")
    assert len(articles) == 13 and len(policies) == 4

    main = articles[0]
    assert main["title"].startswith("【武清招商】天津武清开发区跻身国家知识产权试点园区")
    assert (main["region"], main["region_code"], main["date"]) == ("武清区", "120114", "2025-07-17")
    body = main["body"]
    for section in ("一、试点园区获批", "二、武清开发区知识产权工作", "三、试点建设的重点任务",
                    "四、试点建设的预期成效"):
        assert body.count(section) == 1
    assert body.startswith("2024年,天津武清开发区正式获批")
    assert not any(word in body for word in NAVIGATION)

    listed = articles[1:]
    assert {a["date"] for a in listed} == {"2025-07-29"}
    assert Counter(a["region"] for a in listed) == {"滨海新区": 4, "天津市": 3, "西青区": 2, "蓟州区": 1, "津南区": 1,
                                                      "武清区": 1}
    assert all(a["region_code"].startswith("12") for a in listed)
    jjj = next(a for a in listed if "京津冀" in a["title"])
    assert jjj["region"] == "天津市"

    assert all(p["region_code"].startswith("12") for p in policies)  # 和平区/河东区 exist elsewhere too
    summary = sorted((p["region"], p["date"], p["issuer"] or "") for p in policies)
    assert summary == [("和平区", "2025-02-07", "和平区人民政府办公室"),
                       ("河东区", "2025-01-20", "河东区人民政府"),
                       ("西青区", "2025-01-13", ""),
                       ("西青区", "2025-01-13", "天津市西青区人民政府")]

    again = cli("import-page", str(SEED))
    assert "0 added" in again.stderr and "17 unchanged" in again.stderr
    assert cli("list", "articles", "--format", "count").stdout.strip() == "13"


VARIANT = ("【和平区招商】和平区人民政府办公室关于印发支持楼宇经济发展若干措施的通知\r\n"
           "所屬地區：天津\r\n"
           "發布日期：2025年3月12日 13:20\r\n"
           "和平政办发〔2025〕5号\r\n"
           "第一条 为促进楼宇经济发展，制定本措施。\r\n"
           "第二条 本措施自发布之日起施行。\r\n"
           "联系我们\r\n")


def test_page_variants_full_width_colons_crlf_traditional_labels_and_doc_no(cli, tmp_path):
    page = tmp_path / "p.txt"
    page.write_bytes(VARIANT.encode("gb18030"))
    cli("import-page", str(page))
    [policy] = cli.json("list", "policies")
    assert policy["region_code"] == "120101" and policy["date"] == "2025-03-12"
    assert policy["doc_no"] == "和平政办发〔2025〕5号" and policy["issuer"] == "和平区人民政府办公室"
    assert policy["body"] == "第一条 为促进楼宇经济发展，制定本措施。\n第二条 本措施自发布之日起施行。"


def test_a_traditional_page_takes_its_region_from_tag_and_labels(cli, tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("【蘇州工業園區招商】園區發佈新一輪產業政策解讀\n"
                    "所屬地區：江蘇省蘇州市　發佈時間：2025-07-03\n"
                    "正文第一段。\n", "utf-8")
    cli("import-page", str(page))
    [article] = cli.json("list", "articles")
    assert (article["region"], article["region_code"], article["date"]) == ("苏州工业园区", "320576", "2025-07-03")
    assert article["title"] == "【蘇州工業園區招商】園區發佈新一輪產業政策解讀"  # the text stays as written


def test_pages_without_title_or_date_are_reported_and_skipped(cli, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "no-date.txt").write_text("【武清招商】一篇没有日期的文章\n所属地区:天津\n正文。\n", "utf-8")
    (pages / "no-title.txt").write_text("所属地区:天津\n发布日期:2025-07-01\n正文。\n", "utf-8")
    (pages / "good.txt").write_text("【西青区招商】一篇好文章\n发布日期:2025-7-3\n正文第一段。\n", "utf-8")
    result = cli("import-page", str(pages))
    assert "no-date.txt: skipped" in result.stderr and "no-title.txt: skipped" in result.stderr
    assert "3 page(s) read, 2 skipped" in result.stderr
    [article] = cli.json("list", "articles")
    assert article["region"] == "西青区" and article["date"] == "2025-07-03"
