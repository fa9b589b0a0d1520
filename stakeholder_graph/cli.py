"""The ``stakeholder-graph`` command line.

Exit codes: 0 success; 1 the data or the request is wrong (every data problem printed as
``FILE:LINE: COLUMN: message`` on stderr); 2 usage errors. No traceback reaches the user unless
``STAKEHOLDER_GRAPH_DEBUG=1`` is set.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

# typer 0.29 ships its own copy of click; its exceptions are the ones the app raises.
from typer._click.exceptions import BadParameter, ClickException, UsageError

from core.errors import DataError, StakeholderGraphError
from stakeholder_graph import __version__
from stakeholder_graph.common import (
    check_output,
    open_store,
    parse_day,
    resolve_source,
    write_output,
)
from stakeholder_graph.export_cli import export
from stakeholder_graph.neo4j_cli import load, neo4j_app
from stakeholder_graph.plan_cli import plan

app = typer.Typer(
    name="stakeholder-graph",
    help="Who is at the table in a multi-stakeholder network, and who is missing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

SourceArg = Annotated[
    Path | None,
    typer.Argument(
        help="Dataset: a folder of CSV files or an .xlsx workbook (or 'demo' / 'pai' for the "
        "bundled ones). Omit it to read the Neo4j named by --neo4j or NEO4J_URI.",
        show_default=False,
    ),
]
Neo4jOpt = Annotated[
    str | None, typer.Option("--neo4j", help="Neo4j URI (default: NEO4J_URI).", show_default=False)
]
MinCellOpt = Annotated[
    int | None,
    typer.Option("--min-cell", min=1, help="Hide counts below N so small groups cannot be singled out."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stakeholder-graph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Who is at the table in a multi-stakeholder network, and who is missing."""


@app.command()
def validate(
    source: Annotated[Path, typer.Argument(help="A folder of CSV files or an .xlsx workbook.")],
) -> None:
    """Check a dataset thoroughly; write nothing. Every problem is listed on stderr."""
    import loaders

    dataset = loaders.read_dataset(resolve_source(source))
    counts = ", ".join(f"{name}: {n}" for name, n in dataset.counts().items() if n)
    typer.echo(f"{source}: OK ({counts or 'no rows'})")


class ReportFormat(StrEnum):
    json = "json"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


@app.command()
def report(
    source: SourceArg = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date of the snapshot (default today).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Start of the window; compares the two dates.")] = None,
    program: Annotated[str | None, typer.Option("--program", help="Only committees and events of this program.")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = ReportFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="A group is a gap below this share/expected ratio.")] = 0.8,
    min_cell: MinCellOpt = None,
    seed: Annotated[int, typer.Option(help="Seed for communities and sampled betweenness.")] = 0,
    dimension: Annotated[list[str] | None, typer.Option(
        "--dimension", help="Also analyse this partner column (repeatable), e.g. focus_areas; "
        "a;b values count a partner in each.")] = None,
    min_room: Annotated[int, typer.Option("--min-room", min=1, help="Rooms with fewer members are described, not tested for gaps.")] = 5,
    alpha: Annotated[float, typer.Option("--alpha", min=0.0, max=1.0, help="False discovery rate: a gap is significant when its q-value is at most this.")] = 0.05,
    neo4j: Neo4jOpt = None,
) -> None:
    """The representation and reach report (JSON on stdout by default)."""
    day = parse_day(as_of, "--as-of") or dt.date.today()
    start = parse_day(since, "--since")
    if start is not None and start >= day:
        raise BadParameter("--since must be before --as-of", param_hint="--since")
    if fmt is ReportFormat.xlsx and output is None:
        raise BadParameter("an .xlsx report needs --output PATH", param_hint="--output")
    if alpha <= 0:
        raise BadParameter("--alpha must be above 0", param_hint="--alpha")
    if output is not None:
        check_output(output)
    from analysis.dimensions import resolve_dimensions
    from analysis.gaps import DEFAULT_DIMENSIONS
    from analysis.report import build_report
    from core.window import Window
    from reports import render

    window = Window.of(as_of=day, since=start, program=program)
    with open_store(source, neo4j) as store:
        # The narrow read seams (fixed columns, every partner column), never store.dataset().
        dataset = store.tables()
    dims = resolve_dimensions(dataset, dimension or (), DEFAULT_DIMENSIONS)
    result = build_report(
        dataset, window, min_cell=min_cell, threshold=threshold, seed=seed, dimensions=dims,
        min_room=min_room, alpha=alpha,
    )
    rendered = render(result, fmt.value)
    if output is None:
        typer.echo(rendered if isinstance(rendered, str) else rendered.decode())
        return
    write_output(output, rendered)
    typer.echo(f"wrote {output}", err=True)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the CSV files into.")],
    partners: Annotated[int, typer.Option("--partners", min=1, help="How many partners.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed (same seed, same files).")] = 0,
) -> None:
    """Write a realistic synthetic dataset in the dataset format, for scale."""
    from core.progress import progress_bar
    from loaders.generate import generate as make

    try:
        with progress_bar("generating") as progress:
            summary = make(out_dir, partners=partners, seed=seed, progress=progress)
    except ValueError as exc:  # the generator names the argument it refuses
        raise BadParameter(str(exc)) from None
    counts = ", ".join(f"{n} {name}" for name, n in summary.to_dict()["rows"].items())
    typer.echo(f"wrote {out_dir}: {counts}")


