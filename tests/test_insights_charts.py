"""The Pareto curve and KPI trends pages of insights (issue 15), on a small history worked out
by hand, on SQLite and PostgreSQL: the figures in the table and the chart beside them; months
are the shop's (Madrid here, summer time included); managers and the owner only."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from loyalty_plugins.insights.pareto import curve
from loyalty_plugins.insights.snapshot import refresh
from loyalty_plugins.insights.trends import monthly
from storefront.imports.orders import import_orders
from tests.conftest import Shop
from tests.points_support import loyalty_app
from tests.test_admin import staff_client

PARETO, TRENDS = "/plugins/insights/pareto", "/plugins/insights/trends"
# (customer, placed at in UTC, total). In Madrid, b's order is on 1 February (UTC+1) and e's
# on 1 April (UTC+2 from 31 March): both a month later than in UTC.
HISTORY = (
    ("a", "2023-12-10T12:00", "20.00"), ("a", "2024-01-15T12:00", "10.00"),
    ("a", "2024-03-05T12:00", "30.00"),
    ("b", "2024-01-31T23:30", "40.00"),
    ("c", "2024-01-20T12:00", "15.00"), ("c", "2024-01-25T12:00", "5.00"),
    ("d", "2024-02-10T12:00", "50.00"),
    ("e", "2024-03-31T22:30", "60.00"),
)


def write_history(app, folder, rows) -> None:
    path = folder / "history.csv"
    path.write_text("order,email,date,total\n" + "".join(
        f"{name}{n},{name}@charts.example,{placed},{total}\n"
        for n, (name, placed, total) in enumerate(rows)))
    with app.app_context():
        assert import_orders(path).imported == len(rows)


@pytest.fixture
def app(make_app, tmp_path):
    app = loyalty_app(make_app, plugins=("insights",), SHOP_TIMEZONE="Europe/Madrid")
    write_history(app, tmp_path, HISTORY)
    with app.app_context():
        assert refresh(datetime(2024, 6, 1)) == 5
    return app


def row_of(text: str, marker: str = "") -> list[str]:
    """The cells' texts of the (first) table row after ``marker``."""
    row = text.split(marker, 1)[1].split("</tr>", 1)[0] if marker else text
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]


def test_months_are_the_shops_and_customers_new_then_returning(app):
    with app.app_context():
        months = monthly(datetime(2024, 1, 1).date(), datetime(2024, 4, 1).date())
    got = [(m.month.month, m.customers, m.orders, m.revenue, m.new, m.returning)
           for m in months]
    assert got == [
        (1, 2, 3, 3000, 1, 1),  # a (first bought in December) and c, twice, new
        (2, 2, 2, 9000, 2, 0),  # b (31 January in UTC) and d, both new
        (3, 1, 1, 3000, 0, 1),  # a again
        (4, 1, 1, 6000, 1, 0),  # e (31 March in UTC)
    ]
    assert [m.repurchase_share for m in months] == [0.5, 0.0, 1.0, 0.0]


