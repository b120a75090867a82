"""Insights: who the customers are and whether loyalty works. RFM segments, the Pareto share,
repurchase and churn, for managers and the owner."""

from __future__ import annotations

from pathlib import Path

from hooks import (
    Job,
    NavLink,
    Panel,
    hookimpl,
    lazy_gettext,
    render_template,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.insights import history, snapshot
from loyalty_plugins.insights.pages import percent
from loyalty_plugins.insights.settings import SCHEMA, SEGMENT_NAMES
from loyalty_plugins.insights.views import blueprint

storefront_contract = ">=2.7,<3"  # shop_staff_customer_panels
storefront_description = lazy_gettext(
    "Insights: who your customers are and whether loyalty works. RFM segments, the share of "
    "revenue from the best customers, repurchase and churn, for managers and the owner.")


@hookimpl
def shop_register_blueprints():
    return [blueprint()]


@hookimpl
def shop_nav_links(customer):
    if customer.has_role("manager"):
        return [NavLink(label=_("Insights"), url="/plugins/insights/", order=92)]
    return []


@hookimpl
def shop_publish_hooks():
    from loyalty_plugins.insights import published

    return [published]


@hookimpl
def insights_segment(email):
    return snapshot.segment_of_address(email)


@hookimpl
def shop_settings_schema():
    return SCHEMA


@hookimpl
def shop_migration_dirs():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def shop_register_jobs():
    return [Job("refresh", lambda: snapshot.refresh(utcnow()), every_seconds=3600,
                description="compute every customer's segment, scores and value again"),
            Job("rebuild", history.rebuild, every_seconds=7 * 86400,
                description="sum every customer's orders again from the whole history "
                            "(the order events keep the sums up to date in between)")]


# Every change to the order history comes as one of these events (imports excepted: the
# refresh finds those by its totals); each sums its customer's orders again (history.py).
@hookimpl
def shop_order_paid(order_id):
    history.order_changed(order_id)


@hookimpl
def shop_order_refunded(order_id, refund_id, amount):
    history.order_changed(order_id)


@hookimpl
def shop_order_cancelled(order_id, reason):
    history.order_changed(order_id)


@hookimpl
def shop_order_disputed(order_id, dispute_id, amount, status):
    history.order_changed(order_id)


@hookimpl
def shop_staff_customer_panels(customer):
    figures = snapshot.figures_of(customer.id)
    if figures is None:
        return []
    html = render_template("insights/admin_customer.html", figures=figures,
                           names=SEGMENT_NAMES, percent=percent)
    return [Panel(title=_("Segment and value"), html=html, order=50, role="manager")]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
