"""The demo shop's purchase history: 2,000 customers over the two years before the day the demo
is loaded, written by the order import's own writer as history (status ``imported``: no stock,
payment, message or points come of it), so every insights figure has something to show.

Everything comes from a fixed seed: every demo shop has the same customers, orders, baskets
and totals. Only the dates follow the day of loading (the history ends yesterday, so the demo
never looks stale), and the seasonal peaks fall on the real calendar: November-December and
the July summer sale. An order's number (``demo-0042-03``: customer 42's third order) does not
depend on the day, so loading again, on any day, adds nothing.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import func, select

from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.imports import customers as customer_import
from storefront.imports import orders as order_import
from storefront.imports.batch import write_in_batches
from storefront.imports.customers import Customer
from storefront.imports.orders import HistoricOrder, Line
from storefront.imports.reading import Report
from storefront.orders.models import Order

SEED = 15
DAYS = 729  # the history's days, yesterday the last: all of it within two years of loading
REF_PREFIX = "demo-"
INSIGHTS_JOB = "insights:refresh"  # run by its key: the core never imports a plugin

# A name for everyone: first and family names of the shop's two languages.
FIRST_NAMES = ("Alba", "Alex", "Ana", "Ben", "Carlos", "Carmen", "Chloe", "Daniel", "Elena",
               "Emma", "Grace", "Hugo", "Irene", "Jack", "Javier", "Julia", "Laura", "Leo",
               "Lucas", "Lucia", "Marco", "Maria", "Mateo", "Noah", "Nora", "Olga", "Oscar",
               "Pablo", "Paula", "Rosa", "Ruth", "Sara", "Sofia", "Tom", "Victor", "Zoe")
FAMILY_NAMES = ("Alonso", "Baker", "Blanco", "Brown", "Castro", "Clarke", "Diaz", "Evans",
                "Fernandez", "Garcia", "Gomez", "Green", "Hall", "Hughes", "Jimenez", "Lopez",
                "Marin", "Martin", "Moreno", "Navarro", "Ortega", "Patel", "Perez", "Ramos",
                "Romero", "Ruiz", "Sanz", "Smith", "Taylor", "Torres", "Vega", "Walker",
                "Wilson", "Wood")

# How often a day's orders come, by month: Christmas shopping and the July summer sale.
SEASON = {7: 1.7, 11: 2.0, 12: 2.6}
CHRISTMAS = {11: 1.0, 12: 1.5}
SUMMER_SALE = {7: 1.0}
# How often a product is in a basket, by category; big spenders buy equipment as well.
TASTE = {"coffee": 4.0, "tea": 3.0, "gifts": 1.0, "equipment": 1.0}
BIG_TASTE = {**TASTE, "equipment": 3.0}
REFUNDED_SHARE = 0.03  # orders with one item sent back


class Calendar:
    """Days before ``today`` (1 is yesterday, ``DAYS`` the first day of the history), drawn
    with one random number each, a day's chance following its month (``weights``; other
    months 0, or ``rest``)."""

    def __init__(self, today: date, weights: dict[int, float], rest: float = 0.0) -> None:
        self.today = today
        self.cumulative = list(accumulate(
            weights.get((today - timedelta(days=day)).month, rest) for day in range(1, DAYS + 1)))

    def day(self, rng: random.Random, nearest: int = 1, farthest: int = DAYS) -> int:
        """A day from ``nearest`` to ``farthest`` days ago; the window must hold a day of
        the calendar's months (any 366 days do)."""
        low = self.cumulative[nearest - 2] if nearest > 1 else 0.0
        high = self.cumulative[farthest - 1]
        point = low + (high - low) * rng.random()
        return max(nearest, min(farthest, bisect_left(self.cumulative, point) + 1))

    def moment(self, rng: random.Random, days_ago: int) -> datetime:
        """A time of the shop's opening hours, ``days_ago`` days before today."""
        return datetime.combine(self.today - timedelta(days=days_ago),
                                time(rng.randint(8, 21), rng.randint(0, 59)))


