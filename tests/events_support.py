"""A shop with the events plugin and events whose dates follow the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from loyalty_plugins.events.models import Registration
from storefront.extensions import db
from storefront.orders.service import mark_paid
from tests.points_support import last_order_id, loyalty_app, member

LADDER = [
    {"code": "member", "name": "Member", "threshold": "0"},
    {"code": "silver", "name": "Silver", "threshold": "50.00", "discount_percent": "5"},
    {"code": "gold", "name": "Gold", "threshold": "100.00", "discount_percent": "10"},
]

MEMBERS_ONLY_TEXT = "Six coffees are set out on the cupping table for members."
GOLD_ONLY_TEXT = "The Gold circle chooses the January house blend."


def _stamp(days: float) -> str:
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.strftime("%Y-%m-%d %H:%M")


def event_file(folder: Path, slug: str, *, audience: str = "members", capacity: int = 10,
               price: str = "free", guests: int = 1, days: float = 20, body: str = "",
               title: str | None = None, extra: str = "") -> Path:
    path = folder / "events" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""---
title: "{title or slug.replace('-', ' ').title()}"
start: {_stamp(days)}
end: {_stamp(days + 0.1)}
timezone: UTC
place: "The roastery"
category: cultural
capacity: {capacity}
audience: {audience}
price: "{price}"
guests: {guests}
summary: "A summary anyone may read."
{extra}---
{body or 'An evening together.'}
""")
    return path


def events_content(folder: Path) -> Path:
    event_file(folder, "cupping", audience="members", capacity=3, body=MEMBERS_ONLY_TEXT)
    event_file(folder, "gold-evening", audience="gold", capacity=5, body=GOLD_ONLY_TEXT)
    event_file(folder, "latte-art", audience="public", capacity=20, guests=3)
    event_file(folder, "blending", audience="silver", capacity=4, price="25.00")
    return folder


def events_app(make_app, tmp_path, plugins=("tiers", "events", "points"), **config):
    return loyalty_app(make_app, plugins=plugins, settings={"tiers": {"ladder": LADDER}},
                       CONTENT_DIR=str(events_content(tmp_path / "content")), **config)


def reach_tier(app, shop, client, sku="EQP-KTL-01", quantity=3):
    """Buy and pay enough to qualify (a 117.00 order: Gold in LADDER)."""
    shop.add(client, sku, quantity)
    shop.checkout(client)
    with app.app_context():
        mark_paid(last_order_id(app))


def gold_member(app, shop, email="gina@example.com", name="Gina"):
    client, uid = member(app, shop, email=email, name=name)
    reach_tier(app, shop, client)
    return client, uid


def registrations(app, slug=None):
    from loyalty_plugins.events.models import Event

    with app.app_context():
        query = select(Registration).order_by(Registration.id)
        if slug:
            query = query.join(Event, Event.id == Registration.event_id).where(
                Event.slug == slug)
        rows = db.session.scalars(query).all()
        for row in rows:
            db.session.expunge(row)
        return rows
