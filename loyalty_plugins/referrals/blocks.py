"""Why a referral was blocked or reversed, as the shopper and staff read it."""

from __future__ import annotations

from hooks import lazy_gettext

SAME_ACCOUNT = "same_account"
SAME_EMAIL = "same_email"
SAME_CARD = "same_card"
SAME_ADDRESS = "same_address"
LIMIT = "monthly_limit"
ALREADY_BOUGHT = "already_bought"
REFUNDED = "refunded"

REASONS = {
    SAME_ACCOUNT: lazy_gettext("this is the referrer's own code: nobody can refer "
                               "themselves."),
    SAME_EMAIL: lazy_gettext("the friend used the referrer's e-mail address."),
    SAME_CARD: lazy_gettext("the friend's first order was paid with a card the referrer "
                            "also paid with."),
    SAME_ADDRESS: lazy_gettext("the friend's first order goes to a delivery address the "
                               "referrer also uses."),
    LIMIT: lazy_gettext("the referrer has reached this month's limit of referral rewards."),
    ALREADY_BOUGHT: lazy_gettext("the code was entered after a first paid order: referral "
                                 "codes are for new customers."),
    REFUNDED: lazy_gettext("the friend's first order was refunded within the return window."),
}


def why(block: str) -> str:
    return str(REASONS.get(block, block))
