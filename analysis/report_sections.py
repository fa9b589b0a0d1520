"""The report's sections beyond the groups, typed and published under :mod:`analysis.privacy`.

Each function runs one analysis over the window and returns its section of
:class:`analysis.report_model.Report`, with what the privacy policy hides set to ``None`` and
counted in the :class:`Ledger`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis import changes as _changes
from analysis.network import NetworkResult, links_summary, network_summary
from analysis.privacy import Policy, Tables, suppress_table, suppress_tables
from analysis.reach import reach
from analysis.report_model import (
    ChangeGap,
    Changes,
    ChangeTotals,
    Group,
    LinksSection,
    Membership,
    MostActive,
    NetworkSection,
    PartnerRef,
    ProgramRow,
    ReachPeriod,
    ReachSection,
    ScorecardYear,
)
from analysis.scorecard import by_program, scorecard, summarise, trend_of, year_sentence
from core.model import Dataset
from core.window import Window

__all__ = [
    "Ledger",
    "changes_section",
    "links_section",
    "network_section",
    "programs_section",
    "reach_section",
    "scorecard_section",
]


@dataclass
class Ledger:
    """How many values the publication hid (the ``privacy.suppressed_values`` figure)."""

    hidden: int = 0

    def add(self, count: int) -> None:
        self.hidden += int(count)


# --- reach ------------------------------------------------------------------------------------


def reach_section(ds: Dataset, window: Window, policy: Policy, ledger: Ledger) -> ReachSection:
    raw = reach(ds, as_of=window.as_of, since=window.since, program=window.program)
    count = policy.shown(len(raw.inactive))
    listed = policy.organisation_rows_allowed and count is not None
    if count is None:
        ledger.add(1)
    return ReachSection(
        as_of=raw.as_of,
        since=raw.since,
        program=raw.program,
        years=tuple(_period(y, policy, ledger) for y in raw.years),
        overall=_period(raw.overall, policy, ledger),
        inactive_count=count,
        inactive=tuple(PartnerRef(**p) for p in raw.inactive) if listed else (),
        method=dict(raw.method),
        inactive_suppressed=True if count is None else None,
    )


def _period(entry: Mapping[str, Any], policy: Policy, ledger: Ledger) -> ReachPeriod:
    """One year (or the whole window) of reach; the participant tables share one total."""
    year = entry.get("year")
    tables: dict[str, Mapping[str, int]] = {
        "membership": {"partners": entry["partners"], "guests": entry["guests"]},
        "region": entry["participants_by_region"],
    }
    if year is not None:
        tables["first"] = {"first_time": entry["first_time"], "repeat": entry["repeat"]}
    view = suppress_tables(tables, entry["participants"], min_cell=policy.min_cell)
    member, first = view.tables["membership"], view.tables.get("first")
    south = policy.shown(entry["global_south"])
    log = [k for t in view.tables.values() for k in t.hidden if t is not view.tables["region"]]
    log += [f"participants_by_region.{k}" for k in view.tables["region"].hidden]
    log += ["participants"] * view.total_hidden + ["global_south"] * (south is None)
    extra: dict[str, Any] = {}
    if first is not None:
        shown = first.counts["first_time"] is not None and view.total is not None
        extra = {
            "first_time": first.counts["first_time"],
            "repeat": first.counts["repeat"],
            "first_time_share": entry["first_time_share"] if shown else None,
        }
    else:
        extra = _overall_extra(entry, policy, log)
    ledger.add(len(log))
    return ReachPeriod(
        year=year, events=entry["events"], attendances=entry["attendances"],
        participants=view.total, partners=member.counts["partners"],
        guests=member.counts["guests"], countries=entry["countries"], regions=entry["regions"],
        participants_by_region=dict(view.tables["region"].counts), global_south=south,
        global_south_share=entry["global_south_share"] if south is not None else None,
        gini=entry["gini"], top_decile_share=entry["top_decile_share"],
        suppressed=tuple(log), **extra,
    )


def _overall_extra(entry: Mapping[str, Any], policy: Policy, log: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"gini_partners": entry["gini_partners"]}
    out["most_active"] = (
        tuple(MostActive(**p) for p in entry["most_active"])
        if policy.organisation_rows_allowed else ()
    )
    for key in ("active_partners", "attending_partners", "inactive"):
        out[key] = policy.shown(entry[key])
        if out[key] is None:
            log.append(key)
    return out


# --- scorecard and programs -------------------------------------------------------------------


def _seat_view(seats: int | None, industry: int | None, policy: Policy) -> Tables:
    """Industry's seats and the others', with the seats as their total."""
    total = int(seats or 0)
    held = int(industry or 0)
    return suppress_tables(
        {"seats": {"industry": held, "other": total - held}}, total, min_cell=policy.min_cell
    )


def scorecard_section(
    ds: Dataset, window: Window, policy: Policy, ledger: Ledger
) -> tuple[tuple[ScorecardYear, ...], str, dict[str, Any]]:
    """The scorecard per year, its summary and trend; hidden seat counts leave the words too."""
    card = scorecard(ds, as_of=window.as_of, since=window.since, program=window.program)
    entries = [dict(e) for e in card.entries]
    hidden_years: set[int] = set()
    for entry in entries:
        view = _seat_view(entry["seats"], entry["industry_seats"], policy)
        if view.hidden_values:
            hidden_years.add(entry["year"])
            entry["seats"] = view.total
            entry["industry_seats"] = view.tables["seats"].counts["industry"]
            entry["industry_seat_share"] = None
            entry["suppressed"] = ("industry_seats", "industry_seat_share")
            ledger.add(view.hidden_values)
    if not hidden_years:
        typed = tuple(ScorecardYear(**e) for e in entries)
        return typed, card.summary, dict(card.trend)
    previous: dict[str, Any] | None = None
    for entry in entries:
        entry["change"] = dict(entry["change"])
        if entry["year"] in hidden_years or (previous and previous["year"] in hidden_years):
            entry["change"]["industry_seat_share"] = None
            entry["summary"] = _hidden_seat_sentence(entry, previous, hidden_years, policy)
        previous = entry
    trend = trend_of(entries)
    return tuple(ScorecardYear(**e) for e in entries), summarise(entries, trend), trend


def _hidden_seat_sentence(
    entry: dict[str, Any], previous: dict[str, Any] | None, hidden: set[int], policy: Policy
) -> str:
    text = year_sentence(entry, previous)
    if entry["year"] in hidden:
        text = text.removesuffix("; no committee seats were filled.") + (
            f"; Industry's share of committee seats is hidden (minimum cell size "
            f"{policy.min_cell})."
        )
    return text


def programs_section(
    ds: Dataset,
    window: Window,
    groups: Sequence[Group],
    dims: Sequence[str],
    policy: Policy,
    ledger: Ledger,
) -> tuple[ProgramRow, ...]:
    """Programs side by side: the scorecard figures plus the mean Blau of their rooms."""
    rows = [r for r in by_program(ds, as_of=window.as_of, since=window.since)
            if window.matches_program(r["program"])]
    out = []
    for row in rows:
        rooms = [g for g in groups if g.program == row["program"]]
        blau = {kind: _mean_blau([g for g in rooms if g.kind == kind], dims)
                for kind in ("event", "committee")}
        seats, share = row["seats"], row["industry_seat_share"]
        view = _seat_view(seats, round((share or 0.0) * (seats or 0)), policy)
        suppressed: tuple[str, ...] = ()
        if view.hidden_values:
            seats, share = view.total, None
            suppressed = ("seats", "industry_seat_share") if seats is None else (
                "industry_seat_share",)
            ledger.add(view.hidden_values)
        out.append(ProgramRow(
            program=row["program"], convenings=row["convenings"], recorded=row["recorded"],
            all_sectors_share=row["all_sectors_share"],
            global_south_share=row["global_south_share"], mean_attendees=row["mean_attendees"],
            seats=seats, industry_seat_share=share, event_blau=blau["event"],
            committee_blau=blau["committee"],
            gaps=sum(1 for g in rooms for x in g.gaps if x.significant),
            suppressed=suppressed,
        ))
    return tuple(out)


def _mean_blau(rooms: Sequence[Group], dims: Sequence[str]) -> dict[str, float | None]:
    """Mean Blau of the rooms that hold anyone; hidden when any room's index is hidden."""
    held = [g for g in rooms if g.size != 0]
    out: dict[str, float | None] = {}
    for dim in dims:
        values = [g.diversity[dim].blau for g in held]
        known = [v for v in values if v is not None]
        out[dim] = sum(known) / len(known) if known and len(known) == len(values) else None
    return out


