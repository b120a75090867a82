"""Hook specifications: the public contract between the shop and its plugins.

Every hook is documented in docs/plugins.md; a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hooks.markers import Policy, spec

if TYPE_CHECKING:
    from datetime import datetime

    import click
    from flask import Blueprint, Flask
    from markupsafe import Markup

    from hooks.types import (
        Adjustment,
        Asset,
        CartView,
        CustomerView,
        Event,
        Job,
        MessageKind,
        NavLink,
        OrderView,
        Panel,
        SettingField,
        StaticPage,
        TierInfo,
        WhatIf,
    )

# Lifecycle ---------------------------------------------------------------------------------


@spec(Policy.SETUP)
def shop_startup(app: Flask) -> None:
    """Called once when the app is created, for every installed plugin, enabled or not.

    Use it for set-up that has no visible effect (register a template filter, read config);
    anything a shopper could notice belongs in the other hooks, which respect enablement.
    An exception stops the app from starting, with the plugin's name in the error.

    Under ``storefront serve`` the app is created once, in gunicorn's master process, and
    the workers are forked from it: start no thread and open no client here (open them when
    first used); a database connection opened here stays the master's.
    """


@spec(Policy.SETUP, since="2.0")
def shop_publish_hooks() -> list[object]:
    """Return modules (or classes) holding hookspecs that this plugin offers other plugins,
    as pytest's ``pytest_addhooks`` does: functions marked with ``hooks.spec(...)`` (or
    plain ``hooks.hookspec``, which counts as ``Policy.DECIDES``). Each hook's name must
    start with the plugin's name and an underscore (``points_grant``); the shop refuses to
    start otherwise. Other plugins implement them with ``@hookimpl`` and call them with
    ``hooks.call(name, **kwargs)`` under the declared policy; ``hooks.provided(name)`` says
    whether an enabled plugin answers.
    """


@spec(Policy.SETUP)
def shop_register_blueprints() -> list[Blueprint]:
    """Return Flask blueprints. Each is mounted under ``/plugins/<plugin name>``; a
    blueprint's ``static_folder`` is served under that prefix too. While the plugin is
    disabled its routes answer 404. Results from all plugins are mounted. A blueprint whose
    own ``url_prefix`` is ``/<plugin name>`` is mounted there instead (``/community/``)."""


@spec(Policy.SETUP)
def shop_register_commands(cli: click.Group) -> None:
    """Add click commands to the ``storefront`` command (``cli.add_command(...)``).

    The commands run inside an app context. While the plugin is disabled they refuse to run
    and say so.
    """


@spec(Policy.SETUP)
def shop_settings_schema() -> list[SettingField]:
    """Return the plugin's settings as :class:`hooks.SettingField` items.

    The admin page and ``storefront plugins settings`` build their forms from it and
    validate every value against it; secret fields are masked and never printed. Read the
    values with ``hooks.plugin_settings(name)``. Each plugin answers for itself.
    """


@spec(Policy.FURNITURE, since="2.5")
def shop_settings_what_if(current: dict, candidate: dict, since: datetime) -> list[WhatIf]:
    """Answer "what if" for settings of your own plugin that the owner is trying on its
    settings page (the **What if** button beside **Save settings**), before saving them:
    what they would have done to the orders since ``since`` (naive UTC; the owner chooses
    how many months back), beside what the saved settings did. ``current`` and
    ``candidate`` are typed as ``hooks.plugin_settings()`` gives them; the shop has
    validated the candidate exactly as for saving, and saves nothing. Only the plugin whose
    page it is gets asked, enabled or not. Return ``hooks.WhatIf`` tables; the shop shows
    each as current | candidate | difference. Must not write. An exception is logged and
    the page says the what-if failed."""


@spec(Policy.SETUP)
def shop_migration_dirs() -> list[str]:
    """Return folders of Alembic migration scripts for the tables the plugin owns.

    Each folder is one Alembic branch: its first revision has ``down_revision = None``,
    ``branch_labels = ("<plugin name>",)`` and ``depends_on = "0001"`` (the core schema).
    ``storefront db upgrade`` applies every branch; existing data is never touched by
    installing a plugin. Define tables on ``hooks.Model``.
    """


@spec(Policy.FURNITURE, since="2.6")
def shop_message_kinds() -> list[MessageKind]:
    """Return the kinds of message your plugin sends that members can stop one by one
    (:class:`hooks.MessageKind`). Each enabled plugin's kinds are boxes on the member's
    **Message preferences** page; send one with ``hooks.notify(..., kind=name)``. A member
    who unticked it does not get it (the message is kept, marked as not sent, in their
    message list); nor, for a kind with ``news=True``, a member who stopped news and
    offers. Each plugin answers for itself; a plugin that fails here is left out (logged),
    and its kinds cannot be sent until it answers again."""


@spec(Policy.DECIDES)
def shop_register_jobs() -> list[Job]:
    """Return scheduled jobs. ``storefront jobs run`` runs the due jobs of enabled
    plugins, records every run, and retries a failed job on the next run without stopping
    the others."""

@spec(Policy.SETUP)
def shop_content_check(root: str) -> list[tuple[str, str, str]]:
    """Validate the plugin's own files in the shop's content folder ``root`` (for example
    ``content/events/``). Return ``(file, field, problem)`` for each problem found; they are
    reported by ``storefront content check``, which exits 1 if there is any. Called for every
    installed plugin. Read files with ``hooks.read_front_matter``."""


@spec(Policy.DECIDES)
def shop_static_pages() -> list[StaticPage]:
    """Return the plugin's public pages for ``storefront build`` (the static site). List only
    pages anyone may see: the build fetches each as an anonymous visitor, fails on a status
    other than 200, and writes nothing for members-only content. Results of all enabled
    plugins are concatenated with the core's pages."""


