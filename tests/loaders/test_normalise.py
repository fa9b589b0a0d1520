"""Normalisation: encodings, delimiters, labels, countries, dates, extras, workbook = CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import loaders
from loaders import countries

ROWS = [
    ["partner_id", "name", "sector", "country", "joined", "focus_areas"],
    ["p1", "Café Lumière", "Civil Society", "France", "2019-03", "privacy;labour"],
    ["p2", "Beta", "civil society ", "US", "", ""],
    ["p3", "Gamma", "INDUSTRY", "IND", "2020-01-15", "safety"],
]


def csv_bytes(delimiter: str, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(ROWS)  # quotes "a;b" in a ;-delimited file
    text = out.getvalue()
    data = text.encode("cp1252" if encoding == "windows-1252" else "utf-8")
    return (b"\xef\xbb\xbf" + data) if encoding == "utf-8-sig" else data


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "windows-1252"])
def test_encodings_and_delimiters_read_the_same(tmp_path: Path, delimiter: str, encoding: str) -> None:
    (tmp_path / "partners.csv").write_bytes(csv_bytes(delimiter, encoding))
    ds = loaders.read_dataset(tmp_path)
    assert ds.partners["name"].tolist() == ["Café Lumière", "Beta", "Gamma"]
    # first spelling seen is canonical; matching ignores case and surrounding space
    assert ds.partners["sector"].tolist() == ["Civil Society", "Civil Society", "INDUSTRY"]
    assert ds.partners["country"].tolist() == ["FRA", "USA", "IND"]
    assert ds.partners["focus_areas"].tolist() == [("privacy", "labour"), (), ("safety",)]
    assert str(ds.partners.loc[0, "joined"].date()) == "2019-03-01"


def test_cr_only_line_endings(tmp_path: Path) -> None:
    (tmp_path / "partners.csv").write_bytes("\r".join(",".join(r) for r in ROWS).encode())
    assert len(loaders.read_dataset(tmp_path).partners) == 3


def test_undecodable_bytes_refused(tmp_path: Path) -> None:
    from core.errors import DataError

    (tmp_path / "partners.csv").write_bytes(b"partner_id,name,sector,country\np1,\x81\x8d,Industry,US\n")
    with pytest.raises(DataError) as info:
        loaders.read_dataset(tmp_path)
    assert "not UTF-8 or Windows-1252" in str(info.value.problems[0])


def test_column_names_case_insensitive_and_extra_columns_kept(tmp_path: Path) -> None:
    (tmp_path / "Partners.CSV").write_text(" Partner_ID ,NAME,Sector,COUNTRY,Website\np1,A,Media,GB,https://a.example\n")
    ds = loaders.read_dataset(tmp_path)
    assert ds.partners.loc[0, "website"] == "https://a.example"
    assert ds.partners.loc[0, "country_name"] == "United Kingdom"


def test_country_spellings_resolve_to_one_iso3() -> None:
    assert {countries.resolve(s).iso3 for s in ("US", "USA", "United States")} == {"USA"}  # type: ignore[union-attr]
    assert countries.resolve("Brazil").region == "Americas"  # type: ignore[union-attr]
    assert countries.resolve("Brazil").subregion == "South America"  # type: ignore[union-attr]


def test_global_south_default_and_override(tmp_path: Path) -> None:
    assert countries.resolve("Brazil").global_south is True  # type: ignore[union-attr]
    assert countries.resolve("Japan").global_south is False  # type: ignore[union-attr]
    assert countries.resolve("Australia").global_south is False  # type: ignore[union-attr]
    (tmp_path / "partners.csv").write_text(
        "partner_id,name,sector,country,global_south\np1,A,Industry,Chile,\np2,B,Industry,Chile,false\n"
    )
    ds = loaders.read_dataset(tmp_path)
    assert ds.partners["global_south"].tolist() == [True, False]
    ds = loaders.read_dataset(tmp_path, global_south={"CHL": False})
    assert ds.partners["global_south"].tolist() == [False, False]
    overrides = tmp_path / "gs.csv"
    overrides.write_text("country,global_south\nChile,no\n")
    assert countries.load_global_south_overrides(overrides) == {"CHL": False}


def test_workbook_gives_the_same_dataset_as_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "partners.csv").write_text("\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    (folder / "events.csv").write_text("event_id,name,date,topics\ne1,Workshop,2021-06-01,ai;policy\n")
    (folder / "attendance.csv").write_text("event_id,partner_id,attendees\ne1,p1,2\n")
    book = Workbook()
    book.remove(book.active)
    for name, rows in {
        "partners": ROWS,
        "events": [["event_id", "name", "date", "topics"], ["e1", "Workshop", "2021-06-01", "ai;policy"]],
        "attendance": [["event_id", "partner_id", "attendees"], ["e1", "p1", 2]],
    }.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert loaders.read_dataset(path).equals(loaders.read_dataset(folder))


def test_empty_country_is_allowed_as_unknown(tmp_path: Path) -> None:
    (tmp_path / "partners.csv").write_text("partner_id,name,sector,country\np1,A,Industry,\n")
    ds = loaders.read_dataset(tmp_path)
    assert ds.partners.loc[0, "country"] == "" and ds.partners.loc[0, "region"] == ""
