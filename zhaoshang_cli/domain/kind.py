"""What a kind of record is: its fields, its rules, and the registry of kinds.

A ``Kind`` declares everything the rest of the program needs to know about one kind of
record, so that no other module asks ``is this a lead?``: the ID prefix, the fields (in
the order every format shows them), the natural key that makes two records the same
thing, the defaults of a new record, the checks across fields, the columns of its list
table, and, for kinds whose records move through stages (leads), the pipeline.

Each kind lives in a module of its own (article.py, policy.py, lead.py) and registers
itself; a new kind is one more module, or one ``register`` call.  A stored document holds
only non-empty fields, the region as its code; the public form (``to_public``) has every
field in a fixed order, ``id`` and ``kind`` first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from .. import messages
from ..errors import FieldError, UsageError
from ..patterns import lazy

Document = dict[str, Any]


@dataclass(frozen=True, eq=False)
class Field:
    name: str
    label: str
    # text, date, region, url, phone, email, amount, currency, flag, choice, suggest (an open
    # choice), tags, source, notes, history, area and price (measures.py), words (the written
    # form a measure keeps beside its number)
    type: str = "text"
    required: bool = False
    apart: bool = False  # kept in the body log, not the listing table
    choices: Mapping[str, str] | None = None  # choice: every spelling → the value; suggest: the usual ones
    help: str = ""
    settable: bool = True  # can be set with add/edit options
    part_of: str | None = None  # a part of another field's value, given and changed with it (amount_high)
    limit: int = 0  # suggest: the most characters of a value outside the usual ones
    # in the file store's listing index (a field added to a built-in kind later is not: the
    # indexes of stores written before it would no longer read)
    indexed: bool = True

    @property
    def key(self) -> str:
        """The key its value has in a stored document (a region is stored as its code)."""
        return "region_code" if self.type == "region" else self.name


class Column(NamedTuple):
    """A column of a kind's list table: the field it shows and how much room it wants."""

    header: str
    field: str  # a public field name, or "title" for the kind's title field
    min_width: int | None = None
    max_width: int | None = None
    flexible: bool = False  # takes the room the others leave
    justify: str = "left"
    optional: bool = False  # dropped first when the terminal is too narrow


class Roles(NamedTuple):
    """Which of a kind's fields plays each part the rest of the program asks of a kind, by
    role, never by a field's name (None: the kind has none).

    ``date``: the record's own day (--since, --until, --on, the report's period and months,
    the default newest-first order); ``amount``: an amount with its parts (summed by
    reports, --sort amount); ``status``: its stage in the kind's pipeline; ``follow_up``:
    the day of the next follow-up (--due-before, overdue in reports); ``won_on``: the day its
    pipeline's end was reached (a lead's signing: --signed-on, signings in reports)."""

    date: str | None = None
    amount: str | None = None
    status: str | None = None
    follow_up: str | None = None
    won_on: str | None = None


@dataclass(frozen=True, eq=False)
class Pipeline:
    """Stages a record moves through (a lead: new → … → signed, or lost), every move kept in
    its history with the time.  ``path`` is the funnel; ``won`` is where a deal is done."""

    statuses: tuple[str, ...]
    labels: Mapping[str, str]
    aliases: Mapping[str, str]  # every accepted spelling → the status
    path: tuple[str, ...]
    won: str
    closed: tuple[str, ...]  # no follow-up is due once here
    start: str

    def label(self, status: str | None) -> str:
        return self.labels.get(status or "", status or "")


def _no_defaults(doc: Document, today: date, now: str) -> None:
    return None


def _no_checks(doc: Mapping[str, Any]) -> list[FieldError]:
    return []


