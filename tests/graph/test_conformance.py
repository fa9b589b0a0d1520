"""One conformance suite, run against both stores: MemoryStore and a real Neo4jStore.

Every test takes the ``store`` fixture, parametrised over the two; the Neo4j one runs on the
session's real server (tests/plugins/neo4j_server.py) with an emptied database.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest

from core.model import TABLES, Dataset
from core.window import Window
from graph.memory import MemoryStore
from graph.store import GraphStore

NASTY_NAMES = [
    "x'}) MATCH (n) DETACH DELETE n //",
    'Robert"); DROP TABLE partners;--',
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "<script>alert('x')</script>",
    "back`tick` and $param {brace}",
    "O'Brien & Söhne — 東京",
    "+cmd|' /C calc'!A0",
]


def tiny(*, names: list[str] | None = None) -> Dataset:
    """A hand-built dataset touching every column kind: dates open and closed, two terms of
    one partner on one committee, a Guest, a partner without sector, an online event, list
    and text extra columns (one all-empty), a target without max_share, direct links of two
    kinds (one pair linked twice by the same kind at different times, a weight, an extra)."""
    names = names or ["Acme", "Bantu Labs", "Civic"]
    n = len(names)
    ids = [f"p{i}" for i in range(1, n + 1)]
    sectors = (["Industry", "Academic", ""] * n)[:n]
    countries = (["USA", "KEN", "USA"] * n)[:n]
    cname = {"USA": "United States", "KEN": "Kenya"}
    region = {"USA": "Americas", "KEN": "Africa"}
    sub = {"USA": "Northern America", "KEN": "Eastern Africa"}
    return Dataset.from_frames(
        source="tiny",
        partners=pd.DataFrame({
            "partner_id": ids,
            "name": names,
            "sector": sectors,
            "country": countries,
            "country_name": [cname[c] for c in countries],
            "region": [region[c] for c in countries],
            "subregion": [sub[c] for c in countries],
            "global_south": [c == "KEN" for c in countries],
            "joined": (["2020-01-01", None, "2021-05-01"] * n)[:n],
            "left": ([None, None, "2023-01-01"] * n)[:n],
            "membership": (["Partner", "Guest", "Partner"] * n)[:n],
            "focus_areas": ([("safety", "labor"), (), ("media",)] * n)[:n],
            "note": [names[0], "", ""] + [""] * (n - 3),
            "empty_extra": [""] * n,
        }),
        committees=pd.DataFrame({"committee_id": ["c1", "c2"], "name": [names[0], "Board"],
                                 "program": ["Safety", ""], "kind": ["working group", "board"]}),
        memberships=pd.DataFrame({
            "committee_id": ["c1", "c1", "c1", "c2"],
            "partner_id": ["p1", "p1", "p2", "p3"],
            "role": ["chair", "member", "", "member"],
            "since": ["2020-01-01", "2022-01-01", None, "2021-06-01"],
            "until": ["2021-12-31", None, None, None],
        }),
        events=pd.DataFrame({
            "event_id": ["e1", "e2", "e3"],
            "name": ["Nairobi forum", names[-1], "Online"],
            "date": ["2022-03-01", "2022-09-15", "2023-01-01"],
            "kind": ["convening", "workshop", "webinar"],
            "program": ["Safety", "Safety", ""],
            "city": ["Nairobi", "Boston", ""],
            "country": ["KEN", "USA", ""],
            "country_name": ["Kenya", "United States", ""],
            "region": ["Africa", "Americas", ""],
            "subregion": ["Eastern Africa", "Northern America", ""],
            "topics": ["ai;labor", "", "media"],
        }),
        attendance=pd.DataFrame({
            "event_id": ["e1", "e1", "e2", "e3"],
            "partner_id": ["p1", "p2", "p3", "p1"],
            "role": ["speaker", "", "organizer", ""],
            "attendees": [2, 1, 3, 1],
        }),
        targets=pd.DataFrame({"dimension": ["sector", "region"],
                              "group": ["Civil Society", "Africa"],
                              "min_share": [0.3, 0.2], "max_share": [None, 0.5]}),
        links=pd.DataFrame({
            "source_id": ["p1", "p2", "p1", "p1", "p2"],
            "target_id": ["p2", "p3", "p3", "p3", "p1"],
            "kind": ["collaboration", "grant", "grant", "grant", "grant"],
            "since": ["2021-01-01", "2020-06-01", "2019-01-01", "2022-01-01", None],
            "until": [None, "2022-06-01", "2020-01-01", None, None],
            "weight": [1.0, 2.5, 1.0, 4.0, 3.0],
            "url": [names[0], "", "", "", ""],
        }),
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A generated 2,000-partner dataset (~17k attendance rows), read by the real loader."""
    import loaders
    from loaders.generate import generate

    out = tmp_path_factory.mktemp("gen2000")
    generate(out, partners=2000, seed=11)
    return loaders.read_dataset(out)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    import loaders
    from stakeholder_graph.datasets import bundled_path

    return loaders.read_dataset(bundled_path("demo"))


