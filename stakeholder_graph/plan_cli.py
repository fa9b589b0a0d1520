"""``stakeholder-graph plan``: recommended invitees for a convening, with reasons.

Mounted by :mod:`stakeholder_graph.cli` as ``app.command("plan")(plan)``. Errors follow the
CLI's rules: an unknown event or partner id is a :class:`RequestError` (exit 1, every id
named); ``--size 0`` or a malformed option is a usage error (exit 2).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# typer 0.29 ships its own copy of click; its exceptions are the ones the app raises.
from typer._click.exceptions import BadParameter

from core.errors import RequestError

if TYPE_CHECKING:  # the CLI loads pandas and the analysis only when a command runs
    from rich.console import Console

    from analysis.gaps import Gap
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
SizeOpt = Annotated[int, typer.Option("--size", "-n", min=1, help="How many to recommend.")]
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
    "--prefer-first-timers", help="Favour partners who never attended.")]
GuestsOpt = Annotated[bool, typer.Option(
    "--guests/--no-guests", help="Suggest Guests when no Partner closes a gap.")]
WeightsOpt = Annotated[str | None, typer.Option(
    help="Dimension weights, e.g. sector=1,region=1,global_south=1,country=0.5 "
    "(the default); 0 switches one off.", **_HIDE)]
FatigueOpt = Annotated[int, typer.Option(
    "--fatigue-window", min=0, help="Days of attendance that count as recent.")]
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
    neo4j: Neo4jOpt = None,
) -> None:
    """Recommended invitees for an event, chosen so the room represents the membership."""
    from analysis.planner import recommend
    from stakeholder_graph.common import open_store, parse_day

    new = event_id is None or event_id in NEW_EVENT
    day = parse_day(date, "--date")
    if new and day is None:
        raise BadParameter("a new convening needs --date (and usually --invited)", param_hint="--date")
    options = {
        "event_id": None if new else event_id,
        "date": day,
        "invited": read_id_list(invited, "--invited"),
        "size": size,
        "weights": parse_weights(weights),
        "include": read_id_list(include, "--include"),
        "exclude": read_id_list(exclude, "--exclude"),
        "max_per_country": max_per_country,
        "max_per_sector": max_per_sector,
        "fatigue_window_days": fatigue_window,
        "prefer_first_timers": prefer_first_timers,
        "allow_guests": guests,
    }
    with open_store(source, neo4j) as store:
        dataset = store.dataset()
    try:
        chosen = recommend(dataset, **options)  # type: ignore[arg-type]
    except ValueError as exc:  # the planner refuses an option by name (e.g. an unknown weight)
        raise BadParameter(str(exc)) from None
    if fmt is PlanFormat.json:
        typer.echo(json.dumps(chosen.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_table(chosen, title=_title(dataset, chosen))


def _title(dataset: Dataset, chosen: Plan) -> str:
    if chosen.event_id is None:
        return f"Invite list for a new convening on {chosen.date}"
    names = dict(zip(dataset.events["event_id"], dataset.events["name"], strict=True))
    name = names.get(chosen.event_id, chosen.event_id)
    return f"Invite list for {name} ({chosen.event_id}, {chosen.date})"


def print_table(chosen: Plan, *, title: str, console: Console | None = None) -> None:
    """The plan as rich tables: the picks with reasons, then diversity and gaps before/after."""
    from rich.console import Console
    from rich.table import Table
    console = console or Console(soft_wrap=False)
    picks = Table(title=title, show_lines=True)
    picks.add_column("#", justify="right")
    for col in ("partner", "name", "membership"):
        picks.add_column(col)
    picks.add_column("score", justify="right")
    picks.add_column("why", overflow="fold")
    for n, rec in enumerate(chosen.recommendations, start=1):
        picks.add_row(
            str(n), rec.partner_id, rec.name, rec.membership, f"{rec.score:.3f}",
            "; ".join(rec.reasons),
        )
    console.print(picks)
    before, after = chosen.before, chosen.after
    room = Table(title=f"The room: {before.size} before, {after.size} after")
    for col in ("dimension", "Blau before", "Blau after", "gaps before", "gaps after"):
        room.add_column(col, justify="left" if col == "dimension" else "right")
    for dim in before.diversity:
        room.add_row(
            dim,
            f"{before.diversity[dim]['blau']:.2f}",
            f"{after.diversity[dim]['blau']:.2f}",
            _gap_list(before.gaps_of(dim)),
            _gap_list(after.gaps_of(dim)),
        )
    console.print(room)
    if chosen.shortfall:
        console.print(f"Note: {chosen.shortfall}.")


def _gap_list(gaps: Sequence[Gap]) -> str:
    from analysis.planner.reasons import display as display_label

    names = [display_label(g.dimension, g.group) for g in gaps]
    if len(names) > 4:  # many countries can be missing at once: keep the cell readable
        return ", ".join(names[:4]) + f" and {len(names) - 4} more"
    return ", ".join(names) if names else "-"
