"""Card payments with the official `stripe` library against localstripe: checkout, the pay
page's PaymentIntent, the shopper's return, webhooks (genuine, replayed, concurrent, forged,
out of order), refunds from /admin and from outside the shop, and reconciliation.

Nothing of ours is mocked: the app talks HTTP to a real fake of Stripe (see
tests/support/localstripe.py) and runs on SQLite and on PostgreSQL. Stripe.js and the Stripe
Dashboard are played by a `stripe.StripeClient` of the test's own; webhooks are signed here
the way Stripe signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
import stripe
from sqlalchemy import func, select, update

from hooks import hookimpl
from storefront.catalog.models import Product
from storefront.cli import main as storefront_cli
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus, Payment, Refund, WebhookEvent
from storefront.payments.settle import reconcile
from storefront.payments.stripe_gateway import StripeGateway
from storefront.timeutil import utcnow
from tests.support import localstripe
from tests.support.forms import csrf_token, post_form

WEBHOOK_SECRET = "whsec_storefront_tests_5f2b8c0e9a7d4c31"
SKU = "COF-ETH-250"  # 12.50 EUR; two of them plus 4.90 shipping make 29.90
TOTAL_OF_TWO = 2 * 1250 + 490
OWNER = "owner@example.com"
PASSWORD = "correct horse battery"
PAY_URL = re.compile(r"/checkout/pay/([A-Za-z0-9_-]+)$")


class HookRecorder:
    """A plugin that counts the reacting hooks the shop calls."""

    def __init__(self) -> None:
        self.paid: list[int] = []
        self.cancelled: list[int] = []
        self.refunded: list[tuple[int, str, int]] = []

    @hookimpl
    def shop_order_paid(self, order_id: int) -> None:
        self.paid.append(order_id)

    @hookimpl
    def shop_order_cancelled(self, order_id: int, reason: str) -> None:
        self.cancelled.append(order_id)

    @hookimpl
    def shop_order_refunded(self, order_id: int, refund_id: str, amount: int) -> None:
        self.refunded.append((order_id, refund_id, amount))


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def recorder() -> HookRecorder:
    return HookRecorder()


@pytest.fixture
def app(make_app, stripe_api, recorder):
    """The shop with Stripe configured (overrides conftest's `app`, so `client` and `shop`
    use it too)."""
    return make_app(
        STRIPE_SECRET_KEY=localstripe.SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=localstripe.PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_api.url,
        EXTRA_PLUGINS=[recorder],
    )


# --- helpers --------------------------------------------------------------------------------


@dataclass
class OrderState:
    id: int
    status: str
    total: int
    refunded_total: int
    payments: list[tuple[str, int, str]]  # (PaymentIntent id, amount, status)
    refunds: list[tuple[str, int]]  # (refund id, amount)

    @property
    def intent_id(self) -> str:
        assert len(self.payments) == 1, self.payments
        return self.payments[0][0]


def order_state(app, token: str) -> OrderState:
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.public_token == token))
        payments = db.session.execute(
            select(Payment.provider_ref, Payment.amount, Payment.status)
            .where(Payment.order_id == order.id).order_by(Payment.id)).all()
        refunds = db.session.execute(
            select(Refund.provider_ref, Refund.amount)
            .where(Refund.order_id == order.id).order_by(Refund.id)).all()
        return OrderState(order.id, order.status, order.total, order.refunded_total,
                          [tuple(p) for p in payments], [tuple(r) for r in refunds])


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Order, Payment, Refund, WebhookEvent)}


def stock(app, sku: str = SKU) -> int:
    with app.app_context():
        return db.session.scalar(select(Product.stock).where(Product.sku == sku))


def checkout(shop, client, quantity: int = 2) -> str:
    """Fill the cart and submit the checkout form; return the order's public token."""
    shop.add(client, SKU, quantity)
    response = shop.checkout(client)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    match = PAY_URL.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def open_pay_page(client, token: str) -> str:
    response = client.get(f"/checkout/pay/{token}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def placed_order(app, shop, client) -> tuple[OrderState, str]:
    """An order whose pay page was shown, so it has its PaymentIntent."""
    token = checkout(shop, client)
    open_pay_page(client, token)
    return order_state(app, token), token


def pay(stripe_api, intent_id: str, payment_method: str = "pm_card_visa"):
    """What Stripe.js does when the shopper submits the Payment Element.

    localstripe has no confirm-with-parameters (it answers 500), so the payment method is
    attached first and the PaymentIntent confirmed without parameters.
    """
    shopper = stripe_api.client()
    shopper.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
    return shopper.v1.payment_intents.confirm(intent_id)


def paid_order(app, shop, client, stripe_api) -> tuple[OrderState, str]:
    """An order paid at Stripe and settled through the return page."""
    state, token = placed_order(app, shop, client)
    assert pay(stripe_api, state.intent_id).status == "succeeded"
    assert client.get(f"/checkout/return/{token}").status_code == 302
    state = order_state(app, token)
    assert state.status == OrderStatus.PAID
    return state, token


def event_payload(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    return json.dumps({
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": obj},
    }).encode()


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def deliver(client, payload: bytes, header: str | None = "sign"):
    headers = {"Content-Type": "application/json"}
    if header == "sign":
        headers["Stripe-Signature"] = signature(payload)
    elif header is not None:
        headers["Stripe-Signature"] = header
    return client.post("/webhooks/stripe", data=payload, headers=headers)


def intent_event(stripe_api, event_type: str, intent_id: str, event_id: str | None = None):
    intent = stripe_api.client().v1.payment_intents.retrieve(intent_id)
    return event_payload(event_type, intent.to_dict(), event_id)


def refund_event(stripe_api, refund_id: str, event_id: str | None = None) -> bytes:
    refund = stripe_api.client().v1.refunds.retrieve(refund_id)
    return event_payload("refund.created", refund.to_dict(), event_id)


def charge_refunded_event(stripe_api, intent_id: str) -> bytes:
    intent = stripe_api.client().v1.payment_intents.retrieve(intent_id)
    charge = intent.latest_charge  # localstripe returns it expanded
    charge = charge if isinstance(charge, dict) else charge.to_dict()
    return event_payload("charge.refunded", charge)


def stripe_refunds(stripe_api, intent_id: str) -> list[tuple[str, int]]:
    refunds = stripe_api.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    return sorted((r.id, r.amount) for r in refunds)


def log_in_owner(app, shop):
    shop.create_user(OWNER, PASSWORD, role="owner", name="Olga Owner")
    admin = app.test_client()
    response = shop.login(admin, OWNER, PASSWORD)
    assert response.status_code in (302, 303), response.status_code
    return admin


def admin_refund(admin, order_id: int, amount: str, reason: str):
    return post_form(admin, f"/admin/orders/{order_id}", f"/admin/orders/{order_id}/refund",
                     {"amount": amount, "reason": reason})


def run_concurrently(count: int, work) -> list:
    """Run work(i) in `count` threads released together; return the results in order."""
    barrier = threading.Barrier(count)

    def task(i):
        barrier.wait(timeout=10)
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(task, range(count)))


# --- checkout and the pay page --------------------------------------------------------------


def test_checkout_leads_to_one_payment_intent_for_the_server_total(app, client, shop,
                                                                    stripe_api):
    token = checkout(shop, client)
    state = order_state(app, token)
    assert state.status == OrderStatus.AWAITING_PAYMENT and state.total == TOTAL_OF_TWO
    assert state.payments == [] and stripe_api.payment_intents() == []

    html = open_pay_page(client, token)
    intents = stripe_api.payment_intents()
    assert len(intents) == 1
    intent = intents[0]
    assert (intent.amount, intent.currency, intent.status) == (
        TOTAL_OF_TWO, "eur", "requires_payment_method")
    assert intent.metadata["order_id"] == str(state.id)
    assert intent.metadata["order_number"] == f"SF-{state.id:06d}"
    assert f'data-client-secret="{intent.client_secret}"' in html
    assert f'data-publishable-key="{localstripe.PUBLISHABLE_KEY}"' in html
    assert f"/checkout/return/{token}" in html
    assert order_state(app, token).payments == [
        (intent.id, TOTAL_OF_TWO, "requires_payment_method")]

    # Reloading the page reuses the PaymentIntent.
    open_pay_page(client, token)
    open_pay_page(client, token)
    assert [i.id for i in stripe_api.payment_intents()] == [intent.id]
    assert row_counts(app)["payment"] == 1

    # Even if our record of it were lost (a crash between Stripe's answer and our commit),
    # the idempotency key derived from the order gets the same PaymentIntent back.
    with app.app_context():
        db.session.execute(Payment.__table__.delete())
        db.session.commit()
    open_pay_page(client, token)
    assert [i.id for i in stripe_api.payment_intents()] == [intent.id]
    assert order_state(app, token).payments == [
        (intent.id, TOTAL_OF_TWO, "requires_payment_method")]


def test_a_tampered_total_places_no_order_and_creates_no_intent(app, client, shop,
                                                                 stripe_api):
    shop.add(client, SKU, 2)
    response = shop.checkout(client, expected_total="1")
    assert response.status_code == 303 and response.headers["Location"].endswith("/checkout")
    assert row_counts(app)["shop_order"] == 0
    assert stripe_api.payment_intents() == []


# --- paying: return page and webhook --------------------------------------------------------


@pytest.mark.parametrize("first", ["return page", "webhook"])
def test_return_page_and_webhook_in_either_order_fulfil_once(app, client, shop, stripe_api,
                                                              recorder, first):
    state, token = placed_order(app, shop, client)
    assert pay(stripe_api, state.intent_id).status == "succeeded"
    assert order_state(app, token).status == OrderStatus.AWAITING_PAYMENT  # nothing told us yet
    payload = intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)

    def return_page():
        response = client.get(f"/checkout/return/{token}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/orders/{token}")

    def webhook():
        response = deliver(app.test_client(), payload)
        assert response.status_code == 200, response.get_data(as_text=True)

    steps = [return_page, webhook] if first == "return page" else [webhook, return_page]
    steps[0]()
    assert order_state(app, token).status == OrderStatus.PAID
    steps[1]()

    final = order_state(app, token)
    assert final.status == OrderStatus.PAID
    assert final.payments == [(state.intent_id, TOTAL_OF_TWO, "succeeded")]
    assert recorder.paid == [state.id]
    assert sum("is paid" in mail for mail in shop.mails()) == 1
    assert "Paid" in client.get(f"/orders/{token}").get_data(as_text=True)
    # A paid order has nothing left to pay.
    assert client.get(f"/checkout/pay/{token}").status_code == 302
    assert len(stripe_api.payment_intents()) == 1


