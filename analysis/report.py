"""The representation and reach report: one call, every section, plain JSON.

:func:`build_report` gathers totals, per-group composition, diversity and gaps, reach, the
scorecard, the network and (with ``since``) what changed, into a :class:`Report` whose
:meth:`Report.to_dict` gives exactly the keys of DESIGN.md ("JSON printed by report") plus a few
more: ``parameters``, ``method``, ``largest_gaps``, ``scorecard_summary``, ``scorecard_trend``,
``privacy`` and ``changes``.

Scale: every committee and event is composed in one merge + groupby
(:func:`analysis.diversity.group_compositions`), baselines for all event dates come from one
binary search per category (:func:`analysis.snapshot.active_counts_on`), and gaps for all
groups are scored in one vectorised pass (:func:`analysis.gaps.find_gaps`).

Privacy: with ``min_cell=N`` every count of organisations between 1 and N-1 — and each share,
ratio, p-value or shortfall derived from it — becomes ``None``; the path of each hidden value is
listed in the group's ``suppressed`` list (and counted under ``privacy``), so a single
organisation cannot be singled out. Zeros stay: "nobody" names nobody.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import changes as _changes
from analysis.diversity import group_compositions, group_members, membership_totals
from analysis.gaps import (
    DEFAULT_DIMENSIONS,
    Gap,
    check_threshold,
    find_gaps,
    gaps_from_frame,
    group_gap_rows,
    recurring_gaps,
)
from analysis.reach import reach
from analysis.scorecard import by_program, scorecard
from analysis.snapshot import (
    DateLike,
    active_memberships,
    committees,
    events_in_window,
    to_timestamp,
)
from core.errors import RequestError
from core.model import GUEST, Dataset

__all__ = ["Report", "build_report", "group_compositions", "program_subset"]

#: How many gaps the report lists as "largest" across all groups.
LARGEST_GAPS = 20
#: How many recurring gaps the report lists.
RECURRING_GAPS = 20


@dataclass(frozen=True)
class Report:
    """The whole report; :meth:`to_dict` is what ``report --format json`` prints."""

    as_of: str
    parameters: dict[str, Any]
    totals: dict[str, Any]
    groups: list[dict[str, Any]]
    reach: dict[str, Any]
    scorecard: list[dict[str, Any]]
    scorecard_summary: str
    scorecard_trend: dict[str, Any]
    programs: list[dict[str, Any]]
    network: dict[str, Any]
    largest_gaps: list[dict[str, Any]]
    recurring_gaps: list[dict[str, Any]]
    method: dict[str, Any]
    privacy: dict[str, Any]
    changes: dict[str, Any] | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of,
            "since": self.parameters.get("since"),
            "program": self.parameters.get("program"),
            "source": self.source,
            "parameters": dict(self.parameters),
            "totals": self.totals,
            "groups": self.groups,
            "largest_gaps": self.largest_gaps,
            "recurring_gaps": self.recurring_gaps,
            "reach": self.reach,
            "scorecard": self.scorecard,
            "scorecard_summary": self.scorecard_summary,
            "scorecard_trend": self.scorecard_trend,
            "programs": self.programs,
            "network": self.network,
            "method": self.method,
            "privacy": self.privacy,
        }
        if self.changes is not None:
            out["changes"] = self.changes
        return _json_safe(out)


def _json_safe(value: Any) -> Any:
    """Plain JSON types only: numpy scalars unwrapped, NaN/inf to None, dates to ISO strings."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()[:10]
    if value is None or isinstance(value, str):
        return value
    if value is pd.NaT:
        return None
    return str(value)


def program_subset(ds: Dataset, program: str | None) -> Dataset:
    """The dataset restricted to one program's committees and events (partners unchanged).

    Used to hand the network analysis the same program filter as every other section.
    """
    if program is None:
        return ds
    chosen = committees(ds, program=program)["committee_id"]
    events = ds.events.loc[ds.events["program"] == program]
    return dataclasses.replace(
        ds,
        committees=ds.committees.loc[ds.committees["committee_id"].isin(chosen)].reset_index(
            drop=True
        ),
        memberships=ds.memberships.loc[ds.memberships["committee_id"].isin(chosen)].reset_index(
            drop=True
        ),
        events=events.reset_index(drop=True),
        attendance=ds.attendance.loc[
            ds.attendance["event_id"].isin(events["event_id"])
        ].reset_index(drop=True),
        _cache={},
    )


