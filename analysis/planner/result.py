"""The planner's typed results: a room's summary, one pick, the plan; ``to_dict()`` at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.gaps import Gap

__all__ = ["Gain", "Objective", "Plan", "PlanParameters", "Reason", "Recommendation", "RoomSummary"]


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
    def blau(self) -> Mapping[str, float]:
        """Blau's index of the room per dimension."""
        return {dimension: v["blau"] for dimension, v in self.diversity.items()}

    @property
    def blau_total(self) -> float:
        """The sum over the dimensions of Blau's index."""
        return float(sum(self.blau.values()))

    def counts(self, dimension: str) -> Mapping[str, int | float]:
        """Head-count per category of ``dimension``; empty when nobody in the room has one."""
        return self.composition.get(dimension, {})

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
class Reason:
    """One reason for a pick: its kind, the numbers it states, and the words.

    ``kind`` is one of ``included``, ``gap``, ``guest``, ``committee``, ``topics``,
    ``past_events``, ``host_region``, ``first_timer``, ``new_category``, ``attendance``,
    ``no_gain``. ``facts`` holds the numbers and labels the text was made from, so that a test
    can check each against the data.
    """

    kind: str
    text: str
    facts: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "facts": dict(self.facts)}


@dataclass(frozen=True)
class Gain:
    """A pick's marginal gain in the objective, split into its three terms."""

    gaps: float
    relevance: float
    diversity: float

    @property
    def total(self) -> float:
        return self.gaps + self.relevance + self.diversity

    def to_dict(self) -> dict[str, float]:
        return {"gaps": round(self.gaps, 6), "relevance": round(self.relevance, 6),
                "diversity": round(self.diversity, 6)}


@dataclass(frozen=True)
class Recommendation:
    """One invitee: who, their marginal gain in the objective, and why (plain words)."""

    partner_id: str
    name: str
    membership: str
    gain: Gain
    why: tuple[Reason, ...]
    sector: str = ""
    country: str = ""
    region: str = ""
    recent_events: int = 0
    included: bool = False

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.why)

    @property
    def score(self) -> float:
        """The marginal gain the pick was made for (the total of :attr:`gain`)."""
        return self.gain.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner_id": self.partner_id,
            "name": self.name,
            "membership": self.membership,
            "score": round(self.score, 6),
            "gain": round(self.gain.total, 6),
            "gain_parts": self.gain.to_dict(),
            "reasons": list(self.reasons),
            "sector": self.sector,
            "country": self.country,
            "region": self.region,
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
    prefer_first_timers: bool
    allow_guests: bool
    threshold: float
    targets: str
    baseline: str
    program: str | None
    topics: tuple[str, ...]
    host_region: str | None

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("include", "exclude", "invited", "topics"):
            out[name] = list(out[name])
        out["weights"] = dict(self.weights)
        return out


@dataclass(frozen=True)
class Objective:
    """The objective a plan maximises, its value before and after, and the proof of quality.

    ``optimum`` is the exact maximum found by the integer program (``None`` when the room is
    over the exact solver's size limit or it did not finish); ``gap`` is ``optimum`` minus the
    greedy value (0 when the greedy is optimal); ``bound`` states what is proven a priori.
    """

    statement: str
    seats: int
    before: float
    after: float
    after_parts: Gain
    greedy: float
    optimum: float | None
    gap: float | None
    proven_optimal: bool
    bound: str
    solver: str
    history: tuple[str, ...]
    #: Seconds the greedy search and the exact solve took (not in the JSON: they vary per run).
    greedy_seconds: float = 0.0
    exact_seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 6)

        return {
            "statement": self.statement,
            "seats": self.seats,
            "before": r(self.before),
            "after": r(self.after),
            "after_parts": self.after_parts.to_dict(),
            "greedy": r(self.greedy),
            "optimum": r(self.optimum),
            "gap": r(self.gap),
            "proven_optimal": self.proven_optimal,
            "bound": self.bound,
            "solver": self.solver,
            "history": list(self.history),
        }


@dataclass(frozen=True)
class Plan:
    """An invite list for one room, with the room before and after, and how it was made.

    ``warnings`` (e.g. planning a past event) depend on the day the plan is made, so they stay
    out of :meth:`to_dict`: the same data and options always give the same JSON.
    """

    event_id: str | None
    date: str
    recommendations: tuple[Recommendation, ...]
    before: RoomSummary
    after: RoomSummary
    shortfall: str | None
    parameters: PlanParameters
    objective: Objective
    warnings: tuple[str, ...] = ()
    method: str = "greedy"

    @property
    def partner_ids(self) -> list[str]:
        return [r.partner_id for r in self.recommendations]

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "date": self.date,
            "method": self.method,
            "objective": self.objective.to_dict(),
            "recommendations": [r.to_dict() for r in self.recommendations],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "shortfall": self.shortfall,
            "parameters": self.parameters.to_dict(),
        }
