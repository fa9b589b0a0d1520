"""The greedy order: each pick the allowed candidate with the largest marginal gain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.planner.objective import BoolArray, Model
from analysis.planner.room import EPS, FloatArray, IntArray

__all__ = ["Search", "Stop", "greedy", "order_within"]


@dataclass(frozen=True)
class Stop:
    """Why a search ended before filling every seat: how many candidates each rule left out."""

    candidates: int
    taken: int
    capped: int
    guests_barred: int
    no_gain: int


class Search:
    """Counts of the room as picks join, and which candidates the rules still allow."""

    def __init__(self, model: Model, recent: IntArray, ids: list[str]) -> None:
        self.model = model
        self.recent = recent
        self.ids = ids
        self.counts: FloatArray = model.start_counts.copy()
        self.taken: BoolArray = np.zeros(len(model.pool.candidates), dtype=bool)
        self.guests_used: FloatArray = np.zeros(len(model.categories), dtype=float)
        req = model.req
        self.caps = [
            (model.slice_of(dim), cap)
            for dim, cap in (("country", req.max_per_country), ("sector", req.max_per_sector))
            if cap is not None
        ]

    def capped(self) -> BoolArray:
        """Candidates whose country or sector is full in the room (the included count too)."""
        out: BoolArray = np.zeros(len(self.taken), dtype=bool)
        matrix = self.model.pool.matrix
        for cols, cap in self.caps:
            full = self.counts[cols] >= cap
            out |= (matrix[:, cols] & full[None, :]).any(axis=1)
        return out

    def guests_barred(self) -> BoolArray:
        """Guests who close no gap that only a Guest can close (or whose gap is filled)."""
        m = self.model
        full = self.guests_used >= m.guest_limit
        over = (m.guest_lone & full[None, :]).any(axis=1)
        return np.asarray(m.is_guest & (~m.guest_ok | over), dtype=bool)

    def allowed(self) -> BoolArray:
        return np.asarray(~self.taken & ~self.capped() & ~self.guests_barred(), dtype=bool)

    def gains(self) -> FloatArray:
        gaps, relevance, diversity = self.model.gains(self.counts)
        return np.asarray(gaps + relevance + diversity, dtype=float)

    def add(self, i: int) -> None:
        self.taken[i] = True
        self.counts = self.counts + self.model.pool.matrix[i]
        self.guests_used = self.guests_used + self.model.guest_lone[i]

    def best(self, among: BoolArray) -> int | None:
        """The allowed candidate with the largest positive gain (ties: fewer recent, then id)."""
        gain = self.gains()
        ok = among & (gain > EPS)
        if not ok.any():
            return None
        return min(
            (int(j) for j in np.flatnonzero(ok)),
            key=lambda j: (-round(float(gain[j]), 9), int(self.recent[j]), self.ids[j]),
        )

    def stop(self) -> Stop:
        """The rules' counts now (meant for when no pick is left to make)."""
        free = ~self.taken
        capped = free & self.capped()
        barred = free & ~capped & self.guests_barred()
        rest = free & ~capped & ~barred
        no_gain = rest & (self.gains() <= EPS)
        return Stop(candidates=len(self.taken), taken=int(self.taken.sum()),
                    capped=int(capped.sum()), guests_barred=int(barred.sum()),
                    no_gain=int(no_gain.sum()))


def greedy(search: Search, seats: int) -> list[int]:
    """Up to ``seats`` picks, each the best allowed; stops early when no pick gains anything."""
    picks: list[int] = []
    while len(picks) < seats:
        best = search.best(search.allowed())
        if best is None:
            break
        search.add(best)
        picks.append(best)
    return picks


def order_within(search: Search, chosen: list[int]) -> list[int]:
    """``chosen`` (e.g. the exact optimum) in greedy order; members that add nothing dropped."""
    pool: BoolArray = np.zeros(len(search.taken), dtype=bool)
    pool[chosen] = True
    order: list[int] = []
    while True:
        best = search.best(pool & ~search.taken)
        if best is None:
            return order
        search.add(best)
        order.append(best)
