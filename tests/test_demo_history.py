"""`storefront demo` loads a purchase history (issue 15): 2,000 customers over the two years
before the day of loading, with repeat buyers, lapsed ones and seasonal peaks, imported as
history; loaded once, the same for every demo shop apart from its dates, and the insights
figures are there at once."""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from loyalty_plugins.birthdays.models import Birthday
from loyalty_plugins.complaints.models import Complaint
from storefront.accounts.models import User
from storefront.catalog.models import Product
from storefront.cli import main
from storefront.demo import history as demo_history
from storefront.events.models import DomainEvent
from storefront.extensions import db
from storefront.jobs.models import JobRun
from storefront.notifications.models import Notification
from storefront.orders.models import Order, OrderLine
from tests.conftest import app_factory
from tests.support.forms import post_form

DEMO_MEMBER = ("member@demo.shop", "Mia Member")
YEAR = timedelta(days=365)


def demo(app):
    result = app.test_cli_runner().invoke(main, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    return result.output


def orders_by_customer(app) -> dict[str, list[datetime]]:
    with app.app_context():
        rows = db.session.execute(select(Order.email, Order.created_at)).all()
    bought = defaultdict(list)
    for email, placed in rows:
        bought[email].append(placed)
    return bought


def per_day(placed: list[datetime], today: date, months: set[int]) -> float:
    """Orders per day of the history's days in ``months``."""
    days = [today - timedelta(days=n) for n in range(1, demo_history.DAYS + 1)]
    return (sum(moment.month in months for moment in placed)
            / sum(day.month in months for day in days))


def test_the_demo_shop_has_two_years_of_customers_and_their_insights(make_app):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)
    with app.app_context():
        stock = dict(db.session.execute(select(Product.sku, Product.stock)).all())
    started = datetime.now()
    said = demo(app)
    assert re.search(r"demo history: \d+ orders of 2001 customers over the last two years", said)
    bought = orders_by_customer(app)
    assert len(bought) == 2001  # 2,000 customers and the demo member
    with app.app_context():  # the demo products' costs, through the import's writer
        assert db.session.scalar(select(func.count()).select_from(Order).where(
            Order.external_ref.is_not(None), Order.cost_total.is_(None))) == 0
    assert all(re.fullmatch(r"customer\d{4}@example\.com", email)
               for email in bought if email != DEMO_MEMBER[0])
    placed = [moment for moments in bought.values() for moment in moments]
    assert started - 2 * YEAR < min(placed) and max(placed) < started
    share = {"repeat": sum(len(m) > 1 for m in bought.values()) / len(bought),
             "lapsed": sum(max(m) < started - YEAR for m in bought.values()) / len(bought),
             "new": sum(min(m) > started - timedelta(days=31) for m in bought.values())
             / len(bought)}
    assert 0.3 < share["repeat"] < 0.6 and 0.25 < share["lapsed"] < 0.5, share
    assert 0.04 < share["new"] < 0.15, share
    today = started.date()
    usual = per_day(placed, today, set(range(1, 13)) - {7, 11, 12})
    assert per_day(placed, today, {11, 12}) > 1.4 * usual  # Christmas shopping
    assert per_day(placed, today, {7}) > 1.2 * usual  # the summer sale
    with app.app_context():
        assert {row for row in db.session.scalars(select(Order.status).distinct())} == {
            "imported"}
        member = db.session.scalar(select(User.id).where(User.email == DEMO_MEMBER[0]))
        assert db.session.scalar(select(func.count()).where(Order.user_id == member)) == 5
        regulars = db.session.scalar(select(func.count()).select_from(User).where(
            User.email.like("customer%@example.com")))
        assert regulars == 500  # the regular buyers have accounts; their orders are theirs
        assert db.session.scalar(select(func.count()).select_from(Order).where(
            Order.email.like("customer%"), Order.user_id.is_not(None))) > 5000
        # One open complaint of the demo member's about their latest order, for staff.
        assert db.session.execute(select(Complaint.user_id, Complaint.status,
                                         Complaint.order_id)).all() == [
            (member, "new", db.session.scalar(select(func.max(Order.id)).where(
                Order.user_id == member)))]
        # History only: no stock taken, no event (but the demo accounts'), no message (but
        # those to the demo accounts: the welcome plugin's, the referral friend's).
        assert dict(db.session.execute(select(Product.sku, Product.stock)).all()) == stock
        demo_accounts = set(db.session.scalars(select(User.id).where(
            User.email.like("%@demo.shop"))))
        assert {(event.aggregate_type, int(event.aggregate_id)) for event in
                db.session.scalars(select(DomainEvent))} <= {
            ("customer", account) for account in demo_accounts}
        assert {address.rsplit("@", 1)[1] for address in db.session.scalars(
            select(Notification.email))} == {"demo.shop"}
        # The demo member's birthday is this month (today: the worker greets them).
        birthday = db.session.get(Birthday, member)
        assert (birthday.day, birthday.month, birthday.year) == (today.day, today.month, None)
        counts = [db.session.scalar(select(func.count()).select_from(model))
                  for model in (Order, OrderLine, User)]
    again = demo(app)
    assert f"demo history: {sum(len(m) for m in bought.values())} orders, loaded before" in again
    with app.app_context():
        assert [db.session.scalar(select(func.count()).select_from(model))
                for model in (Order, OrderLine, User)] == counts
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1
    # The owner finds the figures computed, every segment with customers in it.
    owner = app.test_client()
    post_form(owner, "/login", "/login", {"email": "owner@demo.shop",
                                          "password": "owner-demo-pass"})
    page = owner.get("/plugins/insights/").get_data(as_text=True)
    assert 'data-testid="computed-at"' in page
    shown = {code: int(count.replace(",", "")) for code, count in re.findall(
        r'<tr data-segment="([a-z ]+)">.*?<td class="num">([\d,]+)</td>', page)}
    assert sum(shown.values()) == 2001, shown
    assert all(count > 0 for count in shown.values()), shown
    assert "of 0 customers" not in page


