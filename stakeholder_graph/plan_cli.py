"""``stakeholder-graph plan``: recommended invitees for a convening, with reasons.

Mounted by :mod:`stakeholder_graph.cli` as ``app.command("plan")(plan)``. Errors follow the
CLI's rules: an unknown event or partner id is a :class:`RequestError` (exit 1, every id
named); a malformed option is a usage error (exit 2); ``--min-cell`` is refused (exit 1): a
plan lists organisations, which the privacy rule keeps out of every output under
``--min-cell``. ``--size 0`` evaluates a room (a draft list) without recommending.
"""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# typer 0.29 ships its own copy of click; its exceptions are the ones the app raises.
from typer._click.exceptions import BadParameter

from core.errors import RequestError

if TYPE_CHECKING:  # the CLI loads pandas and the analysis only when a command runs
    from rich.console import Console
    from rich.table import Table

    from analysis.planner import Plan
    from core.model import Dataset

#: EVENT_ID values that mean "a convening not in the data yet" (then --date is required).
NEW_EVENT = ("new", "-")


class PlanFormat(StrEnum):
    json = "json"
    table = "table"


def read_id_list(value: str | None, option: str) -> list[str]:
    """A comma list (``p01,p02``) or ``@file.csv`` with a ``partner_id`` column.

    >>> read_id_list(" p01, p02 ,,p01", "--invited")
    ['p01', 'p02']
    """
    if value is None or not value.strip():
        return []
    text = value.strip()
    if not text.startswith("@"):
        return list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    path = Path(text[1:])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadParameter(f"cannot read {path}: {exc.strerror or exc}", param_hint=option) from None
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(content))
    header = next(reader, [])
    names = [h.strip().casefold() for h in header]
    if "partner_id" not in names:
        raise RequestError(f"{path}:1: partner_id: the invite list needs a partner_id column")
    col = names.index("partner_id")
    ids = [row[col].strip() for row in reader if len(row) > col and row[col].strip()]
    return list(dict.fromkeys(ids))


def parse_weights(value: str | None) -> dict[str, float] | None:
    """``sector=1,region=2`` as a dict; ``None`` for the planner's defaults.

    >>> parse_weights("sector=1, country=0.5")
    {'sector': 1.0, 'country': 0.5}
    """
    if value is None or not value.strip():
        return None
    out: dict[str, float] = {}
    for part in value.split(","):
        name, sep, number = part.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            out[name.strip()] = float(number)
        except ValueError:
            raise BadParameter(
                f"expected DIMENSION=WEIGHT pairs like sector=1,region=1, got {part.strip()!r}",
                param_hint="--weights",
            ) from None
    return out


_HIDE = {"show_default": False}
EventArg = Annotated[str | None, typer.Argument(
    help="The event to plan for; 'new' (or omit it) for a convening not in the data yet, "
    "with --date and --invited.", **_HIDE)]
SourceArg = Annotated[Path | None, typer.Argument(
    help="Dataset: a folder of CSV files or an .xlsx workbook ('demo' / 'pai' for the "
    "bundled ones). Omit it to read the Neo4j named by --neo4j or NEO4J_URI.", **_HIDE)]
SizeOpt = Annotated[int, typer.Option(
    "--size", "-n", min=0, help="How many to recommend; 0 evaluates the room (e.g. a draft "
    "list given with --invited) without recommending.")]
FormatOpt = Annotated[PlanFormat, typer.Option("--format", help="Output format.")]
DateOpt = Annotated[str | None, typer.Option(
    help="Date of the convening (YYYY-MM-DD); needed for a new one.", **_HIDE)]
InvitedOpt = Annotated[str | None, typer.Option(
    help="Draft invite list: p01,p02 or @file.csv with a partner_id column.", **_HIDE)]
IncludeOpt = Annotated[str | None, typer.Option(
    help="Always recommend these partners first (comma list or @file.csv).", **_HIDE)]
