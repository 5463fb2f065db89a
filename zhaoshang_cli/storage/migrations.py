"""Named migrations: one list for every backend, as llm and sqlite-utils keep theirs.

Each migration has a name, says what it changes, and is applied in order; a store records
the names it has (a file store in its store file's meta, a PostgreSQL store as rows of
``zs_meta``), so it says which it has, and one that names a migration this zhaoshang does
not know was set up by a newer one and is refused untouched.  What a migration does is the
backend's (storage/tinydb/migrations.py, storage/postgres/schema.py); a migration with
nothing to do on a backend is recorded there all the same.

``file_format`` is the number older versions of zhaoshang read from a store file
(``schema``) to refuse one they cannot read: the format the store is in once the
migration is applied.  Stores written before migrations had names are read by that number
(a file store of schema N has the first N-1 applied) and by what they hold (an id).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Migration(NamedTuple):
    name: str
    what: str
    file_format: int  # the store file's ``schema`` once applied


MIGRATIONS = (
    Migration("lead_history", "every lead has a history of its status moves, starting from its status", 2),
    Migration("bodies_as_json", "bodies are kept as JSON string literals", 3),
    Migration("records_in_segments", "records are kept in segments of 2048, named by the store file", 4),
    Migration("store_identity", "the store has an id of its own, for copies between stores", 4),
    Migration("change_log", "every change is logged: what, on which record, when and by whom", 4),
    Migration("id_sequences", "a team store draws record numbers from a sequence per kind, which editors may "
              "use but not wind back, and keeps copies' sync marks apart from its control table", 4),
    Migration("body_text", "a team store keeps a body's searched form only where it differs from the body, and "
              "indexes what text search reads, the one or the other", 4),
)
NAMES = tuple(m.name for m in MIGRATIONS)
FILE_FORMAT = max(m.file_format for m in MIGRATIONS)  # what this zhaoshang writes and reads up to


def pending(applied: Iterable[str]) -> list[Migration]:
    done = set(applied)
    return [m for m in MIGRATIONS if m.name not in done]


def unknown(applied: Iterable[str]) -> list[str]:
    """Names of migrations of a newer zhaoshang among ``applied``."""
    return [name for name in applied if name not in NAMES]


def findings(applied: list[str]) -> list[tuple[str, str]]:
    """What doctor says of a store's migrations, as (level, message)."""
    from .. import messages

    found = [("ok", messages.DOCTOR_MIGRATIONS.format(names=", ".join(applied) or "none"))]
    waiting = [m.name for m in pending(applied)]
    if waiting:
        found.append(("warning", messages.DOCTOR_MIGRATIONS_PENDING.format(names=", ".join(waiting))))
    return found
