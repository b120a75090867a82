"""An HTTP proxy on 127.0.0.1 that loses answers: it forwards a request to the real server,
lets it do the work, then hangs up without answering, the way a network that times out
after the server processed the request looks to the client."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse


@dataclass
class FlakyProxy:
    upstream: str  # http://127.0.0.1:PORT
    url: str = ""
    lose: dict[tuple[str, str], int] = field(default_factory=dict)  # (method, path) -> count
    lost: list[dict] = field(default_factory=list)  # the answers the client never saw
    lock: threading.Lock = field(default_factory=threading.Lock)

    def lose_next(self, method: str, path: str, count: int = 1) -> None:
        with self.lock:
            self.lose[(method, path)] = count

    def _take_loss(self, method: str, path: str) -> bool:
        with self.lock:
            left = self.lose.get((method, path), 0)
            if left:
                self.lose[(method, path)] = left - 1
            return bool(left)


def _handler(proxy: FlakyProxy) -> type[BaseHTTPRequestHandler]:
    target = urlparse(proxy.upstream)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            upstream.close()
            if proxy._take_loss(self.command, self.path.split("?")[0]):
                proxy.lost.append(json.loads(data or b"{}"))
                self.close_connection = True  # hang up: the client gets no answer at all
                return
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _forward  # noqa: N815 - http.server's names

        def log_message(self, *_args) -> None:
            pass

    return Forward


@contextmanager
def flaky_proxy(upstream: str) -> Iterator[FlakyProxy]:
    proxy = FlakyProxy(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    proxy.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