def _serve(store, *, host: str, port: int, min_cell: int | None,  # type: ignore[no-untyped-def]
           allowed_host: list[str] | None = None, threads: int = 8,
           cache_mb: int | None = None) -> None:
    from dashboard.app import create_app
    from dashboard.server import run

    cache_bytes = None if cache_mb is None else cache_mb * 1024 * 1024
    run(create_app(store, min_cell=min_cell, cache_bytes=cache_bytes), host=host, port=port,
        threads=threads, allowed_hosts=allowed_host or ())


HostOpt = Annotated[str, typer.Option(help="Address to bind; not loopback needs STAKEHOLDER_GRAPH_AUTH.")]
PortOpt = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]
AllowedHostOpt = Annotated[list[str] | None, typer.Option(
    "--allowed-host", help="Another Host name to answer (e.g. the name a reverse proxy uses); "
    "repeatable. Default: loopback names, or the bound name.")]
ThreadsOpt = Annotated[int, typer.Option(min=1, max=64, help="Worker threads of the server.")]
CacheOpt = Annotated[int | None, typer.Option(
    "--cache-mb", min=16, help="Memory budget of the analysis cache in MB (default 1024, or "
    "STAKEHOLDER_GRAPH_CACHE_MB).")]


@app.command()
def dashboard(
    source: SourceArg = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8050,
    min_cell: MinCellOpt = None,
    neo4j: Neo4jOpt = None,
    allowed_host: AllowedHostOpt = None,
    threads: ThreadsOpt = 8,
    cache_mb: CacheOpt = None,
) -> None:
    """Serve the dashboard (loopback only unless told otherwise)."""
    _serve(open_store(source, neo4j), host=host, port=port, min_cell=min_cell,
           allowed_host=allowed_host, threads=threads, cache_mb=cache_mb)


@app.command()
def demo(host: HostOpt = "127.0.0.1", port: PortOpt = 8050, min_cell: MinCellOpt = None,
         allowed_host: AllowedHostOpt = None, threads: ThreadsOpt = 8,
         cache_mb: CacheOpt = None) -> None:
    """The dashboard on the bundled example data; no server needed."""
    _serve(open_store(Path("demo")), host=host, port=port, min_cell=min_cell,
           allowed_host=allowed_host, threads=threads, cache_mb=cache_mb)


# Commands that live in their own modules, mounted here so there is one command line.
app.add_typer(neo4j_app, name="neo4j", help="Run a local Neo4j Community server.")
app.command("load")(load)
app.command("plan")(plan)
app.command("export")(export)


def print_error(error: StakeholderGraphError) -> None:
    if isinstance(error, DataError):
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        count = len(error.problems)
        typer.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True)
    else:
        typer.echo(f"error: {error}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the console script exits with it)."""
    try:
        result = app(args=argv, prog_name="stakeholder-graph", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.Exit as exc:
        return int(exc.exit_code)
    except UsageError as exc:
        exc.show()
        return 2
    except ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except StakeholderGraphError as exc:
        print_error(exc)
        return 1
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("STAKEHOLDER_GRAPH_DEBUG"):
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set STAKEHOLDER_GRAPH_DEBUG=1 for details)", err=True,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
