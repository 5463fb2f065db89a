"""One row of an import prepared: its columns mapped to fields, its kind picked (declared,
or guessed from the fields it uses), its region read inside the province and city columns,
and validated; a chunk's rows at a time (``prepare``), in this process or a second one
(import_worker.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from .. import messages
from ..domain import validate as validation
from ..domain.kind import AUTHOR_STAMPS, KINDS, TIME_STAMPS, Kind, is_empty, kind_named
from ..errors import FieldError, RecordInvalid, UserError
from ..io.importers import columns
from ..io.importers.rows import SourceRow
from ..patterns import lazy

_LAST_DIGIT = lazy(r"([0-9])(?=[^0-9]*$)")
_HAS_UNIT = lazy(r"[万亿千百十元美欧港日英镑$€£¥wW]|usd|eur|hkd|rmb|cny|gbp|jpy", flags=re.IGNORECASE)


@dataclass
class ImportOptions:
    kind: Kind | None = None
    on_conflict: str = "skip"
    skip_invalid: bool = False
    dry_run: bool = False
    extra: str = "keep"
    region_context: str | None = None  # --in or the home region: names are read inside it first
    allow_status_regression: bool = False  # an update may move a record back, or out of a closed status
    headers: columns.Headers = columns.PLAIN  # how column headers are read (the store's and --map mappings)
    rejects: bool = False  # keep the refused rows as read, to write them out (--rejects)


@dataclass
class Prepared:
    row: SourceRow
    kind: Kind
    doc: dict[str, Any]
    number: int | None = None


def _guess_kind(fields: Iterable[str]) -> Kind:
    """The kind whose own fields (those no other kind has) the row uses most; the first kind
    (articles) when it uses none."""
    return _guessed(frozenset(fields), tuple(KINDS.values()))


@lru_cache(maxsize=256)
def _guessed(present: frozenset[str], kinds: tuple[Kind, ...]) -> Kind:
    best, score = kinds[0], 0
    for kind in kinds:
        own = {f.name for f in kind.fields} - {f.name for k in kinds if k is not kind for f in k.fields}
        hits = len(present & own)
        if hits > score:
            best, score = kind, hits
    return best


def _context(given: dict[str, Any]) -> str | None:
    """The region the province and city columns name; a city outside its province is an error."""
    from ..domain.regions import table

    code = None
    for key in columns.CONTEXT_COLUMNS:
        value = given.pop(key, None)
        if not is_empty(value):
            inner = table().resolve(str(value), code, field_name=key).code
            _check_within(code, inner, key, value)
            code = inner
    return code


def _check_within(outer: str | None, inner: str | None, name: str, value: Any) -> None:
    from ..domain.regions import table

    if outer and inner and not table().contains(outer, inner):
        raise UserError(messages.REGION_NOT_IN.format(field=name, child=value, parent=table().full_name(outer),
                                                      hint=""))


def _author(name: str, value: Any) -> str:
    from ..domain.people import parse_name

    try:
        return parse_name(str(value), name)
    except UserError as exc:
        raise FieldError(name, value, exc.message.removeprefix(f"{name}: ")) from None


def _timestamp(name: str, value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise FieldError(name, value, messages.TIMESTAMP_INVALID.format(value=value)) from None


class ColumnMap:
    """Column header → (field, unit its header names), worked out once per distinct header row."""

    def __init__(self, headers: columns.Headers = columns.PLAIN) -> None:
        self.headers = headers
        self._cache: dict[tuple[str, ...], list[tuple[str, str | None, str]]] = {}

    def __call__(self, keys: tuple[str, ...]) -> list[tuple[str, str | None, str]]:
        found = self._cache.get(keys)
        if found is None:
            found = self._cache[keys] = [(key, *self.headers.spec(key)) for key in keys]
        return found


def _with_unit(value: Any, unit: str) -> Any:
    """A bare number under a header that names its unit (总投资（万元）: 5000) in that unit."""
    if isinstance(value, bool) or not unit:
        return value
    if isinstance(value, (int, float)):
        return f"{value}{unit}"
    if isinstance(value, str) and not _HAS_UNIT.search(value):  # 5000, 约5000, 5000-8000, 5000以上
        return _LAST_DIGIT.sub(lambda m: m[1] + unit, value.strip(), count=1)
    return value


class MaskedListing(UserError):
    """A file of masked contacts (what `list` shows): refused whole, once, not row by row."""


def _masked(row: SourceRow, given: dict[str, Any]) -> None:
    for name in ("phone", "email"):
        value = given.get(name)
        if isinstance(value, str) and "***" in value:
            raise MaskedListing(messages.IMPORT_MASKED_LISTING.format(file=row.file, value=value))


def prepare_row(row: SourceRow, options: ImportOptions, unknown: set[str], column_map: ColumnMap) -> Prepared:
    """Map columns, pick the kind and validate; raises RecordInvalid or UserError."""
    if row.problem:
        raise UserError(row.problem)
    given: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    data = row.data
    kept_quietly = set()
    for key, name, unit in column_map(tuple(data)):
        value = data[key]
        if name == columns.LEFT_OUT:
            continue
        if name is None:
            if value is not None and value != "":
                extras[str(key)] = value
                if columns.is_kept_as_extra(key):
                    kept_quietly.add(str(key))
        elif (value is not None and value != "") or name not in given:
            given[name] = _with_unit(value, unit)
    _masked(row, given)
    kept = given.pop("extra", None)  # the extra columns of an exported record
    kind = options.kind
    declared = given.pop("kind", None) or row.kind
    if kind is None and not is_empty(declared):
        kind = kind_named(str(declared))
    if kind is None:
        kind = _guess_kind([k for k, v in given.items() if v is not None and v != ""])
    number = None
    ident = given.pop("id", None)
    if not is_empty(ident):
        text = str(ident).strip().lower()
        if text[:1] == kind.prefix and text[1:].isdigit() and int(text[1:]) > 0:
            number = int(text[1:])
        else:
            extras["id"] = ident
    stamps = {}
    for name in TIME_STAMPS:
        value = given.pop(name, None)
        if not is_empty(value):
            stamps[name] = _timestamp(name, value)
    for name in AUTHOR_STAMPS:  # an export read back keeps who made the record
        value = given.pop(name, None)
        if not is_empty(value):
            stamps[name] = _author(name, value)
    for name in [n for n in given if n not in _known(kind)]:
        value = given.pop(name)  # a field of another kind is unknown to this one
        if not is_empty(value):
            extras[name] = value
    if extras:
        unknown.update(k for k in extras if k not in kept_quietly)
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
    if parents:
        _check_within(parents, doc.get("region_code"), "region", given.get("region") or given.get("region_code"))
    doc.update(stamps)
    return Prepared(row, kind, doc, number)


_NOT_FIELDS = (*columns.CONTEXT_COLUMNS, "region_code", "zone", "extra")


@cache
def _known(kind: Kind) -> frozenset[str]:
    """The names a row for ``kind`` may give: its fields, and the columns read with them."""
    return frozenset([f.name for f in kind.fields] + list(_NOT_FIELDS))


@dataclass
class Checked:
    """One chunk's rows checked: the records to store and what is said about the rest.

    ``columns``: each file's columns (its first row's), for the mapping a dry run prints
    and the rejects file; ``rejected``: (file, line, the row as read, why) of each refused
    row when the import writes them out; ``noted``: for each thing worth a warning (an
    amount not known yet, a second phone number) the rows that had it."""

    prepared: list[Prepared]
    errors: list[str] = field(default_factory=list)
    invalid: int = 0
    unknown: dict[str, list[str]] = field(default_factory=dict)
    totals: int = 0
    columns: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[tuple[str, int, dict[str, Any], str]] = field(default_factory=list)
    noted: dict[str, list[str]] = field(default_factory=dict)  # the first few rows of each
    note_counts: dict[str, int] = field(default_factory=dict)  # …and how many there were

    def plain(self) -> tuple[Any, ...]:
        """All but the prepared records, as plain data (sent by the second process)."""
        return (self.errors, self.invalid, self.unknown, self.totals, self.columns, self.rejected, self.noted,
                self.note_counts)

    @classmethod
    def of(cls, prepared: list[Prepared], plain: tuple[Any, ...]) -> Checked:
        return cls(prepared, *plain)


NOTE_NOT_KNOWN_YET, NOTE_MORE_PHONES = "not_known_yet", "more_phones"
NOTED_SHOWN = 3  # rows named in a warning


def _notes(kind: Kind, doc: dict[str, Any]) -> list[str]:
    """What a prepared record keeps beside its fields that its row's author should hear of."""
    from ..domain.contacts import OTHER_PHONES

    extra = doc.get("extra") or {}
    found = []
    spec = kind.field("amount")
    if spec is not None and "amount" not in doc and spec.label in extra:
        found.append(NOTE_NOT_KNOWN_YET)
    if OTHER_PHONES in extra:
        found.append(NOTE_MORE_PHONES)
    return found


