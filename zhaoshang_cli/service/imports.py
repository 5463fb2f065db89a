"""Batch import: every input format lands here, is validated, and is written in one
transaction, streaming.

Rows come in chunks (a few thousand at a time); each chunk is validated, its new records
are stored (the storage keeps them out of memory until the commit), and the next is read.
All-or-nothing by default: if any row is invalid nothing is saved, and every bad row is
reported as ``FILE:LINE: field: message``.  Idempotent: each record has a natural key
(its kind says which), and a record already stored is skipped, updated or an error as
``on_conflict`` says.  An update merges (import_merge.py): only what the row gives
changes, notes and history are never lost, and a row that changes nothing is
"unchanged"; the rows for one stored record are merged first and settled once at the end.
An update never moves a record backwards on its kind's pipeline, or out of a closed status
(a lead: 已签约, 已流失), unless ``allow_status_regression``: the stored status is kept and
the row reported (see ``_Batch.status_back``).  A move an import makes names the file.
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .. import messages
from ..domain import changes, dates
from ..domain import validate as validation
from ..domain.body import text_of
from ..domain.kind import KINDS, Kind, is_record_id, record_id
from ..domain.versions import new_uid
from ..errors import UserError
from ..io.importers.inputs import Chunk
from ..storage.base import Backend, KeysTaken, Record, Writer, next_number
from .duplicates import LookAlikes
from .import_merge import _file_name, _merged, _settled, status_regresses
from .import_prepare import NOTED_SHOWN, Checked, ImportOptions, Prepared, prepare
from .records import refuse_taken_key, source_problem

CONFLICT_POLICIES = ("skip", "update", "error")
DIFFER_SHOWN = 5  # records named in the summary of rows that differ from what is stored
_KEY_RETRIES = 3  # times an import looks again for keys another writer added meanwhile (team store)
EXTRA_POLICIES = ("keep", "ignore", "error")


@dataclass
class ImportResult:
    added: int = 0  # records created (a count: a million IDs would be 60 MB kept for nothing)
    batch: str | None = None  # how the change log names the import (`undo`); None when it changed nothing
    look_alikes: list[str] = field(default_factory=list)  # new leads that look like stored ones
    future: list[tuple[str, str]] = field(default_factory=list)  # (FILE:LINE, date) of rows dated after today
    totals: int = 0  # 合计/小计 rows of a sheet, left out
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    invalid: int = 0  # rows refused (one row may have several errors)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)  # file → columns
    dry_run: bool = False
    # ``FILE:LINE: …`` for each update whose status would have gone backwards: kept at the
    # stored status, or (allow_status_regression) moved back
    status_kept: list[str] = field(default_factory=list)
    status_moved_back: list[str] = field(default_factory=list)
    differ: int = 0  # rows skipped (--on-conflict skip) that differ from their stored record
    differ_ids: list[str] = field(default_factory=list)  # the first few of those records
    columns: dict[str, list[str]] = field(default_factory=dict)  # file → its columns
    rejected: list[tuple[str, int, dict[str, Any], str]] = field(default_factory=list)  # (file, line, row, why)
    noted: dict[str, list[str]] = field(default_factory=dict)  # see import_prepare.Checked
    note_counts: dict[str, int] = field(default_factory=dict)


class ImportFailed(UserError):
    """The batch was refused; ``result.errors`` lists every reason, nothing was written."""

    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(messages.IMPORT_REFUSED.format(count=len(result.errors)))


class _Rollback(Exception):
    pass


def _prepared(chunks: Iterable[Chunk], options: ImportOptions, size: int,
              planes: bool) -> Iterator[tuple[Checked, int]]:
    """Each chunk's prepared records and the input bytes it took: from a second process for a
    big input (import_worker.py; started now, before the store is locked), else here."""
    from . import import_worker

    if import_worker.worth_it(size):
        return import_worker.Worker(chunks, lambda rows: prepare(rows, options),  # type: ignore[return-value]
                                    planes=planes)
    return ((prepare(chunk.rows, options), chunk.consumed) for chunk in chunks)


@contextmanager
def no_gc() -> Iterator[None]:
    """For reading and importing a batch: it allocates millions of objects and frees few
    of them before the end, so the cyclic collector would only rescan them again and again."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Numbers:
    """The numbers of the records of one kind a batch created, as runs of consecutive numbers:
    a batch numbers a kind's new records upwards, mostly one after another, so this stays a
    few bytes however many it creates."""

    def __init__(self) -> None:
        self.starts, self.ends = array("q"), array("q")  # run i: starts[i] <= number < ends[i]

    def add(self, number: int) -> None:
        if self.ends and self.ends[-1] == number:
            self.ends[-1] = number + 1
        else:
            self.starts.append(number)
            self.ends.append(number + 1)

    def __contains__(self, number: int) -> bool:
        run = bisect_right(self.starts, number) - 1
        return run >= 0 and number < self.ends[run]


