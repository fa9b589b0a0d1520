"""Every Cypher statement of the project, as named constants and small builders.

Schema (see shared DESIGN.md, "Neo4j"):

- ``(:Partner {partner_id, name, joined, left, membership, <extra columns>})``
  ``-[:IN_SECTOR]->(:Sector {name})`` and ``-[:BASED_IN]->(:Country {iso3, name, subregion,
  global_south})-[:IN_REGION]->(:Region {name})`` (UN M49 region; the sub-region is a property
  of the Country, so Region names never collide with sub-region names);
- ``(:Committee {committee_id, name, program, kind, ...})``; ``(:Partner)-[:MEMBER_OF {role,
  since, until, sg_term, ...}]->(:Committee)``: a partner may hold two terms on one committee,
  so a membership is keyed by ``sg_term`` (its ``since`` as ISO text, ``""`` when open);
- ``(:Event {event_id, name, date, kind, program, city, topics, ...})-[:HELD_IN]->(:Country)``;
  ``(:Partner)-[:ATTENDED {role, attendees, ...}]->(:Event)``, one per (event, partner);
- ``(:Partner)-[:LINKED {kind, since, until, weight, sg_term, ...}]->(:Partner)``: a direct
  relation (collaboration, grant, joint project) in the direction the source gives. One
  relationship type with ``kind`` as a property, not a type per kind: kinds are open user labels,
  and a relationship type cannot be a parameter, so a type per kind would splice user text into
  the query. Keyed like a membership by ``(source, target, kind, sg_term)`` (``since`` as ISO
  text): one pair may hold the same kind of link twice at different times (a renewed grant);
- ``(:Target {sg_target_id, dimension, group, min_share, max_share})``;
- one ``(:Meta {key: "dataset"})`` holding the extra-column lists of every table (so all-empty
  extra columns come back), the dataset version and its source.

Values reach Cypher only as parameters (``$rows``, ``$ids``, ``$as_of``, ``$property(ies)``). The
builders pick among fixed fragments from closed dictionaries; the one thing they write into
query text is a property name (an extra column's header), always as a backtick-quoted
identifier (:func:`identifier`). Every write unwinds a ``$rows`` batch and MERGEs on a key
backed by an ``IF NOT EXISTS`` constraint; no upsert query plans an Eager operator, and the
deletes (which Neo4j always plans with one Eager) run only for changed rows or ``--replace``
(tests/graph/test_cypher.py runs EXPLAIN on each).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from core.model import DATE_COLUMNS

#: Property names the store adds; an extra column of that name would be overwritten.
TERM_KEY = "sg_term"
TARGET_KEY = "sg_target_id"
META_KEY = "dataset"
SCHEMA_VERSION = 1

# --------------------------------------------------------------------------- schema

CONSTRAINTS: dict[str, str] = {
    "partner_id": "CREATE CONSTRAINT partner_id IF NOT EXISTS "
    "FOR (n:Partner) REQUIRE n.partner_id IS UNIQUE",
    "committee_id": "CREATE CONSTRAINT committee_id IF NOT EXISTS "
    "FOR (n:Committee) REQUIRE n.committee_id IS UNIQUE",
    "event_id": "CREATE CONSTRAINT event_id IF NOT EXISTS "
    "FOR (n:Event) REQUIRE n.event_id IS UNIQUE",
    "sector_name": "CREATE CONSTRAINT sector_name IF NOT EXISTS "
    "FOR (n:Sector) REQUIRE n.name IS UNIQUE",
    "country_iso3": "CREATE CONSTRAINT country_iso3 IF NOT EXISTS "
    "FOR (n:Country) REQUIRE n.iso3 IS UNIQUE",
    "region_name": "CREATE CONSTRAINT region_name IF NOT EXISTS "
    "FOR (n:Region) REQUIRE n.name IS UNIQUE",
    "target_id": "CREATE CONSTRAINT target_id IF NOT EXISTS "
    "FOR (n:Target) REQUIRE n.sg_target_id IS UNIQUE",
    "meta_key": "CREATE CONSTRAINT meta_key IF NOT EXISTS "
    "FOR (n:Meta) REQUIRE n.key IS UNIQUE",
}
#: (label, property) that each constraint makes unique, for checking SHOW CONSTRAINTS.
CONSTRAINED: dict[str, tuple[str, str]] = {
    "partner_id": ("Partner", "partner_id"),
    "committee_id": ("Committee", "committee_id"),
    "event_id": ("Event", "event_id"),
    "sector_name": ("Sector", "name"),
    "country_iso3": ("Country", "iso3"),
    "region_name": ("Region", "name"),
    "target_id": ("Target", TARGET_KEY),
    "meta_key": ("Meta", "key"),
}
SHOW_CONSTRAINTS = (
    "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
    "RETURN name, type, labelsOrTypes, properties"
)

# --------------------------------------------------------------------------- writes
#
# ``SET n = row.props`` (or ``+=``) plans an Eager operator: the planner cannot tell which
# property keys a map writes, so it fears the MERGE's own reads. Naming every property keeps
# the plans streaming, so the node and relationship writes are small builders over the
# table's property names (fixed columns plus extra columns, as backtick-quoted identifiers;
# the values still travel only in ``row.values``, positionally).

MERGE_SECTORS = "UNWIND $rows AS row MERGE (:Sector {name: row.name})"
MERGE_REGIONS = "UNWIND $rows AS row MERGE (:Region {name: row.name})"
#: A country met only in events has no global_south: keep what partners said about it.
MERGE_COUNTRIES = """
UNWIND $rows AS row
MERGE (c:Country {iso3: row.iso3})
SET c.name = row.name, c.subregion = row.subregion,
    c.global_south = coalesce(row.global_south, c.global_south)
