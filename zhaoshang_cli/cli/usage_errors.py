"""Click's usage errors (an unknown option, a missing argument, a bad value) as one line in
the language spoken, with where to read more: ``error: no such option: --bogus (did you
mean --region?); see 'zhaoshang list -h'``.  Click words them in English only, so they are
read from the exception (its kind, its parameter) and worded here, from messages.py."""

from __future__ import annotations

import re
from typing import Any

from typer import _click as click

from .. import messages

_CLICK_VALUE = re.compile(r"^'(?P<value>.*)' is not a valid (?P<type>[\w ]+)\.?$", re.DOTALL)
_CLICK_CHOICE = re.compile(r"^'(?P<value>.*)' is not one of (?P<choices>.+)\.$", re.DOTALL)
_REQUIRES = re.compile(r"^Option '(?P<name>[^']+)' requires (?:an argument|(?P<n>\d+) arguments)\.$")
_NO_VALUE = re.compile(r"^Option '(?P<name>[^']+)' does not take a value\.$")
_EXTRA = re.compile(r"^Got unexpected extra argument(?:\(s\)|s?) \((?P<args>.*)\)$", re.DOTALL)
_NO_COMMAND = re.compile(r"^No such command '(?P<name>[^']*)'\.(?: Did you mean (?P<choices>.+)\?)?$")


def one_line(exc: Any) -> str:
    """The message of a Click UsageError, worded for the language spoken, and the hint."""
    text = _worded(exc)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and ctx.command.get_help_option(ctx) is not None:
        text += messages.USAGE_SEE_HELP.format(command=f"{ctx.command_path} -h")
    return " ".join(text.split())


def _worded(exc: Any) -> str:
    if isinstance(exc, click.exceptions.NoSuchOption):
        said = messages.USAGE_NO_SUCH_OPTION.format(name=exc.option_name)
        if exc.possibilities:
            said += messages.USAGE_DID_YOU_MEAN.format(choices=", ".join(sorted(exc.possibilities)))
        return said
    if isinstance(exc, click.exceptions.MissingParameter):
        param = exc.param
        hint = exc.param_hint or (param.get_error_hint(exc.ctx) if param is not None and exc.ctx else "")
        template = messages.USAGE_MISSING_ARGUMENT if getattr(param, "param_type_name", "") == "argument" \
            else messages.USAGE_MISSING_OPTION
        return template.format(param=hint)
    if isinstance(exc, click.exceptions.BadParameter):
        param = exc.param
        hint = exc.param_hint or (param.get_error_hint(exc.ctx) if param is not None and exc.ctx else "")
        return messages.USAGE_INVALID_VALUE.format(param=hint, reason=_reason(exc.message))
    message = exc.message
    for pattern, template in ((_REQUIRES, messages.USAGE_REQUIRES_VALUE), (_NO_VALUE, messages.USAGE_TAKES_NO_VALUE),
                              (_EXTRA, messages.USAGE_EXTRA_ARGUMENTS)):
        m = pattern.match(message)
        if m:
            return template.format(**{k: v for k, v in m.groupdict().items() if v is not None})
    m = _NO_COMMAND.match(message)
    if m:
        said = messages.USAGE_NO_SUCH_COMMAND.format(name=m["name"])
        if m["choices"]:
            said += messages.USAGE_DID_YOU_MEAN.format(choices=m["choices"])
        return said
    return message


def _reason(message: str) -> str:
    m = _CLICK_VALUE.match(message)
    if m:
        kind = {"integer": messages.USAGE_TYPE_INTEGER, "int": messages.USAGE_TYPE_INTEGER,
                "float": messages.USAGE_TYPE_NUMBER,
                "boolean": messages.USAGE_TYPE_BOOLEAN}.get(m["type"].split()[0], m["type"])
        return messages.USAGE_NOT_A.format(value=m["value"], type=kind)
    m = _CLICK_CHOICE.match(message)
    if m:
        return messages.USAGE_NOT_ONE_OF.format(value=m["value"], choices=m["choices"])
    return message
