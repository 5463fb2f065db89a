"""The three record kinds, their fields and their public (JSON) shape.

A stored document holds only non-empty fields; the region is stored as its code.  The
public form, used by every output format and by import, has every field in a fixed
order, ``region`` as a name beside ``region_code``, and ``id``/``kind`` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .. import messages
from ..errors import UsageError
from .values import DEFAULT_CURRENCY

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


@dataclass(frozen=True, eq=False)
class Field:
    name: str
    label: str
    # text, date, region, url, phone, email, amount, currency, flag, choice, suggest (an open
    # choice), tags, source, notes, history
    type: str = "text"
    required: bool = False
    apart: bool = False  # kept in the body log, not the listing table
    choices: Mapping[str, str] | None = None  # choice: every spelling → the value; suggest: the usual ones
    help: str = ""
    settable: bool = True  # can be set with add/edit options
    part_of: str | None = None  # a part of another field's value, given and changed with it (amount_high)
    limit: int = 0  # suggest: the most characters of a value outside the usual ones


@dataclass(frozen=True, eq=False)
class Kind:
    name: str
    plural: str
    prefix: str
    table: str
    label: str
    title_field: str
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name)  # type: ignore[attr-defined]

    @property
    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    @property
    def public_fields(self) -> list[str]:
        names = ["id", "kind"]
        for f in self.fields:
            names.append(f.name)
            if f.type == "region":
                names += ["region_code", "zone"]
        return names + ["extra", "created_at", "updated_at"]

    @property
    def has_body(self) -> bool:
        return any(f.apart for f in self.fields)


def _f(name: str, label: str, type: str = "text", **kw: Any) -> Field:
    return Field(name, label, type, **{"help": messages.FIELD_HELP.get(name, ""), **kw})


ARTICLE = Kind("article", "articles", "a", "articles", "文章", "title", (
    _f("title", "标题", required=True),
    _f("region", "地区", "region", required=True),
    _f("date", "发布日期", "date", required=True),
    _f("url", "链接", "url"),
    _f("source", "来源"),
    _f("category", "栏目"),
    _f("tags", "标签", "tags"),
    _f("summary", "摘要"),
    _f("body", "正文", apart=True),
))
POLICY = Kind("policy", "policies", "p", "policies", "政策", "title", (
    _f("title", "标题", required=True),
    _f("issuer", "发文机关"),
    _f("doc_no", "文号"),
    _f("region", "地区", "region", required=True),
    _f("date", "发布日期", "date", required=True),
    _f("effective", "生效日期", "date"),
    _f("expiry", "失效日期", "date"),
    _f("category", "类别"),
    _f("url", "链接", "url"),
    _f("body", "正文", apart=True),
))
LEAD = Kind("lead", "leads", "l", "leads", "线索", "company", (
    _f("company", "企业名称", required=True),
    _f("contact", "联系人"),
    _f("phone", "联系电话", "phone"),
    _f("email", "邮箱", "email"),
    _f("address", "地址"),
    _f("industry", "行业"),
    _f("region", "意向地区", "region"),
    _f("amount", "投资额", "amount"),
    _f("amount_high", "投资额上限", "amount", part_of="amount", settable=False),
    _f("currency", "币种", "currency", part_of="amount", settable=False),
    _f("amount_approx", "投资额为约数", "flag", part_of="amount", settable=False),
    _f("need", "需求", "suggest", choices=_NEED_ALIASES, limit=NEED_LIMIT,
       help=messages.FIELD_HELP["need"].format(usual=", ".join(NEEDS), limit=NEED_LIMIT)),
    _f("status", "状态", "choice", choices=_STATUS_ALIASES),
    _f("source", "来源", "source"),
    _f("date", "登记日期", "date"),
    _f("due", "下次跟进", "date"),
    _f("notes", "备注", "notes"),
    _f("history", "状态记录", "history", settable=False),
))
KINDS: dict[str, Kind] = {k.name: k for k in (ARTICLE, POLICY, LEAD)}
_KIND_NAMES = {**{k.name: k for k in KINDS.values()}, **{k.plural: k for k in KINDS.values()},
               **{k.label: k for k in KINDS.values()}, "项目": ARTICLE, "资讯": ARTICLE, "新闻": ARTICLE,
               "客户": LEAD, "企业": LEAD}
_BY_PREFIX = {k.prefix: k for k in KINDS.values()}


def kind_named(text: str) -> Kind:
    kind = _KIND_NAMES.get(text.strip().lower())
    if kind is None:
        raise UsageError(messages.KIND_UNKNOWN.format(value=text))
    return kind


def kind_of_id(record_id: str) -> Kind:
    return _BY_PREFIX[record_id[0]]


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and not (
        value.strip() if isinstance(value, str) else value))


# -- the public shape ----------------------------------------------------------------------
def record_id(kind: Kind, number: int | str) -> str:
    return f"{kind.prefix}{number}"


def to_public(kind: Kind, number: int | str, doc: Mapping[str, Any], body: str | None = None) -> dict[str, Any]:
    """The record as every output format shows it: all fields, fixed order."""
    from .regions import table

    out: dict[str, Any] = {"id": record_id(kind, number), "kind": kind.name}
    for spec in kind.fields:
        if spec.type == "region":
            code = doc.get("region_code")
            out[spec.name] = table().name(code) if code else None
            out["region_code"] = code
            out["zone"] = doc.get("zone")
        elif spec.apart:
            out[spec.name] = body
        elif spec.type in ("tags", "notes", "history"):
            out[spec.name] = list(doc.get(spec.name, []))
        elif spec.part_of and spec.type in ("currency", "flag") and doc.get(spec.part_of) is not None:
            # stored only when not the default: yuan, exact
            out[spec.name] = doc.get(spec.name) or (DEFAULT_CURRENCY if spec.type == "currency" else False)
        else:
            out[spec.name] = doc.get(spec.name)
    out["extra"] = dict(doc.get("extra", {}))
    out["created_at"] = doc.get("created_at")
    out["updated_at"] = doc.get("updated_at")
    return out
