"""`storefront import orders|customers FILE.csv` (issue 15, part 1): history from another shop,
as an owner runs it. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storefront.accounts.models import User
from storefront.catalog.models import Product
from storefront.cli import main
from storefront.events.models import DomainEvent
from storefront.extensions import db
from storefront.imports import orders as order_import
from storefront.imports.orders import import_orders
from storefront.notifications.models import Notification
from storefront.orders.models import Order, OrderLine
from tests.points_support import balance, loyalty_app

OURS = """order,email,date,total,currency,name,sku,quantity,price
A-1,ana@example.com,2024-01-05,39.80,EUR,Ana,COF-COL-250,2,10.90
A-1,ana@example.com,2024-01-05,39.80,EUR,Ana,OLD-SKU,1,18.00
A-2,Bo@Example.com,2024-02-10T10:00:00+01:00,12.00,,Bo,,,
A-3,not-an-address,2024-02-10,12.00,EUR,X,,,
A-4,cy@example.com,2024-03-01,1x,EUR,Cy,,,
A-5,dee@example.com,2024-03-01,5.00,USD,Dee,,,
A-6,eve@example.com,2024-03-02,8.00,EUR,Eve,PAP-FLT-100,many,4.00
A-6,eve@example.com,2024-03-02,8.00,EUR,Eve,PAP-FLT-100,1,4.00
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def storefront(app, *args: str):
    return app.test_cli_runner().invoke(main, list(args))


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {name: db.session.scalar(select(func.count()).select_from(model))
                for name, model in (("orders", Order), ("lines", OrderLine),
                                    ("events", DomainEvent), ("mail", Notification),
                                    ("users", User))}


def test_orders_are_imported_as_history_once_and_bad_rows_are_named(app, tmp_path):
    path = write(tmp_path, "orders.csv", OURS)
    with app.app_context():
        stock = db.session.scalar(select(Product.stock).where(Product.sku == "COF-COL-250"))
    before = counts(app)
    result = storefront(app, "import", "orders", str(path))
    assert result.exit_code == 1, result.output
    assert "Imported 2 orders (0 already imported, 4 lines with problems)" in result.output
    for said in ("orders.csv: line 5: email: 'not-an-address' is not an e-mail address",
                 "orders.csv: line 6: total: '1x' must be an amount like 12.50",
                 "orders.csv: line 7: currency: USD is not the shop's currency (EUR)",
                 "orders.csv: line 8: quantity: 'many' is not a whole number (order A-6 left "
                 "out)"):
        assert said in result.output, said
    after = counts(app)
    assert after["orders"] - before["orders"] == 2 and after["lines"] - before["lines"] == 2
    # History only: no event, no message, no stock taken.
    assert (after["events"], after["mail"]) == (before["events"], before["mail"])
    with app.app_context():
        assert db.session.scalar(select(Product.stock).where(
            Product.sku == "COF-COL-250")) == stock
        first = db.session.scalars(select(Order).where(Order.external_ref == "A-1")).one()
        assert (first.status, first.total, first.email, first.currency) == (
            "imported", 3980, "ana@example.com", "EUR")
        assert first.created_at.isoformat() == "2024-01-05T00:00:00"
        lines = {(ln.sku, ln.quantity, ln.unit_price, ln.product_id is not None)
                 for ln in first.lines}
        assert lines == {("COF-COL-250", 2, 1090, True), ("OLD-SKU", 1, 1800, False)}
        second = db.session.scalars(select(Order).where(Order.external_ref == "A-2")).one()
        assert (second.email, second.created_at.isoformat()) == (
            "bo@example.com", "2024-02-10T09:00:00")
    again = storefront(app, "import", "orders", str(path))
    assert "Imported 0 orders (2 already imported, 4 lines with problems)" in again.output
    assert counts(app) == after


def test_an_imported_order_belongs_to_the_customer_with_its_address(app, shop, tmp_path):
    uid = shop.create_user("ana@example.com")
    storefront(app, "import", "orders", str(write(tmp_path, "o.csv", OURS)))
    with app.app_context():
        owners = dict(db.session.execute(select(Order.external_ref, Order.user_id).where(
            Order.external_ref.in_(["A-1", "A-2"]))).all())
    assert owners == {"A-1": uid, "A-2": None}


