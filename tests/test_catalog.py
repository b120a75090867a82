"""Browsing: home, category, tag, product page, search, content pages."""


def test_home_lists_active_products(client):
    html = client.get("/").get_data(as_text=True)
    assert "Ethiopia Yirgacheffe, 250 g" in html
    assert "€12.50" in html


def test_category_and_tag_pages_filter(client):
    coffee = client.get("/category/coffee").get_data(as_text=True)
    assert "Colombia Huila" in coffee and "Gooseneck Kettle" not in coffee
    decaf = client.get("/tag/decaf").get_data(as_text=True)
    assert "Decaf Peru" in decaf and "Colombia Huila" not in decaf


def test_product_page_shows_price_stock_and_add_form(client):
    response = client.get("/products/hand-grinder")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "€69.00" in html and "8 in stock" in html and 'action="/cart/add"' in html


def test_unknown_product_and_bad_slugs_are_404(client):
    assert client.get("/products/no-such-thing").status_code == 404
    assert client.get("/category/Bad%20Slug").status_code == 404
    assert client.get("/pages/missing").status_code == 404


def test_search_matches_words_in_title_summary_and_tags(client):
    assert "Gooseneck Kettle" in client.get("/search?q=kettle").get_data(as_text=True)
    html = client.get("/search?q=caffeine-free").get_data(as_text=True)
    assert "Chamomile" in html
    nothing = client.get("/search?q=%25%25%25").get_data(as_text=True)
    assert "No products match" in nothing


def test_sold_out_product_has_no_add_button(client, shop):
    shop.set_stock("GFT-JRN-01", 0)
    html = client.get("/products/tasting-journal").get_data(as_text=True)
    assert "Sold out" in html and 'action="/cart/add"' not in html


def test_content_page_renders_markdown(client):
    html = client.get("/pages/shipping").get_data(as_text=True)
    assert "<h1>Shipping and returns</h1>" in html and "free from €50.00" in html
