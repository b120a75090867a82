from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import or_, select

from storefront.catalog.lookup import TEXT, ProductView, active_product, catalogue_page
from storefront.catalog.models import Product
from storefront.content.images import srcset
from storefront.content.loader import SLUG_RE
from storefront.content.pages import page_for
from storefront.extensions import db
from storefront.i18n import current_language
from storefront.web.guest_pages import public_page, render_for_guests

bp = Blueprint("catalog", __name__)
bp.add_app_template_global(srcset, "image_srcset")


@bp.app_template_global("shop_categories")
def categories() -> list[tuple[str, str]]:
    """(slug, label) of the categories that have active products, for theme navigation."""
    if "storefront_categories" not in g:
        slugs = db.session.scalars(
            select(Product.category).where(Product.active.is_(True), Product.plugin == "",
                                           Product.category != "")
            .distinct().order_by(Product.category)).all()
        g.storefront_categories = [(s, s.replace("-", " ").title()) for s in slugs]
    return g.storefront_categories

# Criteria on the table's columns, not the ORM attributes: the listing query stays Core.
_COLUMN = Product.__table__.c

PAGE_SIZE = 24
YEAR = 365 * 24 * 3600

def _listing(criteria: tuple, title: str, **context):
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    products = catalogue_page(db.session, criteria, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1,
                              current_language())
    has_next = len(products) > PAGE_SIZE
    products = products[:PAGE_SIZE]
    context.update(products=products, title=title, page=page, has_next=has_next)
    if "q" in context:  # search: too many different pages to keep
        return render_template("catalog/listing.html", **context)
    # A guest's listing is made of what its cards show (stock for "sold out") and the pager.
    key = (tuple(map(_card, products)), title, page, has_next, context.get("is_home"))
    return render_for_guests(key, "catalog/listing.html", **context)


def _card(product: ProductView) -> tuple:
    return (product.id, product.slug, product.title, product.summary, product.price,
            product.image, product.image_alt, product.image_width, product.category,
            product.tags, product.stock)


@bp.get("/")
@public_page
def home():
    return _listing((), current_app.config["SHOP_NAME"], is_home=True)


@bp.get("/category/<slug>")
@public_page
def category(slug: str):
    if not SLUG_RE.match(slug):
        abort(404)
    return _listing((_COLUMN.category == slug,), slug.replace("-", " ").title())


@bp.get("/tag/<tag>")
@public_page
def tag(tag: str):
    if not SLUG_RE.match(tag):
        abort(404)
    return _listing((_COLUMN.tags.contains(f",{tag},", autoescape=True),),
                    _("Tagged “%(tag)s”", tag=tag))


@bp.get("/search")
def search():
    q = request.args.get("q", "").strip()[:100]
    if not q:
        return render_template("catalog/listing.html", products=[], title=_("Search"), q=q,
                               page=1, has_next=False)
    criteria = tuple(or_(TEXT["title"].icontains(word, autoescape=True),
                         TEXT["summary"].icontains(word, autoescape=True),
                         _COLUMN.tags.icontains(word, autoescape=True))
                     for word in q.split()[:5])
    return _listing(criteria, _("Results for “%(query)s”", query=q), q=q)


@bp.get("/products/<slug>")
@public_page
def product(slug: str):
    item = active_product(db.session, slug, current_language())  # read-only, no ORM object
    if item is None:
        abort(404)
    if item.plugin:
        return redirect(item.link or url_for("catalog.home"))
    max_quantity = min(item.stock, current_app.config["MAX_QUANTITY_PER_LINE"])
    # A guest's page is made of the product row alone (the row includes the stock).
    return render_for_guests((item, max_quantity), "catalog/product.html", product=item,
                             max_quantity=max_quantity)


@bp.get("/pages/<slug>")
@public_page
def page(slug: str):
    source = page_for(slug, current_language())
    if source is None:
        abort(404)
    return render_for_guests((source.path, source.title, source.body_html), "page.html",
                             page=source)


@bp.get("/media/<path:filename>")
def media(filename: str):
    """A product picture's copy: named after its content, so it never changes (a year)."""
    response = send_from_directory(current_app.config["MEDIA_DIR"], filename, max_age=YEAR)
    response.cache_control.immutable = True
    return response
