"""Data types that cross the plugin boundary. Money is always integer minor units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    """When an adjustment applies; phases always run in this order."""

    LINE = "line"  # against individual lines (e.g. a category discount)
    ORDER = "order"  # against the merchandise subtotal after line adjustments
    SHIPPING = "shipping"  # against the shipping fee
    TENDER = "tender"  # a way of paying part of the total (points, gift cards)


PHASE_ORDER = (Phase.LINE, Phase.ORDER, Phase.SHIPPING, Phase.TENDER)


class Stacking(StrEnum):
    """How an adjustment combines with the others.

    COMBINABLE: applies together with every other adjustment.
    BEST_OF: competes with the other BEST_OF adjustments of its ``stacking_group``; only
    the one worth most to the shopper applies.
    EXCLUSIVE: competes with every other adjustment of its phase; if one applies, the
    others of that phase do not (the most valuable EXCLUSIVE one wins).
    """

    COMBINABLE = "combinable"
    BEST_OF = "best_of"
    EXCLUSIVE = "exclusive"


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
    joined_at: datetime | None = None  # when the account was created, naive UTC (since 2.6)

    @property
    def is_member(self) -> bool:
        return self.id is not None

    def has_role(self, role: str) -> bool:
        """True for this role and the ones above it (customer < staff < manager < owner)."""
        return ROLE_RANKS.get(self.role, -1) >= ROLE_RANKS[role]


ROLE_RANKS = {"customer": 0, "staff": 1, "manager": 2, "owner": 3}


class NotProvided(LookupError):
    """``hooks.call`` of a hook that no enabled plugin answers: its publisher is not
    installed or is disabled. Check ``hooks.provided(name)`` first where that is normal."""


class CheckoutRefused(Exception):  # noqa: N818 - reads as what happened to the checkout
    """Raise from ``shop_order_reserve`` to refuse the order; the message is shown to the
    shopper and nothing is written."""


@dataclass(frozen=True)
class OrderLineView:
    product_id: int
    sku: str
    title: str
    unit_price: int
    quantity: int
    total: int


@dataclass(frozen=True)
class AppliedView:
    """An adjustment as the resolver applied it to an order."""

    plugin: str
    code: str
    label: str
    phase: str
    amount: int


@dataclass(frozen=True)
class OrderView:
    """An order, as plugins see it (read-only). Money in minor units."""

    id: int
    number: str
    status: str
    user_id: int | None
    email: str
    currency: str
    subtotal: int
    shipping: int
    discount_total: int
    total: int
    refunded_total: int
    lines: tuple[OrderLineView, ...]
    adjustments: tuple[AppliedView, ...]
    # Since 2.6: the delivery address as a normalised hash ("" when the order has none), to
    # tell whether two orders go to the same place without reading the address; and the
    # payment card's fingerprint (the same for the same card number), None unless a card
    # paid the order.
    delivery_key: str = ""
    card_fingerprint: str | None = None

    def applied(self, plugin: str) -> int:
        """What ``plugin``'s adjustments took off this order, in minor units."""
        return sum(a.amount for a in self.adjustments if a.plugin == plugin)


@dataclass(frozen=True)
class Adjustment:
    """A discount proposed by a plugin (amounts are never negative: no surcharges).

    Give either ``amount`` (minor units) or ``percent`` (of the base the phase applies to).
    ``target_skus`` limits a LINE adjustment to those lines (empty: every line).
    ``cap`` bounds the discount this adjustment may give, in minor units.
    ``priority``: lower runs first inside a phase; ties break on plugin then code, never on
    the order in which plugins were called. ``stacking`` and ``stacking_group`` say how it
    combines with other adjustments (see :class:`Stacking`). ``plugin`` is filled in by the
    shop with the name of the plugin whose code made the adjustment.
    """

    code: str
    label: str
    phase: Phase = Phase.ORDER
    amount: int | None = None
    percent: Decimal | None = None
    target_skus: tuple[str, ...] = ()
    priority: int = 100
    stacking: Stacking = Stacking.COMBINABLE
    stacking_group: str = ""
    cap: int | None = None
    reason: str = ""
    data: dict = field(default_factory=dict, compare=False, hash=False)
    plugin: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        from hooks.identity import calling_plugin

        owner = calling_plugin()
        if owner is not None:
            object.__setattr__(self, "plugin", owner)
        if (self.amount is None) == (self.percent is None):
            raise ValueError(f"{self.plugin}:{self.code}: give exactly one of amount or percent")
        if self.amount is not None and (not isinstance(self.amount, int)
                                        or isinstance(self.amount, bool)):
            raise TypeError(f"{self.plugin}:{self.code}: amount must be int minor units")
        if self.amount is not None and self.amount < 0:
            raise ValueError(f"{self.plugin}:{self.code}: amount must not be negative")
        if self.percent is not None:
            object.__setattr__(self, "percent", Decimal(str(self.percent)))
            if not Decimal(0) <= self.percent <= Decimal(100):
                raise ValueError(f"{self.plugin}:{self.code}: percent must be within 0..100")
        object.__setattr__(self, "phase", Phase(self.phase))
        object.__setattr__(self, "stacking", Stacking(self.stacking))
        if self.stacking is Stacking.BEST_OF and not self.stacking_group:
            raise ValueError(f"{self.plugin}:{self.code}: best_of needs a stacking_group")
        if self.cap is not None and (not isinstance(self.cap, int) or self.cap < 0):
            raise ValueError(f"{self.plugin}:{self.code}: cap must be int minor units >= 0")


