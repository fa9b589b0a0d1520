"""Tests of loaders.generate: determinism, shape, keys, references, intervals, tails, countries.

Every property is checked on the CSV files themselves (read back as text), so a test fails when
the files a user gets are wrong, whatever the generator did internally.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import country_converter as coco
import numpy as np
import pandas as pd
import pytest

from core.errors import RequestError
from loaders.generate import END, SECTORS, START, TABLE_ORDER, generate

HEADERS = {
    "partners": ["partner_id", "name", "sector", "country", "joined", "left", "membership",
                 "focus_areas"],
    "committees": ["committee_id", "name", "program", "kind"],
    "memberships": ["committee_id", "partner_id", "role", "since", "until"],
    "events": ["event_id", "name", "date", "kind", "program", "city", "country", "topics"],
    "attendance": ["event_id", "partner_id", "role", "attendees"],
    "targets": ["dimension", "group", "min_share", "max_share"],
    "links": ["source_id", "target_id", "kind", "since", "until", "weight"],
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read(folder: Path) -> dict[str, pd.DataFrame]:
    # Everything as text, empty cells as "": exactly what a loader sees.
    return {
        t: pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
        for t in TABLE_ORDER
    }


def gini(values: np.ndarray) -> float:
    """Gini coefficient by the sorted-rank formula (linear memory, for 20,000 partners)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    ranks = np.arange(1, n + 1)
    return float(np.sum((2 * ranks - n - 1) * x) / (n * x.sum()))


def gini_by_definition(values: np.ndarray) -> float:
    """Mean absolute difference over all ordered pairs, over twice the mean (quadratic)."""
    x = np.asarray(values, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean()))


def attendance_per_partner(tables: dict[str, pd.DataFrame]) -> np.ndarray:
    counts = tables["attendance"].groupby("partner_id").size()
    return counts.reindex(tables["partners"]["partner_id"], fill_value=0).to_numpy()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("gen2000")
    return folder, generate(folder, partners=2000, seed=0)


@pytest.fixture(scope="module")
def small_tables(small: tuple[Path, object]) -> dict[str, pd.DataFrame]:
    return read(small[0])


@pytest.fixture(scope="module")
def large_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("gen20000")
    generate(folder, partners=20000, seed=7)
    return read(folder)


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(small: tuple[Path, object], tmp_path: Path) -> None:
    generate(tmp_path, partners=2000, seed=0)
    for table in TABLE_ORDER:
        name = f"{table}.csv"
        assert (tmp_path / name).read_bytes() == (small[0] / name).read_bytes(), name


def test_different_seed_gives_different_data(small: tuple[Path, object], tmp_path: Path) -> None:
    generate(tmp_path, partners=2000, seed=1)
    for table in ("partners", "memberships", "events", "attendance"):
        name = f"{table}.csv"
        assert (tmp_path / name).read_bytes() != (small[0] / name).read_bytes(), name


# --- shape -------------------------------------------------------------------------------------


def test_summary_counts_match_the_files(small: tuple[Path, object],
                                        small_tables: dict[str, pd.DataFrame]) -> None:
    summary = small[1]
    data = summary.to_dict()  # type: ignore[attr-defined]
    assert json.loads(json.dumps(data)) == data
    assert data["seed"] == 0 and data["partners"] == 2000 and data["seconds"] >= 0
    assert data["rows"] == {t: len(small_tables[t]) for t in TABLE_ORDER}


def test_row_counts_at_2000_partners(small_tables: dict[str, pd.DataFrame]) -> None:
    counts = {t: len(f) for t, f in small_tables.items()}
    assert counts["partners"] == 2000
    assert counts["events"] == 200
    assert counts["committees"] == 20
    assert 12_000 <= counts["attendance"] <= 30_000
    assert 500 <= counts["memberships"] <= 6_000
    assert counts["targets"] >= 4


def test_row_counts_at_20000_partners(large_tables: dict[str, pd.DataFrame]) -> None:
    assert len(large_tables["events"]) == 2000
    assert len(large_tables["committees"]) == 200
    assert 150_000 <= len(large_tables["attendance"]) <= 250_000
    sizes = large_tables["attendance"].groupby("event_id").size()
    assert 70 <= sizes.mean() <= 110


def test_headers_and_formats(small_tables: dict[str, pd.DataFrame]) -> None:
    for table, frame in small_tables.items():
        assert list(frame.columns) == HEADERS[table], table
    dates = [
        small_tables["partners"]["joined"], small_tables["partners"]["left"],
        small_tables["memberships"]["since"], small_tables["memberships"]["until"],
        small_tables["events"]["date"],
    ]
    for column in dates:
        filled = column[column != ""]
        assert filled.str.match(DATE).all(), column.name
        assert filled.min() >= str(START) and filled.max() <= str(END), column.name
    assert (small_tables["events"]["date"] != "").all()
    for table, key in (("partners", ["partner_id", "name", "sector", "country"]),
                       ("committees", ["committee_id", "name", "program", "kind"]),
                       ("events", ["event_id", "name", "kind", "program", "city", "topics"]),
                       ("attendance", ["event_id", "partner_id", "role", "attendees"])):
        assert (small_tables[table][key] != "").all().all(), table


