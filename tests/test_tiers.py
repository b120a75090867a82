"""The tiers plugin: qualification by net spend in a window, benefits, up- and downgrades."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hooks import Adjustment, hookimpl
from loyalty_plugins.tiers import qualify
from loyalty_plugins.tiers.models import TierChange
from storefront.cli import main
from storefront.extensions import db
from storefront.orders.service import mark_paid, record_refund
from tests.points_support import balance, give, last_order_id, loyalty_app, member, redeem
from tests.support.forms import post_form

LADDER = [
    {"code": "member", "name": "Member", "threshold": "0"},
    {"code": "silver", "name": "Silver", "threshold": "69.00", "discount_percent": "5",
     "points_multiplier": "1.25"},
    {"code": "gold", "name": "Gold", "threshold": "200.00", "discount_percent": "10",
     "points_multiplier": "1.5", "flags": ["early_access"]},
]


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points", "tiers"),
                       settings={"tiers": {"ladder": LADDER, "grace_days": "30"}})


def pay_order(app, shop, client, sku="EQP-GRD-01", quantity=1):
    shop.add(client, sku, quantity)
    shop.checkout(client)
    order_id = last_order_id(app)
    with app.app_context():
        assert mark_paid(order_id)
    return order_id


def tier_of(app, uid):
    with app.app_context():
        return qualify.current_tier(uid).code


def test_every_member_starts_in_the_lowest_tier(app, shop):
    client, uid = member(app, shop)
    assert tier_of(app, uid) == "member"
    html = client.get("/account").get_data(as_text=True)
    assert 'data-testid="tier-name">Member' in html
    assert "€69.00 more to reach Silver" in html and "<progress" in html


def test_spend_exactly_at_the_threshold_upgrades_at_once(app, shop):
    client, uid = member(app, shop)
    pay_order(app, shop, client)  # 69.00, free shipping: exactly Silver
    assert tier_of(app, uid) == "silver"
    with app.app_context():
        change = db.session.scalar(select(TierChange).where(TierChange.to_code == "silver"))
        assert change.from_code == "member" and "69.00 spent in the last 12 months" in \
            change.reason


def test_tier_discount_is_its_own_line_and_multiplies_points(app, shop):
    client, uid = member(app, shop)
    pay_order(app, shop, client)  # now Silver: 69 * 1.25 = 86.25 -> 86 pending points
    assert balance(app, uid) == (0, 86, 0)
    shop.add(client, "EQP-GRD-01")
    page = client.get("/checkout").get_data(as_text=True)
    assert "Club Premium Silver: 5% off" in page and "−€3.45" in page


def test_tier_discount_stacks_with_points(app, shop):
    client, uid = member(app, shop)
    pay_order(app, shop, client)
    give(app, uid, 1000, "t1")
    shop.add(client, "EQP-GRD-01")
    redeem(client, 200)
    page = client.get("/checkout").get_data(as_text=True)
    assert "Silver: 5% off" in page and "Paid with 200 points" in page
    assert "€63.55" in page  # 69.00 - 3.45 - 2.00


class CardDiscount:
    """Stands in for the member card: 8% in the same stacking group."""

    name = "cardstub"

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        return [Adjustment(plugin="cardstub", code="card", label="Card 8%", percent=8,
                           stacking="best_of", stacking_group="member-discount")]


def test_best_of_with_another_best_of_member_discount(make_app, shop):
    app = loyalty_app(make_app, plugins=("tiers",), settings={"tiers": {"ladder": LADDER}},
                      EXTRA_PLUGINS=[CardDiscount()])
    client, uid = member(app, shop)
    pay_order(app, shop, client, sku="EQP-KTL-01", quantity=6)  # 234.00 -> Gold (10%)
    shop.add(client, "TEA-SEN-100")
    page = client.get("/checkout").get_data(as_text=True)
    assert "Gold: 10% off" in page and "Card 8%" not in page


def test_refund_below_the_threshold_downgrades_with_a_reason(app, shop):
    client, uid = member(app, shop)
    order_id = pay_order(app, shop, client)
    with app.app_context():
        record_refund(order_id, "re_1", 100, "scratch")  # 68.00 net: below Silver
    assert tier_of(app, uid) == "member"
    with app.app_context():
        change = db.session.scalars(select(TierChange).order_by(TierChange.id)).all()[-1]
        assert (change.from_code, change.to_code) == ("silver", "member")
        assert "refund on order SF-000001" in change.reason


def test_redeeming_points_never_downgrades(app, shop):
    client, uid = member(app, shop)
    pay_order(app, shop, client)
    give(app, uid, 5000, "t1")
    shop.add(client, "EQP-FLT-100")
    redeem(client, action="all")
    shop.checkout(client)
    with app.app_context():
        mark_paid(last_order_id(app))
    assert tier_of(app, uid) == "silver"


def test_daily_check_downgrades_only_after_the_window_and_grace(app, shop):
    client, uid = member(app, shop)
    pay_order(app, shop, client)
    now = qualify.utcnow()
    with app.app_context():
        qualify.daily_check(now + timedelta(days=30))  # still in the window
        assert qualify.current_tier(uid).code == "silver"
        qualify.daily_check(now + timedelta(days=370))  # out of the window: grace starts
        assert qualify.current_tier(uid).code == "silver"
        qualify.daily_check(now + timedelta(days=399))
        assert qualify.current_tier(uid).code == "silver"
        qualify.daily_check(now + timedelta(days=401))  # 31 days later: grace over
        assert qualify.current_tier(uid).code == "member"
        change = db.session.scalars(select(TierChange).order_by(TierChange.id)).all()[-1]
        assert "grace period ended" in change.reason


def test_gold_flags_reach_other_plugins(app, shop):
    from hooks import CustomerView, customer_tier

    client, uid = member(app, shop)
    pay_order(app, shop, client, sku="EQP-KTL-01", quantity=6)
    with app.test_request_context():
        info = customer_tier(CustomerView(uid))
        assert info.code == "gold" and info.benefits["early_access"] is True
    assert "highest level" in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("bad, message", [
    ('[{"code": "a", "name": "A", "threshold": "10.00"}]',
     "the lowest tier must have threshold 0"),
    ('[{"code": "a", "name": "A", "threshold": 0}, {"code": "b", "name": "B", "threshold": "x"}]',
     "row 2, threshold: must be an amount like 12.50"),
    ('[{"code": "a", "name": "A", "threshold": 0}, {"code": "a", "name": "B", "threshold": 9}]',
     "row 2, code: a is already used in row 1; each row needs its own code"),
    ('[{"code": "a", "name": "A", "threshold": 0, "colour": "red"}]',
     "row 1, colour: is not a column of this table"),
    ('[{"code": "a", "name": "A", "threshold": 0}, {"code": "gold tier", "threshold": 5}]',
     "row 2, code: must be one word of letters, digits and _ (like gold); "
     "row 2, name: is required"),
    ('[{"code": "a", "name": "A", "threshold": ', "must be JSON like [{\"code\": ..."),
])
def test_ladder_is_validated_and_the_error_names_the_field_row_and_column(app, bad, message):
    result = app.test_cli_runner().invoke(main, ["plugins", "settings", "tiers",
                                                 f"ladder={bad}"])
    assert result.exit_code != 0 and "tiers.ladder:" in result.output and message in \
        result.output
    assert "Gold" in app.test_cli_runner().invoke(main, ["plugins", "settings", "tiers"]).output


def test_owner_edits_the_ladder_in_the_admin_page(app, shop):
    shop.create_user("boss@example.com", role="owner")
    owner = app.test_client()
    shop.login(owner, "boss@example.com", "correct horse battery")
    page = owner.get("/admin/plugins/tiers").get_data(as_text=True)
    assert 'name="ladder-1-threshold" value="69.00"' in page
    assert 'name="ladder-2-flags" value="early_access"' in page
    rows = {"ladder-0-code": "member", "ladder-0-name": "Member", "ladder-0-threshold": "0",
            "ladder-1-code": "silver", "ladder-1-name": "Silver", "ladder-1-threshold": "50.00",
            "ladder-1-discount_percent": "5",
            "ladder-2-code": "gold", "ladder-2-name": "Gold", "ladder-2-threshold": "200.00",
            "ladder-remove": "2",
            "ladder-3-code": "platinum", "ladder-3-name": "Platinum",
            "ladder-3-threshold": "500.00", "ladder-3-discount_percent": "15",
            "ladder-3-flags": "early_access, lounge",
            "programme_name": "Club Premium", "window_months": "12", "grace_days": "30"}
    saved = post_form(owner, "/admin/plugins/tiers", "/admin/plugins/tiers/settings", rows)
    assert saved.status_code == 303
    client, uid = member(app, shop)
    assert "€50.00 more to reach Silver" in client.get("/account").get_data(as_text=True)
    out = app.test_cli_runner().invoke(main, ["plugins", "settings", "tiers"]).output
    assert "platinum" in out and "gold" not in out and "early_access, lounge" in out

    clash = post_form(owner, "/admin/plugins/tiers", "/admin/plugins/tiers/settings",
                      {**rows, "ladder-3-threshold": "50.00"})
    assert clash.status_code == 400 and "row 3, threshold: 50.00 is already used in row 2" \
        in clash.get_data(as_text=True)


def test_the_panel_says_the_imported_history_of_the_window_does_not_count(app, shop, tmp_path):
    """A member whose orders from the shop before this one were imported: the panel counts
    what they paid here, and says so beside the imported orders of the window."""
    from hooks import utcnow
    from storefront.accounts.models import User
    from storefront.imports.orders import import_orders

    client, uid = member(app, shop)
    assert 'data-testid="tier-imported"' not in client.get("/account").get_data(as_text=True)
    now = utcnow()
    history = tmp_path / "history.csv"
    history.write_text("order,email,date,total\n"
                       f"h1,mia@example.com,{(now - timedelta(days=30)).isoformat()},141.70\n"
                       f"h2,mia@example.com,{(now - timedelta(days=800)).isoformat()},99.00\n")
    with app.app_context():
        assert import_orders(history).imported == 2
    pay_order(app, shop, client)  # 69.00 paid here: Silver
    html = client.get("/account").get_data(as_text=True)
    assert "You spent €69.00 in the last 12 months." in html
    assert ("Your orders from before this shop (€141.70 in that time) do not count towards "
            "your level.") in html
    with app.app_context():
        db.session.get(User, uid).language = "es"
        db.session.commit()
    spanish = client.get("/account").get_data(as_text=True)
    assert ("Tus pedidos de antes de esta tienda (141,70\xa0€ en ese tiempo) no cuentan para tu "
            "nivel.") in spanish
