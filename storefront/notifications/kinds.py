"""The kinds of message members can stop one by one: the shop's news and offers, and each
enabled plugin's ``shop_message_kinds``, stored as ``<plugin>.<name>``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from hooks.types import MessageKind
from storefront.extensions import db
from storefront.notifications.models import MessageOptOut
from storefront.plugins.dispatch import each

SHOP_KINDS = ("transactional", "marketing")


@dataclass(frozen=True)
class DeclaredKind:
    key: str  # <plugin>.<name>, as stored
    plugin: str
    kind: MessageKind


def declared() -> list[DeclaredKind]:
    """The enabled plugins' kinds, in plugin order."""
    found = []
    for plugin, kinds in each("shop_message_kinds"):
        found.extend(DeclaredKind(f"{plugin}.{kind.name}", plugin, kind) for kind in kinds)
    return found


def resolve(kind: str, plugin: str) -> DeclaredKind | None:
    """The plugin's declared kind ``kind``; None for the shop's own kinds. Raises
    ValueError for a kind the plugin did not declare."""
    if kind in SHOP_KINDS:
        return None
    for found in declared():
        if found.plugin == plugin and found.kind.name == kind:
            return found
    allowed = ", ".join([*SHOP_KINDS, *(f.kind.name for f in declared() if f.plugin == plugin)])
    raise ValueError(f"kind {kind!r} is not one of {allowed}: declare it with "
                     "shop_message_kinds")


def stopped(user_id: int) -> set[str]:
    return set(db.session.scalars(select(MessageOptOut.kind)
                                  .where(MessageOptOut.user_id == user_id)))


def save_stopped(user_id: int, keys: set[str], shown: set[str]) -> bool:
    """Store the member's choice for the kinds ``shown`` on their page (a kind of a plugin
    switched off keeps its choice); True when something changed."""
    before = stopped(user_id) & shown
    if before == keys & shown:
        return False
    db.session.execute(delete(MessageOptOut).where(MessageOptOut.user_id == user_id,
                                                   MessageOptOut.kind.in_(shown - keys)))
    db.session.add_all(MessageOptOut(user_id=user_id, kind=key)
                       for key in (keys & shown) - before)
    return True
