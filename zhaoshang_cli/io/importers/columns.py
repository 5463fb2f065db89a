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

CONTEXT_COLUMNS = ("province", "city")
META_COLUMNS = ("id", "kind", "region_code", "created_at", "updated_at", "created_by", "updated_by", "extra")

_CHINESE = {
    "title": "标题 题目 标题名称 文章标题 政策名称 文件名称",
    "region": "地区 所属地区 区域 所在地区 所在区域 地域 意向地区 投资地区 意向落户地区 落户地区",
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
    "company": "企业名称 公司名称 企业 公司 单位名称 客户名称",
    "contact": "联系人 联系人姓名 姓名",
    "phone": "联系电话 电话 手机 手机号 手机号码 联系方式 电话号码",
    "email": "邮箱 电子邮箱 邮件 电子邮件 e-mail 邮箱地址",
    "address": "地址 详细地址 企业地址 公司地址 通讯地址 联系地址 办公地址 注册地址 所在地址",
    "industry": "行业 所属行业 产业 行业类别",
    "amount": "投资额 投资金额 拟投资额 计划投资 计划投资额 投资规模 意向投资额",
    "amount_high": "投资额上限",
    "currency": "币种 货币 币别",
    "amount_approx": "投资额为约数",
    "need": "需求 投资需求 需求类型 落地需求",
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
    "owner": "负责人 跟进人 对接人 责任人 招商负责人 经办人",
    "province": "省份 省 所在省份",
    "city": "城市 市 所在城市",
    "id": "编号",
}

ALIASES: dict[str, str] = {name: name for name in (*META_COLUMNS, "history")}
for _field, _names in _CHINESE.items():
    ALIASES[_field] = _field
    for _name in _names.split():
        ALIASES[_name] = _field


ROW_NUMBERS = frozenset(("序号", "行号", "no.", "no", "#", "序"))  # a sheet's own numbering: not data
TOTALS = frozenset(("合计", "小计", "总计", "总合计", "合计:", "小计:", "总计:"))


def is_row_number(column: object) -> bool:
    """A column that numbers a sheet's rows (序号): left out, never kept among the extras."""
    return _key(str(column)) in ROW_NUMBERS


def is_total_row(data: dict) -> bool:
    """A row that sums the rows above it (合计, 小计), not a record."""
    return any(isinstance(v, str) and _key(v).rstrip("：") in TOTALS for v in data.values())


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
