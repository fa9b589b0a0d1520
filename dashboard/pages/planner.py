"""``/planner``: whom to invite so the room represents the membership, with reasons and what-if.

Pick an event in the data (upcoming ones included) or start a new convening from a date and a
draft list; get recommendations with reasons (:func:`analysis.planner.recommend`); tick and
untick them or add anyone else and watch the composition and gaps update
(:func:`analysis.planner.what_if`); export the invite list as CSV or XLSX.

The callbacks are thin: each ``_on_*`` function only finds the dataset and hands the inputs to a
plain function here (``make_plan``, ``room_view``, ``export_invites``...) that tests call
directly.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from analysis.planner import recommend, what_if
from analysis.snapshot import active_partners
from core.model import GUEST, Dataset
from dashboard.app import app_state
from dashboard.components import OKABE_ITO, PLOT_CONFIG, empty_figure, percent, section

dash.register_page(__name__, path="/planner", name="Planner", title="Planner · Stakeholder Graph")

# --- component ids (this page's own; prefixed so they never clash with another page) ----------
PL_MODE = "planner-mode"
PL_EVENT = "planner-event"
PL_DATE = "planner-date"
PL_DRAFT = "planner-draft"
PL_SIZE = "planner-size"
PL_MAX_COUNTRY = "planner-max-country"
PL_MAX_SECTOR = "planner-max-sector"
PL_FLAGS = "planner-flags"
PL_RUN = "planner-run"
PL_NOTE = "planner-note"
PL_PLAN = "planner-plan"
PL_PICKS = "planner-picks"
PL_ADD = "planner-add"
PL_DIMENSION = "planner-dimension"
PL_CHART = "planner-chart"
PL_SUMMARY = "planner-summary"
PL_GAPS = "planner-gaps"
PL_CSV = "planner-csv"
PL_XLSX = "planner-xlsx"
PL_DOWNLOAD = "planner-download"

MODE_EVENT, MODE_NEW = "event", "new"
FLAG_FIRST_TIMERS, FLAG_GUESTS = "first-timers", "guests"
DIMENSIONS = {
    "sector": "Sector",
    "region": "Region",
    "global_south": "Global South",
    "country": "Country",
}
#: A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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
    """The plan for the page's inputs, as :meth:`analysis.planner.Plan.to_dict`.

    Raises ``ValueError`` for inputs the page should explain (no event chosen, no date).
    """
    if mode == MODE_EVENT and not event_id:
        raise ValueError("Choose an event first, or start a new convening.")
    if mode == MODE_NEW and not date:
        raise ValueError("A new convening needs a date.")
    size_value = _int_or_none(size)
    if size_value is None or size_value < 1:
        raise ValueError("Ask for at least one recommendation.")
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
    return plan.to_dict()


def pick_options(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """One checklist entry per recommendation: name, a Guest badge, score and the reasons."""
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
                *badge,
                html.Ul([html.Li(r) for r in rec["reasons"]], className="small mb-2"),
            ],
            className="planner-pick",
        )
        out.append({"label": label, "value": rec["partner_id"]})
    return out


def room_ids(plan: dict[str, Any], picked: Sequence[str] | None, added: Sequence[str] | None):
    """The room now: the people already there, the ticked picks and the added people."""
    out = list(plan["before"]["members"])
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
                     id="planner-summary-size")]
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


def safe_csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ tab CR gets a ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def invites_csv(rows: Sequence[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([safe_csv_cell(row.get(c, "")) for c in EXPORT_COLUMNS])
    # UTF-8 with BOM so Excel shows accented names correctly
    return buffer.getvalue().encode("utf-8-sig")


def invites_xlsx(rows: Sequence[dict[str, str]], *, title: str = "Invite list") -> bytes:
    """An .xlsx of the invite list in which every cell is text, never a formula."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for r, values in enumerate([list(EXPORT_COLUMNS)] + [[row.get(c, "") for c in EXPORT_COLUMNS]
                                                        for row in rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = str(value)
            # openpyxl reads a leading "=" as a formula; the data type "s" keeps it plain text
            cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
        return dcc.send_bytes(invites_csv(rows), f"{stem}.csv")
    if fmt == "xlsx":
        return dcc.send_bytes(invites_xlsx(rows), f"{stem}.xlsx")
    raise ValueError(f"fmt must be 'csv' or 'xlsx', got {fmt!r}")


