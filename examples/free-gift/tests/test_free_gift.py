"""Tests a stranger would write, with the fixtures Storefront's pytest plugin provides."""

import pytest

from hooks.testing import checkout


@pytest.fixture
def storefront_plugins():
    return ["free_gift"]


@pytest.fixture
def storefront_settings():
    return {"free_gift": {"gift_sku": "TEST-C", "threshold": "20.00"}}


def test_gift_is_free_above_the_threshold(storefront_client, cart_with):
    cart_with(storefront_client, {"TEST-B": 1, "TEST-C": 1})  # 25.00 + 4.50
    page = storefront_client.get("/cart").get_data(as_text=True)
    assert "Free gift" in page and "−€4.50" in page
    assert "€29.90" in page.split('data-testid="total"')[1][:20]  # 29.50 - 4.50 + 4.90


def test_no_gift_below_the_threshold(storefront_client, cart_with):
    cart_with(storefront_client, {"TEST-A": 1, "TEST-C": 1})  # 10.00 < 20.00
    assert "Free gift" not in storefront_client.get("/cart").get_data(as_text=True)


def test_checkout_hint_and_paid_price(member_client, cart_with):
    cart_with(member_client, {"TEST-B": 1})
    assert "A gift for you" in member_client.get("/checkout").get_data(as_text=True)
    cart_with(member_client, {"TEST-C": 1})
    assert "A gift for you" not in member_client.get("/checkout").get_data(as_text=True)
    response = checkout(member_client)
    order_page = member_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Free gift" in order_page and "€29.90" in order_page  # 25.00 + 4.90 shipping