@dataclass(frozen=True)
class Item:
    sku: str
    title: str
    price: int
    category: str


@dataclass
class History:
    orders: list[HistoricOrder] = field(default_factory=list)
    accounts: list[Customer] = field(default_factory=list)  # the regular buyers' accounts
    customers: int = 0


@dataclass(frozen=True)
class Seasons:
    any_day: Calendar
    christmas: Calendar
    summer_sale: Calendar

    @classmethod
    def of(cls, today: date) -> Seasons:
        return cls(Calendar(today, SEASON, rest=1.0), Calendar(today, CHRISTMAS),
                   Calendar(today, SUMMER_SALE))


def _one_off(rng: random.Random, seasons: Seasons) -> list[int]:
    return [seasons.any_day.day(rng)]


def _new(rng: random.Random, seasons: Seasons) -> list[int]:
    """First bought in the last month; one in four came back already."""
    again = rng.random() < 0.25
    first = seasons.any_day.day(rng, 1, 30)
    return [first, rng.randint(1, first)] if again else [first]


def _gift_buyer(rng: random.Random, seasons: Seasons) -> list[int]:
    """Buys presents at Christmas only."""
    return [seasons.christmas.day(rng) for _ in range(rng.choice((1, 2, 2)))]


def _lapsed(rng: random.Random, seasons: Seasons) -> list[int]:
    """Bought two to six times, the last more than a year ago, then stopped."""
    last = seasons.any_day.day(rng, 380, 600)
    return [last, *(seasons.any_day.day(rng, last) for _ in range(rng.randint(1, 5)))]


def _regular(rng: random.Random, seasons: Seasons, rhythm: tuple[int, int]) -> list[int]:
    """Buys every so many days (their own rhythm, give or take), most still now, some having
    stopped a few months ago; often a present at Christmas, sometimes at the summer sale."""
    every = rng.uniform(*rhythm)
    stopped = 1 if rng.random() < 0.7 else rng.randint(90, 330)
    day = rng.randint(stopped + 60, DAYS)  # not by season: how many orders never depends on it
    days = []
    while day >= stopped:
        days.append(day)
        day -= max(3, round(rng.gammavariate(4.0, every / 4)))
    if rng.random() < 0.5:
        days.append(seasons.christmas.day(rng, stopped))
    if rng.random() < 0.3:
        days.append(seasons.summer_sale.day(rng, stopped))
    return days


Behaviour = Callable[[random.Random, Seasons], list[int]]


@dataclass(frozen=True)
class Kind:
    """A kind of customer: how many, when they buy, what a basket holds."""

    count: int
    buys: Behaviour
    taste: dict[str, float] = field(default_factory=lambda: TASTE)
    lines: tuple[int, ...] = (1, 1, 1, 2, 2, 3)  # drawn from
    most: int = 2  # of one product
    account: bool = False


REGULAR = Kind(420, lambda rng, seasons: _regular(rng, seasons, (25, 90)), account=True)
KINDS = (
    Kind(1000, _one_off),
    Kind(120, _new),
    Kind(120, _gift_buyer, lines=(1, 2)),
    Kind(260, _lapsed),
    REGULAR,
    Kind(80, lambda rng, seasons: _regular(rng, seasons, (14, 40)), taste=BIG_TASTE,
         lines=(2, 3, 3, 4), most=3, account=True),  # big spenders
)
MEMBER_DAYS = (330, 240, 150, 60, 12)  # the demo member's orders, days before loading


def _basket(rng: random.Random, items: list[Item], kind: Kind) -> list[Line]:
    weights = list(accumulate(kind.taste.get(item.category, 1.0) for item in items))
    chosen = rng.choices(items, cum_weights=weights, k=rng.choice(kind.lines))
    lines: dict[str, Line] = {}
    for item in chosen:
        quantity = rng.randint(1, kind.most) if rng.random() < 0.3 else 1
        if item.sku in lines:
            lines[item.sku].quantity += quantity
        else:
            lines[item.sku] = Line(item.sku, item.title, quantity, item.price)
    return list(lines.values())