def test_the_trends_page_shows_each_month_with_its_charts(app, shop):
    owner = staff_client(app, shop, "owner")
    answer = owner.get(f"{TRENDS}?from=2023-12&to=2024-05")
    assert answer.status_code == 200, answer.status_code
    text = answer.get_data(as_text=True)
    assert row_of(text, 'data-month="2023-12">') == [
        "Dec 2023", "1", "1", "0", "0%", "1", "€20.00"]
    assert row_of(text, 'data-month="2024-01">') == [
        "Jan 2024", "2", "1", "1", "50%", "3", "€30.00"]
    assert row_of(text, 'data-month="2024-02">') == [
        "Feb 2024", "2", "2", "0", "0%", "2", "€90.00"]
    assert row_of(text, 'data-month="2024-05">') == [
        "May 2024", "0", "0", "0", "–", "0", "€0.00"]
    assert "Months are those of the shop's time zone (Europe/Madrid)" in text
    for name in ("customers", "orders", "revenue", "repurchase"):
        figure = text.split(f'data-testid="trends-chart-{name}">', 1)[1].split("</figure>")[0]
        assert '<svg' in figure and 'role="img"' in figure and "<desc" in figure
    revenue = text.split('data-testid="trends-chart-revenue">', 1)[1].split("</figure>")[0]
    assert "Dec 2023 to May 2024; the highest, €90.00, in Feb 2024." in revenue
    assert 'value="2023-12"' in text and 'value="2024-05"' in text
    assert "<script" not in text.split("<main", 1)[1].split("</main>")[0]  # nor need any
    spanish = owner.get(f"{TRENDS}?from=2024-01&to=2024-02",
                        headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Tendencias por mes" in spanish and "90,00\xa0€" in spanish
    assert "50\xa0%" in spanish and "ene 2024" in spanish


def test_the_trends_page_defaults_to_the_last_24_months(app, shop):
    text = staff_client(app, shop, "manager").get(TRENDS).get_data(as_text=True)
    assert text.count("<tr data-month=") == 24


@pytest.mark.parametrize("query, message", [
    ("from=2024-13&to=2024-05", "Enter each month as its year and month, like 2024-03."),
    ("from=March&to=2024-05", "Enter each month as its year and month, like 2024-03."),
    ("from=2024-05&to=2024-01", "The first month comes after the last one: swap them."),
    ("from=2000-01&to=2024-01", "Choose at most 120 months."),
])
def test_a_bad_range_says_what_is_wrong(app, shop, query, message):
    answer = staff_client(app, shop, "owner").get(f"{TRENDS}?{query}")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in text
    assert 'aria-invalid="true"' in text and "<svg" not in text


def test_the_pareto_curve_of_a_small_base_has_a_point_per_customer(app, shop):
    # Net spend, best first: a 60, e 60 (a before e), d 50, b 40, c 20; 230 in all.
    text = staff_client(app, shop, "owner").get(PARETO).get_data(as_text=True)
    assert ("The best 20% of customers (1 customer) bring 26% of the net revenue."
            in text)  # 60 / 230
    table = text.split('data-testid="pareto-points">', 1)[1].split("</table>", 1)[0]
    rows = [row_of(row) for row in table.split("<tbody>")[1].split("<tr")[1:]]
    assert rows == [["20%", "1", "€60.00", "26%"], ["40%", "2", "€120.00", "52%"],
                    ["60%", "3", "€170.00", "74%"], ["80%", "4", "€210.00", "91%"],
                    ["100%", "5", "€230.00", "100%"]]
    assert '<tr data-top="true"><th scope="row"><strong>20%</strong>' in table
    chart = text.split('data-testid="pareto-chart">', 1)[1].split("</figure>", 1)[0]
    assert 'role="img"' in chart and "Best 20%" in chart and "Equal shares" in chart
    assert "kozea.github.io" not in text  # pygal's tooltips script is left out


def test_the_curve_samples_every_5_percent_of_a_larger_base(make_app, tmp_path):
    app = loyalty_app(make_app, plugins=("insights",))
    # 40 customers: n spent n.00 (1 to 40), 820.00 in all.
    write_history(app, tmp_path, [(f"n{n:02}", "2024-01-10T12:00", f"{n}.00")
                                  for n in range(1, 41)])
    with app.app_context():
        refresh(datetime(2024, 6, 1))
        found = curve()
    assert [p.customers for p in found.points] == list(range(2, 41, 2))
    assert found.top.customers == 8 and found.top.revenue == 29200  # 40 + 39 + ... + 33
    assert found.revenue_share(found.points[9]) == pytest.approx(610 / 820)  # best half
    assert found.points[-1].revenue == found.revenue == 82000


def test_before_the_first_refresh_the_pareto_page_says_so(make_app):
    app = loyalty_app(make_app, plugins=("insights",))
    text = staff_client(app, Shop(app), "owner").get(PARETO).get_data(as_text=True)
    assert 'data-testid="pareto-empty"' in text and "<svg" not in text


def test_the_overview_links_to_both_pages(app, shop):
    text = staff_client(app, shop, "owner").get("/plugins/insights/").get_data(as_text=True)
    assert f'href="{PARETO}"' in text and f'href="{TRENDS}"' in text