# Pricing -----------------------------------------------------------------------------------


@spec(Policy.DECIDES)
def shop_cart_adjustments(cart: CartView, customer: CustomerView) -> list[Adjustment]:
    """Propose price adjustments for a cart.

    Called by ``storefront.cart.pricing.quote`` every time a cart is priced: on the cart page, on
    the checkout page and again, on the server, when the order is placed. Must not write.
    Return a list of :class:`hooks.Adjustment` (or None). Lists from all plugins are
    concatenated; the core resolver then orders them by phase, priority, plugin and code, so
    the result does not depend on the order in which plugins are called. Failure is fatal for
    the checkout (fails closed): the shopper sees an error and no order or payment is made.
    """


@spec(Policy.DECIDES)
def shop_validate_checkout(cart: CartView, customer: CustomerView) -> list[str]:
    """Return messages that stop the checkout (empty list or None: no objection).

    Called just before an order is placed. Messages from all plugins are shown together.
    Failure is fatal for the checkout (fails closed).
    """


# Orders and customers ---------------------------------------------------------------------


@spec(Policy.DECIDES)
def shop_order_reserve(order: OrderView, customer: CustomerView) -> None:
    """Reserve what this order hands out (points redeemed, event seats), inside the
    transaction that places the order, with ``hooks.session()``.

    Called after the order, its lines and adjustments are written and its stock is taken,
    before the commit. Raise ``hooks.CheckoutRefused("message")`` to refuse the order: the
    shopper sees the message and nothing at all is written. Any other exception refuses it
    too, with a generic message (fails closed). Do not commit.
    """



@spec(Policy.REACTION)
def shop_order_placed(order_id: int) -> None:
    """An order was placed (stock reserved, payment not yet taken): event ``order.placed``.

    Like every reaction, called by the worker after the commit, once per plugin in a
    transaction of its own that the shop commits; an exception rolls it back and the worker
    tries again later (see "Events" in docs/plugins.md). Results are ignored."""


@spec(Policy.REACTION)
def shop_order_paid(order_id: int) -> None:
    """An order's payment succeeded (event ``order.paid``, once per order)."""


@spec(Policy.REACTION)
def shop_order_refunded(order_id: int, refund_id: str, amount: int) -> None:
    """A refund of ``amount`` minor units was recorded under the provider's ``refund_id``
    (events ``order.partially_refunded`` and ``order.refunded``, once per refund id)."""


@spec(Policy.REACTION)
def shop_order_cancelled(order_id: int, reason: str) -> None:
    """An unpaid order was cancelled (by staff, or because its payment failed); stock
    released (event ``order.cancelled``)."""


@spec(Policy.REACTION)
def shop_order_disputed(order_id: int, dispute_id: str, amount: int, status: str) -> None:
    """The card holder disputed the order's payment (a chargeback or an inquiry), or the
    dispute ended (event ``order.disputed``). ``status`` is ``open`` (hold what the order
    gave, e.g. its points), ``won`` (the shop keeps the money: give it back) or ``lost``
    (the money went back to the card holder; ``shop_order_refunded`` follows with
    ``refund_id`` = ``dispute_id`` and ``amount``). Once per change, in that order; a
    dispute may be announced as won or lost without ever being open."""


@spec(Policy.REACTION, since="2.1")
def shop_event(event: Event) -> None:
    """Every event, the shop's (``order.paid``, ``customer.profile_changed`` ...) and those
    plugins emit with ``hooks.emit`` (``points.earned`` ...), in the order they happened
    for one order or customer. Return quickly for types you do not handle. Delivered as
    the reactions above are, and with them in one transaction when a plugin has both."""


