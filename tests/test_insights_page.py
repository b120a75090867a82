"""The insights page (issue 15): managers and the owner see the customer segments, the Pareto
share, repurchase and churn of the shop's history, in their language; staff and customers get
403, a guest is asked to log in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hooks import utcnow
from storefront.imports.orders import import_orders
from tests.points_support import loyalty_app
from tests.test_admin import staff_client

PAGE = "/plugins/insights/"


@pytest.fixture
def app(make_app, tmp_path):
    app = loyalty_app(make_app, plugins=("insights",))
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
    return app


def test_the_owner_reads_segments_and_figures_in_either_language(app, shop):
    owner = staff_client(app, shop, "owner")
    page = owner.get(PAGE)
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    champions = text.split('data-segment="champions">', 1)[1].split("</tr>", 1)[0]
    assert "<th scope=\"row\">Champions</th>" in champions and ">1</td>" in champions
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


@pytest.mark.parametrize("role, status", [("manager", 200), ("staff", 403), ("customer", 403)])
def test_only_managers_and_the_owner_see_it(app, shop, role, status):
    client = staff_client(app, shop, role)
    assert client.get(PAGE).status_code == status
    linked = 'href="/plugins/insights/"' in client.get("/").get_data(as_text=True)
    assert linked == (status == 200)


def test_a_guest_is_asked_to_log_in(app):
    answer = app.test_client().get(PAGE)
    assert answer.status_code in (302, 303) and "/login" in answer.headers["Location"]
