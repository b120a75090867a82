"""The birthdays job under concurrency, on PostgreSQL: greetings run by many workers at once
(past the job runner's claim, which alone would keep them apart) give each member one
greeting, one gift and one message."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from hooks import today, utcnow
from loyalty_plugins.birthdays import service, settings
from loyalty_plugins.points.models import PointsEntry
from storefront.extensions import db
from storefront.notifications.models import Notification
from tests.birthdays_support import give_birthday, greetings, joined_at
from tests.points_support import loyalty_app, member
from tests.test_concurrency import POOL, run_together

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points", "birthdays"),
                       SHOP_TIMEZONE="Europe/Madrid", **POOL)


def test_eight_workers_greeting_at_once_greet_each_member_once(app, shop):
    people = []
    for number in range(3):
        client, uid = member(app, shop, email=f"m{number}@example.com", name=f"M{number}")
        give_birthday(client, day=20, month=4)
        joined_at(app, uid, datetime(2025, 4, 20, 8))
        people.append(uid)

    def work():
        with app.app_context():
            try:
                return service.greet_due(today(), utcnow(), settings.current())
            finally:
                db.session.remove()

    with time_machine.travel(datetime(2027, 4, 20, 10, tzinfo=ZoneInfo("Europe/Madrid")),
                             tick=False):
        sent = run_together([work for _ in range(8)])
    assert sum(sent) == 6  # 3 members × (birthday, anniversary), whichever worker sent each
    for uid in people:
        assert sorted(greetings(app, uid)) == [("anniversary", 2027, "2027-04-20"),
                                               ("birthday", 2027, "2027-04-20")]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.plugin == "birthdays")) == 6
        assert db.session.scalar(select(func.count()).select_from(PointsEntry).where(
            PointsEntry.key.like("%:2027"))) == 6
