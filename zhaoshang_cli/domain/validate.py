"""Validating records: from the values a user or a file gave to a stored document.

Each kind's fields are compiled once into (field, stored key, parser) triples; dates
and region names repeat across a batch, so their parsed forms are cached.  An import
of 100k records spends most of its Python time here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache, lru_cache
from typing import Any

from .. import messages
from ..errors import FieldError, RecordInvalid, UserError
from ..patterns import lazy
from . import amounts, contacts, dates, regions, values
from .body import RawBody
from .kind import Field, Kind, is_empty
from .people import current_user

Parser = Callable[[Any, "str | None"], Any]
_DOC_NO_YEAR = lazy(r"[\[【(（〔［]\s*(\d{4})\s*[\]】)）〕］]")


# -- one field -----------------------------------------------------------------------------
def _text_parser(spec: Field) -> Parser:
    name = spec.name

    def parse(value: Any, _context: str | None) -> Any:
        if type(value) is str:
            text = value if spec.apart else value.strip()
        elif isinstance(value, RawBody) and spec.apart:
            return value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            text = str(value)
        else:
            raise FieldError(name, value, messages.TEXT_INVALID.format(value=value))
        return _DOC_NO_YEAR.sub(r"〔\1〕", text) if name == "doc_no" else text

    return parse


@lru_cache(maxsize=8192)
def _iso_date(text: str, name: str) -> str:
    return dates.parse_date(text, field=name).isoformat()


def _date_parser(spec: Field, forward: bool = False) -> Parser:
    """A date field's parser; a follow-up day (``forward``) is read forward (7/17 in December
    is next July's; 下周一, 月底…: dates.parse_follow_up)."""
    name = spec.name

    def parse(value: Any, _context: str | None) -> str:
        if forward:
            return dates.parse_follow_up(value, field=name).isoformat()
        if isinstance(value, str):
            return _iso_date(value, name)
        return dates.parse_date(value, field=name).isoformat()

    return parse


@lru_cache(maxsize=8192)
def _region_code(text: str, context: str | None, name: str) -> str:
    from .regions import table

    return table().resolve(text, context, field_name=name, why_one=messages.REGION_ONE_PER_RECORD).code


def _region_parser(spec: Field) -> Parser:
    name = spec.name

    def parse(value: Any, context: str | None) -> str:
        try:
            return _region_code(str(value), context, name)
        except FieldError:
            raise
        except UserError as exc:
            raise FieldError(name, value, exc.message.removeprefix(f"{name}: ")) from None

    return parse


def _parse_notes(value: Any, field: str) -> list[dict[str, str]]:
    if isinstance(value, str):
        return [{"at": dates.now_iso(), "by": current_user(), "text": value.strip()}]
    if isinstance(value, list) and all(isinstance(n, dict) and isinstance(n.get("text"), str) for n in value):
        return [{"at": str(n.get("at") or dates.now_iso()), **({"by": str(n["by"])} if n.get("by") else {}),
                 "text": n["text"]} for n in value]
    raise FieldError(field, value, messages.NOTES_INVALID.format(value=value))


def _history_parser(kind: Kind, spec: Field) -> Parser:
    statuses = kind.pipeline.statuses if kind.pipeline else ()

    def parse(value: Any, _context: str | None) -> list[dict[str, str]]:
        if isinstance(value, list) and all(isinstance(h, dict) and h.get("to") in statuses for h in value):
            return [{k: str(v) for k, v in h.items() if v is not None} for h in value]
        raise FieldError(spec.name, value, messages.HISTORY_INVALID.format(value=value))

    return parse


MEASURES = ("area", "price")  # given as offices quote them, kept in one unit beside the words (measures.py)
_SIMPLE: dict[str, Callable[[Any, str], Any]] = {
    "url": values.parse_url, "phone": contacts.parse_phone, "email": contacts.parse_email,
    "tags": values.parse_tags, "source": values.parse_source, "notes": _parse_notes,
}


class Parts(dict):
    """What a measure's parser gives: its stored keys and values (area, area_as_written)."""


def _measure_parser(spec: Field) -> Parser:
    from . import measures

    read = measures.parse_area if spec.type == "area" else measures.parse_price
    return lambda value, _context: Parts(read(value, spec.name))


def parser_for(kind: Kind, spec: Field) -> Parser:
    if spec.type in MEASURES:
        return _measure_parser(spec)
    if spec.type == "text":
        return _text_parser(spec)
    if spec.type == "date":
        return _date_parser(spec, forward=spec.name == kind.roles.follow_up)
    if spec.type == "region":
        return _region_parser(spec)
    if spec.type == "history":
        return _history_parser(kind, spec)
    choices = spec.choices or {}
    if spec.type == "choice":
        return lambda value, _context: values.parse_choice(value, spec.name, choices)
    if spec.type == "suggest":
        return lambda value, _context: values.parse_suggested(value, spec.name, choices, spec.limit)
    simple = _SIMPLE[spec.type]
    return lambda value, _context: simple(value, spec.name)


def _is_phone(kind: Kind, name: str) -> bool:
    spec = kind.field(name)
    return spec is not None and spec.type == "phone"


def _is_amount(spec: Field) -> bool:
    return spec.type == "amount" and spec.part_of is None


