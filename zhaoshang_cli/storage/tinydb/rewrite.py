"""Rewrites of a whole store inside one write transaction: splitting a store of schema 3 or
older into segments (its first write), and compacting the body log (doctor --fix)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ...domain.kind import KINDS
from . import side as sides
from .bodies import BodyLog
from .manifest import Legacy
from .segments import split

if TYPE_CHECKING:
    from .writer import Transaction


def migrate(txn: Transaction, legacy: Legacy) -> None:
    """Split a store of schema 3 or older into segments (its first write does this)."""
    from .writer import _Segment

    for kind in KINDS.values():
        for seq, docs in split(kind, legacy.data.get(kind.table) or {}).items():
            txn.touched[(kind.name, seq)] = _Segment(kind, docs)
    txn.checkpoint(everything=True)
    txn.changed = True
    if legacy.meta.get("bodies") != "json":
        compact_bodies(txn, literals=False)


def compact_bodies(txn: Transaction, literals: bool = True) -> tuple[int, int]:
    """Copy the bodies still referenced into a new log generation, dropping the bytes of
    edited and deleted ones (and turning a schema 2 log of plain text into JSON literals);
    returns (old size, new size).  The old generation stays while a backup refers to it.
    Every body is read back whole as it is copied."""
    from .bodies import Appender
    from .index import BODY

    old = BodyLog(txn.log.path, literals)
    side = txn.log.path.parent
    generation = max([txn.meta["log"], *(int(m[1]) for m in map(sides.LOG_NAME.fullmatch, os.listdir(side)) if m)]) + 1
    new = BodyLog(side / f"bodies.{generation}.log", True)
    txn.written.append(new.path)
    appender = Appender(new)
    for kind in KINDS.values():
        if not kind.has_body:
            continue
        for entry in list(txn.manifest.of(kind)):
            segment = txn._segment(kind, entry.seq)
            docs = segment.docs()
            holders = [doc for doc in docs.values() if doc.get(BODY)]
            texts = dict(old.read_many([(str(i), doc[BODY]) for i, doc in enumerate(holders)]))
            refs = appender.append([texts[str(i)] for i in range(len(holders))])
            for doc, ref in zip(holders, refs):
                doc[BODY] = ref
            txn.checkpoint(everything=True)
    appender.wait()
    txn.meta["log"], txn.meta["bodies"] = generation, "json"
    txn.log = new
    txn.appender = None
    txn.changed = True
    return old.size(), new.size()