"""


def _link(source: str, source_key: str, rel: str, target: str, target_key: str,
          field: str) -> str:
    """MERGE one single-valued link per row: ``(source {source_key: row.<source_key>})
    -[rel]->(target {target_key: row.<field>})``, skipping rows whose ``field`` is null."""
    return (
        "UNWIND $rows AS row\n"
        f"WITH row WHERE row.{field} IS NOT NULL\n"
        f"MATCH (a:{source} {{{source_key}: row.{source_key}}})\n"
        f"MATCH (b:{target} {{{target_key}: row.{field}}})\n"
        f"MERGE (a)-[:{rel}]->(b)\n"
    )


LINK_REGIONS = _link("Country", "iso3", "IN_REGION", "Region", "name", "region")
LINK_SECTORS = _link("Partner", "partner_id", "IN_SECTOR", "Sector", "name", "sector")
LINK_BASED_IN = _link("Partner", "partner_id", "BASED_IN", "Country", "iso3", "country")
LINK_HELD_IN = _link("Event", "event_id", "HELD_IN", "Country", "iso3", "country")


def identifier(name: str) -> str:
    """``name`` as a backtick-quoted Cypher identifier (a backtick inside is doubled)."""
    return "`" + name.replace("`", "``") + "`"


def _set(var: str, properties: Sequence[str], dates: Collection[str] = ()) -> str:
    if not properties:
        return ""
    return "SET " + ",\n    ".join(
        f"{var}.{identifier(p)} = " + (f"date(row.values[{i}])" if p in dates
                                        else f"row.values[{i}]")
        for i, p in enumerate(properties)
    )


#: table -> (MERGE head, variable) for the node tables.
_NODE_MERGE: dict[str, tuple[str, str]] = {
    "partners": ("MERGE (n:Partner {partner_id: row.partner_id})", "n"),
    "committees": ("MERGE (n:Committee {committee_id: row.committee_id})", "n"),
    "events": ("MERGE (n:Event {event_id: row.event_id})", "n"),
    "targets": (f"MERGE (n:Target {{{TARGET_KEY}: row.target_id}})", "n"),
}
_REL_MERGE: dict[str, str] = {
    "memberships": "MATCH (p:Partner {partner_id: row.partner_id})\n"
    "MATCH (c:Committee {committee_id: row.committee_id})\n"
    f"MERGE (p)-[r:MEMBER_OF {{{TERM_KEY}: row.term}}]->(c)",
    "attendance": "MATCH (p:Partner {partner_id: row.partner_id})\n"
    "MATCH (e:Event {event_id: row.event_id})\n"
    "MERGE (p)-[r:ATTENDED]->(e)",
    "links": "MATCH (a:Partner {partner_id: row.source_id})\n"
    "MATCH (b:Partner {partner_id: row.target_id})\n"
    f"MERGE (a)-[r:LINKED {{kind: row.kind, {TERM_KEY}: row.term}}]->(b)",
}


def merge_rows(table: str, properties: Sequence[str]) -> str:
    """The upsert of one batch of ``table``: MERGE on the key, then SET each named property
    from ``row.values`` in the same order (a None value removes the property).

    The table's date columns travel as ISO text and become dates in Cypher (``date(null)`` is
    null): the driver turns each ``datetime.date`` into a Bolt date in Python, which cost
    more client time than any other value of a 20,000-partner load (95k dates)."""
    if table in _NODE_MERGE:
        head, var = _NODE_MERGE[table]
    elif table in _REL_MERGE:
        head, var = _REL_MERGE[table], "r"
    else:
        raise ValueError(f"table must be one of {sorted({**_NODE_MERGE, **_REL_MERGE})}, "
                         f"got {table!r}")
    dates = DATE_COLUMNS.get(table, ())
    return f"UNWIND $rows AS row\n{head}\n{_set(var, properties, dates)}\n"


#: One node, once per load: ``$props`` holds plain lists and strings (column lists, version,
#: source), so replacing the whole map is what is wanted here.
SET_META = "MERGE (m:Meta {key: $key}) SET m = $props"


def load_queries(properties: dict[str, Sequence[str]]) -> dict[str, str]:
    """Every batched load query for these property lists, by name (EXPLAIN tests walk it)."""
    queries = {
        "MERGE_SECTORS": MERGE_SECTORS,
        "MERGE_REGIONS": MERGE_REGIONS,
        "MERGE_COUNTRIES": MERGE_COUNTRIES,
        "LINK_REGIONS": LINK_REGIONS,
        "LINK_SECTORS": LINK_SECTORS,
        "LINK_BASED_IN": LINK_BASED_IN,
        "LINK_HELD_IN": LINK_HELD_IN,
    }
    for table, props in properties.items():
        queries[f"merge_rows({table})"] = merge_rows(table, props)
    return queries


# --------------------------------------------------------------------------- deletes
#
# Neo4j 5.26 plans an Eager operator right before every DELETE, even of a single matched
# relationship (tests/graph/test_cypher.py shows it), so deletes are kept out of the upsert
# queries above: they run only for rows that really changed (a partner moved sector) or
# under --replace, in batches whose size bounds what Eager holds.

#: Single-valued links (a partner's sector and country, an event's country, a country's
#: region): link name -> (query reading the stored (id, target) pairs, query deleting some).
LINKS: dict[str, tuple[str, str]] = {
    "sector": (
        "MATCH (n:Partner)-[:IN_SECTOR]->(t:Sector) RETURN n.partner_id AS id, t.name AS target",
        "UNWIND $rows AS row MATCH (:Partner {partner_id: row.id})-[r:IN_SECTOR]->"
        "(:Sector {name: row.target}) DELETE r",
    ),
    "based_in": (
        "MATCH (n:Partner)-[:BASED_IN]->(t:Country) RETURN n.partner_id AS id, t.iso3 AS target",
        "UNWIND $rows AS row MATCH (:Partner {partner_id: row.id})-[r:BASED_IN]->"
        "(:Country {iso3: row.target}) DELETE r",
    ),
    "held_in": (
        "MATCH (n:Event)-[:HELD_IN]->(t:Country) RETURN n.event_id AS id, t.iso3 AS target",
        "UNWIND $rows AS row MATCH (:Event {event_id: row.id})-[r:HELD_IN]->"
        "(:Country {iso3: row.target}) DELETE r",
    ),
    "in_region": (
        "MATCH (n:Country)-[:IN_REGION]->(t:Region) RETURN n.iso3 AS id, t.name AS target",
        "UNWIND $rows AS row MATCH (:Country {iso3: row.id})-[r:IN_REGION]->"
        "(:Region {name: row.target}) DELETE r",
    ),
}

#: table -> (label, key property) of the nodes a table's rows become.
NODE_TABLES: dict[str, tuple[str, str]] = {
    "partners": ("Partner", "partner_id"),
    "committees": ("Committee", "committee_id"),
    "events": ("Event", "event_id"),
    "targets": ("Target", TARGET_KEY),
}


def delete_nodes(table: str) -> str:
    """``DETACH DELETE`` the nodes of ``table`` whose key is in ``$ids``."""
    label, key = NODE_TABLES[table]
    return f"UNWIND $ids AS id MATCH (n:{label} {{{key}: id}}) DETACH DELETE n"


DELETE_MEMBERSHIPS = f"""
UNWIND $rows AS row
MATCH (:Partner {{partner_id: row.partner_id}})-[m:MEMBER_OF {{{TERM_KEY}: row.term}}]->
      (:Committee {{committee_id: row.committee_id}})
DELETE m
"""
DELETE_ATTENDANCE = """
UNWIND $rows AS row
MATCH (:Partner {partner_id: row.partner_id})-[a:ATTENDED]->(:Event {event_id: row.event_id})
DELETE a
"""
DELETE_LINKS = f"""
UNWIND $rows AS row
MATCH (:Partner {{partner_id: row.source_id}})-[r:LINKED {{kind: row.kind, {TERM_KEY}: row.term}}]->
      (:Partner {{partner_id: row.target_id}})
DELETE r
"""
#: Category nodes nothing points at any more (after --replace removed their last user).
DELETE_ORPHANS: tuple[str, ...] = (
    "MATCH (s:Sector) WHERE NOT (s)<-[:IN_SECTOR]-() DELETE s",
    "MATCH (c:Country) WHERE NOT (c)<-[:BASED_IN|HELD_IN]-() DETACH DELETE c",
    "MATCH (r:Region) WHERE NOT (r)<-[:IN_REGION]-() DELETE r",
)
#: Empties the database in bounded transactions (auto-commit only: CALL ... IN TRANSACTIONS).
CLEAR_ALL = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# --------------------------------------------------------------------------- reads

READ_META = "MATCH (m:Meta {key: $key}) RETURN properties(m) AS meta"

#: table -> query returning the keys already stored (for created counts and --replace).
READ_KEYS: dict[str, str] = {
    "partners": "MATCH (n:Partner) RETURN n.partner_id AS partner_id",
    "committees": "MATCH (n:Committee) RETURN n.committee_id AS committee_id",
    "events": "MATCH (n:Event) RETURN n.event_id AS event_id",
    "memberships": f"MATCH (p:Partner)-[m:MEMBER_OF]->(c:Committee) "
    f"RETURN c.committee_id AS committee_id, p.partner_id AS partner_id, m.{TERM_KEY} AS term",
    "attendance": "MATCH (p:Partner)-[:ATTENDED]->(e:Event) "
    "RETURN e.event_id AS event_id, p.partner_id AS partner_id",
    "targets": f"MATCH (n:Target) RETURN n.{TARGET_KEY} AS target_id",
    "links": "MATCH (a:Partner)-[r:LINKED]->(b:Partner) RETURN a.partner_id AS source_id, "
    f"b.partner_id AS target_id, r.kind AS kind, r.{TERM_KEY} AS term",
}

READ_PARTNERS = """
MATCH (p:Partner)
OPTIONAL MATCH (p)-[:IN_SECTOR]->(s:Sector)
OPTIONAL MATCH (p)-[:BASED_IN]->(c:Country)
OPTIONAL MATCH (c)-[:IN_REGION]->(r:Region)
RETURN properties(p) AS props, s.name AS sector, c.iso3 AS country, c.name AS country_name,
       r.name AS region, c.subregion AS subregion, c.global_south AS global_south
"""
READ_COMMITTEES = "MATCH (c:Committee) RETURN properties(c) AS props"
READ_EVENTS = """
MATCH (e:Event)
OPTIONAL MATCH (e)-[:HELD_IN]->(c:Country)
OPTIONAL MATCH (c)-[:IN_REGION]->(r:Region)
RETURN properties(e) AS props, c.iso3 AS country, c.name AS country_name, r.name AS region,
       c.subregion AS subregion
"""
READ_MEMBERSHIPS = """
MATCH (p:Partner)-[m:MEMBER_OF]->(c:Committee)
RETURN c.committee_id AS committee_id, p.partner_id AS partner_id, properties(m) AS props
"""
READ_ATTENDANCE = """
MATCH (p:Partner)-[a:ATTENDED]->(e:Event)
RETURN e.event_id AS event_id, p.partner_id AS partner_id, properties(a) AS props
"""
READ_TARGETS = "MATCH (t:Target) RETURN properties(t) AS props"
READ_LINKS = """
MATCH (a:Partner)-[r:LINKED]->(b:Partner)
RETURN a.partner_id AS source_id, b.partner_id AS target_id, properties(r) AS props
"""
READ_TABLES: dict[str, str] = {
    "partners": READ_PARTNERS,
    "committees": READ_COMMITTEES,
    "memberships": READ_MEMBERSHIPS,
    "events": READ_EVENTS,
    "attendance": READ_ATTENDANCE,
    "targets": READ_TARGETS,
    "links": READ_LINKS,
}
COUNT_NODES = "MATCH (n) RETURN count(n) AS n"

# --------------------------------------------------------------------------- aggregation

# One query per kind for every dimension at once: each partner's categories are bound once
# (a list of [dimension index, category] pairs), then the group relationships are expanded
# from the partners and counted per (group, category list) before the lists are unwound.
# Measured on the 20,000-partner dataset (190k ATTENDED): several times faster than one query
# per dimension re-matching every ATTENDED relationship with count(DISTINCT p).

#: dimension -> (the OPTIONAL MATCH variables its expression needs, the expression).
_PROFILE_EXPRESSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "sector": (("s",), "s.name"),
    "region": (("c", "r"), "r.name"),
    "subregion": (("c",), "c.subregion"),
    "country": (("c",), "c.iso3"),
    "country_name": (("c",), "c.name"),
    "global_south": (("c",), "CASE WHEN c.global_south = true THEN 'True' ELSE 'False' END"),
}
_PROFILE_MATCHES: dict[str, str] = {
    "s": "OPTIONAL MATCH (p)-[:IN_SECTOR]->(s:Sector)",
    "c": "OPTIONAL MATCH (p)-[:BASED_IN]->(c:Country)",
    "r": "OPTIONAL MATCH (c)-[:IN_REGION]->(r:Region)",
}

# --------------------------------------------------------------------------- read seams
#
# Narrow projections for the analysis (graph/store.py lists the seams): named columns only,
# dates as ISO text (converted a column at a time in pandas), and relationship tables
# collected per group so the driver builds one record per committee or event instead of one
# per row. Windows arrive as id lists ($committee_ids, $event_ids) that the store computes
# from the small group tables, so the window's meaning is written once (graph.store).

#: Partners with their graph-held columns, as one record of parallel lists (``collect``
#: skips nulls, so every value is coalesced; "" is the Dataset's empty text); ``$columns``
#: names the extra properties read (a list per partner, nulls kept inside it).
NARROW_PARTNERS = """
MATCH (p:Partner)
OPTIONAL MATCH (p)-[:IN_SECTOR]->(s:Sector)
OPTIONAL MATCH (p)-[:BASED_IN]->(c:Country)
OPTIONAL MATCH (c)-[:IN_REGION]->(r:Region)
RETURN collect(p.partner_id) AS partner_id, collect(coalesce(p.name, '')) AS name,
       collect(coalesce(s.name, '')) AS sector, collect(coalesce(c.iso3, '')) AS country,
       collect(coalesce(c.name, '')) AS country_name, collect(coalesce(r.name, '')) AS region,
       collect(coalesce(c.subregion, '')) AS subregion,
       collect(coalesce(c.global_south, false)) AS global_south,
       collect(coalesce(toString(p.joined), '')) AS joined,
       collect(coalesce(toString(p.left), '')) AS left,
       collect(coalesce(p.membership, '')) AS membership,
       collect([x IN $columns | p[x]]) AS extras
