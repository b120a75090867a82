from __future__ import annotations

import secrets
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, lazy_pgettext, pgettext
from flask_login import current_user
from sqlalchemy import func, select, update

from hooks.types import CustomerView, Panel
from storefront.accounts.models import Role, User
from storefront.admin.forms import ActionForm, RefundForm, StockForm
from storefront.catalog.models import Product
from storefront.extensions import db, login_manager
from storefront.i18n import money
from storefront.money import parse_money
from storefront.notifications.models import Notification
from storefront.orders.disputes import disputes_of
from storefront.orders.models import Order, OrderStatus
from storefront.orders.service import cancel_order, mark_paid, record_refund
from storefront.payments import provider
from storefront.plugins.settings import money_problem
from storefront.web.slots import panels

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def requires(role: Role):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def not_own_order(refusal: object):
    """Separation of duties: staff do not act on their own order (Order.is_placed_by); they
    get a 403 with ``refusal`` (a lazy text: what they cannot do, whom to ask) and the order
    stays as it was."""

    def decorator(view):
        @wraps(view)
        def wrapped(order_id: int):
            if _order_or_404(order_id).is_placed_by(current_user.id, current_user.email):
                abort(403, str(refusal))
            return view(order_id)

        return wrapped

    return decorator


# Orders whose money came in: what a customer spent is their totals less refunds.
SPENDING_STATUSES = (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value,
                     OrderStatus.REFUNDED.value)


# Codes the admin pages show, in the reader's words (a code not listed is shown as it is).
# Each has a context: a short English word here may mean something else in a plugin.
STATUS_NAMES = {
    OrderStatus.AWAITING_PAYMENT.value: lazy_pgettext("order status", "awaiting payment"),
    OrderStatus.PAID.value: lazy_pgettext("order status", "paid"),
    OrderStatus.PARTIALLY_REFUNDED.value: lazy_pgettext("order status", "partially refunded"),
    OrderStatus.REFUNDED.value: lazy_pgettext("order status", "refunded"),
    OrderStatus.CANCELLED.value: lazy_pgettext("order status", "cancelled"),
    OrderStatus.IMPORTED.value: lazy_pgettext("order status", "imported"),
}
PROVIDER_NAMES = {"offline": lazy_pgettext("payment provider", "offline"),
                  "import": lazy_pgettext("payment provider", "imported history")}
ROLE_NAMES = {
    Role.CUSTOMER.value: lazy_pgettext("role", "customer"),
    Role.STAFF.value: lazy_pgettext("role", "staff"),
    Role.MANAGER.value: lazy_pgettext("role", "manager"),
    Role.OWNER.value: lazy_pgettext("role", "owner"),
}
# A payment's status: "received" for a bank transfer, else the card provider's own word.
PAYMENT_STATUS_NAMES = {
    "received": lazy_pgettext("payment status", "received"),
    "succeeded": lazy_pgettext("payment status", "succeeded"),
    "processing": lazy_pgettext("payment status", "processing"),
    "requires_payment_method": lazy_pgettext("payment status", "requires payment method"),
    "requires_confirmation": lazy_pgettext("payment status", "requires confirmation"),
    "requires_action": lazy_pgettext("payment status", "requires action"),
    "requires_capture": lazy_pgettext("payment status", "requires capture"),
    "canceled": lazy_pgettext("payment status", "canceled"),
}
# Why a card holder disputed a payment: Stripe's reason codes.
DISPUTE_REASONS = {
    "bank_cannot_process": lazy_pgettext("dispute reason", "bank cannot process"),
    "check_returned": lazy_pgettext("dispute reason", "check returned"),
    "credit_not_processed": lazy_pgettext("dispute reason", "credit not processed"),
    "customer_initiated": lazy_pgettext("dispute reason", "customer initiated"),
    "debit_not_authorized": lazy_pgettext("dispute reason", "debit not authorized"),
    "duplicate": lazy_pgettext("dispute reason", "duplicate"),
    "fraudulent": lazy_pgettext("dispute reason", "fraudulent"),
    "general": lazy_pgettext("dispute reason", "general"),
    "incorrect_account_details": lazy_pgettext("dispute reason", "incorrect account details"),
    "insufficient_funds": lazy_pgettext("dispute reason", "insufficient funds"),
    "product_not_received": lazy_pgettext("dispute reason", "product not received"),
    "product_unacceptable": lazy_pgettext("dispute reason", "product unacceptable"),
    "subscription_canceled": lazy_pgettext("dispute reason", "subscription canceled"),
    "unrecognized": lazy_pgettext("dispute reason", "unrecognized"),
}
# The pricing trace (storefront.cart.pricing): an adjustment's phase and stacking rule.
PHASE_NAMES = {
    "line": lazy_pgettext("pricing phase", "line"),
    "order": lazy_pgettext("pricing phase", "order"),
    "shipping": lazy_pgettext("pricing phase", "shipping"),
    "tender": lazy_pgettext("pricing phase", "tender"),
}
STACKING_NAMES = {
    "combinable": lazy_pgettext("pricing stacking", "combinable"),
    "best_of": lazy_pgettext("pricing stacking", "best_of"),
    "exclusive": lazy_pgettext("pricing stacking", "exclusive"),
}