def test_attendees_are_positive_integers_mostly_one(small_tables: dict[str, pd.DataFrame]) -> None:
    attendees = small_tables["attendance"]["attendees"]
    assert attendees.str.fullmatch(r"[1-9][0-9]*").all()
    assert (attendees == "1").mean() > 0.7
    assert set(small_tables["attendance"]["role"]) == {"organizer", "speaker", "participant"}
    # Exactly one organizer per event that has attendees.
    organizers = small_tables["attendance"].query("role == 'organizer'").groupby("event_id").size()
    assert (organizers == 1).all()
    assert len(organizers) == small_tables["attendance"]["event_id"].nunique()


def test_topics_are_semicolon_lists(small_tables: dict[str, pd.DataFrame]) -> None:
    topics = small_tables["events"]["topics"].str.split(";")
    assert topics.map(len).between(1, 3).all()
    assert (topics.map(len) > 1).any()
    assert topics.map(lambda t: len(set(t)) == len(t)).all()


# --- keys and references -----------------------------------------------------------------------


def test_no_duplicate_keys(small_tables: dict[str, pd.DataFrame],
                           large_tables: dict[str, pd.DataFrame]) -> None:
    for tables in (small_tables, large_tables):
        assert tables["partners"]["partner_id"].is_unique
        assert tables["committees"]["committee_id"].is_unique
        assert tables["events"]["event_id"].is_unique
        assert not tables["attendance"].duplicated(["event_id", "partner_id"]).any()
        assert not tables["memberships"].duplicated(["committee_id", "partner_id", "since"]).any()
        assert not tables["targets"].duplicated(["dimension", "group"]).any()


def test_every_reference_resolves(small_tables: dict[str, pd.DataFrame]) -> None:
    partners = set(small_tables["partners"]["partner_id"])
    assert set(small_tables["memberships"]["partner_id"]) <= partners
    assert set(small_tables["attendance"]["partner_id"]) <= partners
    assert set(small_tables["memberships"]["committee_id"]) <= set(
        small_tables["committees"]["committee_id"])
    assert set(small_tables["attendance"]["event_id"]) <= set(small_tables["events"]["event_id"])


# --- intervals ---------------------------------------------------------------------------------


def test_intervals_are_valid(small_tables: dict[str, pd.DataFrame]) -> None:
    p = small_tables["partners"]
    both = p[(p["joined"] != "") & (p["left"] != "")]
    assert len(both) > 0
    assert (both["left"] > both["joined"]).all()
    m = small_tables["memberships"]
    closed = m[m["until"] != ""]
    assert len(closed) > 0 and (m["since"] != "").all()
    assert (closed["until"] > closed["since"]).all()


def test_memberships_lie_within_the_partners_tenure(small_tables: dict[str, pd.DataFrame]) -> None:
    m = small_tables["memberships"].merge(small_tables["partners"], on="partner_id")
    assert ((m["joined"] == "") | (m["joined"] <= m["since"])).all()
    # A term never outlasts the partner: a leaver's membership ends by the day they left.
    leavers = m[m["left"] != ""]
    assert ((leavers["until"] != "") & (leavers["until"] <= leavers["left"])).all()
    # Guests attend events but hold no committee seats.
    assert (m["membership"] == "Partner").all()
    chairs = small_tables["memberships"].query("role == 'chair'")["committee_id"]
    assert set(chairs) == set(small_tables["memberships"]["committee_id"])


def test_attendees_are_active_on_the_event_date(small_tables: dict[str, pd.DataFrame]) -> None:
    a = small_tables["attendance"].merge(small_tables["events"][["event_id", "date"]])
    a = a.merge(small_tables["partners"][["partner_id", "joined", "left"]])
    active = ((a["joined"] == "") | (a["joined"] <= a["date"])) & (
        (a["left"] == "") | (a["date"] < a["left"]))
    assert active.all()


# --- realistic shape ---------------------------------------------------------------------------


def test_gini_helper_known_answers() -> None:
    assert gini(np.array([5, 5, 5, 5])) == 0.0
    # One of four holds everything: mean |xi - xj| over 16 pairs = 6 * 4 / 16 = 1.5, mean 1.
    assert gini(np.array([0, 0, 0, 4])) == pytest.approx(0.75)
    assert gini_by_definition(np.array([0, 0, 0, 4])) == pytest.approx(0.75)
    sample = np.random.default_rng(0).pareto(1.5, size=300)
    assert gini(sample) == pytest.approx(gini_by_definition(sample))


