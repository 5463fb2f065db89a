"""A record as text to write or fix in an editor (`add KIND --editor`, `edit ID --editor`).

The text is comment lines (``#``) saying what each field takes, then the fields between
two ``---`` lines, one ``name: value`` a line (the name as on the command line, or the
field's Chinese label), then the body as it is written.  Parsing gives back the text of
each field; the values are validated by the same code as the options (domain/validate.py),
so an editor is one more way to give the options, not another set of rules.  On an error
the user's own text comes back with the errors on top (``with_errors``), nothing lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import messages
from ..domain.kind import Field, Kind
from ..errors import FieldError, RecordInvalid, UserError

FENCE = "---"
COMMENT = "#"
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
_FIELD_LINE = re.compile(r"\s*([^:：]+?)\s*[:：](.*)\Z")  # name: value (a Chinese colon too)


class TemplateError(UserError):
    """The text is not in the shape of the template (its ``---`` lines are gone)."""


@dataclass(frozen=True)
class Filled:
    """What came back: the text on each field's line ('' for a line left empty) and the
    body (None for a kind without one)."""

    values: dict[str, str]
    body: str | None


def fields(kind: Kind) -> list[Field]:
    """The fields a template holds: those options set, but the body (written below)."""
    return [spec for spec in kind.fields if spec.settable and not spec.apart]


def line_name(spec: Field) -> str:
    """A field's name in the template, as its option (--doc-no, --note) without dashes."""
    return "note" if spec.type == "notes" else spec.name.replace("_", "-")


def _names(kind: Kind) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for spec in fields(kind):
        for name in (line_name(spec), spec.name, spec.label):
            found.setdefault(name.lower(), spec)
    return found


def body_text(body: str | None) -> str:
    """A body as compared and kept: Windows line ends, blank lines on top and trailing
    space (the newline an editor adds) do not count."""
    return _LEADING_BLANK_LINES.sub("", (body or "").replace("\r\n", "\n")).rstrip()


def one_line(value: str) -> str:
    """A value on its field's line: line breaks become spaces."""
    return " ".join(value.splitlines())


def render(kind: Kind, values: Mapping[str, str], body: str | None, heading: str) -> str:
    """The template: ``heading`` and what each field takes as comments, the fields with
    ``values`` (by field name), and ``body`` below them for a kind that has one."""
    specs = fields(kind)
    room = max(len(line_name(spec)) for spec in specs)
    lines = [f"{COMMENT} {heading}"]
    lines += [f"{COMMENT} {line}" for line in messages.EDITOR_HOWTO]
    body_note = messages.EDITOR_BODY_BELOW if kind.has_body else messages.EDITOR_NO_BODY.format(kind=kind.name)
    lines.append(f"{COMMENT} {body_note}")
    lines.append(COMMENT)
    for spec in specs:
        label = spec.label + (messages.EDITOR_REQUIRED if spec.required else "")
        lines.append(f"{COMMENT} {line_name(spec):<{room}}  {label}: {spec.help}")
    lines.append(FENCE)
    lines += [f"{line_name(spec)}: {one_line(values.get(spec.name) or '')}".rstrip() for spec in specs]
    lines.append(FENCE)
    text = "\n".join(lines) + "\n"
    if kind.has_body and body:
        text += body_text(body) + "\n"
    return text


