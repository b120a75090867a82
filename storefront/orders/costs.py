"""The cost of goods of an order: each line keeps its product's cost of the moment it was
placed (or the cost an import gave), and the order adds them up.

When only some lines have a cost, the order's ``cost_total`` adds the known ones and
``uncosted_lines`` counts the others, so figures can say how much revenue had no cost; when
no line has one, ``cost_total`` is None."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from storefront.catalog.models import Product
from storefront.extensions import db


def unit_costs(product_ids: Iterable[int | None]) -> dict[int, int]:
    """The cost of each of these products that has one, by product id."""
    wanted = {product_id for product_id in product_ids if product_id is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Product.id, Product.cost).where(
        Product.id.in_(wanted), Product.cost.is_not(None))).all())


def cost_of_goods(lines: Iterable[tuple[int | None, int]]) -> tuple[int | None, int]:
    """(cost total, lines without a cost) of lines given as (unit cost or None, quantity)."""
    total, known, unknown = 0, 0, 0
    for unit_cost, quantity in lines:
        if unit_cost is None:
            unknown += 1
        else:
            total += unit_cost * quantity
            known += 1
    return (total if known else None), unknown
