"""Both themes in a real browser: full-page screenshots of the main pages and an automated
accessibility check with axe-core (no critical violations; serious ones are printed).

axe-core comes from the npm registry into .cache/axe/ (git-ignored) the first time; without
npm, or without network on that first run, the test is skipped with the reason.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.points_support import PASSWORD, loyalty_app, member
from tests.support.forms import post_form
from tests.support.live_server import CHROMIUM, live_server
from tests.test_browser import ARTIFACTS, TIMEOUT_MS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"browser tests need Debian's Chromium at {CHROMIUM} "
                              "(apt-get install chromium); `playwright install` is not used"),
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]

ROOT = Path(__file__).resolve().parent.parent
AXE_DIR = ROOT / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_SPEC = "axe-core@4"
SCREENSHOTS = ARTIFACTS / "themes"
PAGES = {  # name: path; from "account" on, pages are visited logged in as a member
    "home": "/",
    "product": "/products/ethiopia-yirgacheffe",
    "page": "/pages/about",
    "community": "/community/",
    "article": "/community/pour-over-basics",
    "account": "/account",
    "discussion": "/community/pour-over-basics",
}


def axe_script() -> Path:
    """axe.min.js, installed once with npm into .cache/axe (a lock keeps xdist workers apart)."""
    if AXE_JS.exists():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"the accessibility check needs npm to install {AXE_SPEC} into {AXE_DIR}")
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    with open(AXE_DIR / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE_JS.exists():
            try:
                done = subprocess.run(
                    [npm, "install", "--prefix", str(AXE_DIR), "--no-save", "--no-audit",
                     "--no-fund", "--loglevel=error", AXE_SPEC],
                    capture_output=True, text=True, timeout=300, check=False)
            except subprocess.TimeoutExpired:
                pytest.skip(f"npm install {AXE_SPEC} timed out (no network?)")
            if done.returncode != 0 or not AXE_JS.exists():
                pytest.skip(f"npm install {AXE_SPEC} failed (no network?): "
                            f"{(done.stderr or done.stdout).strip()[-500:]}")
    return AXE_JS


def run_axe(page, script: Path) -> list[dict]:
    page.add_script_tag(path=str(script))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return result


@pytest.mark.parametrize("theme", ["default", "market"])
def test_theme_pages_screenshots_and_accessibility(browser, make_app, theme, capsys):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    from tests.conftest import Shop

    script = axe_script()
    app = loyalty_app(make_app, plugins=("points", "tiers", "community"), THEME=theme)
    shop = Shop(app)
    client, _user_id = member(app, shop, email="mia@example.com", name="Mia")
    shop.add(client, "COF-ETH-250", 2)
    shop.checkout(client, email="mia@example.com")  # the account lists an order
    post_form(client, "/community/pour-over-basics", "/community/pour-over-basics/comments",
              {"body": "A finer grind worked for me, **thanks**!"})  # a comment to show
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    findings: dict[str, list[dict]] = {}
    with live_server(app) as server:
        # bypass_csp: the shop forbids inline script, and axe is injected as one.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        page = context.new_page()
        try:
            for name, path in PAGES.items():
                if name == "account":
                    page.goto(server("/login"))
                    page.get_by_label("Email").fill("mia@example.com")
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Log in").click()
                    expect(page.get_by_role("link", name="My account")).to_be_visible()
                response = page.goto(server(path))
                assert response is not None and response.status == 200, (theme, path)
                expect(page.get_by_role("heading", level=1)).to_be_visible()
                market_css = page.locator('link[href="/static/market.css"]')
                expect(market_css).to_have_count(1 if theme == "market" else 0)
                if name == "account":
                    expect(page.get_by_test_id("tier-name")).to_be_visible()
                page.screenshot(path=str(SCREENSHOTS / f"{theme}-{name}.png"), full_page=True)
                findings[name] = run_axe(page, script)
        finally:
            context.close()

    with capsys.disabled():  # serious ones are reported, critical ones fail the test
        for name, violations in findings.items():
            for v in violations:
                if v["impact"] in ("critical", "serious"):
                    print(f"\n[axe {theme}/{name}] {v['impact']}: {v['id']}: {v['help']} "
                          f"at {v['targets']}")
    critical = {name: [v for v in violations if v["impact"] == "critical"]
                for name, violations in findings.items()}
    assert not any(critical.values()), critical
    for name in PAGES:
        assert (SCREENSHOTS / f"{theme}-{name}.png").stat().st_size > 0
