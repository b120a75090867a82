"""Complaints and claims: members and guests file them about an order, a product, an event or
the service; staff answer them within targets per category, propose goodwill that managers
approve above a limit, and read the service figures."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hooks import (
    Job,
    NavLink,
    Panel,
    get_customer,
    hookimpl,
    lazy_gettext,
    render_template,
    session,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.complaints import digest, figures, service, settings
from loyalty_plugins.complaints.models import CATEGORIES, FOLLOW_UP, OPEN, Complaint
from loyalty_plugins.complaints.text import render
from loyalty_plugins.complaints.views import blueprint
from loyalty_plugins.complaints.words import STATUS_NAMES

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Complaints and claims: members and guests file them about an order, a product, an event "
    "or the service; staff answer them within targets per category, propose goodwill that "
    "managers approve above a limit, and read the service figures.")
DETRACTOR = "surveys.detractor"


@hookimpl
def shop_settings_schema():
    return settings.SCHEMA


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_register_blueprints():
    return [blueprint()]


@hookimpl
def shop_publish_hooks():
    from loyalty_plugins.complaints import published

    return [published]


@hookimpl
def complaints_figures(start, end):
    return figures.figures(start, end, utcnow())


@hookimpl
def complaints_open(key, user_id, category, order_id, text):
    if category not in CATEGORIES:
        raise ValueError(f"complaint {key}: no category {category!r}")
    member = get_customer(user_id)
    if member is None:
        raise ValueError(f"complaint {key}: no member {user_id}")
    return service.open_for(key, user_id, member.email or "", member.name or "", category,
                            order_id, text, "plugin", utcnow())


@hookimpl
def shop_event(event):
    """A detractor's survey answer opens a follow-up task, once per event."""
    if event.type != DETRACTOR:
        return
    payload = event.payload
    member = get_customer(int(payload["user_id"]))
    if member is None:
        return
    text = _("NPS %(score)s. %(comment)s", score=payload.get("score"),
             comment=payload.get("comment") or "").strip()
    service.open_for(f"{DETRACTOR}:{event.id}", member.id, member.email or "",
                     member.name or "", FOLLOW_UP, payload.get("order_id"), text, "surveys",
                     utcnow())


@hookimpl
def shop_register_jobs():
    return [Job("digest", lambda: digest.send(utcnow()), every_seconds=3600,
                description="send managers the day's complaints digest, once a day")]


@hookimpl
def shop_nav_links(customer):
    if customer.has_role("staff"):
        return [NavLink(_("Complaints"), "/plugins/complaints/staff", order=80)]
    return [NavLink(_("Complaints"), "/plugins/complaints/new", order=80)]


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member:
        return []
    found = service.of_member(customer.id)
    return [Panel(title=_("Complaints and claims"),
                  html=render_template("complaints/panel.html", complaints=found,
                                       replies=service.latest_replies([c.id for c in found]),
                                       statuses=STATUS_NAMES, render=render),
                  order=60, id="complaints")]


@hookimpl
def shop_staff_customer_panels(customer):
    found = session().scalars(select(Complaint).where(Complaint.user_id == customer.id)
                              .order_by(Complaint.created_at.desc())).all()
    if not found:
        return []
    rated = [c.satisfied for c in found if c.satisfied is not None]
    html = render_template("complaints/admin_customer.html",
                           open=[c for c in found if c.status in OPEN], total=len(found),
                           rated=len(rated), satisfied=sum(rated), now=utcnow(),
                           overdue=service.overdue, statuses=STATUS_NAMES)
    return [Panel(title=_("Complaints"), html=html, order=10, role="staff")]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