@dataclass(frozen=True)
class Panel:
    """A box a plugin adds to the account, checkout or staff customer page. ``html`` is
    trusted markup (render it with ``hooks.render_template``, which escapes user data);
    ``order``: lower first; ``role``: the least role of the reader who sees it (since 2.7)."""

    title: str
    html: str
    order: int = 100
    id: str = ""
    role: str = "customer"

    def __post_init__(self) -> None:
        if self.role not in ROLE_RANKS:
            raise ValueError(f"Panel {self.title!r}: role must be one of {', '.join(ROLE_RANKS)}")


@dataclass(frozen=True)
class NavLink:
    """A link in the site navigation."""

    label: str
    url: str
    order: int = 100


@dataclass(frozen=True)
class MessageKind:
    """A kind of message your plugin sends that members can stop on its own under
    **Message preferences** (since 2.6): ``notify(..., kind=name)``. ``label`` is what the
    member reads beside the box ("Monthly account statement"); ``help`` a line under it.
    ``news`` (the default): the member's "news, offers and invitations" box stops it too;
    give ``news=False`` for a kind that is about their own account (a statement)."""

    name: str
    label: str
    help: str = ""
    news: bool = True

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or not self.name.islower() or len(self.name) > 40:
            raise ValueError(f"message kind {self.name!r}: a lower-case identifier of at most "
                             "40 characters, such as 'statement'")
        if self.name in ("transactional", "marketing"):
            raise ValueError(f"message kind {self.name!r} is the shop's own")


@dataclass(frozen=True)
class Asset:
    """A stylesheet or script a plugin adds to every page (``kind``: "css" or "js")."""

    kind: str
    url: str

    def __post_init__(self) -> None:
        if self.kind not in ("css", "js"):
            raise ValueError("Asset kind must be 'css' or 'js'")


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"  # entered as 12.50, stored as minor units
    BOOLEAN = "boolean"
    CHOICE = "choice"
    SECRET = "secret"  # noqa: S105 - a field type, masked in forms and listings
    LIST = "list"  # a list of values of ``item_type``
    TABLE = "table"  # rows whose cells are typed by ``columns``


# What a list holds and what a table column is: one value each, no masking, no nesting
# (a column may itself be a list of such values, e.g. a tier's flags).
ITEM_TYPES = frozenset({FieldType.TEXT, FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY,
                        FieldType.BOOLEAN, FieldType.CHOICE})
COLUMN_TYPES = ITEM_TYPES | {FieldType.LIST}


