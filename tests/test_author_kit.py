"""The kit for third-party authors: scaffold, pytest fixtures, discovery by entry point."""

import os
import runpy
import subprocess
import sys
import tomllib
import zipfile
from decimal import Decimal
from fnmatch import fnmatch
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import hooks
from hooks import FieldType, SettingField, hookimpl
from storefront import create_app
from storefront.cli import main
from storefront.plugins.registry import describe

ROOT = Path(__file__).resolve().parent.parent


def scaffolded(name: str, folder: Path) -> Path:
    """`storefront plugins new NAME --dir FOLDER`; it needs no shop, so no app either."""
    result = CliRunner().invoke(main, ["plugins", "new", name, "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / f"storefront-{name.replace('_', '-')}"


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args, "--quiet", "--no-deps",
                    "--no-build-isolation"], check=True, capture_output=True)


def test_scaffolded_plugins_install_side_by_side_and_pass_their_own_tests(tmp_path):
    packages = [scaffolded("gift_wrap", tmp_path), scaffolded("thank_you", tmp_path)]
    target = tmp_path / "site"
    pip("install", "--target", str(target), *map(str, packages))
    env = {**os.environ, "PYTHONPATH": str(target)}
    # Both plugins are installed in each test shop, so both migrate side by side.
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--import-mode=importlib", *(str(p / "tests") for p in packages)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "20 passed" in run.stdout and "skipped" not in run.stdout


def test_scaffolded_migration_follows_the_naming_rule(tmp_path):
    migrations = scaffolded("gift_wrap", tmp_path) / "storefront_gift_wrap" / "migrations"
    [script] = migrations.glob("*.py")
    assert script.name == "gift_wrap_0001_notes.py"
    module = runpy.run_path(str(script))
    assert module["revision"] == "gift_wrap_0001" and module["down_revision"] is None
    assert module["branch_labels"] == ("gift_wrap",) and module["depends_on"] == "0001"


def test_scaffolded_model_stamps_times_with_the_contracts_utcnow(tmp_path):
    models = (scaffolded("gift_wrap", tmp_path) / "storefront_gift_wrap" / "models.py").read_text()
    assert "from hooks import Model, utcnow" in models and "def utcnow" not in models
    assert "mapped_column(default=utcnow)" in models


def test_scaffolded_plugin_builds_a_wheel_with_its_templates_and_migrations(tmp_path):
    package = scaffolded("gift_wrap", tmp_path)
    pip("wheel", "--wheel-dir", str(tmp_path / "dist"), str(package))
    [wheel] = (tmp_path / "dist").glob("storefront_gift_wrap-0.1.0-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packed = set(archive.namelist())
    assert "storefront_gift_wrap/migrations/gift_wrap_0001_notes.py" in packed
    assert "storefront_gift_wrap/templates/gift_wrap/panel.html" in packed
    source = {path.relative_to(package).as_posix()
              for path in (package / "storefront_gift_wrap").rglob("*") if path.is_file()}
    assert source <= packed


def test_scaffolded_code_passes_the_projects_lint_rules(tmp_path):
    package = scaffolded("plugin_with_the_longest_name_allowed_here", tmp_path)
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated",
                          "--line-length", str(lint["line-length"]),
                          "--select", ",".join(lint["lint"]["select"]),
                          "--ignore", ",".join(lint["lint"]["ignore"]), "."],
                         cwd=package, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_scaffold_templates_are_in_storefronts_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["storefront"]
    templates = [path.relative_to(ROOT / "storefront").as_posix()
                 for path in (ROOT / "storefront" / "plugins" / "scaffold_template").iterdir()]
    assert [t for t in templates if not any(fnmatch(t, p) for p in patterns)] == []