"""
NARROW_COMMITTEES = """
MATCH (g:Committee)
RETURN collect(g.committee_id) AS committee_id, collect(coalesce(g.name, '')) AS name,
       collect(coalesce(g.program, '')) AS program, collect(coalesce(g.kind, '')) AS kind
"""
NARROW_EVENTS = """
MATCH (g:Event)
OPTIONAL MATCH (g)-[:HELD_IN]->(c:Country)
OPTIONAL MATCH (c)-[:IN_REGION]->(r:Region)
RETURN collect(g.event_id) AS event_id, collect(coalesce(g.name, '')) AS name,
       collect(coalesce(toString(g.date), '')) AS date, collect(coalesce(g.kind, '')) AS kind,
       collect(coalesce(g.program, '')) AS program, collect(coalesce(g.city, '')) AS city,
       collect(coalesce(c.iso3, '')) AS country, collect(coalesce(c.name, '')) AS country_name,
       collect(coalesce(r.name, '')) AS region, collect(coalesce(c.subregion, '')) AS subregion,
       collect(coalesce(g.topics, [])) AS topics, collect(coalesce(g.status, '')) AS status
"""
NARROW_MEMBERSHIPS = """
MATCH (p:Partner)-[m:MEMBER_OF]->(g:Committee)
RETURN collect(g.committee_id) AS committee_id, collect(p.partner_id) AS partner_id,
       collect(coalesce(m.role, '')) AS role, collect(coalesce(toString(m.since), '')) AS since,
       collect(coalesce(toString(m.until), '')) AS until
