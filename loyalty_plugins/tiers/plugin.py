"""Tiers: a named programme (Club Premium by default) with levels earned by what members
spend over a rolling window, never by their points. Each level can give a discount, a points
multiplier and flags other plugins read (events, cards)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from babel.numbers import format_decimal

from hooks import (
    Adjustment,
    Job,
    Panel,
    current_customer,
    get_order,
    hookimpl,
    language,
    lazy_gettext,
    plugin_settings,
    quote,
    render_template,
)
from hooks import gettext as _
from loyalty_plugins.tiers import backtest, figures, programme, qualify
from loyalty_plugins.tiers.describe import describe_change
from loyalty_plugins.tiers.programme import NAME, SCHEMA, by_code, ladder, next_tier

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Tiers: a named programme (Club Premium by default) with levels earned by what members "
    "spend over a rolling window, never by their points. Each level can give a discount, a "
    "points multiplier and flags other plugins read (events, cards).")
GROUP = "member-discount"


def number(value: Decimal) -> str:
    """A percentage or a multiplier as the reader's language writes it: 1.25, 1,25."""
    return format_decimal(value, locale=language())


@hookimpl
def shop_settings_schema():
    return SCHEMA


@hookimpl
def shop_settings_what_if(current, candidate, since):
    return backtest.what_if(current, candidate, since)


@hookimpl
def shop_publish_hooks():
    from loyalty_plugins.tiers import published

    return [published]


@hookimpl
def tiers_ladder():
    return tuple(tier.info() for tier in ladder())


@hookimpl
def tiers_figures(start, end):
    return figures.figures(start, end)


@hookimpl
def tiers_progress(user_id):
    tier, settings = qualify.current_tier(user_id), plugin_settings()
    upcoming = next_tier(tier, ladder())
    spend = qualify.spend_in_window(user_id, qualify.utcnow())
    # The default names stay lazy texts: a message shows them in its recipient's language.
    names = {row["code"]: programme.DEFAULT_NAMES.get(row["name"], row["name"])
             for row in settings["ladder"]}

    def shown(found):
        return replace(found.info(), name=names.get(found.code, found.name))

    return {"programme": settings["programme_name"], "tier": shown(tier), "spend": spend,
            "window_months": settings["window_months"],
            "next": shown(upcoming) if upcoming else None,
            "left": max(upcoming.threshold - spend, 0) if upcoming else 0}


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_register_jobs():
    return [Job("daily-check", qualify.daily_check, every_seconds=86400,
                description="move members down a tier when their spend fell (after grace)")]


@hookimpl
def shop_customer_tier(customer):
    if not customer.is_member:
        return None
    return qualify.current_tier(customer.id).info()


@hookimpl
def shop_cart_adjustments(cart, customer):
    if not customer.is_member:
        return []
    tier = qualify.current_tier(customer.id)
    if not tier.discount_percent:
        return []
    programme = plugin_settings()["programme_name"]
    # best_of in the shared group: another member discount (a card) competes with it when
    # it is best_of too, and adds up with it when its owner made it combinable.
    return [Adjustment(code=tier.code,
                       label=_("%(programme)s %(tier)s: %(percent)s%% off", programme=programme,
                               tier=tier.name, percent=number(tier.discount_percent)),
                       percent=tier.discount_percent, phase="order", priority=50,
                       stacking="best_of", stacking_group=GROUP,
                       reason=_("%(tier)s member discount", tier=tier.name))]


@hookimpl
def shop_customer_registered(user_id):
    qualify.requalify(user_id, "joined", now=qualify.utcnow())


@hookimpl
def shop_order_paid(order_id):
    order = get_order(order_id)
    if order.user_id is not None:
        qualify.requalify(order.user_id, f"order {order.number} paid", now=qualify.utcnow())


@hookimpl
def shop_order_refunded(order_id, refund_id, amount):
    order = get_order(order_id)
    if order.user_id is not None:
        qualify.requalify(order.user_id, f"refund on order {order.number}",
                          now=qualify.utcnow(), downgrade="now")


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member:
        return []
    tiers = ladder()
    tier = qualify.current_tier(customer.id)
    now = qualify.utcnow()
    spend = qualify.spend_in_window(customer.id, now)
    upcoming = next_tier(tier, tiers)
    html = render_template("tiers/panel.html", tier=tier, upcoming=upcoming, spend=spend,
                           imported=qualify.imported_in_window(customer.id, now),
                           names={t.code: t.name for t in tiers}, number=number,
                           programme=plugin_settings()["programme_name"],
                           months=plugin_settings()["window_months"],
                           changes=qualify.history(customer.id)[:5], describe=describe_change)
    return [Panel(title=plugin_settings()["programme_name"], html=html, order=5, id="tier")]


@hookimpl
def shop_staff_customer_panels(customer):
    tiers = ladder()
    tier = qualify.current_tier(customer.id)
    html = render_template("tiers/staff_panel.html", tier=tier,
                           upcoming=next_tier(tier, tiers),
                           spend=qualify.spend_in_window(customer.id, qualify.utcnow()),
                           months=plugin_settings()["window_months"],
                           names={t.code: t.name for t in tiers},
                           changes=qualify.history(customer.id)[:3], describe=describe_change)
    return [Panel(title=plugin_settings()["programme_name"], html=html, order=22, id="tier",
                  role="staff")]


@hookimpl
def shop_template_slot(name, context):
    """"Gold price: €X" on a product page, when the member's tier discount applies to the
    product bought alone (priced as the cart would price it: another discount may win)."""
    if name != "product":
        return None
    customer = current_customer()
    if not customer.is_member:
        return None
    priced = quote([context["product"].cart_line()], customer)
    mine = next((a for a in priced.adjustments if a.plugin == NAME and a.amount), None)
    if mine is None:
        return None
    discounts = sum(a.amount for a in priced.adjustments if a.phase in ("line", "order"))
    return render_template("tiers/price.html", tier=by_code(mine.code, ladder()),
                           price=priced.subtotal - discounts, currency=priced.currency)


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