@dataclass(frozen=True, eq=False)
class Kind:
    name: str
    plural: str
    prefix: str
    label: str
    title_field: str
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()  # other names people use: 资讯, 客户…
    columns: tuple[Column, ...] = ()  # its list table
    pipeline: Pipeline | None = None
    # what makes two records the same thing (None: never the same), for idempotent imports
    natural_key: Callable[[Mapping[str, Any]], tuple[str, ...] | None] = field(default=None)  # type: ignore
    defaults: Callable[[Document, date, str], None] = _no_defaults  # what a new record gets
    # across fields; a FieldError without a value names a field that must be given (add asks for it)
    checks: Callable[[Mapping[str, Any]], list[FieldError]] = _no_checks
    key_label: str = messages.KEY_TITLE_DATE  # what its natural key compares, for "already stored as …"
    # which field plays which part (see Roles); by default read from the fields: a date field
    # "date", the amount field, a pipeline's "status" choice, a date field "due"
    roles: Roles = field(default=None)  # type: ignore[assignment]
    # which of its records a report counts, as (field, values) filters: sites, the available ones
    reported: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "_contacts", [f for f in self.fields if f.type in CONTACT_TYPES])
        if self.natural_key is None:
            object.__setattr__(self, "natural_key", lambda doc: title_date_key(self, doc))
        if self.roles is None:
            object.__setattr__(self, "roles", self._default_roles())
        for name in self.roles:
            if name is not None and self.field(name) is None:
                raise ValueError(f"kind {self.name}: a role names '{name}', which is none of its fields")

    def _default_roles(self) -> Roles:
        def typed(name: str, kind: str) -> str | None:
            spec = self.field(name)
            return name if spec is not None and spec.type == kind else None

        amount = next((f.name for f in self.fields if f.type == "amount" and f.part_of is None), None)
        status = "status" if self.pipeline is not None and self.field("status") is not None else None
        return Roles(date=typed("date", "date"), amount=amount, status=status, follow_up=typed("due", "date"))


    @property
    def table(self) -> str:
        return self.plural

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
        return names + ["extra", *STAMPS]

    @property
    def has_body(self) -> bool:
        return any(f.apart for f in self.fields)

    @property
    def region(self) -> Field | None:
        return next((f for f in self.fields if f.type == "region"), None)

    @property
    def contact_fields(self) -> list[Field]:
        """Its fields that hold personal contact data (masked unless --reveal)."""
        return self._contacts  # type: ignore[attr-defined]

    @property
    def personal(self) -> bool:
        """Its records hold personal data: exports are private files, with a note."""
        return bool(self.contact_fields)


CONTACT_TYPES = ("phone", "email")
TIME_STAMPS = ("created_at", "updated_at")
AUTHOR_STAMPS = ("created_by", "updated_by")  # who made the record, who changed it last (domain/people.py)
STAMPS = (*TIME_STAMPS, *AUTHOR_STAMPS)  # what every record carries beside its fields


def text_field(name: str, label: str, type: str = "text", **kw: Any) -> Field:
    """A field with its help text from messages.FIELD_HELP."""
    return Field(name, label, type, **{"help": messages.FIELD_HELP.get(name, ""), **kw})


# -- natural keys ----------------------------------------------------------------------------
def normalise_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    path = path.split("#", 1)[0].rstrip("/")
    return f"{scheme.lower()}://{host.lower()}/{path}"


def normalise_title(title: str) -> str:
    """Title as compared for duplicates: width, case, spaces and punctuation ignored."""
    import unicodedata

    text = unicodedata.normalize("NFKC", title).lower()
    return "".join(ch for ch in text if ch.isalnum())


@lru_cache(maxsize=4096)  # an import works out each new record's key twice: to look it up, to store it
def url_key(url: str) -> tuple[str, ...]:
    return ("url", normalise_url(url))


