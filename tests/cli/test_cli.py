"""The command line as a user meets it: exit codes, messages, formats, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from stakeholder_graph import cli

# A hand-built dataset whose figures were computed by hand (see test_report_known_answers).
HAND = {
    "partners": [
        ["partner_id", "name", "sector", "country", "joined", "left", "membership"],
        ["p1", "Alpha", "Industry", "US", "2016-01-01", "", ""],
        ["p2", "Beta", "Industry", "Germany", "2016-01-01", "2022-01-01", ""],  # left
        ["p3", "Gamma", "Civil Society", "Kenya", "2018-01-01", "", ""],
        ["p4", "Delta", "Academic", "India", "2023-06-01", "", ""],  # joins later
        ["g1", "Guest One", "Government", "Brazil", "", "", "Guest"],
    ],
    "committees": [["committee_id", "name", "program"], ["c1", "Steering", "Labor"]],
    "memberships": [
        ["committee_id", "partner_id", "since", "until"],
        ["c1", "p1", "2017-01-01", ""],
        ["c1", "p2", "2017-01-01", ""],
        ["c1", "p3", "2019-01-01", "2021-06-01"],  # lapses
    ],
    "events": [["event_id", "name", "date", "program"], ["e1", "Workshop", "2020-05-01", "Labor"]],
    "attendance": [["event_id", "partner_id"], ["e1", "p1"], ["e1", "p3"], ["e1", "g1"]],
}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hand_csv(tmp_path: Path) -> Path:
    folder = tmp_path / "hand"
    folder.mkdir()
    for name, rows in HAND.items():
        (folder / f"{name}.csv").write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def hand_xlsx(tmp_path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in HAND.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "hand.xlsx"
    book.save(path)
    return path


def report(source: Path, as_of: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run(["report", str(source), "--as-of", as_of, *extra], capsys)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def group(doc: dict, kind: str, gid: str) -> dict:  # type: ignore[type-arg]
    return next(g for g in doc["groups"] if g["kind"] == kind and g["id"] == gid)


def test_report_known_answers_at_two_dates(hand_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    early = report(hand_csv, "2020-06-30", capsys)
    # active Partners on 2020-06-30: p1, p2, p3 (p4 not yet joined; g1 is a Guest)
    assert early["totals"]["partners"] == 3
    assert early["totals"]["countries"] == 3
    assert early["totals"]["sectors"] == {"Industry": 2, "Civil Society": 1}
    c1 = group(early, "committee", "c1")
    assert c1["size"] == 3
    assert c1["composition"]["sector"] == {"Industry": 2, "Civil Society": 1}
    assert c1["diversity"]["sector"]["blau"] == pytest.approx(1 - (2 / 3) ** 2 - (1 / 3) ** 2)
    e1 = group(early, "event", "e1")
    assert e1["size"] == 3  # everyone who attended, the Guest too
    assert e1["composition"]["sector"] == {"Civil Society": 1, "Government": 1, "Industry": 1}
    assert e1["diversity"]["sector"]["blau"] == pytest.approx(2 / 3)
    assert e1["diversity"]["sector"]["shannon"] == pytest.approx(1.0986122886681098)

    late = report(hand_csv, "2024-01-01", capsys)
    # p2 left in 2022, p4 joined in 2023: p1, p3, p4 active; p3's seat lapsed, p2's partner left
    assert late["totals"]["partners"] == 3
    assert late["totals"]["sectors"] == {"Industry": 1, "Civil Society": 1, "Academic": 1}
    c1 = group(late, "committee", "c1")
    assert c1["size"] == 1
    assert c1["composition"]["sector"] == {"Industry": 1}
    assert c1["diversity"]["sector"]["blau"] == 0.0
    # One member: below the minimum room of 5, described but not tested.
    assert c1["status"] == "too small" and c1["gaps"] == []
    tested = group(report(hand_csv, "2024-01-01", capsys, "--min-room", "1"), "committee", "c1")
    missing = {(g["dimension"], g["group"]) for g in tested["gaps"] if g["missing"]}
    assert ("sector", "Civil Society") in missing and ("sector", "Academic") in missing
    assert all(g["q_value"] >= g["p_value"] and g["significant"] is False for g in tested["gaps"])


def test_csv_and_workbook_give_identical_reports(
    hand_csv: Path, hand_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day in ("2020-06-30", "2024-01-01"):
        a, b = report(hand_csv, day, capsys), report(hand_xlsx, day, capsys)
        a.pop("source", None), b.pop("source", None)
        assert a == b


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_text_formats(hand_csv: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["report", str(hand_csv), "--as-of", "2024-01-01", "--format", fmt], capsys)
    assert code == 0, err
    assert "Steering" in out


def test_xlsx_needs_output_and_writes_a_workbook(hand_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["report", str(hand_csv), "--format", "xlsx"], capsys)
    assert code == 2 and "--output" in err
    target = tmp_path / "r.xlsx"
    code, _, err = run(["report", str(hand_csv), "--format", "xlsx", "--output", str(target)], capsys)
    assert code == 0, err
    assert target.read_bytes()[:2] == b"PK"


def test_usage_errors_exit_2(hand_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", str(hand_csv), "--as-of", "2020-13-45"], capsys)[0] == 2
    assert run(["report", str(hand_csv), "--since", "2024-01-01", "--as-of", "2020-01-01"], capsys)[0] == 2
    assert run(["report", "--bogus"], capsys)[0] == 2
    assert run(["generate", "/tmp/x", "--partners", "0"], capsys)[0] == 2
    assert run(["nonsense"], capsys)[0] == 2


def test_data_errors_exit_1_with_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "partners.csv").write_text("partner_id,name,sector,country\np1,,Industry,US\np1,B,Media,Narnia\n")
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 1
    assert "partners.csv:2: name: empty required value" in err
    assert "partners.csv:3: partner_id: duplicate partner_id 'p1' (first at line 2)" in err
    assert "partners.csv:3: country: unknown country 'Narnia'" in err
    assert "Traceback" not in err


def test_unknown_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["report", "no-such-folder"], capsys)
    assert code == 1 and "no such file or folder" in err


def test_bundled_datasets_validate(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("demo", "pai"):
        code, out, err = run(["validate", name], capsys)
        assert code == 0, err
        assert "OK" in out


def test_generate_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["generate", str(tmp_path / "g"), "--partners", "300", "--seed", "4"], capsys)
    assert code == 0, err
    assert "300 partners" in out
    assert run(["validate", str(tmp_path / "g")], capsys)[0] == 0


def test_help_and_version_from_the_installed_script() -> None:
    exe = Path(sys.executable).parent / "stakeholder-graph"
    for command in ([], ["validate"], ["report"], ["plan"], ["generate"], ["demo"], ["dashboard"], ["load"], ["neo4j"]):
        result = subprocess.run([str(exe), *command, "--help"], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage" in result.stdout
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("stakeholder-graph ")


def test_report_with_no_active_partner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Found by the property-based tests: every partner has left, one committee has no members.
    (tmp_path / "partners.csv").write_text("partner_id,name,sector,country,joined,left\np0,A,Industry,Brazil,2010-01-01,2010-01-02\n")
    (tmp_path / "committees.csv").write_text("committee_id,name,program\nc0,Board,Labor\n")
    doc = report(tmp_path, "2026-01-01", capsys)
    assert doc["totals"]["partners"] == 0
    assert group(doc, "committee", "c0")["size"] == 0


def test_generate_into_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    code, _, err = run(["generate", str(target), "--partners", "10"], capsys)
    assert code == 2 and "out_dir" in err
