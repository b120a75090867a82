"""Who may read an article.

``public``: everyone. ``members``: every logged-in member. A tier code (``silver``): members
whose tier ranks at least as high as that tier in the tiers plugin's ladder. Staff read
everything (they moderate). While the tiers plugin is off nobody has a tier, so a tier
article stays locked (teaser and notice; fail closed, as the events plugin does for tier
events). A tier code that the enabled ladder does not know makes the article unlisted and
readable by staff only, and ``storefront content check`` reports it. Other plugins may still
veto or grant the action ``community.read`` through ``shop_permission``.

The tier ladder comes from the tiers plugin's public API (``ladder_info()``) and the reader's
tier from ``customer_tier(member)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g

from hooks import (
    CustomerView,
    call,
    can,
    current_customer,
    customer_tier,
    provided,
)
from hooks import gettext as _
from loyalty_plugins.community.articles import Article


@dataclass(frozen=True)
class Rung:
    code: str
    name: str
    rank: int


def tier_ladder() -> dict[str, Rung] | None:
    """The tiers plugin's ladder by code, or None when the plugin is off."""
    if not provided("tiers_ladder"):
        return None
    return {t.code: Rung(t.code, t.name, t.rank) for t in call("tiers_ladder")}


@dataclass(frozen=True)
class Access:
    readable: bool
    listed: bool = True
    notice: str = ""  # why not, and how to unlock it


@dataclass
class Reader:
    """The shopper of this request, with the tier facts looked up once."""

    customer: CustomerView
    ladder: dict[str, Rung] | None
    rank: int = -1  # the member's tier rank; -1: none
    _seen: dict[str, Access] = field(default_factory=dict)

    @property
    def is_staff(self) -> bool:
        return self.customer.has_role("staff")

    def rung(self, article: Article) -> Rung | None:
        """The article's tier; without the tiers plugin, one nobody has."""
        if self.ladder is None:
            return Rung(article.audience, article.audience.replace("_", " ").title(), 1 << 30)
        return self.ladder.get(article.audience)

    def audience_label(self, article: Article) -> str:
        if article.audience in ("public", "members"):
            return "" if article.audience == "public" else _("Members only")
        rung = self.rung(article)
        return _("%(tier)s and above", tier=rung.name) if rung else _("Staff only")

    def _rule(self, article: Article) -> Access:
        if article.audience == "public" or self.is_staff:
            return Access(True)
        if article.audience == "members":
            if self.customer.is_member:
                return Access(True)
            return Access(False, notice=_("Members only. Log in or join the club to read "
                                          "the whole article."))
        rung = self.rung(article)
        if rung is None:
            return Access(False, listed=False)
        if self.customer.is_member and self.rank >= rung.rank:
            return Access(True)
        if self.customer.is_member:
            return Access(False, notice=_("For %(tier)s members and above. Reach %(tier)s to "
                                          "read the whole article.", tier=rung.name))
        return Access(False, notice=_("For %(tier)s members and above. Log in or join the "
                                      "club, then reach %(tier)s to read the whole article.",
                                      tier=rung.name))

    def access(self, article: Article) -> Access:
        if article.slug not in self._seen:
            rule = self._rule(article)
            if rule.listed:
                allowed = can(self.customer, "community.read", article, default=rule.readable)
                rule = Access(allowed, True, "" if allowed else
                              rule.notice or _("This article is not available to you."))
            self._seen[article.slug] = rule
        return self._seen[article.slug]


def current_reader() -> Reader:
    if "_community_reader" not in g:
        customer = current_customer()
        tier = customer_tier(customer) if customer.is_member else None
        g._community_reader = Reader(customer, tier_ladder(),
                                     tier.rank if tier is not None else -1)
    return g._community_reader


def anonymous_reader() -> Reader:
    """A guest, whatever the request: what the feed and the static site may show."""
    return Reader(CustomerView(None), tier_ladder())
