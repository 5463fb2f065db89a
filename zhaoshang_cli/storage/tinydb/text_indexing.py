"""``db text-index``: whether a file store keeps a text index in each segment's digest
(text_filter.py), and turning it on or off, which writes again every segment whose digest
has it when it should not or lacks it when it should, a segment at a time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ...atomic import open_private
from .digests import index_size
from .manifest import Manifest
from .segments import SegmentView
from .text_filter import SETTING
from .touched import _Segment


@dataclass(frozen=True)
class TextIndexState:
    on: bool
    segments: int  # segments in the store
    indexed: int  # of them, those whose digest has a text index
    size: int  # the bytes of those indexes
    written: int = 0  # segments written again by the change that led here


def _index_size(backend: Any, view: SegmentView) -> int | None:
    path = backend.segments_dir / view.entry.digest_file
    return index_size(lambda: open_private(path, os.O_RDONLY))


def state(backend: Any) -> TextIndexState:
    with backend.reading() as reader:
        views = [view for views in reader.engine.views.values() for view in views]
        sizes = [_index_size(backend, view) for view in views]
        return TextIndexState(bool(reader.meta.get(SETTING)), len(views),
                              sum(size is not None for size in sizes), sum(size or 0 for size in sizes))


def switch(backend: Any, on: bool) -> TextIndexState:
    """Keep text indexes (``on``) or not, and write again the segments that differ."""
    written = 0
    with backend.writing() as txn:
        if on:
            txn.meta[SETTING] = True
        else:
            txn.meta.pop(SETTING, None)
        manifest: Manifest = txn.manifest
        for key, entry in sorted(manifest.entries.items()):
            view = SegmentView(backend.segments_dir, entry)
            if (_index_size(backend, view) is not None) != on:
                txn.touched[key] = _Segment.read(view)
                txn.checkpoint(everything=True)  # one segment held at a time
                written += 1
        txn.changed = True
    found = state(backend)
    return TextIndexState(found.on, found.segments, found.indexed, found.size, written)
