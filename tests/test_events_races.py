"""Seats under concurrency, on PostgreSQL: never oversold, the waitlist in arrival order."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hooks import CustomerView
from loyalty_plugins.events import service
from loyalty_plugins.events.models import Event, Registration
from storefront.accounts.service import create_user
from storefront.extensions import db
from tests.events_support import event_file, events_app
from tests.test_concurrency import POOL, run_together

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app, tmp_path):
    app = events_app(make_app, tmp_path, **POOL)
    event_file(tmp_path / "content", "small-tasting", audience="members", capacity=5, guests=0)
    with app.test_request_context():
        service.ensure_synced()
    return app


def seats_taken() -> int:
    return db.session.scalar(select(Event.seats_taken).where(Event.slug == "small-tasting"))


def _register(app, customer):
    with app.test_request_context():
        try:
            info = service.published()["small-tasting"]
            reg = service.register(customer, info, 0, service.utcnow())
            db.session.commit()
            return reg.status
        finally:
            db.session.remove()


def test_fifty_registrations_for_five_seats(app):
    with app.app_context():
        people = [CustomerView(create_user(f"m{i}@example.com", "correct horse battery",
                                           f"M{i}").id, f"m{i}@example.com", f"M{i}",
                               "customer") for i in range(50)]
    results = run_together([lambda c=c: _register(app, c) for c in people])
    assert results.count("confirmed") == 5 and results.count("waitlisted") == 45
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "small-tasting"))
        assert event.seats_taken == 5
        waiting = db.session.scalars(select(Registration).where(
            Registration.status == "waitlisted").order_by(Registration.id)).all()
        # Arrival order: the order in which the shop accepted them (ids and times ascend).
        assert [r.waitlist_position for r in waiting] == list(range(1, 46))
        assert [r.created_at for r in waiting] == sorted(r.created_at for r in waiting)
        first_in_line = waiting[0].user_id
        seat = db.session.scalars(select(Registration).where(
            Registration.status == "confirmed")).first()
    with app.test_request_context():
        info = service.published()["small-tasting"]
        reg = db.session.get(Registration, seat.id)
        promoted = service.cancel(reg, info, service.utcnow())
        db.session.commit()
        assert [p.user_id for p in promoted] == [first_in_line]
        statuses = db.session.scalars(select(Registration.status)).all()
        assert statuses.count("confirmed") == 5 and statuses.count("waitlisted") == 44
        assert seats_taken() == 5


def test_concurrent_cancellations_promote_each_waiting_member_once(app):
    with app.app_context():
        people = [CustomerView(create_user(f"c{i}@example.com", "correct horse battery",
                                           f"C{i}").id, f"c{i}@example.com", f"C{i}",
                               "customer") for i in range(10)]
    for person in people:
        _register(app, person)

    def cancel(user_id):
        with app.test_request_context():
            try:
                info = service.published()["small-tasting"]
                reg = db.session.scalar(select(Registration).where(
                    Registration.user_id == user_id))
                service.cancel(reg, info, service.utcnow())
                db.session.commit()
            finally:
                db.session.remove()

    run_together([lambda u=p.id: cancel(u) for p in people[:5]])  # every seat holder leaves
    with app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        assert [r.status for r in rows] == ["cancelled"] * 5 + ["confirmed"] * 5
        assert seats_taken() == 5
