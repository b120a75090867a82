"""Payment providers. ``provider_for(app)`` picks Stripe when keys are set, else offline."""

from __future__ import annotations

from typing import Protocol

from flask import current_app

from storefront.orders.models import Order


class PaymentProvider(Protocol):
    name: str

    def refund(self, order: Order, amount: int, idempotency_key: str) -> str:
        """Refund ``amount`` through the provider; return the provider's refund id."""
        ...


def active_provider_name() -> str:
    choice = current_app.config["PAYMENT_PROVIDER"]
    if choice == "auto":
        return "stripe" if current_app.config["STRIPE_SECRET_KEY"] else "offline"
    if choice not in ("stripe", "offline"):
        raise ValueError(f"PAYMENT_PROVIDER must be auto, stripe or offline, not {choice!r}")
    return choice


def provider(name: str) -> PaymentProvider:
    if name == "stripe":
        from storefront.payments.stripe_gateway import StripeGateway

        return StripeGateway.from_config()
    from storefront.payments.offline import OfflineProvider

    return OfflineProvider()
