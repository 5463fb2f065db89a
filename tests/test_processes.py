"""Complexity that pays its way: a read never forks, starts a process or a thread; a write
starts none either, but for the one mechanism whose gain bench/README.md shows (a big
import's second process)."""

from __future__ import annotations

import json
import os
import subprocess
import threading

import pytest
from conftest import Cli

READS = [["list", "articles", "--text", "一个哪里都没有的词", "--format", "count"],
         ["list", "articles", "--text", "项目", "--limit", "20"], ["filter", "--text", "正文", "--format", "ids"],
         ["report", "--region", "天津"], ["show", "a17000"], ["export", "articles"],
         ["list", "articles", "--region", "静海", "--format", "jsonl"]]


@pytest.fixture(scope="module")
def many_segments(tmp_path_factory) -> Cli:
    """A store of nine segments of articles, enough for what used to search in parallel."""
    folder = tmp_path_factory.mktemp("many")
    rows = folder / "rows.jsonl"
    rows.write_text("".join(json.dumps({"title": f"静海区项目{i}", "region": "静海", "date": "2025-08-01",
                                        "body": f"第{i}个项目的正文"}, ensure_ascii=False) + "\n"
                            for i in range(17500)), "utf-8")
    cli = Cli(folder / "store" / "zhaoshang.json")
    cli("import", str(rows))
    return cli


def _refused(*_args, **_kwargs):
    raise AssertionError("a read started a process or a thread")


@pytest.mark.parametrize("args", READS, ids=[" ".join(a[:2]) for a in READS])
def test_no_read_command_forks_or_starts_a_thread(many_segments, monkeypatch, args):
    assert len(many_segments.segment_files("articles")) >= 9
    for name in ("fork", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, _refused)
    monkeypatch.setattr(subprocess.Popen, "__init__", _refused)
    monkeypatch.setattr(threading.Thread, "start", _refused)
    result = many_segments(*args, env={"ZHAOSHANG_PAGER": "", "PAGER": ""})
    assert result.exit_code == 0


def test_single_writes_start_no_thread(many_segments, monkeypatch):
    monkeypatch.setattr(threading.Thread, "start", _refused)
    monkeypatch.setattr(os, "fork", _refused)
    many_segments("add", "article", "--title", "新的", "-r", "静海", "--date", "2025-08-02", "--body", "正文")
    many_segments("edit", "a1", "--body", "改过的正文")
