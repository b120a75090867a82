"""Payment providers: ``provider(name)`` for the name an order was placed with; the
configuration chooses the name for new orders (``storefront.config.active_provider_name``)."""

from __future__ import annotations

from typing import Protocol

from storefront.orders.models import Order


class PaymentProvider(Protocol):
    name: str

    def refund(self, order: Order, amount: int, idempotency_key: str) -> str:
        """Refund ``amount`` through the provider; return the provider's refund id."""
        ...


def provider(name: str) -> PaymentProvider:
    if name == "stripe":
        from storefront.payments.stripe_gateway import StripeGateway

        return StripeGateway.from_config()
    from storefront.payments.offline import OfflineProvider

    return OfflineProvider()