@pytest.fixture(params=["memory", "neo4j"])
def store(request: pytest.FixtureRequest) -> GraphStore:
    if request.param == "memory":
        return MemoryStore()
    store: GraphStore = request.getfixturevalue("neo4j_store")
    return store


def assert_same(got: Dataset, want: Dataset) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(got.table(name), want.table(name), obj=name)
    assert got.equals(want)


def test_empty_store_reads_back_empty(store: GraphStore) -> None:
    ds = store.dataset()
    assert all(n == 0 for n in ds.counts().values())
    assert store.version() == Dataset.from_frames().version


def test_round_trip_tiny(store: GraphStore) -> None:
    ds = tiny()
    summary = store.load(ds)
    assert summary.written == ds.counts()
    assert summary.created == ds.counts()
    assert_same(store.dataset(), ds)
    back = store.dataset()
    # The all-empty extra column came back, as text; the list column as tuples.
    assert back.partners["empty_extra"].tolist() == ["", "", ""]
    assert back.partners["focus_areas"].tolist() == [("safety", "labor"), (), ("media",)]
    assert back.events["topics"].tolist() == [("ai", "labor"), (), ("media",)]
    # Two terms of p1 on c1 are two memberships.
    assert len(back.memberships.query("committee_id == 'c1' and partner_id == 'p1'")) == 2


def test_round_trip_demo(store: GraphStore, demo: Dataset) -> None:
    store.load(demo)
    assert_same(store.dataset(), demo)


def test_round_trip_generated(store: GraphStore, generated: Dataset) -> None:
    store.load(generated)
    assert_same(store.dataset(), generated)


def test_double_load_is_idempotent(store: GraphStore, generated: Dataset) -> None:
    first = store.load(generated)
    version = store.version()
    second = store.load(generated)
    assert first.created == generated.counts()
    assert second.created == dict.fromkeys(TABLES, 0)
    assert store.version() == version
    assert_same(store.dataset(), generated)


def _changed(ds: Dataset) -> Dataset:
    """``ds`` minus its last partner (and that partner's rows), one renamed, one new partner,
    one attendance row removed, one event re-homed."""
    partners = ds.partners.iloc[:-1].copy()
    gone = ds.partners["partner_id"].iloc[-1]
    partners.loc[partners.index[0], "name"] = "Renamed & Co"
    new = partners.iloc[[0]].copy()
    new["partner_id"] = "zz-new"
    partners = pd.concat([partners, new], ignore_index=True)
    events = ds.events.copy()
    events.loc[events.index[0], ["country", "country_name", "region", "subregion"]] = [
        "USA", "United States", "Americas", "Northern America"]
    attendance = ds.attendance.loc[ds.attendance["partner_id"] != gone].iloc[1:]
    memberships = ds.memberships.loc[ds.memberships["partner_id"] != gone]
    links = ds.links.loc[(ds.links["source_id"] != gone) & (ds.links["target_id"] != gone)]
    links = links.iloc[1:].copy()  # a link between two partners who both stay is removed
    links.loc[links.index[:1], "weight"] = 7.0  # and one changes weight
    first = ds.partners["partner_id"].iloc[0]
    new_link = pd.DataFrame({"source_id": ["zz-new"], "target_id": [first],
                             "kind": ["joint project"], "weight": [0.5]})
    return Dataset.from_frames(partners=partners, committees=ds.committees,
                               memberships=memberships, events=events,
                               attendance=attendance, targets=ds.targets.iloc[1:],
                               links=pd.concat([links, new_link], ignore_index=True))