ExcludeOpt = Annotated[str | None, typer.Option(
    help="Never recommend these partners (comma list or @file.csv).", **_HIDE)]
CountryCapOpt = Annotated[int | None, typer.Option(
    min=1, help="At most K in the room from one country.", **_HIDE)]
SectorCapOpt = Annotated[int | None, typer.Option(
    min=1, help="At most K in the room from one sector.", **_HIDE)]
FirstTimersOpt = Annotated[bool, typer.Option(
    "--prefer-first-timers", help="Count never having attended as a relevance point.")]
GuestsOpt = Annotated[bool, typer.Option(
    "--guests/--no-guests", help="Suggest Guests for gaps no active Partner can close.")]
WeightsOpt = Annotated[str | None, typer.Option(
    help="Gap weights per dimension, e.g. sector=1,region=1,global_south=1 (the default); "
    "0 switches one off.", **_HIDE)]
FatigueOpt = Annotated[int, typer.Option(
    "--fatigue-window", min=0, help="Days of attendance that count as recent (fewer recent "
    "attendances win ties).")]
ProgramOpt = Annotated[str | None, typer.Option(
    help="Program of a new convening (its gap history); an event brings its own.", **_HIDE)]
MinCellOpt = Annotated[int | None, typer.Option(
    "--min-cell", min=1, help="The report's privacy threshold: a plan lists organisations, "
    "so plan refuses to run under it.", **_HIDE)]
Neo4jOpt = Annotated[str | None, typer.Option(
    "--neo4j", help="Neo4j URI (default: NEO4J_URI).", **_HIDE)]


