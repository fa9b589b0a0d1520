"""The same objective solved exactly, as an integer program (scipy's ``milp``, HiGHS).

Variables: ``y_i`` (candidate ``i`` invited, binary), ``z_k`` (the seats of gap category ``k``
counted, continuous in ``[0, seats_k]``, at most the room's ``c_k`` plus the picks of ``k``),
``u_k`` (category ``k`` new to the room, binary, only if a pick brings it). Maximise
``sum h_k z_k + sum relevance_i y_i + DIVERSITY_POINT * sum u_k`` subject to the seats left,
the caps, and the Guest rule (a Guest only for a gap no active Partner can close, at most as
many as the gap has seats). Because ``min`` and "present" are concave, these linear pieces are
exact, and the optimum is the objective's true maximum over the same allowed sets as the greedy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.planner.objective import DIVERSITY_POINT, Model
from analysis.planner.room import IntArray

__all__ = ["EXACT_MAX_CANDIDATES", "EXACT_MAX_SEATS", "EXACT_TIME_LIMIT", "Exact", "solve"]

#: Rooms the exact solver takes on: at most this many candidates and seats to fill ...
EXACT_MAX_CANDIDATES = 3000
EXACT_MAX_SEATS = 50
#: ... and at most this many seconds of HiGHS (then its proven bound is reported instead).
EXACT_TIME_LIMIT = 20.0


@dataclass(frozen=True)
class Exact:
    """The integer program's answer: the picks, whether proven optimal, its upper bound."""

    picks: tuple[int, ...]
    optimal: bool
    upper_bound: float  # no allowed set of picks scores more than this (objective units)
    seconds: float
    status: str


def _columns(model: Model) -> tuple[IntArray, IntArray]:
    """The gap categories picks can still fill (``z``), the categories they can bring (``u``)."""
    start = model.start_counts
    gap = np.flatnonzero((model.weight > 0) & (model.seats > start + 1e-12))
    new = np.flatnonzero((start == 0) & model.pool.matrix.any(axis=0))
    return gap, new


def _rows(
    model: Model, seats: int, gap: IntArray, new: IntArray
) -> tuple[sparse.csr_array, list[float], list[float]]:
    """The constraint matrix over ``[y, z, u]`` with its lower and upper bounds."""
    m = model.pool.matrix.astype(float)
    n, k = m.shape
    start = model.start_counts
    blocks: list[sparse.csr_array] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(y_part: sparse.csr_array, z_part: sparse.csr_array, u_part: sparse.csr_array,
            hi: np.ndarray) -> None:
        blocks.append(sparse.hstack([y_part, z_part, u_part], format="csr"))
        lower.extend([-np.inf] * len(hi))
        upper.extend(float(v) for v in hi)

    mt = sparse.csr_array(m.T)
    zero = sparse.csr_array
    # z_k - sum_i m_ik y_i <= c_k ; u_k - sum_i m_ik y_i <= 0
    add(-mt[gap], sparse.eye_array(len(gap), format="csr"), zero((len(gap), len(new))),
        start[gap])
    add(-mt[new], zero((len(new), len(gap))), sparse.eye_array(len(new), format="csr"),
        np.zeros(len(new)))
    add(sparse.csr_array(np.ones((1, n))), zero((1, len(gap))), zero((1, len(new))),
        np.array([seats]))
    req = model.req
    for dim, cap in (("country", req.max_per_country), ("sector", req.max_per_sector)):
        if cap is not None:
            cols = np.arange(k)[model.slice_of(dim)]
            add(mt[cols], zero((len(cols), len(gap))), zero((len(cols), len(new))),
                np.maximum(0.0, cap - start[cols]))
    lone = np.flatnonzero(model.lone)
    if len(lone):
        g = sparse.csr_array(model.guest_lone.astype(float).T)[lone]
        add(g, zero((len(lone), len(gap))), zero((len(lone), len(new))), model.guest_limit[lone])
    return sparse.vstack(blocks, format="csr"), lower, upper


def solve(model: Model, seats: int, *, time_limit: float = EXACT_TIME_LIMIT) -> Exact:
    """The best allowed set of at most ``seats`` picks for ``model``'s objective."""
    began = time.perf_counter()
    n = model.pool.matrix.shape[0]
    start = model.start_counts
    gap, new = _columns(model)
    n_gap, n_new = len(gap), len(new)
    a, lower, upper = _rows(model, seats, gap, new)
    value = np.concatenate([model.relevance, model.weight[gap], np.full(n_new, DIVERSITY_POINT)])
    if not value.size:  # nobody to pick and nothing to fill (no partner counted on the date)
        empty = float(model.value([]).total)
        return Exact((), True, empty, time.perf_counter() - began, "nothing to choose")
    allowed = (~model.is_guest | model.guest_ok).astype(float)
    bounds = Bounds(np.zeros(n + n_gap + n_new),
                    np.concatenate([allowed, model.seats[gap], np.ones(n_new)]))
    integrality = np.concatenate([np.ones(n), np.zeros(n_gap), np.ones(n_new)])
    result = milp(-value, constraints=LinearConstraint(a, lower, upper), bounds=bounds,
                  integrality=integrality, options={"time_limit": time_limit})
    seconds = time.perf_counter() - began
    # What no pick changes: gaps the room already fills, categories it already has, and the
    # relevance of the included (the program's variables count only the rest).
    constant = float(np.delete(model.weight * np.minimum(start, model.seats), gap).sum())
    constant += DIVERSITY_POINT * float((start > 0).sum())
    constant += model.value([]).relevance
    if result.x is None:
        return Exact((), False, float("inf"), seconds, str(result.message))
    picks = tuple(int(i) for i in np.flatnonzero(result.x[:n] > 0.5))
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else -float(result.fun)
    return Exact(picks, bool(result.status == 0), bound + constant, seconds,
                 str(result.message))
