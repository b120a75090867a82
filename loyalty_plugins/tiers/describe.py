"""A tier change's reason, in the reader's language.

The ``tiers_change`` table keeps each reason as written then, in English: the audit trail,
never rewritten. Its rows hold no structured data about why (no order id, no amount), so the
reasons this plugin writes (qualify.requalify) are recognised by their exact English pattern
and said again in the reader's language, with the order's number as stored and the amount as
the language writes money. A reason that does not match is shown as stored.
"""

from __future__ import annotations

import re
from decimal import Decimal

from hooks import gettext as _
from hooks import money, ngettext
from loyalty_plugins.tiers.models import TierChange

# "<event>: <spend / 100 with 2 decimals> spent in the last <n> months", and after the daily
# check's downgrade "; the <n>-day grace period ended" (see qualify.requalify and the events
# in plugin.py and qualify.daily_check).
REASON = re.compile(r"(?P<event>.+?): (?P<amount>-?\d+\.\d{2}) spent in the last "
                    r"(?P<months>\d+) months(?:; the (?P<grace>\d+)-day grace period ended)?")
PAID = re.compile(r"order (?P<order>\S+) paid")
REFUND = re.compile(r"refund on order (?P<order>\S+)")


def _event(text: str) -> str | None:
    """What made the tier change, in the reader's language; None if not the plugin's."""
    if text == "joined":
        return _("joined")
    if text == "daily check":
        return _("daily check")
    if found := PAID.fullmatch(text):
        return _("order %(order)s paid", order=found["order"])
    if found := REFUND.fullmatch(text):
        return _("refund on order %(order)s", order=found["order"])
    return None


def describe_change(change: TierChange) -> str:
    """Why the member's tier changed, in the reader's language (the stored text if it is not
    one the plugin wrote)."""
    found = REASON.fullmatch(change.reason)
    event = _event(found["event"]) if found else None
    if event is None:
        return change.reason
    months = int(found["months"])
    amount = money(int(Decimal(found["amount"]) * 100))
    why = ngettext("%(event)s: %(amount)s spent in the last month",
                   "%(event)s: %(amount)s spent in the last %(num)s months", months,
                   event=event, amount=amount)
    if found["grace"] is None:
        return why
    return ngettext("%(why)s; the %(num)s-day grace period ended",
                    "%(why)s; the %(num)s-day grace period ended", int(found["grace"]), why=why)


__all__ = ["describe_change"]