SHOPIFY = """Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,\
Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,\
Lineitem price,Lineitem sku,Billing Name,Refunded Amount
#1001,ana@example.com,paid,2024-01-05 10:22:33 +0100,fulfilled,EUR,29.00,4.90,0.00,33.90,,0.00,\
2024-01-05 10:22:33 +0100,1,House Espresso Blend,29.00,COF-ESP-1000,Ana Alba,0.00
#1002,bo@example.com,partially_refunded,2024-02-01 09:00:00 +0100,fulfilled,EUR,20.00,0.00,0.00,\
20.00,,0.00,2024-02-01 09:00:00 +0100,2,Paper Filters,5.00,PAP-FLT-100,Bo Brun,5.00
#1002,,,,,,,,,,,,,1,Gooseneck Kettle,10.00,EQP-KTL-1L,,
#1003,cy@example.com,pending,,unfulfilled,EUR,9.00,0.00,0.00,9.00,,0.00,\
2024-02-02 09:00:00 +0100,1,Paper Filters,9.00,PAP-FLT-100,Cy,0.00
"""


def test_shopifys_order_export_is_read_as_it_comes(app, tmp_path):
    result = storefront(app, "import", "orders", str(write(tmp_path, "shopify.csv", SHOPIFY)))
    assert result.exit_code == 0, result.output
    assert "Imported 2 orders (0 already imported, 1 not paid and left out" in result.output
    with app.app_context():
        order = db.session.scalars(select(Order).where(Order.external_ref == "#1002")).one()
        assert (order.total, order.refunded_total, order.name) == (2000, 500, "Bo Brun")
        assert sorted((ln.title, ln.quantity) for ln in order.lines) == [
            ("Gooseneck Kettle", 1), ("Paper Filters", 2)]
        first = db.session.scalars(select(Order).where(Order.external_ref == "#1001")).one()
        assert first.created_at.isoformat() == "2024-01-05T09:22:33"
        assert db.session.scalar(select(Order.id).where(Order.external_ref == "#1003")) is None


