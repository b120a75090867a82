"""Rewards: a one-time reward off a member's next order (a percentage or an amount, valid
until a day), given by other plugins (birthdays, referrals, win-back offers) through the
published hook ``rewards_grant``. The cart applies it by itself; it is used once."""

from __future__ import annotations

from pathlib import Path

from hooks import (
    Adjustment,
    CheckoutRefused,
    Panel,
    get_order,
    hookimpl,
    lazy_gettext,
    render_template,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.rewards import service, words

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Rewards: a one-time reward off a member's next order, given by other plugins "
    "(birthdays, referrals, win-back offers); the cart applies it by itself.")
CODE_PREFIX = "reward-"


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_publish_hooks():
    from loyalty_plugins.rewards import published

    return [published]


@hookimpl
def rewards_grant(user_id, key, label, label_args, percent, amount, until):
    return service.grant(user_id, key, label, label_args, percent, amount, until, utcnow())


@hookimpl
def rewards_status(key):
    reward = service.by_key(key)
    return None if reward is None else service.status(reward, utcnow())


@hookimpl
def rewards_revoke(key):
    return service.revoke(key, utcnow())


@hookimpl
def rewards_list(key_prefix):
    return service.listed(key_prefix, utcnow())


@hookimpl
def rewards_describe(key):
    reward = service.by_key(key)
    if reward is None:
        return None
    return {"label": words.label(reward), "offer": words.offer(reward),
            "until": words.last_day(reward)}


@hookimpl
def shop_cart_adjustments(cart, customer):
    if not customer.is_member:
        return []
    reward = service.usable(customer.id, utcnow())
    if reward is None:
        return []
    day = words.last_day(reward)
    return [Adjustment(
        code=f"{CODE_PREFIX}{reward.id}",
        label=_("%(reward)s: %(offer)s, until %(day)s", reward=words.label(reward),
                offer=words.offer(reward), day=day),
        percent=reward.percent, amount=reward.amount, priority=90,
        reason=_("your reward, once, until %(day)s", day=day))]


@hookimpl
def shop_order_reserve(order, customer):
    for applied in order.adjustments:
        if applied.plugin != "rewards" or not applied.code.startswith(CODE_PREFIX):
            continue
        reward_id = int(applied.code.removeprefix(CODE_PREFIX))
        if not service.reserve(reward_id, customer.id, order.id, utcnow()):
            raise CheckoutRefused(_("Your reward was used on another order or has expired. "
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
    rewards = service.held_or_available(customer.id, utcnow())
    if not rewards:
        return []
    rows = [{"label": words.label(reward), "offer": words.offer(reward),
             "until": words.last_day(reward),
             "order": get_order(reward.order_id) if state == "reserved" else None}
            for reward, state in rewards]
    return [Panel(title=_("Your rewards"), html=render_template("rewards/panel.html", rows=rows),
                  order=13, id="rewards")]


@hookimpl
def shop_staff_customer_panels(customer):
    rewards = service.of_member(customer.id)
    if not rewards:
        return []
    now = utcnow()
    rows = [{"label": words.label(reward), "offer": words.offer(reward),
             "until": words.last_day(reward), "status": service.status(reward, now),
             "order": get_order(reward.order_id) if reward.order_id else None}
            for reward in rewards]
    return [Panel(title=_("Rewards"), order=30, role="staff",
                  html=render_template("rewards/admin_customer.html", rows=rows))]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
