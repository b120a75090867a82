"""The bare reference for bench_pages.py: Flask + plain SQLAlchemy Core + one Jinja template.

It does what the shop's product page must do at the least: find the product by slug in the
same SQLite file and render a page of the same size. No sessions, no CSRF, no login, no
plugins, no theme loader, no ORM. Configured by the environment:

  BARE_DATABASE   path of the shop's SQLite file (required)
  BARE_PAD_BYTES  filler bytes added to the page so that it is as big as the shop's (default 0)

Run: gunicorn --workers 2 --bind 127.0.0.1:PORT --pythonpath bench 'bare_app:create_app()'
"""

from __future__ import annotations

import os

from flask import Flask, abort
from sqlalchemy import MetaData, Table, create_engine, select

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ p.title }} · Storefront</title>
  <link rel="stylesheet" href="/static/style.css">
</head>
<body>
  <header class="site-header">
    <a class="brand" href="/">Storefront</a>
    <form class="search" action="/search" method="get" role="search">
      <input id="search-q" type="search" name="q" value="" placeholder="Search products">
      <button type="submit">Search</button>
    </form>
    <nav aria-label="Main"><ul><li><a href="/cart">Cart</a></li>
      <li><a href="/login">Log in</a></li><li><a href="/register">Register</a></li></ul></nav>
  </header>
  <main id="main">
  <article class="product">
    <h1>{{ p.title }}</h1>
    {% if p.image %}<img src="{{ p.image }}" alt="{{ p.title }}"
      width="480" height="320">{% endif %}
    <p class="price">€{{ '%d.%02d' % (p.price // 100, p.price % 100) }}</p>
    <p class="summary">{{ p.summary }}</p>
    <div class="description">{{ p.body_html | safe }}</div>
    {% if p.category %}<p>Category:
      <a href="/category/{{ p.category }}">{{ p.category | title }}</a></p>{% endif %}
    <p>Tags: {% for t in tags %}<a href="/tag/{{ t }}">{{ t }}</a>
      {%- if not loop.last %}, {% endif %}{% endfor %}</p>
    <form action="/cart/add" method="post" class="add-to-cart">
      <input type="hidden" name="sku" value="{{ p.sku }}">
      <label for="quantity">Quantity</label>
      <input id="quantity" name="quantity" type="number" min="1"
        max="{{ [p.stock, 99] | min }}" value="1" required>
      <button type="submit">Add to cart</button>
    </form>
    <p class="stock">{{ p.stock }} in stock</p>
  </article>
  </main>
  <footer class="site-footer"><p>Storefront · <a href="/pages/about">About</a></p></footer>
  <!-- {{ pad }} -->
</body>
</html>
"""


def create_app(database: str | None = None, pad_bytes: int | None = None) -> Flask:
    database = database or os.environ["BARE_DATABASE"]
    if pad_bytes is None:
        pad_bytes = int(os.environ.get("BARE_PAD_BYTES", "0"))
    pad = "x" * max(pad_bytes, 0)

    engine = create_engine(f"sqlite:///{database}")
    product = Table("product", MetaData(), autoload_with=engine)

    app = Flask(__name__)
    page = app.jinja_env.from_string(PAGE)  # compiled once, like a cached template file

    @app.get("/products/<slug>")
    def product_page(slug: str):
        with engine.connect() as conn:
            row = conn.execute(
                select(product).where(product.c.slug == slug, product.c.active.is_(True))
            ).first()
        if row is None:
            abort(404)
        tags = [t for t in row.tags.split(",") if t]
        return page.render(p=row, tags=tags, pad=pad)

    return app
