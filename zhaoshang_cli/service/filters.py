"""Filtering and sorting records straight from the stored tables.

Queries run over TinyDB's raw table dictionaries with one compiled predicate: no
Document objects, no bodies parsed.  Only ``--text`` looks into bodies, and then by a
byte search of the body log for the records that passed every other filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from ..domain import dates, values
from .. import messages
from ..errors import UsageError
from ..domain.kind import KINDS, Kind
from ..domain.lead import LEAD, STATUSES
from ..domain.validate import parser_for

Row = tuple[Kind, str, dict[str, Any]]  # kind, number, stored document

SORT_KEYS = ("date", "id", "title", "region", "created", "updated", "amount", "status", "due", "company")
WHERE_TYPES = ("text", "choice", "suggest", "source", "url")  # fields --where compares with a value
STATUS_CODES = {s: i for i, s in enumerate(STATUSES)}
CLOSED_CODES = (STATUS_CODES["signed"], STATUS_CODES["lost"])
_TEXT_FIELDS = ("title", "summary", "issuer", "doc_no", "company", "contact", "industry", "category", "source")


@dataclass
class Filters:
    region_prefixes: tuple[str, ...] = ()
    exact_region: bool = False  # the regions themselves, not what lies under them
    since: str | None = None  # ISO dates, inclusive
    until: str | None = None
    text: str | None = None
    statuses: tuple[str, ...] = ()
    due_before: str | None = None
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # field → the values it may have ("" = unset)

    @property
    def empty(self) -> bool:
        return not (self.region_prefixes or self.since or self.until or self.text or self.statuses
                    or self.due_before or self.fields)


@dataclass
class FilterArgs:
    """Filters as the user typed them (the CLI's options)."""

    regions: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    on: str | None = None
    month: str | None = None
    text: str | None = None
    statuses: list[str] = field(default_factory=list)
    due_before: str | None = None
    exact_region: bool = False
    where: list[str] = field(default_factory=list)  # FIELD=VALUE
    sources: list[str] = field(default_factory=list)  # --source: where source=…, each value normalised


def build_filters(args: FilterArgs, today: date | None = None, context: str | None = None) -> Filters:
    """Resolve region names (inside ``context``, the home region, first) and parse dates;
    errors name the option and the value."""
    from ..domain.regions import table

    prefixes = []
    for value in args.regions:  # each value may be a list: 天津,北京 or 天津 北京
        for region in table().resolve_list(value, context, field_name="--region"):
            prefixes.append(region.code if args.exact_region else region.prefix)
    prefixes = list(dict.fromkeys(prefixes))
    since = until = None
    if (args.on or args.month) and (args.since or args.until or (args.on and args.month)):
        raise UsageError(messages.FILTER_PERIOD_CONFLICT)
    if args.month:
        first, last = dates.parse_month(args.month, field="--month", base=today)
        since, until = first.isoformat(), last.isoformat()
    elif args.on:
        first, last = dates.parse_period(args.on, field="--on", base=today)
        since, until = first.isoformat(), last.isoformat()
    else:
        if args.since:
            since = dates.parse_period(args.since, field="--since", base=today)[0].isoformat()
        if args.until:
            until = dates.parse_period(args.until, field="--until", base=today)[1].isoformat()
    statuses = tuple(values.parse_choice(s, "--status", LEAD.field("status").choices) for s in args.statuses)
    due_before = None
    if args.due_before:
        due_before = dates.parse_period(args.due_before, field="--due-before", base=today)[1].isoformat()
    text = args.text.casefold() if args.text else None
    fields: dict[str, list[str]] = {}
    for item in args.where:
        name, value = _where(item)
        fields.setdefault(name, []).append(value)
    for value in args.sources:
        fields.setdefault("source", []).append(values.parse_source(value, "--source"))
    return Filters(tuple(prefixes), args.exact_region, since, until, text, statuses, due_before,
                   tuple((name, tuple(dict.fromkeys(wanted))) for name, wanted in fields.items()))


def _where(item: str) -> tuple[str, str]:
    """``industry=生物医药`` → ("industry", "生物医药"); ``source=`` → ("source", "") (unset)."""
    name, equals, value = item.partition("=")
    if not equals:
        raise UsageError(messages.WHERE_SYNTAX.format(value=item))
    name, value = name.strip().replace("-", "_"), value.strip()
    if name == "zone":  # kept beside the region, not a field of its own
        return name, _zone_name(value) if value else ""
    specs = [spec for kind in KINDS.values() if (spec := kind.field(name)) is not None and not spec.apart]
    if not specs:
        names = dict.fromkeys(f.name for kind in KINDS.values() for f in kind.fields if not f.apart)
        raise UsageError(messages.WHERE_FIELD_UNKNOWN.format(field=name, allowed=", ".join(names)))
    if value and any(spec.type not in WHERE_TYPES for spec in specs):
        raise UsageError(messages.WHERE_NEEDS_OPTION.format(field=name))
    if value and specs[0].choices:
        owner = next(kind for kind in KINDS.values() if kind.field(name) is specs[0])
        value = parser_for(owner, replace(specs[0], name=f"--where {name}"))(value, None)
    return name, value


def _stored(doc: Mapping[str, Any], key: str) -> Any:
    value = doc.get(key)
    return "" if value is None or value == "" or value == [] else value


def _zone_name(value: str) -> str:
    from ..domain.regions import table

    zone = table().zone_named(value)
    if zone is None:
        raise UsageError(f"--where zone: {messages.ZONE_UNKNOWN.format(value=value)}")
    return zone.name


def _fields_check(kind: Kind, f: Filters) -> Callable[[Mapping[str, Any]], bool] | None:
    """The --where test for documents of ``kind``; None when the kind lacks one of the fields."""
    tests = []
    for name, wanted in f.fields:
        spec = kind.field("region" if name == "zone" else name)
        if spec is None:
            return None
        tests.append(("region_code" if spec.type == "region" and name != "zone" else name, wanted))
    return lambda d: all(_stored(d, key) in wanted for key, wanted in tests)


def _field_keys(f: Filters) -> list[str]:
    return ["region_code" if name == "region" else name for name, _ in f.fields]


def _places(f: Filters) -> tuple[list[str], list[tuple[str, str]]]:
    """The filter's regions as code prefixes (exact codes with --exact-region), and its
    development zones as (district code, zone name)."""
    from ..domain.regions import table

    zones = [(z.county, z.name) for p in f.region_prefixes if (z := table().zone_by_code.get(p))]
    return [p for p in f.region_prefixes if p not in table().zone_by_code], zones


def _predicate(kind: Kind, f: Filters) -> Callable[[Mapping[str, Any]], bool]:
    checks: list[Callable[[Mapping[str, Any]], bool]] = []
    if f.region_prefixes:
        prefixes, zones = _places(f)
        exact, starts = (set(prefixes), ()) if f.exact_region else (set(), tuple(prefixes))
        checks.append(lambda d: (d.get("region_code") in exact or d.get("region_code", "").startswith(starts)
                                 if (exact or starts) else False)
                      or (d.get("region_code"), d.get("zone")) in zones)
    if f.since:
        since = f.since
        checks.append(lambda d: d.get("date", "") >= since)
    if f.until:
        until = f.until
        checks.append(lambda d: "" < d.get("date", "") <= until)
    if f.statuses:
        if kind is not LEAD:
            return lambda d: False
        statuses = f.statuses
        checks.append(lambda d: d.get("status") in statuses)
    if f.due_before:
        if kind is not LEAD:
            return lambda d: False
        due = f.due_before
        checks.append(lambda d: "" < d.get("due", "") <= due and d.get("status") not in ("signed", "lost"))
    if f.fields:
        fields_check = _fields_check(kind, f)
        if fields_check is None:
            return lambda d: False
        checks.append(fields_check)
    if not checks:
        return lambda d: True
    if len(checks) == 1:
        return checks[0]
    return lambda d: all(check(d) for check in checks)


def _text_hit(doc: Mapping[str, Any], needle: str) -> bool:
    for name in _TEXT_FIELDS:
        value = doc.get(name)
        if value and needle in value.casefold():
            return True
    tags = doc.get("tags")
    if tags and any(needle in t.casefold() for t in tags):
        return True
    notes = doc.get("notes")
    return bool(notes and any(needle in n.get("text", "").casefold() for n in notes))


def select(snapshot: Any, kinds: Iterable[Kind], filters: Filters) -> list[Row]:
    """Rows matching the filters.  From a fresh index the documents are stubs holding only
    the indexed fields; ``snapshot.complete`` turns the ones shown into full documents."""
    if snapshot.index is not None and not snapshot.loaded and not filters.text:
        if not filters.fields:
            return _select_indexed(snapshot.index, kinds, filters)
        # --where: test the documents, parsed only where the index does not hold the fields
        checks = {k: check for k in kinds if (check := _fields_check(k, filters)) is not None}
        rows = _select_indexed(snapshot.index, list(checks), filters)
        rows = snapshot.complete_lacking(rows, {k: _field_keys(filters) for k in checks})
        return [row for row in rows if checks[row[0]](row[2])]
    rows: list[Row] = []
    for kind in kinds:
        keep = _predicate(kind, filters)
        matched = [(number, doc) for number, doc in snapshot.table(kind).items() if keep(doc)]
        if filters.text:
            needle = filters.text
            direct = {number for number, doc in matched if _text_hit(doc, needle)}
            if kind.has_body:
                rest = [(n, d) for n, d in matched if n not in direct]
                direct |= snapshot.search_bodies(needle, rest)
            matched = [(n, d) for n, d in matched if n in direct]
        rows.extend((kind, number, doc) for number, doc in matched)
    return rows


def _region_ranges(f: Filters, zone_ids: Mapping[str, int]) -> list[tuple[int, int, int]]:
    """Code prefixes as integer ranges: 12 → [120000, 130000), 1201 → [120100, 120200), each
    with the zone the rows must be in (0: any); a zone the index does not hold matches none."""
    prefixes, zones = _places(f)
    ranges = []
    for prefix in prefixes:
        scale = 1 if f.exact_region else 10 ** (6 - len(prefix))
        low = int(prefix) * scale
        ranges.append((low, low + scale, 0))
    for county, zone in zones:
        ranges.append((int(county), int(county) + 1, zone_ids.get(zone, -1)))
    return ranges


def _select_indexed(index: Any, kinds: Iterable[Kind], f: Filters) -> list[Row]:
    from ..storage.tinydb.index import day_number

    since = day_number(f.since)
    until = day_number(f.until)
    due = day_number(f.due_before)
    statuses = {STATUS_CODES[s] for s in f.statuses}
    rows: list[Row] = []
    for kind in kinds:
        if (statuses or due) and kind is not LEAD:
            continue
        table = index.kinds[kind.table]
        c = table.columns
        ranges = _region_ranges(f, {name: i + 1 for i, name in enumerate(table.zones)})
        positions: Iterable[int] = range(len(table))
        if len(ranges) == 1 and not ranges[0][2]:
            low, high, _ = ranges[0]
            positions = [i for i, r in enumerate(c["region"]) if low <= r < high]
        elif ranges:
            zone = c["zone"]
            positions = [i for i, r in enumerate(c["region"])
                         if any(lo <= r < hi and (not z or zone[i] == z) for lo, hi, z in ranges)]
        if since or until:
            day = c["date"]
            last = until or 99991231
            positions = [i for i in positions if since <= day[i] <= last and day[i]]
        if statuses:
            status = c["status"]
            positions = [i for i in positions if status[i] in statuses]
        if due:
            follow, status = c["due"], c["status"]
            positions = [i for i in positions if follow[i] and follow[i] <= due and status[i] not in CLOSED_CODES]
        numbers = c["n"]
        rows.extend((kind, str(numbers[i]), table.stub(i)) for i in positions)
    return rows


def sort_fields(kind: Kind, sort: str | None) -> list[str]:
    """The document fields that sorting records of ``kind`` by ``sort`` reads."""
    key = (sort or "-date").lstrip("-+")
    if key == "title":
        return [kind.title_field]
    if key in ("created", "updated"):
        return [f"{key}_at"]
    if key == "amount":
        return ["amount", "currency"]
    spec = kind.field(key)
    if spec is None:  # id, or a field this kind does not have
        return []
    return ["region_code" if spec.type == "region" else key]


def _currency_rank(row: Row) -> int:
    doc = row[2]
    if doc.get("amount") is None:
        return len(values.CURRENCIES)
    return values.CURRENCIES.index(doc.get("currency") or values.DEFAULT_CURRENCY)


def sort_rows(rows: list[Row], sort: str | None) -> list[Row]:
    """Sort by a key (``-key`` for descending); by default newest date first."""
    spec = sort or "-date"
    descending = spec.startswith("-")
    key_name = spec.lstrip("-+")
    if key_name not in SORT_KEYS:
        raise UsageError(messages.SORT_UNKNOWN.format(value=sort, allowed=", ".join(SORT_KEYS)))

    def ident(row: Row) -> tuple[str, int]:
        return (row[0].prefix, int(row[1]))

    field_name = {"created": "created_at", "updated": "updated_at", "region": "region_code"}.get(key_name, key_name)
    if key_name == "id":
        rows = sorted(rows, key=ident, reverse=descending)
    elif key_name == "amount":
        # each currency apart (yuan first), records without an amount last: no exchange rates
        rows = sorted(rows, key=lambda r: (r[2].get("amount", -1), ident(r)), reverse=descending)
        rows = sorted(rows, key=_currency_rank)
    elif key_name == "title":
        rows = sorted(rows, key=lambda r: (r[2].get("title") or r[2].get("company") or "", ident(r)),
                      reverse=descending)
    else:
        rows = sorted(rows, key=lambda r: (r[2].get(field_name) or "", ident(r)), reverse=descending)
    return rows


