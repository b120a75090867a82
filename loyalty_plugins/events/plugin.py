"""Events: selective access to corporate, cultural, family and social events. Members register
(free events, with a waitlist) or buy a ticket through the cart (paid events, so points, tier
and card discounts apply); staff check tickets in; attendance can earn points."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hooks import (
    FieldType,
    Job,
    NavLink,
    Panel,
    SettingField,
    StaticPage,
    get_customer,
    get_order,
    hookimpl,
    lazy_gettext,
    render_template,
    session,
)
from hooks import gettext as _
from loyalty_plugins.events import content, figures, service
from loyalty_plugins.events.content import EventInfo
from loyalty_plugins.events.models import Event, Registration
from loyalty_plugins.events.service import utcnow
from loyalty_plugins.events.views import blueprint

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Events: selective access to corporate, cultural, family and social events. Members "
    "register (free events, with a waitlist) or buy a ticket through the cart (paid events, so "
    "points, tier and card discounts apply); staff check tickets in; attendance can earn "
    "points.")
SCHEMA = [
    SettingField("attendance_points", FieldType.INTEGER, default=50, min=0, max=100_000,
                 label=lazy_gettext("Attendance points"),
                 help=lazy_gettext("Points a member earns when checked in at an event (0: none; "
                                   "needs the points plugin).")),
    SettingField("invitations", FieldType.BOOLEAN, default=True,
                 label=lazy_gettext("Invitations"),
                 help=lazy_gettext("Invite eligible members by message when a new event is "
                                   "published.")),
]


@hookimpl
def shop_publish_hooks():
    from loyalty_plugins.events import published

    return [published]


@hookimpl
def events_figures(start, end):
    return figures.figures(start, end)


@hookimpl
def events_costs(start, end):
    return figures.costs(start, end)


@hookimpl
def events_upcoming(user_id, until):
    member, now = get_customer(user_id), utcnow()
    if member is None:
        return []
    mine = dict(session().execute(
        select(Event.slug, Registration.status).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user_id, Registration.status.in_(service.ACTIVE))).all())
    return [{"slug": info.slug, "title": info.title, "starts_at": info.starts_at,
             "start": info.local(info.starts_at), "timezone": info.timezone,
             "place": info.place, "price": info.price, "registered": mine.get(info.slug),
             "path": f"/events/{info.slug}"}
            for info in service.upcoming(now)
            if now < info.starts_at < until
            and (info.slug in mine or (service.access(member, info).allowed
                                       and not service.open_problem(info, now)))]


@hookimpl
def shop_settings_schema():
    return SCHEMA


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_register_blueprints():
    return [blueprint()]


@hookimpl
def shop_content_check(root):
    return content.check(root)


def _invite() -> None:
    from hooks import plugin_settings

    if plugin_settings()["invitations"]:
        service.send_invitations(utcnow())


@hookimpl
def shop_register_jobs():
    return [Job("invitations", _invite, every_seconds=900,
                description="invite eligible members to newly published events")]


@hookimpl
def shop_nav_links(customer):
    links = [NavLink(label=_("Events"), url="/events/", order=40)]
    if customer.has_role("staff"):
        links.append(NavLink(label=_("Event check-in"), url="/events/checkin", order=91))
    if customer.has_role("manager"):
        links.append(NavLink(label=_("Event registrations"), url="/events/admin/",
                             order=92))
    return links


@hookimpl
def shop_permission(actor, action, resource):
    if action == "cart.add" and isinstance(resource, str):
        info = service.by_sku(resource)
        if info is not None:
            return service.access(actor, info).allowed
    if action == "event.register" and isinstance(resource, EventInfo):
        return service.access(actor, resource).allowed
    return None


@hookimpl
def shop_forbidden(actor, action, resource):
    info = service.by_sku(resource) if action == "cart.add" and isinstance(resource, str) \
        else resource if isinstance(resource, EventInfo) else None
    if info is None:
        return None
    return render_template("events/forbidden.html", info=info,
                           access=service.access(actor, info))


@hookimpl
def shop_validate_checkout(cart, customer):
    return service.cart_problems(cart, customer, utcnow())


@hookimpl
def shop_order_reserve(order, customer):
    service.hold_for_order(order, customer, utcnow())


@hookimpl
def shop_order_paid(order_id):
    service.confirm_order(order_id, utcnow())


@hookimpl
def shop_order_cancelled(order_id, reason):
    service.release_order(order_id, utcnow())


@hookimpl
def shop_order_refunded(order_id, refund_id, amount):
    order = get_order(order_id)
    if order is not None and service.refund_covers_tickets(order):
        service.release_order(order_id, utcnow())


STAFF_REGISTRATIONS_SHOWN = 5


@hookimpl
def shop_staff_customer_panels(customer):
    rows = session().execute(
        select(Registration, Event).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == customer.id)
        .order_by(Event.starts_at.desc()).limit(STAFF_REGISTRATIONS_SHOWN)).all()
    if not rows:
        return []
    html = render_template("events/staff_panel.html", rows=rows)
    return [Panel(title=_("Events"), html=html, order=26, id="events", role="staff")]


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member:
        return []
    rows = session().execute(
        select(Registration, Event).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == customer.id,
               Registration.status.in_(service.ACTIVE), Event.starts_at > utcnow())
        .order_by(Event.starts_at)).all()
    infos = content.load_all()
    mine = [(reg, infos[event.slug]) for reg, event in rows if event.slug in infos]
    html = render_template("events/panel.html", mine=mine)
    return [Panel(title=_("My events"), html=html, order=20, id="events")]


@hookimpl
def shop_static_pages():
    pages = [StaticPage("/events/", sources=(f"{content.FOLDER}/",))]
    pages += [StaticPage(f"/events/{info.slug}", sources=(info.source,))
              for info in service.published().values() if not info.restricted]
    return pages


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
