"""What the product page and the catalogue listings read: one Core query each, light
read-only products.

These pages only read products, so they skip the ORM (identity map, instance state,
attribute instrumentation): each row becomes a frozen ``ProductView`` with the attributes
the templates use (24 cards of a listing page: 0.2 ms less than as ORM objects).
Everything that writes a product (content sync, stock, checkout) keeps the ORM ``Product``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, Row, and_, bindparam, func, select
from sqlalchemy.orm import Session, scoped_session

from hooks.types import CartLineView
from storefront.catalog.models import Product, ProductText
from storefront.plugins.state import VERSION_COLUMN, version_read

_PRODUCT = Product.__table__
_TEXT = ProductText.__table__
_COLUMNS = ("id", "sku", "slug", "title", "summary", "body_html", "category", "tags", "image",
            "image_alt", "image_width", "image_height", "price", "stock", "plugin", "link")
# A product's words in the reader's language (content/products/x.es.md), else its own.
TEXT = {name: func.coalesce(_TEXT.c[name], _PRODUCT.c[name]).label(name)
        for name in ("title", "summary", "body_html", "image_alt")}
_READ = _PRODUCT.outerjoin(_TEXT, and_(_TEXT.c.product_id == _PRODUCT.c.id,
                                       _TEXT.c.language == bindparam("language")))
# Built once: SQLAlchemy caches its SQL, the request only binds the slug and language. The
# plugin state counter comes along (a scalar subquery), so the page's plugin furniture needs
# no statement of its own to know whether the cached plugin state is current.
_SELECT = select(*(TEXT.get(name, _PRODUCT.c[name]) for name in _COLUMNS),
                 VERSION_COLUMN).select_from(_READ)
_BY_SLUG = _SELECT.where(_PRODUCT.c.slug == bindparam("slug"), _PRODUCT.c.active.is_(True))


@dataclass(frozen=True, slots=True)
class ProductView:
    """An active product as the shop's pages read it; a snapshot, not attached to a session.

    Same attribute names as ``Product`` for what templates use; ``tag_list`` is a tuple and
    ``in_stock`` a plain value, both computed once."""

    id: int
    sku: str
    slug: str
    title: str
    summary: str
    body_html: str
    category: str
    tags: str  # ",tag1,tag2," as stored
    image: str
    image_alt: str
    image_width: int  # 0: ``image`` is an address used as it is
    image_height: int
    price: int  # minor units
    stock: int
    plugin: str
    link: str
    tag_list: tuple[str, ...]
    in_stock: bool

    def cart_line(self, quantity: int = 1) -> CartLineView:
        """This product as a cart line, for ``hooks.quote`` (what buying it would cost)."""
        return CartLineView(self.id, self.sku, self.title, self.price, quantity, self.category,
                            self.tag_list)


def _read(session: Session | scoped_session, statement, params: dict | None = None
          ) -> list[Row]:
    """The rows of a read-only statement: in the session's transaction when the request
    has one already (one connection per request), else on a connection of its own that
    goes back to the pool at once (no session transaction to begin and end)."""
    if isinstance(session, scoped_session):
        session = session()  # the request's Session (scoped_session has no in_transaction)
    if session.in_transaction():
        return session.connection().execute(statement, params).all()
    with session.get_bind().connect() as connection:
        return connection.execute(statement, params).all()


def _views(rows: list[Row]) -> list[ProductView]:
    """Rows of ``_COLUMNS`` and the plugin state counter, as product views."""
    if rows:
        version_read(rows[0][-1])
    views = []
    for row in rows:
        tags = row.tags or ""
        views.append(ProductView(*row[:-1], tag_list=tuple(t for t in tags.split(",") if t),
                                 in_stock=row.stock > 0))
    return views


def active_product(session: Session | scoped_session, slug: str, language: str
                   ) -> ProductView | None:
    """The active product with this slug, in ``language`` where it is translated; or None."""
    found = _views(_read(session, _BY_SLUG, {"slug": slug, "language": language}))
    return found[0] if found else None


# In the order of the products' own titles in every language: read in the title index's order
# (sorting by the translated titles cost 1.4-5.2 ms a page at 5,000 products, bench_listing.py),
# and a product is on the same page of a listing in each language.
_CATALOGUE = (_SELECT.where(_PRODUCT.c.active.is_(True), _PRODUCT.c.plugin == "")
              .order_by(_PRODUCT.c.title)
              .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))


def catalogue_page(session: Session | scoped_session, criteria: tuple, offset: int,
                   limit: int, language: str) -> list[ProductView]:
    """Active catalogue products (not a plugin's) meeting ``criteria``, by their own title,
    with their words in ``language``."""
    statement = _CATALOGUE.where(*criteria) if criteria else _CATALOGUE
    return _views(_read(session, statement,
                        {"limit": limit, "offset": offset, "language": language}))

