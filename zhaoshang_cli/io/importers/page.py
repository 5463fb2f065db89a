"""Scraped portal pages (GUIDE.md §1) → rows for the import path.

Anatomy::

    【武清招商】title                     title line with a region tag
    所属地区:天津                         labels (full-width colons, traditional
    发布日期:2025年07月17日               characters and a time after the date are fine)
    body …                               numbered sections, sometimes repeated
    天津招商项目 / 更多项目               listing block → articles
    title / 2025-07-29 …
    天津优惠政策 / 更多政策               listing block → policies
    navigation words …                   dropped

The page's main record is a policy when its title reads as a notice, else an article.
Its region is the more specific of the title tag and 所属地区; a listed entry takes
the region its own title names, within the page's region, else the page's region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import messages
from ...domain.hanzi import simplified
from ...errors import UserError
from .encoding import decode
from .inputs import read_input
from .rows import SourceRow

PAGE_SUFFIXES = (".txt", ".html", ".htm", ".text")
_LABELS = {
    "所属地区": "region", "地区": "region", "所在地区": "region", "区域": "region",
    "发布日期": "date", "发布时间": "date", "日期": "date", "时间": "date", "发文日期": "date", "成文日期": "date",
    "文号": "doc_no", "发文字号": "doc_no",
    "来源": "source", "信息来源": "source",
    "发文机关": "issuer", "发布机构": "issuer",
}
_LABEL = re.compile(r"(" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[:：]\s*")
_TAG = re.compile(r"^[【\[](.+?)[】\]]\s*")
_MORE = re.compile(r"^(更多|查看更多|more)", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_NOTICE = re.compile(r"(关于印发|关于.+的(?:通知|意见|决定|批复|公告|通告|函)"
                     r"|(?:通知|办法|意见|措施|方案|规定|细则|条例|决定|公告|通告|规划|政策|指引)$)")
_ISSUER = re.compile(r"^(.{2,40}?(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅"
                     r"|委员会|管委会|管理委员会|局|厅|部|署|办))(?:关于)")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[【(（]\d{4}[〕\]】)）]\s*\d+\s*号")
_NAVIGATION = set("""
首页 返回 返回顶部 上一篇 下一篇 分享 分享到 打印 关闭 收藏 联系我们 企业入驻 立即获取 立即咨询 在线咨询 免费咨询
招商政策 投资流程 土地招拍挂 厂房价格 注册公司 优惠政策 外商投资 外商投资指南 买地自建 厂房租赁 写字楼租赁 公司注册
产业园区 招商引资 招商项目 投资环境 园区介绍 新闻中心 关于我们 网站地图 免责声明 更多 更多项目 更多政策
""".split())


@dataclass
class Page:
    title: str | None = None
    title_line: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    body: list[str] = field(default_factory=list)
    blocks: list[tuple[str, list[tuple[int, str, str]]]] = field(default_factory=list)  # kind, [(line, title, date)]


_PROMOTION_TAG = re.compile(r"^[【\[][^】\]]*招商[^】\]]*[】\]]")
_OFFICIAL = re.compile(r"关于印发.+的通知|(?:办法|规定|条例|细则)(?:（试行）|\(试行\))?$")


def is_notice(title: str) -> bool:
    """Whether a page's title reads as a policy.  A title tagged as the portal's own news
    (【武清招商】…) is an article unless it reads as an official document: 关于印发…的通知,
    a 办法/规定/条例/细则, or a title that starts with its issuer (…人民政府关于…)."""
    text = title.strip()
    if _PROMOTION_TAG.match(text):
        plain = _TAG.sub("", text)
        return bool(_OFFICIAL.search(plain)) or issuer_of(plain) is not None
    return bool(_NOTICE.search(text))


def issuer_of(title: str) -> str | None:
    """The issuing authority a notice title starts with: 和平区人民政府办公室关于… → 和平区人民政府办公室."""
    m = _ISSUER.match(_TAG.sub("", title.strip()))
    return m.group(1) if m else None


def _is_navigation(line: str) -> bool:
    text = line.strip().lstrip("-•·*").strip()
    if not text:
        return True
    if text in _NAVIGATION:
        return True
    # "天津产业园区", "天津投资流程": a place name glued to a navigation word
    return len(text) <= 10 and any(text.endswith(word) for word in _NAVIGATION if len(word) >= 4)


def _listing_kind(header: str, more: str) -> str:
    return "policy" if "政策" in header + more or "政策" in more else "article"


def parse(text: str) -> Page:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    page = Page()
    i, n = 0, len(lines)
    while i < n and not lines[i].strip():
        i += 1
    if i < n and not _LABEL.match(simplified(lines[i].strip())):
        page.title, page.title_line = lines[i].strip(), i + 1
        i += 1
    # labels: one or more "标签:值" per line, until a line that is not one; traditional labels
    # (所屬地區) are read simplified, their values are kept as written
    while i < n:
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        found = list(_LABEL.finditer(simplified(line)))
        if not found or found[0].start() != 0:
            break
        for j, m in enumerate(found):
            end = found[j + 1].start() if j + 1 < len(found) else len(line)
            page.labels.setdefault(_LABELS[m.group(1)], line[m.end():end].strip())
        i += 1
    # body, until the first listing block
    seen: set[str] = set()
    while i < n:
        line = lines[i].strip()
        if _block_starts(lines, i):
            break
        if line and line not in seen and not _is_navigation(line):
            seen.add(line)
            page.body.append(line)
        i += 1
    # listing blocks: header, "更多…", then (title, date) pairs
    while i < n:
        if _block_starts(lines, i):
            header = lines[i].strip()
            j = _next_text(lines, i + 1)
            kind = _listing_kind(header, lines[j].strip())
            entries: list[tuple[int, str, str]] = []
            k = _next_text(lines, j + 1)
            while k < n:
                d = _next_text(lines, k + 1)
                if d < n and _DATE_LINE.match(lines[d].strip()) and not _DATE_LINE.match(lines[k].strip()):
                    entries.append((k + 1, lines[k].strip(), lines[d].strip()))
                    k = _next_text(lines, d + 1)
                else:
                    break
            page.blocks.append((kind, entries))
            i = k
        else:
            i += 1
    # a trailing run of short lines (navigation the filter above did not know) is not body
    while page.body and len(page.body[-1]) <= 8 and not re.search(r"[。；;！!？?]$", page.body[-1]):
        page.body.pop()
    return page


def _next_text(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _block_starts(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    if not line or len(line) > 20:
        return False
    j = _next_text(lines, i + 1)
    return j < len(lines) and bool(_MORE.match(lines[j].strip()))


# -- from a parsed page to import rows -----------------------------------------------------
def _region_code(page: Page, context: str | None = None) -> tuple[str | None, str | None]:
    """(the page's region from 所属地区, the main record's: the more specific of it and the title
    tag).  Names are read inside ``context`` (--in, the home region) first."""
    from ...domain.regions import table

    tbl = table()
    site = tag_region = None
    if page.labels.get("region"):
        try:
            site = tbl.resolve(page.labels["region"], context).code
        except UserError:
            pass
    tag = _TAG.match(page.title or "")
    if tag:
        name = re.sub(r"(招商|投资|资讯|新闻|动态|政策|网)+$", "", simplified(tag.group(1)))
        try:
            tag_region = tbl.resolve(name, site or context).code
        except UserError:
            pass
    main = tbl.most_specific([c for c in (site, tag_region) if c])
    return site or tag_region, main


def _entry_region(title: str, page_region: str | None) -> str | None:
    from ...domain.regions import table

    tbl = table()
    return tbl.most_specific(tbl.mentions(title, page_region)) or page_region


def rows_of(page: Page, name: str, context: str | None = None) -> list[SourceRow]:
    """The page's main record and its listed entries, as rows; UserError if it has no title or date."""
    if not page.title:
        raise UserError(messages.PAGE_NO_TITLE)
    if not page.labels.get("date"):
        raise UserError(messages.PAGE_NO_DATE)
    page_region, main_region = _region_code(page, context)
    main: dict[str, Any] = {"title": page.title, "date": page.labels["date"], "region_code": main_region}
    body = list(page.body)
    doc_no = page.labels.get("doc_no")
    if not doc_no and body and _DOC_NO.fullmatch(body[0]):
        doc_no = body.pop(0)
    kind = "policy" if is_notice(page.title) or doc_no else "article"
    main["body"] = "\n".join(body)
    if kind == "policy":
        main["doc_no"] = doc_no
        main["issuer"] = page.labels.get("issuer") or issuer_of(page.title)
    elif page.labels.get("source"):
        main["source"] = page.labels["source"]
    if main_region is None:
        main.pop("region_code")
        main["region"] = page.labels.get("region")
    rows = [SourceRow(name, page.title_line, main, kind)]
    for block_kind, entries in page.blocks:
        for line, title, date in entries:
            entry: dict[str, Any] = {"title": title, "date": date}
            region = _entry_region(title, page_region or context)
            if region:
                entry["region_code"] = region
            if block_kind == "policy":
                entry["issuer"] = issuer_of(title)
            rows.append(SourceRow(name, line, entry, block_kind))
    return rows


def page_rows(path: str, encoding: str | None = None,
              context: str | None = None) -> tuple[list[SourceRow], str | None]:
    """Rows of one page file, or ([], why it was skipped)."""
    name, raw = read_input(path)
    text = decode(raw, name, encoding)
    try:
        return rows_of(parse(text), name, context), None
    except UserError as exc:
        return [], exc.message


def page_files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in PAGE_SUFFIXES)
            if not found:
                raise UserError(messages.NO_PAGES.format(path=path))
            files += found
        else:
            files.append(path)
    return files
