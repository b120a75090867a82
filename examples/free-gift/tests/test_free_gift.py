"""Tests a stranger would write, with the fixtures Storefront's pytest plugin provides."""

import pytest


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


def test_a_higher_threshold_set_by_the_owner_applies_at_once(storefront_client, cart_with,
                                                             set_plugin_settings):
    with pytest.raises(ValueError, match="threshold: must be an amount"):
        set_plugin_settings("free_gift", threshold="lots")
    set_plugin_settings("free_gift", threshold="30.00")
    cart_with(storefront_client, {"TEST-B": 1, "TEST-C": 1})  # 25.00 < 30.00
    assert "Free gift" not in storefront_client.get("/cart").get_data(as_text=True)


def test_checkout_hint_until_the_gift_is_in_the_cart(member_client, cart_with):
    cart_with(member_client, {"TEST-B": 1})
    assert "A gift for you" in member_client.get("/checkout").get_data(as_text=True)
    cart_with(member_client, {"TEST-C": 1})
    assert "A gift for you" not in member_client.get("/checkout").get_data(as_text=True)


def test_the_gift_stays_free_on_the_paid_order(member_client, place_order, pay_order):
    order = place_order(member_client, {"TEST-B": 1, "TEST-C": 1})
    pay_order(order)
    page = member_client.get(order.url).get_data(as_text=True)
    assert "Free gift" in page and "€29.90" in page and "Paid" in page  # 25.00 + 4.90


def test_a_spanish_shopper_reads_the_gift_in_spanish(member_client, cart_with):
    cart_with(member_client, {"TEST-B": 1})
    page = member_client.get("/checkout", headers={"Accept-Language": "es"})
    assert "Un regalo para ti" in page.get_data(as_text=True)
    assert "cuando el resto del pedido llega a 20,00\xa0€" in page.get_data(as_text=True)
    cart_with(member_client, {"TEST-C": 1})
    assert "Regalo" in member_client.get("/cart", headers={"Accept-Language": "es"}).get_data(
        as_text=True)


def test_every_text_is_translated(storefront_cli):
    from pathlib import Path

    import storefront_free_gift

    package = Path(storefront_free_gift.__file__).parent
    result = storefront_cli(["translations", "check", "--package", str(package)])
    assert result.exit_code == 0, result.output
