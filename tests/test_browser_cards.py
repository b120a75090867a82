"""The printable member card scans (issue 18): Chromium renders the print page at print
media and a printer's resolution, a QR decoder (zxing-cpp) reads the code from a screenshot
of the card, and gets the card's scan address with its token. The code keeps its square
aspect and its quiet zone at the printed size, and the card number stays on one line."""

from __future__ import annotations

import io

import pytest

from loyalty_plugins.cards.models import Card
from storefront.extensions import db
from tests.points_support import loyalty_app, member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_cards import TYPES

pytestmark = BROWSER_ON_SQLITE


def test_the_printed_member_card_scans_to_its_token(browser, make_app, shop):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    zxingcpp = pytest.importorskip("zxingcpp", reason="the QR decoder comes with the test extra")
    from PIL import Image

    app = loyalty_app(make_app, plugins=("cards",), settings={"cards": {"types": TYPES}})
    _client, uid = member(app, shop, email="mia@example.com", name="Mia Member-Longname")
    with app.app_context():
        card = db.session.query(Card).filter_by(user_id=uid).one()
        card_id, token = card.id, card.token

    with live_server(app) as server:
        context = browser.new_context(device_scale_factor=3)  # about 290 dpi, as printed
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "mia@example.com")
        page.goto(server(f"/plugins/cards/{card_id}/print"))
        page.emulate_media(media="print")
        code = page.get_by_test_id("printable-card").locator("svg")
        box = code.bounding_box()
        assert abs(box["width"] - box["height"]) < 1, box  # square at its printed size
        assert 110 <= box["width"] <= 118, box  # 30 mm at 96 CSS pixels per inch
        number = page.locator(".number")
        assert number.evaluate("el => el.getClientRects().length") == 1
        assert number.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        shot = Image.open(io.BytesIO(page.get_by_test_id("printable-card").screenshot()))
        context.close()

    [found] = zxingcpp.read_barcodes(shot)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text.endswith(f"/plugins/cards/scan/{token}"), found.text