def test_return_page_before_payment_leaves_the_order_waiting(app, client, shop, stripe_api,
                                                            recorder):
    state, token = placed_order(app, shop, client)
    response = client.get(f"/checkout/return/{token}", follow_redirects=True)
    assert "being processed" in response.get_data(as_text=True)
    assert order_state(app, token).status == OrderStatus.AWAITING_PAYMENT
    assert recorder.paid == [] and recorder.cancelled == []


def test_succeeded_event_replayed_five_times_in_a_row(app, client, shop, stripe_api, recorder):
    state, token = placed_order(app, shop, client)
    pay(stripe_api, state.intent_id)
    payload = intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)

    replies = [deliver(client, payload) for _ in range(5)]
    assert [r.status_code for r in replies] == [200] * 5
    assert "received" in replies[0].get_json()
    assert all("duplicate" in r.get_json() for r in replies[1:])
    assert order_state(app, token).status == OrderStatus.PAID
    assert recorder.paid == [state.id]
    assert row_counts(app) == {"shop_order": 1, "payment": 1, "refund": 0, "webhook_event": 1}


def test_succeeded_event_delivered_five_times_at_once(app, client, shop, stripe_api, recorder):
    state, token = placed_order(app, shop, client)
    pay(stripe_api, state.intent_id)
    payload = intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)

    replies = run_concurrently(5, lambda _: deliver(app.test_client(), payload))
    assert [r.status_code for r in replies] == [200] * 5, [r.get_json() for r in replies]
    assert order_state(app, token).status == OrderStatus.PAID
    assert recorder.paid == [state.id]
    assert row_counts(app) == {"shop_order": 1, "payment": 1, "refund": 0, "webhook_event": 1}


