"""Helpers for the referrals tests: a shop with points and referrals, members who refer and
are referred, orders paid and refunded, the clock moved past the return window."""

from __future__ import annotations

import re

from sqlalchemy import select

from loyalty_plugins.points.models import PointsEntry
from loyalty_plugins.referrals.models import Referral
from loyalty_plugins.referrals.service import settle_due
from loyalty_plugins.referrals.settings import current
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.orders.service import mark_paid, record_refund
from tests.points_support import last_order_id, loyalty_app, member
from tests.support.forms import post_form

CODE = re.compile(r'data-testid="referral-code">([A-Z0-9]{8})<')
ADDRESS = "1 Main Street, Springfield"


def referrals_app(make_app, **config):
    return loyalty_app(make_app, plugins=("points", "rewards", "referrals"), **config)


def code_of(client) -> str:
    found = CODE.search(client.get("/account").get_data(as_text=True))
    assert found, "no referral code on the account page"
    return found.group(1)


def enter(client, code: str, back: str = ""):
    """The member types a code into the form of their referral page; the page shown after."""
    data = {"code": code, **({"next": back} if back else {})}
    return post_form(client, "/referrals/", "/referrals/enter", data, follow_redirects=True)


def referred(app, shop, code: str, email="ben@example.com", name="Ben"):
    """A new member who joins with ``code``: (their client, their id)."""
    client, uid = member(app, shop, email=email, name=name)
    page = enter(client, code).get_data(as_text=True)
    assert "Your friend&#39;s code is accepted" in page, page[:3000]
    return client, uid


def paid_order(app, shop, client, email: str, address: str = ADDRESS) -> int:
    shop.add(client, "EQP-GRD-01")
    response = shop.checkout(client, email=email, address=address)
    assert response.status_code == 303, response.status_code
    order_id = last_order_id(app)
    with app.app_context():
        mark_paid(order_id)
        db.session.commit()
    return order_id


def refund(app, order_id: int, amount: int = 100) -> None:
    with app.app_context():
        assert record_refund(order_id, f"re_{order_id}", amount, "returned")


def settle(app) -> int:
    """The scheduled job, run now (inside time_machine.travel for a later day)."""
    with app.app_context():
        from hooks import utcnow

        done = settle_due(current(), utcnow())
        db.session.commit()
        return done


def run_job(app) -> str:
    """``storefront jobs run --force --only referrals:settle``, as cron would run it."""
    from storefront.cli import main

    result = app.test_cli_runner().invoke(main, ["jobs", "run", "--force", "--only",
                                                 "referrals:settle"])
    assert result.exit_code == 0, result.output
    return result.output


def referral(app, referee_id: int) -> Referral:
    with app.app_context():
        row = db.session.scalar(select(Referral).where(Referral.referee_id == referee_id))
        db.session.expunge(row)
        return row


def referral_points(app, user_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(PointsEntry.delta).where(
            PointsEntry.user_id == user_id, PointsEntry.key.startswith("referral:"))))


def messages(app, user_id: int) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(
            Notification.plugin == "referrals", Notification.user_id == user_id)
            .order_by(Notification.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows
