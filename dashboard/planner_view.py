"""What /planner shows: whom to invite so the room represents the membership, and what-if.

Pick an event in the data (upcoming ones included) or start a new convening from a date and a
draft list; get recommendations with reasons (:func:`analysis.planner.recommend`); tick and
untick them or add anyone else and watch the composition and gaps update
(:func:`analysis.planner.what_if`); export the invite list as CSV or XLSX.

The page's callbacks hand their inputs to :func:`recommend_for`, :func:`room_for` and
:func:`export_for`; the plain functions below them are what tests call directly. Under
``--min-cell`` the planner, which names organisations, is off: every entry point answers
:func:`off_note` and nothing else.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from analysis.planner import OBJECTIVE, recommend, what_if
from analysis.snapshot import active_partners
from core.model import GUEST, Dataset
from dashboard import ids
from dashboard.components import OKABE_ITO, empty_figure, percent, send_bytes
from dashboard.downloads import to_csv, to_xlsx
from dashboard.state import AppState, current_state

OFF_NOTE = ("The planner is off: this dashboard hides counts below {k} (--min-cell), and "
            "invite lists name organisations one by one.")

#: The objective every plan maximises, as the page states it.
OBJECTIVE_TEXT = OBJECTIVE

MODE_EVENT, MODE_NEW = "event", "new"
FLAG_FIRST_TIMERS, FLAG_GUESTS = "first-timers", "guests"
DIMENSIONS = {
    "sector": "Sector",
    "region": "Region",
    "global_south": "Global South",
    "country": "Country",
}
EXPORT_COLUMNS = ("partner_id", "name", "membership", "sector", "country", "region", "status",
                  "reasons")


# --- plain functions (the callbacks' bodies) ---------------------------------------------------


def event_options(ds: Dataset, today: _dt.date | None = None) -> list[dict[str, str]]:
    """Events newest first, labelled with date and name; future ones marked "upcoming"."""
    today = today or _dt.date.today()
    events = ds.events.sort_values(["date", "event_id"], ascending=[False, True], kind="mergesort")
    out = []
    for event_id, name, date in events[["event_id", "name", "date"]].itertuples(index=False):
        day = "undated" if pd.isna(date) else str(date.date())
        soon = " (upcoming)" if not pd.isna(date) and date.date() > today else ""
        out.append({"label": f"{day} · {name}{soon}", "value": str(event_id)})
    return out


def partner_options(ds: Dataset, ids: Sequence[str] | None = None) -> list[dict[str, str]]:
    """Dropdown options ``Name (sector, country)`` for partners (all, or ``ids``)."""
    frame = ds.partners if ids is None else ds.partners.loc[ds.partners["partner_id"].isin(ids)]
    frame = frame.sort_values(["name", "partner_id"], key=lambda s: s.str.casefold())
    out = []
    for row in frame.itertuples(index=False):
        guest = " · Guest" if row.membership == GUEST else ""
        out.append({"label": f"{row.name} ({row.sector}, {row.country}){guest}",
                    "value": str(row.partner_id)})
    return out


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def make_plan(
    ds: Dataset,
    *,
    mode: str,
    event_id: str | None,
    date: str | None,
    draft: Sequence[str] | None,
    size: Any,
    max_per_country: Any = None,
    max_per_sector: Any = None,
    flags: Sequence[str] = (FLAG_GUESTS,),
) -> dict[str, Any]:
    """The plan for the page's inputs: :meth:`analysis.planner.Plan.to_dict` and its warnings.

    ``size`` 0 evaluates the room (an event's attendees or the draft list) without
    recommending. Raises ``ValueError`` for inputs the page should explain.
    """
    if mode == MODE_EVENT and not event_id:
        raise ValueError("Choose an event first, or start a new convening.")
    if mode == MODE_NEW and not date:
        raise ValueError("A new convening needs a date.")
    size_value = _int_or_none(size)
    if size_value is None or size_value < 0:
        raise ValueError("Ask for 0 or more recommendations (0 evaluates the room as it is).")
    plan = recommend(
        ds,
        event_id=event_id if mode == MODE_EVENT else None,
        date=str(date)[:10] if mode == MODE_NEW else None,
        invited=list(draft or []) if mode == MODE_NEW else (),
        size=size_value,
        max_per_country=_int_or_none(max_per_country),
        max_per_sector=_int_or_none(max_per_sector),
        prefer_first_timers=FLAG_FIRST_TIMERS in (flags or ()),
        allow_guests=FLAG_GUESTS in (flags or ()),
    )
    # Warnings depend on the day (a past event), so the plan's JSON leaves them out.
    return {**plan.to_dict(), "warnings": list(plan.warnings)}


def pick_options(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """One checklist entry per pick, in order: name, its marginal gain, a Guest badge, reasons."""
    out = []
    for n, rec in enumerate(plan["recommendations"], start=1):
        badge = (
            [" ", dbc.Badge("Guest", color="warning", text_color="dark", className="ms-1")]
            if rec["membership"] == GUEST
            else []
        )
        label = html.Span(
            [
                html.Strong(f"{n}. {rec['name']}"),
                html.Span(f" ({rec['sector']}, {rec['country']})", className="text-muted"),
                dbc.Badge(f"gain +{rec['gain']:.2f}", color="light", text_color="dark",
                          className="ms-2 planner-gain"),
                *badge,
                html.Ul([html.Li(r) for r in rec["reasons"]], className="small mb-2"),
            ],
            className="planner-pick",
        )
        out.append({"label": label, "value": rec["partner_id"]})
    return out


def room_ids(plan: dict[str, Any], picked: Sequence[str] | None, added: Sequence[str] | None
             ) -> list[str]:
    """The room now: the people already there, the ticked picks and the added people."""
    out = [str(p) for p in plan["before"]["members"]]
    for pid in list(picked or []) + list(added or []):
        if pid not in out:
            out.append(pid)
    return out


def room_view(
    ds: Dataset,
    plan: dict[str, Any],
    picked: Sequence[str] | None,
    added: Sequence[str] | None,
    dimension: str = "sector",
) -> tuple[go.Figure, Any, Any]:
    """The what-if: chart before vs now for ``dimension``, a summary line and the gaps left."""
    now = what_if(ds, room_ids(plan, picked, added), plan["date"]).to_dict()
    before = plan["before"]
    return (
        composition_figure(before, now, dimension),
        summary_line(before, now),
        gap_list(now),
    )


def composition_figure(before: dict[str, Any], now: dict[str, Any], dimension: str) -> go.Figure:
    """Bars: each category's share of the room before and now, with the expected share."""
    labels = {"True": "Global South", "False": "Global North"} if dimension == "global_south" else {}
    expected = now.get("expected", {}).get(dimension, {})
    cats = list(dict.fromkeys(
        list(expected) + list(before["shares"].get(dimension, {})) + list(now["shares"].get(dimension, {}))
    ))
    if not cats:
        return empty_figure("Nobody in the room yet")
    cats.sort(key=lambda c: (-expected.get(c, 0.0), c))
    if dimension == "country" and len(cats) > 25:  # keep the chart readable: the 25 biggest
        cats = cats[:25]
    x = [labels.get(c, c) for c in cats]
    fig = go.Figure()
    for name, summary, colour in (("before", before, OKABE_ITO[1]), ("now", now, OKABE_ITO[4])):
        shares = summary["shares"].get(dimension, {})
        counts = summary["composition"].get(dimension, {})
        fig.add_bar(
            name=f"{name} ({summary['size']})", x=x, y=[shares.get(c, 0.0) for c in cats],
            marker_color=colour, customdata=[counts.get(c, 0) for c in cats],
            hovertemplate="%{x}: %{y:.0%} (%{customdata})<extra>" + name + "</extra>",
        )
    fig.add_scatter(
        name="membership / target", x=x, y=[expected.get(c, 0.0) for c in cats], mode="markers",
        marker={"symbol": "line-ew-open", "size": 28, "color": OKABE_ITO[5], "line": {"width": 3}},
        hovertemplate="%{x}: expected %{y:.0%}<extra></extra>",
    )
    fig.update_layout(
        barmode="group", template="plotly_white", height=340, yaxis_tickformat=".0%",
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.15, "yanchor": "top"},
        title={"text": f"{DIMENSIONS.get(dimension, dimension)}: share of the room", "x": 0},
    )
    return fig


