import json
import re

import pytest

from zhaoshang_cli.domain.regions import short_name, table
from zhaoshang_cli.errors import UserError


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
    assert t.resolve(name).county == code  # a zone is stored as its district


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


@pytest.mark.parametrize("typo,first", [
    ("天律", "天津"),          # one character off: the bigger place first (天水, 天全 … are as close)
    ("武请区", "武清区"),      # a homophone slip beats 武侯区, 武昌区, 武进区
    ("滨海新去", "滨海新区"), ("和评区", "和平区"), ("北亰", "北京"),
    ("乌请区", "武清区"),      # two characters off, but it sounds right
    ("武請區", "武清区"),      # in traditional characters too
])
def test_a_slip_puts_the_right_name_first(t, typo, first):
    assert t.suggest(typo)[0] == first
    with pytest.raises(UserError) as err:
        t.resolve(typo)
    assert f"(did you mean: {first}、" in err.value.message or err.value.message.endswith(f"(did you mean: {first}?)")


def test_pinyin_slips_are_suggested_in_characters(t):
    assert "武清区" in t.suggest("wuqin")[:3]
    assert t.suggest("tianjn")[0] == "天津市"
    with pytest.raises(UserError) as err:
        t.resolve("binhaixinq")
    assert err.value.message.startswith("region: unknown region 'binhaixinq' (did you mean: 滨海新区")


def test_resolving_is_cached_even_when_it_fails(monkeypatch):
    fresh = table.__wrapped__()  # a table of its own, with empty caches
    parsed, compared = [], []
    parse, similar = fresh._parse_list, fresh.names()._similar_hanzi
    monkeypatch.setattr(fresh, "_parse_list", lambda *args: parsed.append(args) or parse(*args))
    monkeypatch.setattr(fresh.names(), "_similar_hanzi", lambda *args: compared.append(args) or similar(*args))
    messages = set()
    for _ in range(3):
        assert fresh.resolve("蘇州工業園區").code == "320576"
        with pytest.raises(UserError) as err:
            fresh.resolve("天律")
        messages.add(err.value.message)
    assert len(parsed) == 2 and len(compared) == 1
    assert messages == {"region: unknown region '天律' (did you mean: 天津、天水、天元、天全、天台?)"}


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
    assert [t.place(c)[0] for c in t.mentions("中国（上海）自由贸易试验区临港新片区发布新政")] == ["310115"]


@pytest.mark.parametrize("name,code", [
    ("蘇州工業園區", "320576"), ("濱海新區", "120116"), ("武清開發區", "120114"), ("瀋陽和平區", "210102"),
    ("天津市濱海新區", "120116"), ("臺灣", "710000"),
    ("乾县", "610424"), ("乾安县", "220723"),  # 乾 is written so in simplified place names too
])
def test_traditional_characters_resolve_like_simplified_ones(t, name, code):
    assert t.resolve(name).county == code


def test_one_traditional_table_for_names_page_labels_and_column_headers():
    from zhaoshang_cli.domain.hanzi import simplified
    from zhaoshang_cli.io.importers import columns, page

    assert simplified("所屬地區：蘇州工業園區") == "所属地区：苏州工业园区"
    assert columns.field_for("所屬地區") == "region" and columns.field_for("發佈日期") == "date"
    assert columns.field_for("聯繫電話") == "phone" and columns.field_for("標題") == "title"
    assert page.parse("【蘇州工業園區招商】新政\n所屬地區：江蘇省蘇州市\n發佈日期：2025年7月1日\n").labels == \
        {"region": "江蘇省蘇州市", "date": "2025年7月1日"}  # labels read simplified, values kept as written
    # the words they match are simplified already, so the table never turns one into another
    words = [*columns.ALIASES, *page._LABELS, *table().by_name, *table().by_alias]
    assert [w for w in words if simplified(w) != w] == []


@pytest.mark.parametrize("text,code", [
    ("浙江省杭州市西湖区文三路", "330106"),
    ("江苏淮安清江浦区人民路", "320812"),            # short names, then the street
    ("上海市浦东新区东明路街道三村", "310115"),       # 东明 (a county in 山东) is not read into it
    ("贵州省黔南布依族苗族自治州长顺县", "522729"),
    ("江苏省苏州市", "320500"), ("江苏省苏州市工业园区星湖街328号", "320500"),
    ("天津市武清开发区泉发路", "120114"), ("天津市滨海新区泰达MSD", "120116"),  # zones keep resolving
    ("辽宁朝阳双塔区", "211302"), ("吉林船营区", "220204"),
])
def test_full_names_and_addresses_resolve_to_the_deepest_known_level(t, text, code):
    assert t.resolve(text).county == code


@pytest.mark.parametrize("text,message", [
    ("天津智库联盟", "region: unknown region '天津智库联盟'"),   # one name and a title is no address
    ("北京市人民路8号", "region: unknown region '北京市人民路8号'"),
    ("天津和平区河西区", "region: unknown region '天津和平区河西区'"),  # two districts, not an address
    ("天津市海淀区中关村大街", "region: 海淀区 is not in 天津市"),
    ("和平区", "region: '和平区' is ambiguous"),
])
def test_what_is_not_an_address(t, text, message):
    with pytest.raises(UserError) as err:
        t.resolve(text)
    assert err.value.message.startswith(message)


