"""Issuing, renewing, revoking and finding member cards."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hooks import CustomerView, add_months, call, customer_tier, provided, session
from loyalty_plugins.cards.models import Card
from loyalty_plugins.cards.numbers import is_valid, new_number, new_token, normalise
from loyalty_plugins.cards.types import CardType, card_types


class CardError(ValueError):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _valid_until(kind: CardType, start: datetime) -> datetime | None:
    if not kind.validity_months:
        return None
    return datetime.combine(add_months(start.date(), kind.validity_months), start.time())


def active_card(user_id: int, type_code: str) -> Card | None:
    return session().scalar(select(Card).where(Card.user_id == user_id,
                                               Card.type_code == type_code,
                                               Card.status == "active"))


def issue(user_id: int, kind: CardType, *, now: datetime, by: str = "system") -> Card:
    """A new card of ``kind``; one active card per member and type."""
    existing = active_card(user_id, kind.code)
    if existing is not None:
        return existing
    for _attempt in range(5):  # a number clash is astronomically rare; retry anyway
        card = Card(user_id=user_id, type_code=kind.code, number=new_number(),
                    token=new_token(), issued_at=now, valid_until=_valid_until(kind, now),
                    issued_by=by)
        session().add(card)
        try:
            session().flush()
            return card
        except IntegrityError:
            session().rollback()
    raise CardError("could not draw a free card number")


def tier_rank(code: str) -> int | None:
    """The rank of a tier in the tiers plugin's ladder; None when unknown or tiers are off."""
    ladder = call("tiers_ladder") if provided("tiers_ladder") else ()
    return next((tier.rank for tier in ladder if tier.code == code), None)


def eligible(kind: CardType, customer: CustomerView) -> bool:
    if kind.grant == "on_joining":
        return True
    if kind.grant == "tier":
        tier = customer_tier(customer)
        wanted = tier_rank(kind.min_tier)
        return tier is not None and wanted is not None and tier.rank >= wanted
    return False


def issue_due(customer: CustomerView, *, now: datetime) -> list[Card]:
    """Cards the member is entitled to and does not hold yet."""
    issued = []
    for kind in card_types():
        if kind.grant != "staff" and eligible(kind, customer) and \
                active_card(customer.id, kind.code) is None:
            issued.append(issue(customer.id, kind, now=now))
    return issued


def renew(card: Card, kind: CardType, *, now: datetime) -> None:
    start = max(now, card.valid_until or now)
    card.valid_until = _valid_until(kind, start)


def revoke_and_replace(card: Card, *, now: datetime, by: str) -> Card:
    """A lost card: the old number and QR stop working at once; a new card replaces it."""
    card.status = "revoked"
    card.revoked_at = now
    card.revoked_by = by
    session().flush()
    replacement = Card(user_id=card.user_id, type_code=card.type_code, number=new_number(),
                       token=new_token(), issued_at=now, valid_until=card.valid_until,
                       issued_by=by)
    session().add(replacement)
    session().flush()
    return replacement


def find(query: str) -> Card | None:
    """By card number (check digit verified) or by the token behind the QR code."""
    query = (query or "").strip()
    if "/scan/" in query:
        query = query.rsplit("/scan/", 1)[1]
    number = normalise(query)
    if number.isdigit():
        if not is_valid(number):
            return None
        return session().scalar(select(Card).where(Card.number == number))
    return session().scalar(select(Card).where(Card.token == query))


def cards_of(user_id: int) -> list[Card]:
    return list(session().scalars(select(Card).where(Card.user_id == user_id)
                                  .order_by(Card.status, Card.id.desc())))
