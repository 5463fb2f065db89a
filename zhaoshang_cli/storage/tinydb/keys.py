"""Natural keys in a write transaction: the stored records with given keys found (a few in
the key columns of the segments' indexes, many through one compact hash table per kind,
key_table.py), and the key hash and searched text of each record the transaction changes
worked out and remembered.  A part of Transaction, apart for its size.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ...domain.kind import Kind
from ...domain.search import Planes, record_planes
from .engine import Engine
from .index import key_hash
from .key_table import KeyTable
from .manifest import Manifest
from .segments import SegmentView, seq_of
from .touched import _Segment

_FEW_KEYS = 64  # looked up in the index files; more build a hash table


class NaturalKeys:
    """The natural keys of a Transaction, which gives what is declared here."""

    directory: Path
    manifest: Manifest
    touched: dict[tuple[str, int], _Segment]
    _keys: dict[str, KeyTable]

    def engine(self) -> Engine:
        raise NotImplementedError

    def _segment(self, kind: Kind, seq: int) -> _Segment:
        raise NotImplementedError

    def find_key(self, kind: Kind, key: tuple[str, ...]) -> int | None:
        return self.find_keys(kind, [key]).get(key)

    def find_keys(self, kind: Kind, keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        """The stored records with these natural keys; a hash that matches is checked against
        the document.  A few keys are looked up in the key columns of the segments' indexes
        (a single write reads a few bytes per record); many (an import) through one hash
        table per kind and transaction."""
        hashes = {key: key_hash(key) for key in keys}
        if kind.name in self._keys or len(keys) > _FEW_KEYS:
            table = self._key_table(kind)
        else:
            table = self._touched_keys(kind)
            for entry in self.manifest.of(kind):
                if (kind.name, entry.seq) not in self.touched:
                    keyed = SegmentView(self.directory, entry).numbers_with_keys(hashes.values())
                    for hashed, numbers in keyed.items():
                        table.add_all([hashed] * len(numbers), numbers)
        found: dict[tuple[str, ...], int] = {}
        candidates: dict[int, list[tuple[str, ...]]] = {}
        for key in keys:
            for number in table.get(hashes[key]):
                candidates.setdefault(number, []).append(key)
        for number, doc in self._docs(kind, sorted(candidates)):
            actual = kind.natural_key(doc)
            for key in candidates[number]:
                if key == actual:
                    found.setdefault(key, number)
        return found

    def _docs(self, kind: Kind, numbers: Sequence[int]) -> Iterator[tuple[int, Mapping[str, Any]]]:
        """(number, document) of the records with these numbers (in order) that exist: a
        segment this transaction holds answers from memory, any other is read once for all
        of its records asked for (its index locates them, its file gives just those)."""
        if not numbers:  # (the usual answer for an import's new records: no segment to look at)
            return
        by_seq: dict[int, list[int]] = {}
        for number in numbers:
            by_seq.setdefault(seq_of(number), []).append(number)
        views = {view.entry.seq: view for view in self.engine().of(kind)}
        for seq, wanted in by_seq.items():
            if (kind.name, seq) in self.touched:
                docs = self._segment(kind, seq).docs()
                yield from ((n, docs[str(n)]) for n in wanted if str(n) in docs)
                continue
            view = views.get(seq)
            if view is None:
                continue
            where = {n: i for i, n in enumerate(view.index().arrays["n"])}
            present = [n for n in wanted if n in where]
            yield from zip(present, view.docs_at([where[n] for n in present]))

    def _key_table(self, kind: Kind) -> KeyTable:
        table = self._keys.get(kind.name)
        if table is None:
            entries = [e for e in self.manifest.of(kind) if (kind.name, e.seq) not in self.touched]
            table = self._touched_keys(kind, sum(e.count for e in entries))
            for entry in entries:
                arrays = SegmentView(self.directory, entry).index().arrays
                table.add_all(arrays["key"], arrays["n"])
            self._keys[kind.name] = table
        return table

    def _touched_keys(self, kind: Kind, more: int = 0) -> KeyTable:
        """The key hashes of the records in the segments of ``kind`` this transaction holds
        (in a table sized for ``more`` besides)."""
        held = [segment for (name, _), segment in self.touched.items() if name == kind.name]
        table = KeyTable(more + sum(len(segment.docs()) for segment in held))
        for segment in held:
            for key, doc in segment.docs().items():
                hashed = segment.keys.get(int(key))
                table.add(key_hash(kind.natural_key(doc)) if hashed is None else hashed, int(key))
        return table

    def _noted(self, segment: _Segment, number: int, doc: Mapping[str, Any], body: Planes | None) -> None:
        """Work out a changed record's key hash and searched text, and remember its key."""
        hashed = segment.keys[number] = key_hash(segment.kind.natural_key(doc))
        segment.texts[number] = record_planes(segment.kind, doc, body)
        table = self._keys.get(segment.kind.name)
        if table is not None:
            table.add(hashed, number)