@pytest.mark.parametrize("text,code", [
    ("wuqing", "120114"), ("Wuqing", "120114"), ("wuqingqu", "120114"), ("tianjin", "120000"),
    ("binhaixinqu", "120116"), ("bhxq", "120116"), ("teda", "120116"),
    # polyphonic characters read the way the places are called
    ("chongqing", "500000"), ("changsha", "430100"), ("xiamen", "350200"), ("lu'an", "341500"),
    ("bengbu", "340300"), ("chengdu", "510100"), ("changzhi", "140400"), ("zhangzixian", "140428"),
    ("laoting", "130225"), ("shenfang", None), ("shifang", "510682"), ("shanxian", "371722"),
])
def test_pinyin_and_initials_resolve(t, text, code):
    if code is None:
        with pytest.raises(UserError):
            t.resolve(text)
    else:
        assert t.resolve(text).county == code


def test_initials_need_a_province_or_city(t):
    assert [r.code for r in t.resolve_list("天津 wq")] == ["120114"]
    assert t.resolve("wq", "120000").code == "120114"      # a record's context settles it too
    assert t.resolve("tianjin wuqing").code == "120114"
    with pytest.raises(UserError) as err:
        t.resolve("wq")
    assert err.value.message.startswith("region: 'wq' is ambiguous: 天津市武清区 (120114); 河北省张家口市万全区")
    with pytest.raises(UserError) as err:
        t.resolve("ls")
    assert re.search(r"; … \(\d+ in all\); give its city or province", err.value.message)


def test_ambiguous_pinyin_lists_the_choices(t):
    with pytest.raises(UserError) as err:
        t.resolve("heping")
    assert err.value.message.startswith(
        "region: 'heping' is ambiguous: 天津市和平区 (120101); 辽宁省沈阳市和平区 (210102); "
        "广东省河源市和平县 (441624)")
    assert t.resolve("heping", "120000").code == "120101"
    assert t.resolve("沈阳 heping").code == "210102"
    with pytest.raises(UserError) as err:
        t.resolve("shanxi")  # 山西 and 陕西 are both shanxi
    assert "山西省 (140000); 陕西省 (610000)" in err.value.message


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
    ("120101 120103", ["120101", "120103"]), ("天津 武清开发区, 武清", ["120114z01", "120114"]), ("天津,", ["120000"]),
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
    result = examples("add", "article", "--title", "新文章", "--region", "天津 海淀区", "--date", "2025-07-01",
                      ok=False)
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
    assert result.stderr.strip() == ("error: region: '天津,北京' names 2 regions (天津市、北京市); "
                                     "a record has one region")
    result = examples("report", "--region", "天津 北京", ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == ("error: --region: '天津 北京' names 2 regions (天津市、北京市); "
                                     "a report covers one region (list and filter take several)")
    assert examples.db.read_bytes() == before
    assert "招商报告 · 天津市和平区" in examples("report", "--region", "天津 和平区").stdout


@pytest.mark.parametrize("query,code,path", [
    ("蘇州工業園區", "320576", ["江苏省", "苏州市", "苏州工业园区"]),
    ("浙江省杭州市西湖区文三路", "330106", ["浙江省", "杭州市", "西湖区"]),
    ("wuqing", "120114", ["天津市", "武清区"]),
    ("武清開發區", "120114", ["天津市", "武清区"]),
])
def test_the_regions_command_shows_how_a_name_resolves(cli, query, code, path):
    shown = json.loads(cli("regions", query, "--format", "json").stdout)
    assert shown["region"]["code"] == code and shown["region"]["path"] == path
    assert cli("regions", query).stdout.startswith(f"{query} → {' › '.join(path)} ({code}, 县级)\n")


def test_the_regions_command_settles_initials_and_suggests_for_typos(cli):
    assert cli("regions", "wq", "--in", "天津").stdout.startswith("wq → 天津市 › 武清区 (120114, 县级)\n")
    result = cli("regions", "天律", ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "error: region: unknown region '天律' (did you mean: 天津、天水、天元、天全、天台?)\n"
    result = cli("regions", "heping", ok=False)
    assert result.exit_code == 1 and ["120101", "210102", "441624"] == [
        line.split()[0] for line in result.stdout.splitlines()[2:]]


def test_a_region_column_takes_traditional_names_addresses_and_pinyin(cli, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("企業名稱,聯繫電話,省份,意向落戶地區\n甲,13800000001,,蘇州工業園區\n乙,13800000002,,浙江省杭州市西湖区文三路\n"
                     "丙,13800000003,天津,wq\n丁,13800000004,,wuqing\n", "utf-8")
    cli("import", str(sheet))
    codes = {lead["company"]: lead["region_code"] for lead in cli.json("list", "leads")}
    assert codes == {"甲": "320576", "乙": "330106", "丙": "120114", "丁": "120114"}
    assert sorted(cli("list", "leads", "--region", "tianjin", "--format", "ids").stdout.split()) == ["l3", "l4"]


def test_names_by_code_without_the_name_indexes_agree_with_the_whole_table():
    """`show` and `config` read names by code without building the name indexes; a zone's
    code (a home region may be one) has its full name there too, whichever is built first."""
    from zhaoshang_cli.domain import regions

    regions.table.cache_clear()
    regions.places.cache_clear()
    light = regions.places()
    assert not regions.table.cache_info().currsize, "places() built the whole table"
    codes = ["120114", "120000", "110108", *[zone.code for zone in regions._zones()]]
    light_names = {code: (light.name(code), light.full_name(code)) for code in codes}
    whole = regions.table()
    assert light_names == {code: (whole.name(code), whole.full_name(code)) for code in codes}
    assert light.full_name("120114z01") == "天津市武清区天津武清经济技术开发区"
