"""The owner tries points settings with "What if" in a real browser: the comparison shows, the
saved settings stay, and the page passes the axe-core accessibility check (no critical
violations; serious ones are printed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hooks import utcnow
from storefront.imports.orders import import_orders
from storefront.plugins.state import stored_settings
from tests.points_support import loyalty_app
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe

pytestmark = BROWSER_ON_SQLITE


def test_owner_compares_points_settings_without_saving_them(browser, make_app, shop, tmp_path,
                                                            capsys):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = loyalty_app(make_app, settings={"points": {"earn_per_unit": "1"}})
    history = tmp_path / "history.csv"
    history.write_text("order,email,date,total\n" + "".join(
        f"h{n},h{n}@example.com,{(utcnow() - timedelta(days=10 * n + 1)).isoformat()},20.00\n"
        for n in range(3)))
    with app.app_context():
        assert import_orders(history).imported == 3
        saved = stored_settings("points")
    shop.create_user("boss@example.com", role="owner", name="Boss")
    with live_server(app) as server:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        try:
            log_in(page, server, "boss@example.com")
            page.goto(server("/admin/plugins/points"))
            page.get_by_label("Points per currency unit").fill("2")
            page.get_by_label('Months of past orders for "What if"').fill("6")
            page.get_by_role("button", name="What if").click()
            comparison = page.get_by_role("table", name="Points")
            expect(page.get_by_role("heading", name="What if: the last 6 months of orders")
                   ).to_be_visible()
            earned = comparison.get_by_role("row", name="Points earned (less refunds)")
            expect(earned).to_contain_text("60")  # three orders of 20.00 at 1 a unit
            expect(earned).to_contain_text("120")
            expect(earned).to_contain_text("+60")
            expect(page.get_by_label("Points per currency unit")).to_have_value("2")
            violations = run_axe(page, script)
            page.goto(server("/admin/plugins/points"))
            expect(page.get_by_label("Points per currency unit")).to_have_value("1")
        finally:
            context.close()
    with app.app_context():
        assert stored_settings("points") == saved
    with capsys.disabled():
        for v in violations:
            if v["impact"] in ("critical", "serious"):
                print(f"\n[axe what-if] {v['impact']}: {v['id']}: {v['help']} at {v['targets']}")
    assert [v for v in violations if v["impact"] == "critical"] == []
