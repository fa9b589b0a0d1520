"""Draw a benchmark document: speedups against their goals, and report cost against size.

``python -m benchmarks.plot benchmarks/latest.json docs/benchmarks.png``
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def plot(doc: Mapping[str, Any], path: Path) -> Path:
    """Write a two-panel PNG of ``doc`` to ``path`` and return it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = {r["name"]: r for r in doc["results"]}
    ratios = [r for r in doc["results"] if str(r["goal"]).startswith("speedup")]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))

    names = [r["name"] for r in ratios]
    values = [r["speedup"] or 0.0 for r in ratios]
    goals = [float(str(r["goal"]).split()[-1]) for r in ratios]
    colours = ["tab:green" if r["met"] else "tab:red" for r in ratios]
    ypos = range(len(ratios))
    left.barh(list(ypos), values, color=colours)
    left.scatter(goals, list(ypos), marker="|", s=400, color="black", label="goal", zorder=3)
    left.set_xscale("log")
    left.set_yticks(list(ypos), names)
    left.invert_yaxis()
    left.set_xlabel("speedup = baseline time / our time (log scale)")
    left.set_title("Side by side, one run, same data")
    for y, v in zip(ypos, values, strict=True):
        left.annotate(f"{v:,.1f}x", (max(v, 1e-3), y), xytext=(4, 0),
                      textcoords="offset points", va="center", fontsize=8)
    left.legend(loc="lower right")

    growth = results.get("report_growth", {})
    points = sorted(growth.get("points", []), key=lambda p: p["partners"])
    if points:
        xs = [p["partners"] for p in points]
        right.plot(xs, [p["seconds"] for p in points], "o-", label="build_report (s)")
        right.plot(xs, [p["read_s"] for p in points], "s--", label="read + validate (s)")
        base = points[0]
        right.plot(xs, [base["seconds"] * x / base["partners"] for x in xs], ":",
                   color="grey", label="linear from smallest")
        right.set_xscale("log")
        right.set_yscale("log")
        right.set_xlabel("partners (generated)")
        right.set_ylabel("seconds (log scale)")
        mem = right.twinx()
        mem.plot(xs, [p["peak_mb"] for p in points], "^-.", color="tab:purple",
                 label="peak memory (MB)")
        mem.set_ylabel("peak resident memory, MB")
        mem.axhline(1024, color="tab:purple", lw=0.6, ls=":")
        lines = right.get_legend_handles_labels()
        more = mem.get_legend_handles_labels()
        right.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    right.set_title("How the report's cost grows with size")
    machine = doc.get("machine", {})
    fig.suptitle(f"{machine.get('cpu', '?')} x{machine.get('cores', '?')} cores, "
                 f"Python {machine.get('python', '?')}, Neo4j {machine.get('neo4j_server', '?')}",
                 fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.plot RESULTS.json OUT.png", file=sys.stderr)
        return 2
    plot(json.loads(Path(args[0]).read_text(encoding="utf-8")), Path(args[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
