"""How many points an order earns: at payment (``points_for``) and, with the same
arithmetic, before it (what the product page, the cart and the checkout promise)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from hooks import CustomerView, OrderView, call, customer_tier, provided
from loyalty_plugins.points import boosts
from loyalty_plugins.points.clock import utcnow
from loyalty_plugins.points.config import NAME, PointsConfig

ROUNDING = {"down": ROUND_FLOOR, "nearest": ROUND_HALF_UP, "up": ROUND_CEILING}


def tier_multiplier(order: OrderView) -> Decimal:
    if order.user_id is None:
        return Decimal(1)
    tier = customer_tier(CustomerView(order.user_id, order.email))
    if tier is None:
        return Decimal(1)
    return Decimal(str(tier.benefits.get("points_multiplier", 1)))


def member_multiplier(order: OrderView) -> Decimal:
    """The tier's multiplier times the member's boost (a win-back offer), if any."""
    if order.user_id is None:
        return Decimal(1)
    return tier_multiplier(order) * boosts.multiplier(order.user_id, utcnow())


def joining_multiplier() -> Decimal:
    """The multiplier of a member who joins now: the lowest tier's, while tiers are on."""
    ladder = call("tiers_ladder") if provided("tiers_ladder") else ()
    if not ladder:
        return Decimal(1)
    return Decimal(str(ladder[0].benefits.get("points_multiplier", 1)))


def points_for(order: OrderView, cfg: PointsConfig, *, joining: bool = False) -> int:
    """Points per currency unit of what was paid, shipping excluded, times the tier's
    multiplier and the member's boost, rounded as configured. The part paid with points
    earns only if the shop says so. ``order`` is a paid order, or a priced cart
    (``hooks.quote``, the cart's quote) for what it will earn once paid; ``joining``: for a
    guest who signs up first (the lowest tier's multiplier; a guest's own order earns as a
    guest's)."""
    paid = order.total - order.shipping
    if cfg.earn_on_points_paid:
        paid += order.applied(NAME)
    multiplier = joining_multiplier() if joining else member_multiplier(order)
    units = Decimal(max(paid, 0)) / 100
    raw = units * cfg.earn_per_unit * multiplier
    return int(raw.quantize(Decimal(1), rounding=ROUNDING[cfg.rounding]))


def points_to_pay(amount: int, cfg: PointsConfig) -> int:
    """Points that cover ``amount`` minor units (rounded up: never pay less than the value)."""
    return -(-amount // cfg.point_value)
