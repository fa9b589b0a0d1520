"""The representation and reach report: one call, every section, a typed :class:`Report`.

:func:`build_report` gathers totals, per-group composition, diversity and gaps, reach, the
scorecard, the network and (with ``window.since``) what changed, into the frozen dataclasses of
:mod:`analysis.report_model`; :meth:`Report.to_dict` gives exactly the keys of DESIGN.md ("JSON
printed by report") plus ``parameters``, ``method``, ``largest_gaps``, ``scorecard_summary``,
``scorecard_trend``, ``privacy`` and ``changes``.

Scale: every committee and event is composed in one merge + groupby
(:func:`analysis.diversity.group_compositions`), baselines for all event dates come from one
binary search per category (:func:`analysis.snapshot.active_counts_on`), and gaps for all
groups are scored in one vectorised pass (:func:`analysis.gaps.find_gaps`).

Privacy: with ``min_cell`` every section passes :mod:`analysis.privacy` (primary and
complementary suppression, derived values hidden, no organisation listed); the ``privacy``
block states the rules and counts the hidden values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import labels
from analysis.dimensions import MULTI_VALUED_NOTE, multi_valued_columns
from analysis.diversity import group_members, group_unknowns, membership_totals, plural
from analysis.gaps import (
    DEFAULT_ALPHA,
    DEFAULT_DIMENSIONS,
    DEFAULT_MIN_ROOM,
    check_alpha,
    check_min_room,
    check_threshold,
    find_gaps,
    gaps_from_frame,
    group_gap_rows,
    ranked,
    recurring_gaps,
    room_status,
)
from analysis.gaps import Gap as ScoredGap
from analysis.privacy import Policy, Table, Tables, suppress_table, suppress_tables
from analysis.quality import DataQuality, data_quality
from analysis.report_model import (
    Gap,
    Group,
    Indices,
    Privacy,
    RankedGap,
    RecurringGap,
    Report,
    Totals,
)
from analysis.report_sections import (
    Ledger,
    changes_section,
    links_section,
    network_section,
    programs_section,
    reach_section,
    scorecard_section,
)
from analysis.snapshot import (
    active_memberships,
    committees,
    events_in_window,
    known_program,
    program_subset,
)
from core.model import GUEST, Dataset
from core.window import Window

__all__ = ["Report", "build_report", "program_subset"]

#: How many gaps the report lists as "largest" across all groups.
LARGEST_GAPS = 20
#: How many recurring gaps the report lists.
RECURRING_GAPS = 20

GroupKey = tuple[str, str]


def build_report(
    ds: Dataset,
    window: Window,
    *,
    min_cell: int | None = None,
    threshold: float = 0.8,
    seed: int = 0,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    min_room: int = DEFAULT_MIN_ROOM,
    alpha: float = DEFAULT_ALPHA,
) -> Report:
    """Build the representation and reach report of ``ds`` over ``window``.

    Parameters
    ----------
    ds : Dataset
    window : Window
        ``as_of`` is the day of the snapshot (committees, totals) and the last day of the event
        window; ``since`` (exclusive) also turns on the ``changes`` section; ``program`` limits
        every section to that program's committees and events (totals still count the whole
        membership). An unknown program is refused (:class:`core.errors.RequestError`).
    min_cell : int, optional
        Publish under :mod:`analysis.privacy` with this threshold; default off.
    threshold : float, default 0.8
        A category is a gap when ``share / expected_share`` is below it.
    seed : int, default 0
        Seeds the network analysis (community detection, sampled betweenness).
    dimensions : sequence of str, default ("sector", "region", "global_south")
        Partner columns for composition, diversity and gaps.
    min_room : int, default 5
        Rooms with fewer members are described, not tested (no gaps).
    alpha : float, default 0.05
        A gap is significant when its Benjamini–Hochberg q-value (over every test of the
        report) is at most this; headlines and ``largest_gaps`` count significant gaps only.

    Returns
    -------
    Report
    """
    policy = Policy(min_cell)
    _check_options(window, threshold, seed)
    check_min_room(min_room)
    check_alpha(alpha)
    known_program(ds, window.program)
    dims = list(dimensions)
    ledger = Ledger()
    rows = group_gap_rows(ds, window.as_of, dims, since=window.since, program=window.program)
    scored = find_gaps(
        rows, keys=("kind", "group_id"), targets=ds.targets, threshold=threshold, scored=True,
        min_room=min_room, alpha=alpha,
    )
    gaps = scored.loc[scored["is_gap"]].drop(columns="is_gap").reset_index(drop=True)
    gaps = _ranked_within_groups(gaps)
    facts = _GroupFacts.of(ds, window, rows, gaps, dims)
    groups = tuple(
        _group(spec, facts, dims, policy, ledger, min_room) for spec in _specs(ds, window)
    )
    significant = int(gaps["significant"].sum()) if len(gaps) else 0
    network = network_section(
        ds, program_subset(ds, window), window, seed=seed, policy=policy, ledger=ledger
    )
    card, card_summary, card_trend = scorecard_section(ds, window, policy, ledger)
    return Report(
        as_of=window.as_of.date().isoformat(),
        parameters=_parameters(window, min_cell, threshold, seed, dims, min_room, alpha),
        totals=_totals(ds, window, (significant, len(gaps), len(scored)), policy, ledger),
        groups=groups,
        reach=reach_section(ds, window, policy, ledger),
        scorecard=card,
        scorecard_summary=card_summary,
        scorecard_trend=card_trend,
        programs=programs_section(ds, window, groups, dims, policy, ledger),
        network=network,
        largest_gaps=_largest(groups, gaps),
        recurring_gaps=_recurring(ds, scored),
        method=_method(threshold, network.method, min_room, alpha, multi_valued_columns(ds.partners, dims)),
        privacy=_privacy(policy, ledger),
        changes=changes_section(
            ds, window, dims, {"threshold": threshold, "min_room": min_room, "alpha": alpha},
            policy, ledger,
        ),
        source=ds.source,
        links=links_section(ds, window, seed=seed, policy=policy, ledger=ledger),
        data_quality=_quality(ds, window, policy),
    )


def _quality(ds: Dataset, window: Window, policy: Policy) -> DataQuality:
    """The data-quality section; under min_cell small counts hidden and nothing listed."""
    found = data_quality(ds, as_of=window.as_of, since=window.since, program=window.program)
    if policy.min_cell is None:
        return found
    return found.published(policy.shown, ids=policy.organisation_rows_allowed)


def _ranked_within_groups(gaps: pd.DataFrame) -> pd.DataFrame:
    """Each group's gaps, significant first, then by head-count shortfall (or excess)."""
    if not len(gaps):
        return gaps
    head = gaps["excess"].where(gaps["direction"] == "over", gaps["shortfall"])
    order = gaps.assign(_sig=~gaps["significant"].astype(bool), _head=-head.fillna(0.0))
    order = order.sort_values(
        ["kind", "group_id", "_sig", "_head", "p_value", "dimension", "group"], kind="mergesort"
    )
    return order.drop(columns=["_sig", "_head"]).reset_index(drop=True)