# --- layout ------------------------------------------------------------------------------------


def _controls(ds: Dataset) -> dbc.Card:
    return section(
        "Plan a convening",
        [
            dbc.RadioItems(
                id=PL_MODE,
                options=[{"label": "An event in the data", "value": MODE_EVENT},
                         {"label": "A new convening", "value": MODE_NEW}],
                value=MODE_EVENT, inline=True, className="mb-2",
            ),
            html.Div(
                [dbc.Label("Event", html_for=PL_EVENT),
                 dcc.Dropdown(id=PL_EVENT, options=event_options(ds), placeholder="Pick an event")],
                className="mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Date (new convening)", html_for=PL_DATE),
                             dcc.DatePickerSingle(id=PL_DATE, display_format="YYYY-MM-DD",
                                                  date=str(_dt.date.today()))], md=4),
                    dbc.Col([dbc.Label("Draft invite list", html_for=PL_DRAFT),
                             dcc.Dropdown(id=PL_DRAFT, options=partner_options(ds), multi=True,
                                          placeholder="People already invited")], md=8),
                ],
                className="mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("How many", html_for=PL_SIZE),
                             dbc.Input(id=PL_SIZE, type="number", min=1, step=1, value=5)], md=2),
                    dbc.Col([dbc.Label("Max per country", html_for=PL_MAX_COUNTRY),
                             dbc.Input(id=PL_MAX_COUNTRY, type="number", min=1, step=1)], md=3),
                    dbc.Col([dbc.Label("Max per sector", html_for=PL_MAX_SECTOR),
                             dbc.Input(id=PL_MAX_SECTOR, type="number", min=1, step=1)], md=3),
                    dbc.Col(dbc.Checklist(
                        id=PL_FLAGS,
                        options=[{"label": "Prefer first-timers", "value": FLAG_FIRST_TIMERS},
                                 {"label": "Suggest Guests when no Partner fits",
                                  "value": FLAG_GUESTS}],
                        value=[FLAG_GUESTS],
                    ), md=4),
                ],
                className="mb-2",
            ),
            dbc.Button("Recommend", id=PL_RUN, color="primary"),
            html.Div(id=PL_NOTE, className="mt-2"),
        ],
        subtitle="Invitees are chosen one by one, each the one who most improves the room.",
    )


def layout(**_: Any) -> Any:
    ds = app_state().dataset()
    return html.Div(
        [
            html.H2("Planner"),
            _controls(ds),
            dcc.Store(id=PL_PLAN),
            dbc.Row(
                [
                    dbc.Col(section(
                        "Recommended invitees",
                        [
                            dcc.Checklist(id=PL_PICKS, options=[], value=[],
                                          inputClassName="me-2", labelClassName="d-block"),
                            dbc.Label("Add someone else", html_for=PL_ADD, className="mt-2"),
                            dcc.Dropdown(id=PL_ADD, options=[], multi=True,
                                         placeholder="Anyone active on the date"),
                            html.Div(
                                [dbc.Button("Export CSV", id=PL_CSV, color="secondary",
                                            className="me-2", disabled=True),
                                 dbc.Button("Export XLSX", id=PL_XLSX, color="secondary",
                                            disabled=True),
                                 dcc.Download(id=PL_DOWNLOAD)],
                                className="mt-3",
                            ),
                        ],
                        subtitle="Untick to drop someone; the room below updates.",
                    ), md=5),
                    dbc.Col(section(
                        "The room",
                        [
                            dbc.RadioItems(id=PL_DIMENSION, inline=True, value="sector",
                                           options=[{"label": v, "value": k}
                                                    for k, v in DIMENSIONS.items()]),
                            dcc.Graph(id=PL_CHART, config=PLOT_CONFIG,  # type: ignore[arg-type]
                                      figure=empty_figure("Pick an event and press Recommend")),
                            html.Div(id=PL_SUMMARY, className="mb-2"),
                            html.Div(id=PL_GAPS),
                        ],
                    ), md=7),
                ]
            ),
        ]
    )


# --- callbacks (thin) --------------------------------------------------------------------------