# --- network ----------------------------------------------------------------------------------


def network_section(
    ds: Dataset, subset: Dataset, window: Window, *, seed: int, policy: Policy, ledger: Ledger
) -> NetworkSection:
    """The co-participation network of the window's program; aggregates only under min_cell."""
    summary = network_summary(subset, as_of=window.as_of, since=window.since, seed=seed)
    return NetworkSection(**_network_fields(ds, summary, policy, ledger))


def links_section(
    ds: Dataset, window: Window, *, seed: int, policy: Policy, ledger: Ledger
) -> LinksSection | None:
    """The direct-links network on ``window.as_of``, as the co-participation section is
    published; ``None`` when the dataset has no links. Links belong to no program, so
    ``window.program`` does not narrow them."""
    if ds.links.empty:
        return None
    found = links_summary(ds, as_of=window.as_of, seed=seed)
    kinds: dict[str, int | None] = dict(found.kinds)
    if not policy.organisation_rows_allowed:
        view = suppress_table(found.kinds, found.links, min_cell=policy.min_cell)
        ledger.add(len(view.hidden))
        kinds = dict(view.counts)
    return LinksSection(**_network_fields(ds, found.network, policy, ledger),
                        links=found.links, kinds=kinds)


def _network_fields(ds: Dataset, summary: NetworkResult, policy: Policy, ledger: Ledger
                    ) -> dict[str, Any]:
    """The fields of a network section from a summary; aggregates only under min_cell."""
    data = summary.to_dict()
    communities: tuple[int | None, ...] = tuple(int(c) for c in data["communities"])
    mixing = data["mixing"]
    allowed = policy.organisation_rows_allowed
    if not allowed:
        ids = [n.partner_id for n in summary.nodes]
        mixing = _hide_small_mixing(ds, ids, mixing, policy, ledger)
        view = suppress_table({str(i): int(n) for i, n in enumerate(data["communities"])},
                              len(ids), min_cell=policy.min_cell)
        ledger.add(len(view.hidden))
        # Largest first, hidden ones last: their place in the list would rank them.
        communities = tuple(sorted(view.counts.values(), key=lambda n: (n is None, -(n or 0))))
    return {
        "as_of": data["as_of"], "since": data["since"], "method": data["method"],
        "nodes": summary.nodes if allowed else None, "edges": data["edges"],
        "communities": communities, "modularity": summary.modularity,
        "bridging": dict(summary.bridges) if allowed else None,
        "mixing": mixing, "organisations": len(summary.nodes),
    }


