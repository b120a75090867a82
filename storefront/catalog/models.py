from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.extensions import db
from storefront.timeutil import utcnow


class Product(db.Model):
    """A product synced from content/products/*.md. Stock lives only here."""

    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("ix_product_category", "category"),
        # Listings are sorted by title and paged: read in index order, not sorted per page.
        Index("ix_product_title", "title"),
        Index("ix_product_category_title", "category", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    tags: Mapped[str] = mapped_column(String(500), default="")  # ",tag1,tag2," for LIKE lookups
    # A picture's copies (``image`` + ``-<width>.webp``, the largest image_width wide and
    # image_height high; storefront.content.images), or an address used as it is (width 0).
    image: Mapped[str] = mapped_column(String(300), default="")
    image_alt: Mapped[str] = mapped_column(String(300), default="")
    image_width: Mapped[int] = mapped_column(default=0)
    image_height: Mapped[int] = mapped_column(default=0)
    price: Mapped[int] = mapped_column()  # minor units
    # What one costs the shop (front matter ``cost``), minor units; None when not given.
    cost: Mapped[int | None] = mapped_column(default=None)
    stock: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Sold by a plugin (an event ticket) rather than synced from content/products: not listed
    # in the catalogue; its page is the plugin's page at ``link``.
    plugin: Mapped[str] = mapped_column(String(64), default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Its words in other languages: loaded with the cart (see cart.service), else on access.
    texts: Mapped[list[ProductText]] = relationship(viewonly=True)

    def title_in(self, language: str) -> str:
        """Its title in ``language`` where it is translated, else its own."""
        return next((t.title for t in self.texts if t.language == language), self.title)

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class ProductText(db.Model):
    """A product's words in another language, from content/products/<name>.<language>.md
    (colombia-huila.es.md is colombia-huila.md in Spanish). A field left out (NULL) is read
    from the product itself."""

    __tablename__ = "product_text"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"),
                                            primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(500))
    body_html: Mapped[str | None] = mapped_column(Text)
    image_alt: Mapped[str | None] = mapped_column(String(300))