class _Batch:
    """Rows turned into stored records, chunk by chunk, in one transaction.

    New records are stored with each chunk.  A later row with the natural key of a record
    this batch created is merged into it (its creation entry taking the final status); the
    rows for a record stored before are merged in order and settled once at the end, so
    that a batch gives the same result however often it is run.  Each row counts once: the
    first row for a record as what happened to it (added, updated or unchanged), any
    further row for it as unchanged.

    Nothing kept here grows with the records created: they are found again by their keys
    in the transaction (find_keys), and told from stored ones by their numbers (_Numbers).
    """

    def __init__(self, txn: Writer, options: ImportOptions, result: ImportResult):
        self.txn = txn
        self.options = options
        self.result = result
        self.now = dates.now_iso()
        self.today = dates.today()
        self.created: dict[str, _Numbers] = {}  # kind → the numbers of the records created here
        self.added: set[str] = set()  # the IDs this chunk's new records get, for sources naming them
        # stored records to update: (kind, number) → the merge of the rows for it
        self.updates: dict[tuple[str, int], dict[str, Any]] = {}
        # (kind, number) → where the last row giving a stored record's status is (FILE:LINE), and its file
        self.status_rows: dict[tuple[str, int], tuple[str, str]] = {}
        # (kind, number) → the last row updating it (FILE:LINE), and its file
        self.update_rows: dict[tuple[str, int], tuple[str, str]] = {}
        self.batch = new_uid()[:12]  # names this import in the change log (`undo`)
        self.files: dict[str, None] = {}  # the files rows came from, in order
        self.logged: list[dict[str, Any]] = []  # change log entries not handed to the store yet
        self.look_alikes: dict[str, LookAlikes] = {}  # kind → the links of its leads (phone, e-mail, company)
        self.prefetched: dict[str, Record] = {}  # under skip: this chunk's stored records, read at once

    def refuse(self, item: Prepared, message: str) -> None:
        self.result.errors.append(f"{item.row.where}: {message}")
        self.result.invalid += 1

    def bad_source(self, item: Prepared, current: dict[str, Any] | None = None) -> bool:
        source = item.doc.get("source")
        if not source or (current is not None and source == current.get("source")):
            return False
        problem = source_problem(self.txn, item.kind, item.doc, self.added)
        if problem:
            self.refuse(item, problem.message)
        return problem is not None

    def add(self, prepared: list[Prepared]) -> None:
        self.files.update(dict.fromkeys(_file_name(item.row.file) for item in prepared))
        keyed = [(item, item.kind.natural_key(item.doc)) for item in prepared]
        found: dict[tuple[str, tuple[str, ...]], int] = {}
        for kind in {p.kind for p in prepared}:
            keys = [k for p, k in keyed if p.kind is kind and k is not None]
            found.update({(kind.name, k): n for k, n in self.txn.find_keys(kind, keys).items()})
        if self.options.on_conflict == "skip":  # the stored records rows may differ from, read at once
            self._prefetch(keyed, found)
        # the IDs this chunk's new records will get, for a source naming one of them (a team
        # store asks the server for them: only when a row's source is a record ID)
        counters = self.txn.counters() if any(is_record_id(str(item.doc.get("source") or ""))
                                              for item, _ in keyed) else None
        self.added = set()  # those of chunks before are stored: a source naming one finds it
        fresh: dict[tuple[str, tuple[str, ...]] | int, Prepared] = {}
        for item, key in keyed:
            kind = item.kind
            tag = (kind.name, key) if key is not None else id(item)
            if tag in fresh:
                self._again(item, tag, fresh)
                continue
            number = found.get(tag) if key is not None else None  # type: ignore[arg-type]
            if number is not None and number in self.created.get(kind.name, ()):
                self._again(item, number, fresh)
            elif number is not None:
                self._stored(item, number)
            elif not self.bad_source(item):
                fresh[tag] = item
                if counters is not None:
                    self.added.add(record_id(kind, next_number(counters, kind, item.number)))
        if self.result.errors and not self.options.skip_invalid:
            return  # nothing will be saved: no numbers drawn for it (a team store's outlive a rollback)
        self._insert(fresh)

    def _again(self, item: Prepared, tag: Any, fresh: dict[Any, Prepared]) -> None:
        """A further row for a record new in this batch: one of this chunk (``tag`` its
        key), or one stored by a chunk before (``tag`` its number)."""
        if self.options.on_conflict == "update":
            if tag in fresh:
                first = fresh[tag]
                if not self.bad_source(item, first.doc):
                    first.doc = _merged(item.kind, first.doc, item.doc)
            else:
                number = tag
                record = self.txn.get(record_id(item.kind, number), with_body=False)
                if self.bad_source(item, record.doc):
                    return
                merged = _merged(item.kind, record.doc, item.doc)
                history = record.doc.get("history") or []
                if item.kind.pipeline and len(history) == 1 and "from" not in history[0] \
                        and history[0].get("at") == self.now:  # created by this batch: as it ends
                    merged["history"] = [{**history[0], "to": merged.get("status")}]
                self.txn.update(item.kind, number, merged)
        self.result.unchanged += 1

    def _stored(self, item: Prepared, number: int) -> None:
        """A row for a record stored before this batch."""
        rid = record_id(item.kind, number)
        if self.options.on_conflict == "error":
            self.refuse(item, messages.RECORD_DUPLICATE.format(id=rid, key="natural key"))
            return
        if self.options.on_conflict == "skip":
            if self._differs(item, rid):
                self.result.differ += 1
                if len(self.result.differ_ids) < DIFFER_SHOWN and rid not in self.result.differ_ids:
                    self.result.differ_ids.append(rid)
            else:
                self.result.unchanged += 1
            return
        tag = (item.kind.name, number)
        given = item.doc
        has_body = given.get("body") is not None
        stored = None if tag in self.updates else self.txn.get(rid, with_body=has_body)
        current = self.updates[tag] if stored is None else stored.doc
        if self.bad_source(item, current):
            return
        if tag in self.updates:
            self.result.unchanged += 1
        if has_body:
            # kept until the end as text of its own, not as a view of the memory a whole chunk
            # was read into; not kept at all when it is the stored body (and no row before
            # changed that), as when a file is imported again
            text = text_of(given["body"])
            given = {k: v for k, v in given.items() if k != "body"}
            if "body" in current or text != (stored or self.txn.get(rid, with_body=True)).body:
                given["body"] = text
        self.updates[tag] = _merged(item.kind, current, given)
        self.update_rows[tag] = (item.row.where, _file_name(item.row.file))
        if item.kind.pipeline is not None and given.get("status"):
            self.status_rows[tag] = (item.row.where, _file_name(item.row.file))

    def _prefetch(self, keyed: list[tuple[Prepared, Any]], found: dict[Any, int]) -> None:
        """The stored records this chunk's rows name, read in one go where the store can."""
        self.prefetched = {}
        get_many = getattr(self.txn, "get_many", None)
        if get_many is None:
            return
        wanted: dict[Kind, set[int]] = {}
        bodies: set[Kind] = set()
        for item, key in keyed:
            number = found.get((item.kind.name, key)) if key is not None else None
            if number is not None and number not in self.created.get(item.kind.name, ()):
                wanted.setdefault(item.kind, set()).add(number)
                if item.doc.get("body") is not None:
                    bodies.add(item.kind)
        for kind, numbers in wanted.items():
            for number, record in get_many(kind, sorted(numbers), with_body=kind in bodies).items():
                self.prefetched[record_id(kind, number)] = record

    def _differs(self, item: Prepared, rid: str) -> bool:
        """Whether the row would change its stored record, as ``--on-conflict update`` would."""
        given = item.doc
        stored = self.prefetched.get(rid) or self.txn.get(rid, with_body=given.get("body") is not None)
        if given.get("body") is not None:
            given = {**given, "body": text_of(given["body"])}
        merged = _merged(item.kind, stored.doc, given)
        return _settled(item.kind, stored.doc, merged, stored.body, self.now) is not None

    def _insert(self, fresh: dict[Any, Prepared]) -> None:
        by_kind: dict[str, list[tuple[Any, Prepared]]] = {}
        for tag, item in fresh.items():
            by_kind.setdefault(item.kind.name, []).append((tag, item))
        for name, items in by_kind.items():
            kind = KINDS[name]
            today = self.today.isoformat()
            for _, item in items:
                validation.apply_defaults(kind, item.doc, self.today, self.now)
                day = item.doc.get(kind.roles.date or "")
                if isinstance(day, str) and day > today and len(self.result.future) < 1000:
                    self.result.future.append((item.row.where, day))
            look = self._look_alikes(kind)
            items, numbers = self._inserted(kind, items)
            if look is not None and not self.options.dry_run:
                for (_, item), number in zip(items, numbers):
                    said = look.check(Record(kind, number, item.doc), item.row.where)
                    if said:
                        self.result.look_alikes.append(said)
            created = self.created.setdefault(name, _Numbers())
            for number in numbers:
                created.add(number)
            self.result.added += len(numbers)

    def _inserted(self, kind: Kind, items: list[tuple[Any, Prepared]]) -> tuple[list[tuple[Any, Prepared]], list[int]]:
        """The items stored as new records, and their numbers.  On a team store another writer
        may have committed some of their natural keys since this batch looked (KeysTaken):
        those are stored records now, merged or skipped as such, and the rest are added."""
        for _ in range(_KEY_RETRIES):
            try:
                return items, self.txn.insert(kind, [i.doc for _, i in items], [i.number for _, i in items],
                                              now=self.now)
            except KeysTaken:
                keys = [kind.natural_key(item.doc) for _, item in items]
                found = self.txn.find_keys(kind, [k for k in keys if k is not None])
                rest = []
                for (tag, item), key in zip(items, keys):
                    if key is not None and key in found:
                        self._stored(item, found[key])
                    else:
                        rest.append((tag, item))
                items = rest
        return items, self.txn.insert(kind, [i.doc for _, i in items], [i.number for _, i in items], now=self.now)

    def _look_alikes(self, kind: Kind) -> LookAlikes | None:
        """The links of the stored leads of ``kind``, read once an import creates one."""
        if kind.pipeline is None or kind.field("company") is None:
            return None
        if kind.name not in self.look_alikes:
            self.look_alikes[kind.name] = LookAlikes(self.txn, kind)
        return self.look_alikes[kind.name]

    def finish(self) -> None:
        for i, ((name, number), merged) in enumerate(sorted(self.updates.items())):  # a segment at a time
            if i % 1000 == 999:
                self.txn.checkpoint()  # the segments changed so far go to disk, not held to the end
            kind = KINDS[name]
            stored = self.txn.get(record_id(kind, number), with_body="body" in merged)  # read again, not kept
            where, file = self.status_rows.pop((name, number), (None, None))
            if kind.pipeline is not None:
                self.status_back(kind, number, stored.doc, merged, where)
            settled = _settled(kind, stored.doc, merged, stored.body, self.now, file)
            row, row_file = self.update_rows.pop((name, number), (None, None))
            if settled is None:
                self.result.unchanged += 1
                continue
            try:
                refuse_taken_key(self.txn, kind, number, stored.doc, settled)
            except UserError as exc:
                self.result.errors.append(f"{row}: {exc.message}" if row else exc.message)
                self.result.invalid += 1
                continue
            self.txn.update(kind, number, settled)
            self.result.updated.append(record_id(kind, number))
            body = (stored.body, settled["body"]) if "body" in settled else None
            found = changes.differences(stored.doc, {k: v for k, v in settled.items() if k != "body"}, body,
                                        lists=True)
            self.logged.append(changes.entry("imported", kind, number, at=self.now, batch=self.batch,
                                             title=changes.title_of(kind, settled), file=row_file, changes=found))
            if len(self.logged) >= 1000:
                self.txn.log_changes(self.logged)
                self.logged = []
        self.log()

    def log(self) -> None:
        """The import's own entry in the change log: its files and the records it created."""
        created = {name: [[start, end - 1] for start, end in zip(numbers.starts, numbers.ends)]
                   for name, numbers in self.created.items() if numbers.starts}
        if created or self.result.updated:
            self.logged.append(changes.entry("imported", at=self.now, batch=self.batch, file=", ".join(self.files),
                                             created=created or None, updated=len(self.result.updated) or None))
        self.txn.log_changes(self.logged)
        self.logged = []

    def status_back(self, kind: Kind, number: int, stored: dict[str, Any], merged: dict[str, Any],
                    where: str | None) -> None:
        """The merge of the rows for a stored record compared with the stored status: a move
        back (or out of a closed status) is reported and, unless allowed, not made."""
        pipeline = kind.pipeline
        assert pipeline is not None
        old, new = stored.get("status", pipeline.start), merged.get("status")
        if not status_regresses(pipeline, old, new):
            return
        values = {"where": where or record_id(kind, number), "id": record_id(kind, number),
                  "stored": pipeline.label(old), "given": pipeline.label(new)}
        if self.options.allow_status_regression:
            self.result.status_moved_back.append(messages.IMPORT_STATUS_MOVED_BACK.format(**values))
        else:
            merged["status"] = old  # the row's other fields still update
            self.result.status_kept.append(messages.IMPORT_STATUS_KEPT.format(**values))