def _check_options(min_cell: int | None, threshold: float, seed: int) -> None:
    if min_cell is not None and (
        isinstance(min_cell, bool) or not isinstance(min_cell, (int, np.integer)) or min_cell < 1
    ):
        raise ValueError(f"min_cell must be a positive integer or None, got {min_cell!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    check_threshold(threshold)


def _diversity_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Blau, normalised Blau, Shannon and evenness of every (group, dimension) at once.

    ``k`` — the categories that could be present — is the number of categories in the group's
    rows, i.e. the union of its baseline's and its own (the same ``k`` as
    :func:`analysis.diversity.diversity` would be given by the report).
    """
    keys = ["kind", "group_id", "dimension"]
    frame = rows[keys + ["count", "size"]].copy()
    size = frame["size"].to_numpy(dtype=float)
    count = frame["count"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(size > 0, count / size, 0.0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    frame["p2"] = p * p
    frame["plogp"] = plogp
    grouped = frame.groupby(keys, sort=False).agg(
        p2=("p2", "sum"), plogp=("plogp", "sum"), k=("count", "size"), size=("size", "first")
    )
    empty = grouped["size"] <= 0
    blau = np.where(empty, 0.0, np.clip(1.0 - grouped["p2"], 0.0, 1.0))
    shannon = np.where(empty, 0.0, np.clip(-grouped["plogp"], 0.0, None))
    k = grouped["k"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        nblau = np.where(k > 1, np.clip(blau / (1.0 - 1.0 / k), 0.0, 1.0), 0.0)
        even = np.where(k > 1, np.clip(shannon / np.log(np.where(k > 1, k, 2.0)), 0.0, 1.0), 0.0)
    out = pd.DataFrame(
        {"blau": blau, "normalised_blau": nblau, "shannon": shannon, "evenness": even},
        index=grouped.index,
    )
    return out


class _Suppressor:
    """Hides organisation counts below ``min_cell`` and records where."""

    def __init__(self, min_cell: int | None):
        self.min_cell = min_cell
        self.hidden = 0

    def small(self, value: Any) -> bool:
        if self.min_cell is None or value is None:
            return False
        return 0 < float(value) < self.min_cell

    def counts(self, mapping: dict[str, Any], path: str, log: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in mapping.items():
            if self.small(value):
                out[key] = None
                log.append(f"{path}.{key}")
                self.hidden += 1
            else:
                out[key] = value
        return out


def _gap_dict(gap: Gap, kind: str) -> dict[str, Any]:
    out = gap.to_dict()
    out["sentence"] = gap.sentence("participant" if kind == "event" else "member")
    return out


def _hide_gap(gap: dict[str, Any], sup: _Suppressor, path: str, log: list[str]) -> dict[str, Any]:
    if not sup.small(gap["count"]):
        return gap
    gap = dict(gap)
    for key in ("count", "share", "ratio", "p_value", "shortfall"):
        gap[key] = None
    gap["sentence"] = (
        f"{gap['group']} ({gap['dimension']}) is under-represented; the count is below the "
        f"minimum cell size {sup.min_cell} and is not shown."
    )
    log.append(f"{path}.{gap['dimension']}.{gap['group']}")
    sup.hidden += 1
    return gap


def build_report(
    ds: Dataset,
    *,
    as_of: DateLike | None = None,
    since: DateLike | None = None,
    program: str | None = None,
    min_cell: int | None = None,
    threshold: float = 0.8,
    seed: int = 0,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
) -> Report:
    """Build the representation and reach report of ``ds``.

    Parameters
    ----------
    ds : Dataset
    as_of : date, optional
        The day of the snapshot (committees, totals) and the last day of the event window;
        default today.
    since : date, optional
        Events after this day only (exclusive); also turns on the ``changes`` section
        (``since`` versus ``as_of``).
    program : str, optional
        Only committees and events of this program, in every section (totals still count the
        whole membership: Partners belong to the network, not to a program).
        An unknown program is refused (:class:`RequestError`) rather than giving an empty
        report.
    min_cell : int, optional
        Hide counts of organisations below this (see the module docstring); default off.
    threshold : float, default 0.8
        A category is a gap when ``share / expected_share`` is below it.
    seed : int, default 0
        Seeds the network analysis (community detection, sampled betweenness).
    dimensions : sequence of str, default ("sector", "region", "global_south")
        Partner columns for composition, diversity and gaps.

    Returns
    -------
    Report
    """
    _check_options(min_cell, threshold, seed)
    day = to_timestamp(as_of)
    start = None if since is None else to_timestamp(since, name="since")
    if start is not None and start >= day:
        raise RequestError(f"since ({start.date()}) must be before as_of ({day.date()})")
    dims = list(dimensions)
    if program is not None:
        known = set(ds.committees["program"]) | set(ds.events["program"])
        if program not in known:
            raise RequestError(
                f"unknown program {program!r}; known: {', '.join(sorted(p for p in known if p))}"
            )
    sup = _Suppressor(min_cell)

    rows = group_gap_rows(ds, day, dims, since=start, program=program)
    scored = find_gaps(
        rows, keys=("kind", "group_id"), targets=ds.targets, threshold=threshold, scored=True
    )
    gaps = scored.loc[scored["is_gap"]].drop(columns="is_gap").reset_index(drop=True)
    recurring = _recurring(ds, scored)
    groups = _groups(ds, rows, gaps, day=day, since=start, program=program, dims=dims, sup=sup)
    largest = _largest(groups)

    totals = membership_totals(ds, day)
    totals_log: list[str] = []
    for key in ("sectors", "regions", "subregions", "global_south"):
        if key in totals:
            totals[key] = sup.counts(totals[key], f"totals.{key}", totals_log)
    if sup.small(totals["guests"]):
        totals["guests"] = None
        totals_log.append("totals.guests")
        sup.hidden += 1
    totals["committees"] = int(len(committees(ds, program=program)))
    window = events_in_window(ds, as_of=day, since=start, program=program)
    totals["events"] = len(window)
    attendance = ds.attendance.loc[ds.attendance["event_id"].isin(window["event_id"])]
    totals["attendance"] = len(attendance)
    totals["participants"] = int(attendance["partner_id"].nunique())
    seats = active_memberships(ds, day, program=program)
    totals["committee_seats"] = len(seats.drop_duplicates(["committee_id", "partner_id"]))
    totals["gaps"] = len(gaps)
    if totals_log:
        totals["suppressed"] = totals_log

    reach_dict = _reach_dict(ds, day, start, program, sup)
    card = scorecard(ds, as_of=day, since=start, program=program)
    programs = _programs(ds, groups, day=day, since=start, program=program, dims=dims, sup=sup)
    card_entries = _scorecard_entries(card.to_list(), sup)

    from analysis.network import network_summary

    network = network_summary(program_subset(ds, program), as_of=day, since=start, seed=seed)
    network_dict = network.to_dict()

    change_dict = None
    if start is not None:
        change_dict = _changes.changes(
            ds,
            since=start,
            as_of=day,
            program=program,
            dimensions=dims,
            threshold=threshold,
        ).to_dict()
        change_dict = _hide_changes(change_dict, sup)

    parameters = {
        "as_of": day.date().isoformat(),
        "since": None if start is None else start.date().isoformat(),
        "program": program,
        "min_cell": min_cell,
        "threshold": float(threshold),
        "seed": int(seed),
        "dimensions": dims,
    }
    method = {
        "window": "events with since < date <= as_of (since excluded, as_of included)",
        "committee_members": "memberships active on as_of (since <= d < until) of partners "
        "active on as_of; baseline: Partners active on as_of",
        "event_members": "everyone who attended (Partners and Guests); baseline: Partners "
        "active on the event's date",
        "expected_share": "baseline share, or the targets table's min_share where it has a row",
        "gap": f"category missing, or share / expected_share < {threshold}",
        "p_value": "exact hypergeometric P(X <= count) drawing the group's size from its "
        "baseline; binomial P(X <= count) with p = expected_share against a target or when the "
        "group is larger than its baseline",
        "shortfall": "smallest k >= 0 with (count + k) / (size + k) >= expected_share: members "
        "of the category the group would need to add",
        "recurring_gaps": "per program and kind of group, the rooms where a category is a gap; "
        "combined_p_value is Fisher's combination of every judged room's p-value",
        "programs": "per program: the scorecard shares over its recorded convenings, the "
        "Industry seat share of its committees on as_of, and the mean Blau of its rooms",
        "diversity": "Blau 1 - sum p^2, Shannon -sum p ln p (nats), normalised by k = categories "
        "in the group or its baseline",
        "network": network_dict.get("method", {}),
    }
    privacy = {
        "min_cell": min_cell,
        "suppressed_values": sup.hidden,
        "rule": None
        if min_cell is None
        else f"counts of organisations from 1 to {min_cell - 1} and the shares, ratios, p-values "
        "and shortfalls derived from them are shown as null",
        "network": "the network section lists organisations individually and is not suppressed",
    }
    return Report(
        as_of=day.date().isoformat(),
        parameters=parameters,
        totals=totals,
        groups=groups,
        reach=reach_dict,
        scorecard=card_entries,
        scorecard_summary=(
            _suppressed_summary(card_entries)
            if any("suppressed" in e for e in card_entries)
            else card.summary
        ),
        scorecard_trend=card.trend,
        programs=programs,
        network=network_dict,
        largest_gaps=largest,
        recurring_gaps=recurring,
        method=method,
        privacy=privacy,
        changes=change_dict,
        source=ds.source,
    )


def _groups(
    ds: Dataset,
    rows: pd.DataFrame,
    gaps: pd.DataFrame,
    *,
    day: pd.Timestamp,
    since: pd.Timestamp | None,
    program: str | None,
    dims: list[str],
    sup: _Suppressor,
) -> list[dict[str, Any]]:
    """One dict per committee and event, built from the long tables in a single pass each."""
    chosen = committees(ds, program=program)
    window = events_in_window(ds, as_of=day, since=since, program=program)
    sizes, guests = _head_counts(ds, day, since, program)

    compositions: dict[tuple[str, str], dict[str, dict[str, int]]] = {}
    present = rows.loc[rows["count"] > 0].copy()
    present = present.sort_values(
        ["kind", "group_id", "dimension", "count", "category"],
        ascending=[True, True, True, False, True],
        kind="mergesort",
    )
    for kind, gid, dim, cat, count in present[
        ["kind", "group_id", "dimension", "category", "count"]
    ].itertuples(index=False, name=None):
        compositions.setdefault((kind, gid), {}).setdefault(dim, {})[str(cat)] = int(count)
    dim_sizes = rows.groupby(["kind", "group_id", "dimension"])["size"].first().to_dict()

    indices = _diversity_table(rows)
    diversity: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
    for (kind, gid, dim), values in indices.to_dict("index").items():
        diversity.setdefault((kind, gid), {})[dim] = {k: float(v) for k, v in values.items()}

    gap_lists: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if len(gaps):
        objects = gaps_from_frame(gaps)
        for (kind, gid), gap in zip(
            gaps[["kind", "group_id"]].itertuples(index=False, name=None), objects, strict=True
        ):
            gap_lists.setdefault((kind, gid), []).append(_gap_dict(gap, kind))

    specs: list[tuple[str, str, str, str, str | None]] = [
        ("committee", str(r.committee_id), str(r.name), str(r.program), None)
        for r in chosen.itertuples(index=False)
    ]
    specs += [
        (
            "event",
            str(r.event_id),
            str(r.name),
            str(r.program),
            r.date.date().isoformat(),
        )
        for r in window.itertuples(index=False)
    ]
    event_extra = window.set_index("event_id")[["kind", "city", "country"]].to_dict("index")
    committee_kind = chosen.set_index("committee_id")["kind"].to_dict()
    out: list[dict[str, Any]] = []
    for kind, gid, name, prog, date in specs:
        key = (kind, gid)
        log: list[str] = []
        size = int(sizes.get(key, 0))
        comp = compositions.get(key, {})
        composition = {}
        shares = {}
        for dim in dims:
            counts = comp.get(dim, {})
            total = int(dim_sizes.get((kind, gid, dim), 0))
            shown = sup.counts(counts, f"composition.{dim}", log)
            composition[dim] = shown
            shares[dim] = {
                cat: (None if shown[cat] is None or total == 0 else counts[cat] / total)
                for cat in counts
            }
        entry: dict[str, Any] = {
            "kind": kind,
            "id": gid,
            "name": name,
            "program": prog,
            "date": date,
            "group_kind": committee_kind.get(gid, "")
            if kind == "committee"
            else event_extra.get(gid, {}).get("kind", ""),
            "size": size,
            "guests": int(guests.get(key, 0)),
            "composition": composition,
            "shares": shares,
            "diversity": diversity.get(key, {dim: _zero_indices() for dim in dims}),
            "gaps": [_hide_gap(g, sup, "gaps", log) for g in gap_lists.get(key, [])],
        }
        if kind == "event":
            extra = event_extra.get(gid, {})
            entry["city"] = str(extra.get("city", ""))
            entry["country"] = str(extra.get("country", ""))
        if sup.small(size):
            entry["size"] = None
            log.append("size")
            sup.hidden += 1
        if sup.small(entry["guests"]):
            entry["guests"] = None
            log.append("guests")
            sup.hidden += 1
        if log:
            entry["suppressed"] = log
        for dim in dims:
            entry["diversity"].setdefault(dim, _zero_indices())
        out.append(entry)
    return out


def _zero_indices() -> dict[str, float]:
    return {"blau": 0.0, "normalised_blau": 0.0, "shannon": 0.0, "evenness": 0.0}


def _head_counts(
    ds: Dataset, day: pd.Timestamp, since: pd.Timestamp | None, program: str | None
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Members and Guests per group, counted from the membership itself (not from labels)."""
    members = group_members(ds, day, since=since, program=program)
    kinds = ds.partners.set_index("partner_id")["membership"]
    members = members.assign(guest=members["partner_id"].map(kinds).eq(GUEST))
    size = members.groupby(["kind", "group_id"]).size()
    guests = members.loc[members["guest"]].groupby(["kind", "group_id"]).size()
    return (
        {(str(k), str(g)): int(v) for (k, g), v in size.items()},
        {(str(k), str(g)): int(v) for (k, g), v in guests.items()},
    )


