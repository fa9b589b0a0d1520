"""Golden files: the report and plan JSON stay identical through refactoring.

The files in ``tests/golden/`` were written by ``stakeholder-graph report`` and ``plan`` before
the redesign into ``core/``, typed results and one privacy boundary, from the copies of the
bundled datasets in ``tests/golden/data/`` (frozen, so that the bundled data can grow without
touching this proof). A change of behaviour that
is meant (a new rule, a corrected figure) rewrites them on purpose with
``STAKEHOLDER_GRAPH_REGOLD=1 pytest tests/test_golden.py``, and the commit says why.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stakeholder_graph.cli import main

GOLDEN = Path(__file__).parent / "golden"

DEMO = str(GOLDEN / "data" / "demo")
PAI = str(GOLDEN / "data" / "pai")

CASES = {
    "report_demo_2024-06-30.json": ["report", DEMO, "--as-of", "2024-06-30"],
    "report_demo_2021-12-31.json": ["report", DEMO, "--as-of", "2021-12-31"],
    "report_pai_2024-06-30.json": ["report", PAI, "--as-of", "2024-06-30"],
    "report_pai_2020-06-30.json": ["report", PAI, "--as-of", "2020-06-30"],
    "plan_demo_2027-labor.json": [
        "plan", "2027-labor-and-the-economy-convening", DEMO, "--format", "json"],
    "plan_demo_2026-safety.json": [
        "plan", "2026-safety-critical-ai-workshop", DEMO, "--format", "json"],
}


def _comparable(document: dict) -> dict:
    # The dataset's absolute path depends on where the repository is checked out.
    document.pop("source", None)
    return document


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_golden_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(CASES[name]) == 0
    produced = json.loads(capsys.readouterr().out)
    path = GOLDEN / name
    if os.environ.get("STAKEHOLDER_GRAPH_REGOLD") == "1":
        path.write_text(json.dumps(produced, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert _comparable(produced) == _comparable(golden)