def test_return_pages_racing_distinct_webhooks_fulfil_once(app, client, shop, stripe_api,
                                                           recorder):
    state, token = placed_order(app, shop, client)
    pay(stripe_api, state.intent_id)
    payloads = [intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)
                for _ in range(3)]

    def work(i):
        other = app.test_client()  # a guest's order: its link is all the return page needs
        if i % 2:
            return deliver(other, payloads[i // 2]).status_code
        return other.get(f"/checkout/return/{token}").status_code

    assert sorted(run_concurrently(6, work)) == [200, 200, 200, 302, 302, 302]
    assert order_state(app, token).status == OrderStatus.PAID
    assert recorder.paid == [state.id]
    assert row_counts(app)["webhook_event"] == 3


# --- forged and unknown webhooks ------------------------------------------------------------


def _forge(kind: str, payload: bytes) -> tuple[bytes, str | None]:
    if kind == "missing header":
        return payload, None
    if kind == "tampered payload":
        header = signature(payload)
        tampered = payload.replace(b'"livemode": false', b'"livemode": true')
        assert tampered != payload
        return tampered, header
    if kind == "wrong secret":
        return payload, signature(payload, secret="whsec_not_the_shops_secret")
    if kind == "older than 300 s":
        return payload, signature(payload, timestamp=int(time.time()) - 301)
    if kind == "garbage header":
        return payload, "t=abc,v1=zz"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["missing header", "tampered payload", "wrong secret",
                                  "older than 300 s", "garbage header"])
def test_forged_webhook_is_rejected_and_writes_nothing(app, client, shop, stripe_api,
                                                       recorder, kind):
    state, token = placed_order(app, shop, client)
    pay(stripe_api, state.intent_id)  # a genuine event would now fulfil the order
    genuine = intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)
    before = row_counts(app)

    body, header = _forge(kind, genuine)
    response = deliver(client, body, header)
    assert response.status_code == 400
    assert row_counts(app) == before
    after = order_state(app, token)
    assert after.status == OrderStatus.AWAITING_PAYMENT
    assert after.payments == state.payments  # not even the payment status was refreshed
    assert recorder.paid == []

    # The control: the same event, correctly signed, is accepted.
    assert deliver(client, genuine).status_code == 200
    assert order_state(app, token).status == OrderStatus.PAID


