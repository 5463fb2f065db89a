"""Column names as spreadsheets and scrapers write them, mapped to record fields.

English field names map to themselves; the usual Chinese headers (and their
traditional forms) map to the field they mean, and so do the labels of the registered
kinds' fields (a kind added later is read by its own headers).  ``province``/``city`` are not fields:
they give context to settle a region name found in several places.  ``header_for``
gives the Chinese header an export writes for a field, one this map reads back.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...domain.kind import Kind

from ...domain.hanzi import simplified
from ...patterns import lazy

CONTEXT_COLUMNS = ("province", "city")
META_COLUMNS = ("id", "kind", "region_code", "created_at", "updated_at", "created_by", "updated_by", "extra")

_CHINESE = {
    "title": "标题 题目 标题名称 文章标题 政策名称 文件名称",
    "region": "地区 所属地区 区域 所在地区 所在区域 地域 意向地区 投资地区 意向落户地区 落户地区 意向区县 所在区县 "
              "落地区域 落地区县 意向落地区域 拟落户区县 所属区县 区县 意向区域",
    "zone": "开发区 园区 所在园区 所属园区 功能区 所在开发区",
    "date": "发布日期 日期 发布时间 时间 成文日期 发文日期 登记日期 提交时间 留言时间",
    "url": "链接 网址 原文链接 原文地址 页面地址 url地址",
    "source": "来源 信息来源 线索来源 文章来源",
    "category": "栏目 分类 类别 政策类别 类型分类",
    "tags": "标签 关键词 关键字",
    "summary": "摘要 简介 导语",
    "body": "正文 内容 全文 正文内容",
    "issuer": "发文机关 发文单位 发布机构 发布单位 制定机关",
    "doc_no": "文号 发文字号 发文文号",
    "effective": "生效日期 施行日期 实施日期 生效时间",
    "expiry": "失效日期 有效期至 废止日期 截止日期 失效时间",
    "company": "企业名称 公司名称 企业 公司 单位名称 客户名称 投资方 投资主体 项目单位",
    "contact": "联系人 联系人姓名 姓名 对接人 联络人 企业联系人 项目联系人",
    "phone": "联系电话 电话 手机 手机号 手机号码 联系方式 电话号码",
    "email": "邮箱 电子邮箱 邮件 电子邮件 e-mail 邮箱地址",
    "address": "地址 详细地址 企业地址 公司地址 通讯地址 联系地址 办公地址 注册地址 所在地址",
    "industry": "行业 所属行业 产业 行业类别 所属产业 产业类别 行业领域 产业方向",
    "amount": "投资额 投资金额 拟投资额 计划投资 计划投资额 投资规模 意向投资额 总投资 投资总额 总投资额 项目总投资 "
              "拟投资金额",
    "amount_high": "投资额上限",
    "currency": "币种 货币 币别",
    "amount_approx": "投资额为约数",
    "amount_at_least": "投资额为下限",
    "need": "需求 投资需求 需求类型 落地需求 载体需求",
    "status": "状态 跟进状态 线索状态",
    "due": "下次跟进 跟进日期 下次跟进日期 下次联系",
    "notes": "备注 跟进记录 说明",
    "history": "状态记录",
    "kind": "记录类型",
    "region_code": "区划代码 地区代码 行政区划代码",
    "extra": "扩展字段",
    "created_at": "记录创建时间",
    "updated_at": "记录更新时间",
    "created_by": "记录创建人 录入人 登记人",
    "updated_by": "记录更新人",
    "owner": "负责人 跟进人 责任人 招商负责人 经办人 招商专员 跟进负责人 招商人员",
    "province": "省份 省 所在省份",
    "city": "城市 市 所在城市",
    "id": "编号",
}

ALIASES: dict[str, str] = {name: name for name in (*META_COLUMNS, "history")}
for _field, _names in _CHINESE.items():
    ALIASES[_field] = _field
    for _name in _names.split():
        ALIASES[_name] = _field


# headers of what no field holds, known to every office: kept among the extras, not warned about
KEPT_AS_EXTRA = frozenset(("项目名称", "项目", "项目简介", "项目内容", "项目概况"))
ROW_NUMBERS = frozenset(("序号", "行号", "no.", "no", "#", "序"))  # a sheet's own numbering: not data
TOTALS = frozenset(("合计", "小计", "总计", "总合计", "合计:", "小计:", "总计:"))


def is_row_number(column: object) -> bool:
    """A column that numbers a sheet's rows (序号): left out, never kept among the extras."""
    return _key(str(column)) in ROW_NUMBERS


_TOTAL_CELL = max(map(len, TOTALS)) + 4  # room for spaces around it: a longer cell is no total
_TOTAL_FIRST = frozenset(t[0] for t in TOTALS) | frozenset("總")  # 總計 is read as 总计


