"""What a plugin may call in the shop at run time. Stable, like the hooks themselves."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from hooks.types import CartLineView, CustomerView, NotProvided, OrderView, TierInfo

if TYPE_CHECKING:
    from sqlalchemy import Subquery


def plugin_settings(name: str | None = None) -> dict[str, Any]:
    """Your plugin's settings for this shop: typed values, defaults filled in. The shop knows
    which plugin is asking; give ``name`` only to read another plugin's settings."""
    from storefront.plugins.state import settings_for

    return settings_for(name or _own_name("plugin_settings"))


def _own_name(function: str) -> str:
    from hooks.identity import calling_plugin

    name = calling_plugin()
    if name is None:
        raise RuntimeError(f"{function}() was called outside a plugin's code, so the shop "
                           "cannot tell which plugin it is for")
    return name


def read_front_matter(text: str) -> tuple[dict, str]:
    """Split a content file into its YAML front matter and its Markdown body; ValueError
    names the problem when the front matter is missing or not valid YAML."""
    from storefront.content.loader import front_matter

    return front_matter(text)


def render_markdown(text: str) -> Markup:
    """Markdown to HTML as the shop renders content (raw HTML in it is escaped)."""
    from storefront.content.loader import render_markdown as render

    return Markup(render(text))  # noqa: S704 - markdown-it with html disabled


def call(hook_name: str, **kwargs: Any) -> Any:
    """Call a hook another plugin publishes (``shop_publish_hooks``), on the enabled
    plugins, under the policy its spec declares; answers as pluggy does (a list, or one
    value for a firstresult hook). Raises ``NotProvided`` when no enabled plugin answers it
    (its publisher is not installed or is disabled)."""
    from storefront.plugins.dispatch import dispatcher

    found = dispatcher()
    if not found.provided(hook_name):
        raise NotProvided(f"no enabled plugin answers the hook {hook_name}; is the plugin "
                          "that publishes it installed and enabled?")
    return found.call(hook_name, **kwargs)


def provided(hook_name: str) -> bool:
    """Whether an enabled plugin answers the hook ``hook_name`` (see ``call``)."""
    from storefront.plugins.dispatch import dispatcher

    return dispatcher().provided(hook_name)


def plugin_enabled(name: str) -> bool:
    """Whether the plugin ``name`` is installed and enabled in this shop."""
    from storefront.plugins.state import is_enabled

    return is_enabled(name)


def render_template(template: str, **context: Any) -> Markup:
    """Render a template (the theme's copy first, else the plugin's ``templates/`` folder).
    Values are autoescaped; the result is safe to return in a Panel or slot."""
    from flask import render_template as flask_render

    return Markup(flask_render(template, **context))  # noqa: S704 - autoescaped by Jinja


def current_customer() -> CustomerView:
    """The shopper of the current request (``id`` None for a guest)."""
    from storefront.web.reader import customer_view

    return customer_view()


def _customer_columns() -> tuple:
    from storefront.accounts.models import User

    return User.id, User.email, User.name, User.role, User.created_at


def _customer_view(row) -> CustomerView:
    """A CustomerView of a User or of a row of ``_customer_columns()``."""
    return CustomerView(row.id, row.email, row.name, row.role, row.created_at)


def get_customer(user_id: int) -> CustomerView | None:
    """A member by id (email, name, role), or None."""
    from storefront.accounts.models import User
    from storefront.extensions import db

    user = db.session.get(User, user_id)
    if user is None:
        return None
    return _customer_view(user)


def get_customers(user_ids: Iterable[int]) -> dict[int, CustomerView]:
    """Many members by id in one query (for lists); ids that do not exist are left out."""
    from sqlalchemy import select

    from storefront.accounts.models import User
    from storefront.extensions import db

    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = db.session.execute(select(*_customer_columns()).where(User.id.in_(wanted))).all()
    return {row.id: _customer_view(row) for row in rows}


