"""The versions a TinyDB store keeps, and what it lets go: backups of the store file, the
file of the highest IDs ever issued, and the pruning of segment files and body logs that
no kept version names any more (only while the store looks sound: see
TinyDBBackend.damage_seen).  A part of TinyDBBackend, apart for its size."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from ... import messages
from ...atomic import atomic_write, make_private_dir, private_dir_problem, read_private
from ...errors import StoreError, UserError
from ...patterns import lazy
from . import manifest as manifests
from . import side as sides
from .manifest import Legacy, Manifest
from .segments import Entry, file_sum

# <name>.<sequence>.g<generation>; older versions named backups by their UTC time
_BACKUP_NAME = lazy(r"\.(\d{6,12}|\d{8}T\d{6}\.\d{6}Z)\.g(\d+)$")
_NAMED = lazy(rb"[a-z][a-z0-9_]*\.\d{6}\.[0-9a-f]{8}\.json")  # a segment file's name, in any bytes
_LOG_NAMED = lazy(rb'"log"\s*:\s*(\d+)')


class KeptVersions:
    path: Path
    side: Path
    segments_dir: Path
    backups_dir: Path
    counters_path: Path
    keep_backups: int
    warnings: list[str]

    def log_generations(self) -> list[int]:
        raise NotImplementedError

    # -- ID counters -------------------------------------------------------------------------
    def _read_counters_bytes(self) -> bytes | None:
        try:
            return read_private(self.counters_path)
        except (OSError, StoreError):
            return None

    def read_counters(self) -> dict[str, int]:
        """The highest numbers ever issued (next per prefix); {} when missing or unreadable."""
        raw = self._read_counters_bytes()
        try:
            saved = orjson.loads(raw) if raw is not None else {}
        except orjson.JSONDecodeError:
            return {}
        if not isinstance(saved, dict):
            return {}
        return {k: v for k, v in saved.items() if isinstance(k, str) and type(v) is int and v >= 1}

    # -- backups and pruning -----------------------------------------------------------------
    def _backup(self) -> Path | None:
        """Keep the manifest about to be replaced (a hard link: no copy).  Names carry a
        sequence number (never the clock) and the body log generation it reads from.  A
        backup that cannot be made is a warning, not a failed write."""
        if self.keep_backups <= 0 or not self.path.exists():
            return None
        try:
            generation = manifests.load(self.path).meta["log"]
            make_private_dir(self.backups_dir)
            numbers = [int(m[1]) for m in (_BACKUP_NAME.search(p.name) for p in self.backup_paths())
                       if m and "T" not in m[1]]
            target = self.backups_dir / f"{self.path.name}.{max(numbers, default=0) + 1:06d}.g{generation}"
            try:
                os.link(self.path, target)
            except OSError:
                atomic_write(target, self.path.read_bytes())
            return target
        except (OSError, StoreError) as exc:
            self.warnings.append(messages.BACKUP_FAILED.format(reason=reason(exc)))
            return None

    def kept_manifests(self) -> list[Manifest | Legacy]:
        found = []
        for path in self.backup_paths():
            try:
                found.append(manifests.load(path))
            except StoreError:
                continue
        return found

    def prune(self, current: Manifest) -> str | None:
        """Let go of backups beyond those kept, then of segment files and body logs no kept
        version names.  Nothing goes while a backup cannot be read or the backups folder
        cannot be trusted (what it names is unknown), and no older version of a segment goes
        while the store's own version of it is not as written.  Returns why nothing or not
        everything was pruned, if so."""
        if os.path.lexists(self.backups_dir) and private_dir_problem(self.backups_dir):
            return messages.PRUNE_BACKUPS_UNTRUSTED.format(folder=self.backups_dir)
        paths = self.backup_paths()
        kept: list[Manifest | Legacy] = []
        for path in paths:
            try:
                kept.append(manifests.load(path))
            except StoreError:
                return messages.PRUNE_BACKUP_UNREADABLE.format(backup=path.name)
        for old in paths[self.keep_backups:]:
            old.unlink(missing_ok=True)
        kept = kept[:self.keep_backups]
        problem = self._prune_segments(current, kept)
        if problem is None:  # an older segment version kept may need an older log
            self._prune_logs(current, kept)
        return problem

    def _prune_segments(self, current: Manifest, kept: list[Manifest | Legacy]) -> str | None:
        """Delete segment files that neither the store nor a kept backup names (and what an
        interrupted write left); only files named as the store names its own, and only
        while the store's version of that segment is the file it wrote."""
        wanted = current.files() | self._named_aside()
        for version in kept:
            if isinstance(version, Manifest):
                wanted |= version.files()
        by_segment: dict[tuple[str, int], list[str]] = {}
        for name in os.listdir(self.segments_dir):
            match = sides.SEGMENT_NAME.fullmatch(name)
            if name not in wanted and match:  # a file of another kind is not ours
                by_segment.setdefault((match[1], int(match[2])), []).append(name)
        tables = {entry.kind.table: entry.kind for entry in current.entries.values()}
        problem = None
        for (table, seq), names in by_segment.items():
            kind = tables.get(table)
            entry = current.entries.get((kind.name, seq)) if kind else None
            if entry is not None and not self._as_written(entry):
                problem = messages.PRUNE_SEGMENT_CHANGED.format(file=entry.file)
                continue  # its older versions may be what doctor --fix needs
            for name in names:
                (self.segments_dir / name).unlink(missing_ok=True)
        return problem

    def _named_aside(self) -> set[str]:
        """The files store files kept aside name (a damaged store file, a backup that could not
        be read), read loosely: they are no backups, but what they name may be what doctor or
        a person needs to bring back the state they held."""
        found: set[str] = set()
        for path in self._aside():
            try:
                raw = path.read_bytes()
            except OSError:
                continue
            for match in _NAMED.finditer(raw):
                name = match[0].decode("ascii")
                found |= {name, name[:-5] + ".idx", name[:-5] + ".txt"}
        return found

    def _as_written(self, entry: Entry) -> bool:
        try:
            data = read_private(self.segments_dir / entry.file)
        except (OSError, StoreError):
            return False
        if entry.sum is not None:
            return file_sum(data) == entry.sum
        try:
            return type(orjson.loads(data).get(entry.kind.table)) is dict
        except (orjson.JSONDecodeError, AttributeError):
            return False

    def _prune_logs(self, current: Manifest, kept: list[Manifest | Legacy]) -> None:
        """Delete body log generations that neither the store nor any backup refers to, once
        the store's own log is one it can tell apart (a log with a token: see bodies.py)."""
        if type(current.meta.get("log_token")) is not str:
            return
        wanted = {current.meta["log"], *(m.meta.get("log") for m in kept), *self._logs_named_aside()}
        for generation in self.log_generations():
            if generation not in wanted:
                (self.side / f"bodies.{generation}.log").unlink(missing_ok=True)

    def _logs_named_aside(self) -> set[int]:
        found = set()
        for path in self._aside():
            try:
                found |= {int(m[1]) for m in _LOG_NAMED.finditer(path.read_bytes())}
            except OSError:
                continue
        return found

    def _aside(self) -> list[Path]:
        """Store files kept aside: beside the store (``.unreadable-…``) and in the set-aside
        folder (backups doctor --fix could not read, among other things)."""
        found = list(self.path.parent.glob(f"{self.path.name}.unreadable-*"))
        try:
            found += [p for p in (self.side / sides.SET_ASIDE).iterdir() if p.is_file() and not p.is_symlink()
                      and p.stat().st_size < (64 << 20)]
        except OSError:
            pass
        return found

    def backup_paths(self) -> list[Path]:
        """Backups, newest first: by sequence number; old time-named ones count as older.
        A backups folder that is not this user's private directory holds none of ours."""
        if private_dir_problem(self.backups_dir):
            return []
        try:
            names = os.listdir(self.backups_dir)
        except OSError:
            return []
        found = [(m[1], name) for name in names if name.startswith(self.path.name + ".")
                 for m in [_BACKUP_NAME.search(name)] if m]

        def order(item: tuple[str, str]) -> tuple[int, Any]:
            key = item[0]
            return (0, key) if "T" in key else (1, int(key))

        return [self.backups_dir / name for _, name in sorted(found, key=order, reverse=True)]



def reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{exc.filename}: {exc.strerror}" if exc.filename else (exc.strerror or str(exc))
    if isinstance(exc, UserError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"