def _recurring(ds: Dataset, scored: pd.DataFrame) -> list[dict[str, Any]]:
    """Categories short in room after room of one program (see :func:`recurring_gaps`)."""
    programs = pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": "committee",
                    "group_id": ds.committees["committee_id"],
                    "program": ds.committees["program"],
                }
            ),
            pd.DataFrame(
                {
                    "kind": "event",
                    "group_id": ds.events["event_id"],
                    "program": ds.events["program"],
                }
            ),
        ],
        ignore_index=True,
    )
    table = scored.merge(programs, on=["kind", "group_id"], how="left")
    table["program"] = table["program"].fillna("")
    found = recurring_gaps(table, by=("kind", "program"))
    out = []
    for r in found.head(RECURRING_GAPS).itertuples(index=False):
        label = _category_words(str(r.dimension), str(r.group))
        rooms = "committees" if r.kind == "committee" else "convenings"
        where = f"{r.program} {rooms}" if r.program else f"{rooms} outside any program"
        short = int(r.gaps) - int(r.missing)
        extra = f" and under-represented in {short} more" if short else ""
        out.append(
            {
                "kind": str(r.kind),
                "program": str(r.program),
                "dimension": str(r.dimension),
                "group": str(r.group),
                "rooms": int(r.rooms),
                "gaps": int(r.gaps),
                "missing": int(r.missing),
                "combined_p_value": float(r.combined_p_value),
                "sentence": f"{label} was missing from {int(r.missing)} of {int(r.rooms)} "
                f"{where}{extra} (combined p = {float(r.combined_p_value):.2g}).",
            }
        )
    return out


