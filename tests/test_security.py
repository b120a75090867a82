"""Security by default: CSRF, hashing, sessions, throttling, redirects, access, secrets."""

import re

import pytest
from argon2 import extract_parameters
from sqlalchemy import select

from storefront import create_app
from storefront.accounts.models import User
from storefront.config import ConfigError, defaults
from storefront.extensions import db
from storefront.orders.models import Order
from tests.conftest import Shop
from tests.support.forms import post_form

PASSWORD = "correct horse battery"
# The shop's own argon2 cost (the tests' apps use the smallest, tests/conftest.py).
SHIPPED_HASHING = {name: value for name, value in defaults("").items()
                   if name.startswith("PASSWORD_HASH_")}


def test_every_post_route_needs_a_csrf_token(app, client, shop):
    shop.create_user("boss@example.com", role="owner")
    shop.login(client, "boss@example.com", PASSWORD)
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(posts) >= 10
    for rule in posts:
        if rule.endpoint == "payments.stripe_webhook":
            continue  # authenticated by its Stripe signature instead
        values = {}
        for arg in rule.arguments:
            converter = rule._converters[arg]
            values[arg] = (sorted(converter.items)[0] if hasattr(converter, "items")
                           else 1 if arg.endswith("id") else "x")
        url = rule.build(values)[1]
        response = client.post(url, data={"email": "a@b.c", "quantity": "1", "sku": "COF-ETH-250"})
        # Add to cart is checked by its Origin instead, so product pages need no session.
        refused = 403 if rule.endpoint == "cart.add" else 400
        assert response.status_code == refused, (rule.rule, response.status_code)
    assert client.get("/cart").get_data(as_text=True).count("Ethiopia") == 0


def stored_hash(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(make_app):
    app = make_app(**SHIPPED_HASHING)
    Shop(app).create_user("ana@example.com")
    stored = stored_hash(app, "ana@example.com")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2


def test_a_password_hashed_at_a_lower_cost_is_hashed_again_at_the_next_log_in(make_app):
    Shop(make_app()).create_user("ana@example.com")  # the tests' smallest cost
    app = make_app(**SHIPPED_HASHING)
    client = app.test_client()
    Shop(app).login(client, "ana@example.com", PASSWORD)
    assert client.get("/account").status_code == 200
    params = extract_parameters(stored_hash(app, "ana@example.com"))
    assert (params.memory_cost, params.time_cost) == (19 * 1024, 2)


@pytest.mark.parametrize("memory, passes", [(8, 1), (19 * 1024, 1), (8192, 2), ("big", 2)])
def test_production_refuses_password_hashing_below_owasp(make_app, memory, passes):
    with pytest.raises(ConfigError, match="PASSWORD_HASH_MEMORY_KIB"):
        make_app(ENV_NAME="production", PASSWORD_HASH_MEMORY_KIB=memory,
                 PASSWORD_HASH_TIME_COST=passes)
    stronger = make_app(ENV_NAME="production", PASSWORD_HASH_MEMORY_KIB=64 * 1024,
                        PASSWORD_HASH_TIME_COST=3)
    assert stronger.config["PASSWORD_HASH_TIME_COST"] == 3


def test_session_cookie_flags(make_app):
    app = make_app()
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False  # development over http
    prod = make_app(ENV_NAME="production", **SHIPPED_HASHING)
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["REMEMBER_COOKIE_SECURE"]
    client = app.test_client()
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_login_rotates_the_session(client, shop):
    shop.create_user("ana@example.com")
    client.get("/login")
    before = client.get_cookie("session").value
    shop.login(client, "ana@example.com", PASSWORD)
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        session_keys = set(session)
    assert "_user_id" in session_keys


def test_cookie_replayed_after_logout_is_rejected(app, client, shop):
    shop.create_user("ana@example.com")
    shop.login(client, "ana@example.com", PASSWORD)
    stolen = client.get_cookie("session").value
    post_form(client, "/account", "/logout", {})
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    assert attacker.get("/account").status_code == 302


def without_token(html: str) -> str:
    return re.sub(r'(csrf_token"[^>]*value=")[^"]*', r"\1", html)


def test_login_is_throttled_after_repeated_failures(client, shop):
    shop.create_user("ana@example.com")
    for _ in range(5):
        assert shop.login(client, "ana@example.com", "wrong password!").status_code == 401
    blocked = shop.login(client, "ana@example.com", PASSWORD)
    page = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and "Too many attempts to log in." in page
    assert ("Too many attempts to log in. Please try again in 15 minutes, or reset your "
            "password if you forgot it.") in page
    assert 890 <= int(blocked.headers["Retry-After"]) <= 900
    unknown = [shop.login(client, "ghost@example.com", "x" * 12) for _ in range(6)]
    assert [r.status_code for r in unknown] == [401] * 5 + [429]
    # The same answer for accounts that do not exist (the form keeps the address typed).
    assert without_token(unknown[-1].get_data(as_text=True)) == without_token(
        page.replace("ana@", "ghost@"))  # the CSRF token carries the second it was signed


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil", "/%0d%0aevil"])
def test_next_only_redirects_to_local_paths(client, shop, target):
    shop.create_user("ana@example.com")
    client.get("/login")
    response = post_form(client, "/login", f"/login?next={target}",
                         {"email": "ana@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_next_to_a_local_page_is_followed(client, shop):
    shop.create_user("ana@example.com")
    response = post_form(client, "/login", "/login?next=/account/orders",
                         {"email": "ana@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/account/orders"


def test_customer_cannot_see_another_customers_order(app, shop):
    ana, bob = app.test_client(), app.test_client()
    shop.register(ana, email="ana@example.com")
    shop.add(ana, "TEA-SEN-100")
    location = shop.checkout(ana).headers["Location"]
    shop.register(bob, email="bob@example.com")
    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
    assert bob.get(f"/account/orders/{order_id}").status_code == 404
    assert bob.get(location).status_code == 404
    assert app.test_client().get(location).status_code == 404  # logged out
    token = location.rsplit("/", 1)[1]
    assert post_form(bob, "/account", f"/orders/{token}/restore-cart", {}).status_code == 404
    assert ana.get(location).status_code == 200


def test_staff_sees_orders_customers_do_not_see_admin(app, shop):
    customer = app.test_client()
    shop.register(customer, email="ana@example.com")
    assert customer.get("/admin/").status_code == 403
    assert customer.get("/admin/orders").status_code == 403
    assert app.test_client().get("/admin/").status_code == 302  # to login


@pytest.mark.parametrize("key", [None, "", "dev", "changeme", "short-key", "a" * 40])
def test_production_refuses_weak_secret_key(tmp_path, key):
    with pytest.raises(ConfigError):
        create_app({"ENV_NAME": "production", "SECRET_KEY": key,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"},
                   instance_path=str(tmp_path))


def test_development_generates_a_private_secret_key(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"},
                     instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == app.config["SECRET_KEY"] and len(app.config["SECRET_KEY"]) >= 32
    assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_content_security_policy_forbids_inline_script(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["object-src"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_holds_inline_script():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    inline = []
    for path in [*root.glob("themes/**/*.html"), *root.glob("loyalty_plugins/**/*.html")]:
        text = path.read_text()
        inline += [str(path) for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag]
        inline += [str(path) for _ in re.findall(r"\son[a-z]+=\"", text)]
        inline += [str(path) for _ in re.findall(r"javascript:", text)]
    assert inline == []
