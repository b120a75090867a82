"""Welcome: a message and a joining gift for each new member (points, or a reward on their
next order), once per e-mail address, on registration or on e-mail confirmation."""

from __future__ import annotations

from pathlib import Path

from hooks import (
    Adjustment,
    CheckoutRefused,
    Panel,
    current_customer,
    get_order,
    hookimpl,
    lazy_gettext,
    render_template,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.welcome import service, settings, words
from loyalty_plugins.welcome.views import blueprint

storefront_contract = ">=2.2,<3"
storefront_description = lazy_gettext(
    "Welcome: a message and a joining gift for each new member (points, or a reward on their "
    "next order), once per e-mail address, on registration or on e-mail confirmation.")
TRIGGERS = {"customer.registered": "registration", "customer.verified": "confirmation"}
CODE = "welcome"


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
def shop_cart_adjustments(cart, customer):
    if not customer.is_member:
        return []
    record = service.of(customer.id)
    if not service.usable(record, utcnow()):
        return []
    day = words.until(record.reward_until)
    return [Adjustment(
        code=CODE, label=_("Welcome gift: %(offer)s, until %(day)s",
                           offer=words.offer(record.reward_percent, record.reward_amount),
                           day=day),
        percent=record.reward_percent, amount=record.reward_amount, priority=90,
        reason=_("your welcome gift, once, until %(day)s", day=day))]


@hookimpl
def shop_order_reserve(order, customer):
    if any(applied.plugin == CODE for applied in order.adjustments) and not service.reserve(
            customer.id, order.id, utcnow()):
        raise CheckoutRefused(_("Your welcome gift was used on another order or has expired. "
                                "Please look at your cart again."))


@hookimpl
def shop_order_paid(order_id):
    service.mark_used(order_id)


@hookimpl
def shop_order_cancelled(order_id, reason):
    service.release(order_id)


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member:
        return []
    record = service.of(customer.id)
    if record is None or record.gift != "reward":
        return []
    held = service.status(record) == "reserved"
    if not held and not service.usable(record, utcnow()):
        return []  # used, or expired
    order = get_order(record.reward_order_id) if held else None
    html = render_template("welcome/panel.html", record=record, order=order,
                           offer=words.offer(record.reward_percent, record.reward_amount),
                           until=words.until(record.reward_until))
    return [Panel(title=_("Your welcome gift"), html=html, order=12, id="welcome")]


@hookimpl
def shop_template_slot(name, context):
    if name != "admin_customer" or not current_customer().has_role("staff"):
        return None
    record = service.of(context["user_id"])
    if record is None:
        return None
    return render_template("welcome/admin_customer.html", record=record,
                           status=service.status(record),
                           offer=words.offer(record.reward_percent, record.reward_amount)
                           if record.gift == "reward" else "")