def _category_words(dimension: str, label: str) -> str:
    if dimension == "global_south":
        return {"True": "The Global South", "False": "The Global North"}.get(label, label)
    return label


def _largest(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The gaps that matter most across groups: missing first, then the most significant."""
    flat = []
    for group in groups:
        for gap in group["gaps"]:
            flat.append({"kind": group["kind"], "id": group["id"], "name": group["name"], **gap})

    def order(g: dict[str, Any]) -> tuple[Any, ...]:
        p = g["p_value"] if g["p_value"] is not None else 1.0
        short = g["shortfall"] if g["shortfall"] is not None else -1
        return (p, -short, g["kind"], g["id"], g["dimension"], g["group"])

    flat.sort(key=order)
    return flat[:LARGEST_GAPS]


def _reach_dict(
    ds: Dataset,
    day: pd.Timestamp,
    start: pd.Timestamp | None,
    program: str | None,
    sup: _Suppressor,
) -> dict[str, Any]:
    out = reach(ds, as_of=day, since=start, program=program).to_dict()
    if sup.min_cell is None:
        return out
    counted = ("participants", "partners", "guests", "first_time", "repeat", "global_south")
    derived = {"global_south": "global_south_share", "first_time": "first_time_share"}
    for section in [*out["years"], out["overall"]]:
        log: list[str] = []
        for key in counted:
            if key in section and sup.small(section[key]):
                section[key] = None
                log.append(key)
                sup.hidden += 1
                if key in derived:
                    section[derived[key]] = None
        section["participants_by_region"] = sup.counts(
            section.get("participants_by_region", {}), "participants_by_region", log
        )
        if log:
            section["suppressed"] = log
    if sup.small(len(out["inactive"])):
        out["inactive"] = []
        out["inactive_count"] = None
        out["inactive_suppressed"] = True
        sup.hidden += 1
    return out


def _programs(
    ds: Dataset,
    groups: list[dict[str, Any]],
    *,
    day: pd.Timestamp,
    since: pd.Timestamp | None,
    program: str | None,
    dims: list[str],
    sup: _Suppressor,
) -> list[dict[str, Any]]:
    """Programs side by side: the scorecard figures plus the mean Blau of their rooms."""
    rows = by_program(ds, as_of=day, since=since)
    if program is not None:
        rows = [r for r in rows if r["program"] == program]
    for row in rows:
        for kind, key in (("event", "event_blau"), ("committee", "committee_blau")):
            rooms = [
                g
                for g in groups
                if g["kind"] == kind and g["program"] == row["program"] and g["size"] != 0
            ]
            row[key] = {
                dim: (
                    sum(g["diversity"][dim]["blau"] for g in rooms) / len(rooms) if rooms else None
                )
                for dim in dims
            }
        row["gaps"] = sum(len(g["gaps"]) for g in groups if g["program"] == row["program"])
        if sup.small(row["seats"]):
            row["seats"] = row["industry_seat_share"] = None
            row["suppressed"] = ["seats", "industry_seat_share"]
            sup.hidden += 1
    return rows


def _hide_changes(ch: dict[str, Any], sup: _Suppressor) -> dict[str, Any]:
    """Under ``min_cell``: short lists of who joined or left, and small differences, hidden."""
    if sup.min_cell is None:
        return ch
    log: list[str] = []
    for key in ("new_partners", "departures"):
        if sup.small(len(ch[key])):
            ch[key] = []
            ch[f"{key}_count"] = None
            log.append(key)
            sup.hidden += 1
    totals = ch["totals"]
    for key in ("partners", "countries"):
        if sup.small(abs(totals[key])):
            totals[key] = None
            log.append(f"totals.{key}")
            sup.hidden += 1
    for key in ("sectors", "regions", "global_south"):
        shown = {k: v for k, v in totals[key].items()}
        for k, v in totals[key].items():
            if sup.small(abs(v)):
                shown[k] = None
                log.append(f"totals.{key}.{k}")
                sup.hidden += 1
        totals[key] = shown
    for side in ("before", "after"):
        for key in ("sectors", "regions"):
            totals[side][key] = sup.counts(totals[side][key], f"totals.{side}.{key}", log)
    if log:
        ch["suppressed"] = log
    return ch


def _scorecard_entries(entries: list[dict[str, Any]], sup: _Suppressor) -> list[dict[str, Any]]:
    if sup.min_cell is None:
        return entries
    for entry in entries:
        if sup.small(entry["industry_seats"]):
            entry["industry_seats"] = None
            entry["industry_seat_share"] = None
            entry["change"]["industry_seat_share"] = None
            entry["suppressed"] = ["industry_seats", "industry_seat_share"]
            sup.hidden += 1
            entry["summary"] = (
                f"In {entry['year']}, {entry['all_sectors']} of {entry['convenings']} convenings "
                f"had every sector in the room; {entry['global_south']} had Global South voices; "
                f"Industry's committee seats are below the minimum cell size."
            )
    return entries


def _suppressed_summary(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "No convenings in the period."
    return str(entries[-1]["summary"])