@cache
def _compiled(kind: Kind) -> list[tuple[str, str, Parser]]:
    """(field, stored key, parser) of each field a kind parses one by one (an amount and its
    parts are parsed together)."""
    return [(f.name, f.key, parser_for(kind, f)) for f in kind.fields if not (_is_amount(f) or f.part_of)]


@cache
def _has_amount(kind: Kind) -> bool:
    return any(_is_amount(f) for f in kind.fields)


@cache
def _has_region(kind: Kind) -> bool:
    return kind.field("region") is not None


@cache
def _required(kind: Kind) -> tuple[Field, ...]:
    return tuple(kind.required)


def with_parts(kind: Kind, names: Iterable[str]) -> list[str]:
    """``names`` and the fields that are parts of them: an amount is given, changed and
    cleared whole (a new amount without a range drops the old upper end)."""
    names = list(names)
    return names + [f.name for f in kind.fields if f.part_of in names and f.name not in names]


# -- whole records -------------------------------------------------------------------------
def validate(kind: Kind, given: Mapping[str, Any], *, partial: bool = False, defaults: bool = True,
             region_context: str | None = None, today: date | None = None) -> dict[str, Any]:
    """Validate the given public values into a stored document (region as ``region_code``).

    ``partial`` validates only what is given (for edits).  ``defaults=False`` leaves out
    the values a new record gets when none is given (imports add them only on insert, so
    that an update changes nothing the file did not give).  Every bad field is reported at
    once in one RecordInvalid.
    """
    doc: dict[str, Any] = {}
    errors: list[FieldError] = []
    code = given.get("region_code")
    if code and _has_region(kind):
        if str(code) in regions.table().regions:
            doc["region_code"] = str(code)
        else:
            errors.append(FieldError("region_code", code, messages.REGION_CODE_UNKNOWN.format(value=code)))
    if _has_amount(kind):
        try:
            doc.update(amounts.parse_amount_fields(given))
        except FieldError as exc:
            errors.append(exc)
    kept: dict[str, str] = {}  # what a phone cell held beside its number
    for name, key, parse in _compiled(kind):
        value = given.get(name)
        written = given.get(f"{name}_as_written")
        if written not in (None, "") and kind.field(f"{name}_as_written") is not None:
            value = written  # an exported measure: its words say what it was given as
        if value is None or value == "" or key in doc:
            continue
        try:
            if _is_phone(kind, name) and isinstance(value, str):
                value, beside = contacts.split_phone(value, name)
                kept.update(beside)
            parsed = parse(value, region_context)
        except FieldError as exc:
            errors.append(exc)
            continue
        if isinstance(parsed, Parts):
            doc.update(parsed)
        elif parsed or parsed == 0:
            doc[key] = parsed
    if _has_region(kind):
        _settle_zone(doc, given.get("zone"), errors)
    extra = given.get("extra")
    if extra and isinstance(extra, dict):
        doc["extra"] = dict(extra)
    if kept:
        doc["extra"] = {**doc.get("extra", {}), **kept}
    words = amounts.not_known_yet(given.get("amount")) if _has_amount(kind) else None
    if words is not None:  # an amount to be agreed (面议): no amount, its words kept beside the fields
        spec = kind.field("amount")
        doc.setdefault("extra", {})[spec.label if spec else "amount"] = words
    if not partial:
        if defaults:
            apply_defaults(kind, doc, today)
        bad = {e.field for e in errors}
        errors += [e for e in whole_record_checks(kind, doc) if e.field not in bad]
    if errors:
        raise RecordInvalid(errors)
    return doc


def _settle_zone(doc: dict[str, Any], named: Any, errors: list[FieldError]) -> None:
    """A region that is a development zone is stored as its district, the zone beside it;
    a zone given on its own (a 开发区 column, an exported record) must lie in the region."""
    code = doc.get("region_code")
    if not code and (named is None or named == ""):
        return  # an edit of other fields: no region table to build
    tbl = regions.table()
    if code:
        doc["region_code"], zone = tbl.place(code)
        if zone:
            doc["zone"] = zone
    if named is None or named == "" or "zone" in doc:
        return
    found = tbl.zone_named(str(named))
    if found is None:
        errors.append(FieldError("zone", named, messages.ZONE_UNKNOWN.format(value=named)))
    elif code and found.county != doc["region_code"]:
        errors.append(FieldError("zone", named, messages.ZONE_NOT_IN.format(
            zone=found.name, region=tbl.full_name(doc["region_code"]))))
    else:
        doc["region_code"] = found.county
        doc["zone"] = found.name


def apply_defaults(kind: Kind, doc: dict[str, Any], today: date | None = None, now: str | None = None) -> None:
    """What a new record gets when it is not given (a lead: its status, date, history)."""
    kind.defaults(doc, today or dates.today(), now or dates.now_iso())


def missing_fields(kind: Kind, doc: Mapping[str, Any]) -> list[FieldError]:
    return [FieldError(spec.name, None, messages.FIELD_REQUIRED)
            for spec in _required(kind) if is_empty(doc.get(spec.key))]


def whole_record_checks(kind: Kind, doc: Mapping[str, Any]) -> list[FieldError]:
    """What a whole record must satisfy: its required fields, then the kind's own checks
    (a lead needs a phone or an e-mail; a policy expires after it takes effect)."""
    missing = missing_fields(kind, doc)
    bad = {e.field for e in missing}
    return missing + [e for e in kind.checks(doc) if e.field not in bad]
