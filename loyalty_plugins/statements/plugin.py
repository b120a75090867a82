"""Statements: a monthly account statement for each member (points earned, spent and
expiring, tier progress, events ahead), made from the other plugins' published hooks,
once per member and month; members stop it under Message preferences."""

from __future__ import annotations

from pathlib import Path

from hooks import (
    Job,
    MessageKind,
    Panel,
    hookimpl,
    lazy_gettext,
    render_template,
)
from hooks import gettext as _
from loyalty_plugins.statements import service, settings
from loyalty_plugins.statements.views import blueprint

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Statements: a monthly account statement for each member (points earned, spent and "
    "expiring, tier progress, events ahead), once per member and month; members stop it "
    "under Message preferences.")


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
def shop_message_kinds():
    return [MessageKind(service.KIND, lazy_gettext("Monthly account statement"),
                        help=lazy_gettext("Your points, tier and events, once a month."),
                        news=False)]


def _send_due() -> None:
    service.send_due(settings.current())


@hookimpl
def shop_register_jobs():
    return [Job("send", _send_due, every_seconds=3600,
                description="send each member their statement for the month just ended, "
                            "once, from the day of the month set")]


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member:
        return []
    last = service.last_sent(customer.id)
    if last is None:
        return []
    html = render_template("statements/panel.html", last=last,
                           month_name=service.MonthName(last.month))
    return [Panel(title=_("Your last statement"), html=html, order=60, id="statement")]


@hookimpl
def shop_staff_customer_panels(customer):
    return [Panel(title=_("Account statement"), order=85, role="owner",
                  html=render_template("statements/admin_customer.html", user_id=customer.id))]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
