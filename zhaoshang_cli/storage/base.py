"""The storage protocol: what the rest of the program asks of a store, whatever holds it.

A backend (storage/tinydb/, the default; storage/postgres/, a team store) gives a
``Reader`` inside ``reading()`` and a ``Writer`` inside ``writing()``, a transaction that
saves everything or nothing.  Queries are plain data (``Query``, ``Filters``) that each
backend compiles for itself; every backend must answer them alike.  Records cross the
protocol as ``Record``: kind, number and the stored document (domain keys only:
``region_code``, ``zone``…, never a backend's own bookkeeping), with the body when asked.

Nothing outside a backend knows about files, byte spans, indexes or tables.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from .. import messages
from ..domain.kind import Kind, kind_of_id, record_id
from ..domain.sorting import Sort
from ..errors import StoreError

if TYPE_CHECKING:
    from ..domain.changes import ChangeQuery

Document = dict[str, Any]
Tally = dict[tuple[Any, ...], int]  # distinct values of the keys counted → how many records have them
MAX_NUMBER = 999_999_999  # the largest record number a store issues or keeps


def split_id(record_id: str) -> tuple[Kind, int]:
    """``a12`` → (the article kind, 12); an ID of no known kind is a user's error."""
    from ..domain.values import parse_record_id

    rid = parse_record_id(record_id)
    kind = kind_of_id(rid)
    assert kind is not None  # parse_record_id accepts the prefixes of known kinds only
    return kind, int(rid[1:])


def next_number(counters: dict[str, int], kind: Kind, wanted: int | None = None) -> int:
    """The rule every backend numbers new records by: the number wanted (an imported
    record's own ID) when it was never issued, else the next one; IDs are never reused.
    Advances ``counters`` past the number given."""
    following = counters.get(kind.prefix, 1)
    number = wanted if wanted and following <= wanted <= MAX_NUMBER else following
    if number > MAX_NUMBER:
        raise StoreError(messages.IDS_EXHAUSTED.format(kind=kind.plural))
    counters[kind.prefix] = number + 1
    return number


def new_document(doc: Mapping[str, Any], now: str, by: str) -> Document:
    """A document as every backend stores a new record: stamped as created and updated
    ``now`` by ``by`` unless it says when (a copy, an import of an export), with an identity
    of its own unless it has one (a copy).  A record that says when it was made keeps who
    made it, or that nobody recorded it (a record from before changes named people): the
    person copying or importing it did not make it then."""
    from ..domain.versions import UID, new_uid

    new = dict(doc)
    if "created_at" not in new:
        new["created_at"] = now
        new.setdefault("created_by", by)
    new.setdefault("updated_at", new["created_at"])
    if "created_by" in new:
        new.setdefault("updated_by", new["created_by"])
    new.setdefault(UID, new_uid())
    return new


def value_matches(value: Any, wanted: Sequence[str]) -> bool:
    """--where on a stored value, as every backend checks it on a document: equal to one of
    ``wanted`` ("": not set); a list (tags) holding one of them."""
    if value is None or value == "" or value == []:
        return "" in wanted
    if isinstance(value, list):
        return any(item in wanted for item in value)
    return value in wanted


def document_test(fields: Sequence[tuple[str, Sequence[str]]],
                  signing: Callable[[Mapping[str, Any]], bool] | None) -> Callable[[Mapping[str, Any]], bool] | None:
    """The check every backend makes on whole documents for what it cannot select otherwise:
    --where on fields it keeps no copy of, and the signing days; None when there is none."""
    if signing is not None:
        return lambda doc: signing(doc) and all(value_matches(doc.get(key), wanted) for key, wanted in fields)
    if not fields:
        return None
    return lambda doc: all(value_matches(doc.get(key), wanted) for key, wanted in fields)