def plan(
    event_id: EventArg = None,
    source: SourceArg = None,
    size: SizeOpt = 5,
    fmt: FormatOpt = PlanFormat.json,
    date: DateOpt = None,
    invited: InvitedOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    max_per_country: CountryCapOpt = None,
    max_per_sector: SectorCapOpt = None,
    prefer_first_timers: FirstTimersOpt = False,
    guests: GuestsOpt = True,
    weights: WeightsOpt = None,
    fatigue_window: FatigueOpt = 365,
    program: ProgramOpt = None,
    min_cell: MinCellOpt = None,
    neo4j: Neo4jOpt = None,
) -> None:
    """Recommended invitees for an event, each with its marginal gain and true reasons.

    Objective: close the room's representation gaps (the seats by which each sector, region and
    Global South group falls short of its share of the active membership, or of its target),
    each weighted by 1 + the number of the program's latest convenings in a row that had the
    same gap; then relevance (0.1 per point: a seat on the program's committees, focus areas or
    earlier convenings on the event's topics, a base in the host region); then 0.01 per sector,
    region, Global South group or country new to the room, as a tie-breaker.
    """
    from analysis.planner import recommend
    from stakeholder_graph.common import open_store, parse_day

    refuse_under_min_cell(min_cell)
    new = event_id is None or event_id in NEW_EVENT
    day = parse_day(date, "--date")
    if new and day is None:
        raise BadParameter("a new convening needs --date (and usually --invited)", param_hint="--date")
    ids = {k: read_id_list(v, f"--{k}") for k, v in
           (("invited", invited), ("include", include), ("exclude", exclude))}
    chosen_weights = parse_weights(weights)
    with open_store(source, neo4j) as store:
        dataset = store.tables()  # the narrow read seams, never store.dataset()
    try:
        chosen = recommend(
            dataset, event_id=None if new else event_id, date=day, size=size,
            weights=chosen_weights, max_per_country=max_per_country,
            max_per_sector=max_per_sector, fatigue_window_days=fatigue_window,
            prefer_first_timers=prefer_first_timers, allow_guests=guests, program=program,
            invited=ids["invited"], include=ids["include"], exclude=ids["exclude"],
        )
    except ValueError as exc:  # the planner refuses an option by name (e.g. an unknown weight)
        raise BadParameter(str(exc)) from None
    for warning in chosen.warnings:
        typer.echo(f"Warning: {warning}.", err=True)
    if fmt is PlanFormat.json:
        typer.echo(json.dumps(chosen.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_table(chosen, title=_title(dataset, chosen))


def refuse_under_min_cell(min_cell: int | None) -> None:
    """Under ``--min-cell`` no output may list organisations, and a plan is a list of them."""
    from analysis.privacy import Policy

    if not Policy(min_cell).organisation_rows_allowed:
        raise RequestError(
            f"plan lists organisations, so it is off under --min-cell {min_cell}: the privacy "
            "rule of the report allows no organisation-level rows (run plan without --min-cell "
            "where the invite list may be seen)"
        )


def _title(dataset: Dataset, chosen: Plan) -> str:
    if chosen.event_id is None:
        return f"Invite list for a new convening on {chosen.date}"
    names = dict(zip(dataset.events["event_id"], dataset.events["name"], strict=True))
    name = names.get(chosen.event_id, chosen.event_id)
    return f"Invite list for {name} ({chosen.event_id}, {chosen.date})"


WIDTH = 80  # the table fits a classic terminal


def print_table(chosen: Plan, *, title: str, console: Console | None = None) -> None:
    """The plan in 80 columns: objective, picks with gains and reasons, the room before/after."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=WIDTH, soft_wrap=False)
    console.print(title, markup=False)
    console.print(f"Objective: {chosen.objective.statement}", markup=False)
    if chosen.recommendations:
        picks = Table(show_lines=True, width=WIDTH)
        picks.add_column("#", justify="right", width=2)
        picks.add_column("invitee", ratio=2, overflow="fold")
        picks.add_column("gain", justify="right", width=6)
        picks.add_column("why", ratio=4, overflow="fold")
        for n, rec in enumerate(chosen.recommendations, start=1):
            who = f"{rec.name}\n{rec.partner_id}" + (f"\n({rec.membership})"
                                                     if rec.membership != "Partner" else "")
            picks.add_row(str(n), who, f"{rec.gain.total:.2f}",
                          "\n".join(f"- {r}" for r in rec.reasons))
        console.print(picks)
    console.print(room_table(chosen))
    console.print(_objective_line(chosen), markup=False)
    if chosen.shortfall:
        console.print(f"Note: {chosen.shortfall}.", markup=False)


def room_table(chosen: Plan) -> Table:
    """Head-counts before and after by sector, region and Global South; countries; gaps."""
    from rich.table import Table

    from analysis.planner.reasons import display

    DIMENSION_NAMES = {"global_south": "Global South"}  # noqa: N806 (a constant of this table)

    before, after = chosen.before, chosen.after
    room = Table(title=f"The room: {before.size} before, {after.size} after", width=WIDTH)
    for col, justify in (("dimension", "left"), ("group", "left"), ("before", "right"),
                         ("after", "right")):
        room.add_column(col, justify=justify)  # type: ignore[arg-type]
    for dim in ("sector", "region", "global_south"):
        then, now = before.counts(dim), after.counts(dim)
        for n, group in enumerate(dict.fromkeys([*now, *then])):
            room.add_row(DIMENSION_NAMES.get(dim, dim) if n == 0 else "", display(dim, group),
                         f"{then.get(group, 0):g}", f"{now.get(group, 0):g}")
    room.add_row("countries", "", str(len(before.counts("country"))),
                 str(len(after.counts("country"))))
    room.add_row("gaps", "", str(len(before.gaps)), str(len(after.gaps)))
    return room


def _objective_line(chosen: Plan) -> str:
    o = chosen.objective
    line = f"Objective value: {o.before:.2f} before, {o.after:.2f} after (greedy {o.greedy:.2f}"
    if o.optimum is not None:
        line += f"; optimum {o.optimum:.2f}" + (", proven" if o.proven_optimal else " bound")
    if chosen.method == "exact":
        line += "; the exact picks are used"
    return line + ")."
