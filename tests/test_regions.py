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