"""
#: One record per event (all events when ``$event_ids`` is null): thousands of records of
#: lists instead of one record per row (measured on 196k rows: one flat record of lists is
#: no faster, the relationship properties cost most of the time on the server).
NARROW_ATTENDANCE = """
MATCH (g:Event)
WHERE $event_ids IS NULL OR g.event_id IN $event_ids
MATCH (p:Partner)-[a:ATTENDED]->(g)
RETURN g.event_id AS event_id, collect(p.partner_id) AS partner_id,
       collect(coalesce(a.role, '')) AS role, collect(coalesce(a.attendees, 1)) AS attendees
"""
NARROW_LINKS = """
MATCH (a:Partner)-[r:LINKED]->(b:Partner)
RETURN a.partner_id AS source_id, b.partner_id AS target_id, r.kind AS kind,
       coalesce(toString(r.since), '') AS since, coalesce(toString(r.until), '') AS until,
       r.weight AS weight
"""
NARROW_TARGETS = """
MATCH (t:Target)
RETURN t.dimension AS dimension, t.`group` AS `group`, t.min_share AS min_share,
       t.max_share AS max_share
"""

_ACTIVE_ON = "({var}.{start} IS NULL OR {var}.{start} <= $as_of) AND " \
             "({var}.{end} IS NULL OR $as_of < {var}.{end})"
_ACTIVE_P = _ACTIVE_ON.format(var="p", start="joined", end="left")
_ACTIVE_M = _ACTIVE_ON.format(var="m", start="since", end="until")

#: kind -> one record per group of the window: the distinct partner ids of its members.
GROUP_MEMBERS: dict[str, str] = {
    "committee": f"""
MATCH (g:Committee) WHERE g.committee_id IN $committee_ids
MATCH (p:Partner)-[m:MEMBER_OF]->(g)
WHERE {_ACTIVE_M} AND {_ACTIVE_P}
RETURN g.committee_id AS group_id, collect(DISTINCT p.partner_id) AS partner_ids
""",
    "event": """
MATCH (g:Event) WHERE g.event_id IN $event_ids
MATCH (p:Partner)-[:ATTENDED]->(g)
RETURN g.event_id AS group_id, collect(p.partner_id) AS partner_ids
""",
}
#: Partners (membership "Partner") active on $as_of: one record, the ids as a list.
ACTIVE_PARTNER_IDS = f"""
MATCH (p:Partner) WHERE p.membership = 'Partner' AND {_ACTIVE_P}
RETURN collect(p.partner_id) AS ids
"""
#: kind -> members and Guests per group of the window (groups without members are absent).
GROUP_SIZES: dict[str, str] = {
    "committee": f"""
MATCH (g:Committee) WHERE g.committee_id IN $committee_ids
MATCH (p:Partner)-[m:MEMBER_OF]->(g)
WHERE {_ACTIVE_M} AND {_ACTIVE_P}
WITH DISTINCT g, p
RETURN 'committee' AS kind, g.committee_id AS group_id, count(p) AS size,
       count(CASE WHEN p.membership = 'Guest' THEN 1 END) AS guests
""",
    "event": """
MATCH (g:Event) WHERE g.event_id IN $event_ids
MATCH (p:Partner)-[:ATTENDED]->(g)
RETURN 'event' AS kind, g.event_id AS group_id, count(p) AS size,
       count(CASE WHEN p.membership = 'Guest' THEN 1 END) AS guests
