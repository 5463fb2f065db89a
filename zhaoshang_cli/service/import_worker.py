"""An import's rows read and validated in a second process while this one stores them.

Reading, validating and working out each body's searched form take about half of an
import's time, and all of it is Python holding the interpreter lock: on a machine with
two cores a forked process does that part for a big input (from ``PARALLEL_BYTES``),
chunk by chunk, while this process stores the chunks before.  The fork happens before the
store is locked or opened, so the second process holds nothing of the store; it reads
only the inputs, which this process then no longer touches.

Each chunk's result is written to a file that has no name (a memfd, or an unlinked
temporary file) and handed over through a socket: the other process reads it in one go
when it wants it, so neither waits for the other to copy megabytes through a pipe, and
nothing is left behind by a process that is killed.  The second process keeps at most
``AHEAD`` results unread; if this process stops, the socket breaks and the other one ends.
"""

from __future__ import annotations

import marshal
import mmap
import os
import pickle
import signal
import socket
from collections.abc import Iterable, Iterator
from typing import Any, cast

from .. import messages
from ..atomic import write_parts
from ..domain.body import RawBody, text_literal
from ..domain.kind import KINDS
from ..domain.search import planes
from ..errors import UserError
from ..io.importers.inputs import Chunk
from ..io.importers.rows import SourceRow

PARALLEL_BYTES = 32 << 20  # below this, a second process costs more than it saves
AHEAD = 2  # results the second process may have sent and this one not yet read
WAITED = b"w"  # told when this process had to wait for a result
SHARE = 0.5  # of the bodies whose searched form the second process works out, at first
STEP = 0.1  # how much the share of searched forms worked out by the second process moves


def worth_it(total_bytes: int) -> bool:
    if total_bytes < PARALLEL_BYTES or not hasattr(os, "fork") or not hasattr(socket, "send_fds"):
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) > 1


PLAIN = -2  # a body's second size when it is its own searched form (a store without planes)


def _pack(prepared: list[Any], share: float, planes_wanted: bool = True) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """Prepared records as plain data (a kind goes by its name), and the byte strings that
    follow them in the result: each body as its JSON literal, and for about ``share`` of
    them their searched form too (two planes of equal size; the storing process works out
    the others).  Bytes are sent apart because pickling them costs more than writing them.
    For a store that takes no planes (a server), whether casefolding leaves each body as it
    is: the storing process then need not decode it."""
    records: list[tuple[Any, ...]] = []
    parts: list[Any] = []
    due = 0.0
    for item in prepared:
        doc = item.doc
        sizes: tuple[int, int] | None = None
        if type(doc.get("body")) is str:
            text = doc.pop("body")
            data = text_literal(text)
            parts.append(data)
            if not planes_wanted:
                sizes = (len(data), PLAIN if text.casefold() == text else -1)
            elif (due := due + share) >= 1:
                due -= 1
                low, high = planes(text)
                parts += (low, high)
                sizes = (len(data), len(low))
            else:
                sizes = (len(data), -1)
        records.append((item.row.file, item.row.line, item.kind.name, doc, item.number, sizes))
    return records, parts


def _unpack(records: list[tuple[Any, ...]], view: memoryview) -> list[Any]:
    from .import_prepare import Prepared

    at = 0
    prepared = []
    for file, line, kind, doc, number, sizes in records:
        if sizes is not None:
            size, half = sizes
            literal, at = view[at:at + size], at + size
            if half == PLAIN:
                doc["body"] = RawBody(literal, plain=True)
                prepared.append(Prepared(SourceRow(file, line, {}), KINDS[kind], doc, number))
                continue
            searched = None
            if half >= 0:
                # views into the mapped result, not copies: whatever reads a body's planes takes any buffer
                searched = cast("tuple[bytes, bytes]", (view[at:at + half], view[at + half:at + 2 * half]))
                at += 2 * half
            doc["body"] = RawBody(literal, searched)
        prepared.append(Prepared(SourceRow(file, line, {}), KINDS[kind], doc, number))
    return prepared


def _encode(message: Any) -> bytes:
    """A message as bytes: marshal, which is quicker, for the plain values prepared records
    are; pickle for anything else."""
    try:
        return b"m" + marshal.dumps(message)
    except ValueError:
        return b"p" + pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(data: memoryview) -> Any:
    return marshal.loads(data[1:]) if data[:1] == b"m" else pickle.loads(data[1:])


def _scratch() -> int:
    """A file with no name for one result: in memory where the system offers it."""
    if hasattr(os, "memfd_create"):
        try:
            return os.memfd_create("zhaoshang-import", getattr(os, "MFD_CLOEXEC", 0))
        except OSError:
            pass
    import tempfile

    with tempfile.TemporaryFile() as handle:
        return os.dup(handle.fileno())


