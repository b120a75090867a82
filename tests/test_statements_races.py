"""Statements under concurrency, on PostgreSQL: two runs of the monthly job at once (two
workers, or cron and a manual run) send each member one statement."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loyalty_plugins.statements import service, settings
from loyalty_plugins.statements.models import StatementSent
from storefront.extensions import db
from storefront.notifications.models import Notification
from tests.points_support import loyalty_app
from tests.test_concurrency import POOL, run_together
from tests.test_statements import at, grant

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points", "statements"), **POOL)


def test_two_runs_at_once_send_each_member_one_statement(app, shop, caplog):
    with at("2027-03-15 12:00"):
        members = [shop.create_user(f"m{i}@example.com", name=f"M{i}") for i in range(7)]
        for uid in members:
            grant(app, uid, 10 + uid, f"test:{uid}")

    def run():
        with app.app_context():
            try:
                return service.send_due(settings.current(), batch=3)
            finally:
                db.session.remove()

    caplog.set_level("INFO", logger=service.log.name)
    with at("2027-04-01 00:10"):
        counts = run_together([run, run, run])
    assert sum(c["sent"] for c in counts) == 7 and sum(c["empty"] for c in counts) == 0
    with app.app_context():
        per_member = dict(db.session.execute(
            select(Notification.user_id, func.count()).where(Notification.plugin == "statements")
            .group_by(Notification.user_id)).all())
        assert per_member == dict.fromkeys(members, 1)
        assert db.session.scalar(select(func.count()).select_from(StatementSent)) == 7
    assert "statements for 2027-03: 7 accounts read" in caplog.text
