"""List and table settings: typed on the command line as JSON, edited in the admin form."""

import json

import pytest

from storefront.cli import main
from tests.support import sample_plugins as sp
from tests.support.forms import post_form

PASSWORD = "correct horse battery"
DEALS = [{"sku": "COF-ETH-250", "label": "Ethiopia deal", "off": 2, "min_quantity": 2,
          "tags": ["coffee", "light"]},
         {"sku": "TEA-SEN-100", "label": "Sencha deal", "off": "0.50", "audience": "members"}]


def cli(app, *args):
    return app.test_cli_runner().invoke(main, list(args))


def as_json(app) -> dict:
    result = cli(app, "plugins", "settings", "deals", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def squeezed(text: str) -> str:
    """Aligned output with every run of spaces made one."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


@pytest.fixture
def app(make_app):
    return make_app(EXTRA_PLUGINS=[sp.Deals()])


@pytest.fixture
def owner(app, shop):
    shop.create_user("boss@example.com", role="owner")
    client = app.test_client()
    shop.login(client, "boss@example.com", PASSWORD)
    return client


def test_lists_and_tables_are_set_as_json_and_shown_readably(app, shop):
    result = cli(app, "plugins", "settings", "deals", f"deals={json.dumps(DEALS)}",
                 'hashtags=["beans", "roast"]', "sizes=[250, 1000]")
    assert result.exit_code == 0, result.output
    out = squeezed(result.output)
    assert "deals = # table; One row per product." in out
    assert "row sku label off min_quantity audience loud tags" in out
    assert "1 COF-ETH-250 Ethiopia deal 2.00 2 all false coffee, light" in out
    assert "2 TEA-SEN-100 Sencha deal 0.50 1 members false" in out
    assert "hashtags = beans, roast # list of text" in out and "sizes = 250, 1000" in out

    client = app.test_client()
    shop.add(client, "COF-ETH-250", 2)
    shop.add(client, "TEA-SEN-100")
    cart = client.get("/cart").get_data(as_text=True)
    assert "Ethiopia deal" in cart and "−€4.00" in cart  # 2.00 off each of two
    assert "Sencha deal" not in cart  # for members only


def test_the_json_listing_is_what_the_command_takes_back(app):
    cli(app, "plugins", "settings", "deals", f"deals={json.dumps(DEALS)}")
    listed = as_json(app)
    assert listed["deals"][0] == {"sku": "COF-ETH-250", "label": "Ethiopia deal", "off": "2.00",
                                  "min_quantity": "2", "audience": "all", "loud": "false",
                                  "tags": ["coffee", "light"]}
    assert listed["hashtags"] == ["coffee"] and listed["sizes"] == []  # the defaults
    again = cli(app, "plugins", "settings", "deals", f"deals={json.dumps(listed['deals'])}")
    assert again.exit_code == 0 and as_json(app) == listed


@pytest.mark.parametrize("assignment, messages", [
    ('deals=[{"sku": "A", "label": "x", "off": "abc"},'
     ' {"sku": "A", "label": "", "off": 1, "min_quantity": 0, "colour": "red"}, "a row?"]',
     ["deals.deals: row 1, off: must be an amount like 12.50",
      "row 2, colour: is not a column of this table (its columns are sku, label, off,",
      "row 2, label: is required", "row 2, min_quantity: must be at least 1",
      "row 2, sku: A is already used in row 1; each row needs its own sku",
      'row 3: must be a row of named cells, like {"sku": ...}']),
    ('deals=[{"sku": "A", "label": "x", "off": 1, "tags": "coffee"}]',
     ["deals.deals: row 1, tags: must be a list of items"]),
    ('deals=[{"sku": ["A"], "label": "x", "off": 1}]',
     ["deals.deals: row 1, sku: must be a single value, not a list"]),
    ('deals={"sku": "A"}', ["deals.deals: must be a list of rows"]),
    ('deals=[{"sku": "A", ', ['deals.deals: must be JSON like [{"sku": ..., "label": ...']),
    ('hashtags=["a", "a", ""]',
     ["deals.hashtags: item 2: a is already item 1; each item may appear only once; "
      "item 3: is empty"]),
    ('sizes=[1, "x", 0]',
     ["deals.sizes: item 2: must be a whole number; item 3: must be at least 1"]),
])
def test_every_problem_names_the_field_row_and_column_and_nothing_is_saved(app, assignment,
                                                                            messages):
    cli(app, "plugins", "settings", "deals", f"deals={json.dumps(DEALS)}")
    before = as_json(app)
    result = cli(app, "plugins", "settings", "deals", "hashtags=[\"fine\"]", assignment)
    assert result.exit_code != 0
    for message in messages:
        assert message in result.output, result.output
    assert as_json(app) == before


def test_owner_edits_a_table_and_a_list_in_the_admin_form(app, owner):
    cli(app, "plugins", "settings", "deals", f"deals={json.dumps(DEALS[:1])}")
    page = owner.get("/admin/plugins/deals").get_data(as_text=True)
    assert 'name="deals-0-sku" value="COF-ETH-250"' in page
    assert 'name="deals-1-sku" value=""' in page  # an empty row to fill in
    assert 'name="deals-remove" value="0"' in page and 'settings.js' in page
    assert ">coffee</textarea>" in page

    saved = post_form(owner, "/admin/plugins/deals", "/admin/plugins/deals/settings", {
        "deals-0-sku": "COF-ETH-250", "deals-0-label": "Ethiopia deal", "deals-0-off": "3.00",
        "deals-0-tags": "coffee, light",
        "deals-1-sku": "EQP-KTL-01", "deals-1-label": "Kettle deal", "deals-1-off": "5",
        "deals-1-audience": "members", "deals-1-loud": "true",
        "deals-2-sku": "", "deals-2-label": "",  # an empty row: ignored
        "hashtags": "beans\n\n roast \n"})
    assert saved.status_code == 303
    listed = as_json(app)
    assert [(row["sku"], row["off"], row["audience"], row["loud"], row["tags"])
            for row in listed["deals"]] == [
        ("COF-ETH-250", "3.00", "all", "false", ["coffee", "light"]),
        ("EQP-KTL-01", "5.00", "members", "true", [])]
    assert listed["hashtags"] == ["beans", "roast"]

    removed = post_form(owner, "/admin/plugins/deals", "/admin/plugins/deals/settings", {
        "deals-0-sku": "COF-ETH-250", "deals-0-label": "Ethiopia deal", "deals-0-off": "3.00",
        "deals-1-sku": "EQP-KTL-01", "deals-1-label": "Kettle deal", "deals-1-off": "5",
        "deals-remove": "0", "hashtags": "beans"})
    assert removed.status_code == 303
    assert [row["sku"] for row in as_json(app)["deals"]] == ["EQP-KTL-01"]


def test_a_bad_cell_is_shown_with_its_row_and_column_and_nothing_is_saved(app, owner):
    cli(app, "plugins", "settings", "deals", f"deals={json.dumps(DEALS[:1])}")
    before = as_json(app)
    bad = post_form(owner, "/admin/plugins/deals", "/admin/plugins/deals/settings", {
        "deals-0-sku": "COF-ETH-250", "deals-0-label": "Ethiopia deal", "deals-0-off": "3.00",
        "deals-remove": "0",
        "deals-1-sku": "EQP-KTL-01", "deals-1-label": "Kettle deal", "deals-1-off": "abc",
        "hashtags": "beans"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "row 1, off: must be an amount like 12.50" in page  # numbered as shown again
    assert 'name="deals-0-off" value="abc"' in page and "Ethiopia deal" not in page
    assert ">beans</textarea>" in page
    assert as_json(app) == before


def test_the_settings_form_needs_its_csrf_token(app, owner):
    answer = owner.post("/admin/plugins/deals/settings", data={"deals-0-sku": "X"})
    assert answer.status_code == 400
