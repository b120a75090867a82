"""The insights page (issue 15): managers and the owner see the customer segments, the Pareto
share, repurchase and churn of the shop's history, in their language; staff and customers get
403, a guest is asked to log in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hooks import utcnow
from loyalty_plugins.insights.snapshot import refresh
from storefront.cli import main
from storefront.imports.orders import import_orders
from tests.conftest import ON_SQLITE, Shop
from tests.points_support import loyalty_app
from tests.test_admin import staff_client

PAGE = "/plugins/insights/"


@pytest.fixture
def app(make_app, tmp_path):
    app = loyalty_app(make_app, plugins=("insights",))
    Shop(app).create_user("c9@example.com", name="Nine")  # the best customer has an account
    now = utcnow()
    rows = ["order,email,date,total"]
    # Ten customers: c9 bought 8 times (every 10 days up to 5 days ago), the others once, long ago.
    rows += [f"c9-{n},c9@example.com,{(now - timedelta(days=5 + 10 * n)).isoformat()},10.00"
             for n in range(8)]
    rows += [f"c{n},c{n}@example.com,{(now - timedelta(days=400 + n)).isoformat()},10.00"
             for n in range(9)]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        assert import_orders(path).imported == 17
    assert "refresh" in app.test_cli_runner().invoke(main, ["jobs", "run"]).output
    return app


def test_the_owner_reads_segments_and_figures_in_either_language(app, shop):
    owner = staff_client(app, shop, "owner")
    page = owner.get(PAGE)
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    champions = text.split('data-segment="champions">', 1)[1].split("</tr>", 1)[0]
    assert "/segments/champions\">Champions</a></th>" in champions and ">1</td>" in champions
    assert "€80.00" in champions and ">10%</td>" in champions
    lost = text.split('data-segment="lost">', 1)[1].split("</tr>", 1)[0]
    assert ">€20.00<" in lost  # c7 and c8, the two oldest one-time buyers
    assert "The best 20% of customers bring 53% of the revenue." in text  # (80 + 10) / 170
    assert "1 of 1 customers bought twice or more" in text  # in the last 12 months
    assert "10 days on average; half bought again within 10 days" in text
    spanish = owner.get(PAGE, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Segmentos de clientes" in spanish and "Campeones" in spanish
    assert "80,00\xa0€" in spanish and "aporta el 53\xa0%" in spanish
    assert 'href="/plugins/insights/"' in owner.get("/").get_data(as_text=True)
    assert 'data-testid="computed-at">Segments and value computed' in text
    # The value models were fitted: the champion is likely active and worth something.
    cells = champions.split('<td class="num">')
    assert cells[-2].split("</td>")[0].endswith("%") and cells[-1].startswith("€")


def test_the_customer_page_shows_their_segment_scores_and_value(app, shop):
    owner = staff_client(app, shop, "owner")
    with app.app_context():
        from sqlalchemy import select

        from storefront.accounts.models import User
        from storefront.extensions import db

        nine = db.session.scalar(select(User.id).where(User.email == "c9@example.com"))
    page = owner.get(f"/admin/customers/{nine}").get_data(as_text=True)
    shown = page.split('data-testid="insights-customer">', 1)[1].split("</span>", 1)[0]
    assert shown.startswith("Champions · R5 F5 M5 · ") and "likely active" in shown
    staff = staff_client(app, shop, "staff")
    assert "insights-customer" not in staff.get(f"/admin/customers/{nine}").get_data(True)


def test_before_the_first_refresh_the_page_says_when_figures_come(make_app):
    app = loyalty_app(make_app, plugins=("insights",))
    text = staff_client(app, Shop(app), "owner").get(PAGE).get_data(as_text=True)
    assert 'data-testid="insights-empty"' in text and "every hour" in text
    with app.app_context():
        assert refresh(utcnow()) == 0


def _manager_pages(app) -> list[str]:
    """Every page of the plugin's blueprint that reads figures (a member's own offer page
    aside), from the app's URL map: a page added later is checked too."""
    samples = {"slug": "lost"}
    return sorted(
        re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples[m.group(1)], rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("insights.") and "GET" in rule.methods
        and rule.endpoint != "insights.offer")


@ON_SQLITE  # who may read is decided in Python, before any figure is read
def test_every_insights_page_is_for_managers_and_the_owner_only(make_app, shop):
    app = loyalty_app(make_app, plugins=("tiers", "points", "events", "insights"))
    pages = _manager_pages(app)
    assert {PAGE, "/plugins/insights/pareto", "/plugins/insights/profitability",
            "/plugins/insights/segments/lost.csv"} <= set(pages)
    for role, allowed in (("manager", True), ("owner", True), ("staff", False),
                          ("customer", False)):
        client = staff_client(app, shop, role)
        answers = {page: client.get(page).status_code for page in pages}
        assert answers == dict.fromkeys(pages, 200 if allowed else 403), role
        linked = 'href="/plugins/insights/"' in client.get("/").get_data(as_text=True)
        assert linked == allowed, role
    guest = app.test_client()
    for page in pages:
        answer = guest.get(page)
        assert answer.status_code in (302, 303) and "/login" in answer.headers["Location"]


def test_a_segment_lists_its_customers_and_downloads_as_csv(app, shop):
    owner = staff_client(app, shop, "owner")
    overview = owner.get(PAGE).get_data(as_text=True)
    assert 'href="/plugins/insights/segments/lost">Lost</a>' in overview
    page = owner.get("/plugins/insights/segments/lost").get_data(as_text=True)
    listed = page.split('data-testid="segment-customers">', 1)[1].split("</table>", 1)[0]
    assert "c8@example.com" in listed and "c7@example.com" in listed
    assert "c9@example.com" not in listed and "2 customers, best spenders first." in page
    champions = owner.get("/plugins/insights/segments/champions").get_data(as_text=True)
    assert 'href="/admin/customers/' in champions  # c9 has an account
    answer = owner.get("/plugins/insights/segments/lost.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0].startswith("customer,orders,net,days_since_last_order,recency")
    assert sorted(line.split(",")[0] for line in lines[1:]) == [
        "c7@example.com", "c8@example.com"]
    assert lines[1].split(",")[2] == "10.00"
    assert owner.get("/plugins/insights/segments/nobody").status_code == 404


def test_the_owner_sets_the_segment_rules_and_who_counts_as_loyal(app, shop):
    from storefront.plugins.settings import SettingsError
    from storefront.plugins.state import save_settings

    only_champions = [{"segment": "champions", "recency_from": 1, "recency_to": 5,
                       "frequency_from": 5, "frequency_to": 5}]
    with app.app_context():
        save_settings("insights", {"segment_rules": only_champions, "loyal_min_orders": 2},
                      actor="test")
        with pytest.raises(SettingsError, match="must start at or below where it ends"):
            save_settings("insights", {"segment_rules": [{**only_champions[0],
                                                          "recency_from": 4,
                                                          "recency_to": 2}]}, actor="test")
    app.test_cli_runner().invoke(main, ["jobs", "run", "--force"])
    text = staff_client(app, shop, "owner").get(PAGE).get_data(as_text=True)
    assert 'data-segment="lost"' not in text
    other = text.split('data-segment="other">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">9</td>' in other  # the nine one-time buyers no rule holds
    assert "1 of 1 customers placed 2 orders or more" in text
