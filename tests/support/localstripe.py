"""localstripe (a stateful fake of the Stripe API, from PyPI) in a subprocess for the tests.

It listens on 127.0.0.1 only and keeps its state in memory (no pickle file). Two gaps between
localstripe and Stripe matter to our payment code; they are closed here, inside the fake only,
so that the official `stripe` library and our code run unchanged:

- Stripe honours the ``Idempotency-Key`` header: a repeated request with the same key gets the
  first response back (``Idempotent-Replayed: true``), the same key with other parameters is a
  400 ``idempotency_error``, and a request whose key is still in flight is a 409 (which the
  `stripe` library retries). localstripe ignores the header and would create a second object.
- Stripe accepts ``receipt_email`` and ``automatic_payment_methods`` on PaymentIntents;
  localstripe answers 400 "Unexpected ...". The fake now accepts and stores both.

Run as ``python -m tests.support.localstripe PORT PARENT_PID`` from the project root; it
exits by itself when the parent process is gone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import stripe

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "sk_test_storefront_localstripe"
PUBLISHABLE_KEY = "pk_test_storefront_localstripe"


@dataclass
class LocalStripe:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> stripe.StripeClient:
        """A client of our own, as Stripe.js or the Dashboard would be: not the shop's."""
        return stripe.StripeClient(SECRET_KEY, base_addresses={"api": self.url},
                                   max_network_retries=0)

    def flush(self) -> None:
        """Forget every object (and every stored idempotent response)."""
        request = urllib.request.Request(f"{self.url}/_config/data", method="DELETE")
        urllib.request.urlopen(request, timeout=5).close()

    def payment_intents(self) -> list[stripe.PaymentIntent]:
        return list(self.client().v1.payment_intents.list(params={"limit": 100}).data)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log_path.unlink(missing_ok=True)


def start(timeout: float = 20.0) -> LocalStripe:
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="localstripe-", suffix=".log",
                                     delete=False) as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.localstripe", str(port),
             str(os.getpid())],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    server = LocalStripe(port, process, Path(log.name))
    probe = urllib.request.Request(f"{server.url}/v1/payment_intents?limit=1",
                                   headers={"Authorization": f"Bearer {SECRET_KEY}"})
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            output = server.log()
            server.stop()
            raise RuntimeError(f"localstripe exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(probe, timeout=1) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            output = server.log()
            server.stop()
            raise RuntimeError(f"localstripe did not answer on port {port}:\n{output}")
        time.sleep(0.05)


# --- the server side, run in the subprocess ------------------------------------------------


def _accept_unmodelled_intent_params(resources) -> None:
    original = resources.PaymentIntent.__init__

    def __init__(self, *args, receipt_email=None, automatic_payment_methods=None, **kwargs):
        original(self, *args, **kwargs)
        self.receipt_email = receipt_email
        self.automatic_payment_methods = automatic_payment_methods

    resources.PaymentIntent.__init__ = __init__


def _idempotency_middleware():
    from aiohttp import web
    from localstripe.errors import UserError

    stored: dict[str, tuple[tuple[str, bytes], int, bytes]] = {}
    in_flight: set[str] = set()

    def error(status: int, message: str) -> web.Response:
        body = {"error": {"type": "idempotency_error", "message": message}}
        return web.json_response(body, status=status)

    @web.middleware
    async def idempotency(request, handler):
        if request.method == "DELETE" and request.path == "/_config/data":
            stored.clear()
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith("/v1/"):
            return await handler(request)
        fingerprint = (request.path, await request.read())
        if key in stored:
            first, status, body = stored[key]
            if first != fingerprint:
                return error(400, f"Keys for idempotent requests can only be used with the "
                                  f"same parameters they were first used with ({key}).")
            return web.Response(status=status, body=body, content_type="application/json",
                                headers={"Idempotent-Replayed": "true"})
        if key in in_flight:
            return error(409, "There is currently another in-progress request using this "
                              f"Idempotent Key ({key}). Please try again later.")
        in_flight.add(key)
        try:
            try:
                response = await handler(request)
            except UserError as exc:
                response = exc.to_response()
            # Stripe keeps the result of every request that started executing (card errors
            # included), but not validation failures or conflicts.
            if 200 <= response.status < 300 or response.status == 402:
                stored[key] = (fingerprint, response.status, bytes(response.body))
            return response
        finally:
            in_flight.discard(key)

    return idempotency


def _exit_with(parent: int):
    """An on_startup hook: stop serving once the test process is gone, however it ended."""
    import asyncio
    import os

    async def watch() -> None:
        while os.getppid() == parent:
            await asyncio.sleep(1)
        os._exit(0)

    async def on_startup(app) -> None:
        app["storefront_watchdog"] = asyncio.ensure_future(watch())

    return on_startup


def serve(port: int, parent: int) -> None:
    import localstripe.resources as resources
    from aiohttp import web
    from localstripe.server import app

    resources.Store.dump_to_disk = lambda self: None  # no /tmp/localstripe.pickle
    _accept_unmodelled_intent_params(resources)
    app.middlewares.append(_idempotency_middleware())  # innermost: after authentication
    app.on_startup.append(_exit_with(parent))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None,
                handle_signals=True)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
