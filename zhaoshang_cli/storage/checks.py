"""What every backend's doctor says of the stored records themselves: damage (a field of
the wrong type, a lead without a status or history: errors, see tinydb/integrity.py, which
checks documents whatever holds them) and records that would not pass today's validation
(warnings: they break no command)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import messages
from ..domain import validate as validation
from ..domain.kind import Kind, to_public
from ..errors import RecordInvalid, UserError
from .base import Finding

SHOWN = 5  # problems listed per kind before "… and N more"


def damage_findings(problems: list[Any]) -> list[Finding]:
    """Errors for damaged records (``integrity.Damage``), the first few of them."""
    shown = [Finding("error", messages.DOCTOR_DAMAGE.format(where=p.where, problem=p.problem))
             for p in problems[:SHOWN * 2]]
    if len(problems) > SHOWN * 2:
        shown.append(Finding("error", messages.DOCTOR_MORE_DAMAGE.format(count=len(problems) - SHOWN * 2)))
    return shown


def record_findings(kind: Kind, docs: Iterable[tuple[int, dict[str, Any]]]) -> list[Finding]:
    """Warnings for the records of ``kind`` (number, stored document, in ID order)."""
    findings, bad = [], 0
    for number, doc in docs:
        problem = record_problem(kind, doc)
        if problem:
            bad += 1
            if bad <= SHOWN:
                findings.append(Finding("warning", f"{kind.prefix}{number}: {problem}"))
    if bad > SHOWN:
        findings.append(Finding("warning", messages.DOCTOR_MORE.format(count=bad - SHOWN, kind=kind.plural)))
    return findings


def record_problem(kind: Kind, doc: dict[str, Any]) -> str | None:
    public = to_public(kind, 0, doc)
    public.pop("body", None)
    try:
        validation.validate(kind, {k: v for k, v in public.items() if k not in ("id", "kind", "region")},
                            defaults=False)  # a lead without a status must not pass as a new one
    except (RecordInvalid, UserError) as exc:
        return exc.message
    return None
