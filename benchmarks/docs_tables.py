"""Markdown tables for docs/benchmarks.md from a benchmark JSON document.

``python -m benchmarks.docs_tables benchmarks/latest.json`` prints the results table, the
growth table and the burst figures, ready to paste.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.results import markdown_table


def growth_table(doc: Mapping[str, Any]) -> str:
    growth = next(r for r in doc["results"] if r["name"] == "report_growth")
    lines = ["| partners | attendance rows | read + validate | build_report | render JSON "
             "| peak memory | betweenness |", "|---|---|---|---|---|---|---|"]
    for p in sorted(growth.get("points", []), key=lambda p: p["partners"]):
        method = (p.get("network_method") or {}).get("betweenness", "?")
        lines.append(f"| {p['partners']:,} | {p['attendance']:,} | {p['read_s']:.2f} s | "
                     f"{p['seconds']:.2f} s | {p['render_s']:.2f} s | {p['peak_mb']:,.0f} MB | "
                     f"{method} |")
    lines += ["", "| from | to | size ratio | time ratio | time ratio / size ratio |",
              "|---|---|---|---|---|"]
    for r in growth.get("pairs", []):
        lines.append(f"| {r['from']:,} | {r['to']:,} | {r['size_ratio']:.2f} | "
                     f"{r['time_ratio']:.2f} | {r['excess']:.2f} |")
    return "\n".join(lines)


def burst_table(doc: Mapping[str, Any]) -> str:
    b = next(r for r in doc["results"] if r["name"] == "dashboard_burst")
    if "requests" not in b:
        return f"(not measured: {b.get('note')})"
    lines = ["| requests | errors | p50 | p95 | p99 | max | throughput |",
             "|---|---|---|---|---|---|---|"]
    for label, row in (("all", b), ("GET /network", b["page"]),
                       ("network callback", b["callback"])):
        lines.append(f"| {label}: {row['requests']} | "
                     f"{b['errors'] if label == 'all' else '-'} | {row['p50_ms']} ms | "
                     f"{row['p95_ms']} ms | {row['p99_ms']} ms | {row['max_ms']} ms | "
                     f"{b['throughput_rps'] if label == 'all' else '-'} req/s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    doc = json.loads(Path(args[0] if args else "benchmarks/latest.json").read_text("utf-8"))
    print(markdown_table(doc), "", growth_table(doc), "", burst_table(doc), sep="\n")
    for r in doc["results"]:
        if r.get("note"):
            print(f"\n- `{r['name']}`: {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
