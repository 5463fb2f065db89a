"""Who may do what on a team store: ``zhaoshang db grant --editor ROLE… --reader ROLE…``,
and ``doctor``'s check of the grants against this model.

* Readers read: every table and view, and where each sequence stands.
* Editors read the same and write the records, the store's settings and copies' sync
  marks; they add to the change log but never change or delete an entry of it; they draw
  record numbers from the sequences but cannot wind them back (no UPDATE, so no setval).
* Nobody but the owner writes the control table ``zs_meta`` (schema, layouts, migrations).

The roles given are kept in ``zs_meta`` (``grant:editor:ROLE``), so that the owner's next
``db init`` grants them the table of a kind registered later, and doctor knows whom to check.
Plain SQL, built from the tables the store has: ``--print`` shows it without running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...domain.kind import KINDS
from . import ids
from .schema import CHANGES, META, SETTINGS, SYNC, quoted, table_name

RECORD_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
_WRITES = frozenset(("INSERT", "UPDATE", "DELETE", "TRUNCATE"))


def _exists(conn: Any, name: str) -> bool:
    return bool(conn.execute("SELECT to_regclass(%s) IS NOT NULL", [quoted(name)]).fetchone()[0])


def objects(conn: Any) -> dict[str, list[str]]:
    """The store's tables, views and sequences that exist, by the part they play."""
    kinds = [table_name(k) for k in KINDS.values() if _exists(conn, table_name(k))]
    views = [r[0] for r in conn.execute(
        "SELECT viewname FROM pg_views WHERE viewname LIKE 'zs\\_%' AND schemaname = current_schema()")]
    extra = [t for t in ("zs_regions",) if _exists(conn, t)]
    sequences = [ids.sequence_name(k) for k in KINDS.values() if _exists(conn, ids.sequence_name(k))]
    log = [CHANGES] if _exists(conn, CHANGES) else []
    log_ids = [r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_class c WHERE c.oid = pg_get_serial_sequence(%s, 'seq')::regclass", log)] \
        if log else []
    return {"records": kinds, "control": [META], "settings": [t for t in (SETTINGS, SYNC) if _exists(conn, t)],
            "log": log, "read": views + extra, "ids": sequences, "log_ids": log_ids}


def statements(conn: Any, editors: Sequence[str], readers: Sequence[str]) -> list[str]:
    """The SQL that gives ``editors`` and ``readers`` exactly their rights (see the module)."""
    found = objects(conn)
    database = conn.execute("SELECT current_database()").fetchone()[0]
    tables = found["records"] + found["control"] + found["settings"] + found["log"] + found["read"]
    sequences = found["ids"] + found["log_ids"]
    roles = [*editors, *readers]
    sql = [f"GRANT CONNECT ON DATABASE {quoted(database)} TO {_names(roles)}",
           f"GRANT USAGE ON SCHEMA {quoted(_schema(conn))} TO {_names(roles)}",
           f"REVOKE ALL ON {_names(tables)} FROM {_names(roles)}"]
    if sequences:
        sql.append(f"REVOKE ALL ON SEQUENCE {_names(sequences)} FROM {_names(roles)}")
    if readers:
        sql.append(f"GRANT SELECT ON {_names(tables)} TO {_names(readers)}")
        if found["ids"]:
            sql.append(f"GRANT SELECT ON SEQUENCE {_names(found['ids'])} TO {_names(readers)}")
    if editors:
        sql.append(f"GRANT SELECT ON {_names(found['control'] + found['read'])} TO {_names(editors)}")
        writable = found["records"] + found["settings"]
        sql.append(f"GRANT {RECORD_RIGHTS} ON {_names(writable)} TO {_names(editors)}")
        if found["log"]:
            sql.append(f"GRANT SELECT, INSERT ON {_names(found['log'])} TO {_names(editors)}")
        if sequences:
            sql.append(f"GRANT USAGE, SELECT ON SEQUENCE {_names(sequences)} TO {_names(editors)}")
    return sql


def _names(names: Sequence[str]) -> str:
    return ", ".join(quoted(n) for n in names)


def _schema(conn: Any) -> str:
    return str(conn.execute("SELECT current_schema()").fetchone()[0])


def recorded(conn: Any) -> tuple[list[str], list[str]]:
    """(editors, readers) that ``db grant`` was given."""
    rows = [r[0] for r in conn.execute(f"SELECT key FROM {META} WHERE key LIKE 'grant:%'")]
    editors = sorted(r.split(":", 2)[2] for r in rows if r.startswith("grant:editor:"))
    readers = sorted(r.split(":", 2)[2] for r in rows if r.startswith("grant:reader:"))
    return editors, readers


def record(conn: Any, editors: Sequence[str], readers: Sequence[str], at: str) -> None:
    for part, roles in (("editor", editors), ("reader", readers)):
        for role in roles:
            conn.execute(f"DELETE FROM {META} WHERE key LIKE 'grant:%%:' || %s", [role])
            conn.execute(f"INSERT INTO {META} (key, value) VALUES (%s, %s)", [f"grant:{part}:{role}", at])


def problems(conn: Any) -> list[tuple[str, str]]:
    """What is wrong with the grants, against the model above, as (level, message) pairs."""
    from ... import messages

    found = objects(conn)
    editors, readers = recorded(conn)
    rights: dict[tuple[str, str], set[str]] = {}
    owners = set()
    names = [n for part in found.values() for n in part]
    for relation, owner, grantee, privilege in conn.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner), CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
            "ELSE pg_get_userbyid(a.grantee) END, a.privilege_type "
            "FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
            "WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace", [names]):
        owners.add(owner)
        if grantee != owner:
            rights.setdefault((relation, grantee), set()).add(privilege)
    said: list[tuple[str, str]] = []
    for (relation, role), held in sorted(rights.items()):
        writes = held & _WRITES
        if relation in found["control"] and writes:
            said.append(("error", messages.DOCTOR_GRANT_CONTROL.format(role=role, table=relation,
                                                                        rights=", ".join(sorted(writes)))))
        elif relation in found["ids"] and "UPDATE" in held:
            said.append(("error", messages.DOCTOR_GRANT_REWIND.format(role=role, sequence=relation)))
        elif relation in found["log"] and writes - {"INSERT"}:
            said.append(("error", messages.DOCTOR_GRANT_LOG.format(role=role, rights=", ".join(sorted(writes)))))
        elif role in readers and writes:
            said.append(("error", messages.DOCTOR_GRANT_READER_WRITES.format(role=role, table=relation)))
        elif role == "PUBLIC" and held:
            said.append(("warning", messages.DOCTOR_GRANT_PUBLIC.format(table=relation)))
    for role in editors:
        for relation in found["records"]:
            lacking = set(RECORD_RIGHTS.split(", ")) - rights.get((relation, role), set())
            if lacking:
                said.append(("error", messages.DOCTOR_GRANT_EDITOR_LACKS.format(
                    role=role, table=relation, rights=", ".join(sorted(lacking)))))
    for role in readers:
        for relation in found["records"] + found["read"]:
            if "SELECT" not in rights.get((relation, role), set()):
                said.append(("error", messages.DOCTOR_GRANT_READER_LACKS.format(role=role, table=relation)))
    return said
