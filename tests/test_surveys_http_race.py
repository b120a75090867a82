"""A survey answered twice at once, as it happens (a double click, two tabs), through HTTP
against a running shop on PostgreSQL: one answer is recorded and its points given once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loyalty_plugins.points.models import PointsEntry
from loyalty_plugins.surveys.models import Answer
from storefront.extensions import db
from tests.points_support import member
from tests.support.live_server import Visitor, live_server, run_together
from tests.surveys_support import (
    answer_fields,
    invitation_links,
    paid_order,
    send_invitations,
    surveys_app,
)

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app):
    return surveys_app(make_app)


def test_two_submissions_at_once_record_one_answer(app, shop):
    client, uid = member(app, shop)
    paid_order(app, shop, client)
    send_invitations(app)
    [link] = invitation_links(app, uid)
    with live_server(app) as server:
        tabs = [Visitor(server, address=f"127.0.0.{n}") for n in (1, 2, 3, 4)]
        forms = [{**tab.form(link, link), **answer_fields(nps=str(n))}
                 for n, tab in enumerate(tabs)]
        answers = run_together([lambda t=t, f=f: t.post(link, f)
                                for t, f in zip(tabs, forms, strict=True)])
    assert sorted(answer.status for answer in answers) == [200, 409, 409, 409]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
        assert db.session.scalars(select(PointsEntry.delta).where(
            PointsEntry.user_id == uid, PointsEntry.key.startswith("surveys:"))).all() == [20]
