"""Regional reports: counts per area, month, kind or field; the pipeline funnel; the trend.

Aggregation only, no rendering.  Every number is what ``list … --format count`` gives
for the same region, period and status (see ``Group.query`` for the filter behind a row).
Each kind is counted in a column of its own; kinds with a pipeline (leads) also count the
records that reached its end (signed) and their amounts, each currency apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from .. import messages
from ..domain.currencies import CURRENCIES, DEFAULT_CURRENCY
from ..domain.dates import month_end, period_name
from ..domain.kind import KINDS, Kind, Pipeline
from ..domain.regions import table
from ..domain.signing import is_won, signed_amount, signing_day
from ..storage.base import Backend, Filters, Query
from .groupings import GROUPINGS, grouping_label, groupings  # noqa: F401  (--by)

_KEY_FIELDS = {"district": "region_code", "zone": "zone", "month": None, "kind": None}  # the field each reads
UNSET = "（未填）"
_AMOUNT_FIELDS = ("amount", "amount_high", "currency")


def kinds_for(by: str) -> list[Kind]:
    """The kinds a grouping counts: every kind by district, month and kind; by a field,
    the kinds that have it (status, industry, need: leads; source: articles and leads)."""
    if by in _KEY_FIELDS:
        return list(KINDS.values())
    return [kind for kind in KINDS.values() if kind.field(by) is not None]


def _yuan_only() -> dict[str, int]:
    return {DEFAULT_CURRENCY: 0}


@dataclass
class Counts:
    """Records counted per kind, and the records of a pipeline kind that reached its end
    (signed) with their amounts: each currency apart (no exchange rates), a range at its
    lower end (``signed_ranges`` says how many were)."""

    kinds: dict[str, int] = field(default_factory=dict)  # plural → records
    signed: int = 0
    signed_amount: int = 0  # yuan
    signed_amounts: dict[str, int] = field(default_factory=_yuan_only)  # currency → total; CNY always
    signed_ranges: int = 0  # signed leads whose amount is a range, counted at its lower end

    def of(self, kind: Kind) -> int:
        return self.kinds.get(kind.plural, 0)

    @property
    def records(self) -> int:
        return sum(self.kinds.values())

    def add(self, kind: Kind, doc: dict[str, Any], records: int = 1) -> None:
        """``records`` records of the period (by their own date) that hold ``doc``'s values;
        those of a kind that keeps no signing day count as signed here too, when they are."""
        self.kinds[kind.plural] = self.kinds.get(kind.plural, 0) + records
        if kind.roles.won_on is None and is_won(kind, doc):
            for _ in range(records):
                self.sign(kind, doc)

    def sign(self, kind: Kind, doc: dict[str, Any]) -> None:
        """A signing of the period (by its signing day), for the amount signed."""
        self.signed += 1
        amount, currency, ranged = signed_amount(kind, doc)
        if amount is not None:
            self.signed_amounts[currency] = self.signed_amounts.get(currency, 0) + amount
            self.signed_amount = self.signed_amounts[DEFAULT_CURRENCY]
            self.signed_ranges += int(ranged)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {kind.plural: self.of(kind) for kind in KINDS.values()}
        out.update(signed=self.signed, signed_amount=self.signed_amount,
                   signed_amounts={c: self.signed_amounts[c] for c in CURRENCIES if c in self.signed_amounts},
                   signed_ranges=self.signed_ranges)
        return out


@dataclass
class Group:
    key: str
    label: str
    counts: Counts
    query: dict[str, Any] = field(default_factory=dict)  # the list filters that give these numbers


@dataclass
class Stage:
    status: str
    label: str
    count: int    # leads now at this status
    reached: int  # leads at this status or further along the path


@dataclass
class Funnel:
    stages: list[Stage]
    lost: int  # records off the path (lost leads)
    total: int
    won: str = ""

    @property
    def conversion(self) -> float:
        done = next((s.count for s in self.stages if s.status == self.won), 0)
        return done / self.total if self.total else 0.0


@dataclass
class MonthRow:
    month: str
    counts: Counts


@dataclass
class Report:
    region: dict[str, str] | None
    since: str | None
    until: str | None
    by: str
    groups: list[Group]
    total: Counts
    funnel: Funnel
    trend: list[MonthRow]

    @property
    def kinds(self) -> list[Kind]:
        return kinds_for(self.by)

    @property
    def by_label(self) -> str:
        return grouping_label(self.by)

    @property
    def section(self) -> str:
        """The heading of the grouped counts."""
        return messages.REPORT_SECTION_GROUPS.get(self.by) or messages.REPORT_SECTION_BY.format(label=self.by_label)

    @property
    def currencies(self) -> list[str]:
        """The currencies of the signed amounts, each totalled apart: yuan, then any others."""
        return [c for c in CURRENCIES if c in self.total.signed_amounts]

    @property
    def title(self) -> str:
        where = self.region["name"] if self.region else messages.REPORT_ALL_REGIONS
        named = period_name(date.fromisoformat(self.since), date.fromisoformat(self.until)) \
            if self.since and self.until else None
        if named:
            when = named
        elif self.since or self.until:
            when = f"{self.since or '…'} ~ {self.until or '…'}"
        else:
            when = messages.REPORT_ALL_TIME
        return messages.REPORT_TITLE.format(region=where, period=when)

    def counted_by(self) -> dict[str, str | None]:
        """The field each count goes by: a kind's records by their own date, signings by their day."""
        found: dict[str, str | None] = {k.plural: k.roles.date for k in self.kinds}
        won_on = next((k.roles.won_on for k in self.kinds if k.roles.won_on), None)
        if won_on:
            found["signed"] = won_on
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "period": {"since": self.since, "until": self.until},
            "by": self.by,
            "counted_by": self.counted_by(),
            "groups": [{"key": g.key, "label": g.label, **g.counts.to_dict(), "query": g.query} for g in self.groups],
            "total": self.total.to_dict(),
            "funnel": {"stages": [asdict(s) for s in self.funnel.stages], "lost": self.funnel.lost,
                       "total": self.funnel.total, "conversion": round(self.funnel.conversion, 4)},
            "trend": [{"month": m.month, **m.counts.to_dict()} for m in self.trend],
        }