def trace_outcome(outcome: str) -> str:
    """A pricing trace's outcome ("applied", "excluded by cards:card", ...) in the reader's
    words."""
    if outcome == "applied":
        return pgettext("pricing outcome", "applied")
    if outcome == "limited":
        return pgettext("pricing outcome", "limited")
    if outcome.startswith("excluded by "):
        return _("excluded by %(rival)s", rival=outcome.removeprefix("excluded by "))
    if outcome.startswith("lost best-of to "):
        return _("lost best-of to %(rival)s", rival=outcome.removeprefix("lost best-of to "))
    return outcome


@bp.context_processor
def _names() -> dict:
    return {"status_names": STATUS_NAMES, "provider_names": PROVIDER_NAMES,
            "role_names": ROLE_NAMES, "payment_status_names": PAYMENT_STATUS_NAMES,
            "dispute_reasons": DISPUTE_REASONS, "phase_names": PHASE_NAMES,
            "stacking_names": STACKING_NAMES, "trace_outcome": trace_outcome}


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@bp.get("/")
@requires(Role.STAFF)
def dashboard():
    counts = dict(db.session.execute(
        select(Order.status, func.count(Order.id)).group_by(Order.status)).all())
    revenue = db.session.scalar(
        select(func.coalesce(func.sum(Order.total - Order.refunded_total), 0))
        .where(Order.status.in_([OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value]))
    )
    low_stock = db.session.scalars(
        select(Product).where(Product.active.is_(True), Product.plugin == "", Product.stock <= 5)
        .order_by(Product.stock).limit(10)).all()
    return render_template("admin/dashboard.html", counts=counts, revenue=revenue,
                           low_stock=low_stock)


@bp.get("/orders")
@requires(Role.STAFF)
def orders():
    status = request.args.get("status", "")
    query = select(Order).order_by(Order.id.desc())
    if status in {s.value for s in OrderStatus}:
        query = query.where(Order.status == status)
    page = _page()
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/orders.html", orders=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE, status=status,
                           statuses=list(OrderStatus))


