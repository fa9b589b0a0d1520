"""The greedy planner: each pick the candidate whose arrival most improves the room."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.diversity import composition
from analysis.gaps import expected_from_targets
from analysis.planner.reasons import Context, display, recommendation
from analysis.planner.request import (
    FATIGUE_WEIGHT,
    FIRST_TIMER_BONUS,
    Request,
    TargetsLike,
    check_request,
)
from analysis.planner.result import Plan, PlanParameters, Recommendation
from analysis.planner.room import EPS, Dimension, FloatArray, IntArray, frame_for, summary
from analysis.snapshot import DateLike, active_partners
from core.model import GUEST, PARTNER, Dataset

__all__ = ["recommend"]

BoolArray = np.ndarray[tuple[int], np.dtype[np.bool_]]


def _recent_counts(
    ds: Dataset, day: pd.Timestamp, window_days: int, skip_event: str | None
) -> tuple[dict[str, int], set[str]]:
    """Events each partner attended in ``[day - window, day)``, and who attended anything before."""
    att = ds.attendance
    if not len(att):
        return {}, set()
    dated = att.merge(ds.events[["event_id", "date"]], on="event_id", how="left")
    if skip_event is not None:
        dated = dated.loc[dated["event_id"] != skip_event]
    before = dated.loc[dated["date"].notna() & (dated["date"] < day)]
    start = day - pd.Timedelta(days=window_days)
    recent = before.loc[before["date"] >= start]
    counts = recent.groupby("partner_id")["event_id"].nunique()
    return {str(k): int(v) for k, v in counts.items()}, set(before["partner_id"])


class _State:
    """The candidates as arrays and the room as counts, updated pick by pick."""

    def __init__(self, ds: Dataset, req: Request) -> None:
        self.req = req
        active = active_partners(ds, req.day, membership=None)
        self.baseline = active.loc[active["membership"] == PARTNER].reset_index(drop=True)
        room = frame_for(ds, req.room_ids)
        pool = active.loc[~active["partner_id"].isin(set(req.room_ids) | set(req.exclude))]
        if not req.allow_guests:
            pool = pool.loc[(pool["membership"] != GUEST) | pool["partner_id"].isin(req.include)]
        self.pool = pool.sort_values("partner_id", kind="mergesort").reset_index(drop=True)
        wanted = expected_from_targets(req.targets)
        self.dims = [
            Dimension(d, w, self.baseline, room, self.pool, wanted, req.threshold)
            for d, w in req.weights.items()
        ]
        self.codes: dict[str, IntArray] = {d.name: d.codes(self.pool) for d in self.dims}
        self.cap_dims = {
            k: Dimension(k, 1.0, self.baseline, room, self.pool, wanted) for k in req.caps
        }
        self.cap_codes = {k: d.codes(self.pool) for k, d in self.cap_dims.items()}
        recent_of, ever = _recent_counts(ds, req.day, req.fatigue_window_days, req.event_id)
        self.ids = self.pool["partner_id"].to_numpy(dtype=object)
        self.recent = np.array([recent_of.get(i, 0) for i in self.ids], dtype=np.int64)
        self.first_timer: BoolArray = np.array([i not in ever for i in self.ids], dtype=bool)
        self.is_guest: BoolArray = (self.pool["membership"] == GUEST).to_numpy(dtype=bool)
        self.taken: BoolArray = np.zeros(len(self.pool), dtype=bool)
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        self.baseline_sector: Mapping[str, Any] = (
            composition(self.baseline, "sector").counts if "sector" in self.pool else {}
        )
        self.capped = self.passed_over = 0  # candidates the last round left out, and why

    def context(self, i: int) -> Context:
        return Context(self.codes, self.taken, self.baseline_sector, bool(self.is_guest[i]))

    def add(self, i: int) -> None:
        self.taken[i] = True
        for d in self.dims:
            g = self.codes[d.name][i]
            if g >= 0:
                d.counts[g] += 1
        for k, d in self.cap_dims.items():
            g = self.cap_codes[k][i]
            if g >= 0:
                d.counts[g] += 1

    def gains(self) -> tuple[FloatArray, FloatArray]:
        """Each candidate's gain, and the change of the sum of Blau's indices it would make."""
        gain = np.zeros(len(self.pool))
        blau_change = np.zeros(len(self.pool))
        for d in self.dims:
            d_after, b_after = d.after_each()
            g = self.codes[d.name]
            gain += d.weight * ((d.deficit() - d_after[g]) + (b_after[g] - d.blau()))
            blau_change += b_after[g] - d.blau()
        return gain, blau_change

    def eligible(self, blau_change: FloatArray) -> BoolArray:
        """Not taken, within the caps, and not lowering the room's diversity."""
        ok = ~self.taken
        free = int(ok.sum())
        for k, d in self.cap_dims.items():
            full = np.append(d.counts >= self.req.caps[k], False)  # unknown label: never capped
            ok &= ~full[self.cap_codes[k]]
        keeps = blau_change >= -EPS
        self.capped = free - int(ok.sum())
        self.passed_over = int((ok & ~keeps).sum())
        return ok & keeps

    def score(self, gain: FloatArray) -> FloatArray:
        fatigue = 1.0 + self.req.fatigue_weight * self.recent
        score = np.where(gain > 0, gain / fatigue, gain * fatigue)
        if self.req.prefer_first_timers:
            bonus = self.first_timer & (score > 0)
            score = np.where(bonus, score * (1.0 + FIRST_TIMER_BONUS), score)
        return score

    def lone_gaps(self, partners_ok: BoolArray) -> dict[str, BoolArray]:
        """Per dimension, the categories that are a gap and that no eligible Partner belongs to."""
        out: dict[str, BoolArray] = {}
        for d in self.dims:
            n = d.counts.sum()
            shares = d.counts / n if n else np.zeros_like(d.counts)
            is_gap = (d.expected > EPS) & (shares < d.threshold * d.expected - EPS)
            held = np.zeros(len(d.labels) + 1, dtype=bool)
            held[self.codes[d.name][partners_ok]] = True  # -1 (unknown) lands in the spare slot
            out[d.name] = is_gap & ~held[:-1]
        return out

    def guest_note(self, best: int, lone: Mapping[str, BoolArray]) -> str:
        closes = []
        for d in self.dims:
            g = int(self.codes[d.name][best])
            if g >= 0 and lone[d.name][g]:
                country = self.pool.iloc[best].get("country_name") if d.name == "country" else None
                closes.append(str(country or display(d.name, d.labels[g])))
        if closes:
            return "a Guest, not a Partner: no active Partner can bring " + ", ".join(closes)
        return "a Guest, not a Partner: no Partner is left to invite"


