"""The convening planner: whom to invite so that a room represents the membership.

The objective, in one sentence (:data:`OBJECTIVE`): close the room's representation gaps
against the membership (or the targets), each weighted by how long the gap has recurred in the
event's program; then relevance; then diversity as a tie-breaker. In numbers
(:mod:`analysis.planner.objective`):

- a room of ``N`` seats (the people in it plus ``size``) should hold ``aim * N`` people of each
  sector, region and Global South group, ``aim`` being the group's share of the Partners active
  on the date or its target; each seat filled towards that is worth ``weight * (1 + streak)``,
  ``streak`` being how many of the program's latest convenings in a row had the same gap;
- relevance: 0.1 for each of a seat on the program's committees, focus areas on the event's
  topics, earlier convenings on those topics, a base in the host region;
- 0.01 for each sector, region, Global South group or country new to the room. Country never
  picks people otherwise (a cap can limit it), unless the targets name countries.

:func:`recommend` picks greedily, each pick the allowed candidate with the largest marginal
``gain`` (always > 0: the planner stops short and says why rather than add someone who gains
nothing). It then solves the same objective exactly as an integer program
(:mod:`analysis.planner.exact`, HiGHS via :func:`scipy.optimize.milp`) for rooms of up to
``EXACT_MAX_CANDIDATES`` candidates and ``EXACT_MAX_SEATS`` seats, reports the greedy's gap to
the optimum, and uses the exact picks where they are better. Reasons are made from the same
numbers (:mod:`analysis.planner.reasons`). Guests (``membership == "Guest"``) are picked only
for a gap that no active Partner outside the room belongs to, at most as many as its seats.
``include`` puts partners in first (exempt from the caps); ``exclude`` removes candidates;
``max_per_country`` / ``max_per_sector`` cap the whole room. ``size=0`` evaluates a room.

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
>>> plan = recommend(ds, event_id="e1", size=1, weights={"sector": 1})
>>> [r.partner_id for r in plan.recommendations]
['p3']
>>> plan.recommendations[0].reasons[0]
"fills a seat for Academic: 0 in the room so far, 0.8 of 3 seats at the membership's 25%"
>>> plan.recommendations[0].gain.total, plan.objective.proven_optimal
(0.77, True)
"""

from __future__ import annotations

from analysis.planner.exact import EXACT_MAX_CANDIDATES, EXACT_MAX_SEATS
from analysis.planner.objective import DIVERSITY_POINT, OBJECTIVE
from analysis.planner.plan import recommend
from analysis.planner.relevance import RELEVANCE_POINT
from analysis.planner.request import DEFAULT_WEIGHTS
from analysis.planner.result import (
    Gain,
    Objective,
    Plan,
    PlanParameters,
    Reason,
    Recommendation,
    RoomSummary,
)
from analysis.planner.room import what_if

__all__ = [
    "DEFAULT_WEIGHTS",
    "DIVERSITY_POINT",
    "EXACT_MAX_CANDIDATES",
    "EXACT_MAX_SEATS",
    "OBJECTIVE",
    "RELEVANCE_POINT",
    "Gain",
    "Objective",
    "Plan",
    "PlanParameters",
    "Reason",
    "Recommendation",
    "RoomSummary",
    "recommend",
    "what_if",
]