@dataclass(frozen=True)
class Filters:
    """Which records a query selects (all conditions must hold).

    ``places``: region codes, code prefixes (``12`` for 天津市, ``1201`` for a city) and zone
    codes (the district's code, ``z`` and a number); with ``exact``, whole codes only.
    ``since``/``until`` bound the record's ``date`` (ISO, inclusive).  ``statuses`` and
    ``due_before`` select records of kinds with a pipeline (leads), ``due_before`` only
    those not yet closed.  ``fields``: (field, the values it may have; "" = not set), for
    kinds that have the field.  ``text``: a casefolded substring of the record's text
    fields, tags, notes or body.  ``signed_since``/``signed_until`` select the records of
    kinds with a pipeline that reached its end within those days (domain/signing.py), the
    only filter every backend checks on the documents themselves.
    """

    places: tuple[str, ...] = ()
    exact: bool = False
    since: str | None = None
    until: str | None = None
    text: str | None = None
    statuses: tuple[str, ...] = ()
    due_before: str | None = None
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    signed_since: str | None = None
    signed_until: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.places or self.since or self.until or self.text or self.statuses or self.due_before
                    or self.fields or self.signed)

    @property
    def signed(self) -> bool:
        return bool(self.signed_since or self.signed_until)

    def signing_test(self, kind: Kind) -> Callable[[Mapping[str, Any]], bool] | None:
        """The check of the signing days on a document of ``kind`` (None: no such filter)."""
        if not self.signed:
            return None
        from ..domain.signing import signed_in

        since, until = self.signed_since, self.signed_until
        return lambda doc: signed_in(kind, doc, since, until)

    def place_ranges(self) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
        """``places`` as every backend compiles them: region codes and prefixes as integer
        ranges [low, high); zones as (district code, zone name)."""
        from ..domain.regions import table

        ranges, zones = [], []
        for place in self.places:
            zone = table().zone_by_code.get(place)
            if zone is not None:
                zones.append((int(zone.county), zone.name))
                continue
            scale = 1 if self.exact else 10 ** (6 - len(place))
            low = int(place) * scale
            ranges.append((low, low + scale))
        return ranges, zones


@dataclass(frozen=True)
class Query:
    kinds: tuple[Kind, ...]
    filters: Filters = Filters()
    sort: Sort | None = None          # None: in ID order, the cheapest
    limit: int | None = None
    fields: frozenset[str] | None = None  # stored keys the caller reads; None: whole documents
    with_body: bool = False


@dataclass
class Record:
    kind: Kind
    number: int
    doc: Document
    body: str | None = None

    @property
    def id(self) -> str:
        return record_id(self.kind, self.number)


def tally_records(reader: Reader, query: Query, keys: Sequence[str], months: Collection[str] = ()) -> Tally:
    """``Reader.tally`` by reading the records: the file store's way, and the server's for
    what its columns cannot group (a filter on documents, a key kept only in them)."""
    if not keys:
        found = reader.count(replace(query, sort=None, limit=None))
        return {(): found} if found else {}
    tally: Tally = {}
    for record in reader.select(replace(query, sort=None, limit=None, fields=frozenset(keys))):
        doc = record.doc
        values = tuple(_tallied(doc.get(key), key in months) for key in keys)
        tally[values] = tally.get(values, 0) + 1
    return tally


def _tallied(value: Any, month: bool) -> Any:
    if value is None or value == "" or value == []:
        return None
    return value[:7] if month and isinstance(value, str) else value


class KeysTaken(StoreError):
    """An insert met a natural key another writer committed since this one looked; nothing
    of the insert was kept (a team store: storage/postgres/transaction.py)."""


class Finding(NamedTuple):
    level: str  # "ok", "warning", "error"
    message: str


class BackupInfo(NamedTuple):
    name: str
    taken: datetime
    valid: bool
    counts: dict[str, int]
    problem: str = ""
    counters: dict[str, int] | None = None


@dataclass(frozen=True)
class SyncState:
    """Who a store is, and when it last took other stores' records (a copy from them into
    it): store id → time.  A store made before stores had ids has none until its next write."""

    store: str | None = None
    synced: Mapping[str, str] = field(default_factory=dict)

    def took(self, other: SyncState) -> str | None:
        """When this store last took ``other``'s records (a copy from it), if ever."""
        return self.synced.get(other.store) if other.store else None


