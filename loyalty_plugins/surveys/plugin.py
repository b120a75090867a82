"""Surveys: after a paid order and after an event a member attended, one invitation to a
short survey (NPS, a service evaluation and, if the owner wants, the SERVQUAL gap), with
points for answering, and figures for managers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hooks import (
    Job,
    MessageKind,
    NavLink,
    Panel,
    hookimpl,
    lazy_gettext,
    render_template,
    session,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.surveys import invitations, samples, settings
from loyalty_plugins.surveys.models import Answer, Survey
from loyalty_plugins.surveys.views import blueprint

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
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


SURVEYS_SHOWN = 5


@hookimpl
def shop_staff_customer_panels(customer):
    """The customer's latest surveys and answers, for managers, who read the survey pages."""
    rows = session().execute(
        select(Survey, Answer).outerjoin(Answer, Answer.survey_id == Survey.id)
        .where(Survey.user_id == customer.id, Survey.invited_at.is_not(None))
        .order_by(Survey.invited_at.desc()).limit(SURVEYS_SHOWN)).all()
    if not rows:
        return []
    return [Panel(title=_("Surveys"), order=40, id="surveys", role="manager",
                  html=render_template("surveys/staff_panel.html", rows=rows))]


@hookimpl
def shop_nav_links(customer):
    if customer.has_role("manager"):
        return [NavLink(label=_("Surveys"), url="/plugins/surveys/", order=93)]
    return []


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
