"""Birthdays: members give their birthday on their account page; on it, and on the
anniversary of the day they joined, a daily job (in the shop's time zone) greets them with
the owner's gift, once a year."""

from __future__ import annotations

from pathlib import Path

from flask import request

from hooks import (
    Job,
    MessageKind,
    Panel,
    hookimpl,
    lazy_gettext,
    render_template,
    today,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.birthdays import dates, profile, service, settings, words
from loyalty_plugins.birthdays.views import blueprint, refused

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Birthdays: members give their birthday on their account page; on it, and on the "
    "anniversary of the day they joined, they get a greeting and the owner's gift, once a "
    "year.")


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
    from loyalty_plugins.birthdays import published

    return [published]


@hookimpl
def birthdays_set(user_id, day, month, year, actor):
    if dates.problem(day, month, year, today()):
        raise ValueError(f"not a birthday: day {day}, month {month}, year {year}")
    return profile.save(user_id, dates.Birthdate(day, month, year), actor, utcnow())


def _greet() -> None:
    sent = service.greet_due(today(), utcnow(), settings.current())
    if sent:
        service.log.info("birthdays: %s greetings sent", sent)


@hookimpl
def shop_message_kinds():
    return [MessageKind(service.MESSAGE_KIND, lazy_gettext("Birthday and anniversary greetings"),
                        help=lazy_gettext("On your birthday and on the day you joined, with "
                                          "a gift. Without them you still get the gift."))]


@hookimpl
def shop_register_jobs():
    return [Job("greetings", _greet, every_seconds=3600,
                description="greet members on their birthday and membership anniversary "
                            "(the shop's date), once a year each")]


@hookimpl
def shop_account_panels(customer):
    if customer.role != "customer":  # greetings are for the club's members, not staff
        return []
    value = profile.of(customer.id)
    entered = refused(request.args)
    if entered is None:
        fields, problem = ({"day": str(value.day), "month": str(value.month),
                            "year": str(value.year or "")} if value else {}), ""
    else:
        fields, problem = entered
    html = render_template("birthdays/panel.html", value=value, shown=words.birthdate(value),
                           fields=fields, problem=problem,
                           months=[(number, dates.month_name(number)) for number in range(1, 13)])
    return [Panel(title=_("Your birthday"), html=html, order=40, id="birthday")]


@hookimpl
def shop_staff_customer_panels(customer):
    value, changes = profile.of(customer.id), profile.changes(customer.id)
    greetings = service.greetings_of(customer.id)
    if value is None and not changes and not greetings:
        return []
    html = render_template("birthdays/admin_customer.html", shown=words.birthdate(value),
                           changes=changes, greetings=greetings,
                           reward_status=words.reward_status,
                           said=lambda stored: words.birthdate(dates.parse_stored(stored)))
    return [Panel(title=_("Birthday"), html=html, order=70, role="staff")]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