def prepare(rows: Iterable[SourceRow], options: ImportOptions) -> Checked:
    """One chunk's rows validated: the prepared records, ``FILE:LINE: message`` for each
    problem, how many rows were refused, the unknown columns of each file, how many rows
    were totals (合计, 小计) and left out, and what is noted (see Checked)."""
    checked = Checked([])
    unknown_by_file: dict[str, set[str]] = {}
    column_map = ColumnMap(options.headers)
    for row in rows:
        if row.file not in checked.columns and not row.problem:
            checked.columns[row.file] = [str(k) for k in row.data]
        if not row.problem and columns.is_total_row(row.data):
            checked.totals += 1
            continue
        unknown = unknown_by_file.setdefault(row.file, set())
        try:
            item = prepare_row(row, options, unknown, column_map)
        except RecordInvalid as exc:
            reasons = [e.message for e in exc.errors]
        except MaskedListing:
            raise
        except UserError as exc:
            reasons = [exc.message]
        else:
            checked.prepared.append(item)
            for note in _notes(item.kind, item.doc):
                where = checked.noted.setdefault(note, [])
                if len(where) < NOTED_SHOWN:
                    where.append(row.where)
                checked.note_counts[note] = checked.note_counts.get(note, 0) + 1
            continue
        checked.errors += [f"{row.where}: {reason}" for reason in reasons]
        checked.invalid += 1
        if options.rejects:
            checked.rejected.append((row.file, row.line, row.data, "; ".join(reasons)))
    checked.unknown = {file: sorted(cols) for file, cols in unknown_by_file.items() if cols}
    return checked