@callback(
    Output(PL_PLAN, "data"),
    Output(PL_PICKS, "options"),
    Output(PL_PICKS, "value"),
    Output(PL_ADD, "options"),
    Output(PL_ADD, "value"),
    Output(PL_NOTE, "children"),
    Output(PL_CSV, "disabled"),
    Output(PL_XLSX, "disabled"),
    Input(PL_RUN, "n_clicks"),
    State(PL_MODE, "value"),
    State(PL_EVENT, "value"),
    State(PL_DATE, "date"),
    State(PL_DRAFT, "value"),
    State(PL_SIZE, "value"),
    State(PL_MAX_COUNTRY, "value"),
    State(PL_MAX_SECTOR, "value"),
    State(PL_FLAGS, "value"),
    prevent_initial_call=True,
)
def _on_recommend(_clicks, mode, event_id, date, draft, size, max_country, max_sector, flags):
    state = app_state()
    ds = state.dataset()
    try:
        plan = state.cached(
            "planner",
            (mode, event_id, date, tuple(draft or ()), size, max_country, max_sector,
             tuple(sorted(flags or ()))),
            lambda d: make_plan(d, mode=mode, event_id=event_id, date=date, draft=draft,
                                size=size, max_per_country=max_country,
                                max_per_sector=max_sector, flags=flags or ()),
        )
    except ValueError as err:  # the inputs are incomplete: say what is missing
        note = dbc.Alert(str(err), color="info", className="mb-0")
        return None, [], [], [], [], note, True, True
    return (plan, pick_options(plan), [r["partner_id"] for r in plan["recommendations"]],
            *add_options(ds, plan), plan_note(plan), False, False)


def add_options(ds: Dataset, plan: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
    """Who can be added by hand: anyone active on the date not already in the room."""
    active = active_partners(ds, plan["date"], membership=None)["partner_id"]
    taken = set(plan["before"]["members"]) | {r["partner_id"] for r in plan["recommendations"]}
    return partner_options(ds, [p for p in active if p not in taken]), []


def plan_note(plan: dict[str, Any]) -> Any:
    n = len(plan["recommendations"])
    text = f"{n} recommended for a room of {plan['before']['size']} on {plan['date']}."
    if plan.get("shortfall"):
        return dbc.Alert(f"{text} Note: {plan['shortfall']}.", color="warning", className="mb-0")
    return html.Div(text, className="text-muted")


def mode_controls(mode: str | None) -> tuple[bool, bool, bool]:
    """Which inputs are off: (event, date, draft) — an event brings its own date and room."""
    new = mode == MODE_NEW
    return new, not new, not new


@callback(
    Output(PL_EVENT, "disabled"),
    Output(PL_DATE, "disabled"),
    Output(PL_DRAFT, "disabled"),
    Input(PL_MODE, "value"),
)
def _on_mode(mode):
    return mode_controls(mode)


@callback(
    Output(PL_CHART, "figure"),
    Output(PL_SUMMARY, "children"),
    Output(PL_GAPS, "children"),
    Input(PL_PLAN, "data"),
    Input(PL_PICKS, "value"),
    Input(PL_ADD, "value"),
    Input(PL_DIMENSION, "value"),
    prevent_initial_call=True,
)
def _on_room_change(plan, picked, added, dimension):
    if not plan:
        return empty_figure("Pick an event and press Recommend"), None, None
    state = app_state()
    return state.cached(
        "planner-room",
        (plan["event_id"], plan["date"], tuple(plan["before"]["members"]),
         tuple(picked or ()), tuple(added or ()), dimension),
        lambda ds: room_view(ds, plan, picked, added, dimension or "sector"),
    )


@callback(
    Output(PL_DOWNLOAD, "data"),
    Input(PL_CSV, "n_clicks"),
    Input(PL_XLSX, "n_clicks"),
    State(PL_PLAN, "data"),
    State(PL_PICKS, "value"),
    State(PL_ADD, "value"),
    prevent_initial_call=True,
)
def _on_export(_csv, _xlsx, plan, picked, added):
    if not plan:
        return dash.no_update
    fmt = "xlsx" if dash.ctx.triggered_id == PL_XLSX else "csv"
    return export_invites(app_state().dataset(), plan, picked, added, fmt)