def members(batch: int = 500) -> Iterator[CustomerView]:
    """Every member account (customers and staff), oldest first, read in batches; for
    messages to many members such as invitations."""
    from sqlalchemy import select

    from storefront.accounts.models import User
    from storefront.extensions import db

    last = 0
    while True:
        rows = db.session.execute(select(*_customer_columns())
                                  .where(User.id > last).order_by(User.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield _customer_view(row)
        last = rows[-1].id


def staff_members() -> list[CustomerView]:
    """Every account with the staff role or above (staff, manager, owner), by name then
    e-mail; for choosing who handles a piece of work (since 2.7)."""
    from sqlalchemy import select

    from storefront.accounts.models import ROLE_RANK, User
    from storefront.extensions import db

    staff_roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK["staff"]]
    rows = db.session.execute(select(*_customer_columns()).where(User.role.in_(staff_roles))
                              .order_by(User.name, User.email)).all()
    return [_customer_view(row) for row in rows]


def net_spend(user_id: int, since: datetime | None = None) -> int:
    """What a member paid, minus what was refunded, for orders paid since ``since``
    (minor units; all time when None). Cancelled and unpaid orders do not count."""
    from storefront.orders.stats import net_spend as spend

    return spend(user_id, since)


def order_history() -> Subquery:
    """Every order a customer paid for, or that was imported as history, as a SQL table to
    build queries on (group, count, sum in the database, never order by order in Python):
    ``order_id``, ``customer`` (the e-mail address in lower case, the key guests, members
    and imported history share), ``user_id`` (None for a guest), ``placed_at`` (naive UTC),
    ``total``, ``refunded``, ``net`` (total minus refunded) and ``shipping`` (the shipping
    fee in the total), minor units; ``discount`` (what discounts took off it), ``payment``
    (the payment provider's name), ``cost`` (its cost of goods from the unit costs its lines
    kept, minor units; None when no line has a cost) and ``uncosted_lines`` (its lines
    without a cost, which ``cost`` leaves out). Cancelled and unpaid orders are not in it."""
    from storefront.orders.stats import order_history as history

    return history()


def customer_tier(customer: CustomerView) -> TierInfo | None:
    """The member's tier from the enabled tier plugin, or None."""
    from storefront.plugins.dispatch import call

    if not customer.is_member:
        return None
    return call("shop_customer_tier", customer=customer)


def can(actor: CustomerView, action: str, resource: object = None,
        default: bool = False) -> bool:
    """Ask every enabled plugin (``shop_permission``): any False denies, else any True
    allows, else ``default``. A plugin that raises denies (fails closed)."""
    from storefront.plugins.access import decide

    return decide(actor, action, resource, default)


def forbidden(action: str, resource: object = None):
    """A 403 response for the current shopper, with the unlock message a plugin gives in
    ``shop_forbidden`` ("join to unlock", "reach Gold"). Return it from a view."""
    from storefront.plugins.access import forbidden_response

    return forbidden_response(current_customer(), action, resource)


def notify(template: str, subject: str, *, user_id: int | None = None,
           email: str | None = None, kind: str = "transactional", **context: Any):
    """Send a member (``user_id``) or an address a message rendered from
    ``notifications/<template>`` (the theme's copy first, else the plugin's templates).

    It is written to the outbox in the current transaction and delivered after the commit;
    a failed delivery is retried. ``kind="marketing"`` is not sent to members who opted out
    of marketing messages (nor to bare addresses); ``kind`` may also name one of your
    plugin's ``shop_message_kinds`` (since 2.6), not sent to members who stopped that kind
    (nor to bare addresses). Members see their messages in their
    account, with the plugin that sent them (filled in by the shop).

    The message is written in the member's language (the one they chose, else the shop's
    default): give ``subject`` as ``lazy_gettext("Your ticket for %(title)s", title=...)``
    so it is translated for them, not for whoever caused the message."""
    from hooks.identity import calling_plugin
    from storefront.notifications.service import notify as queue

    return queue(template, subject, user_id=user_id, email=email, kind=kind,
                 plugin=calling_plugin() or "", **context)


def emit(event_type: str, *, aggregate_type: str, aggregate_id: str | int, payload: dict,
         version: int = 1) -> str:
    """Write an event of your plugin (``<plugin>.<what happened>``, e.g. ``points.earned``)
    in the current transaction; after the commit the worker delivers it to every enabled
    plugin's ``shop_event``. ``payload`` must be JSON (ids, numbers, text); bump ``version``
    when its meaning changes. Returns the event's stable id. Flushes, does not commit."""
    from hooks.identity import calling_plugin
    from storefront.events import record

    plugin = calling_plugin()
    if not plugin:
        raise RuntimeError("hooks.emit is for plugins: call it from your plugin's code")
    if not event_type.startswith(f"{plugin}."):
        raise ValueError(f"event types of plugin {plugin} start with '{plugin}.', "
                         f"not {event_type!r}")
    return record(event_type, aggregate_type=aggregate_type, aggregate_id=aggregate_id,
                  payload=payload, version=version, source=plugin).uid


def offer_product(sku: str, *, title: str, price: int, link: str, summary: str = "",
                  active: bool = True) -> None:
    """Create or update a product that your plugin sells through the cart and checkout (an
    event ticket), so that discounts, points and payments apply as to any product.

    ``price`` is in minor units; ``link`` is your page for it (the cart links there). It is
    not listed in the catalogue, search or static site, and its stock is not counted: keep
    your own count and refuse a sale in ``shop_validate_checkout`` / ``shop_order_reserve``.
    Deny adding it to a cart with ``shop_permission`` on the action ``cart.add`` (resource:
    the SKU). Runs in the current transaction."""
    from storefront.catalog.offers import offer_product as offer

    offer(_own_name("offer_product"), sku, title=title, price=price, link=link,
          summary=summary, active=active)


def quote(lines: Iterable[CartLineView], customer: CustomerView | None = None) -> OrderView:
    """What ``customer`` (the current shopper when None) would pay for ``lines`` as a cart
    of their own, priced now as the cart and the checkout price it: every enabled plugin's
    adjustments, the shop's shipping fee and its cap on discounts; nothing is written. The
    answer is an ``OrderView`` with ``id`` 0, ``number`` "" and ``status`` "quote". Asked
    again in the same request with the same lines and customer, it answers from memory, so
    plugins that show figures of one product on one page price it once. Raises when a
    pricing plugin fails, as the checkout would."""
    from storefront.cart.service import quote_lines
    from storefront.web.reader import customer_view

    return quote_lines(tuple(lines), customer or customer_view())


def get_order(order_id: int) -> OrderView | None:
    """An order, read-only, with its lines and applied adjustments."""
    from storefront.orders.views_model import order_view

    return order_view(order_id)


def shop_timezone() -> ZoneInfo:
    """The shop's time zone (the ``SHOP_TIMEZONE`` setting, "UTC" unless the owner sets
    one): the zone in which the shop's days begin and end."""
    from flask import current_app

    return ZoneInfo(current_app.config["SHOP_TIMEZONE"])


def today() -> date:
    """The shop's date now, in its time zone (not the server's, not UTC)."""
    return datetime.now(shop_timezone()).date()


def utcnow() -> datetime:
    """Now as naive UTC, the way the shop stores times in the database (``created_at``,
    ``paid_at``): compare with stored times and store your own times this way."""
    from storefront.timeutil import utcnow as now

    return now()


def session():
    """The database session of the current request (SQLAlchemy 2)."""
    from storefront.extensions import db

    return db.session


def __getattr__(name: str):
    if name == "Model":  # the declarative base for plugin tables, loaded on first use
        from storefront.extensions import db

        return db.Model
    raise AttributeError(name)
