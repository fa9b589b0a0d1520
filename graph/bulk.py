"""``load --bulk``: a first load into an empty database with ``neo4j-admin database import full``.

The validated Dataset is written as the admin tool's CSV files (typed headers, one file per label
and relationship type, the same schema as graph/cypher.py), the local server of a home is
stopped, the tool (``org.neo4j.cli.AdminTool`` from the same Maven jars) builds the store
offline, and the server is started again; then the constraints and the Meta node are written
over Bolt as a transactional load writes them. Only for a local home whose database is empty:
the import replaces the database, so a non-empty one is refused before anything is touched.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import StoreError
from core.model import DATE_COLUMNS, LIST_COLUMNS, Dataset
from graph import cypher, server
from graph.neo4j_store import Neo4jStore, _LoadPlan
from graph.store import LoadSummary

#: Characters the admin tool's header syntax gives a meaning (name:type, separators, quotes).
_HEADER_SPECIAL = (":", ",", '"', ";", "\n")
IMPORT_TIMEOUT_S = 3600


def _cell_frame(frame: pd.DataFrame, columns: Sequence[str], lists: set[str],
                dates: Sequence[str]) -> pd.DataFrame:
    """``columns`` of ``frame`` as admin-tool cells: text (written quoted, so "" stays an empty
    text as a transactional load stores it), ISO dates, ``;``-joined lists, true/false, or
    None for a property the element does not get (missing dates and numbers)."""
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        series = frame[col] if col in frame.columns else pd.Series([None] * len(frame),
                                                                    index=frame.index)
        if col in dates:
            out[col] = series.dt.strftime("%Y-%m-%d").astype(object).where(series.notna(), None)
        elif col in lists:
            out[col] = series.map(lambda v: ";".join(v) if isinstance(v, tuple) else None)
        elif pd.api.types.is_bool_dtype(series):
            out[col] = series.map(lambda v: "true" if v else "false")
        elif pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
            out[col] = series.map(lambda v: None if pd.isna(v) else str(v))
        else:
            out[col] = series
    return out


def _header(name: str, *, dates: Sequence[str], lists: set[str], types: dict[str, str]) -> str:
    if any(ch in name for ch in _HEADER_SPECIAL):
        raise StoreError(f"column {name!r} cannot be bulk-imported (its name holds one of "
                         ": , \" ;); load it without --bulk")
    if name in dates:
        return f"{name}:date"
    if name in lists:
        return f"{name}:string[]"
    return f"{name}:{types[name]}" if name in types else name


def _quoted(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return '"' + str(value).replace('"', '""') + '"'


def _write(path: Path, frame: pd.DataFrame, header: list[str]) -> None:
    """A CSV with every value quoted and missing values as empty unquoted cells (the admin
    tool sets no property for those, and keeps a quoted "" as an empty text)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(_quoted(h) for h in header) + "\n")
        columns = [frame[c].tolist() for c in frame.columns]
        for row in zip(*columns, strict=True):
            out.write(",".join(_quoted(v) for v in row) + "\n")