def test_unknown_event_type_is_ignored(app, client, shop, stripe_api, recorder):
    state, token = placed_order(app, shop, client)
    pay(stripe_api, state.intent_id)
    before = row_counts(app)
    for event_type in ("payment_intent.created", "customer.created"):
        payload = intent_event(stripe_api, event_type, state.intent_id)
        response = deliver(client, payload)
        assert response.status_code == 200
        assert "ignored" in response.get_json()
    assert row_counts(app) == before
    assert order_state(app, token).payments == state.payments
    assert order_state(app, token).status == OrderStatus.AWAITING_PAYMENT
    assert recorder.paid == []


# --- failed payments ------------------------------------------------------------------------


def test_declined_card_cancels_the_order_releases_stock_once_and_the_intent(
        app, client, shop, stripe_api, recorder):
    initial = stock(app)
    state, token = placed_order(app, shop, client)
    assert stock(app) == initial - 2

    with pytest.raises(stripe.CardError):
        pay(stripe_api, state.intent_id, "pm_card_chargeCustomerFail")
    intent = stripe_api.client().v1.payment_intents.retrieve(state.intent_id)
    assert intent.status == "requires_payment_method"

    failed = intent_event(stripe_api, "payment_intent.payment_failed", state.intent_id)
    assert deliver(client, failed).status_code == 200
    after = order_state(app, token)
    assert after.status == OrderStatus.CANCELLED
    assert stock(app) == initial
    assert stripe_api.client().v1.payment_intents.retrieve(state.intent_id).status == "canceled"
    assert recorder.cancelled == [state.id] and recorder.paid == []

    # Redelivery, another failure event, the canceled event and the return page change
    # nothing more.
    assert deliver(client, failed).status_code == 200
    assert deliver(client, intent_event(stripe_api, "payment_intent.payment_failed",
                                        state.intent_id)).status_code == 200
    assert deliver(client, intent_event(stripe_api, "payment_intent.canceled",
                                        state.intent_id)).status_code == 200
    assert client.get(f"/checkout/return/{token}").status_code == 302
    assert stock(app) == initial
    assert recorder.cancelled == [state.id]
    assert order_state(app, token).status == OrderStatus.CANCELLED
    assert client.get(f"/checkout/pay/{token}").status_code == 302  # nothing to pay


# --- refunds --------------------------------------------------------------------------------