def _order(rng: random.Random, ref: str, email: str, name: str, placed: datetime,
           items: list[Item], kind: Kind) -> HistoricOrder:
    lines = _basket(rng, items, kind)
    total = sum(line.unit_price * line.quantity for line in lines)
    refunded = lines[0].unit_price if rng.random() < REFUNDED_SHARE else 0
    return HistoricOrder(ref=ref, email=email, name=name, created_at=placed, total=total,
                         refunded=refunded, first_line=0, last_line=0, lines=lines)


def generate(items: list[Item], today: date, member: tuple[str, str] | None = None) -> History:
    """The whole history, the same for the same ``items`` apart from its dates, which end the
    day before ``today``; ``member`` (e-mail, name) gets a few orders of their own."""
    seasons = Seasons.of(today)
    kinds = [kind for kind in KINDS for _ in range(kind.count)]
    random.Random(SEED).shuffle(kinds)
    history = History(customers=len(kinds))
    for number, kind in enumerate(kinds, start=1):
        # Two draws of their own: the dates, and the rest, which the season never changes.
        when, what = (random.Random(f"{SEED}:{number}:{part}") for part in ("when", "what"))
        email = f"customer{number:04d}@example.com"
        name = f"{what.choice(FIRST_NAMES)} {what.choice(FAMILY_NAMES)}"
        days = sorted(kind.buys(when, seasons), reverse=True)  # first order first
        orders = [_order(what, f"{REF_PREFIX}{number:04d}-{count:02d}", email, name,
                         seasons.any_day.moment(when, days_ago), items, kind)
                  for count, days_ago in enumerate(days, start=1)]
        history.orders.extend(orders)
        if kind.account:
            history.accounts.append(Customer(line=number, email=email, name=name,
                                             joined=orders[0].created_at, language="",
                                             points=0))
    if member is not None:
        rng = random.Random(f"{SEED}:member")
        history.orders.extend(
            _order(rng, f"{REF_PREFIX}member-{count:02d}", *member,
                   seasons.any_day.moment(rng, days_ago), items, REGULAR)
            for count, days_ago in enumerate(MEMBER_DAYS, start=1))
        history.customers += 1
    for number, order in enumerate(history.orders, start=1):
        order.first_line = order.last_line = number  # where a problem would be reported
    return history


def demo_items() -> list[Item]:
    """The products of content/products the demo sells, in a fixed order."""
    return [Item(*row) for row in db.session.execute(
        select(Product.sku, Product.title, Product.price, Product.category)
        .where(Product.active, Product.plugin == "").order_by(Product.sku)).all()]


def load(today: date, member: tuple[str, str] | None = None) -> tuple[History, Report]:
    """Write the history (accounts first, so orders find them); a history loaded before is
    left as it is. The report counts orders: imported now, or there already."""
    items = demo_items()
    if not items:  # nothing to have sold
        return History(), Report()
    history = generate(items, today, member)
    report = Report()
    loaded = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.external_ref.like(f"{REF_PREFIX}%")))
    if loaded == len(history.orders):
        report.already = loaded
        return history, report
    # The import's own batches: one transaction for all is slower (SQLAlchemy joins the ids
    # each page of a multi-row insert returns to those of all the pages before it).
    write_in_batches(history.accounts, customer_import.write_customers, Report(),
                     customer_import.BATCH, lambda account: (account.line, account.line), [])
    write_in_batches(history.orders, order_import.write_orders, report, order_import.BATCH,
                     lambda order: (order.first_line, order.last_line), [])
    return history, report


def refresh_insights() -> str | None:
    """Compute the insights figures now, through the core's job runner, if the insights
    plugin is enabled: None when it ran (or is off), else why it failed."""
    from storefront.jobs import run_key

    run = run_key(INSIGHTS_JOB)
    return run.error if run is not None and not run.ok else None
