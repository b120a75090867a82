"""Points: members earn points on paid orders and redeem them at checkout.

Earned points wait out the return window (pending), then are usable until they expire, oldest
first. Refunds take back earned points in proportion; cancellations give redeemed points back
to the lots they came from. Every change is in the member's ledger with why and who.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from babel.numbers import format_decimal
from flask import has_request_context
from flask import session as flask_session

from hooks import (
    Adjustment,
    CheckoutRefused,
    Job,
    NavLink,
    Panel,
    current_customer,
    get_customer,
    get_order,
    hookimpl,
    language,
    lazy_gettext,
    ngettext,
    notify,
    number,
    render_template,
)
from hooks import gettext as _
from loyalty_plugins.points import backtest, boosts, config, figures, ledger, promise
from loyalty_plugins.points.clock import local_date, utcnow
from loyalty_plugins.points.earning import points_for, points_to_pay
from loyalty_plugins.points.statement import statement as member_statement
from loyalty_plugins.points.views import REDEEM_KEY, blueprint

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Points: members earn points on paid orders and redeem them at checkout.")
NAME = config.NAME


@hookimpl
def shop_settings_schema():
    return config.SCHEMA


@hookimpl
def shop_settings_what_if(current, candidate, since):
    return backtest.what_if(current, candidate, since)


@hookimpl
def shop_publish_hooks():
    from loyalty_plugins.points import published

    return [published]


@hookimpl
def points_grant(user_id, points, reason, key, actor):
    lot = ledger.grant(user_id, points, "bonus", ledger.Who(reason, actor), config.current(),
                       now=utcnow(), key=key)
    return lot is not None


@hookimpl
def points_boost(user_id, multiplier, until, reason, key):
    return boosts.give(user_id, multiplier, until, reason, key, utcnow())


@hookimpl
def points_boosts(key_prefix):
    return boosts.listed(key_prefix)


@hookimpl
def points_balance(user_id):
    account = ledger.balance(user_id)
    return (ledger.usable(user_id, utcnow()), account.pending) if account else (0, 0)


@hookimpl
def points_figures(start, end):
    return figures.figures(start, end)


@hookimpl
def points_issued(start, end):
    return figures.issued_per_member(start, end)


@hookimpl
def points_statement(user_id, start, end):
    return member_statement(user_id, start, end, utcnow())


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_register_blueprints():
    return [blueprint()]


@hookimpl
def shop_register_jobs():
    return [
        Job("mature", lambda: ledger.mature(utcnow()), every_seconds=3600,
            description="make earned points usable when the return window closes"),
        Job("expire", lambda: ledger.expire(utcnow()), every_seconds=3600,
            description="expire points whose date has come, oldest first"),
        Job("expiry-notices", send_expiry_notices, every_seconds=86400,
            description="tell members their points expire soon"),
    ]


def requested_points() -> int:
    if not has_request_context():
        return 0
    value = flask_session.get(REDEEM_KEY, 0)
    return value if isinstance(value, int) and value > 0 else 0


@hookimpl
def shop_cart_adjustments(cart, customer):
    wanted = requested_points() if customer.is_member else 0
    if not wanted:
        return []
    cfg = config.current()
    available = ledger.usable(customer.id, utcnow())
    limit = (cart.subtotal + cart.shipping) * cfg.max_share_percent // 100 // cfg.point_value
    points = min(wanted, available, limit)
    if points < cfg.min_redeem:
        return []
    return [Adjustment(code="redeem",
                       label=ngettext("Paid with %(num)s point", "Paid with %(num)s points",
                                      points),
                       phase="tender", amount=points * cfg.point_value,
                       reason=_("%(points)s points at %(value)s cent(s) each",
                                points=number(points), value=cfg.point_value))]


@hookimpl
def shop_order_reserve(order, customer):
    applied = order.applied(NAME)
    if applied and customer.is_member:
        points = points_to_pay(applied, config.current())
        try:
            ledger.reserve(customer.id, points, order.id, now=utcnow(), order_number=order.number)
        except ledger.PointsError as exc:
            raise CheckoutRefused(str(exc)) from exc
    # The choice of points was for this order: the next cart starts without it. Here, in the
    # placing request, since reactions (shop_order_placed) run in the worker, without the
    # shopper's session.
    if has_request_context():
        flask_session.pop(REDEEM_KEY, None)


@hookimpl
def shop_order_paid(order_id):
    order = get_order(order_id)
    cfg = config.current()
    now = utcnow()
    ledger.spend(order_id, now=now)
    earned = points_for(order, cfg)
    if earned <= 0:
        return
    pending_until = now + timedelta(days=cfg.pending_days)
    if order.user_id is None:
        ledger.hold_for_guest(order.email, earned, order_id, cfg, now=now,
                              pending_until=pending_until)
        return
    ledger.grant(order.user_id, earned, "earn", ledger.Who(f"order {order.number} paid"), cfg,
                 now=now, key=f"earn:{order_id}", order_id=order_id,
                 pending_until=pending_until)


@hookimpl
def shop_order_cancelled(order_id, reason):
    ledger.release(order_id, now=utcnow())


@hookimpl
def shop_order_refunded(order_id, refund_id, amount):
    order = get_order(order_id)
    now = utcnow()
    ledger.reverse_for_refund(order_id, refund_id, order.refunded_total, order.total, now=now)
    ledger.return_spent_for_refund(order_id, refund_id, order.refunded_total, order.total,
                                   config.current(), now=now)


@hookimpl
def shop_order_disputed(order_id, dispute_id, amount, status):
    if status == "open":
        ledger.freeze_for_dispute(order_id, dispute_id, now=utcnow())
    else:  # won: usable again; lost: the refund that follows takes them back
        ledger.thaw_after_dispute(order_id, dispute_id, now=utcnow())


@hookimpl
def shop_customer_registered(user_id):
    bonus = config.current().signup_bonus
    if bonus:
        ledger.grant(user_id, bonus, "bonus", ledger.Who("welcome to the club"),
                     config.current(), now=utcnow(), key=f"signup:{user_id}")


@hookimpl
def shop_customer_verified(user_id):
    member = get_customer(user_id)
    if member is not None:
        ledger.claim_guest_points(user_id, member.email, now=utcnow())


@hookimpl
def shop_account_panels(customer):
    if not customer.is_member:
        return []
    cfg = config.current()
    account = ledger.balance(customer.id)
    expiry = ledger.next_expiry(customer.id, utcnow())
    boost = boosts.active(customer.id, utcnow())
    html = render_template("points/panel.html", account=account, cfg=cfg,
                           available=ledger.usable(customer.id, utcnow()),
                           expiry_day=local_date(expiry[0], cfg.tz) if expiry else None,
                           expiry_points=expiry[1] if expiry else 0, boost=boost,
                           boost_day=local_date(boost.until, cfg.tz) if boost else None,
                           boost_times=format_decimal(boost.multiplier.normalize(),
                                                      locale=language()) if boost else "")
    return [Panel(title=_("My points"), html=html, order=10, id="points")]


@hookimpl
def shop_member_summary(customer):
    return {"points": ledger.usable(customer.id, utcnow())}


@hookimpl
def shop_checkout_panels(cart, customer):
    if not customer.is_member:
        return []
    cfg = config.current()
    html = render_template("points/checkout_panel.html", cfg=cfg,
                           available=ledger.usable(customer.id, utcnow()),
                           requested=requested_points())
    return [Panel(title=_("Pay with points"), html=html, order=10, id="points")]


@hookimpl
def shop_nav_links(customer):
    if not customer.is_member:
        return []
    links = [NavLink(label=_("My points"), url="/plugins/points/history", order=20)]
    if customer.has_role("staff"):
        links.append(NavLink(label=_("Points corrections"),
                             url="/plugins/points/staff/adjustments", order=21))
    return links


@hookimpl
def shop_template_slot(name, context):
    if name == "product":
        return promise.product_slot(context["product"])
    if name in ("cart", "checkout"):
        return promise.cart_slot(context.get("order"), current_customer(), name)
    if name == "order":
        return promise.order_slot(context["order"])
    if name == "order_paid_message":
        return promise.paid_message_slot(context["order"])
    if name != "admin_customer":
        return None
    user_id = context["user_id"]
    account = ledger.balance(user_id)
    return render_template("points/admin_cell.html", user_id=user_id,
                           points=ledger.usable(user_id, utcnow()),
                           pending=account.pending if account else 0)


@hookimpl
def shop_staff_customer_panels(customer):
    cfg = config.current()
    account = ledger.balance(customer.id)
    expiry = ledger.next_expiry(customer.id, utcnow())
    html = render_template("points/staff_panel.html", user_id=customer.id,
                           points=ledger.usable(customer.id, utcnow()),
                           pending=account.pending if account else 0,
                           expiry_day=local_date(expiry[0], cfg.tz) if expiry else None,
                           expiry_points=expiry[1] if expiry else 0)
    return [Panel(title=_("Points"), html=html, order=20, id="points", role="staff")]


def send_expiry_notices() -> None:
    cfg = config.current()
    if not cfg.notice_days:
        return
    now = utcnow()
    for lot in ledger.expiring_soon(now, timedelta(days=cfg.notice_days)):
        notify("points_expiring.txt", lazy_gettext("Your points expire soon"), user_id=lot.user_id,
               points=lot.remaining, day=local_date(lot.expires_at, cfg.tz))
        lot.notice_sent_at = now


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
