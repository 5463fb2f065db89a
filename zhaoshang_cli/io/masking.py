"""Contact data hidden from people reading output: phones, e-mails, WeChat and QQ IDs.

``masked`` is what `list`, `filter` and `show` apply to every record unless --reveal, in
every format: the phone and e-mail fields of a record (a lead's), and each ``extra`` value whose key names a
contact channel (手机, 电话, 微信, QQ, mobile, tel, email…) or whose text holds a phone
number, an e-mail address or a labelled WeChat/QQ ID.  In a record of a kind that holds
personal data, the phones, e-mails and labelled IDs written in its free text are masked
too: text fields (company, contact, address, need, source…), tags, the texts of its notes
and the notes of its status moves; typed values (dates, amounts, region codes, choices,
URLs) are left as they are.  `export` applies nothing: its output is the data itself.
``quoted`` masks a value echoed in an error message.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from ..patterns import lazy

# keys of extra columns that name a contact channel: CJK words anywhere in the key,
# Latin words as whole words (tokens of letters), alone or with a no/number/id suffix
_CONTACT_CJK = ("电话", "手机", "座机", "固话", "传真", "微信", "邮箱", "邮件", "联系方式", "扣扣")
_CONTACT_WORD = lazy(
    r"(?:tel|tele|telephone|phone|mobile|mob|cell|cellphone|fax|e?mail|wechat|weixin|wx|wxid|qq|whatsapp|skype)"
    r"(?:no|num|number|id|addr|address)?")

_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_MOBILE = r"(?<!\d)(?:\+?86[\s\-]?)?(?P<m1>1[3-9]\d)[\s\-]?\d{4}[\s\-]?(?P<m4>\d{4})(?!\d)"
_LANDLINE = (r"(?<!\d)(?:\+?86[\s\-]?)?[(（]?(?P<area>0[12]\d|0[3-9]\d{2})[)）]?[\s\-]?(?P<local>\d{7,8})"
             r"(?:(?:转|分机|ext\.?|x|#|-)\d{1,6})?(?!\d)")
_SERVICE = r"(?<!\d)(?P<s1>[48]00)[\s\-]?\d{3}[\s\-]?(?P<s4>\d{4})(?!\d)"
_LABELLED = (r"(?<![A-Za-z0-9_])(?P<label>(?:微信号?|wechat|weixin|wx|qq号?)\s*[:：]?\s*)"
             r"(?P<handle>[A-Za-z0-9_\-]{5,20})(?![A-Za-z0-9_\-])")
_WXID = r"wxid_[A-Za-z0-9_\-]+"
_IN_TEXT = lazy(f"(?P<email>{_EMAIL})|(?P<wxid>{_WXID})|{_LABELLED}|{_MOBILE}|{_SERVICE}|{_LANDLINE}",
                      re.IGNORECASE)
# what any of those needs, also in full width: an @, a label's first character (微, w, q), or
# a digit and nine more digits, spaces, hyphens or brackets (every phone has ten digits or
# more).  Text without one (most names, addresses, notes) is passed over by this scan, which
# starts from one character class and so costs a small part of a search with the above.
_HINT = lazy(r"[@＠微wWｗＷqQｑＱ0-9０-９](?:(?<![0-9０-９])|[\s\-－()（）+0-9０-９]{9})")
# full-width forms of ASCII (１３９…, ＠, ＱＱ) as typed with a Chinese input method: matched
# as their ASCII forms, one character for one, so a match's place is the same in the text.
# Only these make a difference (the patterns know ：（）, and every text has ，)
_FULL_WIDTH = lazy("[０-９Ａ-Ｚａ-ｚ＠－＿．＋]")
_TO_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def mask_phone(phone: str) -> str:
    """A stored phone (contacts.parse_phone): 138****5678, 022-****5678, 400-***-1234; an
    extension is left out."""
    if not phone:
        return ""
    parts = phone.split("-")
    if len(parts) >= 3 and parts[0] in ("400", "800") and len(parts[1]) == 3:
        return f"{parts[0]}-***-{parts[2]}"
    if len(parts) >= 2:
        area, number = parts[0], parts[1]
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    return phone[:3] + "****" + phone[-4:]


def mask_email(email: str) -> str:
    """A stored e-mail: w***@example.com."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return (local[0] + "***" if local else "***") + "@" + domain


