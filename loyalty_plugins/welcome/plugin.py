"""Welcome: a message and a joining gift for each new member (points, or a reward on their
next order), once per e-mail address, on registration or on e-mail confirmation."""

from __future__ import annotations

from pathlib import Path

from hooks import (
    Panel,
    hookimpl,
    lazy_gettext,
    render_template,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.welcome import service, settings, words
from loyalty_plugins.welcome.views import blueprint

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Welcome: a message and a joining gift for each new member (points, or a reward on their "
    "next order), once per e-mail address, on registration or on e-mail confirmation.")
# Points are given by the points plugin, a reward by the rewards plugin: each only while on.
TRIGGERS = {"customer.registered": "registration", "customer.verified": "confirmation"}


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
def shop_event(event):
    trigger = TRIGGERS.get(event.type)
    if trigger is not None:
        service.welcome(int(event.payload["user_id"]), trigger, settings.current(), utcnow())


@hookimpl
def shop_staff_customer_panels(customer):
    record = service.of(customer.id)
    if record is None:
        return []
    html = render_template("welcome/admin_customer.html", record=record,
                           status=service.reward_status(record) if record.gift == "reward"
                           else "",
                           offer=words.offer(record.reward_percent, record.reward_amount)
                           if record.gift == "reward" else "")
    return [Panel(title=_("Welcome"), html=html, order=80, role="staff")]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
