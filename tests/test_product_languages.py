"""Products in the reader's language (issue 18): colombia-huila.es.md holds the Spanish
title, summary, picture description and text of colombia-huila.md; the shop, the cart, the
order and the static build show them to Spanish readers, and English (or whatever the main
file says) to everyone else, field by field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront.build.site import build_site
from storefront.content.loader import load_content
from storefront.extensions import db
from storefront.orders.models import Order
from tests.test_build import product_file

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def translation(folder: Path, name: str, head: str, body: str = "") -> Path:
    path = folder / "products" / f"{name}.es.md"
    path.write_text(f"---\n{head}\n---\n{body}", encoding="utf-8")
    return path


def test_a_spanish_reader_sees_the_products_spanish_words(client):
    spanish = text(client.get("/products/hand-grinder", headers=SPANISH))
    assert "<h1>Molinillo manual con muelas de acero</h1>" in spanish
    assert "Muelas cónicas de acero inoxidable y 40 posiciones." in spanish
    assert "Hand Grinder" not in spanish and "Conical stainless" not in spanish
    english = text(client.get("/products/hand-grinder", headers=ENGLISH))
    assert "<h1>Hand Grinder with Steel Burrs</h1>" in english
    assert "Molinillo" not in english


def product_links(page: str) -> list[str]:
    return re.findall(r'href="/products/([a-z0-9-]+)"', page)


def test_listings_show_spanish_cards_in_the_same_places_and_search_finds_spanish_words(client):
    home = text(client.get("/", headers=SPANISH))
    assert "Molinillo manual con muelas de acero" in home
    assert "Molienda uniforme, del espresso a la prensa francesa." in home
    assert "Hand Grinder" not in home
    # Each product keeps its place (the order of the main titles) in every language.
    english = text(client.get("/", headers=ENGLISH))
    assert product_links(home) == product_links(english) and len(product_links(home)) >= 12
    found = text(client.get("/search?q=molinillo", headers=SPANISH))
    assert "Molinillo manual con muelas de acero" in found
    assert "Molinillo" not in text(client.get("/search?q=molinillo", headers=ENGLISH))


def test_what_a_translation_leaves_out_is_read_from_the_product(make_app, tmp_path):
    folder = tmp_path / "content"
    product_file(folder, "dark-roast", "Dark Roast", body="Roasted long and slow.")
    translation(folder, "dark-roast", 'title: "Tueste oscuro"')
    client = make_app(CONTENT_DIR=str(folder)).test_client()
    with client.application.app_context():
        from storefront.catalog.sync import sync_products

        sync_products(load_content(folder))
    page = text(client.get("/products/dark-roast", headers=SPANISH))
    assert "<h1>Tueste oscuro</h1>" in page and "Roasted long and slow." in page


def test_the_cart_and_the_order_keep_the_spanish_title(client, app, shop):
    client.set_cookie("language", "es")
    added = shop.add(client, "EQP-GRD-01")
    assert "Molinillo manual con muelas de acero" in text(client.get(added.location))
    cart = text(client.get("/cart"))
    assert "Molinillo manual con muelas de acero" in cart and "Hand Grinder" not in cart
    assert shop.checkout(client).status_code == 303
    with app.app_context():
        order = db.session.scalars(select(Order)).one()
        assert [line.title for line in order.lines] == ["Molinillo manual con muelas de acero"]


@pytest.mark.parametrize("head, problem", [
    ('title: "Tueste"\nprice: "1.00"', "price: is set in dark-roast.md only"),
    ("summary: Sin título", "title: is required"),
])
def test_a_translation_that_sets_what_only_the_product_may_is_reported(tmp_path, head, problem):
    folder = tmp_path / "content"
    product_file(folder, "dark-roast", "Dark Roast")
    translation(folder, "dark-roast", head)
    found = [str(p) for p in load_content(folder).problems]
    assert len(found) == 1 and problem in found[0] and "dark-roast.es.md" in found[0]


def test_a_translation_of_a_product_that_does_not_exist_is_reported(tmp_path):
    folder = tmp_path / "content"
    product_file(folder, "dark-roast", "Dark Roast")
    translation(folder, "light-roast", 'title: "Tueste claro"')
    found = [str(p) for p in load_content(folder).problems]
    assert found == ["content/products/light-roast.es.md: file: translates light-roast.md, "
                     "which does not exist (or is not valid)"]


@pytest.fixture
def site(make_app, tmp_path):
    folder = tmp_path / "content"
    product_file(folder, "dark-roast", "Dark Roast", body="Roasted long and slow.")
    product_file(folder, "tea-pot", "Tea Pot", category="equipment", tags="[]")
    app = make_app(CONTENT_DIR=str(folder), STATIC_SITE_URL="https://static.example")
    return app, folder, tmp_path / "site"


def test_the_static_build_writes_each_product_in_its_language_and_follows_edits(site):
    app, folder, out = site
    spanish_file = translation(folder, "dark-roast", 'title: "Tueste oscuro"',
                               "Tostado despacio.\n")
    assert build_site(app, out, jobs=1).problems == []
    assert "<h1>Tueste oscuro</h1>" in (out / "es/products/dark-roast/index.html").read_text()
    assert "Tueste oscuro" in (out / "es/index.html").read_text()
    assert "<h1>Dark Roast</h1>" in (out / "en/products/dark-roast/index.html").read_text()

    spanish_file.write_text('---\ntitle: "Tueste francés"\n---\nMás tostado.\n')
    report = build_site(app, out, jobs=1)
    assert report.parsed == 1  # the Spanish file alone was read again
    page = (out / "es/products/dark-roast/index.html").read_text()
    assert "<h1>Tueste francés</h1>" in page and "Más tostado." in page
    assert "Tueste francés" in (out / "es/index.html").read_text()

    translation(folder, "tea-pot", 'title: "Tetera"')
    build_site(app, out, jobs=1)
    assert "<h1>Tetera</h1>" in (out / "es/products/tea-pot/index.html").read_text()

    spanish_file.unlink()
    build_site(app, out, jobs=1)
    page = (out / "es/products/dark-roast/index.html").read_text()
    assert "<h1>Dark Roast</h1>" in page and "Roasted long and slow." in page
    assert "Tueste" not in (out / "es/index.html").read_text()


def test_the_static_build_reports_a_stray_translation_until_its_product_exists(site):
    app, folder, out = site
    translation(folder, "light-roast", 'title: "Tueste claro"')
    assert build_site(app, out, jobs=1).problems == [
        "content/products/light-roast.es.md: file: translates light-roast.md, which does "
        "not exist (or is not valid)"]
    product_file(folder, "light-roast", "Light Roast")
    assert build_site(app, out, jobs=1).problems == []
    assert "<h1>Tueste claro</h1>" in (out / "es/products/light-roast/index.html").read_text()
