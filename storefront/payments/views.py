from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from storefront.extensions import csrf, db
from storefront.orders.access import order_by_token_or_404
from storefront.orders.models import OrderStatus, WebhookEvent

if TYPE_CHECKING:
    from storefront.payments.stripe_gateway import StripeGateway

# The Stripe library (with requests and aiohttp, about 0.2 s to import) is imported by the
# views that talk to Stripe, not by every process that creates the app.

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__)


def _gateway() -> StripeGateway:
    from storefront.payments.stripe_gateway import StripeGateway

    if not current_app.config["STRIPE_SECRET_KEY"]:
        abort(404)
    return StripeGateway.from_config()


@bp.get("/checkout/pay/<token>")
def pay(token: str):
    import stripe

    order = order_by_token_or_404(token)
    if order.status != OrderStatus.AWAITING_PAYMENT or order.payment_provider != "stripe":
        return redirect(url_for("orders.detail", token=token))
    try:
        payment = _gateway().ensure_payment_intent(order)
    except stripe.StripeError:
        log.exception("could not create a PaymentIntent for %s", order.number)
        flash(_("The card payment service is not answering. Your order is saved; please try "
                "again in a minute."), "error")
        return render_template("payments/pay.html", order=order, payment=None), 503
    return render_template("payments/pay.html", order=order, payment=payment,
                           publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
                           stripe_js=current_app.config["STRIPE_JS_URL"])


@bp.get("/checkout/return/<token>")
def payment_return(token: str):
    """Stripe sends the shopper back here; the webhook may come before or after."""
    import stripe

    from storefront.payments.settle import Outcome, settle_intent

    order = order_by_token_or_404(token)
    gateway = _gateway()
    for payment in order.payments:
        if payment.provider == "stripe":
            try:
                outcome = settle_intent(gateway, payment.provider_ref)
            except stripe.StripeError:
                log.exception("return page: Stripe did not answer for %s", order.number)
                flash(_("We could not reach the card payment service to confirm your "
                        "payment. We will confirm it by email as soon as it answers."), "error")
                break
            if outcome is Outcome.NEEDS_ACTION:
                flash(_("Your bank asks you to confirm this payment (3-D Secure). Please "
                        "finish it on the payment page; your order is kept meanwhile."), "error")
                return redirect(url_for("payments.pay", token=token))
            if outcome is Outcome.PENDING:
                flash(_("Your payment is being processed; we will email you when it is done."),
                      "success")
            elif outcome is Outcome.CANCELLED:
                flash(_("Your payment did not go through and the order was cancelled. You can "
                        "put the items back in your cart and try again."), "error")
    return redirect(url_for("orders.detail", token=token))


def _on_intent(gateway: StripeGateway, obj) -> None:
    from storefront.payments.settle import settle_intent

    settle_intent(gateway, obj["id"])


def _on_intent_failed(gateway: StripeGateway, obj) -> None:
    from storefront.payments.settle import settle_intent

    settle_intent(gateway, obj["id"], failed_event=True)


def _on_charge_refunded(gateway: StripeGateway, obj) -> None:
    from storefront.payments.settle import record_stripe_refund

    intent_id = getattr(obj, "payment_intent", None)
    if intent_id:
        for refund in gateway.refunds_of(intent_id):
            record_stripe_refund(gateway, refund)


def _on_refund(gateway: StripeGateway, obj) -> None:
    from storefront.payments.settle import record_stripe_refund

    record_stripe_refund(gateway, obj)


def _on_dispute(gateway: StripeGateway, obj) -> None:
    from storefront.payments.settle import record_stripe_dispute

    record_stripe_dispute(gateway, obj)


HANDLERS = {
    "payment_intent.succeeded": _on_intent,
    "payment_intent.canceled": _on_intent,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
    "refund.created": _on_refund,
    "refund.updated": _on_refund,
    "charge.refund.updated": _on_refund,
    "charge.dispute.created": _on_dispute,
    "charge.dispute.updated": _on_dispute,
    "charge.dispute.closed": _on_dispute,
}


@bp.post("/webhooks/stripe")
@csrf.exempt  # authenticated by its signature instead
def stripe_webhook():
    import stripe

    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        abort(404)
    try:
        event = stripe.Webhook.construct_event(
            request.get_data(), request.headers.get("Stripe-Signature"), secret
        )
    except (ValueError, stripe.SignatureVerificationError):
        return jsonify(error="invalid signature or payload"), 400
    handler = HANDLERS.get(event.type)
    if handler is None:
        return jsonify(ignored=f"event type {event.type} is not handled"), 200
    if db.session.get(WebhookEvent, event.id) is not None:
        return jsonify(duplicate=event.id), 200
    try:
        # Handlers are idempotent (conditional updates, unique refund ids), so concurrent
        # deliveries of one event change nothing twice; the event is recorded only once it
        # was handled, so a failure leaves it for Stripe's retry.
        handler(_gateway(), event.data.object)
    except stripe.StripeError:
        db.session.rollback()
        log.exception("webhook %s: Stripe did not answer; Stripe will retry", event.id)
        return jsonify(error="temporary failure"), 503
    try:
        db.session.add(WebhookEvent(event_id=event.id, type=event.type))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return jsonify(duplicate=event.id), 200
    return jsonify(received=event.id), 200
