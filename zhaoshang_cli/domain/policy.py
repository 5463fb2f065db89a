"""Policies: government notices and incentives (…关于印发…的通知), with a document number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import messages
from ..errors import FieldError
from .kind import Column, Kind, Roles, register
from .kind import text_field as f


def _checks(doc: Mapping[str, Any]) -> list[FieldError]:
    if doc.get("effective") and doc.get("expiry") and doc["expiry"] < doc["effective"]:
        return [FieldError("expiry", doc["expiry"], messages.EXPIRY_BEFORE_EFFECTIVE.format(
            expiry=doc["expiry"], effective=doc["effective"]))]
    return []


POLICY = register(Kind(
    "policy", "policies", "p", "政策", "title",
    fields=(
        f("title", "标题", required=True),
        f("issuer", "发文机关"),
        f("doc_no", "文号"),
        f("region", "地区", "region", required=True),
        f("date", "发布日期", "date", required=True),
        f("effective", "生效日期", "date"),
        f("expiry", "失效日期", "date"),
        f("category", "类别"),
        f("url", "链接", "url"),
        f("body", "正文", apart=True),
    ),
    columns=(
        Column("标题", "title", min_width=16, flexible=True),
        Column("文号", "doc_no", max_width=16, optional=True),
        Column("地区", "region", min_width=4, max_width=16),
        Column("发布日期", "date", min_width=10, max_width=10),
    ),
    checks=_checks,
    roles=Roles(date="date"),
))
