"""Referrals: each member's code and link; a friend who joins with it gets a reward on their
first order, the member gets points once that order has passed its return window. Self-
referrals and more than the monthly limit are blocked, each with a reason both sides read."""

from __future__ import annotations

from pathlib import Path

from flask import request

from hooks import (
    Job,
    MessageKind,
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
from loyalty_plugins.referrals import codes, listing, messages, service, settings
from loyalty_plugins.referrals.views import blueprint

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Referrals: each member's code and link; a friend who joins with it gets a reward on "
    "their first order, the member gets points once that order has passed its return "
    "window. Self-referrals and more than a monthly limit are blocked, with the reason.")


@hookimpl
def shop_message_kinds():
    return [MessageKind(messages.KIND, lazy_gettext("Referrals: your friends' rewards and "
                                                    "yours"),
                        help=lazy_gettext("When a friend joins with your code, and when "
                                          "their first order earns you points."))]


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
    from loyalty_plugins.referrals import published

    return [published]


@hookimpl
def referrals_refer(referee_id, referrer_id):
    referee, referrer = get_customer(referee_id), get_customer(referrer_id)
    if referee is None or referrer is None:
        return "unknown"
    entered = service.enter(referee, codes.code_of(referrer.id), settings.current(), utcnow())
    return entered.block or entered.outcome


@hookimpl
def shop_register_jobs():
    return [Job("settle", lambda: service.settle_due(settings.current(), utcnow()),
                every_seconds=3600,
                description="reward referrals whose friend's first order passed the return "
                            "window")]


@hookimpl
def shop_order_paid(order_id):
    service.first_paid(order_id, settings.current(), utcnow())


@hookimpl
def shop_order_refunded(order_id, refund_id, amount):
    service.refunded(order_id, utcnow())


@hookimpl
def shop_nav_links(customer):
    if customer.has_role("manager"):
        return [NavLink(label=_("Referrals"), url="/referrals/owner", order=93)]
    return []


def code_form(customer, back: str) -> str:
    return render_template("referrals/enter.html", back=back,
                           remembered=request.cookies.get(codes.COOKIE, ""))


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member or customer.role != "customer":
        return []
    code = codes.code_of(customer.id)
    session().commit()  # the code made on first view
    html = render_template("referrals/panel.html", code=code, link=codes.link(code),
                           mine=listing.joined_with(customer.id),
                           form=code_form(customer, "/account")
                           if service.may_enter_code(customer) else "")
    return [Panel(title=_("Invite your friends"), html=html, order=14, id="referrals")]


@hookimpl
def shop_checkout_panels(cart, customer):
    if not service.may_enter_code(customer):
        return []
    return [Panel(title=_("A friend's referral code"),
                  html=code_form(customer, "/checkout"), order=30, id="referrals")]


@hookimpl
def shop_staff_customer_panels(customer):
    if not listing.involved(customer.id):
        return []
    made, mine, refused = (listing.made_by(customer.id), listing.joined_with(customer.id),
                           listing.refusals_of(customer.id))
    return [Panel(title=_("Referrals"), order=60, role="staff",
                  html=render_template("referrals/admin_customer.html", made=made, mine=mine,
                                       refused=refused))]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
