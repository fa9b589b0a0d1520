"""The benchmark result record, the machine description, the JSON file and the table.

Everything here is pure bookkeeping (no timing, no server), so tests can check the schema and
the arithmetic: ``speedup = baseline_s / ours_s`` (bigger is better) and ``met`` follows the goal.
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

#: Added by issue 18: reads from Neo4j and the quality of the large-graph approximations.
READ_AND_QUALITY_RESULTS: tuple[str, ...] = (
    "report_neo4j_vs_memory",
    "neo4j_read_vs_dataset_pull",
    "backbone_modularity_vs_full",
    "sampled_betweenness_top100_overlap",
)
#: The results every run must contain (shared DESIGN.md, "Scale and benchmarks", issues 9/10/18).
REQUIRED_RESULTS: tuple[str, ...] = (
    "load_vs_load_csv",
    "load_vs_row_per_tx",
    "projection_vs_networkx",
    "aggregate_in_cypher_vs_pull",
    "dashboard_cached_vs_uncached",
    "network_view_elements",
    "report_growth",
    "report_peak_memory",
    "dashboard_burst",
    *READ_AND_QUALITY_RESULTS,
)
#: Results of the full run only (``python -m benchmarks`` without ``--quick``), issue 18.
FULL_ONLY_RESULTS: tuple[str, ...] = ("bulk_import_vs_load", "scale_100k_partners")
#: The goal of each named result (issue 9): (metric, operator, value).
GOALS: dict[str, tuple[str, str, float]] = {
    "load_vs_load_csv": ("speedup", ">=", 1.0),
    "load_vs_row_per_tx": ("speedup", ">=", 100.0),
    "projection_vs_networkx": ("speedup", ">=", 10.0),
    "aggregate_in_cypher_vs_pull": ("speedup", ">=", 5.0),
    "dashboard_cached_vs_uncached": ("speedup", ">=", 10.0),
    "network_view_elements": ("elements", "<=", 3000.0),
    "report_growth": ("excess", "<=", 1.25),
    "report_peak_memory": ("peak_mb", "<", 1024.0),
    "dashboard_burst": ("errors", "<=", 0.0),
    "report_neo4j_vs_memory": ("speedup", ">=", 0.67),
    "neo4j_read_vs_dataset_pull": ("speedup", ">=", 5.0),
    "backbone_modularity_vs_full": ("speedup", ">=", 0.98),
    "sampled_betweenness_top100_overlap": ("speedup", ">=", 0.8),
    "bulk_import_vs_load": ("speedup", ">=", 1.0),
    "scale_100k_partners": ("peak_mb", "<", 24576.0),
}
RESULT_KEYS: tuple[str, ...] = ("name", "ours_s", "baseline", "baseline_s", "speedup", "goal",
                                "met")
#: Packages whose versions describe the machine (absent ones are reported as None).
PACKAGES: tuple[str, ...] = ("numpy", "scipy", "pandas", "networkx", "igraph", "neo4j",
                             "neo4j-rust-ext", "dash")


def speedup(baseline_s: float | None, ours_s: float | None) -> float | None:
    """``baseline_s / ours_s``, or None when either is missing or ``ours_s`` is not positive.

    >>> speedup(10.0, 2.0)
    5.0
    >>> speedup(None, 2.0) is None
    True
    """
    if baseline_s is None or ours_s is None or not ours_s > 0:
        return None
    return float(baseline_s) / float(ours_s)


@dataclass
class Result:
    """One named comparison.

    ``goal`` is ``(metric, op, value)``: the metric is ``"speedup"`` (computed) or the name of
    an entry of ``extra`` (e.g. ``"elements"``); ``op`` is ``">="``, ``"<="`` or ``"<"``.
    ``met`` is False when the metric is missing (a comparison that could not run) and may be
    forced False with ``ok=False`` (results that differ from the baseline never count as met).
    """

    name: str
    ours_s: float | None
    baseline: str | None
    baseline_s: float | None
    goal: tuple[str, str, float]
    extra: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    note: str | None = None
    #: For quality results (a modularity ratio, an overlap) the value reported as ``speedup``;
    #: ``ours_s`` and ``baseline_s`` then stay the two sides' times.
    value: float | None = None
    #: What ``value`` is, written to the JSON as ``speedup_is``.
    value_is: str | None = None

    @property
    def speedup(self) -> float | None:
        if self.value is not None:
            return self.value
        return speedup(self.baseline_s, self.ours_s)

    def metric(self) -> float | None:
        name = self.goal[0]
        value = self.speedup if name == "speedup" else self.extra.get(name)
        return None if value is None else float(value)

    @property
    def met(self) -> bool:
        value = self.metric()
        if value is None or not self.ok or math.isnan(value):
            return False
        _, op, target = self.goal
        if op == ">=":
            return value >= target
        if op == "<=":
            return value <= target
        if op == "<":
            return value < target
        raise ValueError(f"unknown goal operator {op!r}")

    def goal_text(self) -> str:
        metric, op, target = self.goal
        return f"{metric} {op} {target:g}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "ours_s": _round(self.ours_s),
            "baseline": self.baseline,
            "baseline_s": _round(self.baseline_s),
            "speedup": _round(self.speedup),
            "goal": self.goal_text(),
            "met": self.met,
        }
        if self.value_is:
            out["speedup_is"] = self.value_is
        for key, value in self.extra.items():
            out.setdefault(key, value)
        if self.note:
            out["note"] = self.note
        return out


def failed(name: str, baseline: str | None, goal: tuple[str, str, float], why: str) -> Result:
    """A comparison that could not run: no figures, met=false, and the reason."""
    return Result(name=name, ours_s=None, baseline=baseline, baseline_s=None, goal=goal,
                  ok=False, note=why)


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None:
        return None
    return float(f"{value:.{digits}g}") if value else 0.0


def growth_ratios(points: Sequence[Mapping[str, float]], *, key: str = "seconds"
                  ) -> list[dict[str, float]]:
    """For each pair of sizes (smaller, larger): size ratio, time ratio and their quotient.

    ``points`` are ``{"partners": n, key: t}``. The goal "4x the partners -> at most 5x the
    time" is ``time_ratio <= 1.25 * size_ratio`` for every pair (``excess <= 1.25``).

    >>> growth_ratios([{"partners": 1, "seconds": 1.0}, {"partners": 4, "seconds": 6.0}])
    [{'from': 1, 'to': 4, 'size_ratio': 4.0, 'time_ratio': 6.0, 'excess': 1.5}]
    """
    ordered = sorted(points, key=lambda p: p["partners"])
    out = []
    for i, small in enumerate(ordered):
        for large in ordered[i + 1:]:
            size_ratio = large["partners"] / small["partners"]
            time_ratio = large[key] / small[key] if small[key] > 0 else math.inf
            out.append({"from": small["partners"], "to": large["partners"],
                        "size_ratio": round(size_ratio, 4), "time_ratio": round(time_ratio, 4),
                        "excess": round(time_ratio / size_ratio, 4)})
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info(*, neo4j_server: str | None = None) -> dict[str, Any]:
    """CPU, cores, memory, Python and library versions, and the Neo4j server's version."""
    memory = _memory_bytes()
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory": memory,
        "memory_gb": round(memory / 2**30, 1) if memory else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for package in PACKAGES:
        info[package.replace("-", "_")] = _version(package)
    info["neo4j_server"] = neo4j_server
    return info


