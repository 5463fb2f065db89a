"""Files as a Tianjin investment office has them: district-only batches, a home region,
lead sources that are channels (展会, 电话, 推荐), addresses."""

from __future__ import annotations

import json

from conftest import Cli

DISTRICTS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区"]


def district_batch(tmp_path, name="tianjin.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps({"title": f"{d}招商推介会成功举办", "region": d,
                                        "date": "2025-07-0" + str(i + 1), "body": f"{d}举办招商推介会。"},
                                       ensure_ascii=False) + "\n"
                            for i, d in enumerate(DISTRICTS)), "utf-8")
    return path


def test_a_district_only_batch_needs_its_city_and_names_the_way_out(cli, tmp_path):
    batch = district_batch(tmp_path)
    refused = cli("import", str(batch), ok=False)
    assert refused.exit_code == 1 and not cli.db.exists()
    assert f"{batch}:1: region: '和平区' is ambiguous" in refused.stderr
    assert "--in 天津" in refused.stderr and "config set region" in refused.stderr
    cli("import", str(batch), "--in", "天津")
    stored = {r["region"]: r["region_code"] for r in cli.json("list", "articles")}
    assert stored["和平区"] == "120101" and stored["河北区"] == "120105" and len(stored) == 6


def test_the_home_region_from_the_environment_or_the_settings(cli, tmp_path):
    batch = district_batch(tmp_path)
    imported = cli("import", str(batch), env={"ZHAOSHANG_REGION": "天津"})
    assert "6 added" in imported.stderr
    other = Cli(tmp_path / "other" / "zhaoshang.json")
    other.db.parent.rmdir()
    assert "folder" in other("config", "set", "region", "天津市", ok=False).stderr
    other.db.parent.mkdir()
    other("config", "set", "region", "天津市")
    assert other("config", "get", "region").stdout.strip() == "天津市 (120000)"
    listing = other("config").stdout
    assert "region" in listing and "天津市 (120000)" in listing and "--in" in listing
    assert (other.db.with_name("zhaoshang.json.d") / "config.json").exists()
    other("import", str(batch))
    assert {r["region_code"][:2] for r in other.json("list", "articles")} == {"12"}
    # a name outside the home region still resolves when it is unambiguous; --in wins
    other("add", "article", "--title", "海淀区项目", "--region", "海淀区", "--date", "2025-07-08")
    other("add", "article", "--title", "沈阳和平区项目", "--region", "和平区", "--date", "2025-07-09", "--in", "沈阳")
    codes = {r["title"]: r["region_code"] for r in other.json("list", "articles")}
    assert codes["海淀区项目"] == "110108" and codes["沈阳和平区项目"] == "210102"
    assert other("list", "articles", "--region", "和平区", "--format", "count").stdout.strip() == "1"
    other("config", "unset", "region")
    assert other("config", "get", "region", ok=False).exit_code == 1
    assert other("add", "article", "--title", "又一个", "--region", "和平区", "--date", "2025-07-10",
                 ok=False).exit_code == 1


def test_settings_are_checked(cli):
    bad = cli("config", "set", "region", "火星", ok=False)
    assert bad.exit_code == 1 and "unknown region '火星'" in bad.stderr
    unknown = cli("config", "set", "colour", "red", ok=False)
    assert unknown.exit_code == 2 and "unknown setting 'colour'" in unknown.stderr
    env = cli("list", "articles", env={"ZHAOSHANG_REGION": "火星"}, ok=False)
    assert env.exit_code == 1 and "ZHAOSHANG_REGION" in env.stderr


def test_import_page_takes_the_batch_region(cli, tmp_path):
    page = tmp_path / "heping.txt"
    page.write_text("【和平招商】和平区金融街新签约项目5个\n发布日期：2025年7月20日\n"
                    "和平区金融街新签约项目5个。\n", "utf-8")
    cli("import-page", str(page), "--in", "天津")
    [record] = cli.json("list", "articles")
    assert record["region_code"] == "120101"


def test_lead_sources_are_channels_record_ids_or_urls(cli):
    cli("add", "article", "--title", "武清开发区招商", "--region", "武清", "--date", "2025-07-01",
        "--url", "https://example.org/zs/1.html")
    for i, source in enumerate(["展会", "电话", "展会", "推荐", "a1", "https://example.org/zs/1.html"]):
        cli("add", "lead", "--company", f"公司{i}", "--phone", f"1380000000{i}", "--source", source)
    assert cli("list", "leads", "--source", "展会", "--format", "count").stdout.strip() == "2"
    assert cli("list", "leads", "--source", "展会", "--source", "电话", "--format", "count").stdout.strip() == "3"
    report = cli.json("report", "--by", "source")
    counts = {g["label"]: g["leads"] for g in report["groups"]}
    assert counts["展会"] == 2 and counts["电话"] == 1 and counts["推荐"] == 1 and counts["a1"] == 1
    for lead in ("l5", "l6"):  # an ID, and the URL of a stored article, both link to it
        assert "来源记录  a1  武清开发区招商" in cli("show", lead).stdout
    assert "来源记录" not in cli("show", "l1").stdout
    missing = cli("add", "lead", "--company", "公司x", "--phone", "13900000000", "--source", "a999", ok=False)
    assert missing.exit_code == 1 and "no record a999" in missing.stderr
    too_long = cli("add", "lead", "--company", "公司y", "--phone", "13900000001", "--source", "很长" * 20, ok=False)
    assert too_long.exit_code == 1 and "at most 30 characters" in too_long.stderr


