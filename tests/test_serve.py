"""`storefront serve`'s gunicorn settings (storefront/gunicorn_conf.py): the app is created
once, in gunicorn's master, and each worker is a fork of it with connections of its own."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from sqlalchemy import select

from storefront.cart.models import Cart
from storefront.extensions import db
from tests.conftest import base_config
from tests.support.http_shop import add_to_cart
from tests.support.live_server import Visitor, run_together
from tests.support.processes import gunicorn, shop_environment, wait_for

COFFEE = ("/products/colombia-huila", "COF-COL-250")
PROBE = "tests.support.sample_plugins:startup_probe"
SHOPPERS = 24


def workers_of(master: int) -> set[int]:
    return {int(pid) for pid in
            Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def created_in(probe: Path) -> list[int]:
    """The processes that created the app (the probe plugin's ``shop_startup``)."""
    return [int(line) for line in probe.read_text().split()]


def fill_carts(server) -> list[int]:
    """SHOPPERS guests at once, each putting a coffee in a cart of their own."""
    def shop() -> int:
        visitor = Visitor(server)
        add_to_cart(visitor, *COFFEE)
        return visitor.get("/cart").status

    return run_together([shop] * SHOPPERS)


def test_the_app_is_created_once_and_each_worker_keeps_connections_of_its_own(
        make_app, database_url, tmp_path):
    """The probe plugin reads the database while the app is created, so the master holds a
    pooled connection when it forks: each worker must open its own, or concurrent requests
    of two workers would talk over one connection."""
    app = make_app()
    probe = tmp_path / "created-in"
    env = shop_environment(base_config(database_url, tmp_path / "instance",
                                       EXTRA_PLUGINS=[PROBE]))
    env["STARTUP_PROBE_FILE"] = str(probe)
    with gunicorn(env, tmp_path / "run", workers=2) as server:
        master = server.process.pid
        first = workers_of(master)
        assert created_in(probe) == [master] and len(first) == 2

        assert fill_carts(server) == [200] * SHOPPERS

        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        wait_for(lambda: len(workers_of(master) - {killed}) == 2, 30, "a new worker")
        assert fill_carts(server) == [200] * SHOPPERS
        assert created_in(probe) == [master]  # the new worker was forked too
    with app.app_context():
        assert len(db.session.scalars(select(Cart)).all()) == 2 * SHOPPERS
