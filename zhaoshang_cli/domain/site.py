"""Sites (载体): the land, buildings and offices an office can offer an investor.

A site has a name, a type (土地, 标准厂房, 定制厂房, 写字楼, 仓库, 孵化器…, an open list), a region
(and zone), an area and a price as offices quote them (measures.py: kept in one unit beside the
words), the day it is available from, a status (可租, 可售, 已预订, 已占用), the industries it
suits, and a contact.  It has no publication date: its day is when it is available.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import messages
from .kind import Column, Kind, Roles, normalise_title, register
from .kind import text_field as f

TYPES = ("土地", "标准厂房", "定制厂房", "写字楼", "仓库", "孵化器")
TYPE_LIMIT = 20  # characters of any other type, kept as written
_TYPE_ALIASES = {t: t for t in TYPES} | {
    "工业用地": "土地", "用地": "土地", "地块": "土地", "厂房": "标准厂房", "标准化厂房": "标准厂房",
    "定制厂房（代建）": "定制厂房", "办公楼": "写字楼", "办公": "写字楼", "库房": "仓库", "仓储": "仓库",
    "land": "土地", "plant": "标准厂房", "factory": "标准厂房", "office": "写字楼", "warehouse": "仓库",
    "incubator": "孵化器", "众创空间": "孵化器",
}
STATUSES = ("可租", "可售", "已预订", "已占用")
AVAILABLE = ("可租", "可售")
_STATUS_ALIASES = {s: s for s in STATUSES} | {
    "出租": "可租", "招租": "可租", "待租": "可租", "for-rent": "可租", "rent": "可租", "出售": "可售", "待售": "可售",
    "for-sale": "可售", "sale": "可售", "预订": "已预订", "已预定": "已预订", "reserved": "已预订",
    "占用": "已占用", "已租": "已占用", "已售": "已占用", "taken": "已占用",
}


_HELP = messages.SITE_FIELD_HELP


def _natural_key(doc: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The same site: its name in its district."""
    name = normalise_title(doc.get("name", ""))
    return ("site", name, doc.get("region_code") or "") if name else None


def _defaults(doc: dict[str, Any], today: Any, now: str) -> None:
    doc.setdefault("status", STATUSES[0])


SITE = register(Kind(
    "site", "sites", "s", "载体", "name",
    fields=(
        f("name", "载体名称", required=True, help=_HELP["name"]),
        f("type", "类型", "suggest", choices=_TYPE_ALIASES, limit=TYPE_LIMIT,
          help=_HELP["type"].format(usual=", ".join(TYPES), limit=TYPE_LIMIT)),
        f("region", "所在区域", "region", required=True),
        f("area", "面积", "area", help=_HELP["area"]),
        f("area_as_written", "面积原文", "words", part_of="area", settable=False),
        f("price", "价格", "price", help=_HELP["price"]),
        f("price_unit", "价格单位", "words", part_of="price", settable=False),
        f("price_as_written", "价格原文", "words", part_of="price", settable=False),
        f("available", "可入驻时间", "date", help=_HELP["available"]),
        f("status", "状态", "choice", choices=_STATUS_ALIASES, help=_HELP["status"]),
        f("industries", "适合产业", "tags", help=_HELP["industries"]),
        f("contact", "联系人"),
        f("phone", "联系电话", "phone"),
        f("source", "来源", "source"),
        f("notes", "备注", "notes"),
    ),
    aliases=("场地",),
    columns=(
        Column("载体名称", "name", min_width=10, flexible=True),
        Column("类型", "type", max_width=8),
        Column("地区", "region", min_width=4, max_width=10),
        Column("面积", "area_as_written", max_width=12, justify="right"),
        Column("价格", "price_as_written", max_width=14, optional=True),
        Column("状态", "status", min_width=4, max_width=6),
    ),
    natural_key=_natural_key,
    defaults=_defaults,
    roles=Roles(),  # no publication date, no amount, no pipeline: said, not guessed
    reported=(("status", AVAILABLE),),  # a report counts the sites an office can still offer
))
