"""Copying a whole store into another, whatever their backends: TinyDB → PostgreSQL when a
team starts, PostgreSQL → TinyDB for an offline copy.

Records keep their IDs, documents (timestamps, notes, histories, extra columns) and
bodies; the target's ID counters are raised to the source's, so an ID the source issued
and deleted is never issued by the target either; the settings come along.  Everything
is written in one transaction of the target.  A record already in the target under the
same ID is compared and replaced by the source's version when it differs, so a second
run changes nothing; records only in the target are kept.  A record whose ID the target
issued before and no longer holds is an error (copy never moves a record to another ID).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import takewhile
from typing import Any, Iterator

from .. import messages
from ..domain.kind import KINDS, Kind, record_id
from ..errors import UserError
from ..storage.base import Backend, Query, Reader, Record, Writer

_BATCH = 1000


@dataclass
class CopyResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # records only in the target


def copy(source: Backend, target: Backend) -> CopyResult:
    result = CopyResult()
    settings = dict(source.settings())
    with source.reading() as reader:
        counters = reader.counters()
        with target.writing() as txn:
            for kind in KINDS.values():
                _copy_kind(reader, txn, kind, result)
            txn.keep_counters(counters)
    current = target.settings()
    for key, value in settings.items():
        if current.get(key) != value:
            target.change_setting(key, value)
    return result


def _copy_kind(reader: Reader, txn: Writer, kind: Kind, result: CopyResult) -> None:
    """The records of one kind, both stores read in ID order side by side."""
    following = issued = txn.counters().get(kind.prefix, 1)
    # the target's records as they were: the ones this copy inserts (numbers from `issued` on) are not compared
    theirs: Iterator[Record] = takewhile(lambda r: r.number < issued, txn.select(Query((kind,), with_body=True)))
    held = next(theirs, None)
    fresh: list[Record] = []

    def flush() -> None:
        if fresh:
            txn.insert(kind, [_whole(kind, r) for r in fresh], [r.number for r in fresh])
            result.added += len(fresh)
            fresh.clear()
            txn.checkpoint()

    for record in reader.select(Query((kind,), with_body=True)):
        while held is not None and held.number < record.number:
            result.kept += 1
            held = next(theirs, None)
        if held is not None and held.number == record.number:
            if held.doc == record.doc and (held.body or None) == (record.body or None):
                result.unchanged += 1
            else:
                txn.update(kind, record.number, _whole(kind, record))
                result.updated += 1
            held = next(theirs, None)
            continue
        if record.number < following:
            raise UserError(messages.COPY_ID_TAKEN.format(id=record_id(kind, record.number)))
        following = record.number + 1
        fresh.append(record)
        if len(fresh) >= _BATCH:
            flush()
    flush()
    while held is not None:
        result.kept += 1
        held = next(theirs, None)


def _whole(kind: Kind, record: Record) -> dict[str, Any]:
    """A record as insert and update take it: its document and, for a kind with one, its body."""
    doc = dict(record.doc)
    if kind.has_body:
        doc["body"] = record.body or None
    return doc
