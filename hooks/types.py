"""Data types that cross the plugin boundary. Money is always integer minor units."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Phase(StrEnum):
    """When an adjustment applies; phases always run in this order."""

    LINE = "line"  # against individual lines (e.g. a category discount)
    ORDER = "order"  # against the merchandise subtotal after line adjustments
    SHIPPING = "shipping"  # against the shipping fee
    TENDER = "tender"  # a way of paying part of the total (points, gift cards)


PHASE_ORDER = (Phase.LINE, Phase.ORDER, Phase.SHIPPING, Phase.TENDER)


@dataclass(frozen=True)
class CartLineView:
    """One line of a cart, as plugins see it (read-only)."""

    product_id: int
    sku: str
    title: str
    unit_price: int
    quantity: int
    category: str = ""
    tags: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CartView:
    """The cart handed to pricing hooks: lines, currency and the shipping fee before discounts."""

    lines: tuple[CartLineView, ...]
    currency: str
    shipping: int = 0

    @property
    def subtotal(self) -> int:
        return sum(line.total for line in self.lines)


@dataclass(frozen=True)
class CustomerView:
    """The shopper, as plugins see them. ``id`` is None for a guest."""

    id: int | None
    email: str | None = None
    name: str | None = None
    role: str = "guest"

    @property
    def is_member(self) -> bool:
        return self.id is not None


@dataclass(frozen=True)
class Adjustment:
    """A discount (positive ``amount``) or surcharge (negative) proposed by a plugin.

    Give either ``amount`` (minor units) or ``percent`` (of the base the phase applies to).
    ``target_skus`` limits a LINE adjustment to those lines (empty: every line).
    ``cap`` bounds the discount this adjustment may give, in minor units.
    ``priority``: lower runs first inside a phase; ties break on plugin then code, never on
    the order in which plugins were called.
    """

    plugin: str
    code: str
    label: str
    phase: Phase = Phase.ORDER
    amount: int | None = None
    percent: Decimal | None = None
    target_skus: tuple[str, ...] = ()
    priority: int = 100
    stacking_group: str | None = None
    cap: int | None = None
    reason: str = ""
    data: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if (self.amount is None) == (self.percent is None):
            raise ValueError(f"{self.plugin}:{self.code}: give exactly one of amount or percent")
        if self.amount is not None and not isinstance(self.amount, int):
            raise TypeError(f"{self.plugin}:{self.code}: amount must be int minor units")
        if self.percent is not None:
            object.__setattr__(self, "percent", Decimal(str(self.percent)))
            if not Decimal(0) <= self.percent <= Decimal(100):
                raise ValueError(f"{self.plugin}:{self.code}: percent must be within 0..100")
        object.__setattr__(self, "phase", Phase(self.phase))