def write_import_files(plan: _LoadPlan, folder: Path) -> list[str]:
    """Every node and relationship file of ``plan`` in ``folder``; the admin tool's
    ``--nodes``/``--relationships`` arguments naming them."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = plan.dataset
    args: list[str] = []
    types = {"attendees": "long", "min_share": "double", "max_share": "double",
             "global_south": "boolean", "weight": "double"}

    def table(name: str, label: str, frame: pd.DataFrame, keys: list[str], key_header: list[str],
              props: Sequence[str], table_name: str, kind: str) -> None:
        dates = DATE_COLUMNS.get(table_name, ())
        lists = set(LIST_COLUMNS.get(table_name, ())) | {
            c for c in props if c in frame.columns
            and frame[c].map(lambda v: isinstance(v, tuple)).any()}
        cells = _cell_frame(frame, props, lists, dates)
        body = pd.concat([frame[keys].reset_index(drop=True), cells.reset_index(drop=True)],
                         axis=1)
        header = key_header + [_header(p, dates=dates, lists=lists, types=types) for p in props]
        _write(folder / f"{name}.csv", body, header)
        args.append(f"--{kind}={label}={folder / f'{name}.csv'}")

    props = plan.properties
    table("partners", "Partner", ds.partners, ["partner_id"], ["partner_id:ID(Partner)"],
          props["partners"], "partners", "nodes")
    table("committees", "Committee", ds.committees, ["committee_id"],
          ["committee_id:ID(Committee)"], props["committees"], "committees", "nodes")
    table("events", "Event", ds.events, ["event_id"], ["event_id:ID(Event)"], props["events"],
          "events", "nodes")
    targets = ds.targets.assign(sg_target_id=[r["target_id"] for r in plan.rows["targets"]])
    table("targets", "Target", targets, ["sg_target_id"], [f"{cypher.TARGET_KEY}:ID(Target)"],
          props["targets"], "targets", "nodes")
    members = ds.memberships.assign(
        sg_term=[r["term"] for r in plan.rows["memberships"]])
    table("memberships", "MEMBER_OF", members, ["partner_id", "committee_id", "sg_term"],
          [":START_ID(Partner)", ":END_ID(Committee)", cypher.TERM_KEY],
          props["memberships"], "memberships", "relationships")
    table("attendance", "ATTENDED", ds.attendance, ["partner_id", "event_id"],
          [":START_ID(Partner)", ":END_ID(Event)"], props["attendance"], "attendance",
          "relationships")
    links = ds.links.assign(sg_term=[r["term"] for r in plan.rows["links"]])
    table("links", "LINKED", links, ["source_id", "target_id", "kind", "sg_term"],
          [":START_ID(Partner)", ":END_ID(Partner)", "kind", cypher.TERM_KEY],
          props["links"], "links", "relationships")
    args += _lookup_files(plan, folder)
    return args


def _lookup_files(plan: _LoadPlan, folder: Path) -> list[str]:
    """Sectors, regions, countries and the single-valued links to them."""
    ds = plan.dataset
    countries = pd.DataFrame(plan.countries, columns=["iso3", "name", "subregion",
                                                      "global_south", "region"])
    south = countries["global_south"].map(lambda v: None if v is None else str(bool(v)).lower())
    files = {
        "sectors": (["name:ID(Sector)"], pd.DataFrame({"n": [s["name"] for s in plan.sectors]}),
                    "nodes", "Sector"),
        "regions": (["name:ID(Region)"], pd.DataFrame({"n": [r["name"] for r in plan.regions]}),
                    "nodes", "Region"),
        "countries": (["iso3:ID(Country)", "name", "subregion", "global_south:boolean"],
                      countries[["iso3", "name", "subregion"]].assign(g=south),
                      "nodes", "Country"),
        "in_region": ([":START_ID(Country)", ":END_ID(Region)"],
                      countries.loc[countries["region"].notna(), ["iso3", "region"]],
                      "relationships", "IN_REGION"),
        "in_sector": ([":START_ID(Partner)", ":END_ID(Sector)"],
                      ds.partners.loc[ds.partners["sector"] != "", ["partner_id", "sector"]],
                      "relationships", "IN_SECTOR"),
        "based_in": ([":START_ID(Partner)", ":END_ID(Country)"],
                     ds.partners.loc[ds.partners["country"] != "", ["partner_id", "country"]],
                     "relationships", "BASED_IN"),
        "held_in": ([":START_ID(Event)", ":END_ID(Country)"],
                    ds.events.loc[ds.events["country"] != "", ["event_id", "country"]],
                    "relationships", "HELD_IN"),
    }
    args = []
    for name, (header, frame, kind, label) in files.items():
        _write(folder / f"{name}.csv", frame, header)
        args.append(f"--{kind}={label}={folder / f'{name}.csv'}")
    return args


def _admin_import(home: Path, args: list[str], database: str) -> float:
    lib = server.lib_dir()
    cmd = [shutil.which("java") or "java", "-cp", f"{lib}/*", server.ADMIN_TOOL, "database",
           "import", "full", database, "--overwrite-destination=true",
           "--multiline-fields=true", *args]
    began = time.perf_counter()
    done = subprocess.run(cmd, env=server._neo4j_env(home), cwd=home, capture_output=True,
                          text=True, timeout=IMPORT_TIMEOUT_S, check=False)
    if done.returncode != 0:
        tail = "\n".join(line for line in (done.stdout + done.stderr).strip().splitlines()
                         if not line.startswith("\tat "))[-1500:]
        raise StoreError(f"neo4j-admin database import failed (exit {done.returncode}):\n{tail}")
    return time.perf_counter() - began


def bulk_load(dataset: Dataset, home: Path, *, password: str, database: str = "neo4j",
              user: str = "neo4j") -> LoadSummary:
    """Import ``dataset`` into the empty database of the local server in ``home``.

    The server is stopped for the import and started again on the same port. Raises
    StoreError when the database holds anything (the import would replace it), when the
    server is not a local one of ``home``, or when the admin tool fails.
    """
    import neo4j

    began = time.perf_counter()
    plan = _LoadPlan.build(dataset)
    plan.check_references({t: set() for t in plan.keys}, replace=True)
    plan.finish(None)
    info = server.status(home)
    if info is None:
        raise StoreError(f"no Neo4j server runs in {home}: start it with `stakeholder-graph "
                         "neo4j start --home ...` first")
    with neo4j.GraphDatabase.driver(info.uri, auth=(user, password)) as driver:
        store = Neo4jStore(driver, database, location=info.uri)
        if not store._is_empty():
            raise StoreError("--bulk imports into an empty database only; this one holds "
                             "data (load without --bulk to upsert)")
    args = write_import_files(plan, home / "import" / "bulk")
    server.stop(home)
    try:
        admin_s = _admin_import(home, args, database)
    finally:
        info = server.start(home, bolt_port=info.bolt_port, password=password)
    with neo4j.GraphDatabase.driver(info.uri, auth=(user, password)) as driver:
        store = Neo4jStore(driver, database, location=info.uri)
        store.ensure_constraints()
        meta: dict[str, Any] = {**plan.meta(None), "version": dataset.version}
        store._write([cypher.SET_META], key=cypher.META_KEY, props=meta)
    shutil.rmtree(home / "import" / "bulk", ignore_errors=True)
    summary = LoadSummary(written={t: len(k) for t, k in plan.keys.items()},
                          created={t: len(k) for t, k in plan.keys.items()})
    summary.seconds = time.perf_counter() - began
    summary.phases = {"admin_import_s": round(admin_s, 3)}
    return summary
