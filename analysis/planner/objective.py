"""The objective every plan maximises, and the room and candidates as arrays it is computed on.

For a room of ``N`` seats (the people already in it plus ``size``), each category ``k`` of a
gap dimension (sector, region, Global South; country only for categories the targets name) has
``seats_k = aim_k * N``, where ``aim_k`` is its share of the Partners active on the date or its
target (:class:`analysis.planner.room.Dimension`). With ``c_k`` people of ``k`` in the room,

``value = sum_k h_k * min(c_k, seats_k)  +  RELEVANCE_POINT * (relevance points of the picks)
+ DIVERSITY_POINT * (categories present, countries included)``

where ``h_k = weight_d * (1 + streak_k)`` and ``streak_k`` is how many of the program's latest
convenings in a row had ``k`` as a gap (:mod:`analysis.planner.history`). Each term is a
concave function of counts, so the value is monotone submodular in the set of picks: the greedy
order is within ``1 - 1/e`` of the optimum without caps or Guests (Nemhauser, Wolsey and
Fisher 1978), and exact when one dimension alone decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.gaps import expected_from_targets
from analysis.planner.history import History
from analysis.planner.relevance import RELEVANCE_POINT, Evidence
from analysis.planner.request import Request
from analysis.planner.result import Gain
from analysis.planner.room import Dimension, FloatArray, IntArray
from core.model import GUEST

__all__ = ["DIVERSITY_POINT", "OBJECTIVE", "Category", "Model", "Pool"]

#: The objective's value of one category (sector, region, Global South group, country) that is
#: new to the room: a tie-breaker, smaller than any relevance point or gap seat that matters.
DIVERSITY_POINT = 0.01

OBJECTIVE = (
    "Close the room's representation gaps (the seats by which each sector, region and Global "
    "South group falls short of its share of the active membership, or of its target), each "
    "weighted by 1 + the number of the program's latest convenings in a row that had the same "
    f"gap; then relevance ({RELEVANCE_POINT:g} per point: a seat on the program's committees, "
    "focus areas or earlier convenings on the event's topics, a base in the host region); then "
    f"{DIVERSITY_POINT:g} per sector, region, Global South group or country new to the room, "
    "as a tie-breaker."
)

BoolMatrix = np.ndarray[tuple[int, int], np.dtype[np.bool_]]
BoolArray = np.ndarray[tuple[int], np.dtype[np.bool_]]


@dataclass(frozen=True)
class Category:
    """One category of one dimension, with what the objective asks of it."""

    dimension: str
    label: str
    display: str
    aim: float  # the share the room aims at (0: no gap term)
    expected: float  # the baseline share or the target, before any scaling
    basis: str  # "membership" or "target"
    seats: float  # aim * N
    weight: float  # h: weight of the dimension * (1 + streak); 0 without a gap term
    streak: int


@dataclass(frozen=True)
class Pool:
    """The people the plan starts from and the candidates, as rows and category matrices."""

    room: pd.DataFrame  # already in the room (attendees and the draft list)
    included: pd.DataFrame  # put in on request, in the order given
    candidates: pd.DataFrame  # who may be picked, sorted by id
    room_counts: FloatArray  # per category, the room without the included
    included_matrix: BoolMatrix  # included x category
    matrix: BoolMatrix  # candidate x category
    held_outside: BoolArray  # categories some active Partner outside the room belongs to


class Model:
    """The objective's numbers for one request: categories, seats, weights, relevance, rules."""

    def __init__(
        self, req: Request, pool: Pool, categories: list[Category],
        evidence: list[tuple[Evidence, ...]], included_evidence: list[tuple[Evidence, ...]],
        history: History,
    ) -> None:
        self.req = req
        self.pool = pool
        self.categories = categories
        self.seats: FloatArray = np.array([c.seats for c in categories], dtype=float)
        self.weight: FloatArray = np.array([c.weight for c in categories], dtype=float)
        self.evidence = evidence
        self.included_evidence = included_evidence
        self.relevance: FloatArray = np.array([RELEVANCE_POINT * len(e) for e in evidence],
                                              dtype=float)
        self.history = history
        self.is_guest: BoolArray = (
            pool.candidates["membership"] == GUEST).to_numpy(dtype=bool)
        self.start_counts: FloatArray = pool.room_counts + pool.included_matrix.sum(axis=0)
        self.lone = self._lone_gaps()
        self.guest_limit: FloatArray = np.where(
            self.lone, np.ceil(np.maximum(0.0, self.seats - self.start_counts) - 1e-9), 0.0)
        self.guest_lone: BoolMatrix = pool.matrix & self.lone[None, :] & self.is_guest[:, None]
        self.guest_ok: BoolArray = self.guest_lone.any(axis=1) & req.allow_guests

    def slice_of(self, dimension: str) -> slice:
        """The columns of one dimension's categories (they are contiguous, in order)."""
        cols = [k for k, c in enumerate(self.categories) if c.dimension == dimension]
        return slice(cols[0], cols[-1] + 1) if cols else slice(0, 0)

    @property
    def n_seats(self) -> int:
        return len(self.pool.room) + max(self.req.size, len(self.pool.included))

    def _lone_gaps(self) -> BoolArray:
        """Gap categories short in the room that no active Partner outside the room belongs to.

        Whatever filtered a Partner out (exclusion, a cap) does not matter: a Guest may close
        only a gap that no active Partner could close.
        """
        short = (self.weight > 0) & (self.start_counts < self.seats - 1e-9)
        return np.asarray(short & ~self.pool.held_outside, dtype=bool)

    # --- values ---------------------------------------------------------------------------

    def gap_value(self, counts: FloatArray) -> float:
        return float((self.weight * np.minimum(counts, self.seats)).sum())

    def diversity_value(self, counts: FloatArray) -> float:
        return DIVERSITY_POINT * float((counts > 0).sum())

    def gains(self, counts: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Each candidate's marginal (gaps, relevance, diversity) gain given ``counts``."""
        step = self.weight * np.clip(self.seats - counts, 0.0, 1.0)
        new = DIVERSITY_POINT * (counts == 0)
        m = self.pool.matrix.astype(float)
        return m @ step, self.relevance, m @ new

    def gain_of(self, row: BoolArray, relevance: float, counts: FloatArray) -> Gain:
        """The marginal gain of one person (a matrix row) given ``counts``."""
        step = self.weight * np.clip(self.seats - counts, 0.0, 1.0)
        return Gain(
            gaps=float(step[row].sum()),
            relevance=relevance,
            diversity=DIVERSITY_POINT * float((counts[row] == 0).sum()),
        )

    def value(self, picks: list[int]) -> Gain:
        """The objective of the room, the included and ``picks`` (candidate indices)."""
        counts = self.start_counts + self.pool.matrix[picks].sum(axis=0)
        included = RELEVANCE_POINT * sum(len(e) for e in self.included_evidence)
        return Gain(
            gaps=self.gap_value(counts),
            relevance=float(self.relevance[picks].sum()) + included,
            diversity=self.diversity_value(counts),
        )


def category_matrix(dims: list[Dimension], frame: pd.DataFrame) -> BoolMatrix:
    """Rows of ``frame`` x the categories of ``dims`` (in order): who belongs to which."""
    width = sum(len(d.labels) for d in dims)
    out: BoolMatrix = np.zeros((len(frame), width), dtype=bool)
    offset = 0
    rows = np.arange(len(frame))
    for d in dims:
        codes: IntArray = d.codes(frame)
        ok = codes >= 0
        out[rows[ok], offset + codes[ok]] = True
        offset += len(d.labels)
    return out


def _display(d: Dimension, label: str, names: dict[str, str]) -> str:
    if d.name == "global_south":
        return {"True": "Global South", "False": "Global North"}.get(label, label)
    if d.name == "country":
        return names.get(label, label)
    return label


def categories_of(
    req: Request, dims: list[Dimension], history: History, n_seats: int, names: dict[str, str]
) -> list[Category]:
    """The objective's categories: aims, seats and weights (see the module doc)."""
    out: list[Category] = []
    for d in dims:
        gap_dim = d.name in req.weights
        for g, label in enumerate(d.labels):
            targeted = d.basis[g] == "target"
            counts = gap_dim or targeted  # country: only where the targets name it
            aim = float(d.aim[g]) if counts else 0.0
            streak = history.streak(d.name, label) if aim > 0 else 0
            w = req.weights.get(d.name, 1.0) * (1 + streak) if aim > 0 else 0.0
            out.append(Category(
                dimension=d.name, label=label, display=_display(d, label, names), aim=aim,
                expected=float(d.expected[g]), basis="target" if targeted else "membership",
                seats=aim * n_seats, weight=w, streak=streak))
    return out


def dimensions_for(
    req: Request, baseline: pd.DataFrame, frames: list[pd.DataFrame]
) -> list[Dimension]:
    """The gap dimensions, then country (a tie-breaker and cap unless targets name countries)."""
    wanted = expected_from_targets(req.targets)
    names = list(req.weights)
    for extra in ("country", "sector" if req.max_per_sector is not None else ""):
        if extra and extra not in names and extra in baseline.columns:
            names.append(extra)
    everyone = pd.concat(frames, ignore_index=True) if frames else baseline.iloc[0:0]
    return [Dimension(n, req.weights.get(n, 0.0), baseline, everyone, everyone, wanted,
                      req.threshold) for n in names]


def room_counts(dims: list[Dimension], room: pd.DataFrame) -> FloatArray:
    return np.asarray(category_matrix(dims, room).sum(axis=0), dtype=float)
