"""全国: national records (国务院, 国家发展改革委) stored and found on both backends; a region's
own listing (天津) does not hold them, and names them only when asked (天津,全国)."""

import json

import pytest

pytestmark = pytest.mark.backends


def test_a_national_policy_is_stored_listed_and_kept_apart(cli):
    cli("add", "policy", "--region", "全国", "--title", "国务院关于进一步优化外商投资环境的意见",
        "--date", "2025-06-01", "--issuer", "国务院")
    cli("add", "policy", "--region", "中国", "--title", "国家发展改革委关于促进民间投资的通知", "--date", "2025-06-02")
    cli("add", "policy", "--region", "天津", "--title", "天津市关于支持生物医药产业发展的若干措施",
        "--date", "2025-06-03")
    national = json.loads(cli("list", "policies", "--region", "全国", "--format", "json").stdout)
    assert [(p["id"], p["region"], p["region_code"]) for p in national] == [("p2", "全国", "100000"),
                                                                          ("p1", "全国", "100000")]
    assert cli("list", "policies", "--region", "国家", "--format", "ids").stdout.split() == ["p2", "p1"]
    assert cli("list", "policies", "--region", "天津", "--format", "ids").stdout.split() == ["p3"]
    assert cli("list", "policies", "--region", "天津,全国", "--format", "ids").stdout.split() == ["p3", "p2", "p1"]
    report = json.loads(cli("report", "--format", "json").stdout)
    assert {g["label"]: g["policies"] for g in report["groups"]} == {"全国": 2, "天津市": 1}
    assert "全国 (100000)" in cli("show", "p1").stdout
    assert "国家级" in cli("regions", "全国").stdout


def test_a_sheet_of_national_policies_imports(cli, tmp_path):
    sheet = tmp_path / "policies.csv"
    sheet.write_text("政策名称,地区,发布日期,发文机关\n关于印发《外商投资准入特别管理措施》的通知,全国,2025-07-01,国家发展改革委\n",
                     "utf-8")
    cli("import", str(sheet), "--kind", "policy")
    assert cli.json("show", "p1")["region"] == "全国"
