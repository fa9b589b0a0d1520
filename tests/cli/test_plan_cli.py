"""``stakeholder-graph plan`` end to end on a tiny CSV dataset: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from stakeholder_graph.cli import main
from stakeholder_graph.plan_cli import plan, read_id_list

PARTNERS = """partner_id,name,sector,country,joined,left,membership
r1,Room One,Industry,US,2015-01-01,,Partner
r2,Room Two,Industry,US,2015-01-01,,Partner
acad_fr,Sorbonne Lab,Academic,FR,2015-01-01,,Partner
ind_de,Berlin Tech,Industry,DE,2015-01-01,,Partner
cs_ke,Nairobi Rights,Civil Society,KE,2015-01-01,,Partner
gone,Departed Org,Academic,FR,2015-01-01,2020-01-01,Partner
guest_in,Affected Voices,Affected Community,IN,,,Guest
"""
EVENTS = """event_id,name,date
e1,Forum on AI and Work,2024-05-01
"""
ATTENDANCE = """event_id,partner_id
e1,r1
e1,r2
"""


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "partners.csv").write_text(PARTNERS)
    (folder / "events.csv").write_text(EVENTS)
    (folder / "attendance.csv").write_text(ATTENDANCE)
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_plan(capsys, source):
    code, out, err = run(capsys, "e1", str(source), "--size", "2")
    assert code == 0, err
    data = json.loads(out)
    assert data["event_id"] == "e1" and data["date"] == "2024-05-01"
    ids = [r["partner_id"] for r in data["recommendations"]]
    assert len(ids) == 2
    assert not {"r1", "r2", "gone"} & set(ids)
    assert all(r["reasons"] for r in data["recommendations"])
    assert data["before"]["composition"]["sector"] == {"Industry": 2}
    assert data["after"]["diversity"]["sector"]["blau"] > data["before"]["diversity"]["sector"]["blau"]


def test_table_plan(capsys, source):
    code, out, err = run(capsys, "e1", str(source), "--size", "1", "--format", "table")
    assert code == 0, err
    assert "Forum on AI and Work" in out
    assert "The room: 2 before, 3 after" in out


def test_unknown_ids_exit_1_naming_all_of_them(capsys, source):
    code, out, err = run(capsys, "e404", str(source), "--include", "nobody,r1", "--exclude", "ghost")
    assert code == 1
    assert out == ""
    for name in ("e404", "nobody", "ghost"):
        assert name in err
    assert "Traceback" not in err


@pytest.mark.parametrize("size", ["-1", "-3", "two"])
def test_a_negative_size_is_a_usage_error(capsys, source, size):
    code, _, err = run(capsys, "e1", str(source), "--size", size)
    assert code == 2
    assert "--size" in err


def test_size_zero_evaluates_a_draft_list(capsys, source):
    code, out, err = run(capsys, "new", str(source), "--date", "2024-09-01", "--invited",
                         "r1,acad_fr", "--size", "0")
    assert code == 0, err
    data = json.loads(out)
    assert data["recommendations"] == [] and data["shortfall"] is None
    assert data["before"] == data["after"] and data["before"]["members"] == ["acad_fr", "r1"]
    assert data["objective"]["before"] == data["objective"]["after"]
    code, out, err = run(capsys, "new", str(source), "--date", "2024-09-01", "--invited",
                         "r1,acad_fr", "--size", "0", "--format", "table")
    assert code == 0, err
    assert "The room: 2 before, 2 after" in out and "Objective value" in out


def test_the_table_fits_80_columns_and_shows_gains_in_order(capsys, source):
    code, out, err = run(capsys, "e1", str(source), "--size", "4", "--format", "table")
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Objective: Close the room's representation gaps" in out
    code, data, _ = run(capsys, "e1", str(source), "--size", "4")
    gains = [r["gain"] for r in json.loads(data)["recommendations"]]
    assert gains == sorted(gains, reverse=True) and all(g > 0 for g in gains)
    shown = [f"{g:.2f}" for g in gains]
    assert [line for line in out.splitlines() if any(f" {g} " in line for g in shown)]


def test_planning_a_past_event_warns_on_stderr(capsys, source):
    code, out, err = run(capsys, "e1", str(source), "--size", "1")
    assert code == 0
    assert "Warning: planning a past event: e1 was held on 2024-05-01" in err
    assert "warnings" not in json.loads(out)  # the JSON does not depend on the day it is made


def test_under_min_cell_plan_refuses_with_the_privacy_rule(capsys, source):
    code, out, err = run(capsys, "e1", str(source), "--min-cell", "5")
    assert code == 1 and out == ""
    assert "--min-cell 5" in err and "organisation" in err and "Traceback" not in err


def test_help_states_the_objective():
    from analysis.planner import OBJECTIVE

    result = CliRunner().invoke(_app(), ["plan", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    words = " ".join(result.output.replace("│", " ").split())
    stated = " ".join((OBJECTIVE[0].lower() + OBJECTIVE[1:]).split())
    assert f"Objective: {stated}" in " ".join(plan.__doc__.split())  # the help and the code agree
    assert f"Objective: {stated}" in words


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("plan")(plan)
    app.command("noop")(lambda: None)
    return app


def test_new_convening_from_a_date_and_a_csv_invite_list(capsys, source, tmp_path):
    draft = tmp_path / "draft.csv"
    draft.write_text("Partner_ID,note\nr1,keynote\nind_de,\n")
    code, out, err = run(
        capsys, "new", str(source), "--date", "2024-09-01", "--invited", f"@{draft}", "--size", "1"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["event_id"] is None and data["date"] == "2024-09-01"
    assert data["before"]["members"] == ["ind_de", "r1"]
    assert data["recommendations"][0]["partner_id"] not in {"r1", "ind_de"}


def test_new_convening_needs_a_date(capsys, source):
    code, _, err = run(capsys, "new", str(source), "--invited", "r1")
    assert code == 2
    assert "--date" in err


def test_invite_file_without_partner_id_column_is_a_request_error(capsys, source, tmp_path):
    draft = tmp_path / "bad.csv"
    draft.write_text("id\nr1\n")
    code, _, err = run(capsys, "new", str(source), "--date", "2024-09-01", "--invited", f"@{draft}")
    assert code == 1
    assert "partner_id" in err


def test_guests_flag_and_caps_reach_the_planner(capsys, source):
    code, out, _ = run(capsys, "e1", str(source), "--size", "5", "--no-guests",
                       "--max-per-sector", "2")
    assert code == 0
    data = json.loads(out)
    assert all(r["membership"] == "Partner" for r in data["recommendations"])
    assert "Industry" not in {r["sector"] for r in data["recommendations"]}
    assert data["parameters"]["allow_guests"] is False
    assert data["parameters"]["max_per_sector"] == 2


def test_mounted_on_a_bare_typer_app(source):
    # The command is a plain typer function: any app can mount it.
    app = typer.Typer()
    app.command("plan")(plan)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["plan", "e1", str(source), "--size", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recommendations"][0]["partner_id"]
    assert CliRunner().invoke(app, ["plan", "e1", str(source), "--size", "-1"]).exit_code == 2


def test_weights_option(capsys, source):
    code, out, err = run(capsys, "e1", str(source), "--size", "1", "--weights", "sector=1,region=0")
    assert code == 0, err
    data = json.loads(out)
    assert data["parameters"]["weights"] == {"sector": 1.0}
    assert set(data["before"]["diversity"]) == {"sector", "country"}  # country: a tie-breaker
    code, _, err = run(capsys, "e1", str(source), "--weights", "sector")
    assert code == 2 and "DIMENSION=WEIGHT" in err
    code, _, err = run(capsys, "e1", str(source), "--weights", "colour=1")
    assert code == 2 and "colour" in err  # the planner's ValueError: a usage error


def test_doctests():
    import doctest

    import stakeholder_graph.plan_cli as module

    assert doctest.testmod(module).failed == 0


def test_read_id_list():
    assert read_id_list("a, b,a,,c", "--x") == ["a", "b", "c"]
    assert read_id_list(None, "--x") == []


@pytest.mark.neo4j
def test_same_plan_from_neo4j_as_from_the_files(capsys, monkeypatch, source, neo4j_server,
                                                neo4j_store):
    import loaders

    neo4j_store.load(loaders.read_dataset(source))
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    code, from_neo4j, err = run(capsys, "e1", "--neo4j", neo4j_server.uri, "--size", "3")
    assert code == 0, err
    code, from_files, err = run(capsys, "e1", str(source), "--size", "3")
    assert code == 0, err
    assert json.loads(from_neo4j) == json.loads(from_files)
    assert len(json.loads(from_neo4j)["recommendations"]) == 3