# -- grouping keys -------------------------------------------------------------------------
@lru_cache(maxsize=8192)
def _area_key(code: str, region_code: str | None) -> tuple[str, str, bool]:
    """(key, label, exact) of the area one level below the report's region holding ``code``."""
    tbl = table()
    path = tbl.path(code)
    if region_code is None:
        top = path[0]
        return top.code, top.name, False
    for i, node in enumerate(path):
        if node.code == region_code:
            if i + 1 < len(path):
                child = path[i + 1]
                return child.code, child.name, False
            return node.code, messages.REPORT_OWN_LEVEL.format(name=node.name), True
    return code, tbl.name(code), False


def _key(by: str, kind: Kind, doc: dict[str, Any], region_code: str | None,
         signed: bool = False) -> tuple[str, str, dict[str, Any]]:
    """(key, label, query) of the group a record falls in (a signing: by its signing month);
    the query is the list options that select the group's records (with the report's own
    region and period)."""
    if by == "district":
        code = doc.get("region_code")
        if not code:
            return "", UNSET, {"where": "region="}
        key, label, exact = _area_key(code, region_code)
        return key, label, {"region": key, "exact_region": exact}
    if by == "zone":
        zone = doc.get("zone") or ""
        return zone, zone or messages.REPORT_NO_ZONE, {"region": zone} if zone else {"where": "zone="}
    if by == "month":
        month = _month(kind, doc, signed)
        return month, month or UNSET, {"month": month} if month else {"where": f"{kind.roles.date or 'date'}="}
    if by == "kind":
        return kind.name, kind.label, {"kind": kind.name}
    value = doc.get(by) or ""
    if by == kind.roles.status and kind.pipeline is not None:
        label = kind.pipeline.label(value)
        return value, label or UNSET, {"status": value} if value else {"where": "status="}
    return value, value or UNSET, {"where": f"{by}={value}"}


