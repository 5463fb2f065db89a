import json

import pytest

from zhaoshang_cli.errors import UserError
from zhaoshang_cli.regions import short_name, table


@pytest.fixture(scope="module")
def t():
    return table()


@pytest.mark.parametrize("name,code", [
    ("天津", "120000"), ("天津市", "120000"), ("武清", "120114"), ("武清区", "120114"), ("武清开发区", "120114"),
    ("天津武清经济技术开发区", "120114"), ("泰达", "120116"), ("天津港保税区", "120116"), ("滨海新区", "120116"),
    ("北京", "110000"), ("亦庄", "110115"), ("苏州工业园区", "320576"), ("恩施", "422800"),
    ("内蒙古", "150000"), ("广西", "450000"), ("河北", "130000"), ("120114", "120114"), ("1201", "120000"),
    ("天津 和平区", "120101"), ("天津市和平区", "120101"), ("沈阳和平区", "210102"), ("辽宁/沈阳/和平区", "210102"),
    ("武清區", "120114"), ("香港", "810000"),
])
def test_names_aliases_and_zones_resolve(t, name, code):
    assert t.resolve(name).code == code


def test_a_name_in_several_places_is_settled_by_context(t):
    assert t.resolve("和平区", "120000").code == "120101"      # the page's region: 天津
    assert t.resolve("和平区", "120114").code == "120101"      # a record in 武清区: same province
    assert t.resolve("河东区", "370000").code == "371312"      # 山东 → 临沂's 河东区
    assert t.resolve("滨海", "120000").code == "120116"


def test_ambiguous_without_context_lists_the_choices(t):
    with pytest.raises(UserError) as err:
        t.resolve("和平区")
    assert "120101" in err.value.message and "210102" in err.value.message


def test_unknown_names_get_suggestions(t):
    with pytest.raises(UserError) as err:
        t.resolve("滨海心区")
    assert "did you mean: 滨海新区" in err.value.message
    assert t.suggest("和评区")[0] == "和平区"
    assert "武清区" in t.suggest("武请区")


def test_filtering_prefixes_include_children(t):
    tianjin = t.resolve("天津")
    assert "120114".startswith(tianjin.prefix) and "120116".startswith(tianjin.prefix)
    assert not "130100".startswith(tianjin.prefix)
    assert t.resolve("石家庄").prefix == "1301"


def test_short_names():
    assert short_name("恩施土家族苗族自治州") == "恩施"
    assert short_name("积石山保安族东乡族撒拉族自治县") == "积石山"
    assert short_name("新疆维吾尔自治区") == "新疆"
    assert short_name("城区") is None  # one character is not a name


def test_mentions_in_titles(t):
    assert t.mentions("天津市西青区国资国企工作会议", "120000") == ["120000", "120111"]
    assert t.most_specific(t.mentions("【天津招商】蓟州区规划新建A1级通用机场", "120000")) == "120119"
    assert t.mentions("天津智库联盟成立助力一带一路与京津冀协同发展", "120000") == ["120000"]
    assert t.mentions("和平区人民政府办公室关于印发", "120000") == ["120101"]
    # the longest zone names are longer than any county's and still match whole
    assert t.mentions("中国（上海）自由贸易试验区临港新片区发布新政") == ["310115"]


def test_the_table_covers_the_whole_country(t):
    provinces = [r for r in t.regions.values() if r.level == "province"]
    assert len(provinces) == 34
    assert sum(1 for r in t.regions.values() if r.level == "county") > 2900


@pytest.mark.parametrize("text,codes", [
    ("天津,北京", ["120000", "110000"]), ("天津，北京", ["120000", "110000"]), ("天津、北京", ["120000", "110000"]),
    ("天津;北京", ["120000", "110000"]), ("天津 北京", ["120000", "110000"]), ("天津　北京", ["120000", "110000"]),
    ("天津 和平区", ["120101"]), ("辽宁/沈阳/和平区", ["210102"]), ("辽宁 › 沈阳 › 和平区", ["210102"]),
    ("天津 和平区 河西区", ["120101", "120103"]),         # same level: a new item, in the previous one's city
    ("沈阳 和平区 天津 和平区", ["210102", "120101"]),
    ("天津市和平区,沈阳和平区", ["120101", "210102"]),    # glued names
    ("吉林 吉林", ["220200"]), ("辽宁 朝阳", ["211300"]), ("天津 吉林", ["120000", "220000"]),
    ("120101 120103", ["120101", "120103"]), ("天津 武清开发区, 武清", ["120114"]), ("天津,", ["120000"]),
])
def test_region_lists_and_paths(t, text, codes):
    assert [r.code for r in t.resolve_list(text)] == codes


