"""Open a file with the system's opener (``report --open``): the program named by
``BROWSER`` (the convention Python's webbrowser and many tools follow: commands separated
by ``os.pathsep``, ``%s`` standing for the file), else ``open`` on macOS, the file's
association on Windows, ``xdg-open`` (or ``gio open``, ``wslview``) elsewhere.

The opener is started on its own and not waited for: the command ends while the browser
shows the page.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import messages


def temporary_file(prefix: str = "zhaoshang-report-", suffix: str = ".html") -> Path:
    """A new, empty private file in the temporary directory, left there for the browser."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    os.close(fd)
    return Path(name)


@contextmanager
def page_file(output: Path | None) -> Iterator[tuple[Path, bool]]:
    """Where a page to be opened is written: (``output``, False), or (a new temporary file,
    True) when there is none; the temporary file is removed again when the block fails."""
    if output is not None:
        yield output, False
        return
    path = temporary_file()
    try:
        yield path, True
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def show(path: Path) -> str:
    """Open the page at ``path`` and say so, or why not."""
    shown, reason = open_file(path)
    said = messages.REPORT_OPENED if shown else messages.REPORT_OPEN_FAILED if reason else messages.REPORT_NO_OPENER
    return said.format(path=path, reason=reason)


def _commands(path: Path) -> list[list[str]]:
    found = []
    for entry in os.environ.get("BROWSER", "").split(os.pathsep):
        if entry.strip():
            words = shlex.split(entry)
            found.append([w.replace("%s", str(path)) for w in words] if "%s" in entry else [*words, str(path)])
    if sys.platform == "darwin":
        found.append(["open", str(path)])
    for name, args in (("xdg-open", []), ("gio", ["open"]), ("wslview", [])):
        if shutil.which(name):
            found.append([name, *args, str(path)])
    return found


def open_file(path: Path) -> tuple[bool, str | None]:
    """(opened, why not): (True, None) once an opener started; (False, None) when there is
    none; (False, reason) when every one found failed to start."""
    if sys.platform == "win32" and not os.environ.get("BROWSER"):
        try:
            os.startfile(str(path))  # type: ignore[attr-defined]
            return True, None
        except OSError as exc:
            return False, exc.strerror or str(exc)
    reason = None
    for command in _commands(path):
        try:
            subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            return True, None
        except OSError as exc:
            reason = f"{command[0]}: {exc.strerror or exc}"
    return False, reason
