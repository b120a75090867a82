"""The figures of every customer, computed by the hourly job and kept in ``insights_customer``,
so pages read a table instead of the whole history.

Each refresh scores every customer (rfm.py) and, when the history allows it (at least ten
customers, some of them with a repeat purchase), fits the value models (value.py) on it (on
a random 20,000 of them in a larger base), in weeks: ``x`` = orders - 1, ``t_x`` = weeks
from the first purchase to the last, ``T`` = weeks since the first. A customer's expected
value is their expected orders in the next 365 days times the value of their orders that
Gamma-Gamma expects (from their mean order value, net). The old rows are replaced in one
transaction: readers see the last refresh until it commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select

from hooks import session
from loyalty_plugins.insights import history, settings
from loyalty_plugins.insights.behaviour import frequency_band, payment_band, volume_band
from loyalty_plugins.insights.kpis import churn_of, repurchase
from loyalty_plugins.insights.models import CustomerFigures, Summary
from loyalty_plugins.insights.rfm import Scored, customer_rfm

if TYPE_CHECKING:
    import numpy as np

YEAR = timedelta(days=365)
WEEK_DAYS = 7.0
HORIZON_WEEKS = 365 / WEEK_DAYS
BATCH = 5000
# Fitting costs about 60 µs per customer (Nelder-Mead, some 1,000 evaluations); a random
# sample of 20,000 estimates the parameters of a large base within a few per cent.
FIT_SAMPLE = 20_000


def _sample(count: int) -> np.ndarray:
    """Which customers the models are fitted on: all of them up to ``FIT_SAMPLE``, else that
    many drawn at random (the same ones for the same count); every customer is predicted."""
    import numpy as np

    if count <= FIT_SAMPLE:
        return np.arange(count)
    return np.sort(np.random.default_rng(0).choice(count, FIT_SAMPLE, replace=False))


def _value_columns(customers: Scored) -> list[tuple[float, float, int] | None]:
    """(probability active, expected orders, expected value) per customer, or None each
    when the models cannot be fitted to this history."""
    # NumPy and SciPy load here, in the hourly refresh, not when the plugin is imported:
    # they are 0.6 s of every process's start-up (web workers, commands, the build).
    import numpy as np

    from loyalty_plugins.insights.value import BetaGeo, FitError, GammaGamma

    x = customers.orders - 1.0
    age = customers.days_known / WEEK_DAYS
    t_x = age - customers.days_since / WEEK_DAYS
    mean_value = customers.net / customers.orders
    fit = _sample(len(customers))
    try:
        frequency = BetaGeo.fit(x[fit], t_x[fit], age[fit])
    except FitError:
        return [None] * len(customers)
    active = frequency.probability_alive(x, t_x, age)
    expected = frequency.expected_purchases(HORIZON_WEEKS, x, t_x, age)
    try:
        value = GammaGamma.fit(x[fit], mean_value[fit]).expected_value(x, mean_value)
    except FitError:
        value = mean_value
    return [(float(a), float(e), int(round(e * v))) if np.isfinite(a * e * v) else None
            for a, e, v in zip(active, expected, value, strict=True)]


def refresh(now: datetime, kept: bool = True) -> int:
    """Compute every customer's figures as of ``now`` and keep them; how many customers.
    ``kept``: from the sums kept up to date by the order events (history.py; rebuilt first
    when they no longer match the history), else, or when an order is dated ``now`` or
    later, from every order."""
    if kept and not history.in_step():
        history.rebuild()
    kept = kept and history.covers(now)
    customers = (history.customer_rfm if kept else customer_rfm)(now, settings.rules())
    values = _value_columns(customers) if customers else []
    rows = [{"customer": c.customer, "user_id": c.user_id, "orders": c.orders, "net": c.net,
             "days_since": c.days_since, "recency": c.recency, "frequency": c.frequency,
             "monetary": c.monetary, "segment": c.segment,
             "frequency_band": frequency_band(c), "volume_band": volume_band(c),
             "payment_band": payment_band(c),
             "probability_active": v[0] if v else None, "expected_orders": v[1] if v else None,
             "expected_value": v[2] if v else None, "computed_at": now}
            for c, v in zip(customers, values, strict=True)]
    least = settings.loyal_min_orders()
    again = (history.repurchase if kept else repurchase)(now - YEAR, now, least)
    lapsed = churn_of(customers)
    db = session()
    db.execute(delete(CustomerFigures))
    for start in range(0, len(rows), BATCH):
        db.execute(insert(CustomerFigures), rows[start:start + BATCH])
    db.execute(delete(Summary))
    db.add(Summary(computed_at=now, customers=again.customers,
                   repeat_customers=again.repeat_customers,
                   loyal_customers=again.loyal_customers, loyal_min_orders=least, gaps=again.gaps,
                   mean_days=again.mean_days, median_days=again.median_days,
                   churn_customers=lapsed.customers, churned=lapsed.churned))
    db.commit()
    return len(rows)


def summary() -> Summary | None:
    """The shop-wide figures of the last refresh; None before the first."""
    return session().scalars(select(Summary)).first()


def segment_of_address(email: str) -> str | None:
    return session().scalar(select(CustomerFigures.segment).where(
        CustomerFigures.customer == email.strip().lower()))


def figures_of(user_id: int) -> CustomerFigures | None:
    return session().scalars(select(CustomerFigures).where(
        CustomerFigures.user_id == user_id)).first()


def pareto_share(customers: int, revenue: int, top: float = 0.2) -> float:
    """The share of net revenue brought by the best ``top`` share of the kept customers (by
    net spend); ``customers`` and ``revenue``: their count and net revenue."""
    if not customers or revenue <= 0:
        return 0.0
    best = (select(CustomerFigures.net).order_by(CustomerFigures.net.desc())
            .limit(max(1, round(customers * top))).subquery())
    return float(session().scalar(select(func.sum(best.c.net))) or 0) / revenue