@dataclass(frozen=True)
class SettingField:
    """One setting of a plugin, shown in the admin form and `storefront plugins settings`.

    A ``LIST`` holds values of ``item_type`` (``choices``, ``min`` and ``max`` then apply to
    each item). A ``TABLE`` holds rows; each of its ``columns`` is a SettingField for one cell.
    ``unique``: on a column, no two rows may have the same value in it; on a list, no item may
    come twice. An empty list or table stands for its default; ``required`` without a default:
    it needs at least one item or row. Plugins read a list as a list of typed values and a
    table as a list of dicts, column name -> typed value, every column present.
    """

    name: str
    type: FieldType = FieldType.TEXT
    default: object = field(default=None, hash=False)  # a list's or table's is a list
    help: str = ""
    label: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    min: int | Decimal | None = None
    max: int | Decimal | None = None
    multiline: bool = False  # a text area instead of a one-line input
    # Called with the typed value; raises ValueError("why") when it is not acceptable.
    validator: object = field(default=None, compare=False, hash=False)
    item_type: FieldType = FieldType.TEXT
    columns: tuple[SettingField, ...] = ()
    unique: bool = False
    # What the owner reads for each choice (lazy_gettext texts); a choice without one shows
    # as it is.
    choice_labels: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", FieldType(self.type))
        object.__setattr__(self, "item_type", FieldType(self.item_type))
        object.__setattr__(self, "choices", tuple(self.choices))
        object.__setattr__(self, "columns", tuple(self.columns))
        if not self.name.isidentifier():
            raise ValueError(f"setting name {self.name!r} must be an identifier")
        if self.type is FieldType.LIST and self.item_type not in ITEM_TYPES:
            raise ValueError(f"setting {self.name}: a list cannot hold {self.item_type} values")
        choosing = self.type is FieldType.CHOICE or (
            self.type is FieldType.LIST and self.item_type is FieldType.CHOICE)
        if choosing and not self.choices:
            raise ValueError(f"setting {self.name}: a choice needs choices")
        if self.type is FieldType.TABLE:
            self._check_columns()

    def _check_columns(self) -> None:
        if not self.columns:
            raise ValueError(f"setting {self.name}: a table needs columns")
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"setting {self.name}: two columns have the same name")
        for column in self.columns:
            if column.type not in COLUMN_TYPES:
                raise ValueError(f"setting {self.name}: column {column.name} cannot be of "
                                 f"type {column.type}")

    @property
    def secret(self) -> bool:
        return self.type is FieldType.SECRET

    @property
    def item_field(self) -> SettingField:
        """One item of a list, as a field of its own (for validating and showing it)."""
        return SettingField(self.name, self.item_type, required=True, choices=self.choices,
                            min=self.min, max=self.max)


@dataclass(frozen=True)
class Job:
    """Scheduled work. `storefront jobs run` (from cron) runs it when ``every_seconds`` have
    passed since its last success; a failed run is retried on the next `jobs run`."""

    name: str
    func: object  # a callable taking no arguments; runs inside an app context
    every_seconds: int = 3600
    description: str = ""


@dataclass(frozen=True)
class Event:
    """A domain event, as ``shop_event`` receives it: something that happened in the shop
    (``order.paid``) or in a plugin (``points.earned``), written in the same transaction as
    the change. ``id`` is stable across redeliveries: use it as an idempotency key.
    ``aggregate_type``/``aggregate_id`` name what it happened to (``order``/``"42"``);
    ``source`` is ``shop`` or the plugin that emitted it; ``occurred_at`` is naive UTC."""

    id: str
    type: str
    version: int
    aggregate_type: str
    aggregate_id: str
    payload: dict
    occurred_at: datetime
    source: str


@dataclass(frozen=True)
class TierInfo:
    """A member's tier, as reported by the tier plugin (``rank``: 0 is the lowest)."""

    code: str
    name: str
    rank: int
    benefits: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class StaticPage:
    """A public page that ``storefront build`` writes to the static site.

    ``path`` is the URL path the shop serves it at (``/community/`` or ``/events/feed.atom``);
    the build fetches it as an anonymous visitor. ``sources`` are the files under the content
    folder the page is made from (``community/tea-tasting.md``), or folders ending in ``/``
    when any file in them matters (a listing); the page is re-rendered only when one of them,
    a template or a plugin's settings changed. ``in_sitemap`` is False for feeds and the like.
    """

    path: str
    sources: tuple[str, ...] = ()
    in_sitemap: bool = True


@dataclass(frozen=True)
class WhatIfRow:
    """One figure of a what-if (``shop_settings_what_if``): its value under the saved
    settings and under the settings the owner is trying; None where it has no value (a tier
    that only one of the two ladders has). ``money``: minor units, shown as an amount."""

    label: str
    current: int | None
    candidate: int | None
    money: bool = False

    @property
    def difference(self) -> int | None:
        """``candidate`` minus ``current`` (None when either is None)."""
        if self.current is None or self.candidate is None:
            return None
        return self.candidate - self.current


@dataclass(frozen=True)
class WhatIf:
    """A table of a what-if: a ``title`` (its caption), its ``rows`` and a ``note`` under it
    saying how the figures were made."""

    title: str
    rows: tuple[WhatIfRow, ...]
    note: str = ""