def test_replace_makes_the_store_equal_the_source(store: GraphStore) -> None:
    old = tiny()
    new = _changed(old)
    store.load(old)
    store.load(new, replace=True)
    assert_same(store.dataset(), new)
    assert store.version() == new.version


def test_links_round_trip_and_replace(store: GraphStore) -> None:
    old = tiny()
    store.load(old)
    back = store.dataset().links
    grants = back.query("source_id == 'p1' and target_id == 'p3' and kind == 'grant'")
    # One pair, one kind, two terms: two links, told apart by since.
    assert grants["since"].dt.year.tolist() == [2019, 2022]
    assert grants["weight"].tolist() == [1.0, 4.0]
    assert back["url"].tolist() == ["Acme", "", "", "", ""]
    store.load(_changed(old), replace=True)
    back = store.dataset().links
    keys = set(zip(back["source_id"], back["target_id"], back["kind"], strict=True))
    assert keys == {("p2", "p1", "grant"), ("zz-new", "p1", "joint project")}
    assert back.set_index("source_id").loc["p2", "weight"] == 7.0


def test_upsert_without_replace_keeps_what_the_source_lacks(store: GraphStore) -> None:
    old = tiny()
    new = _changed(old)
    store.load(old)
    store.load(new)
    assert_same(store.dataset(), old.merged_with(new))


def test_replace_with_generated_then_back(store: GraphStore, generated: Dataset) -> None:
    smaller = _changed(generated)
    store.load(generated)
    store.load(smaller, replace=True)
    assert_same(store.dataset(), smaller)
    store.load(generated, replace=True)
    assert_same(store.dataset(), generated)


def test_version_changes_with_content(store: GraphStore) -> None:
    empty = store.version()
    store.load(tiny())
    loaded = store.version()
    assert loaded != empty
    store.load(tiny())
    assert store.version() == loaded
    store.load(_changed(tiny()))
    assert store.version() not in (empty, loaded)


def test_nasty_names_are_stored_literally(store: GraphStore) -> None:
    ds = tiny(names=NASTY_NAMES)
    store.load(ds)
    back = store.dataset()
    assert back.partners["name"].tolist() == NASTY_NAMES
    assert back.partners["note"].iloc[0] == NASTY_NAMES[0]
    assert back.committees["name"].iloc[0] == NASTY_NAMES[0]
    assert back.events.set_index("event_id").loc["e2", "name"] == NASTY_NAMES[-1]
    assert_same(back, ds)


@pytest.mark.parametrize("as_of", ["2021-01-01", "2022-06-30", "2024-12-31"])
def test_report_json_is_identical(store: GraphStore, demo: Dataset, as_of: str) -> None:
    from analysis.report import build_report
    from core.window import Window

    store.load(demo)
    day = dt.date.fromisoformat(as_of)

    def report(ds: Dataset) -> Any:
        report = build_report(ds, Window.of(as_of=day))
        return json.dumps(report.to_dict(), sort_keys=True, default=str)

    assert report(store.dataset()) == report(demo)


# ---------------------------------------------------------------------- read seams
#
# Each seam on each store is checked against the analysis package's own pandas answer (an
# independent reference, so the memory store is tested too), on the hand-built, the bundled
# and a generated dataset, at windows with and without ``since`` and ``program``.

