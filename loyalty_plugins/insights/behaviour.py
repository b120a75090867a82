"""Segments by one trait at a time: how often a customer buys, how much they spend against
the others, and how they pay. Each customer falls in exactly one band of each."""

from __future__ import annotations

from hooks import lazy_gettext
from loyalty_plugins.insights.rfm import CustomerRFM

# (code, the fewest orders of the band), most orders last.
FREQUENCY_BANDS = (("once", 1), ("occasional", 2), ("regular", 4), ("frequent", 10))
# (code, the lowest monetary score of the band), highest last.
VOLUME_BANDS = (("low", 1), ("middle", 3), ("high", 4), ("top", 5))
PAYMENT_BANDS = ("card", "transfer", "mixed", "refunds", "unknown")
# A customer with at least this share of their orders refunded (in part or in full).
REFUNDS_SHARE = 0.2

BAND_NAMES = {
    "once": lazy_gettext("One order"), "occasional": lazy_gettext("2 or 3 orders"),
    "regular": lazy_gettext("4 to 9 orders"), "frequent": lazy_gettext("10 orders or more"),
    "low": lazy_gettext("Lowest two fifths by spend"),
    "middle": lazy_gettext("Middle fifth by spend"),
    "high": lazy_gettext("Second-best fifth by spend"), "top": lazy_gettext("Best fifth by spend"),
    "card": lazy_gettext("Pay by card"), "transfer": lazy_gettext("Pay by bank transfer"),
    "mixed": lazy_gettext("Card and bank transfer"),
    "refunds": lazy_gettext("Often refunded"),
    "unknown": lazy_gettext("Imported history only"),
}
KINDS = {"frequency_band": tuple(code for code, _least in FREQUENCY_BANDS),
         "volume_band": tuple(code for code, _least in VOLUME_BANDS),
         "payment_band": PAYMENT_BANDS}


def _band(value: int, bands: tuple[tuple[str, int], ...]) -> str:
    return [code for code, least in bands if value >= least][-1]


def frequency_band(customer: CustomerRFM) -> str:
    return _band(customer.orders, FREQUENCY_BANDS)


def volume_band(customer: CustomerRFM) -> str:
    return _band(customer.monetary, VOLUME_BANDS)


def payment_band(customer: CustomerRFM) -> str:
    if customer.refunded_orders >= REFUNDS_SHARE * customer.orders:
        return "refunds"
    if not customer.known_payment_orders:
        return "unknown"
    if customer.transfer_orders == customer.known_payment_orders:
        return "transfer"
    return "card" if not customer.transfer_orders else "mixed"
