"""``db text-index`` on a team store: the trigram indexes of what ``--text`` reads, the fields'
searched text (``search``) and the body's (schema.BODY_TEXT), kept only when the store asks
for them, as a file store keeps its own text index.

Keeping them is what makes an import slow: at 100k articles the server spends more on them
than on everything else the import writes, row by row, and building them once afterwards
costs less than keeping them through the import (bench/README.md).  So a store starts
without them; its owner turns them on (``db text-index on``) when searches matter more than
bulk imports, and every write keeps them up to date from then on.  They are built and
dropped CONCURRENTLY: editors go on writing meanwhile.  Without them ``--text`` reads every
row, as a file store without its index reads every digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ...domain.kind import KINDS, Kind
from .schema import quoted, text_index_names, text_indexes


class TextIndexState(NamedTuple):
    on: bool
    tables: int  # the kinds' tables
    indexed: int  # of them, those with their text indexes ready for use
    size: int  # bytes of those indexes
    written: int = 0  # indexes built or dropped by the change that led here


def kinds_with_tables(ready: Any) -> list[Kind]:
    """The kinds whose table is there (``ready``: State.ready)."""
    return [kind for kind in KINDS.values() if ready(kind)]


def _names(kinds: Sequence[Kind]) -> dict[str, list[str]]:
    return {kind.name: text_index_names(kind) for kind in kinds}


def _found(conn: Any, names: list[str]) -> dict[str, tuple[bool, int]]:
    """Each of these indexes there is: name → (ready for use, bytes).  One whose CONCURRENTLY
    build was cut short is there but not ready."""
    rows = conn.execute("SELECT c.relname, i.indisvalid, pg_relation_size(c.oid) FROM pg_class c "
                        "JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = ANY(%s) "
                        "AND pg_table_is_visible(c.oid)", [names])
    return {name: (valid, size) for name, valid, size in rows}


def state(conn: Any, kinds: Sequence[Kind]) -> TextIndexState:
    wanted = _names(kinds)
    found = _found(conn, [name for names in wanted.values() for name in names])
    indexed = [kind for kind in kinds if all(found.get(name, (False, 0))[0] for name in wanted[kind.name])]
    size = sum(size for valid, size in found.values() if valid)
    return TextIndexState(bool(kinds) and len(indexed) == len(kinds), len(kinds), len(indexed), size)


def kept(conn: Any, kinds: Sequence[Kind]) -> bool:
    """Does the store keep text indexes, of any of its tables (a kind's new table gets them
    too; `db text-index on` completes a state left half-built)?"""
    return state(conn, kinds).indexed > 0


def switch(conn: Any, kinds: Sequence[Kind], on: bool, trgm_schema: str | None) -> int:
    """Build (``on``) or drop each kind's text indexes; returns how many changed.  ``conn`` is
    in autocommit: CONCURRENTLY runs outside a transaction, and lets writers go on."""
    wanted = _names(kinds)
    found = _found(conn, [name for names in wanted.values() for name in names])
    changed = 0
    for kind in kinds:
        statements = dict(text_indexes(kind, trgm_schema, concurrently=True)) if on and trgm_schema else {}
        for name in wanted[kind.name]:
            there = found.get(name)
            if (on and there is not None and there[0]) or (not on and there is None):
                continue
            if there is not None:  # to drop, or a build cut short to start again
                conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quoted(name)}")
            if on:
                conn.execute(statements[name])
            changed += 1
    return changed
