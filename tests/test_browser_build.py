"""The static site in a real browser: pages served from one port, the shop from another.
A member who logged in on the shop sees their name, tier and points on the static pages
(member.js asks the shop's /api/me with the shop's cookie); a guest sees "Log in"."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from storefront.build.site import build_site
from tests.conftest import Shop
from tests.support.live_server import BROWSER_ON_SQLITE, live_server


@pytest.fixture
def make_app(make_app):
    """Sites in one language keep the plain paths these tests read (/products/x/);
    tests/test_build_languages.py builds in two."""
    return functools.partial(make_app, LANGUAGES=["en"])

pytestmark = BROWSER_ON_SQLITE

TIMEOUT_MS = 10_000


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` as a plain static host (no CSP, no cookies) on a free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def member_with_points(app, email: str, name: str, points: int) -> None:
    """A member with ``points`` usable points (granted as the points plugin's hook does)."""
    from hooks import call
    from storefront.extensions import db

    user_id = Shop(app).create_user(email, name=name)
    with app.app_context():
        call("points_grant", user_id=user_id, points=points, reason="welcome",
             key="test:welcome", actor="test")
        db.session.commit()


def test_a_member_logged_in_on_the_shop_sees_their_name_on_static_pages(browser, make_app,
                                                                        tmp_path):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    out = tmp_path / "site"
    out.mkdir()
    with static_server(out) as site:
        app = make_app(LOAD_ENTRY_POINT_PLUGINS=True, STATIC_SITE_URL=site,
                       PLUGINS_ENABLED_BY_DEFAULT=["points", "tiers"])
        member_with_points(app, "mia@example.com", "Mia Member", 1250)
        with live_server(app) as server:
            app.config["BASE_URL"] = server.url  # the shop's address, known once it listens
            build_site(app, out)
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()

            # A guest on the static site: "Log in" leads to the shop; no member box.
            page.goto(f"{site}/products/hand-grinder/")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Hand Grinder with Steel Burrs")
            login = page.get_by_role("link", name="Log in")
            expect(login).to_have_attribute("href", server("/login"))
            expect(page.locator("[data-member-box]")).to_be_hidden()

            # Log in on the shop, then come back to the static site.
            login.click()
            page.get_by_label("Email").fill("mia@example.com")
            page.get_by_label("Password").fill("correct horse battery")
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mia Member")

            page.goto(f"{site}/")
            box = page.locator("[data-member-box]")
            expect(box).to_be_visible()
            expect(box.get_by_role("link", name="Mia Member")).to_have_attribute(
                "href", server("/account"))
            expect(box).to_have_text("Mia Member · Member · 1,250 points")  # name, tier, points
            expect(page.get_by_role("link", name="Log in")).to_be_hidden()

            # "Buy in the shop" opens the product in the shop, where the cart form works.
            page.get_by_role("link", name="Hand Grinder with Steel Burrs").click()
            page.get_by_role("link", name="Buy in the shop").click()
            assert page.url == server("/products/hand-grinder")
            page.get_by_role("button", name="Add to cart").click()
            expect(page.get_by_role("status")).to_contain_text("Added Hand Grinder")
            context.close()


def test_a_static_site_on_an_origin_the_shop_does_not_serve_logs_no_cors_error(browser, make_app,
                                                                              tmp_path):
    """STATIC_SITE_URL is not set, so the shop answers /api/me to no other origin: the
    static pages do not ask it, and the browser's console stays clean."""
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    out = tmp_path / "site"
    out.mkdir()
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True, PLUGINS_ENABLED_BY_DEFAULT=["points"])
    with static_server(out) as site, live_server(app) as server:
        app.config["BASE_URL"] = server.url
        build_site(app, out)
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{site}/products/hand-grinder/")
        expect(page.get_by_role("link", name="Log in")).to_be_visible()
        page.wait_for_load_state("networkidle")
        context.close()
    assert not [url for url in asked if "/api/me" in url], asked
    assert not [line for line in console if line.startswith("error")], console


def test_the_member_box_of_a_spanish_static_page_speaks_spanish(browser, make_app, tmp_path):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    out = tmp_path / "site"
    out.mkdir()
    with static_server(out) as site:
        app = make_app(LOAD_ENTRY_POINT_PLUGINS=True, STATIC_SITE_URL=site,
                       PLUGINS_ENABLED_BY_DEFAULT=["points"], LANGUAGES=["en", "es"])
        member_with_points(app, "lucia@example.com", "", 12500)
        with live_server(app) as server:
            app.config["BASE_URL"] = server.url
            build_site(app, out)
            context = browser.new_context(locale="es-ES")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto(server("/login"))
            page.get_by_label("Correo electrónico").fill("lucia@example.com")
            page.get_by_label("Contraseña").fill("correct horse battery")
            page.locator("main form button[type=submit]").click()
            page.goto(f"{site}/es/")
            box = page.locator("[data-member-box]")
            expect(box).to_be_visible()
            expect(box.get_by_role("link")).to_have_text("Mi cuenta")  # no name: the label
            expect(box).to_contain_text("12.500 puntos")  # Spanish groups from five digits
            context.close()
