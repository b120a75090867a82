"""A friend's first order paid with a card the referrer paid with is blocked: the card's
fingerprint as Stripe reports it (localstripe), on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.points_support import member
from tests.referrals_support import code_of, referral, referrals_app, referred
from tests.support import localstripe
from tests.test_stripe_payments import PAY_URL, WEBHOOK_SECRET, open_pay_page, order_state, pay


def card_order(shop, client, stripe_api, address: str) -> None:
    """Order one product and pay it with Stripe's test Visa card."""
    shop.add(client, "EQP-GRD-01")
    response = shop.checkout(client, address=address)
    token = PAY_URL.search(response.headers["Location"]).group(1)
    open_pay_page(client, token)
    assert pay(stripe_api, order_state(shop.app, token).intent_id).status == "succeeded"
    assert client.get(f"/checkout/return/{token}").status_code == 302


def test_a_first_order_paid_with_the_referrers_card_is_blocked(make_app, stripe_api, shop):
    app = referrals_app(make_app, STRIPE_SECRET_KEY=localstripe.SECRET_KEY,
                        STRIPE_PUBLISHABLE_KEY=localstripe.PUBLISHABLE_KEY,
                        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=stripe_api.url)
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    card_order(shop, ana, stripe_api, "1 Main Street, Springfield")
    ben, ben_id = referred(app, shop, code_of(ana))
    card_order(shop, ben, stripe_api, "9 Other Road, Shelbyville")
    assert (referral(app, ben_id).state, referral(app, ben_id).block) == ("blocked",
                                                                          "same_card")
    page = ben.get("/referrals/").get_data(as_text=True).replace("&#39;", "'")
    assert ("blocked: the friend's first order was paid with a card the referrer also paid "
            "with.") in page