def test_attendance_is_heavy_tailed(small_tables: dict[str, pd.DataFrame],
                                    large_tables: dict[str, pd.DataFrame]) -> None:
    for tables in (small_tables, large_tables):
        per = np.sort(attendance_per_partner(tables))[::-1]
        top = per[: len(per) // 100].sum() / per.sum()
        assert top > 0.10
        assert gini(per) > 0.5
        assert (per == 0).mean() > 0.05  # many attend none
        assert per[0] > 20 * np.median(per)  # a few attend very many
    sizes = large_tables["attendance"].groupby("event_id").size()
    assert sizes.max() > 8 * sizes.median()  # a few very large events


def test_sectors_and_membership_are_skewed(large_tables: dict[str, pd.DataFrame]) -> None:
    p = large_tables["partners"]
    shares = p["sector"].value_counts(normalize=True)
    assert set(shares.index) == set(SECTORS)
    assert shares.idxmax() == "Industry" and shares.max() > 0.3
    assert shares.min() < 0.08
    guests = (p["membership"] == "Guest").mean()
    assert set(p["membership"]) == {"Partner", "Guest"} and 0.01 < guests < 0.08
    left = (p["left"] != "").mean()
    assert 0.05 < left < 0.15
    years = p.loc[p["joined"] != "", "joined"].str[:4]
    assert years.nunique() == 10
    assert (p["joined"] == "").any()  # founders: partners since before the data starts


def test_every_country_resolves_and_countries_are_skewed(
        large_tables: dict[str, pd.DataFrame]) -> None:
    partner_countries = large_tables["partners"]["country"]
    event_countries = large_tables["events"]["country"]
    codes = sorted(set(partner_countries) | set(event_countries[event_countries != ""]))
    converted = coco.convert(names=codes, to="ISO3", not_found="not found")
    assert list(converted) == codes
    shares = partner_countries.value_counts(normalize=True)
    assert partner_countries.nunique() > 100
    assert 0.05 < shares.iloc[0] < 0.4
    assert shares.iloc[:10].sum() > 0.4  # Zipf: a few countries hold much of the network
    regions = coco.convert(names=list(shares.index), to="continent")
    assert {"Africa", "Asia", "Europe", "America", "Oceania"} <= set(regions)
    # Webinars are held online; every other event names a city in a country.
    online = large_tables["events"]["city"] == "Online"
    assert online.any() and (event_countries[online] == "").all()
    assert (event_countries[~online] != "").all()


# --- arguments and callbacks -------------------------------------------------------------------


@pytest.mark.parametrize("partners", [0, -5, 1.5, True, "10", None])
def test_bad_partners_is_a_value_error(partners: object, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="partners"):
        generate(tmp_path, partners=partners, seed=0)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("seed", [-1, 1.5, "a", True, None])
def test_bad_seed_is_a_value_error(seed: object, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="seed"):
        generate(tmp_path, partners=10, seed=seed)  # type: ignore[arg-type]


def test_out_dir_that_is_a_file_is_a_value_error(tmp_path: Path) -> None:
    target = tmp_path / "file.csv"
    target.write_text("x")
    with pytest.raises(ValueError, match="out_dir"):
        generate(target, partners=10)


def test_unwritable_out_dir_is_a_request_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file.csv"
    blocker.write_text("x")
    # A folder below a file can never be created, whoever runs the test (root included).
    with pytest.raises(RequestError, match="cannot write"):
        generate(blocker / "sub", partners=10)


def test_progress_reports_each_table_in_order(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    generate(tmp_path / "new" / "nested", partners=50, seed=3,
             progress=lambda *args: calls.append(args))
    assert calls == [(t, i, len(TABLE_ORDER)) for i, t in enumerate(TABLE_ORDER, start=1)]


def test_single_partner(tmp_path: Path) -> None:
    summary = generate(tmp_path, partners=1, seed=0)
    tables = read(tmp_path)
    assert summary.rows["partners"] == 1 and summary.rows["events"] == 1
    assert summary.rows["committees"] == 4
    assert len(tables["attendance"]) <= 1


# --- the loader accepts what the generator writes ----------------------------------------------


@pytest.mark.parametrize("partners", [1, 500])
def test_generated_dataset_loads_without_problems(partners: int, tmp_path: Path) -> None:
    from loaders import read_dataset

    summary = generate(tmp_path, partners=partners, seed=11)
    dataset = read_dataset(tmp_path)  # raises DataError listing any problem
    assert dataset.counts() == summary.rows
    assert (dataset.partners["region"] != "").all()
    assert dataset.partners["membership"].isin(["Partner", "Guest"]).all()
