"""Batch import: every input format lands here, is validated as a whole, then written once.

All-or-nothing by default: if any row is invalid nothing is written and every bad row
is reported as ``FILE:LINE: field: message``.  Idempotent: each record has a natural
key (see validation.natural_key), and a record already stored is skipped, updated or an
error as ``on_conflict`` says.  An update merges (see ``_merged``): only what the row
gives changes, notes and history are never lost, and a row that changes nothing is
"unchanged".
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

import orjson

from .. import messages
from ..domain import kind as models, validate as validation
from ..domain.body import RawBody, text_of
from ..errors import FieldError, RecordInvalid, UserError
from ..io.importers import columns
from ..io.importers.rows import SourceRow
from ..domain.kind import Kind
from ..domain.lead import LEAD
from ..domain.policy import POLICY
from ..domain.article import ARTICLE
from .records import existing_keys, move_entry, source_problem
from ..storage.tinydb.store import Store, next_number

CONFLICT_POLICIES = ("skip", "update", "error")
EXTRA_POLICIES = ("keep", "ignore", "error")
_LEAD_ONLY = {"company", "contact", "phone", "email", "address", "industry", "amount", "amount_high", "currency",
              "amount_approx", "need", "status", "due", "notes", "history"}
_POLICY_ONLY = {"issuer", "doc_no", "effective", "expiry"}


@dataclass
class ImportOptions:
    kind: Kind | None = None
    on_conflict: str = "skip"
    skip_invalid: bool = False
    dry_run: bool = False
    extra: str = "keep"
    region_context: str | None = None  # --in or the home region: names are read inside it first


@dataclass
class Prepared:
    row: SourceRow
    kind: Kind
    doc: dict[str, Any]
    number: int | None = None


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    invalid: int = 0  # rows refused (one row may have several errors)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)  # file → columns
    dry_run: bool = False


class ImportFailed(UserError):
    """The batch was refused; ``result.errors`` lists every reason, nothing was written."""

    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(messages.IMPORT_REFUSED.format(count=len(result.errors)))


class _Rollback(Exception):
    pass


# -- one row -------------------------------------------------------------------------------
def _guess_kind(fields: Iterable[str]) -> Kind:
    present = set(fields)
    if present & _LEAD_ONLY:
        return LEAD
    if present & _POLICY_ONLY:
        return POLICY
    return ARTICLE


def _context(given: dict[str, Any]) -> str | None:
    """The region the province and city columns name; a city outside its province is an error."""
    from ..domain.regions import table

    code = None
    for key in columns.CONTEXT_COLUMNS:
        value = given.pop(key, None)
        if not models.is_empty(value):
            inner = table().resolve(str(value), code, field_name=key).code
            _check_within(code, inner, key, value)
            code = inner
    return code


def _check_within(outer: str | None, inner: str | None, name: str, value: Any) -> None:
    from ..domain.regions import table

    if outer and inner and not table().contains(outer, inner):
        raise UserError(messages.REGION_NOT_IN.format(field=name, child=value, parent=table().full_name(outer),
                                                      hint=""))


def _timestamp(name: str, value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise FieldError(name, value, messages.TIMESTAMP_INVALID.format(value=value)) from None


class ColumnMap:
    """Column header → field, worked out once per distinct header row."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}

    def __call__(self, keys: tuple[str, ...]) -> list[tuple[str, str | None]]:
        found = self._cache.get(keys)
        if found is None:
            found = self._cache[keys] = [(key, columns.field_for(key)) for key in keys]
        return found


