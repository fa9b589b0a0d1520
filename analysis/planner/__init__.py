"""The convening planner: whom to invite so that a room represents the membership.

Given a room — the attendees of an event in the data, or a draft invite list for a convening
that does not exist yet — :func:`recommend` picks invitees **as a set**, greedily. Each pick is
the candidate whose arrival most improves the room, then the room is updated before the next
pick, so two picks never close the same gap twice.

How a room is judged, per dimension ``d`` (sector, region, Global South, country) with weight
``w_d``:

- the **deficit** ``D_d = sum_g max(0, expected_g - share_g)`` over the categories ``g``, where
  ``expected_g`` is the category's share of the Partners active on the date (the baseline) or
  its ``targets`` ``min_share`` (targets override the baseline, as in :mod:`analysis.gaps`;
  when a dimension mixes the two and together they ask for more than 100%, the untargeted
  categories are scaled down, in baseline proportion, into what the targets leave);
- Blau's index ``B_d = 1 - sum_g share_g**2`` (:func:`analysis.diversity.blau`).

A candidate's **gain** is ``sum_d w_d * ((D_d - D_d') + (B_d' - B_d))`` (primes: after adding
them). The ranking score divides a positive gain by ``1 + fatigue_weight * recent`` (``recent``:
events the candidate attended in the ``fatigue_window_days`` before the date, so people who are
asked to everything are asked less) and, with ``prefer_first_timers``, multiplies it by
``1 + FIRST_TIMER_BONUS`` for someone who has never attended. Ties go to fewer recent
attendances, then (with ``prefer_first_timers``) to first-timers, then to the smaller id.

Rules that hold for every plan:

- candidates are active on the date (``joined <= d < left``) and not already in the room;
- a pick never lowers the room's diversity: the sum over the dimensions of Blau's index does
  not fall (a candidate who would lower it is passed over, and a shortfall says so);
- Guests (``membership == "Guest"``) are considered only for a gap that no eligible Partner
  can close (a category missing or below the gap threshold that no Partner candidate belongs
  to), or when no Partner is left; they are marked ``"Guest"`` and say so in their reasons;
- ``include`` puts partners in first, in the order given (they count towards ``size`` and are
  exempt from the caps); ``exclude`` removes candidates;
- ``max_per_country`` / ``max_per_sector`` cap the **whole room** (the people already there
  plus the picks): no pick makes a country or sector exceed K.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(
...     partners=pd.DataFrame({
...         "partner_id": ["p1", "p2", "p3", "p4"], "name": ["A", "B", "C", "D"],
...         "sector": ["Industry", "Industry", "Academic", "Industry"],
...         "country": ["USA", "USA", "FRA", "USA"], "region": ["Americas", "Americas",
...         "Europe", "Americas"], "global_south": [False, False, False, False]}),
...     events=pd.DataFrame({"event_id": ["e1"], "name": ["Forum"], "date": ["2024-05-01"]}),
...     attendance=pd.DataFrame({"event_id": ["e1", "e1"], "partner_id": ["p1", "p2"]}))
>>> plan = recommend(ds, event_id="e1", size=1)
>>> [r.partner_id for r in plan.recommendations]
['p3']
>>> plan.recommendations[0].reasons[0]
'the only active Academic partner, a sector the room lacks'
"""

from __future__ import annotations

from analysis.planner.greedy import recommend
from analysis.planner.request import DEFAULT_WEIGHTS, FATIGUE_WEIGHT, FIRST_TIMER_BONUS
from analysis.planner.result import Plan, PlanParameters, Recommendation, RoomSummary
from analysis.planner.room import what_if

__all__ = [
    "DEFAULT_WEIGHTS",
    "FATIGUE_WEIGHT",
    "FIRST_TIMER_BONUS",
    "Plan",
    "PlanParameters",
    "Recommendation",
    "RoomSummary",
    "recommend",
    "what_if",
]