def summary_line(before: dict[str, Any], now: dict[str, Any]) -> html.Ul:
    """Room size, diversity per dimension and the number of gaps, before → now."""
    items = [html.Li(f"People in the room: {before['size']} → {now['size']}",
                     id=ids.PL_SUMMARY_SIZE)]
    for dim, label in DIMENSIONS.items():
        if dim in now["diversity"]:
            b, a = before["diversity"][dim]["blau"], now["diversity"][dim]["blau"]
            items.append(html.Li(f"{label} diversity (Blau): {b:.2f} → {a:.2f}"))
    items.append(html.Li(f"Gaps: {len(before['gaps'])} → {len(now['gaps'])}"))
    return html.Ul(items, className="mb-0")


def _gap_text(gap: dict[str, Any]) -> str:
    label = gap["group"]
    if gap["dimension"] == "global_south":
        label = {"True": "Global South", "False": "Global North"}.get(label, label)
    source = "target" if gap.get("basis") == "target" else "membership"
    if gap["missing"]:
        return f"{label}: nobody in the room ({source}: {percent(gap['expected_share'])})"
    return (f"{label}: {gap['count']} of {gap['size']} ({percent(gap['share'])}; "
            f"{source}: {percent(gap['expected_share'])})")


def gap_list(now: dict[str, Any]) -> Any:
    """The gaps left in the room, grouped by dimension (countries summarised)."""
    if not now["gaps"]:
        return html.P("No gaps left against the membership or the targets.", className="mb-0")
    blocks = []
    for dim, label in DIMENSIONS.items():
        gaps = [g for g in now["gaps"] if g["dimension"] == dim]
        if not gaps:
            continue
        shown = gaps[:6]
        more = len(gaps) - len(shown)
        lines = [html.Li(_gap_text(g)) for g in shown]
        if more:
            lines.append(html.Li(f"and {more} more", className="text-muted"))
        blocks.append(html.Div([html.Strong(label), html.Ul(lines, className="small")]))
    return html.Div(blocks)


