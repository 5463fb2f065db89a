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
from . import manifest as manifests, side as sides
from .manifest import Legacy, Manifest

# <name>.<sequence>.g<generation>; older versions named backups by their UTC time
_BACKUP_NAME = lazy(r"\.(\d{6,12}|\d{8}T\d{6}\.\d{6}Z)\.g(\d+)$")


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

    def _prune_backups(self) -> None:
        for old in self.backup_paths()[self.keep_backups:]:
            old.unlink(missing_ok=True)

    def kept_manifests(self) -> list[Manifest | Legacy]:
        found = []
        for path in self.backup_paths():
            try:
                found.append(manifests.load(path))
            except StoreError:
                continue
        return found

    def _prune_segments(self, current: Manifest) -> None:
        """Delete segment files that neither the store nor a kept backup names (and what an
        interrupted write left); only files named as the store names its own."""
        wanted = current.files()
        for kept in self.kept_manifests():
            if isinstance(kept, Manifest):
                wanted |= kept.files()
        for name in os.listdir(self.segments_dir):
            if name not in wanted and sides.SEGMENT_NAME.fullmatch(name):  # a file of another kind is not ours
                (self.segments_dir / name).unlink(missing_ok=True)

    def _prune_logs(self, current: int) -> None:
        """Delete body log generations that neither the store nor any backup refers to."""
        wanted = {current, *(m.meta.get("log") for m in self.kept_manifests())}
        for generation in self.log_generations():
            if generation not in wanted:
                (self.side / f"bodies.{generation}.log").unlink(missing_ok=True)

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
