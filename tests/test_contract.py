"""The contract's version, and plugins that declare which versions they work with."""

import html
import importlib.util
import logging
from pathlib import Path

import pytest
from packaging.version import Version

import hooks
from hooks import NavLink, hookimpl
from storefront.cli import main
from storefront.plugins.contract import contract_problem
from storefront.plugins.registry import describe
from tests.support import sample_plugins as sp
from tests.support.forms import post_form

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


class Versioned:
    """A plugin with a nav link that declares ``storefront_contract``."""

    def __init__(self, name: str, contract: object):
        self.name = name
        self.storefront_contract = contract

    @hookimpl
    def shop_nav_links(self, customer):
        return [NavLink(label=f"{self.name} link", url=f"/plugins/{self.name}/")]


def future_message(name: str) -> str:
    return (f"plugin {name} supports contract >=3.0 but this shop offers 2.7; upgrade "
            f"Storefront or install a version of {name} made for 2.7.")


def cli(app, *args):
    return app.test_cli_runner().invoke(main, list(args))


def owner(app, shop):
    shop.app = app
    shop.create_user("boss@example.com", role="owner")
    client = app.test_client()
    shop.login(client, "boss@example.com", PASSWORD)
    return client


def test_the_contract_has_a_version_string_and_a_comparable_form():
    assert hooks.__version__ == "2.7"
    assert Version(hooks.__version__) == hooks.CONTRACT_VERSION
    assert Version("1.0") < hooks.CONTRACT_VERSION < Version("2.8")


def test_a_plugin_on_by_configuration_outside_its_range_counts_as_disabled(make_app, caplog):
    with caplog.at_level(logging.WARNING, logger="storefront.plugins"):
        app = make_app(EXTRA_PLUGINS=[Versioned("future", ">=3.0"),
                                      Versioned("current", ">=2.0,<3")])
        page = app.test_client().get("/").get_data(as_text=True)
        listing = cli(app, "plugins", "list").output
    assert "current link" in page and "future link" not in page
    assert "enabled  current" in listing and "contract: >=2.0,<3" in listing
    assert "disabled future" in listing and "contract: >=3.0" in listing
    assert f"cannot be enabled: {future_message('future')}" in listing
    warnings = [r.getMessage() for r in caplog.records if "plugin future" in r.getMessage()]
    assert warnings == [f"{future_message('future')} It stays disabled."]  # once, at start


def test_enabling_a_plugin_outside_its_range_is_refused_on_the_command_line(make_app):
    app = make_app(EXTRA_PLUGINS=[Versioned("future", ">=3.0")])
    refused = cli(app, "plugins", "enable", "future")
    assert refused.exit_code == 1
    assert refused.output.strip() == f"Error: {future_message('future')}"
    assert "disabled future" in cli(app, "plugins", "list").output


def test_a_plugin_enabled_before_it_was_upgraded_past_the_shop_counts_as_disabled(make_app):
    assert cli(make_app(EXTRA_PLUGINS=[Versioned("chrono", ">=2.0,<3")]),
               "plugins", "enable", "chrono").exit_code == 0
    upgraded = make_app(EXTRA_PLUGINS=[Versioned("chrono", ">=3.0")])
    assert "chrono link" not in upgraded.test_client().get("/").get_data(as_text=True)
    assert "disabled chrono" in cli(upgraded, "plugins", "list").output


def test_the_admin_enable_button_shows_why_and_the_plugin_stays_off(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[Versioned("future", ">=3.0")])
    client = owner(app, shop)
    listing = html.unescape(client.get("/admin/plugins").get_data(as_text=True))
    assert "<td>>=3.0</td>" in listing
    assert future_message("future") in listing
    answer = post_form(client, "/admin/plugins", "/admin/plugins/future/enable", {},
                       follow_redirects=True)
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.request.path == "/admin/plugins/future"
    assert page.count(future_message("future")) == 2  # the flash and the page's own note
    assert 'data-testid="plugin-state">Disabled<' in page
    assert "disabled future" in cli(app, "plugins", "list").output


@pytest.mark.parametrize("declared, message", [
    ("<2", "plugin past supports contract <2 but this shop offers 2.7; install a version "
           "of past made for 2.7."),
    ("==1.*", "plugin past supports contract ==1.* but this shop offers 2.7; install a "
              "version of past made for 2.7."),
    ("version two", "plugin past declares storefront_contract = 'version two', which is "
                    "not a range of contract versions such as '>=2.7,<3'; ask the plugin's "
                    "author for a version that declares a valid range."),
    (2.0, "plugin past declares storefront_contract = 2.0, which is not a range"),
])
def test_an_older_range_or_a_declaration_that_cannot_be_read_is_named(make_app, declared,
                                                                        message):
    app = make_app(EXTRA_PLUGINS=[Versioned("past", declared)])
    refused = cli(app, "plugins", "enable", "past")
    assert refused.exit_code == 1 and message in refused.output, refused.output
    assert "upgrade Storefront" not in refused.output
    assert "past link" not in app.test_client().get("/").get_data(as_text=True)


def test_a_plugin_that_declares_nothing_works_with_any_version(make_app):
    app = make_app(EXTRA_PLUGINS=[sp.Discounter()])
    listing = cli(app, "plugins", "list").output
    assert "enabled  discounter" in listing and "contract: any (not declared)" in listing


def test_built_in_and_example_plugins_declare_a_range_that_holds_this_contract(make_app):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)
    declared = {info.name: info.contract
                for info in describe(app.extensions["storefront.plugins"])
                if info.package == "storefront"}
    path = ROOT / "examples" / "free-gift" / "storefront_free_gift" / "plugin.py"
    spec = importlib.util.spec_from_file_location("free_gift_example", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assert set(declared) >= {"cards", "community", "events", "points", "tiers"}
    # Each starts at the version that added what it uses: number() of 2.3; spreadsheet_safe()
    # (events) of 2.4; order_history()'s payment column of 2.5; N_() (welcome, rewards,
    # insights, complaints), hooks.quote() (points, tiers), OrderView's delivery_key and
    # card_fingerprint (referrals), the members' join date (birthdays) and
    # shop_message_kinds() (statements, surveys) of 2.6; shop_staff_customer_panels() (all
    # but community) of 2.7.
    assert declared == {"cards": ">=2.7,<3", "community": ">=2.3,<3", "tiers": ">=2.7,<3",
                        "points": ">=2.7,<3", "events": ">=2.7,<3", "insights": ">=2.7,<3",
                        "welcome": ">=2.7,<3", "rewards": ">=2.7,<3", "referrals": ">=2.7,<3",
                        "birthdays": ">=2.7,<3", "statements": ">=2.7,<3", "surveys": ">=2.7,<3",
                        "complaints": ">=2.7,<3"}
    assert example.storefront_contract == ">=2.2,<3"  # it uses the 2.2 gettext functions
    assert contract_problem("free_gift", example) is None
    assert "cannot be enabled" not in cli(app, "plugins", "list").output


def test_a_scaffolded_plugin_declares_the_range_of_this_contract(app, tmp_path):
    assert cli(app, "plugins", "new", "gift_wrap", "--dir", str(tmp_path)).exit_code == 0
    module = tmp_path / "storefront-gift-wrap" / "storefront_gift_wrap" / "plugin.py"
    assert 'storefront_contract = ">=2.7,<3"' in module.read_text()