def refuse_lines_with_sku(app, sku: str) -> None:
    """The database itself refuses an order line (a trigger), as a full disk or a broken
    constraint would, after the batch's orders were written."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text(
                f"CREATE TRIGGER refuse BEFORE INSERT ON order_line WHEN NEW.sku = '{sku}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"))
        else:
            db.session.execute(text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.sku = "
                f"'{sku}' THEN RAISE EXCEPTION 'refused by the database'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"))
            db.session.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON order_line "
                                    "FOR EACH ROW EXECUTE FUNCTION refuse()"))
        db.session.commit()


def test_a_batch_the_database_refuses_leaves_nothing_half_written(app, tmp_path, monkeypatch):
    monkeypatch.setattr(order_import, "BATCH", 2)
    rows = [f"B-{n},x{n}@example.com,2024-01-0{n},1.00,EUR,X,{'BOOM' if n == 3 else 'S'},1,1.00"
            for n in range(1, 6)]
    path = write(tmp_path, "o.csv", "order,email,date,total,currency,name,sku,quantity,price\n"
                 + "\n".join(rows) + "\n")
    refuse_lines_with_sku(app, "BOOM")
    with app.app_context():
        report = import_orders(path)
    assert report.imported == 3  # B-1, B-2 and B-5; B-3 and B-4 were one batch
    assert len(report.problems) == 1 and report.problems[0].startswith(
        "line 4-5: not imported, nothing of these lines was written:")
    assert "refused by the database" in report.problems[0]
    with app.app_context():
        refs = set(db.session.scalars(select(Order.external_ref).where(
            Order.external_ref.like("B-%"))))
    assert refs == {"B-1", "B-2", "B-5"}


def test_the_progress_is_told_as_the_file_is_read(app, tmp_path, monkeypatch):
    monkeypatch.setattr(order_import, "BATCH", 10)
    rows = [f"P-{n},p{n}@example.com,2024-01-01,1.00,EUR,P,,," for n in range(45)]
    path = write(tmp_path, "o.csv", "order,email,date,total,currency,name,sku,quantity,price\n"
                 + "\n".join(rows) + "\n")
    told: list[int] = []
    with app.app_context():
        assert import_orders(path, progress=told.append).imported == 45
    assert len(told) >= 5 and told == sorted(told) and told[-1] == path.stat().st_size


CUSTOMERS = """email,name,joined,points,language
ana@example.com,Ana,2023-05-01,1200,es
Bo@Example.com,Bo,,0,
mia@example.com,Mia (already here),2020-01-01,300,
not-an-address,X,,,
cy@example.com,Cy,2023-13-01,,
dee@example.com,Dee,,,fr
"""


@pytest.fixture
def loyal(make_app):
    return loyalty_app(make_app, plugins=("points",))


def test_customers_are_imported_once_with_their_opening_points(loyal, shop, tmp_path):
    app = loyal
    shop.app = app
    mia = shop.create_user("mia@example.com", name="Mia")
    path = write(tmp_path, "customers.csv", CUSTOMERS)
    result = storefront(app, "import", "customers", str(path))
    assert result.exit_code == 1, result.output
    assert "Imported 2 customers (1 already imported, 3 lines with problems)" in result.output
    for said in ("line 5: email: 'not-an-address' is not an e-mail address",
                 "line 6: joined: '2023-13-01' is not a date",
                 "line 7: language: 'fr' is not one of the shop's languages (en, es)"):
        assert said in result.output, said
    with app.app_context():
        ana = db.session.scalars(select(User).where(User.email == "ana@example.com")).one()
        assert (ana.name, ana.language, ana.created_at.date().isoformat()) == (
            "Ana", "es", "2023-05-01")
        assert ana.password_hash == ""  # set with "Forgot your password?"
        assert db.session.scalar(select(User.name).where(User.id == mia)) == "Mia"
        ana_id = ana.id
    assert balance(app, ana_id)[0] == 1200 and balance(app, mia)[0] == 300
    again = storefront(app, "import", "customers", str(path))
    assert "Imported 0 customers (3 already imported, 3 lines with problems)" in again.output
    assert balance(app, ana_id)[0] == 1200 and balance(app, mia)[0] == 300
    # An imported account has no password until its owner sets one.
    login = app.test_client().post("/login", data={"email": "ana@example.com", "password": ""})
    assert login.status_code != 303


def test_opening_points_need_the_points_plugin(app, tmp_path):
    result = storefront(app, "import", "customers", str(write(tmp_path, "c.csv", CUSTOMERS)))
    assert ("line 2-4: not imported, nothing of these lines was written: points: the points "
            "plugin is not enabled") in result.output
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == "ana@example.com")) is None


COSTS = """order,email,date,total,refunded,cost,sku,quantity,price,unit cost
C-1,ana@example.com,2024-01-05,39.80,,15.00,COF-COL-250,2,10.90,
C-1,,,,,,OLD-SKU,1,18.00,
C-2,bo@example.com,2024-01-06,30.80,,,COF-COL-250,2,10.90,
C-2,,,,,,OLD-SKU,1,9.00,4.00
C-3,cy@example.com,2024-01-07,18.00,,,OLD-SKU,1,18.00,
C-4,dee@example.com,2024-01-08,10.00,,lots,,,,
C-5,eve@example.com,2024-01-09,10.00,,,OLD-SKU,1,10.00,-2.00
C-6,fay@example.com,2024-01-09,10.00,,1.005,,,,
"""


def test_costs_come_from_the_file_or_from_the_products(app, tmp_path):
    result = storefront(app, "import", "orders", str(write(tmp_path, "costs.csv", COSTS)))
    assert "Imported 3 orders (0 already imported, 3 lines with problems)" in result.output
    for said in ("costs.csv: line 7: cost: 'lots' must be an amount like 12.50",
                 "costs.csv: line 8: unit cost: '-2.00' must not be negative (order C-5 "
                 "left out)",
                 "costs.csv: line 9: cost: '1.005' has more than two decimal places"):
        assert said in result.output, said
    with app.app_context():
        product_cost = db.session.scalar(select(Product.cost).where(Product.sku == "COF-COL-250"))
        assert product_cost == 490  # content/products/colombia-huila.md
        orders = {o.external_ref: o for o in db.session.scalars(
            select(Order).where(Order.external_ref.like("C-%")))}
        # The order's own cost wins; its lines keep what they know.
        assert (orders["C-1"].cost_total, orders["C-1"].uncosted_lines) == (1500, 0)
        assert [ln.unit_cost for ln in orders["C-1"].lines] == [490, None]
        # The product's cost for a known SKU, the file's for the other line: 2 x 4.90 + 4.00.
        assert (orders["C-2"].cost_total, orders["C-2"].uncosted_lines) == (1380, 0)
        # No cost anywhere: unknown, and its one line counted as without a cost.
        assert (orders["C-3"].cost_total, orders["C-3"].uncosted_lines) == (None, 1)


def test_shopifys_export_with_a_lineitem_cost_column(app, tmp_path):
    path = write(tmp_path, "shopify.csv", "Name,Email,Financial Status,Created at,Total,"
                 "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Lineitem cost\n"
                 "#9,ana@example.com,paid,2024-01-05 10:00:00 +0100,21.80,2,Colombia,10.90,"
                 "COF-COL-250,4.00\n")
    with app.app_context():
        assert import_orders(path).imported == 1
        order = db.session.scalars(select(Order).where(Order.external_ref == "#9")).one()
        assert order.cost_total == 800 and order.lines[0].unit_cost == 400
