"""``doctor --fix`` for bodies that cannot be read: another body log generation holding
every body, else each body looked for in the backups and put back (appended to the log,
or written with every other body into a new generation when the log is cut short or is
not the store's); what no backup holds is left as it is, or, asked to, dropped.  Then the
bytes past everything kept are cut off the log, and a log mostly of dead bodies is
compacted.  A part of repair.py's _Fixer, apart for its size.
"""

from __future__ import annotations

from typing import Any

from ... import messages
from ...domain.kind import KINDS, Kind, record_id
from ...errors import StoreError
from ..base import split_id
from ..checks import SHOWN
from . import manifest as manifests
from .bodies import body_log_of
from .doctor import kept_end, other_generation
from .examine import Look, Records, all_refs, unreadable
from .index import BODY
from .manifest import Legacy
from .segments import seq_of
from .writer import Transaction


class BodyRepairs:
    """The bodies of a _Fixer, which gives what is declared here."""

    backend: Any
    txn: Transaction
    drop: bool
    look: Look
    actions: list[str]
    unresolved: list[str]
    recovered: dict[tuple[str, int], tuple[str, str]]
    dropped_segments: bool

    def _records(self) -> Records:
        """Every sound record of the state being repaired (a segment left unreadable aside)."""
        self.txn.checkpoint(everything=True)
        records: Records = {kind.name: {} for kind in KINDS.values()}
        look = Look(self.backend)
        for (name, _), entry in self.txn.manifest.entries.items():
            records[name].update(look.segment(entry).records())
        return records

    def bodies(self) -> None:
        """Bodies that cannot be read: another generation holding them all, else each looked
        for in the backups and put back; what no backup holds is left (or, asked to, dropped).

        Recovered bodies are appended after every byte of the log that anything refers to.
        When the log is cut short or is not the store's, they can only go into a new log
        generation with every other body, so only once none is left unread."""
        txn, backend = self.txn, self.backend
        records = self._records()
        bad = unreadable(txn.log, all_refs(records))
        if bad:
            other = other_generation(backend, txn.manifest, records)
            if other is not None:
                self.actions.append(messages.REPAIR_LOG_GENERATION.format(
                    log=txn.log.path.name, other=other.path.name, count=len(all_refs(records))))
                txn.meta["log"] = int(other.path.name.split(".")[1])
                txn.log = other
                bad = []
        found: dict[tuple[str, int], tuple[str, str]] = dict(self.recovered)
        lost: list[tuple[Kind, int]] = []
        for rid in bad:
            kind, number = split_id(rid)
            elsewhere = self._body_elsewhere(kind, number, records[kind.name][number][BODY])
            if elsewhere is None:
                lost.append((kind, number))
            else:
                found[(kind.name, number)] = elsewhere
        if lost and not self.drop:
            for kind, number in lost:
                self.unresolved.append(messages.REPAIR_BODY_KEPT.format(id=record_id(kind, number),
                                                                        log=txn.log.path.name))
            if len(self.unresolved) > 2 * SHOWN:  # one line per record is enough for the first few
                more = len(self.unresolved) - 2 * SHOWN
                self.unresolved[2 * SHOWN:] = [messages.REPAIR_MORE_KEPT.format(count=more)]
        for kind, number in lost if self.drop else []:
            segment = txn._segment(kind, seq_of(number))
            ref = segment.docs()[str(number)].pop(BODY, None)
            segment.texts.pop(number, None)
            self.actions.append(messages.REPAIR_BODY.format(id=record_id(kind, number), log=txn.log.path.name, ref=ref))
        if found:
            self._put_back(found, records, new_log=txn.log.problem(self._log_end(records)) is not None)
        txn.checkpoint(everything=True)

    def _log_end(self, records: Records) -> int:
        end = self.txn.meta.get("log_end")
        return max([end if type(end) is int else 0,
                    *(offset + length for _, (offset, length) in all_refs(records))])

    def _put_back(self, found: dict[tuple[str, int], tuple[str, str]], records: Records, new_log: bool) -> None:
        """Bodies found in backups, appended to the log, or written with every other body into
        a new generation when the log is cut short or not the store's."""
        from .rewrite import compact_bodies

        txn = self.txn
        if new_log and self.unresolved:
            for (name, number), (_, where) in found.items():
                self.unresolved.append(messages.REPAIR_BODY_WAITS.format(id=record_id(KINDS[name], number),
                                                                         backup=where, log=txn.log.path.name))
            return
        texts = {}
        for (name, number), (text, where) in found.items():
            kind = KINDS[name]
            segment = txn._segment(kind, seq_of(number))
            segment.docs()[str(number)].pop(BODY, None)
            segment.texts.pop(number, None)
            texts[(name, number)] = text
            self.actions.append(messages.REPAIR_BODY_RECOVERED.format(id=record_id(kind, number), backup=where))
        if new_log:
            before, after = compact_bodies(txn, given=texts)
            self.actions.append(messages.REPAIR_NEW_LOG.format(log=txn.log.path.name, after=after >> 10))
            return
        for (name, number), text in texts.items():
            [ref] = txn._append([text])
            txn._segment(KINDS[name], seq_of(number)).docs()[str(number)][BODY] = ref

    def _body_elsewhere(self, kind: Kind, number: int, ref: Any) -> tuple[str, str] | None:
        """A readable body of this record in a backup (another version of it, or the same
        one in another log generation), and which backup."""
        current = (self.txn.meta["log"], ref)
        for path in self.backend.backup_paths():
            try:
                kept = manifests.load(path)
            except StoreError:
                continue
            if isinstance(kept, Legacy):
                continue
            entry = kept.entries.get((kind.name, seq_of(number)))
            if entry is None:
                continue
            doc = self.look.segment(entry).records().get(number)
            if not doc or not doc.get(BODY) or (kept.meta.get("log"), doc[BODY]) == current:
                continue
            log = body_log_of(self.backend.side, kept.meta)
            if not unreadable(log, [("x", doc[BODY])]):
                return log.read(doc[BODY]), path.name
        return None

    def log_tail(self) -> None:
        """Bytes past everything kept (what an interrupted write appended) cut off; never
        while a segment is left unread, whose bodies are in there too."""
        txn = self.txn
        if self.unresolved or self.dropped_segments:
            return
        records = self._records()
        end = kept_end(self.backend, txn.manifest, records)
        size = txn.log.size()
        if size > end:
            txn.log.truncate(end)
            self.actions.append(messages.REPAIR_LOG_TAIL.format(log=txn.log.path.name, size=size - end))

    def compact(self) -> None:
        from .rewrite import compact_bodies

        txn = self.txn
        records = self._records()
        live = sum(ref[1] for _, ref in all_refs(records))
        if txn.log.size() > 2 * live + (1 << 20) or txn.meta.get("bodies") != "json":
            before, after = compact_bodies(txn, literals=txn.meta.get("bodies") == "json")
            self.actions.append(messages.REPAIR_COMPACTED.format(before=before >> 10, after=after >> 10))
