"""The planner's typed results: a room's summary, one pick, the plan; ``to_dict()`` at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.gaps import Gap

__all__ = ["Plan", "PlanParameters", "Recommendation", "RoomSummary"]


@dataclass(frozen=True)
class RoomSummary:
    """Composition, diversity and gaps of one room on one date, against one baseline.

    ``composition`` maps dimension -> category -> head-count (partners, Guests included);
    ``diversity`` maps dimension -> the indices of :func:`analysis.diversity.diversity`;
    ``gaps`` are the :class:`analysis.gaps.Gap` rows; ``expected`` maps dimension -> category ->
    the share the room is compared with (baseline share, or the target).
    """

    size: int
    members: tuple[str, ...]
    composition: Mapping[str, Mapping[str, int | float]]
    shares: Mapping[str, Mapping[str, float]]
    diversity: Mapping[str, Mapping[str, float]]
    gaps: tuple[Gap, ...]
    baseline_size: int
    expected: Mapping[str, Mapping[str, float]]

    @property
    def blau_total(self) -> float:
        """The sum over the dimensions of Blau's index."""
        return float(sum(v["blau"] for v in self.diversity.values()))

    def gaps_of(self, dimension: str) -> tuple[Gap, ...]:
        """The gaps of one dimension, in the order :func:`analysis.gaps.representation_gaps` gave."""
        return tuple(g for g in self.gaps if g.dimension == dimension)

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "members": list(self.members),
            "composition": {d: dict(c) for d, c in self.composition.items()},
            "shares": {d: dict(s) for d, s in self.shares.items()},
            "diversity": {d: dict(v) for d, v in self.diversity.items()},
            "gaps": [g.to_dict() for g in self.gaps],
            "baseline_size": self.baseline_size,
            "expected": {d: dict(e) for d, e in self.expected.items()},
        }


@dataclass(frozen=True)
class Recommendation:
    """One invitee: who, why (plain words), and the score the pick was ranked by."""

    partner_id: str
    name: str
    membership: str
    score: float
    reasons: tuple[str, ...]
    sector: str = ""
    country: str = ""
    region: str = ""
    gain: float = 0.0
    recent_events: int = 0
    included: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner_id": self.partner_id,
            "name": self.name,
            "membership": self.membership,
            "score": round(self.score, 6),
            "reasons": list(self.reasons),
            "sector": self.sector,
            "country": self.country,
            "region": self.region,
            "gain": round(self.gain, 6),
            "recent_events": self.recent_events,
            "included": self.included,
        }


@dataclass(frozen=True)
class PlanParameters:
    """The options a plan was made with, after checking (what the JSON's ``parameters`` holds)."""

    size: int
    weights: Mapping[str, float]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    invited: tuple[str, ...]
    max_per_country: int | None
    max_per_sector: int | None
    fatigue_window_days: int
    fatigue_weight: float
    prefer_first_timers: bool
    first_timer_bonus: float
    allow_guests: bool
    threshold: float
    targets: str
    baseline: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "weights": dict(self.weights),
            "include": list(self.include),
            "exclude": list(self.exclude),
            "invited": list(self.invited),
            "max_per_country": self.max_per_country,
            "max_per_sector": self.max_per_sector,
            "fatigue_window_days": self.fatigue_window_days,
            "fatigue_weight": self.fatigue_weight,
            "prefer_first_timers": self.prefer_first_timers,
            "first_timer_bonus": self.first_timer_bonus,
            "allow_guests": self.allow_guests,
            "threshold": self.threshold,
            "targets": self.targets,
            "baseline": self.baseline,
        }


@dataclass(frozen=True)
class Plan:
    """An invite list for one room, with the room before and after, and how it was made."""

    event_id: str | None
    date: str
    recommendations: tuple[Recommendation, ...]
    before: RoomSummary
    after: RoomSummary
    shortfall: str | None
    parameters: PlanParameters
    method: str = "greedy"

    @property
    def partner_ids(self) -> list[str]:
        return [r.partner_id for r in self.recommendations]

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "date": self.date,
            "method": self.method,
            "recommendations": [r.to_dict() for r in self.recommendations],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "shortfall": self.shortfall,
            "parameters": self.parameters.to_dict(),
        }