def document(machine: Mapping[str, Any], results: Iterable[Result], *,
             settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document: ``{"machine", "settings", "results": [...]}``."""
    return {"machine": dict(machine), "settings": dict(settings or {}),
            "results": [r.to_dict() for r in results]}


def write_json(doc: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def check_document(doc: Mapping[str, Any]) -> list[str]:
    """Problems with a benchmark document's shape (empty when it is well formed)."""
    problems = []
    for key in ("machine", "results"):
        if key not in doc:
            problems.append(f"missing top-level key {key!r}")
    results = doc.get("results", [])
    names = [r.get("name") for r in results]
    full = doc.get("settings", {}).get("quick") is False
    for name in REQUIRED_RESULTS + (FULL_ONLY_RESULTS if full else ()):
        if name not in names:
            problems.append(f"missing result {name!r}")
    for r in results:
        for key in RESULT_KEYS:
            if key not in r:
                problems.append(f"{r.get('name')}: missing key {key!r}")
        ours, base, ratio = r.get("ours_s"), r.get("baseline_s"), r.get("speedup")
        if ours and base is not None and ratio is not None and "speedup_is" not in r:
            if not math.isclose(ratio, base / ours, rel_tol=2e-3):
                problems.append(f"{r.get('name')}: speedup {ratio} != {base}/{ours}")
    return problems


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 0.001:
        return f"{value * 1e6:.1f} µs"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    return f"{value:.2f} s"


def _fmt_metric(result: Mapping[str, Any]) -> str:
    metric = str(result["goal"]).split(" ", 1)[0]
    value = result.get(metric)
    if value is None:
        return "-"
    if metric == "speedup":
        return f"{value:,.1f}x"
    return f"{value:,.4g}"


def table_rows(doc: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Rows of the printed table: name, ours, baseline, baseline time, metric, goal, met."""
    rows: list[tuple[str, ...]] = []
    for r in doc["results"]:
        rows.append((
            str(r["name"]), _fmt_s(r.get("ours_s")), str(r.get("baseline") or "-"),
            _fmt_s(r.get("baseline_s")), _fmt_metric(r), str(r["goal"]),
            "yes" if r["met"] else "NO",
        ))
    return rows


HEADERS = ("name", "ours", "baseline", "baseline time", "value", "goal", "met")


def markdown_table(doc: Mapping[str, Any]) -> str:
    """The same table as Markdown (for docs/benchmarks.md)."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in table_rows(doc):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


def print_table(doc: Mapping[str, Any]) -> None:
    """Print the results with rich, notes under the table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Stakeholder Graph benchmarks (speedup = baseline / ours)")
    for header in HEADERS:
        table.add_column(header, overflow="fold")
    for row in table_rows(doc):
        style = None if row[-1] == "yes" else "bold red"
        table.add_row(*row, style=style)
    console = Console(width=160)
    console.print(table)
    for r in doc["results"]:
        if r.get("note"):
            console.print(f"[bold]{r['name']}[/bold]: {r['note']}")
