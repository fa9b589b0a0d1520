"""One test per validation rule: a tiny bad file, and the exact file, line and column reported."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from core.errors import DataError

PARTNERS = "partner_id,name,sector,country,joined,left\np1,Alpha,Industry,US,2016-01-01,\np2,Beta,Civil Society,Kenya,2018-05,\n"


def write(folder: Path, **tables: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables.setdefault("partners", PARTNERS)
    for name, text in tables.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        loaders.read_dataset(folder)
    return [str(p) for p in info.value.problems]


def test_valid_minimal_dataset_loads(tmp_path: Path) -> None:
    ds = loaders.read_dataset(write(tmp_path))
    assert ds.partners["partner_id"].tolist() == ["p1", "p2"]
    assert ds.partners["country"].tolist() == ["USA", "KEN"]
    assert ds.partners["region"].tolist() == ["Americas", "Africa"]
    assert ds.partners["subregion"].tolist() == ["Northern America", "Eastern Africa"]
    assert ds.partners["global_south"].tolist() == [False, True]
    assert str(ds.partners.loc[1, "joined"].date()) == "2018-05-01"


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param({"partners": "partner_id,name,sector\np1,A,Industry\n"},
                     "partners.csv:1: country: missing required column", id="missing-column"),
        pytest.param({"partners": "partner_id,name,sector,country\np1,,Industry,US\n"},
                     "partners.csv:2: name: empty required value", id="empty-required"),
        pytest.param({"partners": "partner_id,name,sector,country\np1,A,Industry,US\np1,B,Media,US\n"},
                     "partners.csv:3: partner_id: duplicate partner_id 'p1' (first at line 2)", id="duplicate-id"),
        pytest.param({"memberships": "committee_id,partner_id\nc1,p1\n",
                      "committees": "committee_id,name\nc2,Other\n"},
                     "memberships.csv:2: committee_id: unknown committee 'c1': not in committees",
                     id="unknown-committee"),
        pytest.param({"memberships": "committee_id,partner_id\nc1,p9\n",
                      "committees": "committee_id,name\nc1,Steering\n"},
                     "memberships.csv:2: partner_id: unknown partner 'p9': not in partners",
                     id="unknown-partner-membership"),
        pytest.param({"attendance": "event_id,partner_id\ne9,p1\n",
                      "events": "event_id,name,date\ne1,Workshop,2020-01-01\n"},
                     "attendance.csv:2: event_id: unknown event 'e9': not in events", id="unknown-event"),
        pytest.param({"attendance": "event_id,partner_id\ne1,p1\n"},
                     "attendance.csv:0: event_id: refers to events but there is no events table",
                     id="attendance-without-events"),
        pytest.param({"events": "event_id,name,date\ne1,Workshop,next week\n"},
                     "events.csv:2: date: not a date: 'next week' (expected YYYY-MM-DD or YYYY-MM)",
                     id="unparseable-date"),
        pytest.param({"events": "event_id,name,date\ne1,Workshop,2023-02-30\n"},
                     "events.csv:2: date: impossible date 2023-02-30", id="impossible-date"),
        pytest.param({"partners": "partner_id,name,sector,country,joined,left\np1,A,Industry,US,2020-01-01,2019-12-31\n"},
                     "partners.csv:2: left: left 2019-12-31 is before joined 2020-01-01", id="left-before-joined"),
        pytest.param({"memberships": "committee_id,partner_id,since,until\nc1,p1,2020-05,2020-04\n",
                      "committees": "committee_id,name\nc1,Steering\n"},
                     "memberships.csv:2: until: until 2020-04-01 is before since 2020-05-01",
                     id="until-before-since"),
        pytest.param({"partners": "partner_id,name,sector,country\np1,A,Industry,Germny\n"},
                     "partners.csv:2: country: unknown country 'Germny'; did you mean 'Germany'?",
                     id="unknown-country"),
        pytest.param({"attendance": "event_id,partner_id,attendees\ne1,p1,two\n",
                      "events": "event_id,name,date\ne1,Workshop,2020-01-01\n"},
                     "attendance.csv:2: attendees: bad number 'two': expected a whole number >= 1",
                     id="bad-number"),
        pytest.param({"attendance": "event_id,partner_id,attendees\ne1,p1,0\n",
                      "events": "event_id,name,date\ne1,Workshop,2020-01-01\n"},
                     "attendance.csv:2: attendees: bad number '0': expected a whole number >= 1",
                     id="attendees-zero"),
        pytest.param({"targets": "dimension,group,min_share\nsector,Industry,1.5\n"},
                     "targets.csv:2: min_share: share 1.5 is outside [0, 1]", id="share-outside"),
        pytest.param({"targets": "dimension,group,min_share\nsector,Industry,0.6\nsector,Civil Society,0.5\n"},
                     "targets.csv:3: min_share: min_share targets for sector sum to more than 1",
                     id="targets-sum-over-one"),
        pytest.param({"targets": "dimension,group,min_share\nsector,Industry,lots\n"},
                     "targets.csv:2: min_share: bad number 'lots'", id="share-not-number"),
        pytest.param({"targets": "dimension,group,min_share\ncolour,Blue,0.2\n"},
                     "targets.csv:2: dimension: unknown dimension 'colour': expected one of sector, region, "
                     "subregion, country, global_south, membership or a partners column", id="unknown-dimension"),
        pytest.param({"partners": 'partner_id,name,sector,country\np1,"Alpha,Industry,US\n'},
                     "partners.csv:2: -: malformed CSV: unbalanced quote: a quoted field is never closed",
                     id="unbalanced-quote"),
        pytest.param({"partners": "partner_id,name,sector,country\np1,A,Industry,US,extra\n"},
                     "partners.csv:2: -: ragged row: 5 fields where the header has 4", id="ragged-row"),
        pytest.param({"partners": "partner_id,name,sector,country,name\np1,A,Industry,US,B\n"},
                     "partners.csv:1: name: duplicate column name", id="duplicate-header"),
        pytest.param({"partners": ""}, "partners.csv:1: -: empty file: expected a header row", id="empty-file"),
        pytest.param({"partners": "partner_id,name,sector,country,membership\np1,A,Industry,US,Friend\n"},
                     "partners.csv:2: membership: expected Partner or Guest, got 'Friend'", id="bad-membership"),
        pytest.param({"attendance": "event_id,partner_id\ne1,p1\ne1,p1\n",
                      "events": "event_id,name,date\ne1,Workshop,2020-01-01\n"},
                     "attendance.csv:3: -: duplicate attendance (same event and partner) (first at line 2)",
                     id="duplicate-attendance"),
    ],
)
def test_rule(tmp_path: Path, tables: dict[str, str], expected: str) -> None:
    assert expected in problems(write(tmp_path, **tables))


def test_missing_partners_table(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "events.csv").write_text("event_id,name,date\ne1,W,2020-01-01\n")
    assert any("missing required table partners" in p for p in problems(folder))


def test_missing_source(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}:0: -: no such file or folder"]


def test_nul_byte_is_refused_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "partners.csv").write_bytes(b"partner_id,name,sector,country\np1,A\x00,Industry,US\n")
    assert problems(folder) == ["partners.csv:2: -: NUL byte in file: this is not a text CSV"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(write(
        tmp_path,
        partners="partner_id,name,sector,country,joined\np1,,Industry,Narnia,2020-13-01\np1,B,Media,US,\n",
        events="event_id,name,date\ne1,W,someday\n",
        attendance="event_id,partner_id\ne1,p7\n",
    ))
    assert found == [
        "attendance.csv:2: partner_id: unknown partner 'p7': not in partners",
        "events.csv:2: date: not a date: 'someday' (expected YYYY-MM-DD or YYYY-MM)",
        "partners.csv:2: country: unknown country 'Narnia'",
        "partners.csv:2: joined: impossible date 2020-13-01",
        "partners.csv:2: name: empty required value",
        "partners.csv:3: partner_id: duplicate partner_id 'p1' (first at line 2)",
    ]


def test_multiline_quoted_cell_keeps_line_numbers(tmp_path: Path) -> None:
    text = 'partner_id,name,sector,country\np1,"Alpha\nLabs",Industry,US\np2,Beta,Industry,Atlantis\n'
    assert problems(write(tmp_path, partners=text)) == ["partners.csv:4: country: unknown country 'Atlantis'"]


def test_workbook_problems_name_book_sheet_and_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Partners"
    sheet.append(["Partner_ID", "Name", "Sector", "Country"])
    sheet.append(["p1", "A", "Industry", "US"])
    sheet.append(["p2", "B", "Industry", "Nowhereland"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert problems(path) == ["book.xlsx[Partners]:3: country: unknown country 'Nowhereland'"]
