"""`storefront import orders FILE.csv`: order history from another shop, kept as history.

An imported order has the status ``imported``: no stock is taken, no payment, event, message
or points come of it. Its number in the other shop (``external_ref``) makes the import
idempotent: an order already imported is left as it is. Rows are read one at a time and
written ``BATCH`` orders per transaction; a row with a problem is reported with its line and
its whole order left out, and a batch the database refuses is rolled back whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import insert as sa_insert
from sqlalchemy import select

from hooks.rows import dialect_insert
from storefront.accounts.models import User
from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.imports.batch import write_in_batches
from storefront.imports.reading import (
    Report,
    RowProblem,
    amount,
    email_address,
    moment,
    optional_amount,
    required,
    rows,
    whole_number,
)
from storefront.orders.costs import cost_of_goods
from storefront.orders.models import Order, OrderLine, OrderStatus

BATCH = 500  # orders per transaction
REF_LENGTH = 56  # the checkout token is "import:" and the reference

# Shopify's order export (Orders → Export, "CSV for Excel, Numbers or other programs"): one
# row per line item, the order's own fields on its first row.
SHOPIFY = {"name": "order", "email": "email", "created at": "date", "total": "total",
           "currency": "currency", "billing name": "name", "lineitem sku": "sku",
           "lineitem quantity": "quantity", "lineitem price": "price",
           "lineitem name": "title", "refunded amount": "refunded",
           "financial status": "status", "cost": "cost", "lineitem cost": "unit cost"}
PAID_STATUSES = {"", "paid", "partially_paid", "partially_refunded", "refunded"}


@dataclass
class Line:
    sku: str
    title: str
    quantity: int
    unit_price: int
    unit_cost: int | None = None  # the file's; else the product's, by SKU, when written


@dataclass
class HistoricOrder:
    ref: str
    email: str
    name: str
    created_at: datetime
    total: int
    refunded: int
    first_line: int
    last_line: int
    lines: list[Line] = field(default_factory=list)
    cost: int | None = None  # the whole order's cost of goods, when the file gives it


def in_our_columns(row: dict[str, str]) -> dict[str, str]:
    """A row of Shopify's export with our column names; a row of ours as it is."""
    if "lineitem quantity" not in row:
        return row
    return {ours: row.get(theirs, "") for theirs, ours in SHOPIFY.items()}


def _order_of(number: int, row: dict[str, str], currency: str) -> HistoricOrder:
    ref = required(row, "order")
    if len(ref) > REF_LENGTH:
        raise RowProblem("order", f"is longer than {REF_LENGTH} characters")
    given = row.get("currency", "").upper()
    if given and given != currency:
        raise RowProblem("currency", f"{given} is not the shop's currency ({currency})")
    total = amount(row, "total")
    refunded = amount(row, "refunded", default=0)
    if refunded > total:
        raise RowProblem("refunded", "is more than the total")
    return HistoricOrder(ref=ref, email=email_address(row), name=row.get("name", "")[:120],
                         created_at=moment(row, "date"), total=total, refunded=refunded,
                         first_line=number, last_line=number,
                         cost=optional_amount(row, "cost"))


def _line_of(row: dict[str, str]) -> Line | None:
    sku = row.get("sku", "")
    if not sku and not row.get("title"):
        return None
    return Line(sku=sku[:64], title=(row.get("title") or sku)[:200],
                quantity=max(1, whole_number(row, "quantity", 1)),
                unit_price=amount(row, "price", default=0),
                unit_cost=optional_amount(row, "unit cost"))


def historic_orders(numbered_rows: Iterable[tuple[int, dict[str, str]]], report: Report,
                    currency: str) -> Iterator[HistoricOrder]:
    """Orders from rows, the rows of one order next to each other; an order with a bad row
    is reported (each bad line) and left out, as are unpaid ones from Shopify."""
    current: HistoricOrder | None = None
    bad = False
    for number, raw in numbered_rows:
        row = in_our_columns(raw)
        ref = row.get("order", "")
        if current is not None and ref == current.ref:
            order = current
        else:
            if current is not None and not bad:
                yield current
            current, bad = None, False
            status = row.get("status", "").lower()
            if status not in PAID_STATUSES:
                report.skipped += 1
                current, bad = HistoricOrder(ref, "", "", datetime.min, 0, 0, number, number), True
                continue
            try:
                current = order = _order_of(number, row, currency)
            except RowProblem as exc:
                report.problem(number, str(exc))
                current, bad = HistoricOrder(ref, "", "", datetime.min, 0, 0, number, number), True
                continue
        order.last_line = number
        if bad:
            continue
        try:
            line = _line_of(row)
        except RowProblem as exc:
            report.problem(number, f"{exc} (order {ref} left out)")
            bad = True
            continue
        if line is not None:
            order.lines.append(line)
    if current is not None and not bad:
        yield current