def mask_text(text: str) -> str:
    """Any value: up to the first 3 and last 2 characters kept (fewer when it is short),
    the rest starred: enough to find the cell, not enough to use the number."""
    n = len(text)
    head, tail = min(3, n // 3), min(2, n // 4)
    return text[:head] + "*" * min(n - head - tail, 16) + (text[n - tail:] if tail else "")


def quoted(value: object) -> str:
    """A personal value as an error message may quote it."""
    return mask_text(str(value))


def _in_text(match: re.Match[str]) -> str:
    if match["email"]:
        return mask_email(match["email"])
    if match["handle"]:
        return match["label"] + mask_text(match["handle"])
    if match["wxid"]:
        return mask_text(match["wxid"])
    if match["m1"]:
        return f"{match['m1']}****{match['m4']}"
    if match["s1"]:
        return f"{match['s1']}-***-{match['s4']}"
    local = match["local"]
    return f"{match['area']}-{'*' * (len(local) - 4)}{local[-4:]}"


def mask_in_text(text: str) -> str:
    """``text`` with the phones, e-mails and labelled WeChat/QQ IDs in it masked (written
    in full-width characters too); ``text`` itself when it holds none."""
    if not _HINT.search(text):
        return text
    if not _FULL_WIDTH.search(text):
        return _IN_TEXT.sub(_in_text, text)
    parts: list[str] = []
    end = 0
    for match in _IN_TEXT.finditer(text.translate(_TO_ASCII)):
        shown = _in_text(match)
        if match["handle"]:  # its label as written
            shown = text[match.start():match.start("handle")] + shown[len(match["label"]):]
        parts += (text[end:match.start()], shown)
        end = match.end()
    return "".join(parts) + text[end:] if parts else text


def is_contact_key(key: object) -> bool:
    name = unicodedata.normalize("NFKC", str(key)).lower()
    return any(word in name for word in _CONTACT_CJK) or \
        any(_CONTACT_WORD.fullmatch(token) for token in re.findall(r"[a-z]+", name))


def mask_value(value: Any, contact: bool = False) -> Any:
    """An extra value masked: wholly when it sits under a contact key (``contact``),
    else the contact data found in its text; lists and objects value by value."""
    if isinstance(value, dict):
        return {k: mask_value(v, contact or is_contact_key(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, contact) for v in value]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return value
    text = str(value)
    found = mask_in_text(text)
    if found != text:
        return found
    return mask_text(text) if contact and text else value


@lru_cache(maxsize=1)
def _kinds() -> dict[str, Any]:
    """The registry of kinds (the same dict as kinds are added), imported once, not per record."""
    from ..domain.kind import KINDS

    return KINDS


# field types whose values people write in their own words; notes and history are lists of
# entries, each with its text under a key
_FREE_TEXT = ("text", "suggest", "source", "tags")
_ENTRY_TEXT = {"notes": "text", "history": "note"}


@lru_cache(maxsize=64)
def _free_text(kind: Any) -> tuple[tuple[str, str | None], ...]:
    """The fields of ``kind`` whose text is searched for contact data, each with the key of
    the text in its entries (None: the value, or each item of it, is the text); none unless
    the kind holds personal data."""
    if not kind.personal:
        return ()
    return tuple((spec.name, _ENTRY_TEXT.get(spec.type)) for spec in kind.fields
                 if spec.type in _FREE_TEXT or spec.type in _ENTRY_TEXT)


def _is_link(text: str) -> bool:
    """A value that is a web address as a whole (a lead's source: the page it came from, which
    `show` looks up by it) is a link, not text: left as it is."""
    return text.startswith(("http://", "https://")) and len(text.split()) == 1


def _in_free_text(value: Any, key: str | None) -> Any:
    """A free-text value (a text, a list of texts, or of entries with their text under
    ``key``) with the contact data in it masked: a copy, or ``value`` itself if none."""
    if isinstance(value, str):
        found = mask_in_text(value)
        return value if found == value else found
    if not isinstance(value, list):
        return value
    out = value
    for i, item in enumerate(value):
        text = item.get(key) if key is not None and isinstance(item, dict) else item
        if not isinstance(text, str):
            continue
        found = mask_in_text(text)
        if found != text:
            if out is value:
                out = list(value)
            out[i] = found if key is None else {**item, key: found}
    return out


def masked(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` as people may see it without --reveal: a masked copy, or the record
    itself when it holds no contact data."""
    changes: dict[str, Any] = {}
    kind = _kinds().get(record.get("kind", ""))
    for spec in kind.contact_fields if kind is not None else ():  # the kind's phone and e-mail fields
        value = record.get(spec.name)
        if value:
            changes[spec.name] = mask_email(value) if spec.type == "email" else mask_phone(value)
    for name, key in _free_text(kind) if kind is not None else ():  # contact data written in its text
        value = record.get(name)
        if not value or isinstance(value, str) and (not _HINT.search(value) or _is_link(value)):
            continue  # most texts stop at the hint
        found = _in_free_text(value, key)
        if found is not value:
            changes[name] = found
    if record.get("extra"):
        extra = mask_value(record["extra"])
        if extra != record["extra"]:
            changes["extra"] = extra
    return {**record, **changes} if changes else record


class ForPeople:
    """Records masked as they pass, unless ``reveal``; ``masked`` says whether any was (in
    one of ``fields``, when only those are shown)."""

    def __init__(self, records: Any, reveal: bool, fields: list[str] | None = None):
        self.records = records
        self.reveal = reveal
        self.fields = fields
        self.masked = False

    def __iter__(self) -> Any:
        for record in self.records:
            if self.reveal:
                yield record
                continue
            shown = masked(record)
            if not self.masked and shown is not record:
                self.masked = self.fields is None or any(shown.get(f) != record.get(f) for f in self.fields)
            yield shown