def _choose(state: _State) -> tuple[int, float, float, list[str]] | None:
    """The next pick: (index, score, gain, lead reasons), or None when nobody is eligible."""
    gain, blau_change = state.gains()
    eligible = state.eligible(blau_change)
    if not eligible.any():
        return None
    score = state.score(gain)
    partners_ok = eligible & ~state.is_guest
    guests_ok = eligible & state.is_guest
    lone = state.lone_gaps(partners_ok)
    guest_fits = np.zeros(len(state.pool), dtype=bool)
    for d in state.dims:
        guest_fits |= np.append(lone[d.name], False)[state.codes[d.name]]
    choose = partners_ok | (guests_ok & guest_fits)
    if not choose.any():  # no Partner left at all: any Guest who keeps the mix
        choose = guests_ok
    prefer = state.req.prefer_first_timers
    best = min(
        (int(j) for j in np.flatnonzero(choose)),
        key=lambda j: (
            -round(float(score[j]), 9),
            int(state.recent[j]),
            (not state.first_timer[j]) if prefer else False,
            state.ids[j],
        ),
    )
    lead = [state.guest_note(best, lone)] if state.is_guest[best] else []
    return best, float(score[best]), float(gain[best]), lead


def _pick(state: _State, i: int, score: float, gain: float, lead: list[str]) -> Recommendation:
    rec = recommendation(
        state.pool, i, state.dims, state.context(i), lead=lead, score=score, gain=gain,
        recent=int(state.recent[i]), first_timer=bool(state.first_timer[i]),
        window=state.req.fatigue_window_days,
    )
    state.add(i)
    return rec


def _shortfall(state: _State, picked: int) -> str | None:
    req = state.req
    if picked >= req.size:
        return None
    n = len(state.pool)
    found = f"{n} active partner{'s' if n != 1 else ''} not in the room"
    if req.exclude:
        found += " and not excluded"
    causes = [found]
    if state.capped:
        causes.append(f"{state.capped} more would go over the country or sector cap")
    if state.passed_over:
        causes.append(f"{state.passed_over} more would lower the room's diversity")
    return f"asked for {req.size} but only {picked} could be recommended ({'; '.join(causes)})"