def _order_or_404(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        abort(404)
    return order


@bp.get("/orders/<int:order_id>")
@requires(Role.STAFF)
def order(order_id: int):
    refund_form = RefundForm(refund_key=secrets.token_urlsafe(16))
    return render_template("admin/order.html", order=_order_or_404(order_id),
                           disputes=disputes_of(order_id), action_form=ActionForm(),
                           refund_form=refund_form)


@bp.post("/orders/<int:order_id>/mark-paid")
@requires(Role.STAFF)
@not_own_order(lazy_gettext("You cannot mark your own order as paid; ask another member of staff."))
def order_mark_paid(order_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    order = _order_or_404(order_id)
    if order.payment_provider != "offline":
        flash(_("Card payments are confirmed by the payment provider, not by hand."), "error")
    elif mark_paid(order.id, transfer_received=True):
        flash(_("Order %(number)s marked as paid.", number=order.number), "success")
    else:
        db.session.refresh(order)
        if order.status == OrderStatus.CANCELLED:
            flash(_("Order %(number)s is not awaiting payment. It was cancelled (%(reason)s); "
                    "return the transfer to the shopper, who may order again.",
                    number=order.number, reason=order.cancel_reason), "error")
        else:
            flash(_("Order %(number)s is not awaiting payment.", number=order.number), "error")
    return redirect(url_for("admin.order", order_id=order_id)), 303


@bp.post("/orders/<int:order_id>/cancel")
@requires(Role.MANAGER)
@not_own_order(lazy_gettext("You cannot cancel your own order; ask another manager."))
def order_cancel(order_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    order = _order_or_404(order_id)
    if cancel_order(order.id, f"cancelled by {current_user.email}"):
        flash(_("Order %(number)s cancelled; its stock is back on the shelf.",
                number=order.number), "success")
    else:
        flash(_("Only an order awaiting payment can be cancelled; refund a paid one."), "error")
    return redirect(url_for("admin.order", order_id=order_id)), 303


@bp.post("/orders/<int:order_id>/refund")
@requires(Role.MANAGER)
@not_own_order(lazy_gettext("You cannot refund your own order; ask another manager."))
def order_refund(order_id: int):
    form = RefundForm()
    order = _order_or_404(order_id)
    if not form.validate_on_submit():
        flash(_("Enter an amount and a reason for the refund."), "error")
        return redirect(url_for("admin.order", order_id=order_id)), 303
    try:
        amount = parse_money(form.amount.data)
    except ValueError as exc:
        flash(_("Amount %(problem)s.", problem=money_problem(exc)), "error")
        return redirect(url_for("admin.order", order_id=order_id)), 303
    if amount <= 0 or amount > order.refundable:
        flash(_("The refund must be between 0.01 and %(amount)s.",
                amount=money(order.refundable, order.currency)), "error")
        return redirect(url_for("admin.order", order_id=order_id)), 303
    key = f"storefront-refund-{order.public_token}-{form.refund_key.data}"
    import stripe  # here, not at start-up: the library takes about 0.2 s to import

    try:
        refund_id = provider(order.payment_provider).refund(order, amount, key)
    except stripe.StripeError as exc:
        flash(_("The payment provider refused the refund: %(problem)s",
                problem=exc.user_message or str(exc)), "error")
        return redirect(url_for("admin.order", order_id=order_id)), 303
    if record_refund(order.id, refund_id, amount, form.reason.data, current_user.email):
        flash(_("Refunded %(amount)s of order %(number)s.",
                amount=money(amount, order.currency), number=order.number), "success")
    else:
        flash(_("That refund was already recorded."), "error")
    return redirect(url_for("admin.order", order_id=order_id)), 303


@bp.get("/products")
@requires(Role.STAFF)
def products():
    # Products sold by plugins (event tickets) keep their count in the plugin, not here.
    rows = db.session.scalars(select(Product).where(Product.plugin == "")
                              .order_by(Product.title)).all()
    return render_template("admin/products.html", products=rows, stock_form=StockForm())


@bp.post("/products/<int:product_id>/stock")
@requires(Role.MANAGER)
def product_stock(product_id: int):
    form = StockForm()
    product = db.session.get(Product, product_id)
    if product is None or product.plugin:
        abort(404)
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.change.errors) or _("Enter a whole number."),
              "error")
        return redirect(url_for("admin.products")), 303
    changed = db.session.execute(
        update(Product).where(Product.id == product_id, Product.stock + form.change.data >= 0)
        .values(stock=Product.stock + form.change.data)
    ).rowcount
    db.session.commit()
    if changed:
        db.session.refresh(product)
        flash(_("%(product)s: stock is now %(stock)s.", product=product.title, stock=product.stock),
              "success")
    else:
        flash(_("%(product)s: stock cannot go below zero.", product=product.title), "error")
    return redirect(url_for("admin.products")), 303


@bp.get("/customers")
@requires(Role.STAFF)
def customers():
    page = _page()
    rows = db.session.execute(
        select(User, func.count(Order.id),
               func.coalesce(func.sum(Order.total - Order.refunded_total), 0))
        .outerjoin(Order, (Order.user_id == User.id) & Order.status.in_(SPENDING_STATUSES))
        .group_by(User.id).order_by(User.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("admin/customers.html", rows=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE)


@bp.get("/customers/<int:user_id>")
@requires(Role.STAFF)
def customer(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    orders = db.session.scalars(select(Order).where(Order.user_id == user_id)
                                .order_by(Order.id.desc()).limit(PAGE_SIZE)).all()
    counted = [o for o in orders if o.status in SPENDING_STATUSES]
    shown = CustomerView(user.id, user.email, user.name, user.role, user.created_at)
    return render_template("admin/customer.html", user=user, orders=orders,
                           paid_orders=len(counted),
                           spent=sum(o.total - o.refunded_total for o in counted),
                           panels=panels("shop_staff_customer_panels", customer=shown,
                                         extra=[_messages_panel(user_id)]))


MESSAGES_SHOWN = 10


def _messages_panel(user_id: int) -> Panel:
    """The latest messages the shop sent the customer: when, what, from whom and whether
    it went. Not their bodies: a password reset or e-mail confirmation link is theirs only."""
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.id.desc()).limit(MESSAGES_SHOWN)).all()
    total = db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.user_id == user_id)) if rows else 0
    return Panel(title=_("Messages sent"), id="messages-sent", order=900, role=Role.STAFF,
                 html=render_template("admin/_messages_panel.html", messages=rows, total=total))
