"""The Neo4j baselines: Neo4j's own ``LOAD CSV`` and a row-per-transaction driver loader.

This Cypher is the *baseline*, written the way a competent Neo4j user would write it, so it
lives here and not in graph/cypher.py (the product's Cypher). Both baselines build the graph of
graph/cypher.py's schema — the same labels, relationships, keys and constraints — so the node
and relationship counts after each load can be compared with our own load's.

``LOAD CSV`` cannot resolve country names to ISO3 or attach UN M49 regions, so it reads the
validated tables written back as CSV (:func:`export_csvs`: the generated files plus the resolved
``country_name``, ``region``, ``subregion`` and ``global_south`` columns); it does no validation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.model import Dataset
from graph import cypher

#: Rows per inner transaction of every LOAD CSV statement (the issue's figure).
LOAD_CSV_BATCH = 10000

_DATE = "CASE WHEN coalesce(row.{col}, '') = '' THEN null ELSE date(row.{col}) END"
_LIST = "CASE WHEN coalesce(row.{col}, '') = '' THEN [] ELSE split(row.{col}, ';') END"


def _date(col: str) -> str:
    return _DATE.format(col=col)


def _list(col: str) -> str:
    return _LIST.format(col=col)


#: (what, statement) in the order a user runs them: small lookup nodes first, then each table
#: in its own CALL { } IN TRANSACTIONS, relationships matched on constrained keys.
LOAD_CSV_STATEMENTS: tuple[tuple[str, str], ...] = (
    ("sectors", """
LOAD CSV WITH HEADERS FROM 'file:///partners.csv' AS row
WITH DISTINCT row.sector AS name WHERE coalesce(name, '') <> ''
MERGE (:Sector {name: name})
"""),
    ("partner countries", """
LOAD CSV WITH HEADERS FROM 'file:///partners.csv' AS row
WITH DISTINCT row.country AS iso3, row.country_name AS name, row.subregion AS subregion,
     row.region AS region, row.global_south AS south
WHERE coalesce(iso3, '') <> ''
MERGE (c:Country {iso3: iso3})
SET c.name = name, c.subregion = subregion, c.global_south = (south = 'True')
WITH c, region WHERE coalesce(region, '') <> ''
MERGE (r:Region {name: region})
MERGE (c)-[:IN_REGION]->(r)
"""),
    ("event countries", """
LOAD CSV WITH HEADERS FROM 'file:///events.csv' AS row
WITH DISTINCT row.country AS iso3, row.country_name AS name, row.subregion AS subregion,
     row.region AS region
WHERE coalesce(iso3, '') <> ''
MERGE (c:Country {iso3: iso3})
ON CREATE SET c.name = name, c.subregion = subregion
WITH c, region WHERE coalesce(region, '') <> ''
MERGE (r:Region {name: region})
MERGE (c)-[:IN_REGION]->(r)
"""),
    ("partners", f"""
