"""Goodwill raced as staff race it: two staff members press Approve on the same proposal at
the same moment, through HTTP against a running shop on PostgreSQL. It is decided once and
the points are given once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty_plugins.complaints.models import Compensation
from loyalty_plugins.points.models import PointsEntry
from storefront.extensions import db
from tests.complaints_support import complaints_app, file, filed_id, staff_post
from tests.points_support import PASSWORD, member
from tests.support.live_server import Visitor, live_server, run_together
from tests.test_welcome import staff_client

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def test_two_staff_approving_at_once_grant_once(make_app, shop):
    app = complaints_app(make_app, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10,
                                                              "max_overflow": 0})
    shop.app = app
    mia, uid = member(app, shop)
    cid = filed_id(file(mia))
    staff_post(staff_client(app, shop, "staff"), cid, "goodwill",
               {"kind": "points", "value": "50"})
    shop.create_user("sam@example.com", role="staff", name="Sam")
    page = f"/plugins/complaints/staff/{cid}"
    action = f"{page}/goodwill/1"
    with live_server(app) as server:
        browsers = []
        for email in ("staff@example.com", "sam@example.com"):
            browser = Visitor(server)
            assert browser.post_form("/login", "/login", {
                "email": email, "password": PASSWORD}).status in (302, 303)
            browsers.append(browser)
        forms = [{**browser.form(page, action), "action": "approve"} for browser in browsers]
        answers = run_together([lambda b=b, f=f: b.post(action, f)
                                for b, f in zip(browsers, forms, strict=True)])
    assert [answer.status for answer in answers] == [303, 303]
    with app.app_context():
        granted = db.session.scalars(select(PointsEntry.delta).where(
            PointsEntry.user_id == uid, PointsEntry.key.like(f"complaint:{cid}:%"))).all()
        assert granted == [50], granted
        offer = db.session.get(Compensation, 1)
        assert offer.status == "approved" and offer.decided_by in ("X", "Sam")
