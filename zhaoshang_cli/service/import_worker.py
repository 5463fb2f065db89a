"""An import's rows read and validated in a second process while this one stores them.

Reading and validating take more than half of an import's time, and all of it is Python
holding the interpreter lock: on a machine with two cores a forked process does that part
for a big input (from ``PARALLEL_BYTES``), chunk by chunk, and sends each chunk's prepared
records back through a pipe, in order.  This process stores them meanwhile and works out
each body's searched form (with that too, the second process was the one waited for).  The
fork happens before the store is locked or opened, so the second process holds nothing of
the store; it reads only the inputs, which this process then no longer touches.  If this
process stops, the pipe breaks and the other one ends.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import Any, Iterable, Iterator

from ..domain.body import RawBody, literal
from ..domain.kind import KINDS
from ..errors import UserError
from ..io.importers.rows import Chunk, SourceRow

PARALLEL_BYTES = 32 << 20  # below this, a second process costs more than it saves


def worth_it(total_bytes: int) -> bool:
    if total_bytes < PARALLEL_BYTES or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) > 1


def _pack(item: Any) -> tuple[Any, ...]:
    """A prepared record as plain data (a kind goes by its name; a body as its literal
    bytes: its searched form is worked out by the storing process, which has the time)."""
    doc = item.doc
    body = doc.get("body")
    if body:
        doc["body"] = RawBody(bytes(literal(body)))
    return item.row.file, item.row.line, item.kind.name, doc, item.number


def _unpack(packed: tuple[Any, ...]) -> Any:
    from .imports import Prepared

    file, line, kind, doc, number = packed
    return Prepared(SourceRow(file, line, {}), KINDS[kind], doc, number)


class Worker:
    """The second process, started at once; iterate it for each chunk's result in order:
    ((prepared records, errors, invalid rows, unknown columns by file), input bytes read).
    ``close()`` stops it, whether it is done or not."""

    def __init__(self, chunks: Iterable[Chunk], prepare: Any):
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(read_end)
            self._serve(chunks, prepare, write_end)  # never returns
        os.close(write_end)
        self.pipe = os.fdopen(read_end, "rb")

    @staticmethod
    def _serve(chunks: Iterable[Chunk], prepare: Any, fd: int) -> None:
        status = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends us
            with os.fdopen(fd, "wb") as out:
                def send(message: Any) -> None:
                    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                    out.write(len(data).to_bytes(8, "little"))
                    out.write(data)

                try:
                    for chunk in chunks:
                        prepared, errors, invalid, unknown = prepare(chunk.rows)
                        send(("chunk", [_pack(p) for p in prepared], errors, invalid, unknown, chunk.consumed))
                    send(("done",))
                except UserError as exc:
                    send(("user", exc.message, exc.exit_code))
                except Exception as exc:  # noqa: BLE001 - told to the parent, which reports it
                    send(("bug", f"{type(exc).__name__}: {exc}"))
        except BaseException:  # noqa: BLE001 - the parent left (a broken pipe): nothing to tell
            status = 1
        finally:
            os._exit(status)

    def __iter__(self) -> Iterator[tuple[tuple[list[Any], list[str], int, dict[str, list[str]]], int]]:
        try:
            while True:
                head = self.pipe.read(8)
                if len(head) < 8:
                    raise RuntimeError("the import's second process ended without an answer")
                message = pickle.loads(self.pipe.read(int.from_bytes(head, "little")))
                if message[0] == "done":
                    return
                if message[0] == "user":
                    error = UserError(message[1])
                    error.exit_code = message[2]
                    raise error
                if message[0] == "bug":
                    raise RuntimeError(message[1])
                _, packed, errors, invalid, unknown, consumed = message
                yield ([_unpack(p) for p in packed], errors, invalid, unknown), consumed
        finally:
            self.close()

    def close(self) -> None:
        if self.pid:
            try:
                self.pipe.close()
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