LOAD CSV WITH HEADERS FROM 'file:///partners.csv' AS row
CALL (row) {{
  MERGE (p:Partner {{partner_id: row.partner_id}})
  SET p.name = row.name, p.membership = row.membership,
      p.joined = {_date('joined')}, p.left = {_date('left')},
      p.focus_areas = {_list('focus_areas')}
  WITH p, row
  MATCH (s:Sector {{name: row.sector}})
  MERGE (p)-[:IN_SECTOR]->(s)
  WITH p, row
  MATCH (c:Country {{iso3: row.country}})
  MERGE (p)-[:BASED_IN]->(c)
}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS
"""),
    ("committees", f"""
LOAD CSV WITH HEADERS FROM 'file:///committees.csv' AS row
CALL (row) {{
  MERGE (c:Committee {{committee_id: row.committee_id}})
  SET c.name = row.name, c.program = row.program, c.kind = row.kind
}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS
"""),
    ("events", f"""
LOAD CSV WITH HEADERS FROM 'file:///events.csv' AS row
CALL (row) {{
  MERGE (e:Event {{event_id: row.event_id}})
  SET e.name = row.name, e.date = {_date('date')}, e.kind = row.kind,
      e.program = row.program, e.city = row.city, e.topics = {_list('topics')}
  WITH e, row
  MATCH (c:Country {{iso3: row.country}})
  MERGE (e)-[:HELD_IN]->(c)
}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS
"""),
    ("memberships", f"""
LOAD CSV WITH HEADERS FROM 'file:///memberships.csv' AS row
CALL (row) {{
  MATCH (p:Partner {{partner_id: row.partner_id}})
  MATCH (c:Committee {{committee_id: row.committee_id}})
  MERGE (p)-[m:MEMBER_OF {{{cypher.TERM_KEY}: coalesce(row.since, '')}}]->(c)
  SET m.role = row.role, m.since = {_date('since')}, m.until = {_date('until')}
}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS
"""),
    ("attendance", f"""
LOAD CSV WITH HEADERS FROM 'file:///attendance.csv' AS row
CALL (row) {{
  MATCH (p:Partner {{partner_id: row.partner_id}})
  MATCH (e:Event {{event_id: row.event_id}})
  MERGE (p)-[a:ATTENDED]->(e)
  SET a.role = row.role, a.attendees = toInteger(row.attendees)
}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS
"""),
    ("targets", f"""
LOAD CSV WITH HEADERS FROM 'file:///targets.csv' AS row
CALL (row) {{
  MERGE (t:Target {{{cypher.TARGET_KEY}: row.dimension + '|' + row.group}})
  SET t.dimension = row.dimension, t.group = row.group,
      t.min_share = toFloat(row.min_share), t.max_share = toFloat(row.max_share)
}} IN TRANSACTIONS OF {LOAD_CSV_BATCH} ROWS
"""),
)

#: Counts that say two loads built the same graph (the Meta node is ours only).
COUNT_QUERIES: dict[str, str] = {
    **{label: f"MATCH (n:{label}) RETURN count(n) AS n"
       for label in ("Partner", "Sector", "Country", "Region", "Committee", "Event", "Target")},
    **{rel: f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n"
       for rel in ("IN_SECTOR", "BASED_IN", "IN_REGION", "MEMBER_OF", "ATTENDED", "HELD_IN")},
}


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    return str(value)


def export_csvs(ds: Dataset, folder: Path) -> dict[str, int]:
    """Write every table of ``ds`` as ``folder/<table>.csv`` (ISO dates, ``a;b`` lists).

    Returns rows written per table.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for table in ("partners", "committees", "memberships", "events", "attendance", "targets"):
        frame = ds.table(table)
        text = frame.map(_cell) if len(frame) else frame.astype(str)
        text.to_csv(folder / f"{table}.csv", index=False)
        rows[table] = len(frame)
    return rows


def _session(driver: Any) -> Any:
    return driver.session(notifications_min_severity="OFF")


def reset_database(driver: Any) -> None:
    """An empty database: every node and relationship deleted, every constraint dropped."""
    with _session(driver) as session:
        session.run(cypher.CLEAR_ALL).consume()
        names = [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name")]
        for name in names:
            # Constraint names cannot be parameters; these come from the server itself.
            quoted = name.replace("`", "``")
            session.run(f"DROP CONSTRAINT `{quoted}` IF EXISTS").consume()
        session.run("CALL db.awaitIndexes(300)").consume()


def create_constraints(driver: Any) -> None:
    """The same uniqueness constraints our load creates (graph/cypher.py CONSTRAINTS)."""
    with _session(driver) as session:
        for statement in cypher.CONSTRAINTS.values():
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()


def graph_counts(driver: Any) -> dict[str, int]:
    """Nodes per label and relationships per type."""
    with _session(driver) as session:
        return {name: int(session.run(q).single()["n"]) for name, q in COUNT_QUERIES.items()}


def load_csv(driver: Any) -> dict[str, float]:
    """Run the LOAD CSV baseline (constraints first) and return seconds per step.

    The CSVs must already be in the server's import folder (:func:`export_csvs`). Each
    statement is an auto-commit query, as ``CALL { } IN TRANSACTIONS`` requires.
    """
    steps: dict[str, float] = {}
    began = time.perf_counter()
    create_constraints(driver)
    steps["constraints"] = time.perf_counter() - began
    with _session(driver) as session:
        for what, statement in LOAD_CSV_STATEMENTS:
            t0 = time.perf_counter()
            session.run(statement).consume()
            steps[what] = time.perf_counter() - t0
    return steps


# --------------------------------------------------------------------------- row per transaction

ROW_STATEMENTS: dict[str, str] = {
    "partners": """
MERGE (p:Partner {partner_id: $row.partner_id})
SET p.name = $row.name, p.membership = $row.membership, p.joined = $row.joined,
    p.left = $row.left, p.focus_areas = $row.focus_areas
MERGE (s:Sector {name: $row.sector})
MERGE (p)-[:IN_SECTOR]->(s)
MERGE (c:Country {iso3: $row.country})
ON CREATE SET c.name = $row.country_name, c.subregion = $row.subregion,
              c.global_south = $row.global_south
MERGE (r:Region {name: $row.region})
MERGE (c)-[:IN_REGION]->(r)
MERGE (p)-[:BASED_IN]->(c)
""",
    "committees": """
MERGE (c:Committee {committee_id: $row.committee_id})
SET c.name = $row.name, c.program = $row.program, c.kind = $row.kind
""",
    "events": """
MERGE (e:Event {event_id: $row.event_id})
SET e.name = $row.name, e.date = $row.date, e.kind = $row.kind, e.program = $row.program,
    e.city = $row.city, e.topics = $row.topics
MERGE (c:Country {iso3: $row.country})
ON CREATE SET c.name = $row.country_name, c.subregion = $row.subregion
MERGE (e)-[:HELD_IN]->(c)
""",
    "memberships": f"""
MERGE (p:Partner {{partner_id: $row.partner_id}})
MERGE (c:Committee {{committee_id: $row.committee_id}})
MERGE (p)-[m:MEMBER_OF {{{cypher.TERM_KEY}: $row.term}}]->(c)
SET m.role = $row.role, m.since = $row.since, m.until = $row.until
""",
    "attendance": """
MERGE (p:Partner {partner_id: $row.partner_id})
MERGE (e:Event {event_id: $row.event_id})
MERGE (p)-[a:ATTENDED]->(e)
SET a.role = $row.role, a.attendees = $row.attendees
""",
    "targets": f"""
MERGE (t:Target {{{cypher.TARGET_KEY}: $row.dimension + '|' + $row.group}})
SET t.dimension = $row.dimension, t.group = $row.group, t.min_share = $row.min_share,
    t.max_share = $row.max_share
""",
}
ROW_TABLES = ("partners", "committees", "events", "memberships", "attendance", "targets")


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _row(table: str, record: Mapping[str, Any]) -> dict[str, Any]:
    row = {k: _plain(v) for k, v in record.items()}
    if table == "memberships":
        row["term"] = row["since"].isoformat() if row.get("since") else ""
    if table == "partners":
        row.setdefault("focus_areas", [])
    if table == "events":
        row["topics"] = row.get("topics") or []
    return row


def sample_plan(counts: Mapping[str, int], sample: int, *, minimum: int = 20) -> dict[str, int]:
    """Rows to time per table: ``sample`` split in proportion to table sizes, at least
    ``minimum`` per non-empty table (never more than it has).

    >>> sample_plan({"partners": 900, "attendance": 100, "targets": 0}, 100)
    {'partners': 90, 'attendance': 20, 'targets': 0}
    """
    total = sum(counts.values())
    plan = {}
    for table, n in counts.items():
        share = round(sample * n / total) if total else 0
        plan[table] = min(n, max(minimum, share)) if n else 0
    return plan


def row_per_transaction(driver: Any, ds: Dataset, *, sample: int,
                        progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Time the naive loader on an evenly spaced sample of each table and extrapolate.

    Each row is its own ``session.execute_write`` (one transaction, one round trip, one commit),
    into an empty database that has the constraints. Per table, seconds per row times the
    table's rows gives the extrapolated time; their sum is the baseline.
    """
    counts = {t: len(ds.table(t)) for t in ROW_TABLES}
    plan = sample_plan(counts, sample)
    create_constraints(driver)
    per_table: dict[str, dict[str, float]] = {}
    timed_rows = 0
    with _session(driver) as session:
        for table in ROW_TABLES:
            n = plan[table]
            if not n:
                continue
            frame = ds.table(table)
            picks = np.linspace(0, len(frame) - 1, n).round().astype(int)
            records = frame.iloc[np.unique(picks)].to_dict("records")
            statement = ROW_STATEMENTS[table]
            t0 = time.perf_counter()
            for record in records:
                row = _row(table, record)
                session.execute_write(
                    lambda tx, q=statement, row=row: tx.run(q, row=row).consume())
            took = time.perf_counter() - t0
            timed_rows += len(records)
            per_row = took / len(records)
            per_table[table] = {"rows": counts[table], "sampled": len(records),
                                "sample_s": round(took, 4), "per_row_ms": round(per_row * 1e3, 4),
                                "extrapolated_s": round(per_row * counts[table], 3)}
            if progress is not None:
                progress(f"row-per-transaction {table}: {per_row * 1e3:.2f} ms/row")
    total = sum(counts[t] * per_table[t]["sample_s"] / per_table[t]["sampled"]
                for t in per_table)
    return {"seconds": total, "extrapolated_from": timed_rows, "tables": per_table}
