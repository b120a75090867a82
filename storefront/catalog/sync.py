"""Copy product content into the database by SKU. Stock is set only for new products."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, select

from storefront.catalog.models import Product, ProductText
from storefront.content.images import make_variants
from storefront.content.loader import ContentSet, ProductSource, ProductTranslation
from storefront.extensions import db


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    deactivated: int = 0


def sync_products(content: ContentSet) -> SyncReport:
    report = SyncReport()
    existing = {p.sku: p for p in db.session.scalars(select(Product).where(Product.plugin == ""))}
    synced: list[tuple[Product, ProductSource]] = []
    for src in content.products:
        product = existing.pop(src.sku, None)
        if product is None:
            product = Product(sku=src.sku, stock=src.stock)
            db.session.add(product)
            report.created += 1
        else:
            report.updated += 1
        apply_source(product, src)
        synced.append((product, src))
    db.session.flush()  # the new products' ids
    replace_texts({product.id: src.translations.values() for product, src in synced})
    for product in existing.values():
        # Removed from content: hide it, but keep the row for the orders that reference it.
        if product.active:
            product.active = False
            report.deactivated += 1
    db.session.commit()
    return report


def source_columns(src: ProductSource) -> dict[str, Any]:
    """The product columns a content file sets (stock is not a content field); a picture
    under content/ gets its copies made (once per version of the file)."""
    return {"slug": src.slug, "title": src.title, "summary": src.summary,
            "body_html": src.body_html, "category": src.category,
            "tags": "," + ",".join(src.tags) + "," if src.tags else "",
            **image_columns(src), "price": src.price, "cost": src.cost, "active": src.active}


def image_columns(src: ProductSource) -> dict[str, Any]:
    alt = src.image_alt or src.title
    picture = src.image_file
    if picture is None:
        return {"image": src.image, "image_alt": alt, "image_width": 0, "image_height": 0}
    made = make_variants(picture, src.slug, Path(current_app.config["MEDIA_DIR"]))
    return {"image": made.base, "image_alt": alt, "image_width": made.width,
            "image_height": made.height}


def apply_source(product: Product, src: ProductSource) -> None:
    """Copy a content file's fields onto its product row."""
    for column, value in source_columns(src).items():
        setattr(product, column, value)


def replace_texts(texts: dict[int, Iterable[ProductTranslation]]) -> None:
    """Make these products' words in other languages what their translation files say."""
    if not texts:
        return
    db.session.execute(delete(ProductText).where(ProductText.product_id.in_(texts)))
    rows = [{"product_id": product_id, "language": t.language, "title": t.title,
             "summary": t.summary, "body_html": t.body_html,
             "image_alt": t.image_alt or t.title}
            for product_id, translations in texts.items() for t in translations]
    if rows:
        db.session.execute(insert(ProductText.__table__), rows)