def test_two_partial_refunds_from_admin_go_through_stripe(app, client, shop, stripe_api,
                                                          recorder):
    state, token = paid_order(app, shop, client, stripe_api)
    admin = log_in_owner(app, shop)

    first = admin_refund(admin, state.id, "5.00", "one bag arrived torn")
    assert first.status_code == 303
    second = admin_refund(admin, state.id, "7.50", "late delivery")
    assert second.status_code == 303

    at_stripe = stripe_refunds(stripe_api, state.intent_id)
    assert sorted(a for _, a in at_stripe) == [500, 750]
    after = order_state(app, token)
    assert sorted(after.refunds) == at_stripe  # recorded under Stripe's refund ids
    assert after.status == OrderStatus.PARTIALLY_REFUNDED
    assert after.refunded_total == 1250
    assert sorted(amount for _, _, amount in recorder.refunded) == [500, 750]
    page = admin.get(f"/admin/orders/{state.id}").get_data(as_text=True)
    assert all(refund_id in page for refund_id, _ in at_stripe)

    # Stripe's own events for these refunds arrive afterwards: nothing changes.
    before = row_counts(app)
    for refund_id, _ in at_stripe:
        assert deliver(client, refund_event(stripe_api, refund_id)).status_code == 200
    assert deliver(client, charge_refunded_event(stripe_api, state.intent_id)).status_code == 200
    assert row_counts(app)["refund"] == before["refund"] == 2
    assert order_state(app, token).refunded_total == 1250
    assert len(recorder.refunded) == 2

    # More than what is left is refused before Stripe is asked.
    too_much = admin_refund(admin, state.id, "20.00", "everything")
    assert too_much.status_code == 303
    assert len(stripe_refunds(stripe_api, state.intent_id)) == 2
    # The rest, then: fully refunded.
    assert admin_refund(admin, state.id, "17.40", "the rest").status_code == 303
    final = order_state(app, token)
    assert final.status == OrderStatus.REFUNDED and final.refunded_total == TOTAL_OF_TWO
    assert sorted(final.refunds) == stripe_refunds(stripe_api, state.intent_id)


def test_refund_made_outside_the_shop_is_recorded_once(app, client, shop, stripe_api,
                                                       recorder):
    state, token = paid_order(app, shop, client, stripe_api)
    dashboard = stripe_api.client()
    refund = dashboard.v1.refunds.create(params={"payment_intent": state.intent_id,
                                                 "amount": 1000})

    event = refund_event(stripe_api, refund.id)
    assert deliver(client, event).status_code == 200
    after = order_state(app, token)
    assert after.refunds == [(refund.id, 1000)]
    assert after.refunded_total == 1000 and after.status == OrderStatus.PARTIALLY_REFUNDED

    # The same event again, another event about the same refund, and charge.refunded.
    assert deliver(client, event).status_code == 200
    assert deliver(client, refund_event(stripe_api, refund.id)).status_code == 200
    assert deliver(client, charge_refunded_event(stripe_api, state.intent_id)).status_code == 200
    assert order_state(app, token).refunds == [(refund.id, 1000)]
    assert recorder.refunded == [(state.id, refund.id, 1000)]

    # The rest refunded in the Dashboard, announced only by charge.refunded.
    # (localstripe refunds the whole charge when no amount is given, Stripe what is left.)
    rest = dashboard.v1.refunds.create(params={"payment_intent": state.intent_id,
                                               "amount": TOTAL_OF_TWO - 1000})
    assert deliver(client, charge_refunded_event(stripe_api, state.intent_id)).status_code == 200
    final = order_state(app, token)
    assert sorted(final.refunds) == sorted([(refund.id, 1000), (rest.id, TOTAL_OF_TWO - 1000)])
    assert final.status == OrderStatus.REFUNDED
    assert len(recorder.refunded) == 2


# --- events out of order --------------------------------------------------------------------


def test_refund_event_before_the_succeeded_event(app, client, shop, stripe_api, recorder):
    state, token = placed_order(app, shop, client)
    pay(stripe_api, state.intent_id)
    succeeded = intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)
    refund = stripe_api.client().v1.refunds.create(params={"payment_intent": state.intent_id,
                                                           "amount": 400})

    # Stripe does not promise the order of events: the refund comes first.
    assert deliver(client, charge_refunded_event(stripe_api, state.intent_id)).status_code == 200
    assert deliver(client, succeeded).status_code == 200

    final = order_state(app, token)
    assert final.refunds == [(refund.id, 400)]
    assert final.refunded_total == 400
    assert final.status == OrderStatus.PARTIALLY_REFUNDED
    assert recorder.paid == [state.id]
    assert recorder.refunded == [(state.id, refund.id, 400)]


