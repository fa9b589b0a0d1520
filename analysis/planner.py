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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.diversity import blau, category_label, composition, diversity
from analysis.gaps import expected_from_targets, representation_gaps
from analysis.snapshot import DateLike, active_partners, event_attendees, to_timestamp
from core.errors import RequestError
from core.model import GUEST, PARTNER, Dataset

__all__ = [
    "DEFAULT_WEIGHTS",
    "FATIGUE_WEIGHT",
    "FIRST_TIMER_BONUS",
    "Plan",
    "Recommendation",
    "RoomSummary",
    "recommend",
    "what_if",
]

#: Dimension -> weight. Country counts half: there are many countries, and a room cannot hold
#: all of them, so country alone should not outweigh a missing sector or region.
DEFAULT_WEIGHTS: dict[str, float] = {
    "sector": 1.0,
    "region": 1.0,
    "global_south": 1.0,
    "country": 0.5,
}
#: A positive gain is divided by ``1 + FATIGUE_WEIGHT * recent`` by default: someone who went to
#: four convenings last year needs a gain 1.4 times larger to be picked first.
FATIGUE_WEIGHT = 0.1
#: With ``prefer_first_timers``, a never-attended candidate's positive gain counts this much more.
FIRST_TIMER_BONUS = 0.5

#: Gains equal to this tolerance are ties (they come from ratios of small integers).
_EPS = 1e-9
_DIMENSION_NAMES = {
    "sector": "sector",
    "region": "region",
    "global_south": "Global South",
    "country": "country",
    "subregion": "sub-region",
}


def _label(dimension: str, group: str) -> str:
    if dimension == "global_south":
        return {"True": "Global South", "False": "Global North"}.get(group, group)
    return group


def _pct(share: float) -> str:
    return f"{share:.0%}"


