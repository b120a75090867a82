"""The shop as real processes, for tests that kill them: gunicorn serving the app, the
`storefront` worker and other commands, each configured like a deployment through
DATABASE_URL and STOREFRONT_* variables.

    env = shop_environment(base_config(url, instance, WORKER_QUEUE="sqlite:///..."))
    with gunicorn(env, tmp_path, workers=2) as server:   # a LiveServer: Visitor(server)
        ...
        server.process.kill()                            # SIGKILL, the whole group
    storefront(env, tmp_path, "worker", "--until-idle")  # a finished command

Every process runs in a session (process group) of its own and is SIGKILLed with all its
children when the block ends, even when the test fails. Output goes to NAME.log in the
folder given, shown when a process does not start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from storefront.cli import GUNICORN_CONFIG
from tests.support.live_server import LiveServer

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 60.0


def shop_environment(config: Mapping[str, object]) -> dict[str, str]:
    """The environment of a shop process with ``config`` (as given to create_app): each
    setting as STOREFRONT_NAME, JSON-encoded so that Flask reads back the same type; this
    checkout of the project first on the import path."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("STOREFRONT_") and name != "DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONUNBUFFERED"] = "1"
    for name, value in config.items():
        if name == "SQLALCHEMY_DATABASE_URI":
            env["DATABASE_URL"] = str(value)
        else:
            env[f"STOREFRONT_{name}"] = json.dumps(value)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and every process of its group (gunicorn's workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # a stopped process dies too
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        """SIGSTOP the group: it hangs, as on a frozen host, its connections open."""
        os.killpg(self.popen.pid, signal.SIGSTOP)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _interruptible() -> None:
    """Ctrl+C (SIGINT) interrupts the process as in a terminal, even when the test run was
    started in the background by a shell, whose children inherit SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def started(name: str, args: list[str], env: Mapping[str, str], folder: Path,
            pass_fds: tuple[int, ...] = ()) -> Iterator[Process]:
    """``python ARGS`` in a process group of its own, killed (group and all) at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"{name}.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(  # noqa: S603 - the test's own interpreter and arguments
            [sys.executable, *args], env=dict(env), cwd=folder, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True, pass_fds=pass_fds,
            preexec_fn=_interruptible)
    process = Process(name, popen, log)
    try:
        yield process
    finally:
        if process.alive():
            process.kill()


@dataclass(frozen=True)
class ServedShop(LiveServer):
    process: Process | None = None


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def gunicorn(env: Mapping[str, str], folder: Path, *, workers: int = 1,
             name: str = "gunicorn", timeout: int = 120) -> Iterator[ServedShop]:
    """gunicorn serving the shop with the settings of `storefront serve`, sync workers, on a
    port the OS picked (the listening socket is handed over, so no other process can take the
    port); yields once the home page answers. A worker busy with one request for ``timeout``
    seconds is killed and replaced."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    args = ["-m", "gunicorn", "--config", GUNICORN_CONFIG, "--workers", str(workers),
            "--worker-class", "sync", "--bind", f"fd://{listener.fileno()}",
            "--graceful-timeout", "5", "--timeout", str(timeout)]
    try:
        with started(name, args, env, folder, pass_fds=(listener.fileno(),)) as process:
            listener.close()  # gunicorn has it now; a killed gunicorn leaves no listener
            server = ServedShop(f"http://127.0.0.1:{port}", process)
            wait_for(lambda: _answers(server("/")) or not process.alive(), START_TIMEOUT,
                     f"{name} to serve")
            assert process.alive(), f"{name} stopped:\n{process.output()[-3000:]}"
            yield server
    finally:
        listener.close()


def storefront(env: Mapping[str, str], folder: Path, *args: str,
               timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``storefront ARGS`` (python -m storefront.cli) to its end; fails the test when it
    exits with an error."""
    result = subprocess.run(  # noqa: S603 - the test's own interpreter and arguments
        [sys.executable, "-m", "storefront.cli", *args], env=dict(env), cwd=folder,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result


def wait_for(condition: Callable[[], object], timeout: float, what: str,
             interval: float = 0.05) -> object:
    """Poll ``condition`` until it is true (returned) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(interval)


def _socket_inodes(local_port: int) -> set[str]:
    """The inodes of the TCP sockets (IPv4 and IPv6) bound to ``local_port`` on this side."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == local_port:
                    found.add(fields[9])
    return found


def owner_of_connection(local_port: int, processes: list[Process]) -> Process | None:
    """Which of ``processes`` has the TCP connection whose own end is ``local_port`` (e.g.
    the client_port PostgreSQL shows for a backend)."""
    wanted = {f"socket:[{inode}]" for inode in _socket_inodes(local_port)}
    for process in processes:
        fd_dir = Path(f"/proc/{process.pid}/fd")
        with contextlib.suppress(OSError):
            for fd in fd_dir.iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in wanted:
                        return process
    return None
