"""Themes: every page renders under the default and the market theme; a theme inherits the
templates and static files it lacks from its parent; plugin templates can be overridden by
path; a broken ``extends`` stops the app with an error that names the theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront import create_app
from storefront.extensions import db
from storefront.orders.models import Order
from tests.conftest import ON_SQLITE, ROOT, Shop, base_config
from tests.points_support import PASSWORD, loyalty_app, member

THEMES = ROOT / "themes"
MARKET_MARKER = "/static/market.css"
THEME_MARKERS = {"default": 'class="site-header"', "market": 'class="market-header"'}


def assert_themed(client, path, theme, status=200, contains=()):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == status, (theme, path, response.status_code)
    assert (MARKET_MARKER in html) is (theme == "market"), (theme, path)
    assert THEME_MARKERS[theme] in html, (theme, path)
    assert '<main id="main"' in html and 'href="#main"' in html, (theme, path)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.endswith("Storefront") and title.count("Storefront") == 1, (path, title)
    assert '<link rel="icon" href="/static/favicon.svg"' in html, (theme, path)
    for text in contains:
        assert text in html, (theme, path, text)
    return html


@pytest.fixture(params=["default", "market"])
def theme(request) -> str:
    return request.param


@pytest.fixture
def themed_shop(make_app, theme):
    app = loyalty_app(make_app, plugins=("points", "tiers"), THEME=theme)
    return app, Shop(app)


@ON_SQLITE
def test_catalogue_pages_and_errors_render_under_both_themes(themed_shop, theme):
    app, _shop = themed_shop
    client = app.test_client()
    home = assert_themed(client, "/", theme, contains=["Ethiopia Yirgacheffe, 250 g",
                                                       "<title>Storefront</title>"])
    assert client.get("/static/favicon.svg").mimetype == "image/svg+xml"
    assert_themed(client, "/category/coffee", theme, contains=["<h1>Coffee</h1>"])
    assert_themed(client, "/tag/espresso", theme, contains=["House Espresso"])
    assert_themed(client, "/search?q=kettle", theme, contains=["Gooseneck Kettle, 1 l"])
    assert_themed(client, "/search", theme)
    assert_themed(client, "/products/ethiopia-yirgacheffe", theme,
                  contains=["Add to cart", "€12.50",
                            "<title>Ethiopia Yirgacheffe, 250 g · Storefront</title>"])
    # The content page stands in for the article page until the community plugin exists.
    assert_themed(client, "/pages/about", theme, contains=["About us"])
    assert_themed(client, "/login", theme, contains=['autocomplete="current-password"'])
    assert_themed(client, "/register", theme, contains=["Create account"])
    assert_themed(client, "/password/forgot", theme, contains=["Send reset link"])
    assert_themed(client, "/no-such-page", theme, status=404, contains=["Not found"])
    assert_themed(client, "/products/no-such-product", theme, status=404)
    if theme == "market":
        # The market layout: a category sidebar, filled from the catalogue.
        assert 'aria-label="Shop by category"' in home
        assert 'href="/category/tea"' in home and 'aria-current="page">Everything' in home


@ON_SQLITE
def test_shopper_and_member_pages_render_under_both_themes(themed_shop, theme):
    app, shop = themed_shop
    client, _user_id = member(app, shop, email="mia@example.com", name="Mia")
    shop.add(client, "COF-ETH-250", 2)
    assert_themed(client, "/cart", theme, contains=["Ethiopia Yirgacheffe, 250 g", "€25.00"])
    assert_themed(client, "/checkout", theme, contains=["Place order"])
    location = shop.checkout(client, email="mia@example.com").headers["Location"]
    assert re.search(r"/orders/[\w-]+$", location), location
    assert_themed(client, location, theme, contains=["Awaiting payment"])
    with app.app_context():
        order_id = db.session.scalar(select(Order.id).order_by(Order.id.desc()))
    # The account page carries the points and tiers panels: plugin templates in the theme.
    assert_themed(client, "/account", theme,
                  contains=["Hello, Mia", 'data-testid="points-available"',
                            'data-testid="tier-name"'])
    assert_themed(client, "/account/orders", theme, contains=["Awaiting payment"])
    assert_themed(client, f"/account/orders/{order_id}", theme,
                  contains=["Ethiopia Yirgacheffe, 250 g"])
    assert_themed(client, "/account/messages", theme)
    assert_themed(client, "/account/preferences", theme)


@ON_SQLITE
def test_admin_pages_render_under_both_themes(themed_shop, theme):
    app, shop = themed_shop
    guest = app.test_client()
    shop.add(guest, "TEA-SEN-100")
    shop.checkout(guest)
    with app.app_context():
        order_id = db.session.scalar(select(Order.id).order_by(Order.id.desc()))
    shop.create_user("boss@example.com", role="owner", name="Boss")
    owner = app.test_client()
    shop.login(owner, "boss@example.com", PASSWORD)
    assert_themed(owner, "/admin/", theme, contains=["Net revenue"])
    assert_themed(owner, "/admin/orders", theme, contains=["Guest Shopper"])
    assert_themed(owner, f"/admin/orders/{order_id}", theme, contains=["Mark as paid"])
    assert_themed(owner, "/admin/products", theme, contains=["COF-ETH-250"])
    assert_themed(owner, "/admin/customers", theme, contains=["boss@example.com"])
    assert_themed(owner, "/admin/plugins", theme, contains=["points", "tiers"])
    assert_themed(owner, "/admin/plugins/points", theme, contains=["Save settings"])
    # Shoppers do not get in: the themed 403 page.
    assert guest.get("/admin/").status_code == 302
    shop.create_user("cy@example.com", name="Cy")
    customer = app.test_client()
    shop.login(customer, "cy@example.com", PASSWORD)
    assert_themed(customer, "/admin/", theme, status=403, contains=["Not allowed"])


@ON_SQLITE
def test_market_inherits_every_template_it_lacks_from_default(make_app):
    app = make_app(THEME="market")
    assert [t.key for t in app.extensions["storefront.theme"]] == ["market", "default"]
    env = app.jinja_env
    assert Path(env.get_template("base.html").filename).is_relative_to(THEMES / "market")
    assert Path(env.get_template("catalog/listing.html").filename).is_relative_to(
        THEMES / "market")
    own = {p.relative_to(THEMES / "market" / "templates").as_posix()
           for p in (THEMES / "market" / "templates").rglob("*") if p.is_file()}
    assert own == {"base.html", "catalog/listing.html"}, "market overrides only what it needs"
    for path in (THEMES / "default" / "templates").rglob("*.html"):
        name = path.relative_to(THEMES / "default" / "templates").as_posix()
        if name not in own:
            assert Path(env.get_template(name).filename) == path, name
    # Each theme of the chain is reachable by prefix, for a template that extends its parent's.
    assert Path(env.get_template("default:base.html").filename) == (
        THEMES / "default" / "templates" / "base.html")
    # A page the market theme lacks comes from default, inside the market layout.
    html = app.test_client().get("/cart").get_data(as_text=True)
    assert "<h1>Your cart</h1>" in html and MARKET_MARKER in html


@ON_SQLITE
def test_static_files_fall_back_to_the_parent_theme(make_app):
    app = make_app(THEME="market")
    client = app.test_client()
    inherited = client.get("/static/style.css")
    assert inherited.status_code == 200
    assert inherited.data == (THEMES / "default" / "static" / "style.css").read_bytes()
    inherited.close()
    own = client.get("/static/market.css")
    assert own.status_code == 200
    assert own.data == (THEMES / "market" / "static" / "market.css").read_bytes()
    own.close()
    assert client.get("/static/no-such-file.css").status_code == 404
    assert client.get("/static/..%2Ftheme.toml").status_code == 404
    assert make_app().test_client().get("/static/market.css").status_code == 404


@ON_SQLITE
def test_a_child_theme_overrides_static_files_and_plugin_templates_by_path(make_app, tmp_path):
    themes = _themes_dir(tmp_path)
    child = _theme(themes, "child", 'name = "Child"\nextends = "market"\n')
    (child / "static").mkdir()
    (child / "static" / "style.css").write_text("/* child */")
    (child / "templates" / "points").mkdir(parents=True)
    (child / "templates" / "points" / "panel.html").write_text(
        '<p data-testid="child-points">Child points: {{ account.available if account else 0 }}'
        "</p>")
    app = loyalty_app(make_app, plugins=("points",), THEMES_DIR=str(themes), THEME="child")
    assert [t.key for t in app.extensions["storefront.theme"]] == ["child", "market", "default"]
    assert app.extensions["storefront.theme"][0].name == "Child"
    client = app.test_client()
    assert client.get("/static/style.css").data == b"/* child */"
    assert client.get("/static/market.css").status_code == 200  # from the grandparent's sibling
    client, _user_id = member(app, Shop(app))
    html = client.get("/account").get_data(as_text=True)
    assert 'data-testid="child-points">Child points: 0' in html
    assert 'data-testid="points-available"' not in html
    assert MARKET_MARKER in html  # base.html from market, two levels up


@pytest.mark.parametrize(("manifests", "theme", "message"), [
    ({"broken": 'extends = "nope"'}, "broken",
     r"theme 'broken' extends unknown theme 'nope'"),
    ({"a": 'extends = "b"', "b": 'extends = "a"'}, "a",
     r"theme 'a': themes extend each other in a cycle \(a -> b -> a\)"),
    ({"selfish": 'extends = "selfish"'}, "selfish", r"cycle \(selfish -> selfish\)"),
    ({"top": 'extends = "middle"', "middle": 'extends = "gone"'}, "top",
     r"theme 'middle' extends unknown theme 'gone'"),
    ({"bad": 'extends = "../default"'}, "bad", r"theme 'bad': extends = '../default' is not"),
    ({"typo": 'extends = default'}, "typo", r"theme 'typo': .*theme\.toml is not valid TOML"),
    ({"wrongtype": "extends = 3"}, "wrongtype", r"theme 'wrongtype': .*'extends' must be a str"),
    ({}, "missing", r"theme 'missing' not found in"),
])
def test_a_bad_theme_stops_the_app_with_a_clear_error(tmp_path, manifests, theme, message):
    themes = _themes_dir(tmp_path)
    for name, manifest in manifests.items():
        _theme(themes, name, manifest)
    with pytest.raises(RuntimeError, match=message):
        _app(tmp_path, THEMES_DIR=str(themes), THEME=theme)


def _themes_dir(tmp_path) -> Path:
    themes = tmp_path / "themes"
    themes.mkdir()
    for name in ("default", "market"):
        (themes / name).symlink_to(THEMES / name, target_is_directory=True)
    return themes


def _theme(themes: Path, name: str, manifest: str) -> Path:
    folder = themes / name
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(manifest + "\n")
    return folder


def _app(tmp_path, **config):
    instance = tmp_path / "instance"
    return create_app(base_config(f"sqlite:///{tmp_path / 'unused.sqlite3'}", instance, **config),
                      instance_path=str(instance))
