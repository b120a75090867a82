"""Run one function over many items in this process and in processes forked from it.

The items are cut into chunks. Every member of the team, this process included, takes the
next chunk from a shared counter whenever it is free, so a slow chunk holds up nobody.
Helpers send each finished chunk back through a pipe of their own; this process
reads them between its own items and hands out the results in the items' order.

This process works too because on a machine with N CPUs it would otherwise sit idle, only
passing work along; with N - 1 helpers every CPU renders and nothing is queued or
pickled per item. A helper's error ends the run with that error; a helper that dies ends
it with a ``HelperDied`` naming how.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)

CHUNK = 16  # items per chunk: about 10 ms of pages, enough to make handing out cheap
_HEADER = struct.Struct("!I")  # the length of the pickled message that follows
_TICKET = struct.Struct("=I")


class HelperDied(RuntimeError):
    """A helper process ended without finishing its chunk (killed, out of memory...)."""


class _Tickets:
    """The chunks still to do: one 4-byte ticket per chunk in a pipe, filled and closed
    for writing before any helper is forked. Whoever reads a ticket does that chunk; the
    kernel hands each read a whole ticket, and once the pipe is empty every read ends. No
    one holds a lock, so a member that dies cannot stall the others. (A
    ``multiprocessing.Value`` with its lock cost 18 ms of imports and set-up.)"""

    def __init__(self, count: int):
        self._read, write = os.pipe()
        try:
            os.write(write, b"".join(_TICKET.pack(i) for i in range(count)))
        finally:
            os.close(write)

    @staticmethod
    def capacity() -> int:
        """How many tickets a new pipe holds (it must take them all before anyone reads)."""
        import fcntl  # the team forks, so it runs on Linux only

        read, write = os.pipe()
        try:
            return fcntl.fcntl(write, fcntl.F_GETPIPE_SZ) // _TICKET.size
        finally:
            os.close(read)
            os.close(write)

    def take(self) -> int | None:
        """The next chunk's index, or None when none is left."""
        data = os.read(self._read, _TICKET.size)
        return _TICKET.unpack(data)[0] if data else None

    def drain(self) -> None:
        """Take every ticket left: the others stop after the chunk they hold."""
        while os.read(self._read, 65536):
            pass

    def close(self) -> None:
        os.close(self._read)


class _Helper:
    def __init__(self, pid: int, fd: int):
        self.pid, self.fd = pid, fd
        self.reader: BinaryIO = os.fdopen(fd, "rb")


class Team(Generic[T, R]):
    """``func`` over ``items`` with ``helpers`` forked processes; iterate ``results()``
    once, inside ``with`` (leaving it stops and reaps the helpers)."""

    def __init__(self, func: Callable[[T], R], items: list[T], helpers: int,
                 on_fork: Callable[[], None] = lambda: None):
        self._func = func
        size = max(CHUNK, -(-len(items) // _Tickets.capacity()))  # a huge site: bigger chunks
        self._chunks = [items[i:i + size] for i in range(0, len(items), size)]
        self._tickets = _Tickets(len(self._chunks))
        self._helpers: list[_Helper] = []
        self._done: dict[int, list[R]] = {}
        for _ in range(helpers):
            try:
                self._fork(on_fork)
            except OSError as exc:  # no more processes or memory: work with fewer helpers
                log.warning("build goes on with %d helper processes: %s",
                            len(self._helpers), exc)
                break

    @property
    def pids(self) -> list[int]:
        """The process ids of the helpers not reaped yet."""
        return [helper.pid for helper in self._helpers]

    # -- the helpers ------------------------------------------------------------------
    def _fork(self, on_fork: Callable[[], None]) -> None:
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            raise
        if pid == 0:  # the helper: never returns
            os.close(read_fd)
            for other in self._helpers:  # so a helper's end shows as end-of-file at once
                os.close(other.fd)
            self._serve(write_fd, on_fork)
        os.close(write_fd)
        self._helpers.append(_Helper(pid, read_fd))

    def _serve(self, write_fd: int, on_fork: Callable[[], None]) -> None:
        # Ctrl-C is this process's to handle: it takes the tickets left, so a helper ends
        # after the chunk it holds and leaves no page half written.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        status = 1
        try:
            with os.fdopen(write_fd, "wb") as out:
                on_fork()
                while (index := self._tickets.take()) is not None:
                    try:
                        results = [self._func(item) for item in self._chunks[index]]
                    except Exception as exc:  # noqa: BLE001 - sent back: the run ends with it
                        _send(out, (index, None, _portable(exc)))
                        break
                    _send(out, (index, results, None))
                else:
                    status = 0
        except BaseException:  # noqa: BLE001 - a helper must end here, whatever happened
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(status)  # not the parent's exit handlers, not its buffered output

    # -- this process -----------------------------------------------------------------
    def results(self) -> Iterator[R]:
        """Every item's result, in order, while this process works on chunks too."""
        for index in range(len(self._chunks)):
            while index not in self._done:
                mine = self._tickets.take()
                if mine is not None:
                    self._done[mine] = self._work(self._chunks[mine])
                else:
                    self._collect(wait=True)
            yield from self._done.pop(index)

    def _work(self, chunk: list[T]) -> list[R]:
        results = []
        for item in chunk:
            results.append(self._func(item))
            self._collect(wait=False)  # keep the helpers' pipes from filling up
        return results

    def _collect(self, wait: bool) -> None:
        """Read what the helpers sent: at least one message or end when ``wait``."""
        if not self._helpers:
            if wait:
                raise HelperDied("no helper is left to finish the work")
            return
        by_fd = {h.fd: h for h in self._helpers}
        ready, _, _ = select.select(list(by_fd), [], [], None if wait else 0)
        for fd in ready:
            self._receive(by_fd[fd])

    def _receive(self, helper: _Helper) -> None:
        message = _read(helper.reader)
        if message is None:  # end of file: the helper is gone
            self._helpers.remove(helper)
            helper.reader.close()
            _, status = os.waitpid(helper.pid, 0)
            if status != 0:
                raise HelperDied(f"a worker process ended unexpectedly ({_how(status)})")
            return
        index, results, error = message
        if error is not None:
            raise error
        self._done[index] = results

    def __enter__(self) -> Team[T, R]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        """Stop handing out chunks, let the helpers finish the one they hold (a page is
        never left half written) and reap them."""
        self._tickets.drain()
        for helper in self._helpers:
            helper.reader.close()  # a helper still sending gets a broken pipe and ends
            os.waitpid(helper.pid, 0)
        self._helpers.clear()
        self._tickets.close()


def _send(out: BinaryIO, message: tuple) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(data)) + data)
    out.flush()


def _read(reader: BinaryIO) -> tuple | None:
    header = reader.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = reader.read(size)
    return pickle.loads(data) if len(data) == size else None  # noqa: S301 - our own child


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError that says it."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - made here
    except Exception:  # noqa: BLE001 - any exception can fail to pickle in its own way
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
