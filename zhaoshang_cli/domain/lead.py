"""Leads: investors who asked for information, and how far they got.

A lead has an owner (负责人), the colleague who follows it up.  It moves through a pipeline
(新线索 → 已联系 → 已考察 → 洽谈中 → 已签约, or 已流失), each move kept in its history with
the time and who made it; it has a next follow-up date, notes, an amount in its own
currency, and needs a phone or an e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .. import messages
from ..errors import FieldError
from .kind import Column, Document, Kind, Pipeline, Roles, is_empty, normalise_title, register
from .kind import text_field as f
from .people import current_user

STATUSES = ("new", "contacted", "visited", "negotiating", "signed", "lost")
STATUS_LABELS = {"new": "新线索", "contacted": "已联系", "visited": "已考察", "negotiating": "洽谈中",
                 "signed": "已签约", "lost": "已流失"}
_STATUS_ALIASES = {s: s for s in STATUSES} | {v: k for k, v in STATUS_LABELS.items()} | {
    "新建": "new", "新": "new", "联系": "contacted", "已拜访": "visited", "考察": "visited", "拜访": "visited",
    "洽谈": "negotiating", "谈判": "negotiating", "签约": "signed", "已签": "signed", "流失": "lost",
    "丢失": "lost", "放弃": "lost",
}
NEEDS = ("买地自建", "厂房租赁", "标准厂房", "写字楼租赁", "公司注册", "并购", "其他")  # the usual ones
NEED_LIMIT = 20  # characters of any other need, kept as written
_NEED_ALIASES = {n: n for n in NEEDS} | {
    "注册公司": "公司注册", "land": "买地自建", "买地": "买地自建", "土地": "买地自建", "拿地": "买地自建",
    "plant": "厂房租赁", "factory": "厂房租赁", "厂房": "厂房租赁", "租赁厂房": "厂房租赁", "office": "写字楼租赁",
    "写字楼": "写字楼租赁", "办公": "写字楼租赁", "company": "公司注册", "register": "公司注册",
    "标准化厂房": "标准厂房", "收购": "并购", "兼并": "并购", "m&a": "并购",
    "other": "其他", "其它": "其他",
}
PIPELINE = Pipeline(statuses=STATUSES, labels=STATUS_LABELS, aliases=_STATUS_ALIASES,
                    path=("new", "contacted", "visited", "negotiating", "signed"), won="signed",
                    closed=("signed", "lost"), start="new")


def _natural_key(doc: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The same company reached at the same phone or e-mail."""
    reach = doc.get("phone") or doc.get("email")
    return ("lead", reach, normalise_title(doc.get("company", ""))) if reach else None


def _defaults(doc: Document, today: date, now: str) -> None:
    """A new lead starts as new (or where its given history ends), registered today, with
    its creation as the first history entry; one registered as signed was signed that day."""
    history = doc.get("history")
    doc.setdefault("status", history[-1]["to"] if history else PIPELINE.start)
    doc.setdefault("date", today.isoformat())
    doc.setdefault("history", [{"at": now, "by": current_user(), "to": doc["status"]}])
    if doc["status"] == PIPELINE.won:  # signed when registered, unless a sheet says when
        doc.setdefault("signed_on", doc["date"])


def _checks(doc: Mapping[str, Any]) -> list[FieldError]:
    if is_empty(doc.get("phone")) and is_empty(doc.get("email")):
        return [FieldError("phone", None, messages.LEAD_NEEDS_CONTACT)]
    return []


LEAD = register(Kind(
    "lead", "leads", "l", "线索", "company",
    fields=(
        f("company", "企业名称", required=True),
        f("contact", "联系人"),
        f("phone", "联系电话", "phone"),
        f("email", "邮箱", "email"),
        f("address", "地址"),
        f("industry", "行业"),
        f("region", "意向地区", "region"),
        f("amount", "投资额", "amount"),
        f("amount_high", "投资额上限", "amount", part_of="amount", settable=False),
        f("currency", "币种", "currency", part_of="amount", settable=False),
        f("amount_approx", "投资额为约数", "flag", part_of="amount", settable=False),
        f("amount_at_least", "投资额为下限", "flag", part_of="amount", settable=False, indexed=False),
        f("need", "需求", "suggest", choices=_NEED_ALIASES, limit=NEED_LIMIT,
          help=messages.FIELD_HELP["need"].format(usual=", ".join(NEEDS), limit=NEED_LIMIT)),
        f("area", "需求面积", "area", indexed=False, help=messages.FIELD_HELP["need_area"]),
        f("area_as_written", "需求面积原文", "words", part_of="area", settable=False, indexed=False),
        f("status", "状态", "choice", choices=_STATUS_ALIASES),
        f("signed_on", "签约日期", "date", indexed=False),
        f("owner", "负责人"),
        f("source", "来源", "source"),
        f("date", "登记日期", "date"),
        f("due", "下次跟进", "date"),
        f("notes", "备注", "notes"),
        f("history", "状态记录", "history", settable=False),
    ),
    aliases=("客户", "企业"),
    columns=(
        Column("企业名称", "company", min_width=10, flexible=True),
        Column("联系人", "contact", max_width=8, optional=True),
        Column("电话", "phone", max_width=17, optional=True),
        Column("地区", "region", min_width=4, max_width=10),
        Column("投资额", "amount", min_width=6, max_width=14, justify="right"),
        Column("需求", "need", max_width=10, optional=True),
        Column("状态", "status", min_width=6, max_width=6),
        Column("负责人", "owner", max_width=8, optional=True),
        Column("下次跟进", "due", min_width=10, max_width=15),
    ),
    pipeline=PIPELINE,
    natural_key=_natural_key,
    defaults=_defaults,
    checks=_checks,
    key_label=messages.KEY_LEAD,
    roles=Roles(date="date", amount="amount", status="status", follow_up="due", won_on="signed_on"),
))