def test_payment_succeeding_after_the_order_was_cancelled_is_refunded(
        app, client, shop, stripe_api, recorder):
    initial = stock(app)
    state, token = placed_order(app, shop, client)
    admin = log_in_owner(app, shop)
    page = admin.get(f"/admin/orders/{state.id}").get_data(as_text=True)
    response = admin.post(f"/admin/orders/{state.id}/cancel",
                          data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert order_state(app, token).status == OrderStatus.CANCELLED
    assert stock(app) == initial

    # The shopper still had the pay page open and pays.
    assert pay(stripe_api, state.intent_id).status == "succeeded"
    assert deliver(client, intent_event(stripe_api, "payment_intent.succeeded",
                                        state.intent_id)).status_code == 200

    assert stripe_refunds(stripe_api, state.intent_id)[0][1] == TOTAL_OF_TWO
    after = order_state(app, token)
    assert after.status == OrderStatus.CANCELLED
    assert stock(app) == initial
    assert recorder.paid == [] and recorder.cancelled == [state.id]

    # The return page and another delivery do not refund twice.
    assert client.get(f"/checkout/return/{token}").status_code == 302
    assert deliver(client, intent_event(stripe_api, "payment_intent.succeeded",
                                        state.intent_id)).status_code == 200
    assert len(stripe_refunds(stripe_api, state.intent_id)) == 1
    assert order_state(app, token).status == OrderStatus.CANCELLED
    assert stock(app) == initial


# --- reconciliation -------------------------------------------------------------------------


def _age(app, order_id: int, hours: int) -> None:
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == order_id)
                           .values(created_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()


def test_reconcile_settles_orders_whose_webhook_never_came(app, client, shop, stripe_api,
                                                           recorder):
    initial = stock(app)
    first, first_token = placed_order(app, shop, client)
    pay(stripe_api, first.intent_id)  # paid, but neither webhook nor return page came

    with app.app_context():
        counts = reconcile(StripeGateway.from_config(), timedelta(hours=24))
    assert counts == {"paid": 1}
    assert order_state(app, first_token).status == OrderStatus.PAID
    assert recorder.paid == [first.id]

    # Now through the command line: one paid, one abandoned a day ago, one still open.
    second, second_token = placed_order(app, shop, client)
    pay(stripe_api, second.intent_id)
    abandoned, abandoned_token = placed_order(app, shop, client)
    _age(app, abandoned.id, hours=25)
    waiting, waiting_token = placed_order(app, shop, client)
    assert stock(app) == initial - 8

    result = app.test_cli_runner().invoke(storefront_cli, ["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "reconciled orders: 1 cancelled, 1 paid, 1 pending" in result.output
    assert order_state(app, second_token).status == OrderStatus.PAID
    assert order_state(app, abandoned_token).status == OrderStatus.CANCELLED
    assert order_state(app, waiting_token).status == OrderStatus.AWAITING_PAYMENT
    client_api = stripe_api.client()
    assert client_api.v1.payment_intents.retrieve(abandoned.intent_id).status == "canceled"
    assert stock(app) == initial - 6
    assert sorted(recorder.paid) == sorted([first.id, second.id])

    # Running it again changes nothing.
    again = app.test_cli_runner().invoke(storefront_cli, ["payments", "reconcile"])
    assert "reconciled orders: 1 pending" in again.output
    assert sorted(recorder.paid) == sorted([first.id, second.id])
    assert recorder.cancelled == [abandoned.id]


def test_the_worker_reconciles_on_its_own_every_quarter_hour(app, client, shop, stripe_api,
                                                             recorder):
    order, token = placed_order(app, shop, client)
    pay(stripe_api, order.intent_id)  # paid, but neither webhook nor return page came
    listing = app.test_cli_runner().invoke(storefront_cli, ["jobs", "list"])
    assert "core:reconcile-payments" in listing.output and "900" in listing.output
    result = app.test_cli_runner().invoke(storefront_cli, ["jobs", "run"])  # cron or worker
    assert result.exit_code == 0, result.output
    assert order_state(app, token).status == OrderStatus.PAID
    assert recorder.paid == [order.id]


def test_reconcile_releases_orders_abandoned_before_or_during_payment(app, client, shop,
                                                                     stripe_api, recorder):
    initial = stock(app)
    # The shopper left before the pay page could create a PaymentIntent.
    no_intent_token = checkout(shop, client)
    no_intent = order_state(app, no_intent_token)
    # The shopper gave up at the 3-D Secure challenge.
    in_3ds, in_3ds_token = placed_order(app, shop, client)
    card = stripe_api.client().v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    })
    assert pay(stripe_api, in_3ds.intent_id, card.id).status == "requires_action"
    for order in (no_intent, in_3ds):
        _age(app, order.id, hours=48)
    assert stock(app) == initial - 4

    with app.app_context():
        reconcile(StripeGateway.from_config(), timedelta(hours=24))

    assert order_state(app, no_intent_token).status == OrderStatus.CANCELLED
    assert order_state(app, in_3ds_token).status == OrderStatus.CANCELLED
    assert stripe_api.client().v1.payment_intents.retrieve(in_3ds.intent_id).status == "canceled"
    assert stock(app) == initial
    assert sorted(recorder.cancelled) == sorted([no_intent.id, in_3ds.id])
    # The pay page of a cancelled order creates nothing.
    assert client.get(f"/checkout/pay/{no_intent_token}").status_code == 302
    assert len(stripe_api.payment_intents()) == 1


# --- double submit on PostgreSQL ------------------------------------------------------------


def test_parallel_submissions_of_one_checkout_make_one_order_and_one_intent(
        app, client, shop, stripe_api, backend, recorder):
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL's row locks")
    shop.add(client, SKU, 2)
    fields = shop.checkout_fields(client)
    form = {**fields, "email": "guest@example.com", "name": "Guest Shopper",
            "address": "1 Main Street, Springfield"}
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    browsers = []
    for _ in range(10):
        browser = app.test_client()
        browser.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        browsers.append(browser)

    submitted = run_concurrently(10, lambda i: browsers[i].post("/checkout", data=form))
    assert all(r.status_code == 303 for r in submitted), [r.status_code for r in submitted]
    locations = [r.headers["Location"] for r in submitted]
    tokens = {m.group(1) for m in map(PAY_URL.search, locations) if m}
    assert len(tokens) == 1 and all(PAY_URL.search(url) for url in locations), locations
    token = tokens.pop()
    assert row_counts(app)["shop_order"] == 1

    pages = run_concurrently(10, lambda i: browsers[i].get(f"/checkout/pay/{token}"))
    assert [p.status_code for p in pages] == [200] * 10
    intents = stripe_api.payment_intents()
    assert len(intents) == 1
    state = order_state(app, token)
    assert state.payments == [(intents[0].id, TOTAL_OF_TWO, "requires_payment_method")]
    secrets_shown = {re.search(r'data-client-secret="([^"]+)"', p.get_data(as_text=True))
                     .group(1) for p in pages}
    assert secrets_shown == {intents[0].client_secret}

    pay(stripe_api, state.intent_id)
    assert client.get(f"/checkout/return/{token}").status_code == 302
    assert order_state(app, token).status == OrderStatus.PAID
    assert recorder.paid == [state.id]
    assert row_counts(app) == {"shop_order": 1, "payment": 1, "refund": 0, "webhook_event": 0}


def test_paid_webhook_replayed_earns_points_once(make_app, stripe_api, shop):
    """The points plugin on a Stripe shop: the succeeded event five times in a row and five
    at once: one earn entry in the member's ledger."""
    from loyalty_plugins.points.models import PointsEntry
    from tests.points_support import balance, loyalty_app, member

    app = loyalty_app(make_app, STRIPE_SECRET_KEY=localstripe.SECRET_KEY,
                      STRIPE_PUBLISHABLE_KEY=localstripe.PUBLISHABLE_KEY,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=stripe_api.url)
    client, uid = member(app, shop)
    state, token = placed_order(app, shop, client)
    pay(stripe_api, state.intent_id)
    payload = intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)
    assert [deliver(client, payload).status_code for _ in range(5)] == [200] * 5
    again = intent_event(stripe_api, "payment_intent.succeeded", state.intent_id)
    run_concurrently(5, lambda _: deliver(app.test_client(), again))
    with app.app_context():
        earned = db.session.scalars(select(PointsEntry).where(
            PointsEntry.user_id == uid, PointsEntry.kind == "earn")).all()
    assert len(earned) == 1 and balance(app, uid)[1] == earned[0].delta > 0


