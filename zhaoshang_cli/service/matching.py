"""What an office can offer a lead (`zhaoshang match l7`), and which leads fit a site
(`match --site s4`): plain Python over the store, the reasons said for each.

A site fits a lead when it is available (可租, 可售), its type serves the lead's need
(买地自建 → 土地; 厂房租赁, 标准厂房 → 标准厂房, 定制厂房; 写字楼租赁, 公司注册 → 写字楼, 孵化器;
any need → any type when the need says none), it lies in the lead's district or its city, and
its area is within the tolerance of what the lead needs (when both say one).  Sites are
ranked by how much fits: the district itself, the area closest to the need, the lead's
industry among the site's.  Policies apply when they are of the lead's district, its city,
its province or the nation (全国), are in force (not expired, in effect), and name the lead's
industry; newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import messages
from ..domain.kind import KINDS
from ..domain.measures import area_text, price_text
from ..domain.regions import NATION_CODE, places
from ..domain.site import AVAILABLE
from ..errors import UserError
from ..storage.base import Backend, Filters
from . import records

NEED_TYPES = {
    "买地自建": ("土地",), "厂房租赁": ("标准厂房", "定制厂房"), "标准厂房": ("标准厂房", "定制厂房"),
    "写字楼租赁": ("写字楼", "孵化器"), "公司注册": ("写字楼", "孵化器"),
}
TOLERANCE = 0.3  # a site's area may differ from the need by this share of it


@dataclass
class Reason:
    what: str  # 区域, 面积, 行业, 价格, 类型
    ok: bool | None  # None: said for information
    text: str

    def public(self) -> dict[str, Any]:
        return {"what": self.what, "ok": self.ok, "text": self.text}


@dataclass
class Fit:
    record: dict[str, Any]
    score: float
    reasons: list[Reason] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        keep = ("id", "kind", "name", "title", "company", "type", "need", "region", "zone", "area", "area_as_written",
                "price", "price_unit", "price_as_written", "status", "date", "expiry", "industry", "industries")
        found = {k: self.record.get(k) for k in keep if k in self.record}
        return {**found, "score": round(self.score, 3), "reasons": [r.public() for r in self.reasons]}


@dataclass
class Match:
    subject: dict[str, Any]
    sites: list[Fit] = field(default_factory=list)
    policies: list[Fit] = field(default_factory=list)
    leads: list[Fit] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        found: dict[str, Any] = {"for": self.subject["id"]}
        if self.subject["kind"] == "lead":
            found.update(sites=[f.public() for f in self.sites], policies=[f.public() for f in self.policies])
        else:
            found["leads"] = [f.public() for f in self.leads]
        return found


def _city(code: str | None) -> str | None:
    """The code of the city a district lies in (a municipality's districts: the municipality)."""
    if not code:
        return None
    path = places().path(code)
    cities = [r.code for r in path if r.level == "city"]
    return cities[-1] if cities else (path[0].code if path else None)


def _area_fit(need: int | None, have: int | None, tolerance: float) -> tuple[bool | None, float]:
    """(fits, closeness 0..1); (None, 0) when either side says no area."""
    if not need or not have:
        return None, 0.0
    off = abs(have - need) / need
    return off <= tolerance, max(0.0, 1 - off)


def _industries(lead: dict[str, Any]) -> list[str]:
    return [w for w in str(lead.get("industry") or "").replace("，", ",").replace("、", ",").split(",") if w.strip()]


def match_lead(store: Backend, rid: str, *, tolerance: float = TOLERANCE, limit: int = 10,
               today: date | None = None) -> Match:
    lead = records.get(store, rid, with_body=False)
    if lead["kind"] != "lead":
        raise UserError(messages.MATCH_NOT_A_LEAD.format(id=rid))
    result = Match(lead)
    wanted = NEED_TYPES.get(lead.get("need") or "")
    district, city = lead.get("region_code"), _city(lead.get("region_code"))
    industries = _industries(lead)
    for site in records.stream(store, records.query([KINDS["site"]], Filters())):
        fit = _site_for_lead(site, lead, wanted, district, city, industries, tolerance)
        if fit is not None:
            result.sites.append(fit)
    result.sites.sort(key=lambda f: (-f.score, f.record["id"]))
    del result.sites[limit:]
    result.policies = _policies(store, district, industries, today or date.today())[:limit]
    return result


def _site_for_lead(site: dict[str, Any], lead: dict[str, Any], wanted: tuple[str, ...] | None,
                   district: str | None, city: str | None, industries: list[str], tolerance: float) -> Fit | None:
    if site.get("status") not in AVAILABLE:
        return None
    if wanted is not None and site.get("type") not in wanted:
        return None
    reasons = [Reason(messages.MATCH_TYPE, True, str(site.get("type") or ""))] if wanted else []
    score = 0.0
    if district and site.get("region_code") == district:
        score += 3
        reasons.append(Reason(messages.MATCH_REGION, True, site.get("region") or ""))
    elif city and _city(site.get("region_code")) == city:
        score += 1
        reasons.append(Reason(messages.MATCH_REGION, True, messages.MATCH_SAME_CITY.format(
            region=site.get("region") or "")))
    elif district:
        return None
    fits, closeness = _area_fit(lead.get("area"), site.get("area"), tolerance)
    if fits is False:
        return None
    if fits:
        score += 2 * closeness
        reasons.append(Reason(messages.MATCH_AREA, True, area_text(site)))
    elif site.get("area"):
        reasons.append(Reason(messages.MATCH_AREA, None, area_text(site)))
    suited = [i for i in industries if any(i in s or s in i for s in site.get("industries") or [])]
    if suited:
        score += 2
        reasons.append(Reason(messages.MATCH_INDUSTRY, True, "、".join(suited)))
    if site.get("price_as_written") or site.get("price") is not None:
        reasons.append(Reason(messages.MATCH_PRICE, None, price_text(site)))
    return Fit(site, score, reasons)


def _policies(store: Backend, district: str | None, industries: list[str], today: date) -> list[Fit]:
    """The policies of the lead's district, city, province and the nation, in force, naming its industry."""
    scopes = [r.code for r in places().path(district)] if district else []
    scopes.append(NATION_CODE)
    found = []
    kind = KINDS["policy"]
    request = records.query([kind], Filters(places=tuple(scopes), exact=True), sort="-date", with_body=True)
    day = today.isoformat()
    for policy in records.stream(store, request):
        if (policy.get("expiry") and policy["expiry"] < day) or (policy.get("effective") and policy["effective"] > day):
            continue
        text = " ".join(str(policy.get(k) or "") for k in ("title", "category", "body"))
        named = [i for i in industries if i in text]
        if industries and not named:
            continue
        reasons = [Reason(messages.MATCH_SCOPE, True, policy.get("region") or ""),
                   Reason(messages.MATCH_IN_FORCE, True, messages.MATCH_UNTIL.format(day=policy["expiry"])
                          if policy.get("expiry") else messages.MATCH_NO_EXPIRY)]
        if named:
            reasons.append(Reason(messages.MATCH_INDUSTRY, True, "、".join(named)))
        found.append(Fit(policy, 0.0, reasons))
    return found


def match_site(store: Backend, rid: str, *, tolerance: float = TOLERANCE, limit: int = 10) -> Match:
    """The open leads a site fits (the reverse of match_lead)."""
    site = records.get(store, rid, with_body=False)
    if site["kind"] != "site":
        raise UserError(messages.MATCH_NOT_A_SITE.format(id=rid))
    result = Match(site)
    kind = KINDS["lead"]
    closed = set(kind.pipeline.closed) if kind.pipeline else set()
    for lead in records.stream(store, records.query([kind], Filters())):
        if lead.get("status") in closed:
            continue
        wanted = NEED_TYPES.get(lead.get("need") or "")
        district = lead.get("region_code")
        fit = _site_for_lead(site, lead, wanted, district, _city(district), _industries(lead), tolerance)
        if fit is not None:
            result.leads.append(Fit(lead, fit.score, fit.reasons))
    result.leads.sort(key=lambda f: (-f.score, f.record["id"]))
    del result.leads[limit:]
    return result