def test_an_address_column_is_read_and_kept(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企业名称,联系电话,企业地址,意向地区\n"
                     "瑞拓精密,13800000001,浙江省杭州市西湖区文三路90号,武清\n", "utf-8")
    cli("import", str(sheet))
    [lead] = cli.json("list", "leads", "--reveal")
    assert lead["address"] == "浙江省杭州市西湖区文三路90号" and lead["region_code"] == "120114"
    assert "浙江省杭州市西湖区文三路90号" in cli("show", "l1").stdout


def test_zones_stay_zones_beside_their_district(cli, tmp_path):
    for title, region in (("泰达项目", "泰达"), ("东疆项目", "东疆"), ("生态城项目", "中新天津生态城"),
                          ("滨海新区项目", "滨海新区"), ("武清开发区项目", "武清开发区")):
        cli("add", "article", "--title", title, "--region", region, "--date", "2025-07-01")
    teda = cli.json("list", "articles", "--region", "泰达")
    assert [(r["title"], r["region"], r["zone"]) for r in teda] == [("泰达项目", "滨海新区", "天津经济技术开发区")]
    count = lambda *args: cli("list", "articles", *args, "--format", "count").stdout.strip()  # noqa: E731
    assert count("--region", "滨海新区") == "4" and count("--region", "天津") == "5"
    assert count("--region", "泰达,东疆") == "2" and count("--where", "zone=") == "1"
    assert "滨海新区·泰达" in cli("list", "articles", "--region", "泰达").stdout
    assert "天津市滨海新区 (120116) · 天津经济技术开发区" in cli("show", "a1").stdout
    by_zone = cli.json("report", "--region", "滨海新区", "--by", "zone")
    assert {g["label"]: g["articles"] for g in by_zone["groups"]} == {
        "天津经济技术开发区": 1, "天津东疆综合保税区": 1, "中新天津生态城": 1, "（不在开发区）": 1}
    cli("edit", "a1", "--region", "滨海新区")  # a new region leaves the old zone
    assert cli.json("show", "a1")["zone"] is None
    sheet = tmp_path / "zones.csv"  # a 开发区 column, checked against the region
    sheet.write_text("标题,所属地区,开发区,发布日期\n东疆新项目,滨海新区,东疆,2025-07-02\n"
                     "错的,武清区,东疆,2025-07-03\n", "utf-8")
    refused = cli("import", str(sheet), ok=False)
    assert f"{sheet}:3: zone: 天津东疆综合保税区 is not in 天津市武清区" in refused.stderr
    cli("import", str(sheet), "--skip-invalid")
    assert count("--region", "东疆") == "2"


LEAD_SHEET = """企业名称,联系人,联系电话,意向地区,行业,投资额,需求,来源
天津瑞拓精密机械有限公司,王经理,13820011234,和平区,高端装备,5000万美元,买地自建,展会
启元生物科技有限公司,李女士,022-23456789-转8001,河东区,生物医药,约2亿元,标准厂房,电话
华芯微电子有限公司,张总,400-800-1234,南开区,集成电路,1-2亿元,厂房租赁,推荐
绿能新材料有限公司,赵先生,13700001111,武清区,新材料,五千万元,写字楼租赁,官网
远航物流有限公司,钱经理,13600002222,河东区,现代物流,300万欧元,公司注册,展会
"""


def test_the_office_lead_sheet_imports_whole_with_its_city(cli, tmp_path):
    sheet = tmp_path / "线索台账.csv"
    sheet.write_bytes(LEAD_SHEET.replace("\n", "\r\n").encode("gb18030"))
    refused = cli("import", str(sheet), ok=False)
    assert refused.exit_code == 1 and "ambiguous" in refused.stderr and "--in 天津" in refused.stderr
    imported = cli("import", str(sheet), "--in", "天津")
    assert "5 added, 0 updated, 0 unchanged, 0 invalid" in imported.stderr
    leads = {lead["company"]: lead for lead in cli.json("list", "leads", "--reveal")}
    rt = leads["天津瑞拓精密机械有限公司"]
    assert (rt["region_code"], rt["amount"], rt["currency"], rt["source"]) == ("120101", 50_000_000, "USD", "展会")
    qy = leads["启元生物科技有限公司"]
    assert (qy["amount"], qy["amount_approx"], qy["need"], qy["phone"]) == (200_000_000, True, "标准厂房",
                                                                            "022-23456789-8001")
    hx = leads["华芯微电子有限公司"]
    assert (hx["amount"], hx["amount_high"], hx["phone"]) == (100_000_000, 200_000_000, "400-800-1234")
    assert leads["绿能新材料有限公司"]["amount"] == 50_000_000
    assert (leads["远航物流有限公司"]["amount"], leads["远航物流有限公司"]["currency"]) == (3_000_000, "EUR")
    by_source = {g["label"]: g["leads"] for g in cli.json("report", "--by", "source")["groups"]}
    assert by_source == {"展会": 2, "电话": 1, "推荐": 1, "官网": 1}
    stored = cli.db.read_bytes()
    again = cli("import", str(sheet), "--in", "天津")
    assert "0 added, 0 updated, 5 unchanged" in again.stderr and cli.db.read_bytes() == stored