# --- card disputes (chargebacks) ------------------------------------------------------------


def dispute_event(event_type: str, intent_id: str, amount: int, status: str,
                  dispute_id: str = "dp_storefront_1", event_id: str | None = None,
                  charge_id: str | None = None) -> bytes:
    """A dispute as Stripe sends it (localstripe has no disputes: the bank's side of a
    chargeback cannot be played against it)."""
    return event_payload(event_type, {
        "id": dispute_id, "object": "dispute", "amount": amount, "currency": "eur",
        "charge": charge_id or "ch_unknown", "payment_intent": intent_id, "status": status,
        "reason": "fraudulent", "created": int(time.time()), "livemode": False,
    }, event_id)


@pytest.fixture
def points_shop(make_app, stripe_api):
    from tests.points_support import loyalty_app

    return loyalty_app(make_app, plugins=("points", "tiers"),
                       settings={"points": {"pending_days": 0}},
                       STRIPE_SECRET_KEY=localstripe.SECRET_KEY,
                       STRIPE_PUBLISHABLE_KEY=localstripe.PUBLISHABLE_KEY,
                       STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=stripe_api.url)


def _dispute_rows(app, order_id: int) -> list[tuple[str, str, int]]:
    from storefront.orders.models import Dispute

    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(Dispute.provider_ref, Dispute.phase, Dispute.amount)
            .where(Dispute.order_id == order_id))]


