"""The record filters as the user gives them (``--region``, ``--since``, ``--status``,
``--where``…), resolved and parsed into the storage protocol's ``Filters``.  Errors name
the option and the value."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from .. import messages
from ..domain import dates, values
from ..domain.kind import KINDS, field_names_by_label
from ..domain.people import current_user, parse_name
from ..errors import UsageError
from ..storage.base import Filters

WHERE_TYPES = ("text", "choice", "suggest", "source", "url", "phone", "email", "tags")  # --where compares with a value
_PARSED = ("choice", "suggest", "phone", "email")  # a value read as the field reads it (已签约 → signed)


@dataclass
class FilterArgs:
    """Filters as the user typed them (the CLI's options)."""

    regions: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    on: str | None = None
    month: str | None = None
    text: str | None = None
    statuses: list[str] = field(default_factory=list)
    due_before: str | None = None
    signed_since: str | None = None  # --signed-since, --signed-until, --signed-on: the signing day
    signed_until: str | None = None
    signed_on: str | None = None
    owners: list[str] = field(default_factory=list)  # --owner: each value may be a list (张三,李四)
    mine: bool = False  # --mine: owned by the current user
    tags: list[str] = field(default_factory=list)  # --tag: each value may be a list (厂房,招商)
    exact_region: bool = False
    where: list[str] = field(default_factory=list)  # FIELD=VALUE
    sources: list[str] = field(default_factory=list)  # --source: where source=…, each value normalised


def build_filters(args: FilterArgs, today: date | None = None, context: str | None = None) -> Filters:
    """Resolve region names (inside ``context``, the home region, first) and parse dates;
    errors name the option and the value."""
    from ..domain.regions import table

    prefixes = []
    for value in args.regions:  # each value may be a list: 天津,北京 or 天津 北京
        for region in table().resolve_list(value, context, field_name="--region"):
            prefixes.append(region.code if args.exact_region else region.prefix)
    prefixes = list(dict.fromkeys(prefixes))
    since = until = None
    if (args.on or args.month) and (args.since or args.until or (args.on and args.month)):
        raise UsageError(messages.FILTER_PERIOD_CONFLICT)
    if args.month:
        first, last = dates.parse_month(args.month, field="--month", base=today)
        since, until = first.isoformat(), last.isoformat()
    elif args.on:
        first, last = dates.parse_period(args.on, field="--on", base=today)
        since, until = first.isoformat(), last.isoformat()
    else:
        if args.since:
            since = dates.parse_period(args.since, field="--since", base=today)[0].isoformat()
        if args.until:
            until = dates.parse_period(args.until, field="--until", base=today)[1].isoformat()
    statuses = tuple(dict.fromkeys(values.parse_choice(s, "--status", _status_aliases())
                                   for value in args.statuses for s in _names(value)))
    due_before = None
    if args.due_before:
        due_before = dates.parse_period(args.due_before, field="--due-before", base=today)[1].isoformat()
    text = args.text.casefold() if args.text else None
    fields: dict[str, list[str]] = {}
    for item in args.where:
        name, value = _where(item)
        fields.setdefault(name, []).append(value)
    for value in args.sources:
        fields.setdefault("source", []).append(values.parse_source(value, "--source"))
    owners = [parse_name(name, "--owner") for value in args.owners for name in _names(value)]
    if args.mine:
        owners.append(current_user())
    if owners:
        fields.setdefault("owner", []).extend(owners)
    tags = [tag.strip() for value in args.tags for tag in _names(value)]
    if tags:
        fields.setdefault("tags", []).extend(tags)
    signed_since, signed_until = _signed_period(args, today)
    return Filters(tuple(prefixes), args.exact_region, since, until, text, statuses, due_before,
                   tuple((name, tuple(dict.fromkeys(wanted))) for name, wanted in fields.items()),
                   signed_since, signed_until)


def _signed_period(args: FilterArgs, today: date | None) -> tuple[str | None, str | None]:
    """--signed-on PERIOD (2025-07, 2025Q3…), or --signed-since and --signed-until."""
    if args.signed_on:
        if args.signed_since or args.signed_until:
            raise UsageError(messages.FILTER_SIGNED_CONFLICT)
        first, last = dates.parse_period(args.signed_on, field="--signed-on", base=today)
        return first.isoformat(), last.isoformat()
    since = dates.parse_period(args.signed_since, field="--signed-since", base=today)[0].isoformat() \
        if args.signed_since else None
    until = dates.parse_period(args.signed_until, field="--signed-until", base=today)[1].isoformat() \
        if args.signed_until else None
    return since, until


def _names(value: str) -> list[str]:
    """张三,李四 or 张三、李四: the names (statuses…) in one option value."""
    return [name for name in value.replace("，", ",").replace("、", ",").split(",") if name.strip()] or [value]


def _status_aliases() -> dict[str, str]:
    """Every spelling of every stage of every kind with a pipeline."""
    aliases: dict[str, str] = {}
    for kind in KINDS.values():
        if kind.pipeline:
            aliases.update(kind.pipeline.aliases)
    return aliases



def _where(item: str) -> tuple[str, str]:
    """``industry=生物医药`` → ("industry", "生物医药"); ``source=`` → ("source", "") (unset)."""
    name, equals, value = item.partition("=")
    if not equals:
        raise UsageError(messages.WHERE_SYNTAX.format(value=item))
    name, value = name.strip().replace("-", "_"), value.strip()
    name = field_names_by_label().get(name, name)  # 行业=生物医药, 电话=13820011234
    if name == "zone":  # kept beside the region, not a field of its own
        return name, _zone_name(value) if value else ""
    specs = [spec for kind in KINDS.values() if (spec := kind.field(name)) is not None and not spec.apart]
    if not specs:
        names = dict.fromkeys(f.name for kind in KINDS.values() for f in kind.fields if not f.apart)
        raise UsageError(messages.WHERE_FIELD_UNKNOWN.format(field=name, allowed=", ".join(names)))
    if value and any(spec.type not in WHERE_TYPES for spec in specs):
        raise UsageError(messages.WHERE_NEEDS_OPTION.format(field=name))
    if value and (specs[0].choices or specs[0].type in _PARSED):
        owner = next(kind for kind in KINDS.values() if kind.field(name) is specs[0])
        from ..domain.validate import parser_for  # here: the validators cost a listing 11 ms to import

        value = parser_for(owner, replace(specs[0], name=f"--where {name}"))(value, None)
    return name, value


def _zone_name(value: str) -> str:
    from ..domain.regions import table

    zone = table().zone_named(value)
    if zone is None:
        raise UsageError(f"--where zone: {messages.ZONE_UNKNOWN.format(value=value)}")
    return zone.name
