"""Referrals: a code accepted, the friend's first paid order, its return window, the reward.

Every step is a conditional update on the state it was read in, so a reaction delivered
twice, or two workers settling at once, change a referral once and reward it once. The
monthly limit is a conditional update of the referrer's row for the month.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update

from hooks import (
    N_,
    CustomerView,
    OrderView,
    call,
    get_customer,
    get_order,
    insert_once,
    order_history,
    provided,
    session,
    shop_timezone,
)
from loyalty_plugins.referrals import blocks, codes, messages
from loyalty_plugins.referrals.models import Referral, ReferralQuota, ReferralRefusal
from loyalty_plugins.referrals.settings import Settings

log = logging.getLogger(__name__)
PAID = ("paid", "partially_refunded", "refunded")
# How many of the referrer's latest paid orders a friend's first order is compared with.
COMPARED_ORDERS = 100
# Stored in English in the ledger (its audit trail), like every reason given to points_grant.
POINTS_REASON = "referral: the first order of {name} counted"


# The referee's reward as the rewards plugin shows it (a msgid of this plugin's catalog).
REWARD_LABEL = N_("Referral gift from %(name)s")


@dataclass(frozen=True)
class Entered:
    """What entering a code did: ``accepted``, ``unknown`` (no such code), ``used`` (the
    shopper has a referral already), ``staff`` (a staff account: not a club member) or
    ``blocked`` with ``block`` (blocks.py)."""

    outcome: str
    block: str = ""
    referral: Referral | None = None


def reward_key(referee_id: int) -> str:
    return f"referral:{referee_id}"


def month_of(moment: datetime) -> str:
    """The shop's calendar month of a naive UTC time: ``2027-03``."""
    return moment.replace(tzinfo=UTC).astimezone(shop_timezone()).strftime("%Y-%m")


def mailbox(email: str | None) -> str:
    """An e-mail address lower-cased and without its ``+tag``: ``Ana+shop@Example.com`` and
    ``ana@example.com`` reach the same person."""
    local, _, domain = (email or "").strip().lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if domain else local


def of_referee(user_id: int) -> Referral | None:
    return session().scalar(select(Referral).where(Referral.referee_id == user_id))


def paid_orders(user_id: int, email: str | None) -> int:
    history = order_history()
    who = history.c.user_id == user_id
    if email:
        who = or_(who, history.c.customer == email.strip().lower())
    return session().scalar(select(func.count()).select_from(history).where(who)) or 0


def may_enter_code(customer: CustomerView) -> bool:
    """A member with no referral yet and no paid order (else a code is refused anyway)."""
    return (customer.is_member and customer.role == "customer"
            and of_referee(customer.id) is None
            and paid_orders(customer.id, customer.email) == 0)


def rewarded_this_month(referrer_id: int, now: datetime) -> int:
    return session().scalar(select(ReferralQuota.rewarded).where(
        ReferralQuota.referrer_id == referrer_id,
        ReferralQuota.month == month_of(now))) or 0


def refusal(referee: CustomerView, referrer: CustomerView, cfg: Settings,
            now: datetime) -> str:
    """Why the code may not be used now ("" when it may)."""
    if referee.id == referrer.id:
        return blocks.SAME_ACCOUNT
    if mailbox(referee.email) == mailbox(referrer.email):
        return blocks.SAME_EMAIL
    if paid_orders(referee.id, referee.email):
        return blocks.ALREADY_BOUGHT
    if rewarded_this_month(referrer.id, now) >= cfg.monthly_limit:
        return blocks.LIMIT
    return ""


def enter(referee: CustomerView, code: str, cfg: Settings, now: datetime) -> Entered:
    """A member enters a friend's code (typed, or remembered from the friend's link)."""
    referrer_id = codes.owner_of(code)
    referrer = get_customer(referrer_id) if referrer_id is not None else None
    if referrer is None:
        return Entered("unknown")
    if referee.role != "customer":
        return Entered("staff")  # staff are not members of the club
    if of_referee(referee.id) is not None:
        return Entered("used")
    block = refusal(referee, referrer, cfg, now)
    if block:
        session().add(ReferralRefusal(referee_id=referee.id, referrer_id=referrer.id,
                                      block=block, created_at=now))
        session().flush()
        log.info("referrals: code of %s refused for %s: %s", referrer.id, referee.id, block)
        return Entered("blocked", block)
    if not insert_once(Referral, ["referee_id"], referee_id=referee.id,
                       referrer_id=referrer.id, code=codes.clean(code), state="pending",
                       block="", points=0, created_at=now):
        return Entered("used")  # the same shopper, in another tab at the same moment
    referral = of_referee(referee.id)
    until = now + timedelta(days=cfg.reward_days)
    rewarded = provided("rewards_grant") and call(
        "rewards_grant", user_id=referee.id, key=reward_key(referee.id), label=REWARD_LABEL,
        label_args={"name": referrer.name or referrer.email}, percent=cfg.percent,
        amount=cfg.amount, until=until)
    messages.welcome_referee(referee, referrer, cfg if rewarded else None, until)
    return Entered("accepted", referral=referral)