@pytest.mark.parametrize("text,message", [
    ("天津 海淀区", "region: 海淀区 is not in 天津市 (for several regions, separate them with commas: '天津,海淀区')"),
    ("天津/北京", "region: 北京 is not in 天津市"),
    ("天津海淀区", "region: 海淀区 is not in 天津市"),
    ("北京 上海 深圳", "region: 深圳 is not in 上海市"),
    ("天津,北亰", "region: unknown region '北亰' (did you mean: 北京"),
    ("天津,和平区", "region: '和平区' is ambiguous"),
    (" ， ", "region: a region name is required"),
])
def test_region_lists_that_do_not_resolve(t, text, message):
    with pytest.raises(UserError) as err:
        t.resolve_list(text)
    assert err.value.message.startswith(message)


def test_resolve_takes_one_region(t):
    with pytest.raises(UserError) as err:
        t.resolve("天津 北京")
    assert err.value.message == "region: '天津 北京' names 2 regions (天津市、北京市); give one"
    with pytest.raises(UserError) as err:
        t.resolve("天津 海淀区")
    assert err.value.message == "region: 海淀区 is not in 天津市"  # no hint about lists for one region


# -- at the command line -------------------------------------------------------------------
@pytest.mark.parametrize("value", ["天津,北京", "天津，北京", "天津、北京", "天津;北京", "天津 北京"])
def test_a_region_filter_takes_a_list(examples, value):
    def ids(*args):
        return examples("list", "articles", *args, "--format", "ids").stdout.split()

    union = ids("--region", "天津", "--region", "北京")
    assert set(ids("--region", "北京")) < set(union) and set(ids("--region", "天津")) < set(union)
    assert ids("--region", value) == union
    assert examples("filter", "--region", value, "--format", "count").stdout == \
        examples("filter", "--region", "天津", "--region", "北京", "--format", "count").stdout
    exported = examples("export", "articles", "--region", value, "--format", "jsonl").stdout.splitlines()
    assert sorted(json.loads(line)["id"] for line in exported) == sorted(union)


def test_a_region_filter_path_and_siblings(examples):
    heping = examples("list", "articles", "--region", "120101", "--format", "ids").stdout.split()
    hedong = examples("list", "articles", "--region", "120102", "--format", "ids").stdout.split()
    assert heping and hedong
    assert examples("list", "articles", "--region", "天津 和平区", "--format", "ids").stdout.split() == heping
    both = examples("list", "articles", "--region", "天津 和平区 河东区", "--format", "ids").stdout.split()
    assert sorted(both) == sorted(heping + hedong)


def test_a_contradicting_parent_is_an_error_everywhere(examples, tmp_path):
    before = examples.db.read_bytes()
    for args in (("list", "articles", "--region", "天津 海淀区"), ("filter", "--region", "天津 海淀区"),
                 ("export", "articles", "--region", "天津 海淀区")):
        result = examples(*args, ok=False)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.strip().splitlines() == [
            "error: --region: 海淀区 is not in 天津市 (for several regions, separate them with commas: '天津,海淀区')"]
    result = examples("regions", "天津 海淀区", ok=False)
    assert result.exit_code == 1 and result.stderr.strip() == "error: region: 海淀区 is not in 天津市"
    result = examples("add", "article", "--title", "新文章", "--region", "天津 海淀区", "--date", "2025-07-01", ok=False)
    assert result.exit_code == 1 and result.stderr.strip() == "error: region: 海淀区 is not in 天津市"
    result = examples("edit", "a1", "--region", "天津市海淀区", ok=False)
    assert result.exit_code == 1 and result.stderr.strip() == "error: region: 海淀区 is not in 天津市"
    sheet = tmp_path / "rows.csv"
    sheet.write_text("标题,所属地区,发布日期\n甲,天津 海淀区,2025-07-01\n乙,天津、北京,2025-07-02\n", "utf-8")
    result = examples("import", str(sheet), "--skip-invalid")
    assert f"error: {sheet}:2: region: 海淀区 is not in 天津市\n" in result.stderr
    assert f"error: {sheet}:3: region: '天津、北京' names 2 regions (天津市、北京市); a record has one region" \
        in result.stderr
    assert examples.db.read_bytes() == before


def test_a_record_and_a_report_have_one_region(examples):
    before = examples.db.read_bytes()
    result = examples("add", "lead", "--company", "两地公司", "--phone", "13800000009", "--region", "天津,北京",
                      ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: region: '天津,北京' names 2 regions (天津市、北京市); a record has one region"
    result = examples("report", "--region", "天津 北京", ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == ("error: --region: '天津 北京' names 2 regions (天津市、北京市); "
                                     "a report covers one region (list and filter take several)")
    assert examples.db.read_bytes() == before
    assert "招商报告 · 天津市和平区" in examples("report", "--region", "天津 和平区").stdout