def _parameters(req: Request, baseline_size: int) -> PlanParameters:
    return PlanParameters(
        size=req.size, weights=dict(req.weights), include=req.include, exclude=req.exclude,
        invited=req.invited, max_per_country=req.max_per_country,
        max_per_sector=req.max_per_sector, fatigue_window_days=req.fatigue_window_days,
        fatigue_weight=req.fatigue_weight, prefer_first_timers=req.prefer_first_timers,
        first_timer_bonus=FIRST_TIMER_BONUS, allow_guests=req.allow_guests,
        threshold=req.threshold, targets=req.targets_source,
        baseline=f"{baseline_size} Partners active on {req.day.date()}",
    )


def recommend(
    ds: Dataset,
    *,
    event_id: str | None = None,
    date: DateLike | None = None,
    invited: Iterable[str] | str = (),
    size: int = 5,
    weights: Mapping[str, float] | None = None,
    include: Iterable[str] | str = (),
    exclude: Iterable[str] | str = (),
    max_per_country: int | None = None,
    max_per_sector: int | None = None,
    fatigue_window_days: int = 365,
    fatigue_weight: float = FATIGUE_WEIGHT,
    prefer_first_timers: bool = False,
    allow_guests: bool = True,
    targets: TargetsLike = None,
    threshold: float = 0.8,
) -> Plan:
    """Recommend ``size`` invitees for a room, chosen greedily as a set (see the package doc).

    Parameters
    ----------
    ds : Dataset
    event_id : str, optional
        An event in the data: the room is its attendees and the date its date.
    date : date-like, optional
        The convening's date; required without ``event_id`` (a new convening), otherwise it
        overrides the event's date.
    invited : iterable of str or comma-separated str
        A draft invite list, added to the room (alone, for a new convening).
    size : int, default 5
        How many to recommend, ``include`` counted; at least 1.
    weights : mapping, optional
        Dimension -> weight (a partner column); default ``DEFAULT_WEIGHTS``. Weight 0
        switches a dimension off.
    include, exclude : iterable of str or comma-separated str
        Partners to put in first / never to recommend.
    max_per_country, max_per_sector : int, optional
        Caps on the whole room per country / sector.
    fatigue_window_days : int, default 365
        How far back attendance counts as "recent".
    fatigue_weight : float, default ``FATIGUE_WEIGHT``
        0 turns fatigue off (it then only breaks ties).
    prefer_first_timers : bool, default False
        Favour partners who have never attended an event.
    allow_guests : bool, default True
        Consider Guests for the gaps no Partner can close.
    targets : DataFrame or {dimension: {group: share}}, optional
        Default: the dataset's ``targets`` table.
    threshold : float, default 0.8
        The gap threshold of :func:`analysis.gaps.representation_gaps` for the summaries.

    Returns
    -------
    Plan

    Raises
    ------
    ValueError
        ``size`` < 1, bad weights or caps, no ``event_id`` and no ``date``.
    RequestError
        Unknown event or partner ids (all of them named), an included partner who is not active
        on the date, already in the room, or also excluded.
    """
    return _plan(ds, check_request(ds, dict(locals())))


def _plan(ds: Dataset, req: Request) -> Plan:
    state = _State(ds, req)
    dim_names = [d.name for d in state.dims]
    before = summary(frame_for(ds, req.room_ids), state.baseline, dim_names, req.targets,
                     req.threshold)
    picks = [_pick(state, state.position[p], 0.0, 0.0, ["included on request"])
             for p in req.include]
    while len(picks) < req.size:
        chosen = _choose(state)
        if chosen is None:
            break
        picks.append(_pick(state, *chosen))
    after_room = frame_for(ds, list(req.room_ids) + [r.partner_id for r in picks])
    return Plan(
        event_id=req.event_id,
        date=str(req.day.date()),
        recommendations=tuple(picks),
        before=before,
        after=summary(after_room, state.baseline, dim_names, req.targets, req.threshold),
        shortfall=_shortfall(state, len(picks)),
        parameters=_parameters(req, len(state.baseline)),
    )
