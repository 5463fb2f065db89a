"""``db text-index``: whether a file store keeps a text index in each segment's digest
(text_filter.py), and turning it on or off, which writes again every segment whose digest
has it when it should not or lacks it when it should (or has one too full to rule much
out), a segment at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .digests import index_size, read_index
from .manifest import Manifest
from .segments import SegmentView
from .text_filter import SETTING, crowded
from .touched import _Segment


@dataclass(frozen=True)
class TextIndexState:
    on: bool
    segments: int  # segments in the store
    indexed: int  # of them, those whose digest has a text index
    size: int  # the bytes of those indexes
    written: int = 0  # segments written again by the change that led here


def _index_size(backend: Any, view: SegmentView) -> int | None:
    return index_size(backend.segments_dir / view.entry.digest_file)


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
            index = read_index(backend.segments_dir / entry.digest_file)
            if (index is not None) == on and not (index is not None and crowded(index)):
                continue  # as it should be; an index grown too full for its size is built again
            segment = _Segment.read(SegmentView(backend.segments_dir, entry))
            segment.index = None  # built afresh for its rows (or not at all, when off)
            txn.touched[key] = segment
            txn.checkpoint(everything=True)  # one segment held at a time
            written += 1
        txn.changed = True
    now = state(backend)
    return TextIndexState(now.on, now.segments, now.indexed, now.size, written)
