"""Article and policy bodies, kept apart from the listing table in an append-only log.

Listing a hundred thousand articles must not parse their bodies, so a record holds
only a reference ``[offset, length]`` into the log file named in the store's meta.
Appends are fsynced before the store file that references them is replaced: a crash
leaves at worst unreferenced bytes at the end of the log, which nothing reads.
Compaction writes a new log generation; old generations stay while a backup still
references them.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import Iterable, Iterator

Ref = list[int]  # [offset, length] in bytes


class BodyLog:
    def __init__(self, path: Path):
        self.path = path

    def append(self, bodies: Iterable[str]) -> list[Ref]:
        """Append bodies in one write and fsync; returns their references in order."""
        encoded = [b.encode("utf-8") for b in bodies]
        if not encoded:
            return []
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            offset = os.lseek(fd, 0, os.SEEK_END)
            refs = []
            for data in encoded:
                refs.append([offset, len(data)])
                offset += len(data)
            view = memoryview(b"".join(encoded))
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        return refs

    def read(self, ref: Ref) -> str:
        with open(self.path, "rb") as handle:
            handle.seek(ref[0])
            return handle.read(ref[1]).decode("utf-8")

    def read_many(self, refs: Iterable[tuple[str, Ref]]) -> Iterator[tuple[str, str]]:
        """(key, body) for each (key, ref), read in file order."""
        ordered = sorted(refs, key=lambda item: item[1][0])
        if not ordered:
            return
        with open(self.path, "rb") as handle:
            for key, (offset, length) in ordered:
                handle.seek(offset)
                yield key, handle.read(length).decode("utf-8")

    def search(self, needle: str, refs: list[tuple[str, Ref]]) -> set[str]:
        """Keys whose body contains ``needle`` (ASCII letters matched case-insensitively).

        Searches the raw bytes of the log once instead of decoding every body.
        """
        if not refs or not needle:
            return set()
        data = self.path.read_bytes()
        pattern = needle.encode("utf-8")
        if any(ch.isascii() and ch.isalpha() for ch in needle):
            data, pattern = data.lower(), pattern.lower()
        ordered = sorted(refs, key=lambda item: item[1][0])
        starts = [ref[0] for _, ref in ordered]
        found: set[str] = set()
        at = data.find(pattern)
        while at != -1:
            i = bisect.bisect_right(starts, at) - 1
            if i >= 0:
                key, (offset, length) = ordered[i]
                if at + len(pattern) <= offset + length:
                    found.add(key)
                    # skip to the end of this body: one hit is enough
                    at = data.find(pattern, offset + length)
                    continue
            at = data.find(pattern, at + 1)
        return found

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0
