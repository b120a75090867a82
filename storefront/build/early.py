"""Read content/ while the shop starts: the first half second of ``storefront build``.

Before a build can render anything, the command imports Flask, SQLAlchemy and the plugins
and creates the app: about 0.45 s on one CPU, while the others wait. Parsing the Markdown
files of content/ needs none of that, so the command forks a second process before those
imports (``start``, called at the top of ``storefront.cli``) that reads and parses every
product and page file and sends the results back through a pipe. The build takes them
(``take``) for the files that have not changed since they were read; anything else (a
file changed in between, a different content folder, a reader that failed) is parsed
again by the build itself, so the pages never depend on this having worked. When the
build is ready for the files before the reader is done (a large site), the reader stops
and hands over what it has, and the build parses the rest with its own workers.

It reads the folder the configuration will most likely name: ``STOREFRONT_CONTENT_DIR``,
else the default content/. A folder set in instance/config.py or a .env file is read by the
build itself only. It is off on one CPU, with ``--jobs 1``, and with
``STOREFRONT_BUILD_EARLY_PARSE=0``.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import logging
import os
import pickle
import select
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storefront.build.sources import Record
    from storefront.content.loader import ContentProblem

FOLDERS = ("products", "pages")
SWITCH = "STOREFRONT_BUILD_EARLY_PARSE"
DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "content"  # as config.py
# What one file gives: the parsed source (None when invalid), its problems, and its
# record for FileStates (mtime_ns, size, sha256), or None when it could not be read.
Parsed = tuple[Any, list["ContentProblem"], "Record | None"]


def parse_file(path: Path, root: Path, parser: Any) -> Parsed:
    """Read and parse one file; the record is of the bytes parsed (read once for both)."""
    from storefront.content.loader import read_file

    problems: list[ContentProblem] = []
    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError:  # read_file reports it
        return read_file(path, root, parser, problems), problems, None
    record = (st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())
    return read_file(path, root, parser, problems, data), problems, record


def content_files(root: Path) -> list[tuple[Path, Any]]:
    """Every ``*.md`` file of content/products and content/pages, with its parser."""
    from storefront.build.sources import scandir_md
    from storefront.content.loader import parse_page, parse_product

    parsers = {"products": parse_product, "pages": parse_page}
    return [(path, parsers[folder]) for folder in FOLDERS for path in scandir_md(root / folder)]


class EarlyParse:
    """The reading process: its pid, the read end of its results pipe and the write end of
    its stop pipe (closing it tells the reader to stop and send what it has)."""

    def __init__(self, root: Path, pid: int, results_fd: int, stop_fd: int):
        self.root, self._pid = root, pid
        self._results_fd, self._stop_fd = results_fd, stop_fd
        self._results: dict[str, Parsed] | None = None
        atexit.register(self.close)

    def results(self, stop: bool = True) -> dict[str, Parsed]:
        """What the reader has parsed: with ``stop``, what it has so far (it stops after
        the file in hand), so the build never waits for files that its own workers would
        parse sooner; else everything. {} if the reader failed."""
        if self._results is None:
            self._results = {}
            if stop:
                self._stop_fd = _close(self._stop_fd)
            with contextlib.suppress(Exception):  # a reader that failed: parse here
                with os.fdopen(self._results_fd, "rb") as pipe:
                    self._results_fd = -1
                    data = pipe.read()
                if data:
                    self._results = pickle.loads(data)  # noqa: S301 - our own child
            self.close()
        return self._results

    def close(self) -> None:
        """Stop the reader (one still writing gets a broken pipe and ends) and reap it."""
        self._stop_fd = _close(self._stop_fd)
        self._results_fd = _close(self._results_fd)
        if self._pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0


def _close(fd: int) -> int:
    """Close ``fd`` unless it is closed already (-1); -1."""
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
    return -1


_pending: EarlyParse | None = None


def _stopped(stop_fd: int) -> bool:
    """Whether the build asked for the results (it closed its end of the stop pipe)."""
    return bool(select.select([stop_fd], [], [], 0)[0])


def _child(root: Path, results_fd: int, stop_fd: int) -> None:
    """In the forked process: parse until done or stopped, send the results, and leave
    without running the parent's exit code."""
    status = 1
    try:
        gc.enable()  # off in the command while it starts; this process makes garbage
        logging.disable(logging.CRITICAL)  # problems go back with the results
        parsed: dict[str, Parsed] = {}
        for path, parser in content_files(root):
            if _stopped(stop_fd):
                break
            parsed[str(path)] = parse_file(path, root, parser)
        data = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(results_fd, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)


def start(root: Path) -> EarlyParse | None:
    """Fork the reading process for ``root``; None where fork is not available."""
    global _pending
    if not hasattr(os, "fork") or not root.is_dir():
        return None
    results_read, results_write = os.pipe()
    stop_read, stop_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(results_read)
        os.close(stop_write)
        _child(root, results_write, stop_read)
    os.close(results_write)
    os.close(stop_read)
    _pending = EarlyParse(root.resolve(), pid, results_read, stop_write)
    return _pending


def take(root: Path) -> dict[str, Parsed]:
    """The early results if they were read from ``root`` (once; then forgotten)."""
    global _pending
    pending, _pending = _pending, None
    if pending is None:
        return {}
    if pending.root != root.resolve():
        pending.close()
        return {}
    return pending.results()


def wanted(argv: list[str], environ: Mapping[str, str]) -> bool:
    """Whether this command line is a ``storefront build`` that should read early."""
    if len(argv) < 2 or argv[1] != "build" or environ.get(SWITCH, "1") == "0":
        return False  # every other command starts without importing anything for this
    from storefront.build.parallel import default_jobs

    args = argv[2:]
    one_job = "--jobs=1" in args or any(
        a == "--jobs" and nxt == "1" for a, nxt in zip(args, args[1:], strict=False))
    return not one_job and "--help" not in args and default_jobs() > 1


def start_for_command() -> None:
    """At the top of the ``storefront`` command, when it is ``storefront build``: the
    garbage collector stays off while the shop starts, and content/ is read early.

    Starting allocates some 137,000 objects (modules, classes, the app) that all live until
    the command ends, so collecting them is wasted work: 30-40 ms of a build. The build
    command freezes them and turns the collector back on before it renders."""
    if not is_command() or sys.argv[1:2] != ["build"]:
        return
    gc.disable()
    if wanted(sys.argv, os.environ):
        start(Path(os.environ.get("STOREFRONT_CONTENT_DIR") or DEFAULT_ROOT))


def is_command() -> bool:
    """Whether this process is the ``storefront`` command itself (not a test or a program
    that imports the CLI and goes on)."""
    name = Path(sys.argv[0]).name
    return name in ("storefront", "storefront.exe") or sys.argv[0].endswith(
        str(Path("storefront", "cli.py")))
