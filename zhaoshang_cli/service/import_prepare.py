"""One row of an import prepared: its columns mapped to fields, its kind picked (declared,
or guessed from the fields it uses), its region read inside the province and city columns,
and validated; a chunk's rows at a time (``prepare``), in this process or a second one
(import_worker.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from .. import messages
from ..domain import validate as validation
from ..domain.kind import AUTHOR_STAMPS, KINDS, TIME_STAMPS, Kind, is_empty, kind_named
from ..errors import FieldError, RecordInvalid, UserError
from ..io.importers import columns
from ..io.importers.rows import SourceRow


@dataclass
class ImportOptions:
    kind: Kind | None = None
    on_conflict: str = "skip"
    skip_invalid: bool = False
    dry_run: bool = False
    extra: str = "keep"
    region_context: str | None = None  # --in or the home region: names are read inside it first
    allow_status_regression: bool = False  # an update may move a record back, or out of a closed status


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
            if value is not None and value != "" and not columns.is_row_number(key):
                extras[str(key)] = value
        elif (value is not None and value != "") or name not in given:
            given[name] = value
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
    if parents:
        _check_within(parents, doc.get("region_code"), "region", given.get("region") or given.get("region_code"))
    doc.update(stamps)
    return Prepared(row, kind, doc, number)


_NOT_FIELDS = (*columns.CONTEXT_COLUMNS, "region_code", "zone", "extra")


@cache
def _known(kind: Kind) -> frozenset[str]:
    """The names a row for ``kind`` may give: its fields, and the columns read with them."""
    return frozenset([f.name for f in kind.fields] + list(_NOT_FIELDS))


# records, errors, invalid rows, unknown columns, total rows left out
Ready = tuple[list[Prepared], list[str], int, dict[str, list[str]], int]


def prepare(rows: Iterable[SourceRow], options: ImportOptions) -> Ready:
    """One chunk's rows validated: the prepared records, ``FILE:LINE: message`` for each
    problem, how many rows were refused, the unknown columns of each file, and how many
    rows were totals (合计, 小计) and left out."""
    prepared: list[Prepared] = []
    errors: list[str] = []
    invalid = totals = 0
    unknown_by_file: dict[str, set[str]] = {}
    column_map = ColumnMap()
    for row in rows:
        if not row.problem and columns.is_total_row(row.data):
            totals += 1
            continue
        unknown = unknown_by_file.setdefault(row.file, set())
        try:
            prepared.append(prepare_row(row, options, unknown, column_map))
        except RecordInvalid as exc:
            errors += [f"{row.where}: {e.message}" for e in exc.errors]
            invalid += 1
        except UserError as exc:
            errors.append(f"{row.where}: {exc.message}")
            invalid += 1
    return prepared, errors, invalid, {file: sorted(cols) for file, cols in unknown_by_file.items() if cols}, totals
