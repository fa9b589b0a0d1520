"""The analyst notebooks: their shape, and a run of each one top to bottom in a fresh kernel.

Each notebook under ``notebooks/`` must open with a question, explain its steps in markdown,
have at least five code cells, be stored without outputs, and use only the public API. Each
is executed with nbclient in a kernel of *this* interpreter (the venv that holds the package),
pinned through the kernel spec, so an unrelated ``python3`` kernel installed on the machine
can never be picked up. A cell that raises, or writes a warning to stderr, fails the test.
``04_working_with_neo4j`` runs against the test session's real Neo4j server (the
``neo4j_server`` fixture), handed to the kernel as ``NEO4J_URI`` / ``NEO4J_USERNAME`` /
``NEO4J_PASSWORD``: it is never skipped.
"""

from __future__ import annotations

import ast
import html
import importlib
import re
import types
from typing import Any

import nbformat
import pytest

from tests.notebook_kernel import NOTEBOOKS, ROOT, execute, kernel_env, read, source_digest

RENDERED = ROOT / "docs" / "notebooks"
EXPECTED = (
    "01_representation_audit.ipynb",
    "02_reach_and_network.ipynb",
    "03_planning_a_convening.ipynb",
    "04_working_with_neo4j.ipynb",
)
NEO4J_NOTEBOOK = "04_working_with_neo4j.ipynb"
PROJECT_PACKAGES = ("analysis", "graph", "loaders", "dashboard", "stakeholder_graph")
#: A name starting with one underscore and a letter: a private helper, attribute or module.
PRIVATE = re.compile(r"\b_[a-z]")


def code_cells(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def server_settings(server: Any) -> dict[str, str]:
    """NEO4J_* variables for the kernel from the ``neo4j_server`` fixture's value."""
    def pick(*names: str) -> str | None:
        for n in names:
            value = server.get(n) if isinstance(server, dict) else getattr(server, n, None)
            if value:
                return str(value)
        return None

    settings = {
        "NEO4J_URI": pick("uri", "bolt_uri", "url"),
        "NEO4J_USERNAME": pick("user", "username") or "neo4j",
        "NEO4J_PASSWORD": pick("password"),
        "NEO4J_DATABASE": pick("database", "database_name"),
    }
    assert settings["NEO4J_URI"] and settings["NEO4J_PASSWORD"], (
        f"neo4j_server fixture gave no uri/password: {server!r}"
    )
    return {k: v for k, v in settings.items() if v}


# --- shape ---------------------------------------------------------------------------------


def test_the_four_notebooks_are_there() -> None:
    found = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert found == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_shape(name: str) -> None:
    nb = read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), (
        "the first cell must be a markdown heading"
    )
    question = [line for line in first.source.splitlines() if "Question" in line]
    assert question and "?" in first.source, "the first cell must state the question"
    codes = code_cells(nb)
    assert len(codes) >= 5, f"{name} has {len(codes)} code cells"
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) >= len(codes) // 2, "every step needs its explanation"
    stored = [i for i, c in enumerate(nb.cells)
              if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not stored, f"{name} is stored with outputs in cells {stored}: clear them"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_uses_only_the_public_api(name: str) -> None:
    for index, source in enumerate(code_cells(read(name))):
        hits = PRIVATE.findall(source)
        assert not hits, f"{name} cell {index}: private name in {source!r}"
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if node.module.split(".")[0] not in PROJECT_PACKAGES:
                continue
            module = importlib.import_module(node.module)
            public = getattr(module, "__all__", None)
            for alias in node.names:
                if isinstance(getattr(module, alias.name, None), types.ModuleType):
                    continue  # a submodule: `from analysis import planner`
                assert public is None or alias.name in public, (
                    f"{name}: {alias.name} is not in {node.module}.__all__"
                )


def test_private_name_check_can_fail() -> None:
    assert PRIVATE.search("cp._igraph()")
    assert PRIVATE.search("from analysis.gaps import _shortfall_array")
    assert not PRIVATE.search("ds.partners['global_south'].__len__()")


# --- rendered copies ---------------------------------------------------------------------
#: ``tools/render_notebooks.py`` writes this meta tag: the digest of the notebook it ran.
DIGEST_META = re.compile(r'<meta name="notebook-source-sha256" content="([0-9a-f]{64})"')


@pytest.mark.parametrize("name", EXPECTED)
def test_rendered_copy_matches_the_notebook(name: str) -> None:
    path = RENDERED / name.replace(".ipynb", ".html")
    assert path.is_file(), f"{path} is missing: run `make notebooks-html`"
    page = path.read_text(encoding="utf-8")
    found = DIGEST_META.search(page)
    assert found, f"{path} was not written by tools/render_notebooks.py"
    assert found.group(1) == source_digest(read(name)), (
        f"{path} was rendered from another version of {name}: run `make notebooks-html`"
    )
    # The copy is there to be read without running anything: it must hold the outputs.
    assert "data:image/png;base64," in page or "<svg" in page, f"{path} shows no plot"
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for source in code_cells(read(name)):
        first = next((line for line in source.splitlines() if line.strip()), "")
        assert first.strip() in text, f"{path} lacks the cell starting {first!r}"


def test_digest_changes_with_the_notebook() -> None:
    nb = read(EXPECTED[0])
    before = source_digest(nb)
    nb.cells[-1].source += "\n# changed"
    assert source_digest(nb) != before


# --- execution -----------------------------------------------------------------------------


def check_run(name: str, nb: nbformat.NotebookNode) -> None:
    images = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            assert output.output_type != "error", f"{name} cell {index}: {output.get('evalue')}"
            if output.output_type == "stream" and output.name == "stderr":
                raise AssertionError(f"{name} cell {index} wrote to stderr: {output.text[:500]}")
            if "image/png" in output.get("data", {}) or "image/svg+xml" in output.get("data", {}):
                images += 1
    assert images >= 1, f"{name} drew no inline plot"


@pytest.mark.parametrize("name", [n for n in EXPECTED if n != NEO4J_NOTEBOOK])
def test_notebook_runs(name: str) -> None:
    nb = execute(name, kernel_env())
    check_run(name, nb)


def test_neo4j_notebook_runs_against_the_session_server(request: pytest.FixtureRequest) -> None:
    # Looked up here, not as an argument, so only this test starts the server; a missing
    # fixture is an error, never a skip.
    server = request.getfixturevalue("neo4j_server")
    nb = execute(NEO4J_NOTEBOOK, kernel_env(server_settings(server)))
    check_run(NEO4J_NOTEBOOK, nb)
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    # The notebook states the comparison it makes; a run that never compared says nothing.
    assert "Neo4j and in-memory reports are equal: True" in text
