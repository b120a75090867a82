"""How many points an order earns."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from hooks import CustomerView, OrderView, customer_tier
from loyalty_plugins.points.config import NAME, PointsConfig

ROUNDING = {"down": ROUND_FLOOR, "nearest": ROUND_HALF_UP, "up": ROUND_CEILING}


def tier_multiplier(order: OrderView) -> Decimal:
    if order.user_id is None:
        return Decimal(1)
    tier = customer_tier(CustomerView(order.user_id, order.email))
    if tier is None:
        return Decimal(1)
    return Decimal(str(tier.benefits.get("points_multiplier", 1)))


def points_for(order: OrderView, cfg: PointsConfig) -> int:
    """Points per currency unit of what was paid, shipping excluded, times the tier's
    multiplier, rounded as configured. The part paid with points earns only if the shop says
    so."""
    paid = order.total - order.shipping
    if cfg.earn_on_points_paid:
        paid += order.applied(NAME)
    units = Decimal(max(paid, 0)) / 100
    raw = units * cfg.earn_per_unit * tier_multiplier(order)
    return int(raw.quantize(Decimal(1), rounding=ROUNDING[cfg.rounding]))


def points_to_pay(amount: int, cfg: PointsConfig) -> int:
    """Points that cover ``amount`` minor units (rounded up: never pay less than the value)."""
    return -(-amount // cfg.point_value)