@dataclass(frozen=True)
class RoomSummary:
    """Composition, diversity and gaps of one room on one date, against one baseline.

    ``composition`` maps dimension -> category -> head-count (partners, Guests included);
    ``diversity`` maps dimension -> the indices of :func:`analysis.diversity.diversity`;
    ``gaps`` holds the :class:`analysis.gaps.Gap` rows as dicts; ``expected`` maps dimension ->
    category -> the share the room is compared with (baseline share, or the target).
    """

    size: int
    members: tuple[str, ...]
    composition: dict[str, dict[str, int | float]]
    shares: dict[str, dict[str, float]]
    diversity: dict[str, dict[str, float]]
    gaps: list[dict[str, Any]]
    baseline_size: int
    expected: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def blau_total(self) -> float:
        """The sum over the dimensions of Blau's index (the planner never lowers it)."""
        return float(sum(v["blau"] for v in self.diversity.values()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "members": list(self.members),
            "composition": {d: dict(c) for d, c in self.composition.items()},
            "shares": {d: dict(s) for d, s in self.shares.items()},
            "diversity": {d: dict(v) for d, v in self.diversity.items()},
            "gaps": [dict(g) for g in self.gaps],
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
class Plan:
    """An invite list for one room, with the room before and after, and how it was made."""

    event_id: str | None
    date: str
    recommendations: tuple[Recommendation, ...]
    before: RoomSummary
    after: RoomSummary
    shortfall: str | None
    parameters: dict[str, Any] = field(default_factory=dict)
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
            "parameters": dict(self.parameters),
        }


# --- argument checks ---------------------------------------------------------------------------


def _check_size(size: Any) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ValueError(f"size must be an integer >= 1, got {size!r}")
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    return int(size)


def _check_cap(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1 or None, got {value!r}")
    return int(value)


def _check_number(name: str, value: Any, *, minimum: float = 0.0) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or math.isnan(value)
        or math.isinf(value)
        or value < minimum
    ):
        raise ValueError(f"{name} must be a finite number >= {minimum:g}, got {value!r}")
    return float(value)


def _check_weights(ds: Dataset, weights: Mapping[str, float] | None) -> dict[str, float]:
    chosen = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if not isinstance(chosen, dict) or not chosen:
        raise ValueError(f"weights must map dimension -> weight, got {weights!r}")
    out: dict[str, float] = {}
    for dim, w in chosen.items():
        if dim not in ds.partners.columns:
            raise ValueError(
                f"weights names {dim!r}, which is not a partner column "
                f"(have {sorted(ds.partners.columns)})"
            )
        value = _check_number(f"weights[{dim!r}]", w)
        if value > 0:  # a zero weight switches a dimension off
            out[str(dim)] = value
    if not out:
        raise ValueError(f"weights must give at least one dimension a weight > 0, got {weights!r}")
    return out


def _ids(name: str, values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):  # a single id, or a comma list typed by a person
        values = values.split(",")
    out: list[str] = []
    for v in values:
        text = str(v).strip()
        if text and text not in out:
            out.append(text)
    return out


def _targets(ds: Dataset, targets: pd.DataFrame | Mapping[str, Mapping[str, float]] | None):
    """Targets as a DataFrame of ``dimension, group, min_share`` (None: the dataset's table)."""
    if targets is None:
        return ds.targets if len(ds.targets) else None
    if isinstance(targets, pd.DataFrame):
        return targets if len(targets) else None
    if isinstance(targets, Mapping):
        rows = [
            {"dimension": dim, "group": group, "min_share": float(share)}
            for dim, groups in targets.items()
            for group, share in groups.items()
        ]
        return pd.DataFrame(rows) if rows else None
    raise ValueError(
        f"targets must be a DataFrame or {{dimension: {{group: share}}}}, got {targets!r}"
    )


# --- the room as counts ------------------------------------------------------------------------


def _known(values: pd.Series) -> np.ndarray:
    return (values.notna() & (values.astype(str).str.strip() != "")).to_numpy()


class _Dimension:
    """One dimension's categories, expected shares and the room's counts, as arrays."""

    def __init__(
        self,
        name: str,
        weight: float,
        baseline: pd.DataFrame,
        room: pd.DataFrame,
        candidates: pd.DataFrame,
        wanted: pd.DataFrame,
    ):
        self.name = name
        self.weight = weight
        self.threshold = 0.8  # the gap threshold the reasons use (recommend() sets it)
        base = composition(baseline, name)
        labels: list[str] = list(base.counts)
        target_rows = wanted.loc[wanted["dimension"] == name]
        by_key = {lab.strip().casefold(): lab for lab in labels}
        target_for: dict[str, float] = {}
        for key, label, share in target_rows[["key", "target_label", "target_share"]].itertuples(
            index=False, name=None
        ):
            canonical = by_key.get(key, label)
            if canonical not in labels:
                labels.append(canonical)
                by_key[key] = canonical
            target_for[canonical] = float(share)
        for frame in (room, candidates):
            values = frame[name][_known(frame[name])].map(category_label)
            for lab in pd.unique(values):
                if lab not in labels:
                    key = lab.strip().casefold()
                    if key in by_key:  # a different spelling of a known category
                        continue
                    labels.append(lab)
                    by_key[key] = lab
        self.labels = labels
        self.index = {lab: i for i, lab in enumerate(labels)}
        self.by_key = by_key
        total = base.total
        self.baseline_counts = np.array([base.counts.get(lab, 0) for lab in labels], dtype=float)
        expected = self.baseline_counts / total if total else np.zeros(len(labels))
        self.basis = ["baseline"] * len(labels)
        for lab, share in target_for.items():
            expected[self.index[lab]] = share
            self.basis[self.index[lab]] = "target"
        self.expected = expected
        # The deficit aims at ``aim``: targets as given, and the other categories' baseline
        # shares, scaled down into what the targets leave when together they ask for more
        # than 100%. Unscaled, a 30% target for Africa plus the baseline's 83% for the Americas
        # would ask for 113%, and every pick would look like it opens a gap somewhere. Never
        # scaled up: a 0% minimum ("no floor") must not inflate the other categories.
        aim = expected.copy()
        targeted = np.array([b == "target" for b in self.basis], dtype=bool)
        if targeted.any() and (~targeted).any():
            rest = float(aim[~targeted].sum())
            left = max(0.0, 1.0 - float(aim[targeted].sum()))
            if rest > left:
                aim[~targeted] *= left / rest
        self.aim = aim
        self.counts = np.zeros(len(labels), dtype=float)
        for g in self.codes(room):
            if g >= 0:
                self.counts[g] += 1

    def codes(self, frame: pd.DataFrame) -> np.ndarray:
        """Category index of each row; -1 for an unknown label (it counts nowhere)."""
        known = _known(frame[self.name])
        out = np.full(len(frame), -1, dtype=np.int64)
        for i, (ok, value) in enumerate(zip(known, frame[self.name], strict=True)):
            if ok:
                lab = category_label(value)
                canonical = self.by_key.get(lab.strip().casefold(), lab)
                out[i] = self.index.get(lab, self.index.get(canonical, -1))
        return out

    @staticmethod
    def _deficit(counts: np.ndarray, expected: np.ndarray) -> float:
        n = counts.sum()
        shares = counts / n if n else np.zeros_like(counts)
        return float(np.maximum(0.0, expected - shares).sum())

    def deficit(self) -> float:
        return self._deficit(self.counts, self.aim)

    def blau(self) -> float:
        return blau(self.counts)

    def after_each(self) -> tuple[np.ndarray, np.ndarray]:
        """Deficit and Blau after adding one member of each category.

        Both arrays have one extra last entry holding today's value, so indexing them with a
        candidate's code (-1 = unknown label) gives "unchanged" for free.
        """
        c, e = self.counts, self.aim
        n1 = c.sum() + 1.0
        terms = np.maximum(0.0, e - c / n1)
        bumped = np.maximum(0.0, e - (c + 1.0) / n1)
        deficit = terms.sum() - terms + bumped
        square = float((c * c).sum())
        blau_after = 1.0 - (square + 2.0 * c + 1.0) / (n1 * n1)
        return (
            np.append(deficit, self.deficit()),
            np.append(blau_after, self.blau()),
        )


# --- the public functions ----------------------------------------------------------------------


def _frame_for(ds: Dataset, ids: Sequence[str]) -> pd.DataFrame:
    partners = ds.partners
    order = {pid: i for i, pid in enumerate(ids)}
    rows = partners.loc[partners["partner_id"].isin(order)]
    return rows.reset_index(drop=True)


def _summary(
    room: pd.DataFrame,
    baseline: pd.DataFrame,
    dims: Sequence[str],
    targets: pd.DataFrame | None,
    threshold: float,
) -> RoomSummary:
    comp: dict[str, dict[str, int | float]] = {}
    shares: dict[str, dict[str, float]] = {}
    div: dict[str, dict[str, float]] = {}
    expected: dict[str, dict[str, float]] = {}
    wanted = expected_from_targets(targets)
    for dim in dims:
        got = composition(room, dim)
        base = composition(baseline, dim)
        comp[dim] = dict(got.counts)
        shares[dim] = got.shares
        aims = dict(base.shares)
        by_key = {label.casefold(): label for label in aims}
        rows = wanted.loc[wanted["dimension"] == dim, ["key", "target_label", "target_share"]]
        for key, label, share in rows.itertuples(index=False, name=None):
            aims[by_key.get(key, label)] = float(share)
        expected[dim] = aims
        # k = every category of the baseline or the room, so before and after compare fairly.
        k = max(1, len(set(base.counts) | set(got.counts)))
        counts = list(got.counts.values()) + [0] * (k - len(got.counts))
        div[dim] = diversity(counts, k)
    gaps = representation_gaps(
        room, baseline, dimensions=dims, targets=targets, threshold=threshold
    )
    return RoomSummary(
        size=len(room),
        members=tuple(sorted(room["partner_id"])),
        composition=comp,
        shares=shares,
        diversity=div,
        gaps=[g.to_dict() for g in gaps],
        baseline_size=len(baseline),
        expected=expected,
    )


def what_if(
    ds: Dataset,
    room_ids: Iterable[str],
    date: DateLike,
    *,
    dimensions: Iterable[str] | None = None,
    targets: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
    threshold: float = 0.8,
) -> RoomSummary:
    """Composition, diversity and gaps of an arbitrary room on ``date``.

    The planner page calls this when a person is added or removed. The baseline is the Partners
    active on ``date``; ``targets`` (default: the dataset's table) override it per category.

    Parameters
    ----------
    ds : Dataset
    room_ids : iterable of str
        Partner ids in the room (Partners or Guests; unknown ids raise ``RequestError``).
    date : date-like
        The day of the convening.
    dimensions : iterable of str, optional
        Default: the dimensions of :data:`DEFAULT_WEIGHTS`.
    targets : DataFrame or mapping, optional
    threshold : float, default 0.8
        Gap when ``share / expected_share`` is below it.

    Returns
    -------
    RoomSummary

    >>> import pandas as pd
    >>> from core.model import Dataset
    >>> ds = Dataset.from_frames(partners=pd.DataFrame({"partner_id": ["a", "b"],
    ...     "name": ["A", "B"], "sector": ["Industry", "Media"], "country": ["USA", "KEN"]}))
    >>> what_if(ds, ["a"], "2024-01-01", dimensions=["sector"]).gaps[0]["group"]
    'Media'
    """
    ids = _ids("room_ids", list(room_ids))
    unknown = sorted(set(ids) - set(ds.partners["partner_id"]))
    if unknown:
        raise RequestError(f"unknown partner ids: {', '.join(unknown)}")
    day = to_timestamp(date, name="date")
    dims = list(DEFAULT_WEIGHTS if dimensions is None else dimensions)
    for dim in dims:
        if dim not in ds.partners.columns:
            raise ValueError(f"dimension {dim!r} is not a partner column")
    baseline = active_partners(ds, day, membership=PARTNER)
    return _summary(_frame_for(ds, ids), baseline, dims, _targets(ds, targets), threshold)


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
    targets: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
    threshold: float = 0.8,
) -> Plan:
    """Recommend ``size`` invitees for a room, chosen greedily as a set (see the module doc).

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
        Dimension -> weight (a partner column); default :data:`DEFAULT_WEIGHTS`. Weight 0
        switches a dimension off.
    include, exclude : iterable of str or comma-separated str
        Partners to put in first / never to recommend.
    max_per_country, max_per_sector : int, optional
        Caps on the whole room per country / sector.
    fatigue_window_days : int, default 365
        How far back attendance counts as "recent".
    fatigue_weight : float, default :data:`FATIGUE_WEIGHT`
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
    size = _check_size(size)
    caps = {
        "country": _check_cap("max_per_country", max_per_country),
        "sector": _check_cap("max_per_sector", max_per_sector),
    }
    window = int(_check_number("fatigue_window_days", fatigue_window_days))
    fatigue = _check_number("fatigue_weight", fatigue_weight)
    wts = _check_weights(ds, weights)
    if event_id is None and date is None:
        raise ValueError(
            "give an event_id, or a date (and a draft invite list) for a new convening"
        )
    invited_ids = _ids("invited", invited)
    include_ids = _ids("include", include)
    exclude_ids = _ids("exclude", exclude)

    problems: list[str] = []
    if event_id is not None and event_id not in set(ds.events["event_id"]):
        problems.append(f"unknown event id {event_id!r}")
    known = set(ds.partners["partner_id"])
    for what, ids in (("invited", invited_ids), ("include", include_ids), ("exclude", exclude_ids)):
        bad = [i for i in ids if i not in known]
        if bad:
            problems.append(f"unknown partner ids in {what}: {', '.join(bad)}")
    if problems:
        raise RequestError("; ".join(problems))

    room_ids: list[str] = []
    if event_id is not None:
        room_ids = event_attendees(ds, event_id)["partner_id"].tolist()
        if date is None:
            stamp = ds.events.loc[ds.events["event_id"] == event_id, "date"].iloc[0]
            if pd.isna(stamp):
                raise RequestError(f"event {event_id!r} has no date: give one")
            date = stamp
    day = to_timestamp(date, name="date")
    room_ids += [i for i in invited_ids if i not in room_ids]
    room_set = set(room_ids)

    active = active_partners(ds, day, membership=None)
    active_ids = set(active["partner_id"])
    both = [i for i in include_ids if i in set(exclude_ids)]
    inactive = [i for i in include_ids if i not in active_ids]
    present = [i for i in include_ids if i in room_set]
    for bad, problem in (
        (both, "both included and excluded"),
        (inactive, f"not active on {day.date()}"),
        (present, "already in the room"),
    ):
        if bad:
            problems.append(f"cannot include {', '.join(bad)}: {problem}")
    if problems:
        raise RequestError("; ".join(problems))

    tgt = _targets(ds, targets)
    wanted = expected_from_targets(tgt)
    baseline = active.loc[active["membership"] == PARTNER].reset_index(drop=True)
    room = _frame_for(ds, room_ids)
    pool = active.loc[~active["partner_id"].isin(room_set | set(exclude_ids))]
    if not allow_guests:
        pool = pool.loc[(pool["membership"] != GUEST) | pool["partner_id"].isin(include_ids)]
    pool = pool.sort_values("partner_id", kind="mergesort").reset_index(drop=True)
    dims = [_Dimension(d, w, baseline, room, pool, wanted) for d, w in wts.items()]
    dim_names = [d.name for d in dims]
    for d in dims:
        d.threshold = float(threshold)
    before = _summary(room, baseline, dim_names, tgt, threshold)

    recent_of, attended_ever = _recent_counts(ds, day, window, event_id)
    ids = pool["partner_id"].to_numpy(dtype=object)
    recent = np.array([recent_of.get(i, 0) for i in ids], dtype=np.int64)
    first_timer = np.array([i not in attended_ever for i in ids], dtype=bool)
    is_guest = (pool["membership"] == GUEST).to_numpy()
    codes = {d.name: d.codes(pool) for d in dims}
    cap_dims = {k: _Dimension(k, 1.0, baseline, room, pool, wanted) for k, v in caps.items() if v}
    cap_codes = {k: d.codes(pool) for k, d in cap_dims.items()}
    baseline_sector = composition(baseline, "sector").counts if "sector" in pool else {}

    taken = np.zeros(len(pool), dtype=bool)
    picks: list[Recommendation] = []
    passed_over = capped = 0  # candidates left out by the last round, and why
    position = {pid: i for i, pid in enumerate(ids)}

    def add(i: int) -> None:
        taken[i] = True
        for d in dims:
            g = codes[d.name][i]
            if g >= 0:
                d.counts[g] += 1
        for k, d in cap_dims.items():
            g = cap_codes[k][i]
            if g >= 0:
                d.counts[g] += 1

    for pid in include_ids:
        i = position[pid]
        picks.append(
            _recommendation(
                pool.iloc[i], dims, codes, i, recent[i], first_timer[i], 0.0, 0.0,
                ["included on request"], baseline_sector, pool, taken, is_guest[i],
                prefer_first_timers, window,
            )
        )
        add(i)

    while len(picks) < size:
        gap_gain = np.zeros(len(pool))
        blau_gain = np.zeros(len(pool))
        blau_sum_change = np.zeros(len(pool))
        for d in dims:
            d_after, b_after = d.after_each()
            g = codes[d.name]
            gap_gain += d.weight * (d.deficit() - d_after[g])
            blau_gain += d.weight * (b_after[g] - d.blau())
            blau_sum_change += b_after[g] - d.blau()
        gain = gap_gain + blau_gain
        eligible = ~taken
        free = int(eligible.sum())
        for k, d in cap_dims.items():
            g = cap_codes[k]
            full = np.append(d.counts >= caps[k], False)  # unknown label: never capped
            eligible &= ~full[g]
        keeps_diversity = blau_sum_change >= -_EPS
        capped = free - int(eligible.sum())
        passed_over = int((eligible & ~keeps_diversity).sum())
        eligible &= keeps_diversity
        if not eligible.any():
            break
        score = np.where(gain > 0, gain / (1.0 + fatigue * recent), gain * (1.0 + fatigue * recent))
        if prefer_first_timers:
            score = np.where(first_timer & (score > 0), score * (1.0 + FIRST_TIMER_BONUS), score)
        partners_ok = eligible & ~is_guest
        guests_ok = eligible & is_guest
        lone = _gaps_no_partner_can_close(dims, codes, partners_ok)
        guest_fits = np.zeros(len(pool), dtype=bool)
        for d in dims:
            guest_fits |= np.append(lone[d.name], False)[codes[d.name]]
        choose = partners_ok | (guests_ok & guest_fits)
        if not choose.any():  # no Partner left at all: any Guest who keeps the mix
            choose = guests_ok
        best = min(
            (int(j) for j in np.flatnonzero(choose)),
            key=lambda j: (
                -round(float(score[j]), 9),
                int(recent[j]),
                (not first_timer[j]) if prefer_first_timers else False,
                ids[j],
            ),
        )
        extra = []
        if is_guest[best]:
            closes = [
                _label(d.name, d.labels[codes[d.name][best]])
                if d.name != "country"
                else str(pool.iloc[best].get("country_name") or d.labels[codes[d.name][best]])
                for d in dims
                if codes[d.name][best] >= 0 and lone[d.name][codes[d.name][best]]
            ]
            extra.append(
                "a Guest, not a Partner: no active Partner can bring " + ", ".join(closes)
                if closes
                else "a Guest, not a Partner: no Partner is left to invite"
            )
        picks.append(
            _recommendation(
                pool.iloc[best], dims, codes, best, recent[best], first_timer[best],
                float(score[best]), float(gain[best]), extra, baseline_sector, pool, taken,
                is_guest[best], prefer_first_timers, window,
            )
        )
        add(best)

    shortfall = None
    if len(picks) < size:
        found = f"{len(pool)} active partner{'s' if len(pool) != 1 else ''} not in the room"
        if exclude_ids:
            found += " and not excluded"
        causes = [found]
        if capped:
            causes.append(f"{capped} more would go over the country or sector cap")
        if passed_over:
            causes.append(f"{passed_over} more would lower the room's diversity")
        shortfall = (
            f"asked for {size} but only {len(picks)} could be recommended ({'; '.join(causes)})"
        )
    after_room = _frame_for(ds, room_ids + [r.partner_id for r in picks])
    after = _summary(after_room, baseline, dim_names, tgt, threshold)
    parameters = {
        "size": size,
        "weights": wts,
        "include": include_ids,
        "exclude": exclude_ids,
        "invited": invited_ids,
        "max_per_country": caps["country"],
        "max_per_sector": caps["sector"],
        "fatigue_window_days": window,
        "fatigue_weight": fatigue,
        "prefer_first_timers": bool(prefer_first_timers),
        "first_timer_bonus": FIRST_TIMER_BONUS,
        "allow_guests": bool(allow_guests),
        "threshold": threshold,
        "targets": "given" if targets is not None else ("dataset" if tgt is not None else "none"),
        "baseline": f"{len(baseline)} Partners active on {day.date()}",
    }
    return Plan(
        event_id=event_id,
        date=str(day.date()),
        recommendations=tuple(picks),
        before=before,
        after=after,
        shortfall=shortfall,
        parameters=parameters,
    )


def _gaps_no_partner_can_close(
    dims: Sequence[_Dimension], codes: Mapping[str, np.ndarray], partners_ok: np.ndarray
) -> dict[str, np.ndarray]:
    """Per dimension, the categories that are a gap and that no eligible Partner belongs to.

    A gap as in :mod:`analysis.gaps`: missing, or held below ``threshold`` times the expected
    share. Guests may be suggested for exactly these (DESIGN.md: when no Partner can close a
    gap), so Guests never displace Partners who could do the same.
    """
    out: dict[str, np.ndarray] = {}
    for d in dims:
        n = d.counts.sum()
        shares = d.counts / n if n else np.zeros_like(d.counts)
        is_gap = (d.expected > _EPS) & (shares < d.threshold * d.expected - _EPS)
        held = np.zeros(len(d.labels) + 1, dtype=bool)
        held[codes[d.name][partners_ok]] = True  # index -1 (unknown) lands in the spare slot
        out[d.name] = is_gap & ~held[:-1]
    return out


def _recommendation(
    row: pd.Series,
    dims: Sequence[_Dimension],
    codes: Mapping[str, np.ndarray],
    i: int,
    recent: int,
    first_timer: bool,
    score: float,
    gain: float,
    lead: list[str],
    baseline_sector: Mapping[str, Any],
    pool: pd.DataFrame,
    taken: np.ndarray,
    guest: bool,
    prefer_first_timers: bool,
    window: int,
) -> Recommendation:
    """A pick with its reasons, described against the room *before* it joins."""
    reasons = list(lead)
    lacks: list[str] = []  # categories the room has none of
    gaps: list[str] = []  # categories below the gap threshold
    country: list[str] = []
    minor: list[str] = []  # below the expected share, but not yet a gap
    for d in dims:
        g = int(codes[d.name][i])
        if g < 0:
            continue
        reason = _dimension_reason(row, d, g, baseline_sector, pool, codes[d.name], taken, guest)
        if not reason:
            continue
        n = d.counts.sum()
        share = d.counts[g] / n if n else 0.0
        if d.counts[g] > 0 and share >= d.threshold * d.expected[g]:
            minor.append(reason)
        elif d.name == "country":
            country.append(reason)
        else:
            (lacks if d.counts[g] == 0 else gaps).append(reason)
    # What the room lacks outright comes first; the country only when nothing broader applies
    # (a new region or Global South voice already says it); then the largest small nudge.
    found = (lacks + gaps or country) + minor[:1]
    reasons += found if found else [_variety_reason(dims, codes, i)]
    if first_timer:
        reasons.append("would be their first convening")
    elif recent:
        reasons.append(f"attended {recent} convening{'s' if recent != 1 else ''} "
                       f"in the last {window} days")
    else:
        reasons.append(f"has not attended a convening in the last {window} days")
    return Recommendation(
        partner_id=str(row["partner_id"]),
        name=str(row["name"]),
        membership=str(row["membership"]),
        score=score,
        reasons=tuple(reasons),
        sector=str(row.get("sector", "")),
        country=str(row.get("country", "")),
        region=str(row.get("region", "")),
        gain=gain,
        recent_events=int(recent),
        included=bool(lead and lead[0] == "included on request"),
    )


def _dimension_reason(
    row: pd.Series,
    d: _Dimension,
    g: int,
    baseline_sector: Mapping[str, Any],
    pool: pd.DataFrame,
    codes: np.ndarray,
    taken: np.ndarray,
    guest: bool,
) -> str | None:
    count = d.counts[g]
    n = d.counts.sum()
    expected = float(d.expected[g])
    if expected <= _EPS:
        return None
    group = d.labels[g]
    label = _label(d.name, group)
    if d.name == "country":
        label = str(row.get("country_name") or group)
    basis = "target" if d.basis[g] == "target" else "membership"
    if count == 0:
        if d.name == "sector":
            if baseline_sector.get(group, 0) == 1 and not guest:
                return f"the only active {label} partner, a sector the room lacks"
            others = int(((codes == g) & ~taken).sum()) - 1
            if others == 0:
                return f"the only {label} candidate not yet in the room, a sector the room lacks"
            return f"adds the {label} sector, which the room lacks"
        if d.name == "global_south":
            return f"adds a {label} voice, which the room lacks ({basis}: {_pct(expected)})"
        return f"adds {label}, which the room lacks"
    share, new_share = count / n, (count + 1) / (n + 1)
    if share < expected - _EPS and new_share > share:
        old, new, aim = _pcts(share, new_share, expected)
        return f"brings the room's {label} share from {old} to {new} ({basis}: {aim})"
    return None


def _pcts(*shares: float) -> list[str]:
    """Percentages with just enough decimals that the first differs from the others.

    >>> _pcts(0.298, 0.32, 0.30)
    ['29.8%', '32.0%', '30.0%']
    """
    for digits in (0, 1, 2):
        texts = [f"{100 * s:.{digits}f}%" for s in shares]
        if all(t != texts[0] for t in texts[1:]):
            return texts
    return texts


def _variety_reason(dims: Sequence[_Dimension], codes: Mapping[str, np.ndarray], i: int) -> str:
    """No gap to close: say which dimension's diversity the pick raises most."""
    best_name, best_change, before, after = "", -1.0, 0.0, 0.0
    for d in dims:
        _, b_after = d.after_each()
        new = float(b_after[codes[d.name][i]])
        change = new - d.blau()
        if change > best_change + _EPS:
            best_name, best_change, before, after = d.name, change, d.blau(), new
    if best_change <= _EPS:
        return "keeps the room's mix as it is (no gap left that this pick could close)"
    name = _DIMENSION_NAMES.get(best_name, best_name)
    return f"widens the room's {name} mix (Blau {before:.2f} to {after:.2f})"
