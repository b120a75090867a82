"""What statuses, categories and kinds are called in the reader's language."""

from __future__ import annotations

from hooks import lazy_gettext

STATUS_NAMES = {
    "new": lazy_gettext("new"), "in_progress": lazy_gettext("in progress"),
    "waiting": lazy_gettext("waiting for customer"), "resolved": lazy_gettext("resolved"),
    "closed": lazy_gettext("closed"),
}
CATEGORY_NAMES = {
    "order": lazy_gettext("an order"), "product": lazy_gettext("a product"),
    "event": lazy_gettext("an event"), "service": lazy_gettext("our service"),
    "follow-up": lazy_gettext("survey follow-up"),
}
KIND_NAMES = {"complaint": lazy_gettext("complaint"), "claim": lazy_gettext("claim")}


def reference(complaint_id: int) -> str:
    """How a complaint is named to people and in ledgers: "C-12"."""
    return f"C-{complaint_id}"
