"""A throwaway Redis server for the tests: Debian's `redis-server` on 127.0.0.1, on a free
port, keeping nothing on disk (`--save ''`, no append-only file), stopped afterwards.

    server = start_server()
    server.url       # redis://127.0.0.1:PORT
    server.flush()   # forget every key (between tests)
    server.stop()
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.postgres import free_port

START_TIMEOUT = 10.0


def find_binary() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)


def _command(port: int, *words: str) -> bytes:
    """Send one command in the plain protocol and return the first reply line."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall((" ".join(words) + "\r\n").encode())
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = sock.recv(1024)
            if not chunk:
                break
            reply += chunk
        return reply.strip()


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen
    folder: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def ping(self) -> bool:
        try:
            return _command(self.port, "PING") == b"+PONG"
        except OSError:
            return False

    def flush(self) -> None:
        assert _command(self.port, "FLUSHALL") == b"+OK"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(attempts: int = 3) -> RedisServer:
    """Start redis-server in the foreground of a child process and wait until it answers
    PING. FileNotFoundError when the binary is missing (scripts/install-system-deps)."""
    binary = find_binary()
    if binary is None:
        raise FileNotFoundError("no redis-server found")
    last_error = ""
    for _ in range(attempts):  # another process may take the free port before redis does
        folder = Path(tempfile.mkdtemp(prefix="storefront-redis-"))
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(folder),
             "--logfile", str(folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = RedisServer(port, process, folder)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if server.ping():
                return server
            time.sleep(0.02)
        log = folder / "redis.log"
        last_error = log.read_text(errors="replace")[-500:] if log.exists() else ""
        server.stop()
    raise RuntimeError(f"redis-server did not start: {last_error}")
