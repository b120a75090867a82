"""Cards: digital member cards with their own discount. Members get a card (a number with a
check digit and a QR code); the card's discount applies at checkout; staff look cards up by
number or by scanning the QR code; a lost card is replaced at once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hooks import (
    Adjustment,
    NavLink,
    Panel,
    get_customer,
    get_order,
    hookimpl,
    lazy_gettext,
    ngettext,
    plugin_settings,
    render_template,
    session,
)
from hooks import gettext as _
from loyalty_plugins.cards import service
from loyalty_plugins.cards.numbers import pretty
from loyalty_plugins.cards.types import SCHEMA, card_type
from loyalty_plugins.cards.views import blueprint, qr_svg

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Cards: digital member cards with their own discount. Members get a card (a number with a "
    "check digit and a QR code); the card's discount applies at checkout; staff look cards up "
    "by number or by scanning the QR code; a lost card is replaced at once.")
GROUP = "member-discount"


@hookimpl
def shop_settings_schema():
    return SCHEMA


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_register_blueprints():
    return [blueprint()]


def _best_card(cart, customer):
    now = service.utcnow()
    best, best_value = None, Decimal(0)
    for card in service.cards_of(customer.id):
        kind = card_type(card.type_code)
        if kind is None or not card.is_valid(now) or not kind.discount_percent:
            continue
        base = sum(line.total for line in cart.lines if kind.applies_to(line))
        value = base * kind.discount_percent
        if value > best_value:
            best, best_value = (card, kind), value
    return best


@hookimpl
def shop_cart_adjustments(cart, customer):
    if not customer.is_member:
        return []
    best = _best_card(cart, customer)
    if best is None:
        return []
    card, kind = best
    limited = bool(kind.categories or kind.tags)
    targets = tuple(line.sku for line in cart.lines if kind.applies_to(line))
    label = (_("%(card)s: %(percent)s%% off selected products", card=kind.name,
                percent=kind.discount_percent) if limited else
             _("%(card)s: %(percent)s%% off", card=kind.name, percent=kind.discount_percent))
    return [Adjustment(code=kind.code, label=label,
                       percent=kind.discount_percent, phase="line" if limited else "order",
                       target_skus=targets if limited else (), priority=60,
                       stacking=plugin_settings()["stacking"], stacking_group=GROUP,
                       reason=_("card ending %(digits)s", digits=card.number[-4:]))]


def _issue_due(user_id: int) -> None:
    member = get_customer(user_id)
    if member is not None:
        service.issue_due(member, now=service.utcnow())


@hookimpl
def shop_customer_registered(user_id):
    _issue_due(user_id)


@hookimpl
def shop_order_paid(order_id):
    order = get_order(order_id)
    if order.user_id is not None:
        _issue_due(order.user_id)


@hookimpl
def shop_nav_links(customer):
    if customer.has_role("staff"):
        return [NavLink(label=_("Card look-up"), url="/plugins/cards/lookup", order=90)]
    return []


@hookimpl
def shop_staff_customer_panels(customer):
    cards = [(card, card_type(card.type_code)) for card in service.cards_of(customer.id)]
    if not cards:
        return []
    html = render_template("cards/staff_panel.html", cards=cards, pretty=pretty)
    return [Panel(title=_("Member cards"), html=html, order=24, id="cards", role="staff")]


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member:
        return []
    if service.issue_due(customer, now=service.utcnow()):  # e.g. just reached the tier
        session().commit()
    now = service.utcnow()
    cards = [(card, card_type(card.type_code)) for card in service.cards_of(customer.id)
             if card.status == "active"]
    if not cards:
        return []
    html = render_template("cards/panel.html", cards=cards, now=now, pretty=pretty, qr=qr_svg,
                           renewable=lambda kind: service.eligible(kind, customer))
    return [Panel(title=ngettext("My member card", "My member cards", len(cards)),
                  html=html, order=8, id="cards")]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