def title_date_key(kind: Kind, doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The same page (by URL), else the same title on the same day."""
    url = doc.get("url")
    if url:
        return url_key(url)
    return (kind.name, normalise_title(doc.get(kind.title_field, "")), doc.get(kind.roles.date or "", ""))


# -- the registry ----------------------------------------------------------------------------
KINDS: dict[str, Kind] = {}
_NAMES: dict[str, Kind] = {}
_BY_PREFIX: dict[str, Kind] = {}
_ID = lazy(r"[a-z][1-9]\d*")


_AMOUNT_PARTS = {"amount_high": "amount", "currency": "currency", "amount_approx": "flag", "amount_at_least": "flag"}


def register(kind: Kind) -> Kind:
    """Make a kind known to every command; its prefix and names must be free.  Commands
    built before (cli.app.build_app) do not see it: build the CLI after registering."""
    if kind.prefix in _BY_PREFIX or kind.name in KINDS or len(kind.prefix) != 1 \
            or not "a" <= kind.prefix <= "z":  # IDs are a-z and a number; sort keys hold the prefix in a byte
        raise ValueError(f"kind {kind.name}: prefix or name already taken, or not one letter a-z")
    amounts = [f for f in kind.fields if f.type == "amount" and f.part_of is None]
    parts = {f.name: f.type for f in kind.fields if f.part_of == "amount"}
    if amounts and ([f.name for f in amounts] != ["amount"] or parts != _AMOUNT_PARTS):
        # an amount keeps its range, currency and approximation (amounts.Amount) in these fields
        raise ValueError(f"kind {kind.name}: an amount is the field 'amount' with its parts {_AMOUNT_PARTS}")
    KINDS[kind.name] = kind
    _BY_PREFIX[kind.prefix] = kind
    for name in (kind.name, kind.plural, kind.label, *kind.aliases):
        _NAMES.setdefault(name.lower(), kind)
    return kind


def unregister(kind: Kind) -> None:
    """Forget a kind (tests that add one of their own)."""
    KINDS.pop(kind.name, None)
    _BY_PREFIX.pop(kind.prefix, None)
    for name in [n for n, k in _NAMES.items() if k is kind]:
        del _NAMES[name]


def kind_names(*, plural: bool = True, joined: str = messages.OR) -> str:
    """The registered kinds for help texts: 'articles, policies or leads'."""
    names = [k.plural if plural else k.name for k in KINDS.values()]
    return f"{', '.join(names[:-1])} {joined} {names[-1]}" if len(names) > 1 else "".join(names)


def with_article(name: str) -> str:
    """'an article', 'a lead': a kind's name in a sentence."""
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def id_examples() -> str:
    """Record IDs of every registered kind, for help and error texts: 'a12, p3, l7'."""
    numbers = (12, 3, 7, 5)
    return ", ".join(f"{k.prefix}{numbers[i % len(numbers)]}" for i, k in enumerate(KINDS.values()))


def find_kind(text: str) -> Kind | None:
    """The kind a name means (lead, leads, 线索, 客户…), or None."""
    return _NAMES.get(text.strip().lower())


def kind_named(text: str) -> Kind:
    kind = find_kind(text)
    if kind is None:
        names = ", ".join(f"{k.name} ({k.plural})" for k in KINDS.values())
        raise UsageError(messages.KIND_UNKNOWN.format(value=text, kinds=names))
    return kind


def kind_of_id(record_id: str) -> Kind | None:
    return _BY_PREFIX.get(record_id[:1])


def is_record_id(text: str) -> bool:
    """a12, p3, l7: a registered kind's prefix (one letter) and a number."""
    return bool(_ID.fullmatch(text)) and text[0] in _BY_PREFIX


def record_id(kind: Kind, number: int | str) -> str:
    return f"{kind.prefix}{number}"


def field_names_by_label(kinds: list[Kind] | None = None) -> dict[str, str]:
    """Chinese label → field name for ``kinds`` (all registered ones by default): each field's
    label (联系电话) and each table column's header (电话), as --fields and --where take them."""
    found: dict[str, str] = {}
    for kind in kinds if kinds is not None else list(KINDS.values()):
        found.update((spec.label, spec.name) for spec in kind.fields)
        found.update((col.header, col.field) for col in kind.columns if col.field != "title")
    return found


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and not (
        value.strip() if isinstance(value, str) else value))


# -- the public shape ------------------------------------------------------------------------
def to_public(kind: Kind, number: int | str, doc: Mapping[str, Any], body: str | None = None) -> dict[str, Any]:
    """The record as every output format shows it: all fields, fixed order."""
    out: dict[str, Any] = {"id": record_id(kind, number), "kind": kind.name}
    for spec in kind.fields:
        if spec.type == "region":
            code = doc.get("region_code")
            out[spec.name] = _region_name(code) if code else None
            out["region_code"] = code
            out["zone"] = doc.get("zone")
        elif spec.apart:
            out[spec.name] = body
        elif spec.type in ("tags", "notes", "history"):
            out[spec.name] = list(doc.get(spec.name, []))
        elif spec.part_of and spec.type in ("currency", "flag") and doc.get(spec.part_of) is not None:
            # stored only when not the default: yuan, exact
            out[spec.name] = doc.get(spec.name) or (_default_currency() if spec.type == "currency" else False)
        else:
            out[spec.name] = doc.get(spec.name)
    out["extra"] = dict(doc.get("extra", {}))
    for stamp in STAMPS:
        out[stamp] = doc.get(stamp)
    return out


@lru_cache(maxsize=8192)
def _region_name(code: str) -> str | None:
    """A region code's name (to_public runs for every record listed: an import inside it
    cost more than the rest of it)."""
    from .regions import names

    return names().get(code, code)


@lru_cache(maxsize=1)
def _default_currency() -> str:
    from .currencies import DEFAULT_CURRENCY

    return DEFAULT_CURRENCY


# the built-in kinds register themselves, in the order every listing shows them
from . import article  # noqa: E402,F401,I001
from . import policy  # noqa: E402,F401,I001
from . import lead  # noqa: E402,F401,I001
from . import site  # noqa: E402,F401,I001
