"""Record numbers on a PostgreSQL store: one sequence per kind (``zs_articles_ids``…).

A sequence hands out numbers without a lock held to the commit, so a long import does not
make a colleague's ``add`` wait; it never hands one out twice, not after ``rm``; and a role
that may only draw from it (USAGE: ``nextval``) cannot wind it back (``setval`` needs
UPDATE, which ``db grant`` gives no editor).  A number a row brings (an import of exported
records, a copy) is claimed by drawing up to it, which only ever moves forward.  A write
that is rolled back leaves a gap: numbers are unique and increasing, not dense.
"""

from __future__ import annotations

from typing import Any

from ...domain.kind import KINDS, Kind
from .schema import COUNTERS, quoted, table_name


def sequence_name(kind: Kind) -> str:
    return f"{table_name(kind)}_ids"


def ensure(conn: Any, kind: Kind, start: int | None = None) -> bool:
    """The kind's sequence, made when missing, its first number ``start`` or the number after
    the highest stored; True when it was made."""
    name = sequence_name(kind)
    if conn.execute("SELECT to_regclass(%s) IS NOT NULL", [quoted(name)]).fetchone()[0]:
        return False
    if start is None:
        table = quoted(table_name(kind))
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]
        start = conn.execute(f"SELECT coalesce(max(number), 0) + 1 FROM {table}").fetchone()[0] if exists else 1
    conn.execute(f"CREATE SEQUENCE {quoted(name)} MINVALUE 1 MAXVALUE 999999999 START {int(start)}")
    return True


def next_free(conn: Any, kind: Kind) -> int:
    """The number the next record of ``kind`` gets (1 when its sequence is not made yet)."""
    name = sequence_name(kind)
    if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", [quoted(name)]).fetchone()[0]:
        return 1
    last, called = conn.execute(f"SELECT last_value, is_called FROM {quoted(name)}").fetchone()
    return last + 1 if called else last


def draw(conn: Any, kind: Kind, count: int) -> list[int]:
    """``count`` new numbers, in order."""
    if count <= 0:
        return []
    rows = conn.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                        [quoted(sequence_name(kind)), count]).fetchall()
    return sorted(row[0] for row in rows)


def claim(conn: Any, kind: Kind, number: int) -> None:
    """Make sure the sequence will never hand out ``number`` or any below it."""
    missing = number - next_free(conn, kind) + 1
    if missing > 0:
        conn.execute("SELECT max(nextval(%s::regclass)) FROM generate_series(1, %s)",
                     [quoted(sequence_name(kind)), missing])


def from_counters(conn: Any) -> None:
    """Each kind's sequence, going on from the table ``zs_counters`` of a store set up before
    (or from its highest number), which is then dropped (the migration ``id_sequences``)."""
    had = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [COUNTERS]).fetchone()[0]
    counters = dict(conn.execute(f"SELECT prefix, next FROM {COUNTERS}").fetchall()) if had else {}
    for kind in KINDS.values():
        table = quoted(table_name(kind))
        top = 0
        if conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]:
            top = conn.execute(f"SELECT coalesce(max(number), 0) FROM {table}").fetchone()[0]
        ensure(conn, kind, max(counters.get(kind.prefix, 1), top + 1))
    if had:
        conn.execute(f"DROP TABLE {COUNTERS}")
