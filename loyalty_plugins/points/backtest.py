"""What if: the points the orders of a period would have earned under other settings, beside
what the saved settings give them, in one query over the order history (the what-if of the
plugin's settings page).

Each order is replayed as the shop earns and reverses points (earning.py, ledger.py): what
was paid, shipping excluded (plus the part paid with points when ``earn_on_points_paid``),
times ``earn_per_unit``, rounded as configured; then a refund of R of the total T takes back
floor(E * R / T) of the E points (all of them when R = T). The arithmetic is on whole
numbers, so the database rounds exactly as Python's Decimal does. Tier multipliers are left
out: every order counts at x1, under both settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import BigInteger, ColumnElement, case, cast, func, literal, select

from hooks import WhatIf, WhatIfRow, order_history, session
from hooks import gettext as _
from loyalty_plugins.points.models import PointsEntry


@dataclass(frozen=True)
class Replay:
    orders: int  # orders that would have earned points (after refunds, some may keep none)
    points: int  # points earned, less what refunds take back


def _whole(value: ColumnElement) -> ColumnElement:
    return cast(value, BigInteger)


def earned(paid: ColumnElement, earn_per_unit: Decimal, rounding: str) -> ColumnElement:
    """Points for ``paid`` minor units (clamped at 0): paid * rate / 100, rounded down, to
    the nearest (halves up) or up, with the rate as an exact fraction p/q."""
    rate = Fraction(earn_per_unit) / 100
    p, q = rate.numerator, rate.denominator
    scaled = _whole(case((paid > 0, paid), else_=0)) * p
    if rounding == "up":
        return (scaled + (q - 1)) // q
    if rounding == "nearest":
        return (scaled * 2 + q) // (2 * q)
    return scaled // q


def kept(points: ColumnElement, total: ColumnElement, refunded: ColumnElement) -> ColumnElement:
    """What refunds leave of ``points`` (ledger.reverse_for_refund's rule)."""
    return case((total <= 0, points), (refunded >= total, literal(0)),
                else_=points - points * _whole(refunded) // total)


def replay(settings: list[dict], since: datetime, point_value: int) -> list[Replay]:
    """For each of ``settings`` (typed, as plugin_settings gives them), what the orders
    placed since ``since`` would have earned; one scan of the history for all of them.
    ``point_value``: what a point spent on an order was worth (the value at the time is not
    kept: the saved one)."""
    history = order_history()
    paid = history.c.total - history.c.shipping
    source = history
    if any(s["earn_on_points_paid"] for s in settings):
        # Points spent on each order: only read when a setting earns on them.
        spent = (select(PointsEntry.order_id, (-func.sum(PointsEntry.delta)).label("points"))
                 .where(PointsEntry.kind == "spend").group_by(PointsEntry.order_id)
                 .subquery("spent"))
        source = history.outerjoin(spent, spent.c.order_id == history.c.order_id)
        with_points = paid + func.coalesce(spent.c.points, 0) * point_value
    columns = []
    for s in settings:
        points = earned(with_points if s["earn_on_points_paid"] else paid,
                        Decimal(s["earn_per_unit"]), s["rounding"])
        columns += [func.count(case((points > 0, 1))),
                    func.coalesce(func.sum(kept(points, history.c.total, history.c.refunded)),
                                  0)]
    row = session().execute(select(*columns).select_from(source)
                            .where(history.c.placed_at >= since)).one()
    return [Replay(int(row[i]), int(row[i + 1])) for i in range(0, len(row), 2)]


def what_if(current: dict, candidate: dict, since: datetime) -> list[WhatIf]:
    now, then = replay([current, candidate], since, current["point_value"])
    rows = (
        WhatIfRow(_("Orders that earn points"), now.orders, then.orders),
        WhatIfRow(_("Points earned (less refunds)"), now.points, then.points),
        WhatIfRow(_("What those points are worth (liability)"),
                  now.points * current["point_value"], then.points * candidate["point_value"],
                  money=True),
    )
    note = _("Every paid or imported order of the period, replayed as the shop earns points: "
             "what was paid, shipping excluded, times the points per currency unit, rounded "
             "as set; refunds take back their share. Tier multipliers are left out, and "
             "points already spent or expired still count.")
    return [WhatIf(_("Points"), rows, note)]
