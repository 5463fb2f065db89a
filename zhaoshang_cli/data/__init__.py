"""Data files shipped with the program: the region table, zones, pinyin, traditional → simplified."""

import os


def lines(name: str) -> list[str]:
    """The lines of a data file that hold something (not blank, not a # comment).  Read
    beside this module, not through importlib.resources, whose import costs every command
    that reads a region more than the file does."""
    with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as file:
        return [line for line in file.read().splitlines() if line and not line.startswith("#")]