def run(store: Backend, chunks: Iterable[Chunk], options: ImportOptions,
        progress: Callable[[int], None] | None = None, size: int = 0) -> ImportResult:
    """Validate and store rows arriving in chunks: all of them in one transaction, or nothing
    (ImportFailed) if any was bad; nothing either on a dry run, which reports the same.
    ``size``: the inputs' bytes, when known (a big input is read by a second process);
    ``progress`` is told what each chunk took of them."""
    result = ImportResult(dry_run=options.dry_run)
    ready = _prepared(chunks, options, size, store.body_planes)
    try:
        with store.writing(rehearsal=options.dry_run) as txn:
            batch = _Batch(txn, options, result)
            for checked, consumed in ready:
                result.errors += checked.errors
                result.invalid += checked.invalid
                result.totals += checked.totals
                result.rejected += checked.rejected
                for file, cols in checked.unknown.items():
                    result.unknown_columns[file] = sorted(set(result.unknown_columns.get(file, [])) | set(cols))
                for file, cols in checked.columns.items():
                    result.columns.setdefault(file, cols)
                for note, where in checked.noted.items():
                    shown = result.noted.setdefault(note, [])
                    shown.extend(where[:max(0, NOTED_SHOWN - len(shown))])
                for note, count in checked.note_counts.items():
                    result.note_counts[note] = result.note_counts.get(note, 0) + count
                prepared = checked.prepared
                if progress:
                    progress(consumed)
                if result.errors and not options.skip_invalid:
                    continue  # nothing will be saved: read on only to report every bad row
                batch.add(prepared)
                txn.checkpoint()
            if not result.errors or options.skip_invalid:
                batch.finish()
                if result.added or result.updated:
                    result.batch = batch.batch
            if result.errors and not options.skip_invalid:
                result.added, result.updated, result.unchanged = 0, [], 0  # rolled back: nothing done
                raise ImportFailed(result)
            if options.dry_run:
                raise _Rollback
    except _Rollback:
        pass
    finally:
        ready.close()  # type: ignore[attr-defined]
    return result