# -- building the report -------------------------------------------------------------------
def _keys_read(by: str, kind: Kind) -> tuple[str, ...]:
    """The stored keys a report counts ``kind``'s records by: the grouped field, the status
    (the funnel) and, for a kind that keeps no signing day, what its signed amount is read from."""
    roles = kind.roles
    grouped = roles.date if by == "month" else _KEY_FIELDS.get(by, by)
    keys = [grouped] if grouped else []
    if kind.pipeline is not None:
        keys.append(roles.status or "")
        if roles.won_on is None:
            keys += [roles.amount or "", *_AMOUNT_FIELDS]
    return tuple(dict.fromkeys(key for key in keys if key))


def _month(kind: Kind, doc: dict[str, Any], signed: bool = False) -> str:
    """The month of a record's date (a kind without a date: none), or of its signing."""
    if signed:
        return (signing_day(kind, doc) or "")[:7]
    return (doc.get(kind.roles.date) or "")[:7] if kind.roles.date else ""


def _tallies(store: Backend, kinds: list[Kind], filters: Filters,
             by: str) -> Iterable[tuple[Kind, dict[str, Any], int]]:
    """(kind, the values its records are counted by, how many records hold them): the store
    counts (a server groups them itself); no record is read whole."""
    with store.reading() as reader:
        for kind in kinds:
            counted = replace(filters, fields=filters.fields + kind.reported) if kind.reported else filters
            keys = _keys_read(by, kind)
            months = (kind.roles.date,) if by == "month" and kind.roles.date else ()
            for values, records in reader.tally(Query((kind,), counted), keys, months).items():
                yield kind, {key: value for key, value in zip(keys, values) if value is not None}, records


def signing_filters(filters: Filters) -> Filters:
    """The report's filters with its period on the signing day instead of the record's own
    date: the signings it counts (`list leads --signed-since … --signed-until …`)."""
    won = tuple(dict.fromkeys(k.pipeline.won for k in KINDS.values() if k.pipeline is not None and k.roles.won_on))
    return replace(filters, since=None, until=None, signed_since=filters.since or "0001-01-01",
                   signed_until=filters.until, statuses=won)  # (the status narrows by index first)


def _signings(store: Backend, kinds: list[Kind], filters: Filters) -> Iterable[tuple[Kind, dict[str, Any]]]:
    """The won records of kinds that keep a signing day, signed in the report's period (whole
    documents: the amount signed is on the move into the status)."""
    signed = [kind for kind in kinds if kind.pipeline is not None and kind.roles.won_on]
    if not signed:
        return
    with store.reading() as reader:
        for kind in signed:
            for record in reader.select(Query((kind,), signing_filters(filters))):
                yield kind, record.doc


def build(store: Backend, filters: Filters, *, by: str = "district", region_code: str | None = None) -> Report:
    kinds = kinds_for(by)
    groups: dict[str, Group] = {}
    total = Counts()
    pipeline = next((k.pipeline for k in kinds if k.pipeline is not None), None)
    statuses: dict[str, int] = {}
    for kind, values, records in _tallies(store, kinds, filters, by):
        key, label, query = _key(by, kind, values, region_code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key, label, Counts(), query)
        group.counts.add(kind, values, records)
        total.add(kind, values, records)
        if kind.pipeline is pipeline and pipeline is not None:
            status = values.get(kind.roles.status or "", pipeline.start)  # none yet: at the start
            statuses[status] = statuses.get(status, 0) + records
    for kind, doc in _signings(store, kinds, filters):  # signings by their own day
        key, label, query = _key(by, kind, doc, region_code, signed=True)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key, label, Counts(), query)
        group.counts.sign(kind, doc)
        total.sign(kind, doc)
    ordered = _order(by, list(groups.values()), pipeline)
    tbl = table()
    region = {"code": region_code, "name": tbl.full_name(region_code)} if region_code else None
    return Report(region, filters.since, filters.until, by, ordered, total, funnel(statuses, pipeline),
                  trend(store, filters))


