"""Stripe through the official library: PaymentIntents for the server-computed total."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import stripe
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront.extensions import db
from storefront.orders.models import Order, Payment

log = logging.getLogger(__name__)


@dataclass
class StripeGateway:
    client: stripe.StripeClient
    name: str = "stripe"

    @classmethod
    def from_config(cls) -> StripeGateway:
        cfg = current_app.config
        kwargs = {}
        if cfg["STRIPE_API_BASE"]:
            kwargs["base_addresses"] = {"api": cfg["STRIPE_API_BASE"]}
        return cls(stripe.StripeClient(cfg["STRIPE_SECRET_KEY"], max_network_retries=2,
                                       **kwargs))

    def ensure_payment_intent(self, order: Order, payment_method: str | None = None) -> Payment:
        """The one PaymentIntent of an order, created on first call.

        The idempotency key is derived from the order, so retries, double submits and
        concurrent calls all get the same PaymentIntent from Stripe.
        """
        payment = db.session.scalar(
            select(Payment).where(Payment.order_id == order.id, Payment.provider == self.name)
        )
        if payment is not None:
            return payment
        params: dict = {
            "amount": order.total,
            "currency": order.currency.lower(),
            "metadata": {"order_id": str(order.id), "order_number": order.number},
            "receipt_email": order.email,
        }
        if payment_method:
            params.update(payment_method=payment_method, confirm=True)
        else:
            params["automatic_payment_methods"] = {"enabled": True}
        intent = self.client.v1.payment_intents.create(
            params=params, options={"idempotency_key": f"storefront-order-{order.public_token}"}
        )
        payment = Payment(order_id=order.id, provider=self.name, provider_ref=intent.id,
                          amount=intent.amount, status=intent.status,
                          client_secret=intent.client_secret or "")
        db.session.add(payment)
        try:
            db.session.commit()
        except IntegrityError:  # a concurrent caller stored the same PaymentIntent first
            db.session.rollback()
            payment = db.session.scalar(select(Payment).where(Payment.provider_ref == intent.id))
        return payment

    def retrieve(self, intent_id: str) -> stripe.PaymentIntent:
        return self.client.v1.payment_intents.retrieve(intent_id)

    def card_fingerprint(self, intent: stripe.PaymentIntent) -> str | None:
        """The fingerprint of the card that paid ``intent`` (None: not a card)."""
        method = getattr(intent, "payment_method", None)
        if not method:
            return None
        if isinstance(method, str):
            method = self.client.v1.payment_methods.retrieve(method)
        card = getattr(method, "card", None)
        return getattr(card, "fingerprint", None) if card else None

    def cancel(self, intent_id: str) -> None:
        try:
            self.client.v1.payment_intents.cancel(intent_id)
        except stripe.StripeError as exc:
            log.warning("could not cancel PaymentIntent %s: %s", intent_id, exc)

    def refund(self, order: Order, amount: int, idempotency_key: str) -> str:
        payment = db.session.scalar(
            select(Payment).where(Payment.order_id == order.id, Payment.provider == self.name)
        )
        if payment is None:
            raise ValueError(f"order {order.number} has no Stripe payment to refund")
        refund = self.client.v1.refunds.create(
            params={"payment_intent": payment.provider_ref, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
        return refund.id

    def intent_of_charge(self, charge_id: str) -> str | None:
        return self.client.v1.charges.retrieve(charge_id).payment_intent

    def refunds_of(self, intent_id: str) -> list[stripe.Refund]:
        return list(self.client.v1.refunds.list(params={"payment_intent": intent_id}).data)