def is_total_row(data: dict) -> bool:
    """A row that sums the rows above it (合计, 小计), not a record.  Only short cells are
    looked at: normalising every body of a big import cost more than the rest of reading it."""
    return any(isinstance(v, str) and len(v) <= _TOTAL_CELL and v.strip()[:1] in _TOTAL_FIRST
               and _key(v).rstrip("：") in TOTALS for v in data.values())


def is_kept_as_extra(column: object) -> bool:
    return _key(str(column)) in KEPT_AS_EXTRA


def _key(column: str) -> str:
    key = unicodedata.normalize("NFKC", str(column)).strip().lower().replace(" ", "")
    return simplified(key)


@lru_cache(maxsize=8)
def _aliases(kinds: tuple[Kind, ...]) -> dict[str, str]:
    """The names above, then the name and label of every field of the registered kinds
    (a kind registered later is read by its own headers too)."""
    found = dict(ALIASES)
    for kind in kinds:
        for spec in kind.fields:
            found.setdefault(spec.name, spec.name)
    for kind in kinds:
        for spec in kind.fields:
            found.setdefault(_key(spec.label), spec.name)
    return found


def field_for(column: str) -> str | None:
    """The field a column header means, or None for an unknown column."""
    from ...domain.kind import KINDS

    aliases = _aliases(tuple(KINDS.values()))
    key = _key(column)
    return aliases.get(key) or aliases.get(key.replace("-", "_"))


def header_for(kinds: list[Kind], name: str) -> str:
    """The Chinese header for the public field ``name``: the field's label where the map
    reads it back (标题, 意向地区, 登记日期…), else the first Chinese name above (编号, 区划代码…)."""
    for kind in kinds:
        spec = kind.field(name)
        if spec is not None and field_for(spec.label) == name:
            return spec.label
    if name in _CHINESE:
        return _CHINESE[name].split()[0]
    return name  # a field whose label means another field: its own name reads back


LEFT_OUT = "-"  # a column mapped to nothing (--map '备注2=-'), or a sheet's row numbers: not read
ERROR_COLUMN = "错误"  # why a row was refused, in a rejects file (rejects.py): not read back
_UNIT_TAIL = lazy(r"(.+?)[(\[【]\s*(?:单位\s*[:：]?\s*)?([^()\[\]【】]{1,6}?)\s*[)\]】]")
_AMOUNT_FIELDS = frozenset(("amount", "amount_high"))


def money_unit(text: str) -> str | None:
    """``text`` when it is a unit of money a header may name (万元, 亿元, 万美元, 元), else None."""
    from ...domain.amounts import parse_amount
    from ...errors import FieldError

    if not text or any(c.isdigit() for c in text):
        return None
    try:
        parse_amount("1" + text)
    except FieldError:
        return None
    return text


def mapping_target(text: str, where: str) -> str:
    """The field a mapping names (an English field name or a header this map reads, 联系人),
    or LEFT_OUT for '-'; UsageError for anything else."""
    from ... import messages
    from ...errors import UsageError

    target = text.strip()
    if target in (LEFT_OUT, "ignore", "忽略"):
        return LEFT_OUT
    found = field_for(target)
    if found is None or found == "extra":
        raise UsageError(messages.MAP_FIELD_UNKNOWN.format(where=where, value=text))
    return found


class Headers:
    """How one import reads its column headers: the store's mappings (``config set
    map.HEADER FIELD``) and the ``--map`` options over the usual names, and a unit a header
    names (总投资（万元）) for the bare numbers under it."""

    def __init__(self, mapping: dict[str, str] | None = None):
        self.mapping = {_key(header): target for header, target in (mapping or {}).items()}
        self._specs: dict[str, tuple[str | None, str]] = {}

    def spec(self, column: object) -> tuple[str | None, str]:
        """(the field, or None for an unknown column, or LEFT_OUT; the unit its header names, or "")."""
        text = str(column)
        found = self._specs.get(text)
        if found is None:
            found = self._specs[text] = self._read(text)
        return found

    def field(self, column: object) -> str | None:
        return self.spec(column)[0]

    def _read(self, column: str) -> tuple[str | None, str]:
        key = _key(column)
        m = _UNIT_TAIL.fullmatch(key)
        base, unit = (m[1].strip(), money_unit(m[2])) if m else (key, None)
        for name in (key, base):
            if name in self.mapping:
                target = self.mapping[name]
                return target, (unit or "") if target in _AMOUNT_FIELDS else ""
        if is_row_number(key) or key == ERROR_COLUMN:
            return LEFT_OUT, ""
        found = field_for(key)
        if found is None and m:
            found = field_for(base)
        return found, (unit or "") if found in _AMOUNT_FIELDS else ""

    def known(self, column: object) -> bool:
        found = self.field(column)
        return found is not None and found != LEFT_OUT


PLAIN = Headers()