def prepare_row(row: SourceRow, options: ImportOptions, unknown: set[str], column_map: ColumnMap) -> Prepared:
    """Map columns, pick the kind and validate; raises RecordInvalid or UserError."""
    if row.problem:
        raise UserError(row.problem)
    given: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    data = row.data
    for key, name in column_map(tuple(data)):
        value = data[key]
        if name is None:
            if value is not None and value != "":
                extras[str(key)] = value
        elif (value is not None and value != "") or name not in given:
            given[name] = value
    kept = given.pop("extra", None)  # the extra columns of an exported record
    kind = options.kind
    declared = given.pop("kind", None) or row.kind
    if kind is None and not models.is_empty(declared):
        kind = models.kind_named(str(declared))
    if kind is None:
        kind = _guess_kind([k for k, v in given.items() if v is not None and v != ""])
    number = None
    ident = given.pop("id", None)
    if not models.is_empty(ident):
        text = str(ident).strip().lower()
        if text[:1] == kind.prefix and text[1:].isdigit() and int(text[1:]) > 0:
            number = int(text[1:])
        else:
            extras["id"] = ident
    stamps = {}
    for name in ("created_at", "updated_at"):
        value = given.pop(name, None)
        if not models.is_empty(value):
            stamps[name] = _timestamp(name, value)
    for name in [n for n in given if kind.field(n) is None and n not in _NOT_FIELDS]:
        value = given.pop(name)  # a field of another kind is unknown to this one
        if not models.is_empty(value):
            extras[name] = value
    if extras:
        unknown.update(extras)
        if options.extra == "error":
            raise UserError(messages.EXTRA_COLUMNS.format(columns=", ".join(extras)))
        if options.extra == "ignore":
            extras = {}
    if isinstance(kept, dict):
        extras = {**kept, **extras}
    if extras:
        given["extra"] = {k: v if isinstance(v, (str, int, float, bool, list, dict)) else str(v)
                          for k, v in extras.items()}
    parents = _context(given) if "province" in given or "city" in given else None
    doc = validation.validate(kind, given, region_context=parents or options.region_context,
                              defaults=False)  # defaults are added on insert
    _check_within(parents, doc.get("region_code"), "region", given.get("region") or given.get("region_code"))
    doc.update(stamps)
    return Prepared(row, kind, doc, number)


_NOT_FIELDS = (*columns.CONTEXT_COLUMNS, "region_code", "zone", "extra")


def prepare(rows: Iterable[SourceRow], options: ImportOptions, result: ImportResult,
            progress: Callable[[int], None] | None = None) -> list[Prepared]:
    prepared: list[Prepared] = []
    unknown_by_file: dict[str, set[str]] = {}
    column_map = ColumnMap()
    for row in rows:
        unknown = unknown_by_file.setdefault(row.file, set())
        try:
            prepared.append(prepare_row(row, options, unknown, column_map))
        except RecordInvalid as exc:
            result.errors += [f"{row.where}: {e.message}" for e in exc.errors]
            result.invalid += 1
        except UserError as exc:
            result.errors.append(f"{row.where}: {exc.message}")
            result.invalid += 1
        if progress:
            progress(1)
    for file, cols in unknown_by_file.items():
        if cols:
            result.unknown_columns[file] = sorted(set(result.unknown_columns.get(file, [])) | cols)
    return prepared


# -- reading files -------------------------------------------------------------------------
PARALLEL_BYTES = 32 << 20  # below this a second process costs more than it saves


def prepare_file(name: str, raw: bytes, fmt: str, encoding: str | None, options: ImportOptions,
                 result: ImportResult, sheet: str | None = None) -> list[Prepared]:
    """Read and validate one input file (``sheet``: the sheet of an XLSX workbook)."""
    from ..io.importers.rows import read_rows

    if (fmt == "jsonl" and encoding is None and len(raw) >= PARALLEL_BYTES and hasattr(os, "fork")
            and (os.cpu_count() or 1) > 1 and not raw.startswith(b"\xef\xbb\xbf")):
        prepared = _prepare_jsonl_in_two(name, raw, options, result)
        if prepared is not None:
            return prepared
    return prepare(read_rows(name, raw, fmt, encoding, sheet), options, result)


