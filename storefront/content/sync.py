"""Copy product content into the database by SKU. Stock is set only for new products."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storefront.catalog.models import Product
from storefront.content.loader import ContentSet, ProductSource
from storefront.extensions import db


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    deactivated: int = 0


def sync_products(content: ContentSet) -> SyncReport:
    report = SyncReport()
    existing = {p.sku: p for p in db.session.scalars(select(Product).where(Product.plugin == ""))}
    for src in content.products:
        product = existing.pop(src.sku, None)
        if product is None:
            product = Product(sku=src.sku, stock=src.stock)
            db.session.add(product)
            report.created += 1
        else:
            report.updated += 1
        apply_source(product, src)
    for product in existing.values():
        # Removed from content: hide it, but keep the row for the orders that reference it.
        if product.active:
            product.active = False
            report.deactivated += 1
    db.session.commit()
    return report


def apply_source(product: Product, src: ProductSource) -> None:
    """Copy a content file's fields onto its product row (stock is not a content field)."""
    product.slug = src.slug
    product.title = src.title
    product.summary = src.summary
    product.body_html = src.body_html
    product.category = src.category
    product.tags = "," + ",".join(src.tags) + "," if src.tags else ""
    product.image = src.image
    product.price = src.price
    product.active = src.active