class Reader(Protocol):
    def sync_state(self) -> SyncState:
        """This store's id and the stores it last matched (see SyncState)."""

    def select(self, query: Query) -> Iterator[Record]:
        """The matching records, sorted and cut to the limit; whole documents unless the
        query names the fields it reads (those are then all present when stored)."""

    def count(self, query: Query) -> int:
        ...

    def tally(self, query: Query, keys: Sequence[str], months: Collection[str] = ()) -> Tally:
        """How many records match, per distinct values of the stored ``keys`` (in that
        order; a missing or empty value is None; a date key in ``months`` is cut to its
        month, ``YYYY-MM``).  Sort and limit are ignored.  What reports count."""

    def get(self, record_id: str, with_body: bool = True) -> Record:
        """One record; UserError ``no record a12`` when there is none."""

    def find_key(self, kind: Kind, key: tuple[str, ...]) -> int | None:
        """The number of the stored record with this natural key, if any."""

    def counters(self) -> dict[str, int]:
        """The next number per ID prefix."""

    def changes(self, query: ChangeQuery) -> Iterator[dict[str, Any]]:
        """The change log's entries that match (domain/changes.py), newest first."""


class Writer(Reader, Protocol):
    def find_keys(self, kind: Kind, keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
        """The stored records (this transaction's own included) with these natural keys."""

    def insert(self, kind: Kind, docs: Sequence[Document], numbers: Sequence[int | None] | None = None,
               now: str | None = None) -> list[int]:
        """Store new records (a ``body`` key is the body); a wanted number is kept when it
        was never issued.  Returns their numbers."""

    def update(self, kind: Kind, number: int, doc: Document) -> None:
        """Replace a stored record's document; a ``body`` key replaces its body, without one
        the body stays."""

    def remove(self, kind: Kind, numbers: Sequence[int]) -> None:
        ...

    def log_changes(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Append entries to the change log, saved with the transaction's other changes."""

    def checkpoint(self) -> None:
        """Let a long transaction (an import) put what it has done so far out of memory;
        nothing is visible to others before the commit."""

    def keep_counters(self, counters: Mapping[str, int]) -> None:
        """Raise the next number of each prefix to at least ``counters`` (a copy of another
        store never issues an ID that store issued)."""

    def mark_identified(self) -> None:
        """Give this store an id of its own if it has none (saved by the commit)."""

    def mark_synced(self, other: str, at: str) -> None:
        """Record that this store matched store ``other`` as it was at ``at`` (a copy);
        gives this store an id of its own if it has none."""


class Backend(Protocol):
    body_planes: bool  # does its writer take a body's searched form as planes (domain/search.py)?

    warnings: list[str]  # what went wrong after a change was saved

    def reading(self) -> AbstractContextManager[Reader]:
        ...

    def writing(self, *, rehearsal: bool = False) -> AbstractContextManager[Writer]:
        """A write transaction.  ``rehearsal``: a dry run, which the caller rolls back; a
        backend whose numbers outlive a rollback (a team store's sequences) does not draw
        them, so that the run after it numbers records as the rehearsal said."""
        ...

    def describe(self) -> str:
        """Where the store is, for messages."""

    def own_files(self) -> tuple[Any, ...]:
        """(the store file, its folder) for a store kept in files, which output must never
        overwrite; empty for a store on a server."""

    def exists(self) -> bool:
        ...

    def close(self) -> None:
        """Let go of what the store keeps open between calls (a server connection)."""

    def numbers_starting(self, kind: Kind, digits: str = "") -> list[int]:
        """The numbers of the stored records of ``kind`` written starting with ``digits``, in
        order (shell completion: ``a12`` → 12, 120, 1203…).  Quick and without a lock: it
        must not wait for a writer, and creates and changes nothing; no store, no numbers."""

    def settings(self) -> Mapping[str, str]:
        ...

    def change_setting(self, key: str, value: str | None) -> None:
        ...

    def doctor(self, fix: bool = False, drop_unreadable: bool = False) -> list[Finding]:
        ...

    def backups(self) -> list[BackupInfo]:
        ...

    def restore(self, name: str | None = None) -> BackupInfo:
        ...