def test_dispute_freezes_the_orders_points_and_a_won_dispute_gives_them_back(
        points_shop, stripe_api, shop):
    from tests.points_support import balance, ledger_matches_cache, member

    app = points_shop
    client, uid = member(app, shop)
    state, _token = paid_order(app, shop, client, stripe_api)
    earned = balance(app, uid)[0]
    assert earned == 25  # 25.00 of goods at 1 point per unit, usable at once (0 days)
    opened = dispute_event("charge.dispute.created", state.intent_id, state.total,
                           "needs_response")
    assert [deliver(client, opened).status_code for _ in range(5)] == [200] * 5
    run_concurrently(5, lambda _: deliver(app.test_client(), dispute_event(
        "charge.dispute.updated", state.intent_id, state.total, "under_review")))
    assert balance(app, uid) == (0, earned, 0)  # on hold: counted as pending, not usable
    assert ledger_matches_cache(app, uid)
    history = client.get("/plugins/points/history").get_data(as_text=True)
    assert "On hold: payment disputed" in history
    admin = log_in_owner(app, shop)
    page = admin.get(f"/admin/orders/{state.id}").get_data(as_text=True)
    assert "Card disputes" in page and "dp_storefront_1" in page and "open" in page
    won = dispute_event("charge.dispute.closed", state.intent_id, state.total, "won")
    assert deliver(client, won).status_code == 200
    assert deliver(client, opened).status_code == 200  # a late "created" changes nothing
    assert balance(app, uid) == (earned, 0, 0) and ledger_matches_cache(app, uid)
    assert _dispute_rows(app, state.id) == [("dp_storefront_1", "won", state.total)]
    assert order_state(app, _token).refunded_total == 0


def test_a_lost_dispute_is_a_refund_and_takes_the_points_back_once(points_shop, stripe_api,
                                                                  shop):
    from tests.points_support import balance, ledger_matches_cache, member

    app = points_shop
    client, uid = member(app, shop)
    state, token = paid_order(app, shop, client, stripe_api)
    deliver(client, dispute_event("charge.dispute.created", state.intent_id, state.total,
                                  "warning_needs_response"))
    lost = dispute_event("charge.dispute.closed", state.intent_id, state.total, "lost")
    run_concurrently(5, lambda _: deliver(app.test_client(), lost))
    assert [deliver(client, lost).status_code for _ in range(3)] == [200] * 3
    after = order_state(app, token)
    assert after.status == OrderStatus.REFUNDED and after.refunded_total == state.total
    assert after.refunds == [("dp_storefront_1", state.total)]
    assert balance(app, uid) == (0, 0, 0) and ledger_matches_cache(app, uid)


def test_dispute_news_out_of_order_and_for_unknown_payments(points_shop, stripe_api, shop):
    from tests.points_support import balance, member

    app = points_shop
    client, uid = member(app, shop)
    state, token = paid_order(app, shop, client, stripe_api)
    closed = dispute_event("charge.dispute.closed", state.intent_id, state.total, "won",
                           dispute_id="dp_late")
    assert deliver(client, closed).status_code == 200  # closed before it was "created"
    opened = dispute_event("charge.dispute.created", state.intent_id, state.total,
                           "needs_response", dispute_id="dp_late")
    assert deliver(client, opened).status_code == 200
    assert balance(app, uid) == (25, 0, 0)  # never frozen after it ended
    assert _dispute_rows(app, state.id) == [("dp_late", "won", state.total)]
    stranger = dispute_event("charge.dispute.created", "pi_not_ours", 999, "needs_response",
                             dispute_id="dp_stranger")
    assert deliver(client, stranger).status_code == 200
    assert order_state(app, token).refunded_total == 0


def test_plugins_see_the_fingerprint_of_the_card_that_paid_and_the_delivery_key(
        app, client, shop, stripe_api):
    from hooks import get_order

    first, _ = paid_order(app, shop, client, stripe_api)
    second, _ = paid_order(app, shop, client, stripe_api)
    unpaid, _ = placed_order(app, shop, client)
    with app.app_context():
        one, two, three = (get_order(first.id), get_order(second.id), get_order(unpaid.id))
    assert one.card_fingerprint and one.card_fingerprint == two.card_fingerprint
    assert three.card_fingerprint is None  # not paid (yet)
    assert one.delivery_key and one.delivery_key == three.delivery_key  # the same address