""",
}


def _category_pairs(dimensions: Sequence[str]) -> tuple[str, str]:
    """(the OPTIONAL MATCHes, the list expression) binding each partner ``p``'s distinct
    ``[dimension index, category]`` pairs for ``dimensions``; dimensions the graph does not
    hold as relationships are the partner properties ``$properties[i]`` (never spliced)."""
    needed: set[str] = set()
    parts = []
    for i, dim in enumerate(dimensions):
        if dim in _PROFILE_EXPRESSIONS:
            variables, expression = _PROFILE_EXPRESSIONS[dim]
            needed.update(variables)
            values = f"[{expression}]"
        else:
            value = f"p[$properties[{i}]]"
            values = f"CASE WHEN {value} IS :: LIST<ANY> THEN {value} ELSE [{value}] END"
        parts.append(f"[x IN {values} WHERE x IS NOT NULL AND trim(toString(x)) <> '' "
                     f"| [{i}, toString(x)]]")
    matches = "\n".join(_PROFILE_MATCHES[v] for v in ("s", "c", "r") if v in needed)
    return matches, " + ".join(parts) if parts else "[]"


def active_spans_query(dimensions: Sequence[str]) -> str:
    """Per (dimension index, category) among Partners (membership "Partner"): how many have
    no ``joined`` date and the ISO texts of the known ``joined`` and ``left`` dates; the store
    turns these into active counts on any dates with two binary searches per category."""
    matches, pairs = _category_pairs(dimensions)
    return (
        "MATCH (p:Partner) WHERE p.membership = 'Partner'\n"
        f"{matches}\n"
        f"WITH p, {pairs} AS pairs\n"
        "UNWIND pairs AS pair\nWITH DISTINCT p, pair\n"
        "RETURN pair[0] AS dim, pair[1] AS category, count(p) - count(p.joined) AS always,\n"
        "       collect(toString(p.joined)) AS joined, collect(toString(p.left)) AS left"
    )


#: kind -> (expansion from the profiled partners to the window's groups, ending in
#: ``g, cats, n``; the group's key property). Rows are grouped by the group node and the
#: window's id list checked after the grouping (on ~2,000 events, not ~190,000 ATTENDED rows).
_WINDOW_EXPANSIONS: dict[str, tuple[str, str]] = {
    # A partner may hold two overlapping terms on one committee: distinct partners count.
    "committee": (f"""
MATCH (p)-[m:MEMBER_OF]->(g:Committee)
WHERE {_ACTIVE_M}
WITH DISTINCT g, p, cats
WITH g, cats, count(*) AS n
WHERE g.committee_id IN $committee_ids
""", "committee_id"),
    # One ATTENDED per (event, partner) (the attendance key), so no DISTINCT is needed.
    "event": ("""
MATCH (p)-[:ATTENDED]->(g:Event)
WITH g, cats, count(*) AS n
WHERE g.event_id IN $event_ids
""", "event_id"),
}


def window_compositions_query(kind: str, dimensions: Sequence[str]) -> str:
    """Distinct members per (group of the window, dimension index, category), in one query.

    Each partner's categories are bound once for every dimension; then its group
    relationships are expanded and counted per (group, category list) before the lists are
    unwound. Committees count memberships active on ``$as_of`` of partners active on it.
    Rows: ``(kind, group_id, dim, category, count)``.
    """
    if kind not in _WINDOW_EXPANSIONS:
        raise ValueError(f"kind must be one of {sorted(_WINDOW_EXPANSIONS)}, got {kind!r}")
    expansion, key = _WINDOW_EXPANSIONS[kind]
    matches, pairs = _category_pairs(dimensions)
    active = f"WHERE {_ACTIVE_P}" if kind == "committee" else ""
    return (
        f"MATCH (p:Partner)\n{active}\n{matches}\n"
        f"WITH p, {pairs} AS pairs\n"
        # collect(DISTINCT): a list column naming one value twice still counts the partner once
        "UNWIND pairs AS pair\nWITH p, collect(DISTINCT pair) AS cats\n"
        f"{expansion}"
        "UNWIND cats AS pair\n"
        f"RETURN '{kind}' AS kind, g.{key} AS group_id, pair[0] AS dim, "
        "pair[1] AS category, sum(n) AS count"
    )