@spec(Policy.FURNITURE)
def shop_template_slot(name: str, context: dict) -> Markup | str | None:
    """Render HTML into a named slot of the theme.

    Slots: ``nav``, ``account``, ``checkout``, ``cart``, ``product``, ``head``, and
    ``admin_customer`` (a cell of each row of Admin → Customers, a few words; context:
    user_id; the customer's own page has ``shop_staff_customer_panels``). Every
    non-empty result is rendered. Return ``markupsafe.Markup`` for trusted HTML; plain
    strings are escaped. An exception is logged and the slot renders without that plugin.
    """


@spec(Policy.FURNITURE)
def shop_account_panels(customer: CustomerView) -> list[Panel]:
    """Return panels for the member's account page, sorted by ``order`` then title.
    A failing plugin's panels are left out (logged); the page still renders."""


@spec(Policy.FURNITURE)
def shop_checkout_panels(cart: CartView, customer: CustomerView) -> list[Panel]:
    """Return panels for the checkout page (e.g. "use my points"). Forms in a panel post
    to the plugin's own blueprint. A failing plugin's panels are left out (logged)."""


@spec(Policy.FURNITURE, since="2.7")
def shop_staff_customer_panels(customer: CustomerView) -> list[Panel]:
    """Return panels for the staff page of one customer (Admin → Customers → the customer),
    which gathers the whole customer on one screen for whoever answers them. ``customer``
    is the customer shown; the reader is ``hooks.current_customer()`` (staff or above).
    Give each panel the least ``role`` that may read it: the shop leaves out the panels
    above the reader's role. Keep a panel short (the latest few rows, a link to your full
    page). A failing plugin's panels are left out (logged); the page still renders."""


@spec(Policy.FURNITURE)
def shop_nav_links(customer: CustomerView) -> list[NavLink]:
    """Return links for the site navigation, sorted by ``order`` then label."""


@spec(Policy.DECIDES)
def shop_cache_guest_pages() -> bool | None:
    """Return True when what your plugin puts in pages for guests (nav links, slots,
    assets) is the same for every guest: it does not depend on the request (cookies,
    headers, address) or on who the guest is. Opt-in (since 2.7): only while every enabled
    plugin answers True does the shop reuse a guest's product, listing or content page in
    process (until what it shows, the plugins' state or the theme changes, for at most
    ``GUEST_PAGE_CACHE_SECONDS``) and let shared caches keep it for
    ``PUBLIC_PAGE_CACHE_SECONDS``; otherwise each guest page is rendered afresh and a
    shared cache asks the shop each time. Asked again after every change of the plugins'
    state; False, None, no implementation or an exception count as not cacheable."""


@spec(Policy.FURNITURE)
def shop_extra_assets() -> list[Asset]:
    """Return stylesheets and scripts to add to every page (same-origin URLs, e.g. the
    plugin's static files under ``/plugins/<name>/static/``)."""


# Customers and access ----------------------------------------------------------------------


@spec(Policy.DECIDES, firstresult=True)
def shop_customer_tier(customer: CustomerView) -> TierInfo | None:
    """Return the member's tier. firstresult: the first plugin that answers (not None)
    decides; a shop normally runs one tier plugin. None for guests and untiered members."""


@spec(Policy.DECIDES)
def shop_permission(actor: CustomerView, action: str, resource: object) -> bool | None:
    """Vote on whether ``actor`` may do ``action`` (e.g. ``"event.register"``) on
    ``resource``. Veto rule: any False denies; otherwise any True allows; otherwise the
    core's default decides. Return None to abstain. An exception denies (fails closed).
    Ask with ``hooks.can(actor, action, resource, default=...)``."""


@spec(Policy.FURNITURE, firstresult=True)
def shop_forbidden(actor: CustomerView, action: str, resource: object) -> Markup | str | None:
    """Return the body of the page shown when ``action`` was denied, e.g. "join the club to
    unlock this" with a link. firstresult; None falls back to the plain 403 page."""


@spec(Policy.FURNITURE)
def shop_member_summary(customer: CustomerView) -> dict:
    """Return small facts about the signed-in member for ``GET /api/me``, which the static
    site's pages show in their member box, e.g. ``{"points": 120}``. JSON values only.
    Called for members only; the dicts of all enabled plugins are merged (``signed_in``,
    ``name`` and ``tier`` are the core's). A failing plugin is left out and logged."""


@spec(Policy.REACTION)
def shop_customer_registered(user_id: int) -> None:
    """A shopper created an account (event ``customer.registered``), by the link mailed at
    registration, so ``shop_customer_verified`` follows at once."""


@spec(Policy.REACTION)
def shop_customer_verified(user_id: int) -> None:
    """A member proved they own their email address, by the verification link or a password
    reset (event ``customer.verified``, once per account)."""
