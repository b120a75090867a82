"""Insights: who the customers are and whether loyalty works. RFM segments, the Pareto share,
repurchase and churn, for managers and the owner."""

from __future__ import annotations

from hooks import NavLink, hookimpl, lazy_gettext
from hooks import gettext as _
from loyalty_plugins.insights.views import blueprint

storefront_contract = ">=2.4,<3"
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
