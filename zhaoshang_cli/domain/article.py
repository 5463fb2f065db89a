"""Articles: news items of a region (【武清招商】…), with a body."""

from __future__ import annotations

from .kind import Column, Kind, Roles, register
from .kind import text_field as f

ARTICLE = register(Kind(
    "article", "articles", "a", "文章", "title",
    fields=(
        f("title", "标题", required=True),
        f("region", "地区", "region", required=True),
        f("date", "发布日期", "date", required=True),
        f("url", "链接", "url"),
        f("source", "来源"),
        f("category", "栏目"),
        f("tags", "标签", "tags"),
        f("summary", "摘要"),
        f("body", "正文", apart=True),
    ),
    aliases=("项目", "资讯", "新闻"),
    columns=(
        Column("标题", "title", min_width=16, flexible=True),
        Column("地区", "region", min_width=4, max_width=16),
        Column("发布日期", "date", min_width=10, max_width=10),
    ),
    roles=Roles(date="date"),
))
