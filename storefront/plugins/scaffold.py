"""`storefront plugins new NAME`: an installable plugin package that passes its own test."""

from __future__ import annotations

import re
from pathlib import Path

from storefront.plugins.contract import RANGE_FOR_NEW_PLUGINS

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class ScaffoldError(ValueError):
    pass


PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "storefront-{dash}"
version = "0.1.0"
description = "{title}: a Storefront loyalty plugin"
requires-python = ">=3.11"
dependencies = ["storefront"]

[project.entry-points."storefront.plugins"]
{name} = "{module}.plugin"

[tool.setuptools]
packages = ["{module}"]

[tool.setuptools.package-data]
{module} = ["templates/*/*.html"]
'''

PLUGIN = '''"""{title}: gives members a discount and shows them a panel on their account page."""

from decimal import Decimal

from hooks import Adjustment, FieldType, Panel, SettingField, hookimpl, plugin_settings
from hooks import render_template

NAME = "{name}"
# The versions of Storefront's plugin contract (hooks.__version__) this plugin works with:
# the shop refuses to enable it under any other.
storefront_contract = "{contract}"


@hookimpl
def shop_settings_schema():
    return [
        SettingField("percent", FieldType.DECIMAL, default=Decimal("5"), min=Decimal(0),
                     max=Decimal(100), help="Discount for members, in percent."),
    ]


@hookimpl
def shop_cart_adjustments(cart, customer):
    percent = plugin_settings(NAME)["percent"]
    if not customer.is_member or not percent:
        return []
    return [Adjustment(plugin=NAME, code="member", label=f"{title} ({{percent}}% off)",
                       percent=percent, reason="member discount")]


@hookimpl
def shop_account_panels(customer):
    html = render_template("{name}/panel.html", percent=plugin_settings(NAME)["percent"])
    return [Panel(title="{title}", html=html)]
'''

PANEL = '''<p>As a member you get {{{{ percent }}}}% off every order.</p>
'''

TEST = '''import pytest


@pytest.fixture
def storefront_plugins():
    return ["{name}"]


def test_members_get_the_discount(member_client, cart_with):
    cart_with(member_client, {{"TEST-A": 2}})
    page = member_client.get("/cart").get_data(as_text=True)
    assert "{title} (5% off)" in page and "€1.00" in page


def test_guests_do_not(storefront_client, cart_with):
    cart_with(storefront_client, {{"TEST-A": 2}})
    assert "% off" not in storefront_client.get("/cart").get_data(as_text=True)


def test_account_panel(member_client):
    assert "5% off every order" in member_client.get("/account").get_data(as_text=True)
'''

README = '''# storefront-{dash}

A Storefront plugin. Install it next to the shop and switch it on:

    pip install -e .
    storefront plugins enable {name}
    storefront plugins settings {name} percent=7.5

Run its tests (the fixtures come from Storefront's pytest plugin): `pytest`
'''


def scaffold(name: str, folder: Path) -> Path:
    if not NAME_RE.match(name):
        raise ScaffoldError(f"{name!r}: use 2-41 lowercase letters, digits and underscores, "
                            "starting with a letter")
    dash = name.replace("_", "-")
    module = f"storefront_{name}"
    root = folder / f"storefront-{dash}"
    if root.exists():
        raise ScaffoldError(f"{root} already exists")
    title = name.replace("_", " ").title()
    values = {"name": name, "dash": dash, "module": module, "title": title,
              "contract": RANGE_FOR_NEW_PLUGINS}
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"{module}/__init__.py": '"""{title} plugin for Storefront."""\n',
        f"{module}/plugin.py": PLUGIN,
        f"{module}/templates/{name}/panel.html": PANEL,
        "tests/test_plugin.py": TEST,
    }
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values))
    return root
