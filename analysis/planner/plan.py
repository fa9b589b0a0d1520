"""``recommend``: the plan for one room — greedy picks, checked against the exact optimum."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.planner import exact
from analysis.planner.greedy import Search, Stop, greedy, order_within
from analysis.planner.history import History, gap_history
from analysis.planner.objective import (
    OBJECTIVE,
    Model,
    Pool,
    categories_of,
    category_matrix,
    dimensions_for,
    room_counts,
)
from analysis.planner.reasons import replay
from analysis.planner.relevance import relevance_evidence
from analysis.planner.request import Request, TargetsLike, check_request
from analysis.planner.result import Objective, Plan, PlanParameters, Recommendation
from analysis.planner.room import frame_for, summary
from analysis.snapshot import DateLike, active_partners
from core.model import GUEST, PARTNER, Dataset

__all__ = ["recommend"]

#: The a-priori guarantee of the greedy order, by the rules in force.
BOUND_FREE = "greedy >= (1 - 1/e) x optimum (monotone submodular objective, seats only)"
BOUND_RULES = "no a-priori factor with caps or Guests: the exact solve measures the gap"


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
    return {str(k): int(v) for k, v in counts.items()}, set(before["partner_id"].astype(str))


def _model(ds: Dataset, req: Request, baseline: pd.DataFrame, ever: set[str]) -> Model:
    active = active_partners(ds, req.day, membership=None)
    room = frame_for(ds, req.room_ids)
    order = {pid: n for n, pid in enumerate(req.include)}
    included = active.loc[active["partner_id"].isin(order)]
    included = included.iloc[np.argsort([order[p] for p in included["partner_id"]])]
    out = set(req.room_ids) | set(req.exclude) | set(req.include)
    candidates = active.loc[~active["partner_id"].isin(out)]
    if not req.allow_guests:
        candidates = candidates.loc[candidates["membership"] != GUEST]
    candidates = candidates.sort_values("partner_id", kind="mergesort").reset_index(drop=True)
    dims = dimensions_for(req, baseline, [room, included, candidates])
    # Whatever filters them (exclusion, caps), these Partners could close a gap: no Guest then.
    outside = active.loc[(active["membership"] == PARTNER)
                         & ~active["partner_id"].isin(set(req.room_ids))]
    n_seats = len(room) + max(req.size, len(included))
    gap_dims = [d.name for d in dims if d.weight > 0 or d.name == "country"]
    history = gap_history(ds, req.window, skip_event=req.event_id, dimensions=gap_dims,
                          targets=req.targets, threshold=req.threshold)
    names = dict(zip(ds.partners["country"].astype(str), ds.partners["country_name"].astype(str),
                     strict=True)) if "country_name" in ds.partners else {}
    pool = Pool(room=room, included=included.reset_index(drop=True), candidates=candidates,
                room_counts=room_counts(dims, room),
                included_matrix=category_matrix(dims, included),
                matrix=category_matrix(dims, candidates),
                held_outside=np.asarray(category_matrix(dims, outside).any(axis=0), dtype=bool))
    first = [p not in ever for p in candidates["partner_id"]]
    first_inc = [p not in ever for p in pool.included["partner_id"]]
    return Model(req, pool, categories_of(req, dims, history, n_seats, names),
                 relevance_evidence(ds, req, candidates, first),
                 relevance_evidence(ds, req, pool.included, first_inc), history)


def _stop_text(req: Request, stop: Stop, picked: int, seats: int) -> str | None:
    if picked >= seats:
        return None
    where = "not in the room" + (" and not excluded" if req.exclude else "")
    if stop.candidates == 0:
        gone = "already in the room" + (" or excluded" if req.exclude else "")
        return f"asked for {seats} but every active partner is {gone}"
    if stop.taken == stop.candidates:
        return f"asked for {seats} but only {picked} active partners are {where}: all picked"
    causes = [f"{stop.candidates} active partner{'s' if stop.candidates != 1 else ''} {where}"]
    if stop.taken:
        causes.append(f"{stop.taken} picked")
    if stop.capped:
        causes.append(f"{stop.capped} would go over the country or sector cap")
    if stop.guests_barred:
        causes.append(f"{stop.guests_barred} are Guests who would close no gap that only a "
                      "Guest can close")
    if stop.no_gain:
        causes.append(f"{stop.no_gain} would add nothing the objective counts (no gap they "
                      "could close, no relevance to this convening, nothing new to the room)")
    head = f"stopped at {picked} of {seats} picks rather than add someone who gains nothing"
    return f"{head}: {'; '.join(causes)}"


def _warnings(req: Request) -> tuple[str, ...]:
    if req.event_id is not None and req.day < req.today:
        return (f"planning a past event: {req.event_id} was held on {req.day.date()} "
                f"(today is {req.today.date()}); the plan shows whom else the room could "
                "have had",)
    return ()


def _search(model: Model, recent: dict[str, int]) -> Search:
    ids = [str(p) for p in model.pool.candidates["partner_id"]]
    return Search(model, np.array([recent.get(p, 0) for p in ids], dtype=np.int64), ids)


def _best_picks(
    model: Model, recent: dict[str, int]
) -> tuple[list[int], Objective, str, Stop]:
    """Greedy picks, the exact optimum where the room is small enough, and the better of them."""
    req, seats = model.req, max(0, model.req.size - len(model.pool.included))
    began = time.perf_counter()
    search = _search(model, recent)
    picks = greedy(search, seats)
    greedy_seconds = time.perf_counter() - began
    stop, greedy_value = search.stop(), model.value(picks).total
    exact_seconds: float | None = None
    optimum: float | None = None
    method, proven = "greedy", False
    small = (len(model.pool.candidates) <= exact.EXACT_MAX_CANDIDATES
             and seats <= exact.EXACT_MAX_SEATS)
    solver = ("greedy only: the exact solve was not asked for" if not req.exact else
              f"greedy only: over the exact solver's limits ({exact.EXACT_MAX_CANDIDATES} "
              f"candidates, {exact.EXACT_MAX_SEATS} seats)")
    if req.exact and seats > 0 and small:
        found = exact.solve(model, seats)
        exact_seconds = found.seconds
        solver = f"HiGHS (scipy.optimize.milp): {found.status}"
        exact_value = model.value(list(found.picks)).total
        if found.picks or found.optimal:  # else no answer in time: no optimum to state
            optimum = exact_value if found.optimal else found.upper_bound
        proven = found.optimal and greedy_value >= exact_value - 1e-7
        if exact_value > greedy_value + 1e-7:  # a better room, proven optimal or not
            again = _search(model, recent)
            picks, method, proven = order_within(again, list(found.picks)), "exact", found.optimal
            stop = again.stop()
    elif seats == 0:
        optimum, proven, solver = greedy_value, True, "nothing to pick: the room as it stands"
    free = not (req.max_per_country or req.max_per_sector) and not model.guest_ok.any()
    after = model.value(picks)
    objective = Objective(
        statement=OBJECTIVE, seats=model.n_seats, before=_room_value(model), after=after.total,
        after_parts=after, greedy=greedy_value, optimum=optimum,
        gap=None if optimum is None else max(0.0, optimum - greedy_value),
        proven_optimal=proven, bound=BOUND_FREE if free else BOUND_RULES, solver=solver,
        history=model.history.events, greedy_seconds=greedy_seconds,
        exact_seconds=exact_seconds)
    return picks, objective, method, stop


def _room_value(model: Model) -> float:
    counts = model.pool.room_counts
    return model.gap_value(counts) + model.diversity_value(counts)


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
    prefer_first_timers: bool = False,
    allow_guests: bool = True,
    targets: TargetsLike = None,
    threshold: float = 0.8,
    program: str | None = None,
    today: DateLike | None = None,
    exact: bool = True,
) -> Plan:
    """Recommend up to ``size`` invitees for a room, maximising the objective (package doc).

    ``size=0`` evaluates the room (an event's attendees, or a draft ``invited`` list) without
    recommending. ``include``/``exclude`` force partners in or out; ``max_per_country`` and
    ``max_per_sector`` cap the whole room; ``weights`` maps a gap dimension to its weight
    (default sector, region and Global South at 1); ``targets`` default to the dataset's;
    ``program`` names the program of a new convening (an event brings its own);
    ``fatigue_window_days`` is how far back attendance is "recent" (fewer recent attendances
    win ties); ``prefer_first_timers`` makes never-attended a relevance point; ``allow_guests``
    lets Guests close gaps no active Partner can; ``today`` dates the past-event warning;
    ``exact`` solves the integer program for rooms within the exact solver's limits.

    Raises ``ValueError`` for a malformed option (named) and
    :class:`~core.errors.RequestError` for ids the data does not hold (all named), an
    included partner who is not active, already in the room, or also excluded.
    """
    req = check_request(ds, dict(locals()))
    active = active_partners(ds, req.day, membership=None)
    baseline = active.loc[active["membership"] == PARTNER].reset_index(drop=True)
    recent, ever = _recent_counts(ds, req.day, req.fatigue_window_days, req.event_id)
    model = _model(ds, req, baseline, ever)
    picks, objective, method, stop = _best_picks(model, recent)
    recs = replay(model, picks, recent, ever)
    return _plan(ds, req, model, recs, baseline, objective, method,
                 _stop_text(req, stop, len(picks), max(0, req.size - len(req.include))))


def _plan(
    ds: Dataset, req: Request, model: Model, recs: list[Recommendation], baseline: pd.DataFrame,
    objective: Objective, method: str, shortfall: str | None,
) -> Plan:
    dims = list(dict.fromkeys([*req.weights, "country"]))
    weighted = [k.dimension for k in model.categories if k.weight > 0]
    gap_dims = list(dict.fromkeys([*req.weights, *weighted]))
    after_ids = list(req.room_ids) + [r.partner_id for r in recs]
    history: History = model.history
    parameters = PlanParameters(
        size=req.size, weights=dict(req.weights), include=req.include, exclude=req.exclude,
        invited=req.invited, max_per_country=req.max_per_country,
        max_per_sector=req.max_per_sector, fatigue_window_days=req.fatigue_window_days,
        prefer_first_timers=req.prefer_first_timers, allow_guests=req.allow_guests,
        threshold=req.threshold, targets=req.targets_source,
        baseline=f"{len(baseline)} Partners active on {req.day.date()}",
        program=history.program, topics=req.topics, host_region=req.host_region)
    return Plan(
        event_id=req.event_id, date=str(req.day.date()), recommendations=tuple(recs),
        before=summary(frame_for(ds, list(req.room_ids)), baseline, dims, req.targets,
                       req.threshold, gap_dims=gap_dims),
        after=summary(frame_for(ds, after_ids), baseline, dims, req.targets, req.threshold,
                      gap_dims=gap_dims),
        shortfall=shortfall, parameters=parameters, objective=objective,
        warnings=_warnings(req), method=method)
