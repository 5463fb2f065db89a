"""Print the lowest version of each runtime dependency pyproject.toml admits, as pip
requirements (``typer==0.26.0``…), so that CI can install exactly those and check that the
declared lower bounds hold (.ci/run).  Every runtime dependency must have a lower bound."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lowest() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([0-9][0-9.]*)\s*(?:,.*)?", requirement)
        if not match:
            sys.exit(f"tools/lowest.py: {requirement!r} has no lower bound (name>=version)")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    print("\n".join(lowest()))
