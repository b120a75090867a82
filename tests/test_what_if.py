"""The "What if" of a plugin's settings page (contract 2.5, ``shop_settings_what_if``): the
owner tries settings on past orders before saving them. Tested with a plugin written as a
third party writes one: the shop validates the form as for saving, saves nothing, asks only
that plugin, and shows its tables; only the owner reaches it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hooks import (
    FieldType,
    SettingField,
    WhatIf,
    WhatIfRow,
    hookimpl,
    order_history,
    session,
    utcnow,
)
from hooks.testing import flash_messages
from storefront.imports.orders import import_orders
from storefront.plugins.state import save_settings, stored_settings
from tests.support.forms import post_form
from tests.test_admin import staff_client

PAGE = "/admin/plugins/gifts"
WHAT_IF = f"{PAGE}/what-if"


class Gifts:
    """A free gift on every order from a minimum, and what it would have cost."""

    name = "gifts"
    storefront_contract = ">=2.5,<3"
    asked: list = []

    @hookimpl
    def shop_settings_schema(self):
        return [SettingField("minimum", FieldType.MONEY, default=5000, min=1),
                SettingField("gift_cost", FieldType.MONEY, default=300),
                SettingField("note", FieldType.TEXT, default="")]

    @hookimpl
    def shop_settings_what_if(self, current, candidate, since):
        self.asked.append((current, candidate, since))
        history = order_history()

        def gifts(settings):
            return session().scalar(select(func.count()).where(
                history.c.placed_at >= since, history.c.total >= settings["minimum"]))

        now, then = gifts(current), gifts(candidate)
        return [WhatIf("Free gifts", (
            WhatIfRow("Gifts given", now, then),
            WhatIfRow("Their cost", now * current["gift_cost"], then * candidate["gift_cost"],
                      money=True),
            WhatIfRow("Not in one ladder", None, 3),
        ), note="Orders of the period that reach the minimum.")]


class Broken:
    name = "broken"

    @hookimpl
    def shop_settings_schema(self):
        return [SettingField("level", FieldType.INTEGER, default=1)]

    @hookimpl
    def shop_settings_what_if(self, current, candidate, since):
        raise RuntimeError("no history for you")


class Plain:
    name = "plain"

    @hookimpl
    def shop_settings_schema(self):
        return [SettingField("level", FieldType.INTEGER, default=1)]


@pytest.fixture
def app(make_app, tmp_path):
    Gifts.asked = []
    app = make_app(EXTRA_PLUGINS=[Gifts(), Broken(), Plain()])
    now = utcnow()
    rows = ["order,email,date,total"]  # 80.00, 60.00 and 30.00 lately; 99.00 long ago
    rows += [f"g{n},g{n}@example.com,{(now - timedelta(days=days)).isoformat()},{total}"
             for n, (days, total) in enumerate([(5, "80.00"), (40, "60.00"), (70, "30.00"),
                                                (500, "99.00")])]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        assert import_orders(path).imported == 4
        save_settings("gifts", {"minimum": "50.00", "note": "kept"}, actor="test")
    return app


def cells(html: str, label: str) -> list[str]:
    row = html.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([\w-]+)-error">([^<]*)</p>', html))


def test_the_owner_compares_candidate_settings_and_nothing_is_saved(app, shop):
    owner = staff_client(app, shop, "owner")
    page = owner.get(PAGE).get_data(as_text=True)
    assert f'formaction="{WHAT_IF}#what-if"' in page and 'name="what-if-months" ' in page
    answer = post_form(owner, PAGE, WHAT_IF, {"minimum": "25.00", "gift_cost": "4.00",
                                              "note": "tried", "what-if-months": "3"})
    assert answer.status_code == 200, answer.status_code
    html = answer.get_data(as_text=True)
    assert "What if: the last 3 months of orders" in html
    assert "<caption>Free gifts</caption>" in html
    assert cells(html, "Gifts given") == ["2", "3", "+1"]  # 80.00, 60.00 | and 30.00
    assert cells(html, "Their cost") == ["€6.00", "€12.00", "+€6.00"]
    assert cells(html, "Not in one ladder") == ["–", "3", "–"]
    assert "Orders of the period that reach the minimum." in html
    # The form keeps the candidate, ready to save; the saved settings did not move.
    assert 'name="minimum" type="text" value="25.00"' in html and 'value="tried"' in html
    with app.app_context():
        assert stored_settings("gifts") == {"minimum": 5000, "gift_cost": 300, "note": "kept"}
    assert 'name="minimum" type="text" value="50.00"' in owner.get(PAGE).get_data(True)
    [(current, candidate, since)] = Gifts.asked
    assert current["minimum"] == 5000 and candidate == {"minimum": 2500, "gift_cost": 400,
                                                        "note": "tried"}
    assert timedelta(days=89) < utcnow() - since < timedelta(days=93)


def test_twelve_months_unless_the_owner_says_otherwise_and_in_spanish(app, shop):
    owner = staff_client(app, shop, "owner")
    answer = post_form(owner, PAGE, WHAT_IF, {"minimum": "25.00", "gift_cost": "3.00"},
                       headers={"Accept-Language": "es"})
    html = answer.get_data(as_text=True)
    assert "¿Y si…? Los últimos 12 meses de pedidos" in html
    assert "Ajustes actuales" in html and "Diferencia" in html
    assert cells(html, "Their cost") == ["6,00\xa0€", "9,00\xa0€", "+3,00\xa0€"]


def test_invalid_candidates_get_the_errors_saving_gives(app, shop):
    owner = staff_client(app, shop, "owner")
    bad = {"minimum": "0", "gift_cost": "3.999", "what-if-months": "12"}
    saving = post_form(owner, PAGE, f"{PAGE}/settings", bad)
    trying = post_form(owner, PAGE, WHAT_IF, bad)
    assert saving.status_code == trying.status_code == 400
    found = errors(trying.get_data(as_text=True))
    assert found == errors(saving.get_data(as_text=True)) and set(found) == {
        "setting-minimum", "setting-gift_cost"}
    assert 'data-testid="what-if"' not in trying.get_data(as_text=True)
    [(kind, text)] = flash_messages(trying.get_data(as_text=True))
    assert kind == "error" and text.startswith("No what-if until the settings are valid: ")
    months = post_form(owner, PAGE, WHAT_IF, {"minimum": "25.00", "what-if-months": "0"})
    assert months.status_code == 400
    assert errors(months.get_data(as_text=True)) == {"what-if-months": "must be at least 1"}
    assert Gifts.asked == []
    with app.app_context():
        assert stored_settings("gifts")["minimum"] == 5000


def test_a_failing_plugin_is_named_in_the_log_and_the_page_still_renders(app, shop, caplog):
    owner = staff_client(app, shop, "owner")
    answer = post_form(owner, "/admin/plugins/broken", "/admin/plugins/broken/what-if",
                       {"level": "2"})
    assert answer.status_code == 200
    assert "could not work out the what-if" in answer.get_data(as_text=True)
    assert "plugin broken failed in shop_settings_what_if" in caplog.text
    assert Gifts.asked == []  # only the plugin whose page it is is asked


def test_no_what_if_button_for_a_plugin_without_the_hook(app, shop):
    owner = staff_client(app, shop, "owner")
    assert "what-if" not in owner.get("/admin/plugins/plain").get_data(as_text=True)
    answer = post_form(owner, "/admin/plugins/plain", "/admin/plugins/plain/what-if",
                       {"level": "2"})
    assert "The plugin has no figures for these settings." in answer.get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "manager", "customer"])
def test_only_the_owner_reaches_the_what_if(app, shop, role):
    client = staff_client(app, shop, role)
    answer = post_form(client, "/", WHAT_IF, {"minimum": "1.00"})
    assert answer.status_code == 403
    assert Gifts.asked == []


def test_a_guest_is_sent_to_log_in_and_a_post_without_its_token_is_refused(app, shop):
    guest = app.test_client()
    answer = post_form(guest, "/login", WHAT_IF, {"minimum": "1.00"})
    assert answer.status_code in (302, 303) and "/login" in answer.headers["Location"]
    owner = staff_client(app, shop, "owner")
    assert owner.post(WHAT_IF, data={"minimum": "1.00"}).status_code == 400
    assert Gifts.asked == []
