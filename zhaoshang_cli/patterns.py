"""Regular expressions compiled when first used.

A command uses few of the program's patterns, and compiling them all at start-up (the
date, amount, contact and region patterns, some with large character classes) took a
tenth of a short command's time.  ``lazy(...)`` stands where ``re.compile(...)`` would
and compiles on the first use of any of its attributes.  It is not a ``re.Pattern``:
call its methods (``match``, ``sub``…); do not pass it to ``re.sub`` or copy it.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, Generic, cast

_TAKEN = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
          "pattern", "flags", "groups", "groupindex")


class _Lazy(Generic[AnyStr]):
    def __init__(self, pattern: AnyStr, flags: int):
        self._source: tuple[AnyStr, int] = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for names not yet set on the instance
        if name.startswith("_"):  # copy and pickle look for __setstate__ before _source is set
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for taken in _TAKEN:
            setattr(self, taken, getattr(compiled, taken))
        return getattr(compiled, name)


def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    return cast("re.Pattern[AnyStr]", _Lazy(pattern, flags))
