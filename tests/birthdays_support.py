"""Helpers for the birthdays tests: a shop with the plugin on, the job run at a given time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select, update

from loyalty_plugins.birthdays.models import Greeting
from storefront.accounts.models import User
from storefront.cli import main
from storefront.extensions import db
from storefront.notifications.models import Notification
from tests.support.forms import post_form

JOB = "birthdays:greetings"


def run_job_at(app, moment: datetime, zone: str = "UTC"):
    """`storefront jobs run` at ``moment``, a time on the clock of ``zone``."""
    with time_machine.travel(moment.replace(tzinfo=ZoneInfo(zone)), tick=False):
        result = app.test_cli_runner().invoke(main, ["jobs", "run", "--force", "--only", JOB])
    assert result.exit_code == 0, result.output
    return result


def give_birthday(client, day="", month="", year=""):
    return post_form(client, "/account", "/plugins/birthdays/birthday",
                     {"day": str(day), "month": str(month), "year": str(year),
                      "action": "save"}, follow_redirects=True)


def greetings(app, user_id=None) -> list[tuple[str, int, str]]:
    """(kind, year, day greeted) of each greeting sent."""
    with app.app_context():
        query = select(Greeting.kind, Greeting.year, Greeting.occasion).order_by(Greeting.id)
        if user_id is not None:
            query = query.where(Greeting.user_id == user_id)
        return [(kind, year, day.isoformat()) for kind, year, day in db.session.execute(query)]


def messages(app, user_id) -> list[tuple[str, str]]:
    """(subject, body) of each message the plugin sent the member."""
    with app.app_context():
        return [(row.subject, row.body) for row in db.session.scalars(
            select(Notification).where(Notification.plugin == "birthdays",
                                       Notification.user_id == user_id)
            .order_by(Notification.id))]


def joined_at(app, user_id, moment: datetime) -> None:
    """The account was created at ``moment`` (naive UTC)."""
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(created_at=moment))
        db.session.commit()
