"""RFM: each customer's recency, frequency and monetary value, scored 1-5 against the other
customers, and the named segment their recency and frequency put them in.

Scores are quintiles by rank: a customer's score is 1 + the fifth of customers that did
worse (an older last purchase, fewer orders, less spent) into which they fall, so equal
values always share a score and the lowest value is always 1. Customers are known by e-mail
address (``hooks.order_history``); what they bought is summed in the database, one row per
customer comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, case, cast, func, select

from hooks import order_history, session

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Rule:
    """Customers whose recency and frequency scores fall in these ranges (both ends in)."""

    segment: str
    recency: tuple[int, int]
    frequency: tuple[int, int]

    def matches(self, recency: int, frequency: int) -> bool:
        return (self.recency[0] <= recency <= self.recency[1]
                and self.frequency[0] <= frequency <= self.frequency[1])


# The first rule that matches names the segment; together they cover every pair of scores.
DEFAULT_RULES = (
    Rule("champions", (4, 5), (4, 5)),
    Rule("loyal", (3, 5), (3, 5)),
    Rule("new", (5, 5), (1, 1)),
    Rule("potential", (3, 5), (1, 2)),
    Rule("cannot lose", (1, 2), (4, 5)),
    Rule("at risk", (1, 2), (3, 3)),
    Rule("hibernating", (2, 2), (1, 2)),
    Rule("lost", (1, 1), (1, 2)),
)


EPOCH = datetime(1970, 1, 1)
DAY = 86_400_000_000  # microseconds


class CustomerRFM(NamedTuple):
    customer: str  # e-mail address, lower case
    user_id: int | None  # their account, if they have one
    days_since: int  # since the last purchase, on the day of the figures
    days_known: int  # since the first purchase
    orders: int
    net: int  # minor units
    recency: int  # scores, 1-5
    frequency: int
    monetary: int
    segment: str
    transfer_orders: int = 0  # paid by bank transfer
    known_payment_orders: int = 0  # paid in this shop (not imported history)
    refunded_orders: int = 0  # refunded in part or in full


def quintile_scores(values: np.ndarray) -> np.ndarray:
    """1 + floor(5 x the share of values below each one): 1-5, equal values equal."""
    import numpy as np  # when customers are scored, not when the shop starts

    below = np.searchsorted(np.sort(values), values, side="left")
    return 1 + (5 * below) // max(len(values), 1)


@dataclass(frozen=True, eq=False)
class Scored:
    """Every customer's figures as columns, one entry per customer in the order of their
    addresses: segments and figures are counted over arrays, and ``CustomerRFM`` rows are
    made only for whoever iterates."""

    customer: list[str]
    user_id: list[int | None]
    days_since: np.ndarray
    days_known: np.ndarray
    orders: np.ndarray
    net: np.ndarray
    recency: np.ndarray
    frequency: np.ndarray
    monetary: np.ndarray
    segment: np.ndarray  # of str
    transfer_orders: np.ndarray
    known_payment_orders: np.ndarray
    refunded_orders: np.ndarray

    def __len__(self) -> int:
        return len(self.customer)

    def __iter__(self) -> Iterator[CustomerRFM]:
        columns = [column if isinstance(column, list) else column.tolist()
                   for column in vars(self).values()]
        return map(CustomerRFM, *columns)


def segment_of(recency: int, frequency: int, rules: tuple[Rule, ...] = DEFAULT_RULES) -> str:
    return next((rule.segment for rule in rules if rule.matches(recency, frequency)), "other")


def _count_where(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def per_customer_columns(history) -> tuple:
    """The sums of one customer's orders of ``history`` (``hooks.order_history``), named as
    the kept table's columns (history.py), in their order: the customer, their account,
    orders, first and last purchase, net, and the orders paid by bank transfer, paid in this
    shop, refunded in part or in full."""
    c = history.c
    return (c.customer, func.max(c.user_id).label("user_id"), func.count().label("orders"),
            func.min(c.placed_at).label("first_at"), func.max(c.placed_at).label("last_at"),
            func.sum(c.net).label("net"),
            _count_where(c.payment == "offline").label("transfer_orders"),
            _count_where(c.payment != "import").label("known_payment_orders"),
            _count_where(c.refunded > 0).label("refunded_orders"))


def customer_rfm(as_of: datetime, rules: tuple[Rule, ...] = DEFAULT_RULES) -> Scored:
    """Every customer with a purchase before ``as_of`` (naive UTC), scored and named."""
    history = order_history()
    return scored(select(*per_customer_columns(history)).where(history.c.placed_at < as_of)
                  .group_by(history.c.customer).subquery("sums"), as_of, rules)


def microseconds(timestamp: ColumnElement) -> ColumnElement:
    """A naive UTC timestamp as whole microseconds since 1970, worked out in the database:
    a hundred thousand integers come into NumPy in milliseconds, datetimes in half a
    second."""
    if session().get_bind().dialect.name == "postgresql":
        # date_part's double, rounded: exact to the microsecond until the year 2255, and
        # quicker than extract's numeric.
        return cast(func.date_part("epoch", timestamp) * 1_000_000, BigInteger)
    # SQLAlchemy keeps a SQLite timestamp as text, the microseconds in characters 21-26.
    seconds = cast(func.strftime("%s", timestamp), BigInteger)
    return seconds * 1_000_000 + cast(func.substr(timestamp, 21, 6), BigInteger)


def scored(sums, as_of: datetime, rules: tuple[Rule, ...] = DEFAULT_RULES) -> Scored:
    """The customers of ``sums`` (a table or subquery with ``per_customer_columns``) scored
    against each other and named, as of ``as_of``."""
    import numpy as np

    c = sums.c
    rows = session().execute(select(
        c.customer, c.user_id, c.orders, microseconds(c.first_at), microseconds(c.last_at),
        c.net, c.transfer_orders, c.known_payment_orders, c.refunded_orders,
    ).order_by(c.customer)).all()
    (customer, user_id, orders, first, last, net, transfer, known_payment,
     refunded) = [*zip(*rows, strict=True)] or [()] * 9
    now = (as_of - EPOCH) // timedelta(microseconds=1)
    last_at, orders_, net_ = (np.array(values, dtype=np.int64) for values in (last, orders, net))
    recency = quintile_scores(last_at)  # a more recent purchase does better
    frequency = quintile_scores(orders_)
    # 25 pairs of scores: each one's segment found once, not once per customer.
    names = np.array([[segment_of(r, f, rules) for f in range(1, 6)] for r in range(1, 6)],
                     dtype=object)
    return Scored(list(customer), list(user_id), (now - last_at) // DAY,
                  (now - np.array(first, dtype=np.int64)) // DAY, orders_, net_, recency,
                  frequency, quintile_scores(net_), names[recency - 1, frequency - 1],
                  *(np.array(values, dtype=np.int64)
                    for values in (transfer, known_payment, refunded)))