def _check_options(window: Window, threshold: float, seed: int) -> None:
    if not isinstance(window, Window):
        raise ValueError(f"window must be a core.window.Window, got {type(window).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    check_threshold(threshold)


def _parameters(
    window: Window,
    min_cell: int | None,
    threshold: float,
    seed: int,
    dims: list[str],
    min_room: int,
    alpha: float,
) -> dict[str, Any]:
    return {
        **window.to_dict(),
        "min_cell": min_cell,
        "threshold": float(threshold),
        "seed": int(seed),
        "dimensions": dims,
        "min_room": int(min_room),
        "alpha": float(alpha),
    }


def _privacy(policy: Policy, ledger: Ledger) -> Privacy:
    network = (
        "the network section lists organisations individually and is not suppressed"
        if policy.organisation_rows_allowed
        else "the network section lists no organisation: nodes and bridges are left out; "
        f"communities and mixing rows of categories with fewer than {policy.min_cell} "
        "organisations are hidden"
    )
    return Privacy(
        min_cell=policy.min_cell,
        suppressed_values=ledger.hidden,
        rules=policy.to_dict(),
        network=network,
    )


def _method(
    threshold: float, network: Mapping[str, Any], min_room: int, alpha: float,
    multi: Sequence[str] = (),
) -> dict[str, Any]:
    extra = {"multi_valued_dimensions": {d: MULTI_VALUED_NOTE for d in multi}} if multi else {}
    return extra | {
        "window": "events with since < date <= as_of (since excluded, as_of included)",
        "committee_members": "memberships active on as_of (since <= d < until) of partners "
        "active on as_of; baseline: Partners active on as_of",
        "event_members": "everyone who attended (Partners and Guests); baseline: Partners "
        "active on the event's date",
        "expected_share": "baseline share, or the targets table's min_share where it has a row; "
        "for an over-representation gap, the targets table's max_share",
        "gap": f"category missing, or share / expected_share < {threshold}, or share above a "
        "target's max_share (direction over)",
        "rooms": f"a room with fewer than {min_room} members (with a known value in a "
        "dimension) is described, not tested; an empty room has null indices and no gaps",
        "p_value": "exact hypergeometric P(X <= count) drawing the group's size from its "
        "baseline; binomial P(X <= count) with p = expected_share against a target or when the "
        "group is larger than its baseline; over max_share: binomial P(X >= count)",
        "q_value": "Benjamini-Hochberg adjusted p-value over every test of the report (every "
        f"category of every tested room, gap or not); significant when q_value <= {alpha}",
        "headlines": "totals.gaps and largest_gaps count significant gaps only, ranked by "
        "head-count shortfall (or excess); totals.gaps_found counts every gap",
        "shortfall": "smallest k >= 0 with (count + k) / (size + k) >= expected_share: members "
        "of the category the group would need to add",
        "excess": "count - floor(max_share * size): members of the category above the maximum",
        "unknown": "partners without a country are Unknown in country, region, sub-region and "
        "Global South: in the group's size and the totals, outside those shares and baselines",
        "join_dates": "a partner without a join date counts from its first dated evidence "
        "(first_seen, a committee seat, an attendance) or, with none, from the latest dated "
        "fact in the data; see data_quality",
        "recurring_gaps": "per program and kind of group, the rooms where a category is a gap; "
        "combined_p_value is Fisher's combination of every judged room's p-value",
        "programs": "per program: the scorecard shares over its recorded convenings, the "
        "Industry seat share of its committees on as_of, and the mean Blau of its rooms",
        "diversity": "Blau 1 - sum p^2, Shannon -sum p ln p (nats), normalised by k = categories "
        "in the group or its baseline",
        "network": dict(network),
    }


# --- totals -----------------------------------------------------------------------------------


def _totals(
    ds: Dataset, window: Window, gaps: tuple[int, int, int], policy: Policy, ledger: Ledger
) -> Totals:
    """Partners active on as_of per dimension (suppressed as one family), and the window's size."""
    raw = membership_totals(ds, window.as_of)
    dims = [d for d in ("sector", "region", "subregion", "global_south") if plural(d) in raw]
    view = suppress_tables({d: raw[plural(d)] for d in dims}, raw["partners"], min_cell=policy.min_cell)
    log: list[str] = []
    for d in dims:
        log += [f"totals.{plural(d)}.{c}" for c in view.tables[d].hidden]
    guests = policy.shown(raw["guests"])
    if guests is None and raw["guests"]:
        log.append("totals.guests")
    diversity = {
        d: (Indices(**raw["diversity"][d]) if view.tables[d].complete else Indices.hidden())
        for d in raw["diversity"]
    }
    ledger.add(len(log) + int(view.total_hidden))
    events = events_in_window(ds, as_of=window.as_of, since=window.since, program=window.program)
    attendance = ds.attendance.loc[ds.attendance["event_id"].isin(events["event_id"])]
    seats = active_memberships(ds, window.as_of, program=window.program)
    return Totals(
        partners=view.total,
        guests=guests,
        countries=raw["countries"],
        categories={plural(d): dict(view.tables[d].counts) for d in dims},
        diversity=diversity,
        committees=int(len(committees(ds, program=window.program))),
        events=len(events),
        attendance=len(attendance),
        participants=int(attendance["partner_id"].nunique()),
        committee_seats=len(seats.drop_duplicates(["committee_id", "partner_id"])),
        gaps=gaps[0],
        gaps_found=gaps[1],
        tests=gaps[2],
        suppressed=tuple(log),
    )


# --- groups -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    kind: str
    id: str
    name: str
    program: str
    date: str | None
    group_kind: str
    city: str | None = None
    country: str | None = None


def _specs(ds: Dataset, window: Window) -> list[_Spec]:
    """Every committee of the window's program, then every event in the window, in order."""
    chosen = committees(ds, program=window.program)
    events = events_in_window(ds, as_of=window.as_of, since=window.since, program=window.program)
    out = [
        _Spec("committee", str(r.committee_id), str(r.name), str(r.program), None, str(r.kind))
        for r in chosen.itertuples(index=False)
    ]
    out += [
        _Spec(
            "event", str(r.event_id), str(r.name), str(r.program), r.date.date().isoformat(),
            str(r.kind), city=str(r.city), country=str(r.country),
        )
        for r in events.itertuples(index=False)
    ]
    return out


@dataclass(frozen=True)
class _GroupFacts:
    """What the report knows of every group, from the long tables in one pass each."""

    compositions: Mapping[GroupKey, Mapping[str, Mapping[str, int]]]
    baselines: Mapping[GroupKey, Mapping[str, Mapping[str, int]]]
    indices: Mapping[GroupKey, Mapping[str, Indices]]
    gaps: Mapping[GroupKey, list[ScoredGap]]
    sizes: Mapping[GroupKey, int]
    guests: Mapping[GroupKey, int]
    unknown: Mapping[GroupKey, Mapping[str, int]]

    @classmethod
    def of(
        cls, ds: Dataset, window: Window, rows: pd.DataFrame, gaps: pd.DataFrame,
        dims: Sequence[str],
    ) -> _GroupFacts:
        sizes, guests = _head_counts(ds, window)
        unknown: dict[GroupKey, dict[str, int]] = {}
        found = group_unknowns(
            ds, window.as_of, dims, since=window.since, program=window.program
        )
        for kind, gid, dim, n in found.itertuples(index=False, name=None):
            unknown.setdefault((str(kind), str(gid)), {})[str(dim)] = int(n)
        return cls(
            compositions=_long_to_nested(rows.loc[rows["count"] > 0], "count"),
            baselines=_long_to_nested(rows, "baseline_count", keep_order=False),
            indices=_indices(rows),
            gaps=_gap_objects(gaps),
            sizes=sizes,
            guests=guests,
            unknown=unknown,
        )


def _long_to_nested(
    rows: pd.DataFrame, column: str, *, keep_order: bool = True
) -> dict[GroupKey, dict[str, dict[str, int]]]:
    """``{(kind, id): {dimension: {category: value}}}``, largest first when ``keep_order``."""
    if keep_order:
        rows = rows.sort_values(
            ["kind", "group_id", "dimension", column, "category"],
            ascending=[True, True, True, False, True],
            kind="mergesort",
        )
    out: dict[GroupKey, dict[str, dict[str, int]]] = {}
    columns = ["kind", "group_id", "dimension", "category", column]
    for kind, gid, dim, cat, value in rows[columns].itertuples(index=False, name=None):
        out.setdefault((str(kind), str(gid)), {}).setdefault(str(dim), {})[str(cat)] = int(value)
    return out


def _gap_objects(gaps: pd.DataFrame) -> dict[GroupKey, list[ScoredGap]]:
    out: dict[GroupKey, list[ScoredGap]] = {}
    if not len(gaps):
        return out
    keys = gaps[["kind", "group_id"]].itertuples(index=False, name=None)
    for (kind, gid), gap in zip(keys, gaps_from_frame(gaps), strict=True):
        out.setdefault((str(kind), str(gid)), []).append(gap)
    return out


def _indices(rows: pd.DataFrame) -> dict[GroupKey, dict[str, Indices]]:
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
    out: dict[GroupKey, dict[str, Indices]] = {}
    for i, (kind, gid, dim) in enumerate(grouped.index):
        out.setdefault((str(kind), str(gid)), {})[str(dim)] = Indices(
            float(blau[i]), float(nblau[i]), float(shannon[i]), float(even[i])
        )
    return out


def _head_counts(
    ds: Dataset, window: Window
) -> tuple[dict[GroupKey, int], dict[GroupKey, int]]:
    """Members and Guests per group, counted from the membership itself (not from labels)."""
    members = group_members(ds, window.as_of, since=window.since, program=window.program)
    kinds = ds.partners.set_index("partner_id")["membership"]
    members = members.assign(guest=members["partner_id"].map(kinds).eq(GUEST))
    size = members.groupby(["kind", "group_id"]).size()
    guests = members.loc[members["guest"]].groupby(["kind", "group_id"]).size()
    return (
        {(str(k), str(g)): int(v) for (k, g), v in size.items()},
        {(str(k), str(g)): int(v) for (k, g), v in guests.items()},
    )


def _status(kind: str, size: int, min_room: int) -> tuple[str, str | None]:
    """The room's status and, when it was not tested, why (in words)."""
    status = room_status(size, min_room)
    if status == "empty":
        what = "no attendance recorded" if kind == "event" else "no member on the day"
        return status, f"{what}: nothing to compare, no gaps and no indices"
    if status == "too small":
        return status, f"fewer than {min_room} members: described, not tested for gaps"
    return status, None


def _group(
    spec: _Spec, facts: _GroupFacts, dims: list[str], policy: Policy, ledger: Ledger,
    min_room: int,
) -> Group:
    """One committee or event as published: suppressed as one family of tables."""
    key = (spec.kind, spec.id)
    size = int(facts.sizes.get(key, 0))
    status, note = _status(spec.kind, size, min_room)
    unknown = {d: policy.shown(n) for d, n in facts.unknown.get(key, {}).items()}
    comp = facts.compositions.get(key, {})
    view = suppress_tables({d: comp.get(d, {}) for d in dims}, size, min_cell=policy.min_cell)
    log = [f"composition.{d}.{c}" for d in dims for c in view.tables[d].hidden]
    if view.total_hidden:
        log.append("size")
    guests = policy.shown(int(facts.guests.get(key, 0)))
    if guests is None:
        log.append("guests")
    own = facts.indices.get(key, {})
    diversity = {
        d: (
            Indices.empty() if size == 0  # nobody in the room: no index, not "Blau 0"
            else own.get(d, Indices.zero()) if view.tables[d].complete
            else Indices.hidden()
        )
        for d in dims
    }
    log += [f"diversity.{d}" for d in dims if diversity[d].blau is None and size]
    noun = "participant" if spec.kind == "event" else "member"
    baselines = facts.baselines.get(key, {})
    published = [
        _publish_gap(g, view, _baseline_view(baselines, g.dimension, policy), noun, policy)
        for g in facts.gaps.get(key, [])
    ]
    log += [f"gaps.{g.dimension}.{g.group}" for g, hidden in published if hidden]
    ledger.add(len(log))
    return Group(
        kind=spec.kind, id=spec.id, name=spec.name, program=spec.program, date=spec.date,
        group_kind=spec.group_kind, size=view.total, guests=guests,
        composition={d: dict(view.tables[d].counts) for d in dims},
        shares={d: _shares(comp.get(d, {}), view.tables[d], size) for d in dims},
        diversity=diversity, gaps=tuple(g for g, _ in published), status=status,
        status_note=note, unknown=unknown, city=spec.city, country=spec.country,
        suppressed=tuple(log),
    )


def _shares(counts: Mapping[str, int], table: Table, size: int) -> dict[str, float | None]:
    return {
        cat: (None if shown is None or table.total is None or size == 0 else counts[cat] / size)
        for cat, shown in table.counts.items()
    }


def _baseline_view(
    baselines: Mapping[str, Mapping[str, int]], dimension: str, policy: Policy
) -> Table:
    counts = baselines.get(dimension, {})
    return suppress_table(counts, sum(counts.values()), min_cell=policy.min_cell)


@dataclass
class _Hide:
    """Which inputs of one gap are hidden."""

    count: bool = False
    size: bool = False
    baseline: bool = False
    fields: set[str] = field(default_factory=set)


def _publish_gap(
    gap: ScoredGap, view: Tables, baseline: Table, noun: str, policy: Policy
) -> tuple[Gap, bool]:
    """The gap with everything derived from a hidden count hidden; True when anything was."""
    hide = _Hide(
        count=gap.count > 0 and gap.group in view.tables[gap.dimension].hidden,
        size=view.total_hidden,
        baseline=baseline.total is None or (gap.baseline_count > 0 and gap.group in baseline.hidden),
    )
    derived = {"share", "ratio", "p_value", "q_value", "significant", "shortfall", "excess"}
    if hide.count:
        hide.fields |= {"count"} | derived
    if hide.size:
        hide.fields |= {"size"} | derived
    if hide.baseline:
        hide.fields |= {"baseline_count"}
        if baseline.total is None:
            hide.fields |= {"baseline_size"}
        if gap.basis == "baseline":
            hide.fields |= {"expected_share"} | (derived - {"share", "excess"})
    values = {name: getattr(gap, name) for name in _GAP_FIELDS}
    for name in hide.fields:
        values[name] = None
    sentence = gap.sentence(noun) if not hide.fields else _hidden_sentence(values, noun, policy)
    return Gap(**values, sentence=sentence), bool(hide.fields)


_GAP_FIELDS = (
    "dimension", "group", "count", "size", "share", "expected_share", "ratio", "missing",
    "p_value", "shortfall", "baseline_count", "baseline_size", "basis", "test", "direction",
    "excess", "q_value", "significant",
)


def _hidden_sentence(values: Mapping[str, Any], noun: str, policy: Policy) -> str:
    """The gap in words from its published values only (no hidden number, no hint of one)."""
    label = labels.category(values["dimension"], values["group"])
    if values["direction"] == "over":
        head = f"{label} is above the target's maximum"
        if values["count"] is None:
            return f"{head} (count hidden: minimum cell size {policy.min_cell})."
        return f"{head}: {values['count']} of {values['size']}."
    if values["missing"]:
        among = "" if values["size"] is None else f" among {values['size']}"
        head = f"No {label} {noun}{among}"
    elif values["count"] is None or values["share"] is None:
        head = f"{label} is under-represented (count hidden: minimum cell size {policy.min_cell})"
    else:
        head = f"{label}: {values['count']} of {values['size']} ({values['share']:.0%})"
    source = "the target" if values["basis"] == "target" else "the membership"
    expected = values["expected_share"]
    against = f", against {expected:.0%} in {source}" if expected is not None else ""
    more = "" if values["shortfall"] is None else f"; {values['shortfall']} more would reach it"
    p = "" if values["p_value"] is None else f" (p = {values['p_value']:.3g}, q = {values['q_value']:.3g})"
    return f"{head}{against}{more}{p}."


# --- gaps across groups -----------------------------------------------------------------------


def _largest(groups: Sequence[Group], gaps: pd.DataFrame) -> tuple[RankedGap, ...]:
    """The significant gaps across groups, largest head-count shortfall (or excess) first
    (:func:`analysis.gaps.ranked`), as published (a hidden gap keeps its place, not its
    numbers)."""
    published = {
        (g.kind, g.id, gap.dimension, gap.group, gap.direction): (g, gap)
        for g in groups
        for gap in g.gaps
    }
    top = ranked(gaps, limit=LARGEST_GAPS)
    out = []
    for key in top[["kind", "group_id", "dimension", "group", "direction"]].itertuples(
        index=False, name=None
    ):
        group, gap = published[tuple(str(k) for k in key)]  # type: ignore[index]
        out.append(RankedGap(group.kind, group.id, group.name, gap))
    return tuple(out)


def _recurring(ds: Dataset, scored: pd.DataFrame) -> tuple[RecurringGap, ...]:
    """Categories short in room after room of one program (see :func:`recurring_gaps`)."""
    programs = pd.concat(
        [
            pd.DataFrame({"kind": "committee", "group_id": ds.committees["committee_id"],
                          "program": ds.committees["program"]}),
            pd.DataFrame({"kind": "event", "group_id": ds.events["event_id"],
                          "program": ds.events["program"]}),
        ],
        ignore_index=True,
    )
    table = scored.merge(programs, on=["kind", "group_id"], how="left")
    table["program"] = table["program"].fillna("")
    found = recurring_gaps(table, by=("kind", "program"))
    out = []
    for r in found.head(RECURRING_GAPS).itertuples(index=False):
        rooms = "committees" if r.kind == "committee" else "convenings"
        where = f"{r.program} {rooms}" if r.program else f"{rooms} outside any program"
        short = int(r.gaps) - int(r.missing)
        extra = f" and under-represented in {short} more" if short else ""
        sentence = (
            f"{labels.subject(str(r.dimension), str(r.group))} was missing from {int(r.missing)} "
            f"of {int(r.rooms)} {where}{extra} (combined p = {float(r.combined_p_value):.2g})."
        )
        out.append(RecurringGap(
            kind=str(r.kind), program=str(r.program), dimension=str(r.dimension),
            group=str(r.group), rooms=int(r.rooms), gaps=int(r.gaps), missing=int(r.missing),
            combined_p_value=float(r.combined_p_value), sentence=sentence,
        ))
    return tuple(out)
