"""Surveys: after a paid order and after an event a member attended, one invitation to a
short survey (NPS, a service evaluation and, if the owner wants, the SERVQUAL gap), with
points for answering, and figures for managers."""

from __future__ import annotations

from pathlib import Path

from hooks import Job, MessageKind, NavLink, hookimpl, lazy_gettext, utcnow
from hooks import gettext as _
from loyalty_plugins.surveys import invitations, samples, settings
from loyalty_plugins.surveys.views import blueprint

storefront_contract = ">=2.6,<3"
storefront_description = lazy_gettext(
    "Surveys: after a paid order and after an event a member attended, one invitation to a "
    "short survey (NPS, a service evaluation, optionally the SERVQUAL gap), with points for "
    "answering, and figures for managers.")


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
    from loyalty_plugins.surveys import published

    return [published]


@hookimpl
def surveys_sample_answer(user_id, nps, reason):
    return samples.answered(user_id, nps, reason, utcnow())


@hookimpl
def shop_message_kinds():
    return [MessageKind(invitations.KIND, lazy_gettext("Surveys about your orders and events"),
                        help=lazy_gettext("A short question after an order or an event, "
                                          "once each."), news=False)]


@hookimpl
def shop_order_paid(order_id):
    invitations.order_paid(order_id, settings.current(), utcnow())


@hookimpl
def shop_event(event):
    if event.type == "events.attended":
        invitations.attended(event.payload, settings.current(), utcnow())


@hookimpl
def shop_register_jobs():
    return [Job("invite", lambda: invitations.send_due(settings.current(), utcnow()),
                every_seconds=3600, description="send the survey invitations that are due")]


@hookimpl
def shop_nav_links(customer):
    if customer.has_role("manager"):
        return [NavLink(label=_("Surveys"), url="/plugins/surveys/", order=93)]
    return []
