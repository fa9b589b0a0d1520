"""Neo4jStore beyond the shared conformance suite: constraints, exact counts, Cypher-side
aggregation against pandas, failures (wrong password, unreachable, unknown database, server
killed mid-load), and a recording fake driver that pins the exact queries and parameters."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pandas as pd
import pytest

from core.errors import DataError, StoreError
from core.model import TABLES, Dataset
from core.settings import Neo4jSettings
from core.window import Window
from graph import cypher, server
from graph.neo4j_store import Neo4jStore
from tests.graph.test_conformance import _changed, tiny


def counts(store: Neo4jStore) -> dict[str, int]:
    """Nodes per label and relationships per type, counted in the database itself."""
    with store._driver.session() as session:
        nodes = {r["label"]: r["n"] for r in session.run(
            "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")}
        rels = {r["type"]: r["n"] for r in session.run(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")}
    return {**nodes, **rels}


def expected_counts(ds: Dataset) -> dict[str, int]:
    """What the graph of ``ds`` must hold, computed from the frames alone."""
    p, e = ds.partners, ds.events
    countries = set(p["country"]) | set(e["country"])
    countries.discard("")
    regions = set(p.loc[p["country"] != "", "region"]) | set(e.loc[e["country"] != "", "region"])
    regions.discard("")
    want = {
        "Partner": len(p), "Committee": len(ds.committees), "Event": len(e),
        "Target": len(ds.targets), "Meta": 1,
        "Sector": p.loc[p["sector"] != "", "sector"].nunique(),
        "Country": len(countries), "Region": len(regions),
        "IN_SECTOR": int((p["sector"] != "").sum()),
        "BASED_IN": int((p["country"] != "").sum()),
        "HELD_IN": int((e["country"] != "").sum()),
        "IN_REGION": len(countries),
        "MEMBER_OF": len(ds.memberships), "ATTENDED": len(ds.attendance),
        "LINKED": len(ds.links),
    }
    return {k: v for k, v in want.items() if v}


@pytest.fixture(scope="module")
def generated_3k(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    import loaders
    from loaders.generate import generate

    out = tmp_path_factory.mktemp("gen300")
    generate(out, partners=300, seed=5)  # ~3,000 attendance rows: a few thousand in all
    return loaders.read_dataset(out)


# ------------------------------------------------------------------ real server


def test_constraints_exist_after_the_first_load(neo4j_store: Neo4jStore) -> None:
    with neo4j_store._driver.session() as session:
        for name in cypher.CONSTRAINTS:
            session.run(f"DROP CONSTRAINT {name} IF EXISTS").consume()
    assert not {c["name"] for c in neo4j_store.constraints()} & set(cypher.CONSTRAINTS)
    neo4j_store.load(tiny())
    found = {c["name"]: c for c in neo4j_store.constraints()}
    for name, (label, prop) in cypher.CONSTRAINED.items():
        assert found[name]["type"] == "UNIQUENESS"
        assert found[name]["labelsOrTypes"] == [label]
        assert found[name]["properties"] == [prop]


def test_graph_holds_one_node_per_record_and_one_relationship_per_fact(
    neo4j_store: Neo4jStore, generated_3k: Dataset
) -> None:
    neo4j_store.load(generated_3k)
    neo4j_store.load(generated_3k)
    assert counts(neo4j_store) == expected_counts(generated_3k)


def test_summary_counts_created_and_deleted_per_key(neo4j_store: Neo4jStore) -> None:
    old = tiny()
    new = _changed(old)  # one partner gone, one new, one attendance row and one target gone
    neo4j_store.load(old)
    summary = neo4j_store.load(new, replace=True)
    assert summary.created == {**dict.fromkeys(TABLES, 0), "partners": 1, "links": 1}
    assert summary.deleted == {"partners": 1, "committees": 0, "memberships": 1,
                               "events": 0, "attendance": 2, "targets": 1, "links": 4}
    assert counts(neo4j_store) == expected_counts(new)


def test_sector_and_country_changes_move_the_relationships(neo4j_store: Neo4jStore) -> None:
    ds = tiny()
    neo4j_store.load(ds)
    partners = ds.partners.copy()
    partners.loc[0, ["sector", "country", "country_name", "region", "subregion",
                     "global_south"]] = ["Media", "KEN", "Kenya", "Africa", "Eastern Africa", True]
    moved = Dataset.from_frames(**{**ds.tables(), "partners": partners})
    neo4j_store.load(moved)
    assert neo4j_store.dataset().equals(moved)
    got = counts(neo4j_store)
    assert got["IN_SECTOR"] == 2 and got["BASED_IN"] == 3


def _pandas_compositions(ds: Dataset, day: dt.date, dims: tuple[str, ...]) -> pd.DataFrame:
    """The same table by a direct reading of DESIGN.md, independent of analysis/."""
    d = pd.Timestamp(day)
    p = ds.partners.set_index("partner_id")
    active_p = ((p["joined"].isna() | (p["joined"] <= d)) & (p["left"].isna() | (d < p["left"])))
    m = ds.memberships
    active_m = (m["since"].isna() | (m["since"] <= d)) & (m["until"].isna() | (d < m["until"]))
    seats = m.loc[active_m & m["partner_id"].map(active_p).astype(bool)]
    seats = seats[["committee_id", "partner_id"]].drop_duplicates()
    past = set(ds.events.loc[ds.events["date"] <= d, "event_id"])
    att = ds.attendance.loc[ds.attendance["event_id"].isin(past), ["event_id", "partner_id"]]
    rows = []
    for kind, frame, key in (("committee", seats, "committee_id"), ("event", att, "event_id")):
        for dim in dims:
            cat = frame["partner_id"].map(p[dim])
            if dim == "global_south":
                cat = cat.map(str)
            counted = Counter(zip(frame[key], cat, strict=True))
            rows += [(kind, g, dim, c, n) for (g, c), n in counted.items() if c != ""]
    out = pd.DataFrame(rows, columns=["kind", "group_id", "dimension", "category", "count"])
    order = {x: i for i, x in enumerate(dims)}
    out = out.assign(_d=out["dimension"].map(order)).sort_values(
        ["kind", "group_id", "_d", "category"]).drop(columns="_d").reset_index(drop=True)
    out["count"] = out["count"].astype("int64")
    return out


@pytest.mark.parametrize("day", [dt.date(2018, 1, 1), dt.date(2021, 7, 1), dt.date(2030, 1, 1)])
def test_group_compositions_in_cypher_equal_pandas(
    neo4j_store: Neo4jStore, generated_3k: Dataset, day: dt.date
) -> None:
    from analysis.diversity import group_compositions

    neo4j_store.load(generated_3k)
    dims = ("sector", "region", "subregion", "global_south", "membership")
    got = neo4j_store.group_compositions(Window.of(as_of=day), dims)
    want = _pandas_compositions(generated_3k, day, dims)
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(got, group_compositions(generated_3k, day, dims))
    assert len(got) > 0 or day.year == 2018


def test_group_compositions_known_answer(neo4j_store: Neo4jStore) -> None:
    neo4j_store.load(tiny())
    got = neo4j_store.group_compositions(Window.of(as_of="2022-06-01"), ("sector",))
    # c1 on 2022-06-01: p1's second term (Industry) and p2 (Academic); p1's first term ended.
    # c2: p3 has no sector -> not counted. e1 (2022-03-01): p1, p2. e2, e3 are later.
    assert got.values.tolist() == [
        ["committee", "c1", "sector", "Academic", 1],
        ["committee", "c1", "sector", "Industry", 1],
        ["event", "e1", "sector", "Academic", 1],
        ["event", "e1", "sector", "Industry", 1],
    ]


def test_wrong_password_is_a_store_error_without_the_password(neo4j_server: Any) -> None:
    wrong = "not-the-password-4711"
    settings = Neo4jSettings(uri=neo4j_server.uri, password=wrong)
    with pytest.raises(StoreError) as info:
        Neo4jStore.connect(settings)
    assert "credentials" in str(info.value)
    assert wrong not in str(info.value) and wrong not in repr(settings)


def test_unreachable_server_is_a_store_error() -> None:
    settings = Neo4jSettings(uri=f"bolt://127.0.0.1:{server.free_port()}", password="whatever1")
    with pytest.raises(StoreError, match="unreachable"):
        Neo4jStore.connect(settings)


def test_unknown_database_is_a_store_error(neo4j_server: Any) -> None:
    settings = Neo4jSettings(uri=neo4j_server.uri, password=neo4j_server.password,
                             database="nosuchdb")
    with pytest.raises(StoreError, match="no database 'nosuchdb'"):
        Neo4jStore.connect(settings)


def test_neo4j_scheme_uri_works_unchanged(neo4j_server: Any) -> None:
    uri = neo4j_server.uri.replace("bolt://", "neo4j://")
    settings = Neo4jSettings(uri=uri, password=neo4j_server.password, database="neo4j")
    with Neo4jStore.connect(settings) as store:
        store.clear()
        store.load(tiny())
        assert store.dataset().equals(tiny())


def test_data_the_graph_cannot_hold_writes_nothing(neo4j_store: Neo4jStore) -> None:
    ds = tiny()
    partners = ds.partners.copy()
    partners.loc[2, "country_name"] = "USA (disagreeing)"
    attendance = pd.concat([ds.attendance, pd.DataFrame(
        {"event_id": ["e1"], "partner_id": ["ghost"], "role": [""], "attendees": [1]})])
    bad = Dataset.from_frames(**{**ds.tables(), "partners": partners, "attendance": attendance})
    with pytest.raises(DataError) as info:
        neo4j_store.load(bad)
    assert any("country USA" in str(p) for p in info.value.problems)
    with pytest.raises(DataError, match="unknown partner 'ghost'"):
        neo4j_store.load(Dataset.from_frames(**{**ds.tables(), "attendance": attendance}))
    assert counts(neo4j_store) == {}


def test_killed_mid_load_raises_store_error_and_a_rerun_converges(
    neo4j_server: Any, neo4j_store: Neo4jStore, generated_3k: Dataset
) -> None:
    neo4j_store.batch_size = 250
    killed = []

    def kill_during_attendance(step: str, done: int, total: int) -> None:
        if step == "attendance" and done >= 500 and not killed:
            killed.append(server.kill(neo4j_server.home))

    with pytest.raises(StoreError) as info:
        neo4j_store.load(generated_3k, progress=kill_during_attendance)
    assert killed == [True]
    assert "rerun" in str(info.value)
    assert neo4j_server.password not in str(info.value)
    server.start(neo4j_server.home, bolt_port=neo4j_server.port,
                 password=neo4j_server.password)
    # Part of the data is there; the version says the graph is mid-load.
    assert neo4j_store.version().startswith("partial-")
    neo4j_store.load(generated_3k)
    assert counts(neo4j_store) == expected_counts(generated_3k)
    assert neo4j_store.dataset().equals(generated_3k)
    # Finished: a real version again (which one is not knowable after a partial write).
    assert not neo4j_store.version().startswith("partial-")


# ------------------------------------------------------------------ recording fake (no server)


class _Tx:
    def __init__(self, log: list[tuple[str, str, dict[str, Any]]], mode: str):
        self.log, self.mode = log, mode

    def run(self, query: str, params: dict[str, Any] | None = None, **kw: Any) -> _Result:
        self.log.append((self.mode, query, dict(params or {}, **kw)))
        return _Result()


class _Result:
    def consume(self) -> None:
        return None

    def __iter__(self) -> Any:
        return iter(())


class _Session:
    def __init__(self, log: list[tuple[str, str, dict[str, Any]]]):
        self.log = log

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, query: str, params: dict[str, Any] | None = None, **kw: Any) -> _Result:
        return _Tx(self.log, "auto").run(query, params, **kw)

    def execute_read(self, work: Any) -> Any:
        return work(_Tx(self.log, "read"))

    def execute_write(self, work: Any) -> Any:
        return work(_Tx(self.log, "write"))


class RecordingDriver:
    def __init__(self) -> None:
        self.log: list[tuple[str, str, dict[str, Any]]] = []
        self.databases: list[str | None] = []

    def session(self, database: str | None = None, **config: Any) -> _Session:
        self.databases.append(database)
        return _Session(self.log)

    def close(self) -> None:
        return None


def one_partner() -> Dataset:
    return Dataset.from_frames(
        partners=pd.DataFrame({"partner_id": ["p1"], "name": ["A'}) DELETE n //"],
                               "sector": ["Industry"], "country": ["KEN"],
                               "country_name": ["Kenya"], "region": ["Africa"],
                               "subregion": ["Eastern Africa"], "global_south": [True],
                               "joined": ["2020-02-01"]}),
        events=pd.DataFrame({"event_id": ["e1"], "name": ["Forum"], "date": ["2021-01-01"],
                             "country": ["KEN"], "country_name": ["Kenya"],
                             "region": ["Africa"], "subregion": ["Eastern Africa"]}),
        attendance=pd.DataFrame({"event_id": ["e1"], "partner_id": ["p1"]}),
    )


def test_recorded_load_sends_the_constants_and_only_parameters() -> None:
    driver = RecordingDriver()
    Neo4jStore(driver, "graphdb").load(one_partner())
    assert set(driver.databases) == {"graphdb"}
    writes = [(q, p) for mode, q, p in driver.log if mode == "write"]
    queries = [q for q, _ in writes]
    # Meta first (marked partial), every constant once per batch in order, Meta last;
    # empty tables (committees, memberships, targets) send nothing.
    merge_partners = cypher.merge_rows("partners", ["name", "joined", "left", "membership"])
    merge_events = cypher.merge_rows(
        "events", ["name", "date", "kind", "program", "city", "topics", "status"])
    merge_attendance = cypher.merge_rows("attendance", ["role", "attendees"])
    assert queries == [
        cypher.SET_META,
        cypher.MERGE_SECTORS, cypher.MERGE_REGIONS,
        cypher.MERGE_COUNTRIES, cypher.LINK_REGIONS,
        merge_partners, cypher.LINK_SECTORS, cypher.LINK_BASED_IN,
        merge_events, cypher.LINK_HELD_IN,
        merge_attendance,
        cypher.SET_META,
    ]
    params = dict(zip(queries[1:-1], [p for _, p in writes[1:-1]], strict=True))
    assert params[merge_partners] == {"rows": [{
        "partner_id": "p1", "sector": "Industry", "country": "KEN",
        "values": ["A'}) DELETE n //", "2020-02-01", None, "Partner"],
    }]}
    assert params[cypher.MERGE_COUNTRIES] == {"rows": [{
        "iso3": "KEN", "name": "Kenya", "subregion": "Eastern Africa", "global_south": True,
        "region": "Africa",
    }]}
    assert params[merge_attendance] == {"rows": [{
        "event_id": "e1", "partner_id": "p1", "values": ["", 1],
    }]}
    assert params[merge_events]["rows"][0]["values"] == [
        "Forum", "2021-01-01", "", "", "", [], ""]
    assert params[cypher.MERGE_SECTORS] == {"rows": [{"name": "Industry"}]}
    # The name travels only as a parameter: no query text contains it.
    assert not any("DELETE n //" in q for _, q, _ in driver.log)
    final = writes[-1][1]
    assert final["props"]["version"] == one_partner().version
    assert writes[0][1]["props"]["version"].startswith("partial-")
    # Constraints are created before the first write.
    first_write = next(i for i, (m, _, _) in enumerate(driver.log) if m == "write")
    made = [q for m, q, _ in driver.log[:first_write] if m == "auto"]
    assert made == list(cypher.CONSTRAINTS.values())


def test_batches_split_rows_by_batch_size() -> None:
    driver = RecordingDriver()
    ds = tiny(names=[f"n{i}" for i in range(7)])
    Neo4jStore(driver, batch_size=3).load(ds)
    batches = [len(p["rows"]) for m, q, p in driver.log
               if m == "write" and q.startswith("UNWIND $rows AS row\nMERGE (n:Partner")]
    assert batches == [3, 3, 1]


def test_driver_errors_become_store_errors() -> None:
    from neo4j.exceptions import ServiceUnavailable

    class Failing(RecordingDriver):
        def session(self, database: str | None = None, **config: Any) -> _Session:
            raise ServiceUnavailable("connection refused")

    with pytest.raises(StoreError, match="unreachable"):
        Neo4jStore(Failing(), location="bolt://x:1").load(tiny())
    with pytest.raises(StoreError):
        Neo4jStore(Failing()).dataset()
    with pytest.raises(StoreError):
        Neo4jStore(Failing()).version()


def test_settings_from_env_and_password_hidden() -> None:
    env = {"NEO4J_URI": "neo4j+s://abc.databases.example:7687", "NEO4J_USERNAME": "bob",
           "NEO4J_PASSWORD": "hunter2-secret", "NEO4J_DATABASE": "stake"}
    s = Neo4jSettings.from_env(environ=env)
    assert (s.uri, s.username, s.password, s.database) == (
        env["NEO4J_URI"], "bob", "hunter2-secret", "stake")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s)
    flags = Neo4jSettings.from_env(uri="bolt://h:1", username="al", database="d", environ=env)
    assert (flags.uri, flags.username, flags.database) == ("bolt://h:1", "al", "d")
    with pytest.raises(StoreError, match="NEO4J_PASSWORD"):
        Neo4jSettings.from_env(environ={}).require_password()
    with pytest.raises(StoreError, match="URI must start"):
        Neo4jSettings.from_env(uri="http://h:7474", environ={})


# ------------------------------------------------------------------ the load command


def _cli(args: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from stakeholder_graph.cli import main

    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_load_command_upserts_and_summarises(
    neo4j_server: Any, neo4j_store: Neo4jStore, tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import loaders
    from loaders.generate import generate

    generate(tmp_path, partners=120, seed=2)
    env = {"NEO4J_PASSWORD": neo4j_server.password}
    code, out, err = _cli(["load", str(tmp_path), "--neo4j", neo4j_server.uri], env,
                          monkeypatch, capsys)
    assert code == 0, err
    assert "partners" in out and "120 created" in out
    code, out, _ = _cli(["load", str(tmp_path), "--neo4j", neo4j_server.uri], env,
                        monkeypatch, capsys)
    assert code == 0 and "0 created" in out and "120 updated" in out
    assert neo4j_store.dataset().equals(loaders.read_dataset(tmp_path))


def test_load_command_with_bad_data_writes_nothing(
    neo4j_server: Any, neo4j_store: Neo4jStore, tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "partners.csv").write_text(
        "partner_id,name,sector,country\np1,A,Industry,USA\np1,B,Academic,Atlantis\n")
    code, _, err = _cli(["load", str(tmp_path)],
                        {"NEO4J_URI": neo4j_server.uri, "NEO4J_PASSWORD": neo4j_server.password},
                        monkeypatch, capsys)
    assert code == 1
    assert "partners.csv:3:" in err and "Traceback" not in err
    assert counts(neo4j_store) == {}


def test_load_command_wrong_password_exits_1_without_traceback_or_password(
    neo4j_server: Any, tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from loaders.generate import generate

    generate(tmp_path, partners=20, seed=1)
    wrong = "definitely-wrong-77"
    code, _, err = _cli(["load", str(tmp_path), "--neo4j", neo4j_server.uri],
                        {"NEO4J_PASSWORD": wrong}, monkeypatch, capsys)
    assert code == 1
    assert "refused the credentials" in err
    assert wrong not in err and "Traceback" not in err


def test_report_from_neo4j_equals_report_from_source(
    neo4j_server: Any, neo4j_store: Neo4jStore,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    env = {"NEO4J_URI": neo4j_server.uri, "NEO4J_PASSWORD": neo4j_server.password}
    code, _, err = _cli(["load", "demo"], env, monkeypatch, capsys)
    assert code == 0, err
    code, from_neo4j, err = _cli(["report", "--as-of", "2024-06-30"], env, monkeypatch, capsys)
    assert code == 0, err
    code, from_source, err = _cli(["report", "demo", "--as-of", "2024-06-30"], env,
                                  monkeypatch, capsys)
    assert code == 0, err
    assert from_neo4j == from_source and '"as_of": "2024-06-30"' in from_neo4j


# ------------------------------------------------------------------ load planning internals


def test_columns_give_the_values_records_gives() -> None:
    from core.model import DATE_COLUMNS, LIST_COLUMNS, extra_columns, records
    from graph.neo4j_store import _columns

    ds = tiny()
    for table in TABLES:
        frame = ds.table(table)
        lists = {*LIST_COLUMNS.get(table, ()), *extra_columns(table, frame)}
        cols = _columns(frame, lists)
        rebuilt = [dict(zip(cols, values, strict=True))
                   for values in zip(*cols.values(), strict=True)]
        # Dates travel as ISO text (merge_rows makes them dates in Cypher).
        dates = DATE_COLUMNS.get(table, ())
        want = [{k: (v.isoformat() if k in dates and v is not None else v)
                 for k, v in row.items()} for row in records(frame)]
        assert rebuilt == want, table
    # Spot checks by hand: a date, an open date, a list column, an integer.
    assert _columns(ds.partners, {"focus_areas"})["joined"][:2] == ["2020-01-01", None]
    assert _columns(ds.partners, {"focus_areas"})["focus_areas"][0] == ["safety", "labor"]
    assert type(_columns(ds.attendance, set())["attendees"][0]) is int


def test_disjoint_rounds_share_no_node_within_a_round() -> None:
    from graph.neo4j_store import _disjoint_rounds

    rows = [{"event_id": f"e{e}", "partner_id": f"p{p}"}
            for e in range(7) for p in range(11) if (e * 3 + p) % 4]
    for workers in (2, 3):
        rounds = _disjoint_rounds(rows, workers)
        assert len(rounds) == workers and all(len(cells) == workers for cells in rounds)
        seen = [id(r) for cells in rounds for cell in cells for r in cell]
        assert sorted(seen) == sorted(id(r) for r in rows)  # every row exactly once
        for cells in rounds:
            for i, a in enumerate(cells):
                for b in cells[i + 1:]:
                    assert not {r["event_id"] for r in a} & {r["event_id"] for r in b}
                    assert not {r["partner_id"] for r in a} & {r["partner_id"] for r in b}


def test_concurrent_attendance_writers_build_the_same_graph(
    neo4j_store: Neo4jStore, generated_3k: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graph.neo4j_store as module

    monkeypatch.setitem(module.CONCURRENT_WRITERS, "attendance", 2)
    neo4j_store.batch_size = 200
    seen: list[tuple[int, int]] = []

    def progress(step: str, done: int, total: int) -> None:
        if step == "attendance":
            seen.append((done, total))

    neo4j_store.load(generated_3k, progress=progress)
    assert counts(neo4j_store) == expected_counts(generated_3k)
    assert neo4j_store.dataset().equals(generated_3k)
    n = len(generated_3k.attendance)
    assert seen[0] == (0, n) and seen[-1] == (n, n)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > n // 200