def invite_rows(
    ds: Dataset, plan: dict[str, Any], picked: Sequence[str] | None, added: Sequence[str] | None
) -> list[dict[str, str]]:
    """The invite list: the room (status "attending" / "draft"), ticked picks, added people."""
    partners = ds.partners.set_index("partner_id")
    reasons = {r["partner_id"]: "; ".join(r["reasons"]) for r in plan["recommendations"]}
    already = "attending" if plan["event_id"] else "draft list"
    status = {pid: already for pid in plan["before"]["members"]}
    for pid in picked or []:
        status.setdefault(pid, "recommended")
    for pid in added or []:
        status.setdefault(pid, "added")
    rows = []
    for pid, state in status.items():
        if pid not in partners.index:
            continue
        p = partners.loc[pid]
        rows.append({
            "partner_id": pid, "name": str(p["name"]), "membership": str(p["membership"]),
            "sector": str(p["sector"]), "country": str(p["country"]), "region": str(p["region"]),
            "status": state, "reasons": reasons.get(pid, "") if state == "recommended" else "",
        })
    order = {"recommended": 0, "added": 1, "attending": 2, "draft list": 2}
    rows.sort(key=lambda r: (order[r["status"]], r["name"].casefold(), r["partner_id"]))
    return rows


def invites_csv(rows: Sequence[Mapping[str, str]]) -> bytes:
    """The invite list as CSV; UTF-8 with BOM so Excel shows accented names correctly."""
    return to_csv(rows, EXPORT_COLUMNS).encode("utf-8-sig")


def invites_xlsx(rows: Sequence[Mapping[str, str]], *, title: str = "Invite list") -> bytes:
    """The invite list as an .xlsx in which every cell is text, never a formula."""
    return to_xlsx({title: (EXPORT_COLUMNS, rows)})


def export_invites(
    ds: Dataset,
    plan: dict[str, Any],
    picked: Sequence[str] | None,
    added: Sequence[str] | None,
    fmt: str,
) -> dict[str, Any]:
    """The ``dcc.Download`` payload of the invite list (``fmt`` "csv" or "xlsx")."""
    rows = invite_rows(ds, plan, picked, added)
    stem = f"invite-list-{plan['event_id'] or 'new'}-{plan['date']}"
    if fmt == "csv":
        return send_bytes(invites_csv(rows), f"{stem}.csv")
    if fmt == "xlsx":
        return send_bytes(invites_xlsx(rows), f"{stem}.xlsx")
    raise ValueError(f"fmt must be 'csv' or 'xlsx', got {fmt!r}")


