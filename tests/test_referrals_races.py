"""Referrals under concurrency, on PostgreSQL: the same referral settled by two workers at
once is rewarded once; two referrals of one referrer settled at once keep the monthly
limit; two requests making the member's code at once make one."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from hooks import utcnow
from loyalty_plugins.points.models import PointsEntry
from loyalty_plugins.referrals.codes import code_of
from loyalty_plugins.referrals.models import Referral, ReferralCode
from loyalty_plugins.referrals.service import settle
from loyalty_plugins.referrals.settings import current
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.plugins.state import save_settings
from tests.points_support import member
from tests.referrals_support import code_of as shown_code
from tests.referrals_support import paid_order, referral, referrals_app, referred
from tests.test_concurrency import POOL, run_together

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app):
    return referrals_app(make_app, **POOL)


def count(model, *where) -> int:
    with db.session.no_autoflush:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def settle_in_worker(app, referral_id: int):
    def work():
        with app.app_context():
            try:
                outcome = settle(referral_id, current(), utcnow())
                db.session.commit()
                return outcome
            finally:
                db.session.remove()
    return work


def test_two_workers_settling_the_same_referral_reward_it_once(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    ben, ben_id = referred(app, shop, shown_code(ana))
    paid_order(app, shop, ben, "ben@example.com", address="9 Other Road")
    referral_id = referral(app, ben_id).id
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        results = run_together([settle_in_worker(app, referral_id) for _ in range(2)])
    assert sorted(results) == ["", "rewarded"]
    with app.app_context():
        assert count(PointsEntry, PointsEntry.user_id == ana_id,
                     PointsEntry.key == f"referral:{referral_id}") == 1
        assert count(Notification, Notification.user_id == ana_id,
                     Notification.plugin == "referrals") == 1


def test_referrals_of_one_referrer_settled_at_once_keep_the_monthly_limit(app, shop):
    with app.app_context():
        save_settings("referrals", {"monthly_limit": "2"}, actor="test")
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    ids = []
    for n in range(5):
        friend, friend_id = referred(app, shop, shown_code(ana), email=f"f{n}@example.com",
                                     name=f"Friend {n}")
        paid_order(app, shop, friend, f"f{n}@example.com", address=f"{n} Other Road")
        ids.append(referral(app, friend_id).id)
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        results = run_together([settle_in_worker(app, i) for i in ids])
    assert sorted(results) == ["blocked"] * 3 + ["rewarded"] * 2
    with app.app_context():
        assert count(PointsEntry, PointsEntry.user_id == ana_id,
                     PointsEntry.key.startswith("referral:")) == 2
        assert count(Referral, Referral.state == "rewarded") == 2


def test_two_requests_making_a_members_code_at_once_make_one(app, shop):
    _, uid = member(app, shop)

    def make():
        with app.app_context():
            try:
                code = code_of(uid)
                db.session.commit()
                return code
            finally:
                db.session.remove()

    codes = run_together([make for _ in range(6)])
    assert len(set(codes)) == 1
    with app.app_context():
        assert count(ReferralCode) == 1
