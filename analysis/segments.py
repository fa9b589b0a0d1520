"""Segment partners by how they take part, with scikit-learn, and describe each segment in words.

Each partner of the window (the nodes of :func:`analysis.network.two_mode`: active Partners
plus everyone who held a seat or attended) gets a participation profile:

- ``kind: <kind>`` / ``program: <program>``: events of each kind and program attended in the window;
- ``committee_seats``: committees with a seat active on ``as_of``;
- ``years_active``: years from ``joined`` (or from the start of the data when ``joined`` is
  empty, "a partner since before the data starts") to ``as_of``;
- ``global_south_share``: share of Global South organisations among the other attendees of the
  partner's events (0 when it attended none).

Counts are heavy-tailed (a few partners attend hundreds of events), so they enter the
clustering as ``log1p``; every feature is then standardised (``StandardScaler``) and clustered
with ``KMeans`` (fixed ``n_init``, ``random_state=seed``), ``k`` chosen by the silhouette score
over a small range. Segments are numbered by size, largest first.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(
...     partners=pd.DataFrame({"partner_id": list("abcdef"), "name": list("ABCDEF"),
...         "sector": "Industry", "country": "USA"}),
...     events=pd.DataFrame({"event_id": ["e1", "e2", "e3"], "name": "x", "kind": "Workshop",
...         "program": "Synthetic Media", "date": ["2024-01-01", "2024-02-01", "2024-03-01"]}),
...     attendance=pd.DataFrame({"event_id": ["e1", "e2", "e3", "e1", "e2", "e3"],
...         "partner_id": ["a", "a", "a", "b", "b", "b"]}))
>>> result = segment_partners(ds, as_of="2024-06-30", k_range=(2, 2))
>>> result.frame["segment"].tolist()
[1, 1, 0, 0, 0, 0]
>>> result.descriptions[1]["description"]
'frequent attendees of Synthetic Media workshops; no committee seats; about 0.5 years in the network'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from analysis import network, snapshot
from core.model import Dataset

__all__ = ["SegmentResult", "participation_profile", "segment_partners"]

KIND_PREFIX = "kind: "
PROGRAM_PREFIX = "program: "
SEATS = "committee_seats"
YEARS = "years_active"
SOUTH = "global_south_share"
N_INIT = 4
# Silhouette is quadratic in the number of points: above this many partners, k is chosen on a
# seeded sample of this size.
SELECTION_SAMPLE = 3000
# How much more of a segment's attendance a kind or program must take, relative to its share
# of all attendance, to be named in the segment's description.
DISTINCT_LIFT = 1.25


def participation_profile(
    ds: Dataset, *, as_of: snapshot.DateLike | None, since: snapshot.DateLike | None = None
) -> pd.DataFrame:
    """One row per partner of the window, one column per feature (see the module docstring).

    Returns
    -------
    DataFrame
        Indexed by ``partner_id`` (sorted). Columns ``kind: <kind>...``,
        ``program: <program>...`` (sorted), then ``committee_seats``, ``years_active``,
        ``global_south_share``. Events with an empty kind or program count as "other".
    """
    incidence = network.two_mode(ds, as_of=as_of, since=since)
    ids = pd.Index(incidence.partner_ids, name="partner_id")
    matrix = incidence.matrix.tocsc()
    is_event = incidence.group_kinds == network.EVENT
    committees = matrix[:, ~is_event]
    events = matrix[:, is_event]
    event_ids = incidence.group_ids[is_event]

    info = ds.events.set_index("event_id").reindex(pd.Index(event_ids))
    features: dict[str, np.ndarray] = {}
    for prefix, column in ((KIND_PREFIX, "kind"), (PROGRAM_PREFIX, "program")):
        labels = info[column].fillna("").replace("", "other").to_numpy(dtype=object)
        for label in sorted(set(labels.tolist())):
            features[prefix + str(label)] = np.asarray(
                events[:, labels == label].sum(axis=1)).ravel().astype(float)
    features[SEATS] = np.asarray(committees.sum(axis=1)).ravel().astype(float)

    partners = ds.partners.set_index("partner_id").reindex(ids)
    day = incidence.as_of
    start = _data_start(ds, day)
    joined = partners["joined"].fillna(start)
    features[YEARS] = np.clip((day - joined).dt.days.to_numpy(dtype=float) / 365.25, 0, None)

    south = partners["global_south"].fillna(False).to_numpy(dtype=float)
    if events.shape[1]:
        # Per event: Global South attendees and all attendees; per partner, sum over its
        # events minus itself (it is not its own co-attendee).
        south_per_event = events.T @ south
        size_per_event = np.asarray(events.sum(axis=0)).ravel().astype(float)
        south_seen = events @ south_per_event - south * (events @ np.ones(events.shape[1]))
        seen = events @ size_per_event - np.asarray(events.sum(axis=1)).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            features[SOUTH] = np.where(seen > 0, south_seen / seen, 0.0)
    else:
        features[SOUTH] = np.zeros(len(ids))
    return pd.DataFrame(features, index=ids)


def _data_start(ds: Dataset, as_of: pd.Timestamp) -> pd.Timestamp:
    """The earliest date the data knows (an empty ``joined`` means "since before this")."""
    dates = pd.concat([ds.partners["joined"], ds.partners["left"], ds.memberships["since"],
                       ds.events["date"]]).dropna()
    return min(dates.min(), as_of) if len(dates) else as_of


@dataclass(frozen=True)
class SegmentResult:
    """Partners' segments: ``frame`` has ``partner_id``, ``segment`` and the raw features;
    ``descriptions`` one entry per segment (``segment``, ``size``, ``description``, means)."""

    frame: pd.DataFrame
    descriptions: list[dict[str, Any]]
    k: int
    silhouette: float | None
    method: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": dict(self.method),
            "k": self.k,
            "silhouette": self.silhouette,
            "segments": self.descriptions,
            "partners": [
                {"partner_id": str(p), "segment": int(s)}
                for p, s in zip(self.frame["partner_id"], self.frame["segment"], strict=True)
            ],
        }


def _check_k_range(k_range: Sequence[int]) -> tuple[int, int]:
    if len(k_range) != 2:
        raise ValueError(f"k_range must be (low, high), got {k_range!r}")
    low, high = (int(v) for v in k_range)
    if low < 2 or high < low:
        raise ValueError(f"k_range must satisfy 2 <= low <= high, got {k_range!r}")
    return low, high


def segment_partners(
    ds: Dataset,
    *,
    as_of: snapshot.DateLike | None,
    since: snapshot.DateLike | None = None,
    seed: int = 0,
    k_range: Sequence[int] = (2, 6),
) -> SegmentResult:
    """Cluster partners by participation profile and describe each cluster in plain words.

    Parameters
    ----------
    ds : Dataset
    as_of, since : date-like
        The window, as in :func:`analysis.network.coparticipation`.
    seed : int, default 0
        ``random_state`` of KMeans and of the silhouette sample.
    k_range : (int, int), default (2, 6)
        Numbers of segments tried (inclusive); the one with the best silhouette is kept.
        Fewer distinct profiles than ``k`` cut the range; with fewer than three partners or a
        single distinct profile everyone is one segment.

    Returns
    -------
    SegmentResult
    """
    low, high = _check_k_range(k_range)
    profile = participation_profile(ds, as_of=as_of, since=since)
    raw = profile.to_numpy(dtype=float)
    counts = [c.startswith((KIND_PREFIX, PROGRAM_PREFIX)) or c == SEATS for c in profile.columns]
    values = raw.copy()
    values[:, counts] = np.log1p(values[:, counts])
    method: dict[str, Any] = {
        "algorithm": "KMeans on standardised features (log1p of counts)",
        "n_init": N_INIT, "seed": seed, "k_range": [low, high],
        "k_selection": f"silhouette (on a seeded sample of {SELECTION_SAMPLE} above that size)",
        "features": profile.columns.tolist(),
    }
    n = len(profile)
    distinct = len(np.unique(values, axis=0)) if n else 0
    high = min(high, distinct, n - 1)
    best_labels = np.zeros(n, dtype=np.int64)
    best_score: float | None = None
    if n >= 3 and high >= low:
        scaled = StandardScaler().fit_transform(values)
        rng = np.random.default_rng(seed)
        # k is chosen on a seeded sample (KMeans and silhouette on every partner for every k
        # cost tens of seconds at 20,000 partners); the chosen k is then fit on everyone.
        pick = np.sort(rng.choice(n, size=SELECTION_SAMPLE, replace=False)) \
            if n > SELECTION_SAMPLE else np.arange(n)
        chosen: int | None = None
        for k in range(low, min(high, len(pick) - 1) + 1):
            labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(
                scaled[pick])
            if len(np.unique(labels)) < 2:
                continue
            score = float(silhouette_score(scaled[pick], labels, random_state=seed))
            if best_score is None or score > best_score:
                best_score, chosen = score, k
        if chosen is not None:
            best_labels = KMeans(n_clusters=chosen, n_init=N_INIT,
                                 random_state=seed).fit_predict(scaled)
    # Degenerate data (too few partners or one profile): one segment, no silhouette.
    segments = network.relabel_by_size(best_labels) if n else best_labels
    frame = profile.reset_index()
    frame.insert(1, "segment", segments)
    k = int(segments.max()) + 1 if n else 0
    descriptions = [_describe(profile, segments, s) for s in range(k)]
    return SegmentResult(frame=frame, descriptions=descriptions, k=k,
                         silhouette=best_score, method=method)


def _plural(word: str) -> str:
    word = word.lower()
    return word if word.endswith("s") else word + "s"


def _describe(profile: pd.DataFrame, segments: np.ndarray, segment: int) -> dict[str, Any]:
    """Plain words for one segment: how often, what, seats, tenure, Global South contact."""
    members = profile.loc[segments == segment]
    means = members.mean()
    overall = profile.mean()
    kinds = [c for c in profile.columns if c.startswith(KIND_PREFIX)]
    programs = [c for c in profile.columns if c.startswith(PROGRAM_PREFIX)]
    events = float(means[kinds].sum()) if kinds else 0.0
    everyone = float(overall[kinds].sum()) if kinds else 0.0
    parts: list[str] = []
    if events == 0:
        parts.append("attended no events")
    else:
        if events >= 1.5 * everyone:
            often = "frequent"
        elif events < 0.5 * everyone:
            often = "occasional"
        else:
            often = "regular"
        # What sets the segment apart: the kind and program over-represented in its attendance.
        kind = _distinctive(means[kinds], overall[kinds])
        program = _distinctive(means[programs], overall[programs])
        kind_word = _plural(kind[len(KIND_PREFIX):]) if kind else "events"
        what = f"{program[len(PROGRAM_PREFIX):]} {kind_word}" if program else kind_word
        if not kind and not program:
            what = "events across kinds and programs"
        parts.append(f"{often} attendees of {what}")
    holders = float((members[SEATS] > 0).mean())
    if holders == 0:
        parts.append("no committee seats")
    elif holders >= 0.5:
        parts.append(f"most hold committee seats ({holders:.0%})")
    else:
        parts.append(f"few hold committee seats ({holders:.0%})")
    years = float(means[YEARS])
    if years >= 1.5 * float(overall[YEARS]) and years > 0:
        parts.append(f"long-standing (about {years:.0f} years)")
    elif years <= 0.5 * float(overall[YEARS]) and float(overall[YEARS]) > 0:
        parts.append(f"recent (about {years:.1f} years)")
    elif years > 0:
        # Always said when known: segments may differ by tenure alone.
        parts.append(f"about {years:.0f} years in the network" if years >= 2
                     else f"about {years:.1f} years in the network")
    south = float(means[SOUTH])
    if events > 0 and south >= float(overall[SOUTH]) + 0.1:
        parts.append(f"often alongside Global South partners ({south:.0%} of co-attendees)")
    elif events > 0 and south <= float(overall[SOUTH]) - 0.1:
        parts.append(f"rarely alongside Global South partners ({south:.0%} of co-attendees)")
    return {
        "segment": segment,
        "size": len(members),
        "description": "; ".join(parts),
        "means": {c: network.json_float(means[c]) for c in profile.columns},
    }


def _distinctive(segment_means: pd.Series, overall_means: pd.Series) -> str | None:
    """The column whose share of the segment's attendance most exceeds everyone's share.

    ``None`` when nothing stands out (no column at least ``DISTINCT_LIFT`` times its overall
    share), so a description never names a program that merely happens to be the largest.
    A column holding all of the segment's attendance (a single kind) is always named.
    """
    total = float(segment_means.sum())
    if not len(segment_means) or total <= 0:
        return None
    share = segment_means / total
    if float(share.max()) >= 0.999:
        return str(share.idxmax())
    overall = float(overall_means.sum())
    lift = (share / (overall_means / overall)).fillna(0) if overall > 0 else share * 0
    best = str(lift.sort_values(ascending=False, kind="mergesort").index[0])
    return best if float(lift[best]) >= DISTINCT_LIFT else None

