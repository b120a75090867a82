"""The insights overview's figures for a period (issue 15): customers by number of orders,
spend and payment; members against other customers; and the programme's own figures (points,
tiers, events, community) asked from the plugins that run it through the hooks they publish.
Worked out by hand on small histories, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hooks import today, utcnow
from loyalty_plugins.insights.behaviour import payment_band
from loyalty_plugins.insights.rfm import CustomerRFM
from loyalty_plugins.insights.snapshot import refresh
from loyalty_plugins.points import config, ledger
from storefront.extensions import db
from storefront.imports.orders import import_orders
from storefront.orders.service import mark_paid, record_refund
from tests.conftest import ON_SQLITE
from tests.events_support import LADDER, events_content, reach_tier, registrations
from tests.points_support import last_order_id, loyalty_app, member
from tests.support.forms import post_form
from tests.test_admin import staff_client
from tests.test_community import ARTICLES, comment, write_articles
from tests.test_events import register

PAGE = "/plugins/insights/"
SKU = "COF-ETH-250"  # 12.50, and 4.90 shipping: 17.40 an order


def _section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]


def _row(table: str, key: str, attribute: str = "data-band") -> str:
    return table.split(f'{attribute}="{key}">', 1)[1].split("</tr>", 1)[0]


def _cells(row: str) -> list[str]:
    return [cell.split("</td>", 1)[0] for cell in row.split('<td class="num">')[1:]]


def _dl(html: str, testid: str) -> dict[str, str]:
    listed = html.split(f'data-testid="{testid}">', 1)[1].split("</dl>", 1)[0]
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", listed))


def _buy(app, shop, client, email: str) -> int:
    shop.add(client, SKU)
    assert shop.checkout(client, email=email).status_code == 303
    order_id = last_order_id(app)
    with app.app_context():
        assert mark_paid(order_id)
        db.session.commit()
    return order_id


@pytest.fixture
def history(make_app, shop, tmp_path):
    """u1 one imported order, u2 four (200-230 days ago); the member Mia two bank transfers;
    the guest Gus one bank transfer, 5.00 of it refunded."""
    app = loyalty_app(make_app, plugins=("insights",))
    now = utcnow()
    rows = ["order,email,date,total",
            f"u1,u1@example.com,{(now - timedelta(days=3)).isoformat()},10.00"]
    rows += [f"u2-{n},u2@example.com,{(now - timedelta(days=200 + 10 * n)).isoformat()},10.00"
             for n in range(4)]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        assert import_orders(path).imported == 5
    mia, _uid = member(app, shop, email="mia@example.com")
    for _ in range(2):
        _buy(app, shop, mia, "mia@example.com")
    gus_order = _buy(app, shop, app.test_client(), "gus@example.com")
    with app.app_context():
        assert record_refund(gus_order, "re_gus", 500, "one cup broken")
        db.session.commit()
        refresh(utcnow())
    return app


def test_customers_by_orders_spend_and_payment(history, shop):
    html = staff_client(history, shop, "owner").get(PAGE).get_data(as_text=True)
    frequency = _section(html, "frequency_band")
    # once: u1 and Gus; occasional (2-3): Mia; regular (4-9): u2.
    assert _cells(_row(frequency, "once"))[:3] == ["2", "50%", "€22.40"]  # 10.00 + 12.40
    assert _cells(_row(frequency, "occasional"))[:3] == ["1", "25%", "€34.80"]
    assert _cells(_row(frequency, "regular"))[:3] == ["1", "25%", "€40.00"]
    assert _cells(_row(frequency, "frequent"))[0] == "0"
    # Spend ranks u1 10.00 < Gus 12.40 < Mia 34.80 < u2 40.00: scores 1, 2, 3, 4.
    volume = _section(html, "volume_band")
    assert [_cells(_row(volume, code))[0] for code in ("low", "middle", "high", "top")] == [
        "2", "1", "1", "0"]
    payment = _section(html, "payment_band")
    assert {code: _cells(_row(payment, code))[0]
            for code in ("card", "transfer", "mixed", "refunds", "unknown")} == {
        "card": "0", "transfer": "1", "mixed": "0", "refunds": "1", "unknown": "2"}
    spanish = staff_client(history, shop, "manager").get(
        PAGE, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Pagan por transferencia" in spanish and "Un pedido" in spanish


@pytest.mark.parametrize("transfers, known, refunded, orders, band", [
    (0, 3, 0, 3, "card"), (3, 3, 0, 3, "transfer"), (1, 3, 0, 3, "mixed"),
    (0, 0, 0, 2, "unknown"), (0, 5, 1, 5, "refunds"), (0, 6, 1, 6, "card"),
])
def test_the_payment_band_of_a_customer(transfers, known, refunded, orders, band):
    customer = CustomerRFM("x@example.com", None, 1, 1, orders, 100, 3, 3, 3, "loyal",
                           transfer_orders=transfers, known_payment_orders=known,
                           refunded_orders=refunded)
    assert payment_band(customer) == band


def test_members_against_other_customers_over_the_period_the_owner_picks(history, shop):
    owner = staff_client(history, shop, "owner")
    members = _section(owner.get(PAGE).get_data(as_text=True), "members")
    # Mia: 2 orders, 34.80. Others: u1 1 x 10.00, u2 4 x 10.00, Gus 17.40 - 5.00.
    assert _cells(_row(members, "members", "data-group")) == [
        "1", "2", "€34.80", "€34.80", "2", "€17.40"]
    assert _cells(_row(members, "others", "data-group")) == [
        "3", "6", "€62.40", "€20.80", "2", "€10.40"]
    with history.app_context():
        last = today()
    first = last - timedelta(days=100)
    page = owner.get(f"{PAGE}?from={first}&to={last}").get_data(as_text=True)
    assert _cells(_row(_section(page, "members"), "others", "data-group")) == [
        "2", "2", "€22.40", "€11.20", "1", "€11.20"]  # u2's orders fall before the period
    assert "Buying again, in the period" in page
    assert "1 of 3 customers bought twice or more" in page  # Mia of u1, Mia, Gus


@ON_SQLITE  # the period is read before any figure
def test_a_period_that_cannot_be_read_is_refused_with_the_reason(make_app, shop):
    owner = staff_client(loyalty_app(make_app, plugins=("insights",)), shop, "owner")
    for query, problem in (("?from=2026-13-01", "Give the days as year-month-day"),
                           ("?from=2026-05-02&to=2026-05-01", "must not be after its last day")):
        answer = owner.get(PAGE + query)
        assert answer.status_code == 400 and problem in answer.get_data(as_text=True), query


@pytest.fixture
def programme_app(make_app, tmp_path):
    content = write_articles(events_content(tmp_path / "content"), ARTICLES)
    return loyalty_app(make_app, plugins=("tiers", "events", "points", "community", "insights"),
                       settings={"tiers": {"ladder": LADDER}}, CONTENT_DIR=str(content))


def test_the_programmes_own_figures_come_from_its_plugins(programme_app, shop):
    app = programme_app
    client, uid = member(app, shop)
    reach_tier(app, shop, client)  # 117.00 paid: 117 points pending, up to Gold
    now = utcnow()
    with app.app_context():
        cfg = config.current()
        ledger.grant(uid, 100, "bonus", ledger.Who("old"), cfg, now=now - timedelta(days=400))
        ledger.grant(uid, 300, "bonus", ledger.Who("new"), cfg, now=now)
        ledger.expire(now)  # the old 100
        ledger.reserve(uid, 150, 9999, now=now)
        ledger.spend(9999, now=now)
        db.session.commit()
    register(client, "cupping")
    [ticket] = registrations(app)
    staff = staff_client(app, shop, "staff")
    post_form(staff, f"/events/checkin/{ticket.token}", f"/events/checkin/{ticket.token}", {})
    assert comment(app, client, "open-day", "Lovely afternoon").status_code in (200, 302, 303)
    with app.app_context():
        first, last = today() - timedelta(days=30), today() + timedelta(days=30)
    owner = staff_client(app, shop, "owner")
    html = owner.get(f"{PAGE}?from={first}&to={last}").get_data(as_text=True)
    points = html.split('data-testid="programme-points"', 1)[1].split("</dl>", 1)[0]
    # 300 given + 117 earned on the order + 50 for attending the cupping, in the period.
    assert "<dd>467</dd>" in points
    assert "150 (redemption rate 32%" in points  # 150 / 467
    assert "100 (breakage 40%" in points  # 100 / (150 + 100)
    assert "317 points, a liability of €3.17" in points  # 150 + 50 usable, 117 pending
    tiers = _section(html, "programme-tiers")
    assert "Gold</th><td class=\"num\">1</td>" in tiers
    assert _dl(html, "tier-moves") == {"Moved up a tier in the period": "1",
                                       "Moved down a tier in the period": "0"}
    assert _dl(html, "programme-events") == {
        "Events held": "4", "Confirmed registrations": "1",
        "Checked in at the door": "1 (attendance 100%)"}
    assert _dl(html, "programme-community") == {
        "Comments written": "1", "Members who wrote them": "1",
        "Comments reported by readers": "0"}
    with app.app_context():
        from storefront.plugins.state import set_enabled

        set_enabled("points", False, actor="test")
    assert 'data-testid="programme-points"' not in owner.get(PAGE).get_data(as_text=True)
