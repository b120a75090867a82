"""The pluggy markers of the contract, and the failure policy every hookspec declares."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

import pluggy

PROJECT_NAME = "storefront"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

F = TypeVar("F", bound=Callable)


class Policy(StrEnum):
    """What the shop does when a plugin's implementation of a hook raises.

    DECIDES: the hook decides money or access. The call fails closed: the exception reaches
    the code that asked (the checkout refuses and no payment is made, access is denied, the
    static build stops, a published hook's caller sees it).
    FURNITURE: the hook adds to a page (links, panels, slots, assets). The failing plugin is
    left out of the answer and logged; the page renders with the other plugins' answers.
    REACTION: the hook reacts to something already committed (an order paid). Each plugin
    runs on its own, in its own transaction; a failure is logged and recorded, and the
    reaction is retried later. The change that happened stands.
    SETUP: the hook is asked once per installed plugin, enabled or not, while the shop
    starts or a command runs (blueprints, settings, migrations). A failure stops the start
    or the command with the plugin's name.
    """

    DECIDES = "decides"
    FURNITURE = "furniture"
    REACTION = "reaction"
    SETUP = "setup"


POLICY_ATTRIBUTE = "storefront_policy"
SINCE_ATTRIBUTE = "storefront_since"


def spec(policy: Policy, *, firstresult: bool = False, since: str = "1.0") -> Callable[[F], F]:
    """Declare a hookspec with its failure policy and the contract version it came in::

        @spec(Policy.DECIDES, firstresult=True)
        def points_balance(user_id: int) -> tuple[int, int]: ...

    A hookspec marked with plain ``hookspec`` is treated as ``Policy.DECIDES``."""

    def declare(function: F) -> F:
        setattr(function, POLICY_ATTRIBUTE, Policy(policy))
        setattr(function, SINCE_ATTRIBUTE, since)
        return hookspec(firstresult=firstresult)(function)

    return declare


def policy_of(function: Callable) -> Policy:
    """The declared policy of a hookspec function (``Policy.DECIDES`` when none)."""
    return getattr(function, POLICY_ATTRIBUTE, Policy.DECIDES)
