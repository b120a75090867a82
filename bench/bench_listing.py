"""What products in the reader's language cost a catalogue listing: µs per page read.

    .venv/bin/python bench/bench_listing.py [--products 1000 5000] [--calls 300]

For each catalogue size, a temporary SQLite shop with that many products, half of them with a
Spanish translation (content/products/x.es.md), reads page 1 and a middle page of the home
listing (24 products) three ways, side by side:

- ``titles only``: the listing's statement as it was before translations (one table, read
  in the title index's order), read the same way;
- ``en``, ``es``: ``catalogue_page`` as the shop runs it now (the translations joined, in the
  order of the products' own titles).

Best of 5 batches of --calls reads each.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_content(folder: Path, count: int) -> None:
    products = folder / "products"
    products.mkdir(parents=True)
    for n in range(count):
        (products / f"p{n:05d}.md").write_text(
            f'---\ntitle: "Product {n:05d}"\nsku: SKU-{n:05d}\nprice: "9.50"\nstock: 5\n'
            f"category: c{n % 10}\n---\nText {n}.\n")
        if n % 2 == 0:
            (products / f"p{n:05d}.es.md").write_text(
                f'---\ntitle: "Producto {count - n:05d}"\n---\nTexto {n}.\n')


def best(call, calls: int) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        times.append((time.perf_counter() - started) / calls * 1e6)
    return min(times)


def measure(count: int, calls: int) -> list[tuple[str, float]]:
    from sqlalchemy import select

    from storefront.app import create_app
    from storefront.catalog.lookup import _COLUMNS, _PRODUCT, _read, _views, catalogue_page
    from storefront.catalog.sync import sync_products
    from storefront.content.loader import load_content
    from storefront.database import migrate
    from storefront.extensions import db
    from storefront.plugins.state import VERSION_COLUMN

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_content(folder / "content", count)
        app = create_app({"SECRET_KEY": secrets.token_hex(32),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'shop.sqlite3'}",
                          "CONTENT_DIR": str(folder / "content"),
                          "LOAD_ENTRY_POINT_PLUGINS": False},
                         instance_path=str(folder / "instance"))
        migrate.upgrade(app)
        rows = []
        with app.app_context():
            sync_products(load_content(folder / "content"))
            middle = count // 2 // 24 * 24
            # The listing's statement before translations, read the same way.
            old = (select(*(_PRODUCT.c[name] for name in _COLUMNS), VERSION_COLUMN)
                   .where(_PRODUCT.c.active.is_(True), _PRODUCT.c.plugin == "")
                   .order_by(_PRODUCT.c.title).limit(25))
            for offset in (0, middle):
                rows.append((f"titles only, offset {offset}", best(
                    lambda o=offset: _views(_read(db.session, old.offset(o))), calls)))
                for language in ("en", "es"):
                    rows.append((f"{language}, offset {offset}", best(
                        lambda o=offset, lang=language: catalogue_page(
                            db.session, (), o, 25, lang), calls)))
            db.session.remove()
            db.engine.dispose()
        return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    for count in args.products:
        print(f"{count} products, half translated: µs per listing page read")
        for name, micros in measure(count, args.calls):
            print(f"  {name:<24} {micros:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