def parse(kind: Kind, text: str) -> Filled:
    """The text of each field and the body; every line that names no field, or a field
    twice, is reported at once (RecordInvalid), a text without its ``---`` lines alone."""
    lines = text.replace("\r\n", "\n").split("\n")
    at = next((i for i, line in enumerate(lines) if not _skipped(line)), len(lines))
    if at == len(lines) or lines[at].strip() != FENCE:
        raise TemplateError(messages.EDITOR_NO_FENCE)
    end = next((i for i in range(at + 1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        raise TemplateError(messages.EDITOR_NO_END)
    named = _names(kind)
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for line in lines[at + 1:end]:
        if _skipped(line):
            continue
        found = _FIELD_LINE.match(line)
        spec = named.get(found.group(1).lower()) if found else None
        if spec is None or found is None:
            allowed = ", ".join(line_name(s) for s in fields(kind))
            errors.append(FieldError(line.strip(), line, messages.EDITOR_LINE_UNKNOWN.format(allowed=allowed)))
        elif spec.name in values:
            errors.append(FieldError(line_name(spec), line, messages.EDITOR_FIELD_TWICE))
        else:
            values[spec.name] = found.group(2).strip()
    rest = "\n".join(lines[end + 1:])
    if not kind.has_body and any(not _skipped(line) for line in lines[end + 1:]):
        errors.append(FieldError("body", rest, messages.EDITOR_BODY_NOT_FOR_KIND.format(kind=kind.name)))
    if errors:
        raise RecordInvalid(errors)
    return Filled(values, body_text(rest) if kind.has_body else None)


def _skipped(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith(COMMENT)


def given(filled: Filled) -> dict[str, Any]:
    """What came back as the options of `add` give it: the fields filled in, and the body."""
    found: dict[str, Any] = {name: value for name, value in filled.values.items() if value}
    if filled.body:
        found["body"] = filled.body
    return found


def changes(filled: Filled, before: Mapping[str, str], body_before: str | None) -> dict[str, Any]:
    """What came back as the options of `edit` give it: each field whose text differs from
    ``before`` (its text in the template; '' clears it), and the body when it differs."""
    found: dict[str, Any] = {name: value for name, value in filled.values.items()
                             if value != one_line(before.get(name) or "")}
    if filled.body is not None and filled.body != body_text(body_before):
        found["body"] = filled.body
    return found


def texts(kind: Kind, record: Mapping[str, Any]) -> dict[str, str]:
    """A stored record (public form) as the text of each template field, in a form each
    field's option reads back: a zone by its name, an amount as 1.2亿元, tags with commas."""
    from ..domain.amounts import amount_text
    from ..domain.regions import table

    found: dict[str, str] = {}
    for spec in fields(kind):
        value = record.get(spec.name)
        if spec.type == "notes" or value in (None, "", []):
            continue  # a note written in the template is added to the others
        if spec.type == "region":
            code = record.get("region_code")
            found[spec.name] = record.get("zone") or (table().full_name(code) if code else str(value))
        elif spec.type == "amount":
            found[spec.name] = amount_text(record)
        elif spec.type == "tags":
            found[spec.name] = ", ".join(value)
        else:
            found[spec.name] = str(value)
    return found


def with_errors(text: str, errors: Iterable[str]) -> str:
    """The user's text with ``errors`` on top as comment lines, in place of the ones an
    earlier round put there."""
    lines = text.split("\n")
    while lines and lines[0].startswith(messages.EDITOR_ERROR_MARK):
        lines.pop(0)
    marked = [f"{messages.EDITOR_ERROR_MARK}{' '.join(error.split())}" for error in errors]
    return "\n".join([*marked, *lines])


def problems(exc: UserError) -> Sequence[str]:
    """The messages of an error, one a field."""
    return [e.message for e in exc.errors] if isinstance(exc, RecordInvalid) else [exc.message]


def note_template(record_id: str, title: str, text: str | None) -> str:
    """A note to write in the editor (`lead note ID --editor`): a comment naming the lead,
    then the note (the TEXT given, if any)."""
    heading = messages.EDITOR_NOTE_HEADING.format(id=record_id, title=one_line(title))
    return f"{COMMENT} {heading}\n{COMMENT} {messages.EDITOR_HOWTO[0]}\n" + (f"{text.strip()}\n" if text else "")


def note_text(text: str) -> str:
    """A note as written: its lines but the comments."""
    return "\n".join(line for line in text.replace("\r\n", "\n").split("\n") if not line.startswith(COMMENT)).strip()
