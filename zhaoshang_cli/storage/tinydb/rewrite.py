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
    from .touched import _Segment

    for kind in KINDS.values():
        for seq, docs in split(kind, legacy.data.get(kind.table) or {}).items():
            txn.touched[(kind.name, seq)] = _Segment(kind, docs)
    txn.checkpoint(everything=True)
    txn.changed = True
    if legacy.meta.get("bodies") != "json":
        compact_bodies(txn, literals=False)


def compact_bodies(txn: Transaction, literals: bool = True,
                   given: dict[tuple[str, int], str] | None = None) -> tuple[int, int]:
    """Copy the bodies still referenced into a new log generation, dropping the bytes of
    edited and deleted ones (and turning a schema 2 log of plain text into JSON literals);
    returns (old size, new size).  The old generation stays while a backup refers to it.
    Every body is read back whole as it is copied.  ``given``: bodies to write for records
    by (kind, number), instead of reading theirs (bodies a repair found elsewhere)."""
    from .bodies import Appender
    from .index import BODY

    old = BodyLog(txn.log.path, literals)
    side = txn.log.path.parent
    generation = max([txn.meta["log"], *(int(m[1]) for m in map(sides.LOG_NAME.fullmatch, os.listdir(side)) if m)]) + 1
    new = BodyLog(side / f"bodies.{generation}.log", True)
    txn.written.append(new.path)
    new.begin()  # its header and a token of its own, even when no body is left to copy
    appender = Appender(new)
    supplied = given or {}
    for kind in KINDS.values():
        if not kind.has_body:
            continue
        for entry in list(txn.manifest.of(kind)):
            segment = txn._segment(kind, entry.seq)
            docs = segment.docs()
            mine = {int(k): supplied[(kind.name, int(k))] for k in docs if (kind.name, int(k)) in supplied}
            holders = [(int(k), doc) for k, doc in docs.items() if doc.get(BODY) or int(k) in mine]
            texts = dict(old.read_many([(n, doc[BODY]) for n, doc in holders if n not in mine]))
            texts.update(mine)
            refs = appender.append([texts[n] for n, _ in holders])
            for (_, doc), ref in zip(holders, refs):
                doc[BODY] = ref
            txn.checkpoint(everything=True)
    appender.sync()
    txn.meta["log"], txn.meta["bodies"] = generation, "json"
    if new.token is not None:
        txn.meta["log_token"] = new.token
    txn.log = new
    txn.appender = None
    txn.changed = True
    return old.size(), new.size()
