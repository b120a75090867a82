"""Products that plugins sell through the cart (event tickets), kept out of the catalogue."""

from __future__ import annotations

from sqlalchemy import select

from storefront.catalog.models import Product
from storefront.extensions import db

# Plugins keep their own count (seats, say); the core's stock check must never stop a sale.
UNTRACKED_STOCK = 1_000_000


def offer_product(plugin: str, sku: str, *, title: str, price: int, link: str,
                  summary: str = "", active: bool = True) -> None:
    if price < 0:
        raise ValueError(f"{sku}: price must not be negative")
    product = db.session.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        product = Product(sku=sku, slug=f"{plugin}-{sku}".lower(), stock=UNTRACKED_STOCK,
                          plugin=plugin)
        db.session.add(product)
    elif product.plugin != plugin:
        raise ValueError(f"SKU {sku} is already used by "
                         f"{'the catalogue' if not product.plugin else product.plugin}")
    product.title, product.price, product.link = title, price, link
    product.summary, product.active = summary, active
    db.session.flush()