def _hide_small_mixing(
    ds: Dataset,
    ids: Sequence[str],
    mixing: Mapping[str, Mapping[str, Mapping[str, Any]]],
    policy: Policy,
    ledger: Ledger,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Rows and columns of categories held by fewer than min_cell organisations, hidden."""
    partners = ds.partners.set_index("partner_id")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for attribute, matrix in mixing.items():
        held = partners.loc[partners.index.isin(ids), attribute].astype(str).value_counts()
        small = {c for c in matrix if policy.small(int(held.get(c, 0)))}
        out[attribute] = {
            r: {c: (None if r in small or c in small else v) for c, v in row.items()}
            for r, row in matrix.items()
        }
        ledger.add(len(small))
    return out


# --- changes ----------------------------------------------------------------------------------


def changes_section(
    ds: Dataset,
    window: Window,
    dims: Sequence[str],
    options: Mapping[str, Any],
    policy: Policy,
    ledger: Ledger,
) -> Changes | None:
    """What changed from ``since`` to ``as_of``; no organisation named under min_cell.

    ``options`` are the gap options (threshold, min_room, alpha) of the report."""
    if window.since is None:
        return None
    raw = _changes.changes(ds, since=window.since, as_of=window.as_of, program=window.program,
                           dimensions=dims, **options)
    log: list[str] = []
    counts = {}
    for key in ("new_partners", "departures"):
        people = getattr(raw, key)
        counts[key] = policy.shown(len(people))
        if counts[key] is None:
            log.append(key)
    listed = {
        key: tuple(PartnerRef(**p) for p in getattr(raw, key))
        if policy.organisation_rows_allowed and counts[key] is not None else ()
        for key in counts
    }
    totals = _change_totals(raw.totals, policy, log)
    ledger.add(len(log))
    return Changes(
        since=raw.since, as_of=raw.as_of, program=raw.program,
        new_partners_count=counts["new_partners"], new_partners=listed["new_partners"],
        departures_count=counts["departures"], departures=listed["departures"], totals=totals,
        gaps_opened=tuple(_change_gap(g, policy) for g in raw.gaps_opened),
        gaps_closed=tuple(_change_gap(g, policy) for g in raw.gaps_closed),
        gaps_persisting=raw.gaps_persisting, events=raw.events, method=dict(raw.method),
        suppressed=tuple(log),
    )


def _change_totals(totals: Mapping[str, Any], policy: Policy, log: list[str]) -> ChangeTotals:
    """Before and after suppressed as tables; a difference hidden when small or either side is."""
    sides: dict[str, Membership] = {}
    hidden: dict[str, set[str]] = {}
    # Every dimension's table (sectors, regions, subregions, global_south, ...) on both days.
    tables = [k for k in totals["after"] if k not in ("partners", "countries")]
    for side in ("before", "after"):
        t = totals[side]
        view = suppress_tables({k: t[k] for k in tables}, t["partners"],
                               min_cell=policy.min_cell)
        sides[side] = Membership(
            partners=view.total, countries=t["countries"],
            categories={k: dict(view.tables[k].counts) for k in tables},
        )
        for k in tables:
            hidden.setdefault(k, set()).update(view.tables[k].hidden)
            log += [f"totals.{side}.{k}.{c}" for c in view.tables[k].hidden]
    shown: dict[str, Any] = {}
    for key in ("partners", "countries"):
        shown[key] = None if policy.small(totals[key]) else totals[key]
        if shown[key] is None:
            log.append(f"totals.{key}")
    differences: dict[str, dict[str, int | None]] = {}
    for key in tables:
        differences[key] = {}
        for cat, value in totals[key].items():
            hide = policy.small(value) or cat in hidden[key]
            differences[key][cat] = None if hide else value
            if hide:
                log.append(f"totals.{key}.{cat}")
    return ChangeTotals(
        before=sides["before"], after=sides["after"], partners=shown["partners"],
        countries=shown["countries"], differences=differences,
    )


def _change_gap(gap: Mapping[str, Any], policy: Policy) -> ChangeGap:
    count_hidden = policy.small(gap["count"])
    size = policy.shown(gap["size"])
    tested = not count_hidden and size is not None  # the tests derive from both counts
    return ChangeGap(
        committee_id=gap["committee_id"], name=gap["name"], dimension=gap["dimension"],
        group=gap["group"], count=None if count_hidden else gap["count"],
        size=size, ratio=None if count_hidden else gap["ratio"],
        missing=gap["missing"], direction=gap["direction"],
        p_value=gap["p_value"] if tested else None,
        q_value=gap["q_value"] if tested else None,
        significant=gap["significant"] if tested else None,
    )
