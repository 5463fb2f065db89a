"""What a report's rows can be (``report --by``): an area, a month, the kind, or a field
that takes one of a set of values.  Light on purpose: the CLI lists them in its help."""

from __future__ import annotations

from .. import messages
from ..domain.kind import KINDS

GROUPINGS = ("district", "zone", "month", "kind", "status", "owner", "industry", "need", "source")
_GROUPED_TYPES = ("choice", "suggest")  # fields of a kind that --by also takes (a closed or usual set)


def groupings() -> tuple[str, ...]:
    """What --by takes: the groupings above, then any other choice field of a registered kind."""
    fields = [f.name for kind in KINDS.values() for f in kind.fields if f.type in _GROUPED_TYPES]
    return tuple(dict.fromkeys((*GROUPINGS, *fields)))


def grouping_label(by: str) -> str:
    """The heading of a grouping's column: 地区, 月份…, or the label of the field grouped by."""
    if by in messages.REPORT_BY_LABELS:
        return messages.REPORT_BY_LABELS[by]
    return next((spec.label for kind in KINDS.values() if (spec := kind.field(by)) is not None), by)
