"""Workbooks are read by what they hold, not what they claim; every limit is a located error.

The hostile cases run ``validate`` in a child process with a timeout and an address-space limit,
so a reader that pads to a claimed dimension fails the test (killed or out of memory) instead of
hanging the suite. No wall-clock time is asserted: the timeout only stops a hang.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import loaders
from core.errors import DataError
from loaders import reader, table, workbook

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["partner_id", "name", "sector", "country"]
#: The loader reads these books in about 250 MiB of address space; padding the 10,000-row book
#: to the claimed XFD column takes over 3 GiB.
ADDRESS_SPACE = 600 * 1024 * 1024
HANG = 120  # seconds: only a hang gets near this


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


#: Runs ``validate`` and prints the child's peak resident memory (KiB) as the last stderr line.
CHILD = """
import resource, sys
from stakeholder_graph import cli
code = cli.main(["validate", sys.argv[1]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def validate_bounded(path: Path) -> subprocess.CompletedProcess[str]:
    """``validate PATH`` in a child process with bounded memory; a hang fails the test.

    The child's peak resident memory in KiB is the last line of its stderr.
    """
    try:
        return subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            capture_output=True, text=True, timeout=HANG, preexec_fn=_limit, cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"validate {path.name} did not finish in {HANG} s")


def partners_book(path: Path, rows: int, **cells: str) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "partners"
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"p{i}", f"Org {i}", "Industry", "US"])
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    book.save(path)
    return path


def claim_dimension(path: Path, ref: str = "A1:XFD1048576") -> Path:
    """Rewrite every sheet's ``<dimension>`` to claim ``ref`` (what some exporters write)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            parts[name], count = re.subn(rb'<dimension ref="[^"]*" ?/>',
                                         f'<dimension ref="{ref}"/>'.encode(), parts[name])
            assert count == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_stray_cell_at_xfd1048576_is_one_located_error(tmp_path: Path) -> None:
    path = partners_book(tmp_path / "stray.xlsx", 3, XFD1048576="x")
    assert path.stat().st_size < 20_000
    result = validate_bounded(path)
    assert result.returncode == 1, result.stderr
    assert "stray.xlsx[partners]:1048576: XFD: a value beyond the last column (XFD)" in result.stderr
    assert len(result.stderr.splitlines()) == 3  # the problem, the summary, the peak memory


def test_a_claimed_huge_dimension_reads_only_the_cells_present(tmp_path: Path) -> None:
    path = claim_dimension(partners_book(tmp_path / "claimed.xlsx", 10_000))
    result = validate_bounded(path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "OK (partners: 10000)" in result.stdout


def peak_kib(result: subprocess.CompletedProcess[str]) -> int:
    return int(result.stderr.splitlines()[-1])


def test_the_demo_as_a_workbook_claiming_a_huge_dimension_costs_no_more_memory(tmp_path: Path) -> None:
    import csv

    book = Workbook()
    book.remove(book.active)
    demo = ROOT / "stakeholder_graph" / "data" / "demo"
    for file in sorted(demo.glob("*.csv")):
        sheet = book.create_sheet(file.stem)
        with open(file, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    book.save(tmp_path / "demo.xlsx")
    plain = validate_bounded(tmp_path / "demo.xlsx")
    result = validate_bounded(claim_dimension(tmp_path / "demo.xlsx"))
    assert plain.returncode == 0 and result.returncode == 0, result.stderr[-2000:]
    assert "partners: 141" in result.stdout and "attendance: 1144" in result.stdout
    # padding every row to XFD took 2.4 times the memory; reading the cells present, the same
    assert peak_kib(result) < 1.2 * peak_kib(plain), (peak_kib(plain), peak_kib(result))


def _problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        loaders.read_dataset(path)
    return [str(p) for p in info.value.problems]


def test_more_cells_than_the_limit_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_CELLS", 50)
    found = _problems(partners_book(tmp_path / "book.xlsx", 20))
    assert any(re.match(r"book\.xlsx\[partners\]:\d+: -: more than 50 cells with values", p) for p in found)


def test_a_workbook_that_unzips_too_large_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_UNZIPPED_BYTES", 1000)
    found = _problems(partners_book(tmp_path / "book.xlsx", 20))
    assert len(found) == 1 and found[0].startswith("book.xlsx:0: -: the workbook unzips to ")


@pytest.mark.parametrize("module", [reader, workbook])
def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: object) -> None:
    monkeypatch.setattr(module, "MAX_FILE_BYTES", 100)
    if module is workbook:
        path = partners_book(tmp_path / "book.xlsx", 5)
    else:
        path = tmp_path / "partners.csv"
        path.write_text(",".join(HEADER) + "\n" + "p1,A,Industry,US\n" * 20)
    found = _problems(path)
    assert len(found) == 1 and "file too large" in found[0] and ":0: -: " in found[0]


def test_too_many_columns_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "partners.csv"
    extra = [f"x{i}" for i in range(table.MAX_COLUMNS)]
    path.write_text(",".join(HEADER + extra) + "\n" + ",".join(["p1", "A", "Industry", "US"] + [""] * len(extra)) + "\n")
    assert _problems(path) == [f"partners.csv:1: -: {table.MAX_COLUMNS + 4} columns: at most {table.MAX_COLUMNS} are read"]


def test_a_workbook_cell_over_the_length_limit_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "MAX_CELL", 1000)
    found = _problems(partners_book(tmp_path / "book.xlsx", 2, B3="y" * 5000))
    assert found == ["book.xlsx[partners]:3: name: a cell of 5,000 characters: at most 1,000"]


def test_a_csv_line_over_the_length_limit_stops_with_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_LINE", 100)
    path = tmp_path / "partners.csv"
    path.write_text(",".join(HEADER) + "\np1,A,Industry,US\np2," + "B" * 200 + ",Media,US\np3,C,Media,US\n")
    assert _problems(path) == [
        "partners.csv:3: -: a line of 213 characters: at most 100 are read; rows after it were not read"
    ]


def test_a_10_mb_cell_gives_its_cause_not_a_thousand_echoes(tmp_path: Path) -> None:
    """The cell stops the partners table; references to the partners it did not read are not
    reported one by one (before: 1,503 lines, the cause last)."""
    folder = tmp_path / "data"
    folder.mkdir()
    rows = "".join(f"p{i},Org {i},Industry,US\n" for i in range(3, 1500))
    (folder / "partners.csv").write_text(
        ",".join(HEADER) + "\np1,A,Industry,US\np2," + "z" * 10_000_000 + ",Media,US\n" + rows)
    (folder / "events.csv").write_text("event_id,name,date\ne1,Summit,2020-01-01\n")
    (folder / "attendance.csv").write_text(
        "event_id,partner_id\n" + "".join(f"e1,p{i}\n" for i in range(1, 1500)))
    found = _problems(folder)
    assert found == [
        f"partners.csv:3: -: malformed CSV: a cell longer than {table.MAX_CELL:,} characters "
        "(or an unbalanced quote); rows after it were not read"
    ]
