"""A fixed corpus of nasty files (tests/data/nasty): each is read correctly or refused clearly.

A case is a folder holding ``partners.csv`` (read as a CSV folder) or ``book.xlsx`` (read as a
workbook; written by ``tools/hostile_workbooks.py``).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from stakeholder_graph import cli

CORPUS = Path(__file__).resolve().parent.parent / "data" / "nasty"
with open(CORPUS / "EXPECTED.tsv", newline="") as handle:
    CASES = [(row["case"], row["expected"]) for row in csv.DictReader(handle, delimiter="\t")]
LOCATED = re.compile(r"^(partners\.csv|book\.xlsx\[[^\]]+\]):\d+: [^:]+: .+$")


def source(case: str) -> Path:
    book = CORPUS / case / "book.xlsx"
    return book if book.exists() else CORPUS / case


def test_corpus_is_complete() -> None:
    assert sorted(name for name, _ in CASES) == sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


@pytest.mark.parametrize(("case", "expected"), CASES, ids=[c for c, _ in CASES])
def test_nasty_file(case: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["validate", str(source(case))])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    if expected == "ok":
        assert code == 0, err
        assert "OK" in out
    else:
        assert code == 1
        problems = [line for line in err.splitlines() if not line.endswith("nothing was written.")]
        assert problems and all(LOCATED.match(line) for line in problems), err
        assert expected in err


def test_huge_cell_is_kept_whole() -> None:
    import loaders

    ds = loaders.read_dataset(CORPUS / "huge_cell")
    assert len(ds.partners.loc[0, "name"]) == 200_000


def test_formula_and_markup_names_are_kept_literally() -> None:
    import loaders

    names = loaders.read_dataset(CORPUS / "formula_names").partners["name"].tolist()
    assert names == ['=HYPERLINK("http://x","y")', "+cmd|calc", "@SUM(A1)", "<script>alert(1)</script>"]


def test_windows_1252_text_is_decoded() -> None:
    import loaders

    assert loaders.read_dataset(CORPUS / "windows_1252").partners.loc[0, "name"] == "Café Lumière"


def test_workbook_shapes_read_the_right_rows() -> None:
    """A title, merged group labels and a claimed dimension change nothing; a numeric serial
    date is a date."""
    import loaders

    for case in ("xlsx_claimed_dimension", "xlsx_title_rows", "xlsx_merged_header"):
        ds = loaders.read_dataset(source(case))
        assert ds.partners["partner_id"].tolist() == ["p1", "p2", "p3"], case
        assert ds.partners["country"].tolist() == ["USA", "KEN", "IND"], case


def test_workbook_cases_match_their_maker() -> None:
    from tools.hostile_workbooks import EXPECTED

    assert {f"xlsx_{k}": v for k, v in EXPECTED.items()}.items() <= dict(CASES).items()