def test_scaffold_refuses_bad_names_and_existing_folders(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(main, ["plugins", "new", "Bad-Name", "--dir", str(tmp_path)])
    assert bad.exit_code != 0 and "lowercase" in bad.output
    scaffolded("twice", tmp_path)
    again = runner.invoke(main, ["plugins", "new", "twice", "--dir", str(tmp_path)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_example_plugin_is_found_through_the_entry_point_only(tmp_path):
    names = {ep.name for ep in entry_points(group=hooks.ENTRY_POINT_GROUP)}
    if "free_gift" not in names:
        pytest.skip("examples/free-gift is not installed (make test installs it)")
    app = create_app({"SECRET_KEY": "k" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"},
                     instance_path=str(tmp_path))
    info = {i.name: i for i in describe(app.extensions["storefront.plugins"])}["free_gift"]
    assert info.package == "storefront-free-gift" and info.version == "1.0.0"
    assert "shop_cart_adjustments" in info.hooks
    assert [f.name for f in info.settings] == ["threshold", "gift_sku"]


def test_builtins_come_through_the_same_entry_point_group():
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group=hooks.ENTRY_POINT_GROUP)}
    assert found["points"] == "loyalty_plugins.points.plugin"
    assert found["tiers"] == "loyalty_plugins.tiers.plugin"


# The kit's own fixtures, as a plugin's tests use them, on SQLite and PostgreSQL ------------


class OrderWatcher:
    """A plugin under test: it has settings and a command, refuses large quantities, and
    notes the order reactions it receives."""

    name = "watcher"

    def __init__(self):
        self.seen: list[tuple] = []

    @hookimpl
    def shop_settings_schema(self):
        return [SettingField("share", FieldType.DECIMAL, default=Decimal(1), min=Decimal(0),
                             max=Decimal(10), help="Share of each order, in percent.")]

    @hookimpl
    def shop_register_commands(self, cli):
        @cli.command("watcher-seen")
        def seen():
            click.echo(f"seen {len(self.seen)} reactions")

    @hookimpl
    def shop_validate_checkout(self, cart, customer):
        if any(line.quantity > 5 for line in cart.lines):
            return ["No more than 5 of one product, please."]
        return []

    @hookimpl
    def shop_order_paid(self, order_id):
        self.seen.append(("paid", order_id))

    @hookimpl
    def shop_order_cancelled(self, order_id, reason):
        self.seen.append(("cancelled", order_id))

    @hookimpl
    def shop_order_refunded(self, order_id, refund_id, amount):
        self.seen.append(("refunded", order_id, refund_id, amount))

    def offer_wrapping(self) -> None:
        """Sell gift wrapping through the cart, as the events plugin sells tickets."""
        hooks.offer_product("WATCH-WRAP", title="Gift wrapping", price=300, link="/")
        hooks.session().commit()


@pytest.fixture
def watcher():
    return OrderWatcher()


@pytest.fixture
def storefront_config(database_url, watcher):
    return {"SQLALCHEMY_DATABASE_URI": database_url, "EXTRA_PLUGINS": [watcher]}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_kit_clients_have_their_roles(storefront_client, member_client, staff_client,
                                      owner_client):
    assert storefront_client.get("/account").status_code == 302  # to the login page
    assert "Hello, Member" in page(member_client, "/account")
    assert member_client.get("/admin/").status_code == 403
    assert "Admin" in page(staff_client, "/admin/")
    assert staff_client.get("/admin/plugins").status_code == 403
    assert "watcher" in page(owner_client, "/admin/plugins")


def test_a_member_order_is_placed_paid_and_refunded_through_the_shop(
        watcher, member_client, place_order, pay_order, refund_order):
    order = place_order(member_client, {"TEST-A": 2, "TEST-C": 1})  # 24.50 + 4.90 shipping
    assert order.number in page(member_client, order.url)
    assert order.number in page(member_client, "/account/orders")
    pay_order(order)
    assert "Paid" in page(member_client, order.url)
    first = refund_order(order, 450, reason="one item was scratched")
    assert "Partly refunded" in page(member_client, order.url)
    rest = refund_order(order)
    assert "Refunded" in page(member_client, order.url)
    assert first.startswith("offline-") and rest != first
    assert watcher.seen == [("paid", order.id), ("refunded", order.id, first, 450),
                            ("refunded", order.id, rest, 2940 - 450)]


def test_a_guest_order_is_cancelled_by_the_owner(watcher, storefront_client, place_order,
                                                 cancel_order):
    order = place_order(storefront_client, {"TEST-B": 1}, email="guest@example.com")
    assert "Awaiting payment" in page(storefront_client, order.url)
    cancel_order(order.id)
    assert "Cancelled" in page(storefront_client, order.url)
    assert watcher.seen == [("cancelled", order.id)]


def test_a_product_a_plugin_offers_is_put_in_the_cart_and_ordered(
        watcher, storefront_app, member_client, cart_with, place_order):
    with storefront_app.app_context():
        watcher.offer_wrapping()
    order = place_order(member_client, {"WATCH-WRAP": 1, "TEST-A": 1})
    assert "Gift wrapping" in page(member_client, order.url)
    with pytest.raises(AssertionError, match="could not add NOPE: That product does not exist"):
        cart_with(member_client, {"NOPE": 1})


def test_the_helpers_fail_with_what_the_shop_answered(member_client, storefront_client,
                                                     place_order, pay_order, cancel_order):
    with pytest.raises(AssertionError, match="no order placed: .*required"):
        place_order(member_client, {"TEST-A": 1}, name="")
    with pytest.raises(AssertionError, match="no order placed: No more than 5 of one product"):
        place_order(member_client, {"TEST-A": 5})  # 1 + 5 in the cart
    order = place_order(storefront_client, {"TEST-A": 1})
    pay_order(order)
    with pytest.raises(AssertionError, match="mark-paid of order .* not awaiting payment"):
        pay_order(order)
    with pytest.raises(AssertionError, match="Only an order awaiting payment"):
        cancel_order(order)


def test_settings_are_validated_as_in_the_admin_and_shown_by_the_cli(set_plugin_settings,
                                                                    storefront_cli):
    with pytest.raises(ValueError, match="watcher.share: must be at most 10"):
        set_plugin_settings("watcher", share="11")
    set_plugin_settings("watcher", share="2.5")
    result = storefront_cli(["plugins", "settings", "watcher"])
    assert result.exit_code == 0, result.output
    assert "share = 2.5" in result.output
    assert "enabled  watcher" in storefront_cli(["plugins", "list"]).output
    assert storefront_cli(["watcher-seen"]).output == "seen 0 reactions\n"


def test_pytest_comes_with_the_author_extra_that_the_scaffold_and_the_guide_name(tmp_path):
    from packaging.requirements import Requirement

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert [Requirement(r).name for r in extras["author"]] == ["pytest"]
    generated = tomllib.loads((scaffolded("gift_wrap", tmp_path) / "pyproject.toml").read_text())
    [kit] = [Requirement(r) for r in generated["project"]["optional-dependencies"]["test"]]
    assert kit.name == "storefront" and kit.extras == {"author"}
    guide = (ROOT / "docs" / "plugins.md").read_text()
    assert 'pip install -e ".[test]"' in guide and 'pip install "storefront[author]"' in guide


def test_user_id_gives_the_id_of_a_test_account(storefront_app, member_client, account_client,
                                                user_id):
    account_client("Ana@Example.com", name="Ana")
    with storefront_app.app_context():
        assert hooks.get_customer(user_id("member@example.com")).name == "Member"
        assert hooks.get_customer(user_id("ana@example.com")).name == "Ana"
    assert user_id("member@example.com") != user_id("ana@example.com")
    with pytest.raises(AssertionError, match="no account nobody@example.com"):
        user_id("nobody@example.com")


@pytest.fixture
def dollars_in_the_environment(monkeypatch):
    monkeypatch.setenv("STOREFRONT_CURRENCY", "USD")


def test_the_test_shop_has_the_documented_settings(dollars_in_the_environment, storefront_app,
                                                   storefront_client):
    from storefront.config import active_provider_name

    config = storefront_app.config
    assert (config["CURRENCY"], config["SHIPPING_FEE"], config["FREE_SHIPPING_FROM"],
            config["SHOP_TIMEZONE"], config["MAX_DISCOUNT_PERCENT"], config["MAIL_BACKEND"],
            config["BASE_URL"]) == ("EUR", 490, 5000, "UTC", 100, "file", "http://localhost")
    with storefront_app.app_context():
        assert active_provider_name() == "offline"
    assert "€10.00" in page(storefront_client, "/products/test-a")


def test_post_form_sends_the_pages_token_alone_when_no_form_there_posts_to_the_url(
        storefront_client):
    from hooks.testing import post_form

    added = post_form(storefront_client, "/login", "/cart/add", {"sku": "TEST-A"})
    assert added.status_code == 303 and added.headers["Location"].endswith("/cart")
    with pytest.raises(AssertionError, match="page has no CSRF token"):
        post_form(storefront_client, "/account", "/cart/add", {"sku": "TEST-A"})  # a redirect


class Guarded:
    """Routes behind each check a plugin may use, for "Who may open your pages"."""

    name = "guarded"

    @hookimpl
    def shop_register_blueprints(self):
        from flask import Blueprint
        from flask_login import login_required

        from storefront.orders.models import Order

        bp = Blueprint("guarded", __name__)

        @bp.get("/members")
        def members_only():
            if not hooks.current_customer().is_member:
                return hooks.forbidden("guarded.view")
            return "members"

        @bp.get("/staff")
        def staff_only():
            hooks.require_role("staff")
            return "staff"

        @bp.get("/orders/<int:order_id>")
        def own_order(order_id):
            return hooks.owned_or_404(Order, order_id).number

        @bp.get("/login-first")
        @login_required
        def login_first():
            return "welcome back"

        return [bp]


class TestWhatAGuestGets:
    @pytest.fixture
    def storefront_config(self, database_url):
        return {"SQLALCHEMY_DATABASE_URI": database_url, "EXTRA_PLUGINS": [Guarded()]}

    def test_each_check_answers_a_guest_and_a_member_as_the_guide_says(
            self, storefront_app, storefront_client, member_client, place_order):
        from hooks.testing import MEMBER_EMAIL, PASSWORD, post_form

        order = place_order(member_client, {"TEST-A": 1})
        guest, base = storefront_client, "/plugins/guarded"
        assert guest.get(f"{base}/members").status_code == 403
        assert guest.get(f"{base}/staff").status_code == 404
        assert guest.get(f"{base}/orders/{order.id}").status_code == 404
        sent = guest.get(f"{base}/login-first")
        assert sent.status_code == 302
        assert sent.headers["Location"] == "/login?next=%2Fplugins%2Fguarded%2Flogin-first"
        login = sent.headers["Location"]  # its form posts to the same address
        back = post_form(guest, login, login, {"email": MEMBER_EMAIL, "password": PASSWORD},
                         follow_redirects=True)
        assert back.get_data(as_text=True) == "welcome back"
        assert page(member_client, f"{base}/members") == "members"
        assert member_client.get(f"{base}/staff").status_code == 404
        assert page(member_client, f"{base}/orders/{order.id}") == order.number