WINDOWS = [
    {"as_of": "2024-12-31"},
    {"as_of": "2022-06-30", "since": "2021-01-01"},
    {"as_of": "2023-06-30", "program": "Safety"},
]
DIMS = ["sector", "region", "global_south", "membership", "focus_areas"]


def _datasets(request: pytest.FixtureRequest) -> dict[str, Dataset]:
    return {"tiny": tiny(), "demo": request.getfixturevalue("demo"),
            "generated": request.getfixturevalue("generated")}


@pytest.fixture(params=["tiny", "demo", "generated"])
def loaded(request: pytest.FixtureRequest, store: GraphStore) -> tuple[GraphStore, Dataset]:
    ds = _datasets(request)[request.param]
    store.load(ds)
    return store, ds


def _windows(ds: Dataset) -> list[Window]:
    programs = sorted(p for p in set(ds.committees["program"]) | set(ds.events["program"]) if p)
    out = [Window.of(**{k: v for k, v in w.items() if k != "program"}) for w in WINDOWS[:2]]
    out.append(Window.of(as_of=WINDOWS[2]["as_of"], program=programs[0] if programs else None))
    return out


def _dims(ds: Dataset) -> list[str]:
    return [d for d in DIMS if d in ds.partners.columns]


def _subset(ds: Dataset, window: Window) -> Dataset:
    """``ds`` restricted to the window's program, as the analysis restricts it (partners keep
    the first evidence found in the whole dataset)."""
    from analysis.snapshot import program_subset

    return program_subset(ds, window.program)


def test_window_compositions_equal_the_analysis(loaded: tuple[GraphStore, Dataset]) -> None:
    from analysis.diversity import group_compositions

    store, ds = loaded
    dims = _dims(ds)
    for window in _windows(ds):
        want = group_compositions(ds, window.as_of, dims, since=window.since,
                                  program=window.program)
        got = store.group_compositions(window, dims)
        assert len(got) > 0 or len(want) == 0
        pd.testing.assert_frame_equal(got, want, obj=str(window))


def test_group_sizes_equal_the_analysis(loaded: tuple[GraphStore, Dataset]) -> None:
    from analysis.diversity import group_members
    from analysis.snapshot import committees, events_in_window

    store, ds = loaded
    kinds = ds.partners.set_index("partner_id")["membership"]
    for window in _windows(ds):
        got = store.group_sizes(window)
        members = group_members(ds, window.as_of, since=window.since, program=window.program)
        guests = members["partner_id"].map(kinds).eq("Guest")
        counted = members.assign(guest=guests).groupby(["kind", "group_id"]).agg(
            size=("partner_id", "size"), guests=("guest", "sum"))
        ids = [("committee", c) for c in sorted(committees(ds, program=window.program)
                                                 ["committee_id"])]
        ids += [("event", e) for e in sorted(events_in_window(
            ds, as_of=window.as_of, since=window.since, program=window.program)["event_id"])]
        assert list(zip(got["kind"], got["group_id"], strict=True)) == ids
        want = counted.reindex(pd.MultiIndex.from_tuples(ids), fill_value=0)
        assert got["size"].tolist() == want["size"].tolist()
        assert got["guests"].tolist() == want["guests"].tolist()
        assert got["size"].dtype == "int64"


def test_active_counts_equal_the_analysis(loaded: tuple[GraphStore, Dataset]) -> None:
    from analysis.snapshot import active_counts_on

    store, ds = loaded
    dims = [d for d in _dims(ds) if d != "focus_areas"]
    dates = [*ds.events["date"].dropna().tolist(), pd.Timestamp("2024-06-30"),
             pd.Timestamp("1990-01-01")]
    got = store.active_counts(dates, dims)
    partners = ds.partners.loc[ds.partners["membership"] == "Partner"]
    for dim in dims:
        table = active_counts_on(partners, dates, dim)
        table.columns = [str(c) for c in table.columns]
        mine = got.loc[got["dimension"] == dim].pivot(index="date", columns="category",
                                                      values="count")
        want = table.loc[:, (table > 0).any()]
        mine = mine.reindex(index=want.index, columns=want.columns).fillna(0).astype("int64")
        pd.testing.assert_frame_equal(mine, want, check_names=False, check_freq=False, obj=dim)
    assert (got["count"] > 0).all()


