"""Each customer's purchases in sums (``insights_history``) and each order with the gap to the
customer's order before it (``insights_purchase``), kept up to date from the order events, so
the hourly refresh reads a row per customer, and the orders of the last year from one index,
instead of grouping every order of the history.

Every order event (paid, refunded, cancelled, disputed) computes the rows of that order's
customer again from ``hooks.order_history``, with the same SQL as the full rebuild, holding
the customer's row locked: two workers with events of one customer take turns, and the
second reads what the first committed. Imported history comes with no event: the refresh
compares the number of orders of the history with the sums (one pass over an index, no
grouping) and rebuilds both tables when they differ (after an import, or when the
plugin is switched on in a shop that already sold). `storefront jobs run --force --only
insights:rebuild` rebuilds them on demand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Select, and_, case, cast, delete, func, insert, or_, select, text

from hooks import insert_once, order_history, session
from loyalty_plugins.insights.kpis import Repurchase, days_between, median_of
from loyalty_plugins.insights.models import CustomerHistory, Purchase
from loyalty_plugins.insights.rfm import (
    DEFAULT_RULES,
    Rule,
    Scored,
    per_customer_columns,
    scored,
)

# In the order of rfm.per_customer_columns.
HISTORY_COLUMNS = ("customer", "user_id", "orders", "first_at", "last_at", "net",
                   "transfer_orders", "known_payment_orders", "refunded_orders")
PURCHASE_COLUMNS = ("order_id", "customer", "placed_at", "previous_at", "gap_days", "later")
# The placeholder a customer's row holds between its lock and its sums.
_NEVER = datetime(1970, 1, 1)


def _sums(history, customer: str | None = None) -> Select:
    query = select(*per_customer_columns(history))
    if customer is not None:
        query = query.where(history.c.customer == customer)
    return query.group_by(history.c.customer)


def _purchases(history, customer: str | None = None) -> Select:
    """Each order with the customer's order before it (by date, then number), the days
    between them, and how many of the customer's orders came after it."""
    c = history.c
    in_order = {"partition_by": c.customer, "order_by": (c.placed_at, c.order_id)}
    ordered = select(c.order_id, c.customer, c.placed_at,
                     func.lag(c.placed_at).over(**in_order).label("previous_at"),
                     (func.count().over(partition_by=c.customer)
                      - func.row_number().over(**in_order)).label("later"))
    if customer is not None:
        ordered = ordered.where(c.customer == customer)
    ordered = ordered.subquery("ordered")
    return select(ordered.c.order_id, ordered.c.customer, ordered.c.placed_at,
                  ordered.c.previous_at,
                  cast(days_between(ordered.c.placed_at, ordered.c.previous_at), Float),
                  ordered.c.later)


def order_changed(order_id: int) -> None:
    """An order was paid, refunded, cancelled or disputed: its customer's rows again."""
    history = order_history()
    customer = session().scalar(select(history.c.customer).where(
        history.c.order_id == order_id))
    if customer is not None:  # else never paid (a cancelled order): nothing changed
        recompute(customer)


def recompute(customer: str) -> None:
    """One customer's rows from their orders, their row locked first (the sums are read
    after the lock is granted, so they include whatever the worker before committed)."""
    db = session()
    insert_once(CustomerHistory, ["customer"], customer=customer, orders=0, first_at=_NEVER,
                last_at=_NEVER, net=0, transfer_orders=0, known_payment_orders=0,
                refunded_orders=0)
    db.execute(select(CustomerHistory.customer).where(CustomerHistory.customer == customer)
               .with_for_update())
    history = order_history()
    sums = db.execute(_sums(history, customer)).first()
    db.execute(delete(Purchase).where(Purchase.customer == customer))
    if sums is None:
        db.execute(delete(CustomerHistory).where(CustomerHistory.customer == customer))
        return
    db.execute(CustomerHistory.__table__.update()
               .where(CustomerHistory.customer == customer)
               .values(dict(zip(HISTORY_COLUMNS[1:], sums[1:], strict=True))))
    db.execute(insert(Purchase).from_select(PURCHASE_COLUMNS, _purchases(history, customer)))


