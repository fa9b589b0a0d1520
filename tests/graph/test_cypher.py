"""graph/cypher.py: every load query plans without an Eager operator (EXPLAIN on the real
server), and the builders only accept their closed vocabularies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from graph import cypher
from graph.neo4j_store import Neo4jStore

DELETE_QUERIES: dict[str, str] = {
    "DELETE_MEMBERSHIPS": cypher.DELETE_MEMBERSHIPS,
    "DELETE_ATTENDANCE": cypher.DELETE_ATTENDANCE,
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


@pytest.mark.parametrize("kind", sorted(cypher.GROUP_KINDS))
@pytest.mark.parametrize("dimension", [*sorted(cypher.DIMENSIONS), "membership"])
def test_group_composition_queries_plan(loaded: Neo4jStore, kind: str, dimension: str) -> None:
    ops = explain(loaded, cypher.group_composition(kind, dimension), as_of=dt.date(2022, 1, 1),
                  since=None, program=None, property=dimension)
    assert ops


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
        cypher.group_composition("Partner) DETACH DELETE (n", "sector")
    with pytest.raises(KeyError):
        cypher.delete_nodes("Partner {x:1}) DETACH DELETE (n")
    # A dimension outside the fixed ones is passed as $property, never spliced into text.
    text = cypher.group_composition("event", "x}) DETACH DELETE n //")
    assert "DETACH" not in text and "$property" in text


@pytest.mark.parametrize("kind", sorted(cypher.GROUP_KINDS))
def test_group_compositions_query_plans_and_refuses_unknown_kinds(
    loaded: Neo4jStore, kind: str
) -> None:
    dims = [*sorted(cypher.DIMENSIONS), "membership", "x}) DETACH DELETE n //"]
    text = cypher.group_compositions_query(kind, dims)
    assert "DETACH" not in text and "$properties[7]" in text
    ops = explain(loaded, text, as_of=dt.date(2022, 1, 1), since=None, program=None,
                  properties=dims)
    assert "Eager" not in ops
    with pytest.raises(ValueError, match="kind"):
        cypher.group_compositions_query("Partner) DETACH DELETE (n", ["sector"])


def test_group_compositions_count_a_repeated_list_value_once(loaded: Neo4jStore) -> None:
    # p1 attended e1 (2022-03-01); a list property naming one value twice counts p1 once.
    with loaded._driver.session() as session:
        session.run("MATCH (p:Partner {partner_id: 'p1'}) SET p.tags = ['a', 'a', 'b']"
                    ).consume()
    got = loaded.group_compositions(dt.date(2022, 6, 1), ("tags",))
    events = got[got["kind"] == "event"]
    assert events.values.tolist() == [["event", "e1", "tags", "a", 1],
                                      ["event", "e1", "tags", "b", 1]]