def test_incidence_equals_the_analysis_two_mode(loaded: tuple[GraphStore, Dataset]) -> None:
    from analysis.network import two_mode

    store, ds = loaded
    for window in _windows(ds):
        want = two_mode(_subset(ds, window), as_of=window.as_of, since=window.since)
        got = store.incidence(window)
        assert got.partner_ids.tolist() == want.partner_ids.tolist()
        assert got.group_ids.tolist() == want.group_ids.tolist()
        assert got.group_kinds.tolist() == want.group_kinds.tolist()
        assert (got.matrix() != want.matrix).nnz == 0


def test_attendance_of_a_window(loaded: tuple[GraphStore, Dataset]) -> None:
    from analysis.snapshot import events_in_window

    store, ds = loaded
    pd.testing.assert_frame_equal(store.attendance(), ds.attendance[list(TABLES["attendance"])])
    for window in _windows(ds):
        events = events_in_window(ds, as_of=window.as_of, since=window.since,
                                  program=window.program)["event_id"]
        want = ds.attendance.loc[ds.attendance["event_id"].isin(events)].reset_index(drop=True)
        pd.testing.assert_frame_equal(store.attendance(window), want[list(TABLES["attendance"])])


def test_narrow_tables_equal_the_dataset_columns(loaded: tuple[GraphStore, Dataset]) -> None:
    store, ds = loaded
    extras = [c for c in ds.partners.columns if c not in TABLES["partners"]]
    got = store.tables(extras)
    assert store.partner_extras() == extras
    assert store.tables().partners.equals(got.partners)
    assert got.source == ds.source
    for name in TABLES:
        want = ds.table(name)
        if name != "partners":
            want = want[list(TABLES[name])]
        pd.testing.assert_frame_equal(got.table(name), want, obj=name)
    assert list(store.partners().columns) == list(TABLES["partners"])


def test_seams_on_an_empty_store(store: GraphStore) -> None:
    window = Window.of(as_of="2024-01-01")
    assert store.group_compositions(window, ["sector"]).empty
    assert store.group_sizes(window).empty
    assert store.active_counts(["2024-01-01"], ["sector"]).empty
    assert len(store.incidence(window).partner_ids) == 0
    assert all(n == 0 for n in store.tables().counts().values())
    assert store.partner_extras() == []


def test_unknown_partner_column_is_refused(store: GraphStore) -> None:
    store.load(tiny())
    with pytest.raises(ValueError, match="no column 'nope'"):
        store.partners(["nope"])


def test_tiny_known_answers(store: GraphStore) -> None:
    store.load(tiny())
    window = Window.of(as_of="2022-06-30")
    sizes = store.group_sizes(window).set_index(["kind", "group_id"])
    # c1 on 2022-06-30: p1's second term (p2 holds an open seat too); e1 had p1 and p2 (Guest).
    assert sizes.loc[("committee", "c1")].tolist() == [2, 1]
    assert sizes.loc[("event", "e1")].tolist() == [2, 1]
    comp = store.group_compositions(window, ["focus_areas"])
    assert comp.loc[comp["group_id"] == "c1", "category"].tolist() == ["labor", "safety"]
    active = store.active_counts(["2022-06-30"], ["sector"])
    # p1 Industry (Partner); p2 is a Guest; p3 has no sector.
    assert active[["category", "count"]].values.tolist() == [["Industry", 1]]
    inc = store.incidence(window)
    assert inc.partner_ids.tolist() == ["p1", "p2", "p3"]
