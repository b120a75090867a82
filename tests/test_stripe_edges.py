"""Card payments at their edges: a bank that asks for 3-D Secure, and a Stripe call that
times out after Stripe did the work (localstripe behind a proxy that loses the answer)."""

from __future__ import annotations

import pytest

from storefront.orders.models import OrderStatus
from tests.support import localstripe
from tests.support.flaky_proxy import flaky_proxy
from tests.test_stripe_payments import (
    WEBHOOK_SECRET,
    checkout,
    order_state,
    pay,
    placed_order,
)

THREE_D_SECURE_CARD = {"number": "4000002500003155", "exp_month": 12, "exp_year": 2034,
                       "cvc": "123"}


def authenticate(stripe_api, intent_id: str, success: bool) -> None:
    """What the shopper does in the bank's 3-D Secure window (localstripe's own endpoint)."""
    intent = stripe_api.client().v1.payment_intents.retrieve(intent_id)
    stripe_api.client().raw_request(
        "post", f"/v1/payment_intents/{intent_id}/_authenticate",
        client_secret=intent.client_secret, success="true" if success else "false")


def stripe_app(make_app, api_base: str):
    return make_app(STRIPE_SECRET_KEY=localstripe.SECRET_KEY,
                    STRIPE_PUBLISHABLE_KEY=localstripe.PUBLISHABLE_KEY,
                    STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=api_base)


@pytest.mark.parametrize("confirmed", [True, False])
def test_a_payment_the_bank_wants_confirmed_waits_and_then_settles(make_app, shop, stripe_api,
                                                                  confirmed):
    app = shop.app = stripe_app(make_app, stripe_api.url)
    client = app.test_client()
    state, token = placed_order(app, shop, client)
    card = stripe_api.client().v1.payment_methods.create(
        params={"type": "card", "card": THREE_D_SECURE_CARD})
    assert pay(stripe_api, state.intent_id, card.id).status == "requires_action"
    back = client.get(f"/checkout/return/{token}")
    assert back.status_code == 302 and f"/checkout/pay/{token}" in back.headers["Location"]
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "Your bank asks you to confirm this payment" in page
    assert order_state(app, token).status == OrderStatus.AWAITING_PAYMENT
    authenticate(stripe_api, state.intent_id, success=confirmed)
    client.get(f"/checkout/return/{token}")
    assert order_state(app, token).status == (
        OrderStatus.PAID if confirmed else OrderStatus.AWAITING_PAYMENT)
    assert [p[0] for p in order_state(app, token).payments] == [state.intent_id]


@pytest.fixture
def proxied(make_app, stripe_api):
    """The shop talking to localstripe through a proxy that can lose Stripe's answers."""
    with flaky_proxy(stripe_api.url) as proxy:
        yield stripe_app(make_app, proxy.url), proxy


def test_a_lost_answer_is_retried_with_the_same_key_and_stripe_creates_one_intent(
        proxied, shop, stripe_api):
    app, proxy = proxied
    shop.app, client = app, app.test_client()
    token = checkout(shop, client)
    proxy.lose_next("POST", "/v1/payment_intents")  # Stripe created it; the shop never heard
    assert client.get(f"/checkout/pay/{token}").status_code == 200
    [lost] = proxy.lost
    assert order_state(app, token).payments[0][0] == lost["id"]
    assert [intent.id for intent in stripe_api.payment_intents()] == [lost["id"]]


def test_when_stripe_stays_silent_the_shopper_retries_and_gets_the_same_intent(
        proxied, shop, stripe_api):
    app, proxy = proxied
    shop.app, client = app, app.test_client()
    token = checkout(shop, client)
    proxy.lose_next("POST", "/v1/payment_intents", count=3)  # the first try and 2 retries
    silent = client.get(f"/checkout/pay/{token}")
    assert silent.status_code == 503
    assert "The card payment service is not answering" in silent.get_data(as_text=True)
    assert order_state(app, token).payments == []
    assert client.get(f"/checkout/pay/{token}").status_code == 200  # a minute later
    created = {answer["id"] for answer in proxy.lost}
    assert len(created) == 1  # every try carried the order's idempotency key
    assert [p[0] for p in order_state(app, token).payments] == list(created)
    assert [intent.id for intent in stripe_api.payment_intents()] == list(created)
