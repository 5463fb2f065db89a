"""What a stored document must look like, and how to mend one that does not.

A store file can be valid JSON and still be damaged: a counter missing from the meta,
a record that is not an object, a key that is not a number, a date that is no date.
Every command refuses such a file untouched (one line, exit 1); ``doctor`` lists every
problem and ``doctor --fix`` applies the repairs, each of which says what it changed or
dropped.  Checks are per stored key and cheap, since every full read of the store runs
them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache, lru_cache
from typing import Any, NamedTuple

from ... import messages
from ...domain import kind as models
from ...domain.currencies import CURRENCIES
from ...domain.kind import STAMPS, Kind
from ...domain.lead import STATUSES
from ...patterns import lazy

META = "_meta"
BODY = "_body"  # a document's reference into the body log

Document = dict[str, Any]


class Damage(NamedTuple):
    where: str     # "_meta", "articles", "a12"
    problem: str
    repair: Callable[[Document], str]  # mends the document in place; returns what it did


_ISO_DAY = lazy(r"\d{4}-\d{2}-\d{2}")
_CODE = lazy(r"\d{6}")


@lru_cache(maxsize=65536)
def _is_day(value: str) -> bool:
    if not _ISO_DAY.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _text(v: Any) -> bool:
    return type(v) is str


def _day(v: Any) -> bool:
    return type(v) is str and _is_day(v)


def _code(v: Any) -> bool:
    return type(v) is str and _CODE.fullmatch(v) is not None


def _amount(v: Any) -> bool:
    return type(v) is int and 0 <= v < 1 << 62


def _currency(v: Any) -> bool:
    return type(v) is str and v in CURRENCIES


def _flag(v: Any) -> bool:
    return type(v) is bool


def _texts(v: Any) -> bool:
    return type(v) is list and all(type(t) is str for t in v)


def _notes(v: Any) -> bool:
    return type(v) is list and all(type(n) is dict and type(n.get("text")) is str and type(n.get("at", "")) is str
                                   for n in v)


def _history(v: Any) -> bool:
    return type(v) is list and all(type(h) is dict and h.get("to") in STATUSES and type(h.get("at", "")) is str
                                   for h in v)


def _status(v: Any) -> bool:
    return v in STATUSES


def _body_ref(v: Any) -> bool:
    return (type(v) is list and len(v) == 2 and type(v[0]) is int and type(v[1]) is int
            and v[0] >= 0 and v[1] >= 0)


def _object(v: Any) -> bool:
    return type(v) is dict


def _texts_by_name(v: Any) -> bool:
    return type(v) is dict and all(type(t) is str for t in v.values())


def _area(v: Any) -> bool:
    return type(v) is int and v > 0


def _price(v: Any) -> bool:
    return type(v) in (int, float) and v >= 0


_BY_TYPE: dict[str, Callable[[Any], bool]] = {
    "date": _day, "amount": _amount, "currency": _currency, "flag": _flag, "tags": _texts, "notes": _notes,
    "history": _history, "region": _code, "area": _area, "price": _price,
}
_EXPECTED: dict[Callable[[Any], bool], str] = {
    _text: "text", _day: "a date (YYYY-MM-DD)", _code: "a 6-digit region code",
    _amount: "a whole number (of yuan, or of its currency)", _currency: f"one of {', '.join(CURRENCIES)}",
    _flag: "true or false", _texts: "a list of texts", _notes: "a list of notes",
    _history: "a list of status moves", _status: "a lead status", _body_ref: "a body reference",
    _object: "an object", _texts_by_name: "an object of texts",
}


@cache
def field_checks(kind: Kind) -> dict[str, Callable[[Any], bool]]:
    """Stored key → check of its value, for one kind."""
    checks: dict[str, Callable[[Any], bool]] = {**dict.fromkeys(STAMPS, _text), "extra": _object,
                                                BODY: _body_ref, "zone": _text, "uid": _text,
                                                "field_times": _texts_by_name, "field_from": _texts_by_name}
    for spec in kind.fields:
        if spec.apart:
            continue
        key = "region_code" if spec.type == "region" else spec.name
        checks[key] = _BY_TYPE.get(spec.type, _text)
    if kind.field("status") is not None and kind.field("history") is not None:
        checks["status"] = _status
    return checks


def is_number_key(key: str) -> bool:
    return key.isascii() and key.isdigit() and key[0] != "0"


def damage(data: Document, log_generations: list[int] | None = None) -> list[Damage]:
    """Every structural problem of a whole document already known to be ours (app and schema read)."""
    meta = data[META]["1"]
    return meta_damage(data, meta, log_generations or []) + table_damage(data, meta["schema"])


def table_damage(data: Document, schema: int) -> list[Damage]:
    """Problems of the record tables in ``data`` (a whole old store, or one segment)."""
    found: list[Damage] = []
    for kind in models.KINDS.values():
        table = data.get(kind.table)
        if table is None:
            continue
        if type(table) is not dict:
            found.append(Damage(kind.table, messages.DAMAGE_TABLE.format(table=kind.table),
                                _replace_table(kind)))
            continue
        for key, doc in table.items():
            found += record_damage(kind, key, doc, schema)
    return found


def record_damage(kind: Kind, key: str, doc: Any, schema: int = 99) -> list[Damage]:
    """Problems of one stored record (its table key, its document)."""
    where = f"{kind.prefix}{key}"
    if not is_number_key(key):
        return [Damage(f"{kind.table}[{key!r}]", messages.DAMAGE_KEY, _drop_record(kind, key))]
    if type(doc) is not dict:
        return [Damage(where, messages.DAMAGE_NOT_OBJECT, _drop_record(kind, key))]
    found = []
    checks = field_checks(kind)
    for name, value in doc.items():
        check = checks.get(name)
        if check is not None and not check(value):
            problem = messages.DAMAGE_FIELD.format(field=name, value=short(value), expected=_EXPECTED[check])
            repair = (_restore_status(kind, key) if check is _status else
                      _start_history(kind, key) if check is _history else _drop_field(kind, key, name))
            found.append(Damage(where, problem, repair))
    if kind.pipeline is not None and kind.field("history") is not None:
        if "status" not in doc:
            found.append(Damage(where, messages.DAMAGE_NO_STATUS, _restore_status(kind, key)))
        if not doc.get("history") and schema >= 2:  # schema 1 had none; migrated on open
            found.append(Damage(where, messages.DAMAGE_NO_HISTORY, _start_history(kind, key)))
    return found


def meta_damage(data: Document, meta: Document, generations: list[int]) -> list[Damage]:
    found = []
    counters = meta.get("next")
    # a kind added since the store was written has no counter yet: it starts at 1
    if type(counters) is not dict or not all(
            type(counters.get(k.prefix, 1)) is int and counters.get(k.prefix, 1) >= 1 for k in models.KINDS.values()):
        found.append(Damage(META, messages.DAMAGE_COUNTERS, _mend_counters))
    log = meta.get("log")
    if type(log) is not int or log < 1:
        generation = max(generations, default=1)

        def mend_log(doc: Document) -> str:
            doc[META]["1"]["log"] = generation
            return messages.REPAIR_LOG.format(generation=generation)

        found.append(Damage(META, messages.DAMAGE_LOG.format(value=short(log)), mend_log))
    if meta.get("schema", 0) >= 3 and meta.get("bodies") not in ("json", "text"):
        def mend_bodies(doc: Document) -> str:
            doc[META]["1"]["bodies"] = "json"
            return messages.REPAIR_BODIES_FORMAT

        found.append(Damage(META, messages.DAMAGE_BODIES_FORMAT, mend_bodies))
    return found


def highest_numbers(data: Document) -> dict[str, int]:
    """The highest record number stored per ID prefix."""
    top = {}
    for kind in models.KINDS.values():
        table = data.get(kind.table)
        numbers = [int(k) for k in table if is_number_key(k)] if type(table) is dict else []
        top[kind.prefix] = max(numbers, default=0)
    return top


def _mend_counters(doc: Document) -> str:
    meta = doc[META]["1"]
    old = meta.get("next") if type(meta.get("next")) is dict else {}
    top = highest_numbers(doc)
    meta["next"] = {prefix: max(old.get(prefix, 1) if type(old.get(prefix)) is int else 1, top[prefix] + 1)
                    for prefix in top}
    return messages.REPAIR_COUNTERS.format(counters=", ".join(f"{p}{n}" for p, n in meta["next"].items()))


def _replace_table(kind: Kind) -> Callable[[Document], str]:
    def repair(doc: Document) -> str:
        doc[kind.table] = {}
        return messages.REPAIR_TABLE.format(table=kind.table)

    return repair


def _drop_record(kind: Kind, key: str) -> Callable[[Document], str]:
    def repair(doc: Document) -> str:
        value = doc[kind.table].pop(key, None)
        return messages.REPAIR_RECORD.format(table=kind.table, key=key, value=short(value))

    return repair


DAMAGED_PREFIX = "damaged_"  # an extra field keeping a value that was not of its field's type
_BOOKKEEPING = (BODY, "uid", "field_times", "field_from")


def _drop_field(kind: Kind, key: str, name: str) -> Callable[[Document], str]:
    """A value of the wrong type leaves its field for the record's extra fields, where it is
    shown and kept (a damaged body reference, which means nothing elsewhere, is dropped)."""
    def repair(doc: Document) -> str:
        record = doc[kind.table][key]
        value = record.pop(name, None)
        rid = f"{kind.prefix}{key}"
        if name in _BOOKKEEPING:  # what merges between stores keep of the record: derived, dropped
            return messages.REPAIR_FIELD.format(id=rid, field=name, value=short(value))
        extra = record.get("extra") if type(record.get("extra")) is dict else {}
        record["extra"] = {**extra, DAMAGED_PREFIX + name: value}
        return messages.REPAIR_FIELD_KEPT.format(id=rid, field=name, value=short(value), kept=DAMAGED_PREFIX + name)

    return repair


def _restore_status(kind: Kind, key: str) -> Callable[[Document], str]:
    def repair(doc: Document) -> str:
        record = doc[kind.table][key]
        history = record.get("history") if _history(record.get("history")) else []
        record["status"] = history[-1]["to"] if history else "new"
        return messages.REPAIR_STATUS.format(id=f"{kind.prefix}{key}", status=record["status"])

    return repair


def _start_history(kind: Kind, key: str) -> Callable[[Document], str]:
    def repair(doc: Document) -> str:
        record = doc[kind.table][key]
        old = record.get("history")
        kept = [h for h in old if _history([h])] if type(old) is list else []
        if kept:
            record["history"] = kept
            return messages.REPAIR_HISTORY_KEPT.format(id=f"{kind.prefix}{key}", kept=len(kept), value=short(old))
        status = record.get("status") if _status(record.get("status")) else "new"
        at = record.get("created_at") if _text(record.get("created_at")) else ""
        record["history"] = [{"at": at, "to": status}]
        return messages.REPAIR_HISTORY.format(id=f"{kind.prefix}{key}", status=status, value=short(old))

    return repair


def short(value: Any, limit: int = 40) -> str:
    try:
        text = repr(value)
    except RecursionError:
        return "<nested too deep>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