def _prepare_jsonl_in_two(name: str, raw: bytes, options: ImportOptions,
                          result: ImportResult) -> list[Prepared] | None:
    """Parse and validate the second half of a big UTF-8 JSONL file in a forked process
    while this one does the first half.  None when the file is not UTF-8 (or the child
    failed): the caller then reads it the ordinary way."""
    import pickle

    from ..io.importers.rows import utf8_jsonl

    middle = raw.find(b"\n", len(raw) // 2) + 1 or len(raw)
    second_line = raw.count(b"\n", 0, middle) + 1
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: validate the second half, send back everything but the bodies
        status = 1
        try:
            os.close(reader)
            rows = utf8_jsonl(name, raw, middle, len(raw), second_line)
            if rows is None:
                status = 2
            else:
                half = ImportResult()
                items = [(p.row.file, p.row.line, p.kind.name, _body_ref(p.doc), p.doc, p.number)
                         for p in prepare(rows, options, half)]
                payload = pickle.dumps((items, half.errors, half.invalid, half.unknown_columns), protocol=5)
                with os.fdopen(writer, "wb") as out:
                    out.write(payload)
                status = 0
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as incoming:
        rows = utf8_jsonl(name, raw, 0, middle, 1)
        first = prepare(rows, options, result) if rows is not None else None
        payload = incoming.read()
    _, status = os.waitpid(pid, 0)
    if first is None or os.waitstatus_to_exitcode(status) != 0:
        result.errors, result.invalid, result.unknown_columns = [], 0, {}
        return None
    items, errors, invalid, unknown = pickle.loads(payload)
    result.errors += errors
    result.invalid += invalid
    for file, cols in unknown.items():
        result.unknown_columns[file] = sorted(set(result.unknown_columns.get(file, [])) | set(cols))
    view = memoryview(raw)
    second = []
    for file, line, kind_name, body, doc, number in items:
        if body is not None:
            doc["body"] = RawBody(view[body[0]:body[1]], body) if isinstance(body, tuple) else RawBody(body)
        second.append(Prepared(SourceRow(file, line, {}), models.KINDS[kind_name], doc, number))
    return first + second


def _body_ref(doc: dict[str, Any]) -> tuple[int, int] | bytes | None:
    """A body as the child sends it: its span in the shared input, or its bytes."""
    body = doc.pop("body", None)
    if body is None:
        return None
    if isinstance(body, RawBody):
        return body.span if body.span else bytes(body.literal)
    return orjson.dumps(body)


# -- the batch -----------------------------------------------------------------------------
_STAMPS = ("created_at", "updated_at")


def _merged(kind: Kind, old: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """``old`` with the fields ``given`` has (its timestamps aside).

    Notes and history are merged, never replaced: a note whose text is already there and a
    history entry already there (or a second creation entry) are not added again; new ones
    follow the old ones in time order.  A value given replaces its parts too (a new amount
    without a range drops the old upper end).
    """
    replaced = validation.with_parts(kind, given)
    new = {k: v for k, v in old.items() if k in given or k not in replaced}
    if "region_code" in given and "zone" not in given:  # a new region leaves the old zone
        new.pop("zone", None)
    for key, value in given.items():
        if key in _STAMPS:
            continue
        if key == "notes":
            value = _appended(old.get("notes", []), value, lambda n: n["text"])
        elif key == "history":
            value = _appended(old.get("history", []), value, _history_key)
        elif key == "extra":
            value = {**old.get("extra", {}), **value}
        new[key] = value
    return new


def _history_key(entry: dict[str, str]) -> Any:
    return "created" if "from" not in entry else tuple(sorted(entry.items()))


def _appended(stored: list[dict[str, str]], given: list[dict[str, str]],
              key: Callable[[dict[str, str]], Any]) -> list[dict[str, str]]:
    known = {key(e) for e in stored}
    fresh = [e for e in given if key(e) not in known]
    return list(stored) + sorted(fresh, key=lambda e: e.get("at", ""))


def _settled(stored: dict[str, Any], new: dict[str, Any], stored_body: str | None,
             now: str) -> dict[str, Any] | None:
    """A stored document updated to ``new`` (the merge of the rows for it), or None when
    nothing changed.  A new status is appended to the history as one move made by the import
    (unless the merged history already ends with the move to it); ``created_at`` is kept
    and ``updated_at`` is ``now``."""
    if "body" in new and text_of(new["body"]) == stored_body:
        del new["body"]
    status, history = new.get("status"), new.get("history") or []
    if status and status != stored.get("status") and not (history and history[-1]["to"] == status):
        new["history"] = history + [move_entry(stored.get("status", "new"), status, at=now, source="import")]

    def compared(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k not in _STAMPS and k != "body"}

    if "body" not in new and compared(new) == compared(stored):
        return None
    new.setdefault("created_at", now)
    new["updated_at"] = now
    return new


@contextmanager
def no_gc() -> Iterator[None]:
    """For reading and importing a batch: it allocates millions of objects and frees none
    of them before the end, so the cyclic collector would only rescan them again and again."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run(store: Store, rows: Iterable[SourceRow], options: ImportOptions,
        progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate ``rows`` and write them (the whole import, for rows already read)."""
    result = ImportResult(dry_run=options.dry_run)
    return write(store, prepare(rows, options, result, progress), options, result)


def write(store: Store, prepared: list[Prepared], options: ImportOptions, result: ImportResult) -> ImportResult:
    """Store validated records in one transaction, or nothing (ImportFailed) if any was bad."""
    result.dry_run = options.dry_run
    if result.errors and not options.skip_invalid:
        raise ImportFailed(result)
    try:
        with store.writing() as txn:
            _apply(txn, prepared, options, result)
            if result.errors and not options.skip_invalid:
                result.added, result.updated, result.unchanged = [], [], 0  # rolled back: nothing done
                raise ImportFailed(result)
            if options.dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


def _apply(txn: Any, prepared: list[Prepared], options: ImportOptions, result: ImportResult) -> None:
    """Sort the rows into new and stored records and write them.

    Under ``update`` the rows for one record are merged in order, then settled once against
    the stored record, so that a batch gives the same result however often it is run.  Each
    row counts once: the first row for a record as what happened to the record (added,
    updated or unchanged), any further row for it as unchanged.
    """
    from ..domain import dates

    now = dates.now_iso()
    keys = {kind: existing_keys(txn, kind) for kind in {p.kind for p in prepared}}
    counters = dict(txn.meta["next"])  # to know the IDs the new records will get
    added: set[str] = set()  # their IDs, for sources naming a record added earlier in the batch
    new: dict[Kind, list[Prepared]] = {}
    pending: dict[tuple[str, ...], Prepared] = {}  # natural key → a new record of this batch
    updates: dict[str, tuple[Kind, str, dict[str, Any], dict[str, Any]]] = {}  # ID → kind, number, stored, merged

    def refuse(item: Prepared, message: str) -> None:
        result.errors.append(f"{item.row.where}: {message}")
        result.invalid += 1

    def bad_source(item: Prepared, current: dict[str, Any] | None = None) -> bool:
        source = item.doc.get("source")
        if not source or (current is not None and source == current.get("source")):
            return False
        problem = source_problem(txn, item.kind, item.doc, added)
        if problem:
            refuse(item, problem.message)
        return problem is not None

    for item in prepared:
        key = item.kind.natural_key(item.doc)
        if key is not None and key in pending:
            first = pending[key]
            if options.on_conflict == "update":
                if bad_source(item, first.doc):
                    continue
                first.doc = _merged(item.kind, first.doc, item.doc)
            result.unchanged += 1
            continue
        found = keys[item.kind].get(key) if key else None
        if found is None:
            if bad_source(item):
                continue
            new.setdefault(item.kind, []).append(item)
            added.add(models.record_id(item.kind, next_number(counters, item.kind, item.number)))
            if key is not None:
                pending[key] = item
            continue
        if options.on_conflict == "error":
            refuse(item, messages.RECORD_DUPLICATE.format(id=found, key="natural key"))
            continue
        if options.on_conflict == "skip":
            result.unchanged += 1
            continue
        if found in updates:
            _, number, stored, current = updates[found]
        else:
            _, number, stored = txn.get(found)
            current = stored
        if bad_source(item, current):
            continue
        if found in updates:
            result.unchanged += 1
        updates[found] = (item.kind, number, stored, _merged(item.kind, current, item.doc))
    replacements: dict[Kind, dict[str, dict[str, Any]]] = {}
    for found, (kind, number, stored, merged) in updates.items():
        settled = _settled(stored, merged, txn.body(stored) if "body" in merged else None, now)
        if settled is None:
            result.unchanged += 1
        else:
            replacements.setdefault(kind, {})[number] = settled
            result.updated.append(found)
    for kind, items in new.items():
        for item in items:
            validation.apply_defaults(kind, item.doc, now=now)
        result.added += txn.insert_many(kind, [i.doc for i in items], [i.number for i in items], now=now)
    for kind, docs in replacements.items():
        txn.replace_many(kind, docs)