def history_of(app, today: date, member=DEMO_MEMBER) -> tuple[int, list[tuple], list[datetime]]:
    """Load the history as of ``today``: (orders written, every order and its lines
    without dates, every date), in order."""
    with app.app_context():
        written = demo_history.load(today, member)[1].imported
        orders = db.session.execute(
            select(Order.external_ref, Order.email, Order.name, Order.total,
                   Order.refunded_total, Order.created_at).order_by(Order.external_ref)).all()
        lines = Counter(db.session.execute(select(Order.external_ref, OrderLine.sku,
                                                  OrderLine.quantity, OrderLine.unit_price)
                                           .join(Order, Order.id == OrderLine.order_id)).all())
    return written, [tuple(row[:5]) for row in orders] + sorted(
        (tuple(line), count) for line, count in lines.items()), [row[5] for row in orders]


def test_every_demo_shop_has_the_same_history_apart_from_its_dates(sqlite_template, tmp_path):
    for n in range(3):
        shutil.copy(sqlite_template, tmp_path / f"shop{n}.sqlite3")
    with app_factory(f"sqlite:///{tmp_path}/shop0.sqlite3", tmp_path / "i0") as first, \
            app_factory(f"sqlite:///{tmp_path}/shop1.sqlite3", tmp_path / "i1") as second, \
            app_factory(f"sqlite:///{tmp_path}/shop2.sqlite3", tmp_path / "i2") as third:
        apps = [first(), second(), third()]
        today, later = date(2025, 10, 6), date(2026, 3, 17)
        written, orders, dates = history_of(apps[0], today, member=None)
        assert written > 6000
        assert history_of(apps[1], today, member=None) == (written, orders, dates)
        # Loaded another day: the same orders, their dates in the two years before that day.
        moved, same, moved_dates = history_of(apps[2], later, member=None)
        assert (moved, same) == (written, orders) and moved_dates != dates
        assert datetime(2024, 3, 17) < min(moved_dates) and max(moved_dates) < datetime(
            2026, 3, 17)
        # Loading again, on any day, adds nothing.
        assert history_of(apps[0], later, member=None)[:2] == (0, orders)
        # The insights plugin is not installed in these shops: no figures, no failure.
        with apps[0].app_context():
            assert demo_history.refresh_insights() is None
            assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0


@pytest.mark.parametrize("today", [date(2025, 1, 1), date(2025, 7, 31), date(2025, 12, 31)])
def test_the_seasons_follow_the_calendar_whatever_the_day(today):
    """The peaks are in the real November-December and July, on any day of loading."""
    items = [demo_history.Item("COF-COL-250", "Colombia", 1090, "coffee")]
    placed = [order.created_at for order in demo_history.generate(items, today).orders]
    usual = per_day(placed, today, set(range(1, 13)) - {7, 11, 12})
    assert per_day(placed, today, {11, 12}) > 1.4 * usual
    assert per_day(placed, today, {7}) > 1.2 * usual
    assert today - timedelta(days=730) < min(placed).date() and max(placed).date() < today
