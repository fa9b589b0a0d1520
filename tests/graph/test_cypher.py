"""graph/cypher.py: every load query plans without an Eager operator (EXPLAIN on the real
server), and the builders only accept their closed vocabularies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.window import Window
from graph import cypher
from graph.neo4j_store import Neo4jStore

DELETE_QUERIES: dict[str, str] = {
    "DELETE_MEMBERSHIPS": cypher.DELETE_MEMBERSHIPS,
    "DELETE_ATTENDANCE": cypher.DELETE_ATTENDANCE,
    "DELETE_LINKS": cypher.DELETE_LINKS,
    **{f"delete_nodes({t})": cypher.delete_nodes(t) for t in cypher.NODE_TABLES},
    **{f"LINKS[{name}]": delete for name, (_, delete) in cypher.LINKS.items()},
}
PARAMS: dict[str, Any] = {"rows": [], "ids": [], "key": "x", "props": {}}
#: Property lists as a load of the tiny dataset builds them, plus awkward extra columns.
NASTY_COLUMN = "a`b) DETACH DELETE n //"
PROPERTIES: dict[str, list[str]] = {
    "partners": ["name", "joined", "left", "membership", "focus_areas", NASTY_COLUMN],
    "committees": ["name", "program", "kind"],
    "events": ["name", "date", "kind", "program", "city", "topics", "speakers"],
    "memberships": ["role", "since", "until", "note"],
    "attendance": ["role", "attendees", "remote"],
    "targets": ["dimension", "group", "min_share", "max_share"],
    "links": ["since", "until", "weight", "url"],
}
LOAD_QUERIES = cypher.load_queries(PROPERTIES)


def operators(plan: Any) -> list[str]:
    """Every operator name in an EXPLAIN plan tree (names may carry an @db suffix)."""
    names = [plan["operatorType"].split("@")[0]]
    for child in plan.get("children", []):
        names += operators(child)
    return names


def explain(store: Neo4jStore, query: str, **params: Any) -> list[str]:
    with store._driver.session() as session:
        summary = session.run("EXPLAIN " + query, params).consume()
    assert summary.plan is not None
    return operators(summary.plan)


@pytest.fixture
def loaded(neo4j_store: Neo4jStore) -> Neo4jStore:
    from tests.graph.test_conformance import tiny

    neo4j_store.load(tiny())  # constraints and labels exist, so plans use the indexes
    return neo4j_store


@pytest.mark.parametrize("name", sorted(LOAD_QUERIES))
def test_load_query_has_no_eager_operator(loaded: Neo4jStore, name: str) -> None:
    ops = explain(loaded, LOAD_QUERIES[name], **PARAMS)
    assert "Eager" not in ops, f"{name} plans {ops}"
    if name.startswith("MERGE_") or name in ("merge_rows(partners)", "merge_rows(events)"):
        # MERGE on a constrained key is a unique index seek, not a label scan.
        assert any("NodeUniqueIndexSeek" in op for op in ops), f"{name} plans {ops}"


def test_setting_a_map_would_plan_eager(loaded: Neo4jStore) -> None:
    # Why merge_rows names every property: ``SET r = row.props`` is planned with Eager.
    ops = explain(loaded, "UNWIND $rows AS row MATCH (p:Partner {partner_id: row.p}) "
                  "MATCH (e:Event {event_id: row.e}) MERGE (p)-[r:ATTENDED]->(e) "
                  "SET r = row.props", rows=[])
    assert "Eager" in ops


def test_nasty_column_names_are_quoted_identifiers(loaded: Neo4jStore) -> None:
    text = cypher.merge_rows("partners", PROPERTIES["partners"])
    assert "n.`a``b) DETACH DELETE n //` = row.values[5]" in text
    with loaded._driver.session() as session:
        session.run(text, rows=[{"partner_id": "p1", "values": [
            "A", None, None, "Partner", ["x"], "kept literally"]}]).consume()
        got = session.run("MATCH (n:Partner {partner_id: 'p1'}) RETURN properties(n) AS p"
                          ).single()["p"]
    assert got[NASTY_COLUMN] == "kept literally" and got["name"] == "A"
    assert "joined" not in got  # a None value removes the property


def test_explain_sees_an_eager_plan_when_there_is_one(loaded: Neo4jStore) -> None:
    # The check can fail: Neo4j 5.26 plans Eager before any DELETE, even of one relationship.
    ops = explain(loaded, "MATCH (:Partner {partner_id: $p})-[a:ATTENDED]->(:Event "
                  "{event_id: $e}) DELETE a", p="p1", e="e1")
    assert "Eager" in ops


@pytest.mark.parametrize("name", sorted(DELETE_QUERIES))
def test_delete_queries_have_only_the_eager_every_delete_has(
    loaded: Neo4jStore, name: str
) -> None:
    # Deletes run only for changed rows or under --replace, batch by batch; the one Eager is
    # the one Neo4j puts right under the Delete operator, bounded by the batch size.
    ops = explain(loaded, DELETE_QUERIES[name], **PARAMS)
    assert ops.count("Eager") == 1, ops
    assert ops[ops.index("Eager") - 1] in ("Delete", "DetachDelete"), ops


#: Every read seam query with parameters that make it plan (values are never in the text).
WINDOW_PARAMS: dict[str, Any] = {"as_of": dt.date(2022, 1, 1), "committee_ids": ["c1"],
                                 "event_ids": ["e1"]}
SEAM_DIMS = ["sector", "region", "subregion", "country", "country_name", "global_south",
             "membership", "x}) DETACH DELETE n //"]
READ_SEAMS: dict[str, tuple[str, dict[str, Any]]] = {
    "NARROW_PARTNERS": (cypher.NARROW_PARTNERS, {"columns": ["focus_areas"]}),
    "NARROW_COMMITTEES": (cypher.NARROW_COMMITTEES, {}),
    "NARROW_EVENTS": (cypher.NARROW_EVENTS, {}),
    "NARROW_MEMBERSHIPS": (cypher.NARROW_MEMBERSHIPS, {}),
    "NARROW_ATTENDANCE": (cypher.NARROW_ATTENDANCE, {"event_ids": None}),
    "NARROW_TARGETS": (cypher.NARROW_TARGETS, {}),
    "ACTIVE_PARTNER_IDS": (cypher.ACTIVE_PARTNER_IDS, WINDOW_PARAMS),
    **{f"GROUP_MEMBERS[{k}]": (q, WINDOW_PARAMS) for k, q in cypher.GROUP_MEMBERS.items()},
    **{f"GROUP_SIZES[{k}]": (q, WINDOW_PARAMS) for k, q in cypher.GROUP_SIZES.items()},
    "active_spans_query": (cypher.active_spans_query(SEAM_DIMS), {"properties": SEAM_DIMS}),
    **{f"window_compositions_query({k})": (cypher.window_compositions_query(k, SEAM_DIMS),
                                           {**WINDOW_PARAMS, "properties": SEAM_DIMS})
       for k in ("committee", "event")},
}


@pytest.mark.parametrize("name", sorted(READ_SEAMS))
def test_read_seam_queries_plan_without_eager_or_spliced_values(
    loaded: Neo4jStore, name: str
) -> None:
    query, params = READ_SEAMS[name]
    assert "DETACH" not in query and "DELETE" not in query
    ops = explain(loaded, query, **params)
    assert ops and "Eager" not in ops, ops


def test_every_write_unwinds_rows_and_splices_no_values() -> None:
    for name, query in cypher.load_queries({t: p[:3] for t, p in PROPERTIES.items()}).items():
        assert query.lstrip().startswith("UNWIND $rows AS row"), name
        assert "'" not in query and '"' not in query, name
    with pytest.raises(ValueError, match="table"):
        cypher.merge_rows("Partner", ["name"])


def test_constraints_are_idempotent_and_cover_every_id() -> None:
    assert all("IF NOT EXISTS" in q and "IS UNIQUE" in q for q in cypher.CONSTRAINTS.values())
    covered = set(cypher.CONSTRAINED.values())
    for key in [("Partner", "partner_id"), ("Committee", "committee_id"), ("Event", "event_id"),
                ("Sector", "name"), ("Country", "iso3"), ("Region", "name")]:
        assert key in covered


def test_builders_refuse_unknown_names() -> None:
    with pytest.raises(ValueError, match="kind"):
        cypher.window_compositions_query("Partner) DETACH DELETE (n", ["sector"])
    with pytest.raises(KeyError):
        cypher.delete_nodes("Partner {x:1}) DETACH DELETE (n")
    # A dimension outside the fixed ones is passed as $properties[i], never spliced into text.
    text = cypher.window_compositions_query("event", ["sector", "x}) DETACH DELETE n //"])
    assert "DETACH" not in text and "$properties[1]" in text


def test_group_compositions_count_a_repeated_list_value_once(loaded: Neo4jStore) -> None:
    # p1 attended e1 (2022-03-01); a list property naming one value twice counts p1 once.
    with loaded._driver.session() as session:
        session.run("MATCH (p:Partner {partner_id: 'p1'}) SET p.tags = ['a', 'a', 'b']"
                    ).consume()
    got = loaded.group_compositions(Window.of(as_of="2022-06-01"), ("tags",))
    events = got[got["kind"] == "event"]
    assert events.values.tolist() == [["event", "e1", "tags", "a", 1],
                                      ["event", "e1", "tags", "b", 1]]