def _order(by: str, groups: list[Group], pipeline: Pipeline | None) -> list[Group]:
    if by == "month":
        return sorted(groups, key=lambda g: g.key)
    if by == "status" and pipeline is not None:
        order = list(pipeline.statuses)
        return sorted(groups, key=lambda g: order.index(g.key) if g.key in order else 99)
    if by == "kind":
        order = list(KINDS)
        return sorted(groups, key=lambda g: order.index(g.key))
    if by == "district":
        # the area itself (本级) first, then by region code
        return sorted(groups, key=lambda g: (not g.query.get("exact_region"), g.key))
    return sorted(groups, key=lambda g: (-g.counts.records, g.key))


def funnel(statuses: Mapping[str, int], pipeline: Pipeline | None) -> Funnel:
    """Records by their current stage (``statuses``: how many are at each); "reached" counts
    those at a stage or further along (every record started at the first, lost ones too)."""
    if pipeline is None:
        return Funnel([], 0, 0)
    current = {status: 0 for status in pipeline.statuses}
    for status, records in statuses.items():
        current[status] = current.get(status, 0) + records
    total = sum(current.values())
    path = pipeline.path
    stages = [Stage(status, pipeline.label(status), current[status],
                    total if i == 0 else sum(current[s] for s in path[i:])) for i, status in enumerate(path)]
    off_path = sum(n for status, n in current.items() if status not in path)
    return Funnel(stages, off_path, total, pipeline.won)


def trend_months(since: str | None, until: str | None, seen: list[str]) -> list[str]:
    """The months shown in the trend: the report's own months, or the six up to a single month."""
    def number(iso: str) -> int:  # months since year 0, so that no date arithmetic can overflow
        return int(iso[:4]) * 12 + int(iso[5:7]) - 1

    if since and until:
        first, last = number(since), number(until)
        if first == last:
            first = last - 5
    elif seen:
        last = number(until or max(seen))
        first = max(number(since or min(seen)), last - 11)
    else:
        return []
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(max(first, 12), last + 1)]


def trend(store: Backend, filters: Filters) -> list[MonthRow]:
    """Records per month in the report's region (its own period, or the six months up to it).
    A report with a period knows its months before reading: only records dated (or signed)
    in those whole months are read, not every record of the region."""
    region_only = Filters(places=filters.places, exact=filters.exact, text=filters.text)
    known = trend_months(filters.since, filters.until, []) if filters.since and filters.until else []
    if known:
        last = month_end(date.fromisoformat(f"{known[-1]}-01"))
        region_only = replace(region_only, since=f"{known[0]}-01", until=last.isoformat())
    per_month: dict[str, Counts] = {}
    for kind, values, records in _tallies(store, list(KINDS.values()), region_only, "month"):
        month = _month(kind, values)
        if month:
            per_month.setdefault(month, Counts()).add(kind, values, records)
    for kind, doc in _signings(store, list(KINDS.values()), region_only):
        month = _month(kind, doc, signed=True)
        if month:
            per_month.setdefault(month, Counts()).sign(kind, doc)
    months = trend_months(filters.since, filters.until, sorted(per_month))
    return [MonthRow(m, per_month.get(m, Counts())) for m in months]


# -- the records behind a report (the HTML report lists them) -------------------------------
@dataclass
class FollowUps:
    """The records a report's reader acts on, as ``list`` gives them: the deals done in the
    report's region and period (``list leads --status signed`` with the report's filters),
    and the follow-ups overdue on ``today`` in its region, whatever their date
    (``list leads --due-before today``).  Public records, unmasked: a renderer shows
    company, region, amount, status and dates, never contact data."""

    today: str
    signed: list[dict[str, Any]]
    overdue: list[dict[str, Any]]


def follow_ups(store: Backend, filters: Filters, today: str) -> FollowUps:
    from .records import find

    kinds = [kind for kind in KINDS.values() if kind.pipeline is not None]
    won = tuple(dict.fromkeys(kind.pipeline.won for kind in kinds if kind.pipeline is not None))
    signed = find(store, kinds, replace(signing_filters(filters), statuses=won, due_before=None),
                  sort="date") if kinds else []
    region_only = Filters(places=filters.places, exact=filters.exact, text=filters.text, due_before=today)
    overdue = find(store, kinds, region_only, sort="due") if kinds else []
    return FollowUps(today, signed, overdue)
