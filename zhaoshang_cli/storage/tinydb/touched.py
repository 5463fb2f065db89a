"""A segment a write transaction touched, held in memory until it is written to a new file.

Each touched segment is a TinyDB database in memory (TinyDB's own table operations insert,
replace and remove its documents), with what is known already of each record's natural key
hash and searched text.  A stored segment is checked before it is changed: a damaged one is
refused (doctor mends it) rather than written again with its damage.
"""

from __future__ import annotations

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from ... import messages
from ...domain.kind import Kind
from ...domain.search import Planes
from .segments import Docs, Entry, SegmentUnreadable, SegmentView, numbers_of
from .text_filter import Filter


class _Segment:
    """One touched segment: a TinyDB database in memory over its documents, with what is
    known already of each record's natural key hash and searched text (kept from the
    segment's index and digest, worked out for records this transaction changes)."""

    def __init__(self, kind: Kind, docs: Docs, keys: dict[int, int] | None = None,
                 texts: dict[int, Planes] | None = None, index: Filter | None = None):
        self.kind = kind
        self.db = TinyDB(storage=MemoryStorage)
        self.db.storage.write({kind.table: docs})
        self.table = self.db.table(kind.table, cache_size=0)
        self.keys: dict[int, int] = keys or {}
        self.texts: dict[int, Planes] = texts or {}
        # the text index the segment had, and the rows it was built from (a row replaced
        # since, by a new object, is set in it when the segment is written)
        self.index = index
        self.indexed: dict[int, Planes] = dict(self.texts) if index is not None else {}

    @classmethod
    def read(cls, view: SegmentView, check: bool = True) -> _Segment:
        docs = view.all_docs()
        if check:
            _check(view.entry, docs)
        keys: dict[int, int] = {}
        texts: dict[int, Planes] = {}
        index = None
        try:
            numbers = view.index().arrays["n"]
            keys = dict(zip(numbers, view.index().arrays["key"]))
            digest = view.digest()
            if digest is not None:
                texts = {number: digest.row(i) for i, number in enumerate(numbers)}
                index = digest.index
        except SegmentUnreadable:
            pass  # a damaged index: everything is worked out again from the documents
        if len(keys) != len(docs) or any(str(n) not in docs for n in keys):
            keys, texts, index = {}, {}, None
        return cls(view.kind, docs, keys, texts, index)

    def docs(self) -> Docs:
        return self.db.storage.read().get(self.kind.table, {})  # type: ignore[union-attr]


def _check(entry: Entry, docs: Docs) -> None:
    """A segment about to be changed must hold sound records of its own range: a damaged one
    is refused (doctor mends it) rather than written again with its damage."""
    from .integrity import record_damage

    allowed = numbers_of(entry.seq)
    for key, doc in docs.items():
        problems = record_damage(entry.kind, key, doc)
        if problems:
            raise SegmentUnreadable(f"{entry.file}: {problems[0].where}: {problems[0].problem}")
        if int(key) not in allowed:
            raise SegmentUnreadable(messages.DOCTOR_SEGMENT_MISPLACED.format(
                segment=f"{entry.kind.table} {entry.seq} ({entry.file})", keys=key))