def write_orders(batch: list[HistoricOrder], report: Report) -> None:
    """Write a batch of orders as history (the import's, and the demo's in storefront.demo.history);
    one already written, known by its ``ref``, is counted in ``report.already``."""
    seen: set[str] = set()
    fresh = []
    for order in batch:
        if order.ref in seen:
            report.problem(order.first_line, f"order: {order.ref} is already on an earlier "
                           "line of this file (its rows must be next to each other)")
        else:
            seen.add(order.ref)
            fresh.append(order)
    users = dict(db.session.execute(select(User.email, User.id).where(
        User.email.in_({order.email for order in fresh}))).all())
    skus = {line.sku for order in fresh for line in order.lines if line.sku}
    products = {sku: (product_id, cost) for sku, product_id, cost in db.session.execute(
        select(Product.sku, Product.id, Product.cost).where(Product.sku.in_(skus)))
        } if skus else {}
    for order in fresh:
        for line in order.lines:
            if line.unit_cost is None:
                line.unit_cost = products.get(line.sku, (None, None))[1]
    currency = current_app.config["CURRENCY"]
    # An order imported before is left as it is: the unique number decides, through its
    # index (a look-up first would scan the table while PostgreSQL's statistics still say
    # it is empty: 78 s instead of 7 for 100,000 rows), and the new ones' ids come back.
    insert = dialect_insert(db.session)(Order).on_conflict_do_nothing(
        index_elements=[Order.external_ref]).returning(Order.external_ref, Order.id)
    ids = dict(db.session.execute(insert, [
        {"external_ref": o.ref, "checkout_token": f"import:{o.ref}",
         "user_id": users.get(o.email), "email": o.email, "name": o.name,
         "status": OrderStatus.IMPORTED.value, "currency": currency, "subtotal": o.total,
         "total": o.total, "refunded_total": o.refunded, "payment_provider": "import",
         "pricing_trace": [], "created_at": o.created_at, "paid_at": o.created_at,
         **_cost_columns(o)}
        for o in fresh]).all())
    new = [o for o in fresh if o.ref in ids]
    report.already += len(fresh) - len(new)
    lines = [{"order_id": ids[o.ref], "product_id": products.get(line.sku, (None,))[0],
              "sku": line.sku, "title": line.title, "unit_price": line.unit_price,
              "unit_cost": line.unit_cost, "quantity": line.quantity,
              "total": line.unit_price * line.quantity} for o in new for line in o.lines]
    if lines:
        db.session.execute(sa_insert(OrderLine), lines)
    report.imported += len(new)


def _cost_columns(order: HistoricOrder) -> dict[str, int | None]:
    """The order's cost of goods: the file's ``cost`` for the whole order when given (then no
    line counts as without a cost), else its lines' (storefront.orders.costs)."""
    if order.cost is not None:
        return {"cost_total": order.cost, "uncosted_lines": 0}
    total, uncosted = cost_of_goods((line.unit_cost, line.quantity) for line in order.lines)
    return {"cost_total": total, "uncosted_lines": uncosted}


def import_orders(path: Path, progress: Callable[[int], None] | None = None) -> Report:
    """Import the orders of a CSV file (docs/owner-guide.md, "Importing history");
    ``progress`` is told how many bytes of the file have been read, after each batch."""
    report = Report()
    counter: list = []
    orders = historic_orders(rows(path, counter), report, current_app.config["CURRENCY"])
    return write_in_batches(orders, write_orders, report, BATCH,
                            lambda order: (order.first_line, order.last_line), counter, progress)