def first_paid(order_id: int, cfg: Settings, now: datetime) -> None:
    """A referee's first order was paid: blocked when it looks like the referrer's own
    (their e-mail address, card or delivery address), else the return window starts."""
    order = get_order(order_id)
    if order is None or order.user_id is None:
        return
    referral = of_referee(order.user_id)
    if referral is None or referral.state != "pending" or referral.order_id is not None:
        return
    referrer = get_customer(referral.referrer_id)
    block = own_order(order, referrer) if referrer is not None else ""
    values = ({"state": "blocked", "block": block, "order_id": order.id, "settled_at": now}
              if block else
              {"state": "waiting", "order_id": order.id,
               "due_at": now + timedelta(days=cfg.return_days)})
    changed = session().execute(update(Referral).where(
        Referral.id == referral.id, Referral.state == "pending",
        Referral.order_id.is_(None)).values(**values)).rowcount
    if changed and block and provided("rewards_revoke"):
        call("rewards_revoke", key=reward_key(order.user_id))  # if it was not used


def own_order(order: OrderView, referrer: CustomerView) -> str:
    """Whether the friend's order is the referrer's in disguise: the reason, else ""."""
    if mailbox(order.email) == mailbox(referrer.email):
        return blocks.SAME_EMAIL
    if not order.card_fingerprint and not order.delivery_key:
        return ""
    history = order_history()
    theirs = session().scalars(
        select(history.c.order_id).where(or_(
            history.c.user_id == referrer.id,
            history.c.customer == (referrer.email or "").strip().lower()))
        .order_by(history.c.placed_at.desc()).limit(COMPARED_ORDERS)).all()
    cards, places = set(), set()
    for other in filter(None, map(get_order, theirs)):
        cards.add(other.card_fingerprint)
        places.add(other.delivery_key)
    if order.card_fingerprint and order.card_fingerprint in cards:
        return blocks.SAME_CARD
    if order.delivery_key and order.delivery_key in places:
        return blocks.SAME_ADDRESS
    return ""


def refunded(order_id: int, now: datetime) -> bool:
    """A refund of a referee's first order before its return window closed: no reward."""
    return bool(session().execute(update(Referral).where(
        Referral.order_id == order_id, Referral.state == "waiting")
        .values(state="reversed", block=blocks.REFUNDED, settled_at=now)).rowcount)


def due(now: datetime) -> list[int]:
    return list(session().scalars(select(Referral.id).where(
        Referral.state == "waiting", Referral.due_at <= now).order_by(Referral.id)))


def settle_due(cfg: Settings, now: datetime) -> int:
    """The scheduled job: reward each referral whose return window closed; one transaction
    per referral. How many were rewarded."""
    done = 0
    for referral_id in due(now):
        done += settle(referral_id, cfg, now) == "rewarded"
        session().commit()
    return done


def settle(referral_id: int, cfg: Settings, now: datetime) -> str:
    """Reward one referral whose window closed; what became of it (``rewarded``,
    ``reversed``, ``blocked``, or ``""`` when another worker had it or it is not due)."""
    db = session()
    referral = db.get(Referral, referral_id)
    if referral is None or referral.state != "waiting" or referral.due_at > now:
        return ""
    order = get_order(referral.order_id)
    claim = update(Referral).where(Referral.id == referral_id, Referral.state == "waiting")
    if order is None or order.status not in PAID or order.refunded_total > 0:
        # Refunded while the plugin was off, or the refund's reaction has not come yet.
        db.execute(claim.values(state="reversed", block=blocks.REFUNDED, settled_at=now))
        return "reversed"
    if not db.execute(claim.values(state="rewarded", points=cfg.points,
                                   settled_at=now)).rowcount:
        return ""  # another worker settled it first
    if not take_quota(referral.referrer_id, now, cfg.monthly_limit):
        db.execute(update(Referral).where(Referral.id == referral_id)
                   .values(state="blocked", block=blocks.LIMIT, points=0))
        return "blocked"
    referee = get_customer(referral.referee_id)
    name = (referee.name or "") if referee else ""
    if provided("points_grant"):
        call("points_grant", user_id=referral.referrer_id, points=cfg.points,
             reason=POINTS_REASON.format(name=name or f"member {referral.referee_id}"),
             key=f"referral:{referral_id}", actor="referrals")
    else:
        db.execute(update(Referral).where(Referral.id == referral_id).values(points=0))
        log.warning("referrals: points plugin off, referral %s rewarded without points",
                    referral_id)
    messages.thank_referrer(referral.referrer_id, name, cfg.points
                            if provided("points_grant") else 0)
    return "rewarded"


def take_quota(referrer_id: int, now: datetime, limit: int) -> bool:
    """Count one more reward for the referrer this month, unless the limit is reached."""
    month = month_of(now)
    insert_once(ReferralQuota, ["referrer_id", "month"], referrer_id=referrer_id, month=month,
                rewarded=0)
    return bool(session().execute(update(ReferralQuota).where(
        ReferralQuota.referrer_id == referrer_id, ReferralQuota.month == month,
        ReferralQuota.rewarded < limit)
        .values(rewarded=ReferralQuota.rewarded + 1)).rowcount)
