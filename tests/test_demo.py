"""`storefront demo` (what `make demo` runs) serves the shop and starts its worker: a guest's
bank-transfer order gets its "order received" message, with the demo's bank details,
printed by the worker; the demo accounts need no e-mail confirmation; Ctrl+C stops both, and
the demo starts again on the shop it made."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from tests.support.http_shop import log_in
from tests.support.live_server import LiveServer, Visitor
from tests.support.postgres import free_port
from tests.support.processes import shop_environment, started, wait_for


def test_the_demo_serves_the_shop_and_its_worker_sends_the_messages(tmp_path):
    port = free_port()
    env = shop_environment({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/demo.sqlite3",
                            "WORKER_QUEUE": f"sqlite:///{tmp_path}/queue.sqlite3"})
    with started("demo", ["-m", "storefront.cli", "demo", "--port", str(port)], env,
                 tmp_path / "run") as demo:
        shop = LiveServer(f"http://127.0.0.1:{port}")
        wait_for(lambda: "open http://" in demo.output() or not demo.alive(), 120,
                 "the demo to start")
        said = demo.output()
        assert "12 products" in said and "owner@demo.shop" in said and "member-demo-pass" in said
        guest = Visitor(shop)
        wait_for(lambda: _answers(guest), 30, "the demo to answer")
        product = re.search(r'href="(/products/[^"]+)"', guest.get("/").text).group(1)
        guest.post_form(product, "/cart/add", {"quantity": "1"})
        placed = guest.post_form("/checkout", "/checkout", {
            "email": "guest@example.com", "name": "Gemma Guest", "address": "1 Demo Street"})
        assert placed.status == 303, placed.text[:500]
        order_page = guest.get(placed.headers["Location"]).text
        assert "IBAN ES91 2100 0418 4502 0005 1332" in order_page  # the demo's bank details
        mail = wait_for(lambda: re.search(r"Subject: We received your order (SF-\d+)",
                                          demo.output()), 60, "the worker's message")
        assert mail.group(1) in order_page
        assert "IBAN ES91 2100 0418 4502 0005 1332" in demo.output().split(mail.group(0))[1]
        member = Visitor(shop)  # the demo's accounts are ready to use: no "confirm" banner
        log_in(member, "member@demo.shop", "member-demo-pass")
        account = member.get("/account").text
        assert "Hello, Mia Member" in account and "Please confirm your email" not in account, (
            demo.output()[-4000:])
        os.kill(demo.pid, signal.SIGINT)  # Ctrl+C in the terminal of `make demo`
        try:
            demo.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the demo was still running 30 s after Ctrl+C; what it printed:\n"
                        + demo.output()[-4000:])
        wait_for(lambda: not _group_alive(demo.pid), 30, "the worker to stop with the demo")
    again = subprocess.run([sys.executable, "-m", "storefront.cli", "demo", "--no-serve"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr  # a second start on the same shop works too


def _answers(visitor: Visitor) -> bool:
    try:
        return visitor.get("/").status == 200
    except OSError:
        return False


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