class _Outbox:
    """The second process's end of the socket: results sent in order, at most ``AHEAD`` of
    them unread, and the share of bodies whose searched form this process works out, moved
    by which process waits for the other."""

    def __init__(self, channel: socket.socket, planes: bool):
        self.channel = channel
        self.sent = self.taken = 0
        self.planes = planes  # does the store take searched forms as planes (a file store)?
        self.share = SHARE if planes else 0.0

    def send(self, message: Any, parts: list[Any] | None = None) -> None:
        try:
            self._heard(self.channel.recv(64, socket.MSG_DONTWAIT))
        except BlockingIOError:
            pass
        if self.sent - self.taken >= AHEAD:  # we wait for the parent: take more of its work
            if self.planes:
                self.share = min(1.0, self.share + STEP)
            self._heard(self.channel.recv(64))
        head = _encode(message)
        fd = _scratch()
        try:
            write_parts(fd, [len(head).to_bytes(8, "little"), head, *(parts or [])])
            socket.send_fds(self.channel, [b"r"], [fd])
        finally:
            os.close(fd)
        self.sent += 1

    def _heard(self, answers: bytes) -> None:
        """The parent's answers, one a result taken: WAITED when it had to wait for it."""
        if not answers:
            raise BrokenPipeError
        self.taken += len(answers)
        if WAITED in answers:  # the parent waited for us: leave it more to do
            self.share = max(0.0, self.share - STEP)


class Worker:
    """The second process, started at once; iterate it for each chunk's result in order:
    (the chunk's rows checked (import_prepare.Checked), input bytes read).
    ``close()`` stops it, whether it is done or not."""

    def __init__(self, chunks: Iterable[Chunk], prepare: Any, *, planes: bool = True):
        """``planes``: the store takes bodies' searched forms as planes (a file store); a
        server casefolds the text itself, so this process works out none for it."""
        ours, theirs = socket.socketpair()
        self.pid = os.fork()
        if self.pid == 0:
            ours.close()
            self._serve(chunks, prepare, theirs, planes)  # never returns
        theirs.close()
        self.channel = ours

    @staticmethod
    def _serve(chunks: Iterable[Chunk], prepare: Any, channel: socket.socket, planes: bool) -> None:
        status = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends us
            outbox = _Outbox(channel, planes)
            try:
                for chunk in chunks:
                    checked = prepare(chunk.rows)
                    records, parts = _pack(checked.prepared, outbox.share, outbox.planes)
                    outbox.send(("chunk", records, checked.plain(), chunk.consumed), parts)
                outbox.send(("done",))
            except UserError as exc:
                outbox.send(("user", exc.message, exc.exit_code))
            except ConnectionError:
                raise
            except Exception as exc:  # noqa: BLE001 - told to the parent, which reports it
                outbox.send(("bug", f"{type(exc).__name__}: {exc}"))
        except BaseException:  # noqa: BLE001 - the parent left (a broken socket): nothing to tell
            status = 1
        finally:
            os._exit(status)

    def _receive(self) -> tuple[Any, memoryview]:
        """The next result, mapped: its bodies are read where they lie (the map goes when
        the last of them does)."""
        answer = b"k"
        try:
            try:
                _, fds, _, _ = socket.recv_fds(self.channel, 1, 1, socket.MSG_DONTWAIT)
            except BlockingIOError:
                answer = WAITED
                _, fds, _, _ = socket.recv_fds(self.channel, 1, 1)
        except ConnectionError:  # it ended with our answers unread
            fds = []
        if not fds:
            raise UserError(messages.IMPORT_READER_ENDED.format(how=self._ended()))
        try:
            try:
                self.channel.send(answer)  # taken: it may send the next one
            except OSError:
                pass  # it has ended (after its last result): not a broken pipe of ours
            # mapped with its pages at once: one call instead of a fault per page as the bodies are read
            view = memoryview(mmap.mmap(fds[0], 0, mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0),
                                        mmap.PROT_READ))
        finally:
            for fd in fds:
                os.close(fd)
        size = int.from_bytes(view[:8], "little")
        return _decode(view[8:8 + size]), view[8 + size:]

    def __iter__(self) -> Iterator[tuple[Any, int]]:
        try:
            while True:
                message, rest = self._receive()
                if message[0] == "done":
                    return
                if message[0] == "user":
                    error = UserError(message[1])
                    error.exit_code = message[2]
                    raise error
                if message[0] == "bug":
                    raise RuntimeError(message[1])
                from .import_prepare import Checked

                _, records, plain, consumed = message
                yield Checked.of(_unpack(records, rest), plain), consumed
        finally:
            self.close()

    def _ended(self) -> str:
        """How the second process ended (it has, or it would not have closed the socket)."""
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if os.WIFSIGNALED(status):
            return messages.IMPORT_READER_SIGNAL.format(signal=os.WTERMSIG(status))
        return messages.IMPORT_READER_EXIT.format(status=os.waitstatus_to_exitcode(status))

    def close(self) -> None:
        self.channel.close()
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
