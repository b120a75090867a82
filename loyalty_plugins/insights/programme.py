"""The programme's own figures over a period, from the plugins that run it: points, tiers,
events and community, each asked through the hook it publishes. A plugin that is switched off
(or fails) leaves its part out."""

from __future__ import annotations

from dataclasses import dataclass

from hooks import call, provided
from loyalty_plugins.insights.period import Period


@dataclass(frozen=True)
class Points:
    issued: int
    redeemed: int
    expired: int
    outstanding: int
    point_value: int  # minor units

    @property
    def liability(self) -> int:
        """What the points held today would cost at checkout, minor units."""
        return self.outstanding * self.point_value

    @property
    def redemption_rate(self) -> float:
        """Points spent in the period per point issued in it."""
        return self.redeemed / self.issued if self.issued else 0.0

    @property
    def breakage(self) -> float:
        """Of the points that left the members' accounts in the period, the share that
        expired unused."""
        gone = self.redeemed + self.expired
        return self.expired / gone if gone else 0.0


@dataclass(frozen=True)
class Tiers:
    members: tuple[tuple[str, int], ...]  # (tier name, members today), lowest first
    up: int
    down: int


@dataclass(frozen=True)
class Events:
    events: int
    confirmed: int
    attended: int

    @property
    def attendance(self) -> float:
        return self.attended / self.confirmed if self.confirmed else 0.0


@dataclass(frozen=True)
class Community:
    comments: int
    members: int
    reports: int


@dataclass(frozen=True)
class Programme:
    points: Points | None
    tiers: Tiers | None
    events: Events | None
    community: Community | None


def _ask(hook: str, period: Period) -> dict | None:
    return call(hook, start=period.start, end=period.end) if provided(hook) else None


def _tiers(found: dict | None) -> Tiers | None:
    if found is None:
        return None
    names = {tier.code: tier.name for tier in call("tiers_ladder")}
    return Tiers(tuple((names.get(code, code), count) for code, count in found["members"].items()),
                 found["up"], found["down"])


def programme(period: Period) -> Programme:
    points, events, community = (_ask(hook, period) for hook in (
        "points_figures", "events_figures", "community_figures"))
    return Programme(points=Points(**points) if points else None,
                     tiers=_tiers(_ask("tiers_figures", period)),
                     events=Events(**events) if events else None,
                     community=Community(**community) if community else None)
