"""Regional reports: counts per area, month, kind or lead attribute; the lead funnel; the trend.

Aggregation only, no rendering.  Every number is what ``list … --format count`` gives
for the same region, period and status (see ``Group.query`` for the filter behind a row).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable

from dateutil.relativedelta import relativedelta

from . import messages
from .models import ARTICLE, LEAD, POLICY, STATUS_LABELS, STATUSES, Kind
from .query import Filters, select
from .regions import table

GROUPINGS = ("district", "month", "kind", "status", "industry", "need")
FUNNEL = ("new", "contacted", "visited", "negotiating", "signed")  # lost is off the path
UNSET = "（未填）"


@dataclass
class Counts:
    articles: int = 0
    policies: int = 0
    leads: int = 0
    signed: int = 0
    signed_amount: int = 0

    def add(self, kind: Kind, doc: dict[str, Any]) -> None:
        if kind is ARTICLE:
            self.articles += 1
        elif kind is POLICY:
            self.policies += 1
        else:
            self.leads += 1
            if doc.get("status") == "signed":
                self.signed += 1
                self.signed_amount += doc.get("amount", 0)

    def __iadd__(self, other: "Counts") -> "Counts":
        for name in ("articles", "policies", "leads", "signed", "signed_amount"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


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
    lost: int
    total: int

    @property
    def conversion(self) -> float:
        signed = next(s.count for s in self.stages if s.status == "signed")
        return signed / self.total if self.total else 0.0


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
    def title(self) -> str:
        where = self.region["name"] if self.region else messages.REPORT_ALL_REGIONS
        if self.since and self.until and self.since[:7] == self.until[:7] and self.since.endswith("-01") and \
                (date.fromisoformat(self.until) + relativedelta(days=1)).day == 1:
            when = self.since[:7]
        elif self.since or self.until:
            when = f"{self.since or '…'} ~ {self.until or '…'}"
        else:
            when = messages.REPORT_ALL_TIME
        return messages.REPORT_TITLE.format(region=where, period=when)

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "period": {"since": self.since, "until": self.until},
            "by": self.by,
            "groups": [{"key": g.key, "label": g.label, **asdict(g.counts)} for g in self.groups],
            "total": asdict(self.total),
            "funnel": {"stages": [asdict(s) for s in self.funnel.stages], "lost": self.funnel.lost,
                       "total": self.funnel.total, "conversion": round(self.funnel.conversion, 4)},
            "trend": [{"month": m.month, **asdict(m.counts)} for m in self.trend],
        }


# -- grouping keys -------------------------------------------------------------------------
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


def _key(by: str, kind: Kind, doc: dict[str, Any], region_code: str | None) -> tuple[str, str, dict[str, Any]]:
    if by == "district":
        code = doc.get("region_code")
        if not code:
            return "", UNSET, {}
        key, label, exact = _area_key(code, region_code)
        return key, label, {"region": key, "exact_region": exact}
    if by == "month":
        month = (doc.get("date") or "")[:7]
        return month, month or UNSET, {"month": month}
    if by == "kind":
        return kind.name, messages.KIND_LABELS[kind.name], {"kind": kind.name}
    value = doc.get(by) or ""
    label = STATUS_LABELS.get(value, value) if by == "status" else value
    return value, label or UNSET, {by: value}


# -- building the report -------------------------------------------------------------------
def build(snapshot: Any, filters: Filters, *, by: str = "district", region_code: str | None = None) -> Report:
    kinds: list[Kind] = [LEAD] if by in ("status", "industry", "need") else [ARTICLE, POLICY, LEAD]
    rows = select(snapshot, kinds, filters)
    if by in ("industry", "need"):  # not in the listing index
        rows = snapshot.complete(rows)
    groups: dict[str, Group] = {}
    total = Counts()
    for kind, _, doc in rows:
        key, label, query = _key(by, kind, doc, region_code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key, label, Counts(), query)
        group.counts.add(kind, doc)
        total.add(kind, doc)
    ordered = _order(by, list(groups.values()))
    leads = [doc for kind, _, doc in rows if kind is LEAD]
    tbl = table()
    region = {"code": region_code, "name": tbl.full_name(region_code)} if region_code else None
    return Report(region, filters.since, filters.until, by, ordered, total, funnel(leads),
                  trend(snapshot, filters))


def _order(by: str, groups: list[Group]) -> list[Group]:
    if by == "month":
        return sorted(groups, key=lambda g: g.key)
    if by == "status":
        return sorted(groups, key=lambda g: STATUSES.index(g.key) if g.key in STATUSES else 99)
    if by == "kind":
        return sorted(groups, key=lambda g: ("article", "policy", "lead").index(g.key))
    if by == "district":
        # the area itself (本级) first, then by region code
        return sorted(groups, key=lambda g: (not g.query.get("exact_region"), g.key))
    return sorted(groups, key=lambda g: (-(g.counts.leads + g.counts.articles + g.counts.policies), g.key))


def funnel(leads: Iterable[dict[str, Any]]) -> Funnel:
    current = {status: 0 for status in STATUSES}
    for doc in leads:
        current[doc.get("status", "new")] = current.get(doc.get("status", "new"), 0) + 1
    stages = []
    total = sum(current.values())
    for i, status in enumerate(FUNNEL):
        # every lead started as new, lost ones too; later stages count the leads now there or further
        reached = total if i == 0 else sum(current[s] for s in FUNNEL[i:])
        stages.append(Stage(status, STATUS_LABELS[status], current[status], reached))
    return Funnel(stages, current["lost"], total)


def trend_months(since: str | None, until: str | None, seen: list[str]) -> list[str]:
    """The months shown in the trend: the report's own months, or the six up to a single month."""
    if since and until:
        first, last = date.fromisoformat(since).replace(day=1), date.fromisoformat(until).replace(day=1)
        if first == last:
            first = last - relativedelta(months=5)
    elif seen:
        last = date.fromisoformat((until or max(seen))[:7] + "-01")
        first = date.fromisoformat((since or min(seen))[:7] + "-01")
        first = max(first, last - relativedelta(months=11))
    else:
        return []
    months = []
    while first <= last:
        months.append(first.strftime("%Y-%m"))
        first += relativedelta(months=1)
    return months


def trend(snapshot: Any, filters: Filters) -> list[MonthRow]:
    """Records per month in the report's region (its own period, or the six months up to it)."""
    region_only = Filters(region_prefixes=filters.region_prefixes, text=filters.text)
    rows = select(snapshot, [ARTICLE, POLICY, LEAD], region_only)
    per_month: dict[str, Counts] = {}
    for kind, _, doc in rows:
        month = (doc.get("date") or "")[:7]
        if month:
            per_month.setdefault(month, Counts()).add(kind, doc)
    months = trend_months(filters.since, filters.until, sorted(per_month))
    return [MonthRow(m, per_month.get(m, Counts())) for m in months]

