"""Through the whole shop: a wrapper on every hook of the contract runs and sees the answer,
whichever way the core calls the hook (a page, the checkout, a reaction, a command)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hooks import NavLink, hookimpl
from hooks import specs as hookspecs
from storefront.accounts.models import User
from storefront.accounts.service import issue_token, verify_email
from storefront.cli import main
from storefront.database import migrate
from storefront.extensions import db
from storefront.orders.disputes import record_dispute
from storefront.orders.models import Order
from storefront.orders.service import cancel_order, mark_paid, record_refund

# shop_settings_what_if is asked of one plugin only, the one whose settings page it is
# (tests/test_what_if.py): another plugin's wrapper has no part in it.
HOOKS = sorted(name for name in dir(hookspecs)
               if name.startswith("shop_") and name != "shop_settings_what_if")
DENIED_SKU = "TEA-CHA-50"


def _recording(hook_name: str):
    def wrap(self):
        result = yield
        self.seen.setdefault(hook_name, []).append(result)
        return result

    return hookimpl(wrapper=True)(wrap)


def _answering(hook_name: str):
    def answer(self):
        return None

    return hookimpl(answer)


class Plain:
    """A plugin that answers every hook (with None), so that every hook has an
    implementation to wrap; it denies adding one product to a cart."""

    name = "plain"

    @hookimpl
    def shop_permission(self, action, resource):
        return False if (action, resource) == ("cart.add", DENIED_SKU) else None


for _hook in HOOKS:
    if not hasattr(Plain, _hook):
        setattr(Plain, _hook, _answering(_hook))


class Recorder:
    name = "recorder"

    def __init__(self):
        self.seen: dict[str, list] = {}

    @hookimpl(wrapper=True)
    def shop_nav_links(self):
        links = yield
        self.seen.setdefault("shop_nav_links", []).append(links)
        return [*links, [NavLink("Wrapped link", "/wrapped", order=99)]]


for _hook in HOOKS:
    if not hasattr(Recorder, _hook):
        setattr(Recorder, _hook, _recording(_hook))


@pytest.fixture
def recorder():
    return Recorder()


def test_a_wrapper_on_every_hook_runs_in_the_shop(make_app, shop, recorder, tmp_path):
    app = make_app(EXTRA_PLUGINS=[recorder, Plain()], LOAD_ENTRY_POINT_PLUGINS=True)
    shop.app = app
    migrate.version_dirs(app)
    runner = app.test_cli_runner()
    for command in (["plugins", "list"], ["content", "check"], ["jobs", "run"],
                    ["build", "--out", str(tmp_path / "site")]):
        result = runner.invoke(main, command)
        assert result.exit_code == 0, (command, result.output)

    guest = app.test_client()
    page = guest.get(f"/products/{shop.product('COF-ETH-250').slug}")
    assert "Wrapped link" in page.get_data(as_text=True)  # the wrapper changed the answer
    refused = shop.add(guest, DENIED_SKU)
    assert refused.status_code == 403

    client = app.test_client()
    shop.register(client, email="wren@example.com")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "wren@example.com"))
        wren_id = user.id
        verify_email(issue_token(user, "verify"))
    shop.add(client, "COF-ETH-250", 2)
    assert client.get("/cart").status_code == 200
    assert shop.checkout(client).status_code == 303
    assert client.get("/account").status_code == 200
    assert client.get("/account/preferences").status_code == 200  # the kinds of message
    assert client.get("/api/me").status_code == 200
    shop.add(client, "COF-ETH-250")
    shop.checkout(client)
    with app.app_context():
        first, second = db.session.scalars(select(Order.id).order_by(Order.id)).all()
        assert mark_paid(first)
        assert record_refund(first, "re_1", 100)
        assert record_dispute(first, "dp_1", 100, "needs_response")
        assert cancel_order(second, "changed my mind")
    shop.create_user("staff@example.com", role="staff")
    staff = app.test_client()
    shop.login(staff, "staff@example.com", "correct horse battery")
    assert staff.get(f"/admin/customers/{wren_id}").status_code == 200  # the staff panels

    assert sorted(recorder.seen) == HOOKS
    placed = recorder.seen["shop_order_placed"]
    assert placed and all(result == [] for result in placed)  # reactions answer nothing


def test_a_wrapper_on_nav_links_does_not_break_pages(make_app, recorder):
    app = make_app(EXTRA_PLUGINS=[recorder])
    page = app.test_client().get("/")
    assert page.status_code == 200
    assert "Wrapped link" in page.get_data(as_text=True)
    assert recorder.seen["shop_nav_links"] == [[]]  # no plugin answers: the wrapper sees []
