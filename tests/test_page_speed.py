"""What the page-speed work must not change: links, and the cart read in one query."""

from sqlalchemy import event

from storefront.extensions import db
from storefront.urlcache import cached_url_for


def test_remembered_links_equal_flask_links_under_any_script_root(app):
    link = cached_url_for(app)
    for root in ("", "/shop"):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for endpoint, values in (("static", {"filename": "style.css"}),
                                     ("catalog.tag", {"tag": "single-origin"}),
                                     ("catalog.page", {"slug": "about"})):
                assert link(endpoint, **values) == app.url_for(endpoint, **values)
                assert link(endpoint, **values).startswith(f"{root}/")
            assert link("catalog.home", _external=True) == app.url_for("catalog.home",
                                                                       _external=True)


def test_cart_page_reads_the_cart_lines_and_products_in_one_query(app, shop):
    client = app.test_client()
    shop.add(client, "COF-ETH-250")
    client.get("/cart")  # flash messages shown
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = client.get("/cart").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert "Ethiopia" in page
    assert not any("FROM cart_line" in s and "FROM cart " not in s for s in statements), \
        statements
