"""A smoke run of the installed `zhaoshang` over the bundled examples: the everyday commands,
each of which must exit 0.  CI runs it under the lowest dependency versions pyproject.toml
admits (tools/lowest.py), where the test suite's own requirements may not install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COMMANDS = [
    ["--help"], ["list", "--help"],
    ["import", str(EXAMPLES / "articles.jsonl"), str(EXAMPLES / "policies.json"), str(EXAMPLES / "leads.csv")],
    ["list", "articles", "--region", "天津", "--since", "2025-07-01", "--limit", "5"],
    ["list", "leads", "--format", "json"], ["filter", "--text", "园区", "--format", "ids"],
    ["show", "a1"], ["edit", "a1", "--title", "改过的标题"],
    ["lead", "status", "l1", "contacted", "--note", "电话沟通"],
    ["add", "lead", "--company", "冒烟测试企业", "--phone", "13700001111", "--amount", "5000万元"],
    ["report", "--region", "天津", "--month", "2025-07"], ["report", "--region", "天津", "--format", "json"],
    ["export", "leads", "--format", "csv"], ["regions", "武清"], ["doctor"], ["rm", "a2", "--yes"],
]


def main() -> int:
    zhaoshang = shutil.which("zhaoshang", path=str(Path(sys.executable).parent)) or "zhaoshang"
    with tempfile.TemporaryDirectory(prefix="zhaoshang-smoke-") as folder:
        env = {**os.environ, "ZHAOSHANG_DB": f"{folder}/store.json", "COLUMNS": "80", "NO_COLOR": "1",
               "XDG_DATA_HOME": f"{folder}/data"}  # a store anywhere else than ZHAOSHANG_DB says is a failure
        for args in COMMANDS:
            done = subprocess.run([zhaoshang, *args], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"smoke: zhaoshang {' '.join(args)} exited {done.returncode}:\n{done.stderr}", file=sys.stderr)
                return 1
        if not os.path.exists(f"{folder}/store.json") or os.path.exists(f"{folder}/data"):
            print("smoke: the store is not where ZHAOSHANG_DB says", file=sys.stderr)
            return 1
        copied = subprocess.run([zhaoshang, "copy", "--to", f"{folder}/copy.json"], env=env, capture_output=True,
                                text=True)
        if copied.returncode != 0:
            print(f"smoke: zhaoshang copy exited {copied.returncode}:\n{copied.stderr}", file=sys.stderr)
            return 1
    print(f"smoke: {len(COMMANDS) + 1} commands ran", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
