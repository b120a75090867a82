"""RFM: each customer's recency, frequency and monetary value, scored 1-5 against the other
customers, and the named segment their recency and frequency put them in.

Scores are quintiles by rank: a customer's score is 1 + the fifth of customers that did
worse (an older last purchase, fewer orders, less spent) into which they fall, so equal
values always share a score and the lowest value is always 1. Customers are known by e-mail
address (``hooks.order_history``); what they bought is summed in the database, one row per
customer comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
from sqlalchemy import case, func, select

from hooks import order_history, session


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


class CustomerRFM(NamedTuple):  # a tuple: 100,000 of them are made in a blink
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
    below = np.searchsorted(np.sort(values), values, side="left")
    return 1 + (5 * below) // max(len(values), 1)


def segment_of(recency: int, frequency: int, rules: tuple[Rule, ...] = DEFAULT_RULES) -> str:
    return next((rule.segment for rule in rules if rule.matches(recency, frequency)), "other")


def _count_where(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def per_customer_columns(history) -> tuple:
    """The sums of one customer's orders of ``history`` (``hooks.order_history``), in the
    order of ``scored``'s rows and of the kept table's columns (history.py): the customer,
    their account, orders, first and last purchase, net, and the orders paid by bank
    transfer, paid in this shop, refunded in part or in full."""
    c = history.c
    return (c.customer, func.max(c.user_id), func.count(), func.min(c.placed_at),
            func.max(c.placed_at), func.sum(c.net), _count_where(c.payment == "offline"),
            _count_where(c.payment != "import"), _count_where(c.refunded > 0))


def customer_rfm(as_of: datetime, rules: tuple[Rule, ...] = DEFAULT_RULES
                 ) -> list[CustomerRFM]:
    """Every customer with a purchase before ``as_of`` (naive UTC), scored and named."""
    history = order_history()
    rows = session().execute(
        select(*per_customer_columns(history)).where(history.c.placed_at < as_of)
        .group_by(history.c.customer).order_by(history.c.customer)).all()
    return scored(rows, as_of, rules)


def scored(rows: Sequence[Sequence], as_of: datetime, rules: tuple[Rule, ...] = DEFAULT_RULES
           ) -> list[CustomerRFM]:
    """The customers of ``rows`` (``per_customer_columns`` each) scored against each other
    and named, as of ``as_of``."""
    if not rows:
        return []
    last = np.array([(as_of - row[4]).total_seconds() for row in rows])
    first = np.array([(as_of - row[3]).total_seconds() for row in rows])
    orders = np.array([row[2] for row in rows])
    net = np.array([int(row[5]) for row in rows])
    scores = zip(quintile_scores(-last).tolist(),  # a more recent purchase does better
                 quintile_scores(orders).tolist(), quintile_scores(net).tolist(), strict=True)
    # 25 pairs of scores: each one's segment found once, not once per customer.
    named = {(r, f): segment_of(r, f, rules) for r in range(1, 6) for f in range(1, 6)}
    return [CustomerRFM(row[0], row[1], since, known, count, spent, r, f, m, named[r, f],
                        int(row[6]), int(row[7]), int(row[8]))
            for row, since, known, count, spent, (r, f, m) in zip(
                rows, (last // 86400).astype(int).tolist(), (first // 86400).astype(int).tolist(),
                orders.tolist(), net.tolist(), scores, strict=True)]
