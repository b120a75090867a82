"""Copy product content into the database by SKU. Stock is set only for new products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def source_columns(src: ProductSource) -> dict[str, Any]:
    """The product columns a content file sets (stock is not a content field)."""
    return {"slug": src.slug, "title": src.title, "summary": src.summary,
            "body_html": src.body_html, "category": src.category,
            "tags": "," + ",".join(src.tags) + "," if src.tags else "", "image": src.image,
            "price": src.price, "active": src.active}


def apply_source(product: Product, src: ProductSource) -> None:
    """Copy a content file's fields onto its product row."""
    for column, value in source_columns(src).items():
        setattr(product, column, value)