def rebuild() -> int:
    """Both tables again from every order, committed; how many customers. On PostgreSQL the
    tables are locked against the workers' writes meanwhile (readers still read)."""
    db = session()
    postgres = db.get_bind().dialect.name == "postgresql"
    if postgres:
        db.execute(text("LOCK TABLE insights_history, insights_purchase "
                        "IN SHARE ROW EXCLUSIVE MODE"))
    db.execute(delete(Purchase))
    db.execute(delete(CustomerHistory))
    history = order_history()
    db.execute(insert(CustomerHistory).from_select(HISTORY_COLUMNS, _sums(history)))
    db.execute(insert(Purchase).from_select(PURCHASE_COLUMNS, _purchases(history)))
    db.commit()
    # Fresh statistics, and on PostgreSQL a visibility map, so the next reads use the
    # index alone (VACUUM runs outside a transaction).
    with db.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("insights_history", "insights_purchase"):
            connection.exec_driver_sql(f"VACUUM ANALYZE {table}" if postgres
                                       else f"ANALYZE {table}")
    return db.scalar(select(func.count()).select_from(CustomerHistory)) or 0


def in_step() -> bool:
    """Whether the kept sums count every order of the history. What changes an order
    already counted (a refund, a dispute) comes with an event; what comes without one (an
    import, the orders of a shop that sold before the plugin was switched on) adds orders.
    Counting takes one pass over an index, where summing the net revenue too would read
    every order."""
    history = order_history()
    db = session()
    orders = db.scalar(select(func.count()).select_from(history))
    kept = db.scalar(select(func.coalesce(func.sum(CustomerHistory.orders), 0)))
    return int(orders or 0) == int(kept)


def covers(moment: datetime) -> bool:
    """Whether every kept purchase was made before ``moment`` (the kept rows then answer for
    figures as of it)."""
    latest = session().scalar(select(func.max(CustomerHistory.last_at)))
    return latest is None or latest < moment


def customer_rfm(as_of: datetime, rules: tuple[Rule, ...] = DEFAULT_RULES) -> Scored:
    """rfm.customer_rfm from the kept sums; only when they are in step and cover ``as_of``."""
    return scored(CustomerHistory.__table__, as_of, rules)


def _count_where(condition) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def repurchase(start: datetime, end: datetime, loyal_min_orders: int = 3) -> Repurchase:
    """kpis.repurchase from the kept purchases; only when they are in step and cover ``end``.
    A customer's first order of the period is the one whose order before came earlier (or
    never); with nothing of theirs after the period, they bought ``1 + later`` times in it."""
    p = Purchase.__table__.c
    first = or_(p.previous_at.is_(None), p.previous_at < start)
    counts = (_count_where(first), _count_where(and_(first, p.later >= 1)),
              _count_where(and_(first, p.later >= loyal_min_orders - 1)),
              func.count(p.gap_days), func.avg(p.gap_days))
    in_period = and_(p.placed_at >= start, p.placed_at < end)
    db = session()
    if db.get_bind().dialect.name == "postgresql":  # the median in the same pass
        # A year of a large shop's gaps sorts in memory, not in temporary files (PostgreSQL's
        # default is 4 MB a sort); for this transaction only.
        db.execute(text("SET LOCAL work_mem = '32MB'"))
        *found, median = db.execute(select(
            *counts, func.percentile_cont(0.5).within_group(p.gap_days)).where(in_period)).one()
        median = float(median) if median is not None else None
    else:
        found = db.execute(select(*counts).where(in_period)).one()
        gaps = select(p.gap_days.label("gap")).where(in_period, p.gap_days.is_not(None)
                                                     ).subquery()
        median = median_of(gaps.c.gap, found[3])
    customers, repeat, loyal, count, mean = found
    return Repurchase(int(customers), int(repeat), int(loyal), int(count),
                      float(mean) if mean is not None else None, median)
