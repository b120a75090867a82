"""The insights pages in a real browser, in both themes: the overview, a segment, the Pareto
curve and the trends render with their tables and charts (drawn, not empty), with JavaScript
off too, and axe-core finds no accessibility problem on them. Screenshots go to
test-artifacts/insights/."""

from __future__ import annotations

from datetime import datetime

import pytest

from loyalty_plugins.insights.snapshot import refresh
from tests.conftest import Shop
from tests.points_support import loyalty_app
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import ARTIFACTS, TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe
from tests.test_insights_charts import HISTORY, write_history

pytestmark = BROWSER_ON_SQLITE

SCREENSHOTS = ARTIFACTS / "insights"
# name: (path, the table's test id, the charts' test ids)
PAGES = {
    "overview": ("/plugins/insights/", "segments", ()),
    "pareto": ("/plugins/insights/pareto", "pareto-points", ("pareto-chart",)),
    "trends": ("/plugins/insights/trends?from=2023-11&to=2024-06", "trends-months",
               tuple(f"trends-chart-{name}"
                     for name in ("customers", "orders", "revenue", "repurchase"))),
    "profitability": ("/plugins/insights/profitability?from=2023-11-01&to=2024-06-01",
                      "profitability", ()),
}


def _check(page, name, table, charts, expect):
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id(table)).to_be_visible()
    assert page.get_by_test_id(table).locator("tbody tr").count() > 0, name
    for chart in charts:
        drawing = page.get_by_test_id(chart).locator("svg[role=img]")
        expect(drawing).to_be_visible()
        box = drawing.bounding_box()
        assert box["width"] > 300 and box["height"] > 100, (name, chart, box)
        assert drawing.locator("path.line, rect.rect").count() > 0, (name, chart)


@pytest.mark.parametrize("theme", ["default", "market"])
def test_insights_pages_show_tables_and_charts_and_pass_axe(browser, make_app, tmp_path, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = loyalty_app(make_app, plugins=("insights",), THEME=theme)
    write_history(app, tmp_path, HISTORY)
    with app.app_context():
        refresh(datetime(2024, 6, 1))
    Shop(app).create_user("owner@example.com", role="owner")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    findings = {}
    with live_server(app) as server:
        for scripts in (True, False):
            # bypass_csp: the shop forbids inline script, and axe is injected as one.
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          bypass_csp=True, java_script_enabled=scripts)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            log_in(page, server, "owner@example.com")
            for name, (path, table, charts) in PAGES.items():
                assert page.goto(server(path)).status == 200, path
                _check(page, name, table, charts, expect)
                if not scripts:
                    continue
                page.screenshot(path=str(SCREENSHOTS / f"{theme}-{name}.png"), full_page=True)
                findings[name] = run_axe(page, script)
                if name == "overview":  # a segment: the first that has customers
                    page.get_by_test_id("segments").locator("tbody a").first.click()
                    _check(page, "segment", "segment-customers", (), expect)
                    page.screenshot(path=str(SCREENSHOTS / f"{theme}-segment.png"),
                                    full_page=True)
                    findings["segment"] = run_axe(page, script)
            context.close()
    assert findings and not any(findings.values()), findings