def add_options(ds: Dataset, plan: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
    """Who can be added by hand: anyone active on the date not already in the room."""
    active = active_partners(ds, plan["date"], membership=None)["partner_id"]
    taken = set(plan["before"]["members"]) | {r["partner_id"] for r in plan["recommendations"]}
    return partner_options(ds, [p for p in active if p not in taken]), []


def plan_note(plan: dict[str, Any]) -> Any:
    n = len(plan["recommendations"])
    room = plan["before"]["size"]
    if plan["parameters"]["size"] == 0:
        text = f"The room of {room} on {plan['date']} as it is (nothing recommended)."
    else:
        text = f"{n} recommended for a room of {room} on {plan['date']}."
    notes = [f"Warning: {w}." for w in plan.get("warnings", [])]
    if plan.get("shortfall"):
        notes.append(f"Note: {plan['shortfall']}.")
    if notes:
        return dbc.Alert([html.Div(text), *[html.Div(x) for x in notes]], color="warning",
                         className="mb-0")
    return html.Div(text, className="text-muted")


def objective_view(plan: dict[str, Any]) -> html.Div:
    """The objective's value before and after, the picks' gains in order, and the proof."""
    o = plan["objective"]
    lines = [html.Li(f"Objective: {o['before']:.2f} before, {o['after']:.2f} after "
                     f"({o['seats']} seats)")]
    gains = [f"+{r['gain']:.2f}" for r in plan["recommendations"]]
    if gains:
        lines.append(html.Li("Marginal gain of each pick, in order: " + ", ".join(gains)))
    if o["optimum"] is not None:
        proof = ("the exact optimum (proven)" if o["proven_optimal"]
                 else f"at most {o['optimum']:.2f} (the exact solver's bound)")
        used = "; the exact picks are used" if plan["method"] == "exact" else ""
        lines.append(html.Li(f"Greedy {o['greedy']:.2f} against {proof}: gap "
                             f"{(o['gap'] or 0.0):.2f}{used}."))
    else:
        lines.append(html.Li(f"Greedy only ({o['bound']})."))
    return html.Div(html.Ul(lines, className="mb-0"))


def before_after_table(plan: dict[str, Any]) -> dbc.Table:
    """Head-counts in the room before and after the picks, by sector, region, Global South."""
    rows = []
    for dim in ("sector", "region", "global_south"):
        before = plan["before"]["composition"].get(dim, {})
        after = plan["after"]["composition"].get(dim, {})
        for n, group in enumerate(dict.fromkeys([*after, *before])):
            name = {"True": "Global South", "False": "Global North"}.get(group, group) \
                if dim == "global_south" else group
            rows.append(html.Tr([html.Td(DIMENSIONS[dim] if n == 0 else ""), html.Td(name),
                                 html.Td(f"{before.get(group, 0):g}", className="text-end"),
                                 html.Td(f"{after.get(group, 0):g}", className="text-end")]))
    head = html.Thead(html.Tr([html.Th("dimension"), html.Th("group"),
                               html.Th("before", className="text-end"),
                               html.Th("after", className="text-end")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="mb-0",
                     id=ids.PL_BEFORE_AFTER_TABLE)


def mode_controls(mode: str | None) -> tuple[bool, bool, bool]:
    """Which inputs are off: (event, date, draft) — an event brings its own date and room."""
    new = mode == MODE_NEW
    return new, not new, not new


# --- entry points of the page's callbacks ------------------------------------------------------


def off_note(state: AppState | None = None) -> str | None:
    """The sentence saying the page is off under ``--min-cell``; None when it is on."""
    state = state or current_state()
    return OFF_NOTE.format(k=state.min_cell) if state.aggregate_only else None


def layout_choices(state: AppState | None = None) -> dict[str, list[dict[str, str]]] | None:
    """The event and partner options of the controls (None when the page is off)."""
    state = state or current_state()
    if state.aggregate_only:
        return None
    ds = state.dataset()
    return {"event": event_options(ds), "partner": partner_options(ds)}


def recommend_for(mode: str | None, event_id: str | None, date: str | None,
                  draft: Sequence[str] | None, size: Any, max_country: Any, max_sector: Any,
                  flags: Sequence[str] | None, *, state: AppState | None = None
                  ) -> dict[str, Any]:
    """The plan for the page's inputs (cached); ``ValueError`` says what is missing."""
    state = state or current_state()
    if state.aggregate_only:
        raise ValueError(off_note(state))
    key = (mode, event_id, date, tuple(draft or ()), size, max_country, max_sector,
           tuple(sorted(flags or ())))
    return state.cached("planner", key, lambda d: make_plan(
        d, mode=mode or MODE_EVENT, event_id=event_id, date=date, draft=draft, size=size,
        max_per_country=max_country, max_per_sector=max_sector, flags=flags or ()))


def add_options_for(plan: dict[str, Any], *, state: AppState | None = None
                    ) -> tuple[list[dict[str, str]], list[str]]:
    """Who can be added by hand to ``plan``'s room (nobody when the page is off)."""
    state = state or current_state()
    if state.aggregate_only:
        return [], []
    return add_options(state.dataset(), plan)


def room_for(plan: dict[str, Any], picked: Sequence[str] | None, added: Sequence[str] | None,
             dimension: str | None, *, state: AppState | None = None
             ) -> tuple[go.Figure, Any, Any]:
    """The what-if of the room (cached); the off note when the page is off."""
    state = state or current_state()
    if state.aggregate_only:
        return empty_figure(off_note(state) or ""), None, None
    key = (plan["event_id"], plan["date"], tuple(plan["before"]["members"]),
           tuple(picked or ()), tuple(added or ()), dimension)
    return state.cached("planner-room", key,
                        lambda ds: room_view(ds, plan, picked, added, dimension or "sector"))


def export_for(plan: dict[str, Any], picked: Sequence[str] | None, added: Sequence[str] | None,
               fmt: str, *, state: AppState | None = None) -> dict[str, Any] | None:
    """The invite list download (None when the page is off: nothing to send)."""
    state = state or current_state()
    if state.aggregate_only:
        return None
    return export_invites(state.dataset(), plan, picked, added, fmt)
