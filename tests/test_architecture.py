"""The layering and the lint rules are part of the test suite, so a violation fails CI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_import_layers_point_one_way() -> None:
    result = run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_is_clean() -> None:
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_doctests_run() -> None:
    result = run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules",
        "core", "loaders", "graph/memory.py", "analysis", "reports", "stakeholder_graph/datasets.py",
        # dashboard/pages register themselves with Dash Pages on import: not doctest material
        "dashboard/state.py", "dashboard/overview_view.py", "dashboard/representation_view.py",
        "dashboard/elements.py",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_mypy_is_clean_on_the_packages() -> None:
    result = run(str(BIN / "mypy"))  # the packages are listed in pyproject's [tool.mypy]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


# --- typed results until the JSON edge ---------------------------------------------------------
#: Calls that turn a typed result (a Report, a Plan, a section of either) into plain dicts.
DICT_CALLS = frozenset({"to_dict", "record", "asdict", "json_safe"})
#: The readers of the typed report and plan that must read attributes, never dict keys.
TYPED_READERS = ("reports/*.py", "stakeholder_graph/plan_cli.py")


def _json_edge(path: str, node: ast.AST, field: str) -> bool:
    """Whether ``node`` (reached through its ``field``) is the JSON edge of ``path``: the JSON
    renderer of the report, or the ``--format json`` branch of ``plan``."""
    if path == "reports/json.py":
        return isinstance(node, ast.FunctionDef) and node.name == "render_json"
    if path == "stakeholder_graph/plan_cli.py":
        return (isinstance(node, ast.If) and field == "body"
                and ast.unparse(node.test) == "fmt is PlanFormat.json")
    return False


def dict_calls(source: str, path: str) -> list[str]:
    """``PATH:LINE: call`` for each call of :data:`DICT_CALLS` in ``source`` outside the JSON
    edge. The scan cannot know a receiver's type, so any ``.to_dict()`` counts (a DataFrame's
    too): a renderer has no reason to make dicts of what it renders."""
    found: list[str] = []

    def visit(node: ast.AST, edge: bool) -> None:
        if isinstance(node, ast.Call) and not edge:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in DICT_CALLS:
                found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
        for field, value in ast.iter_fields(node):
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    visit(child, edge or _json_edge(path, node, field))

    visit(ast.parse(source), False)
    return found


def test_renderers_and_plan_cli_read_attributes_until_the_json_edge() -> None:
    paths = sorted({p for pattern in TYPED_READERS for p in ROOT.glob(pattern)})
    assert len(paths) >= 8, paths  # the seven renderer modules and plan_cli
    found = [hit for p in paths
             for hit in dict_calls(p.read_text(encoding="utf-8"), p.relative_to(ROOT).as_posix())]
    assert not found, "typed results read as dicts outside the JSON edge:\n" + "\n".join(found)


def test_dict_call_check_can_fail() -> None:
    edge = (ROOT / "reports/json.py").read_text(encoding="utf-8")
    plan_cli = (ROOT / "stakeholder_graph/plan_cli.py").read_text(encoding="utf-8")
    assert dict_calls(edge, "reports/json.py") == []
    assert dict_calls(plan_cli, "stakeholder_graph/plan_cli.py") == []
    planted = {
        "reports/markdown.py": "def render(report):\n    return report.to_dict()['totals']\n",
        "reports/json.py": edge + "\ndef other(report):\n    return json_safe(report)\n",
        "reports/xlsx.py": "import dataclasses\nrows = dataclasses.asdict(report.totals)\n",
        "stakeholder_graph/plan_cli.py": plan_cli.replace(
            "    for warning in chosen.warnings:",
            "    print(chosen.before.to_dict()['composition'])\n    for warning in chosen.warnings:",
        ),
    }
    for path, source in planted.items():
        assert len(dict_calls(source, path)) == 1, path
    # The --format json branch is the edge; its else branch (the table) is not.
    table_branch = plan_cli.replace("print_table(chosen, title=_title(dataset, chosen))",
                                    "print_table(chosen, title=str(chosen.to_dict()))")
    assert table_branch != plan_cli
    assert len(dict_calls(table_branch, "stakeholder_graph/plan_cli.py")) == 1
