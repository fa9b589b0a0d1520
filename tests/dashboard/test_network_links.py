"""The network page's direct links: their own view and a dashed layer over co-participation,
called through the page's callbacks; a dataset without links offers neither."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from core.model import Dataset
from dashboard.app import app_state, create_app
from dashboard.network_view import DIRECT, DIRECT_CLASS, NO_LINKS_NOTE, layout_choices, network_view
from graph.memory import MemoryStore
from tests.dashboard.data import AS_OF, SCRIPT_NAME, small_dataset

#: p01-p03 and p01-p08 active on AS_OF (p08's name is a script); p02-p10 ended in 2020.
LINKS = pd.DataFrame({
    "source_id": ["p01", "p03", "p02", "p08"],
    "target_id": ["p03", "p01", "p10", "p01"],
    "kind": ["grant", "collaboration", "joint project", "grant"],
    "since": ["2021-01-01", None, None, "2024-06-30"],
    "until": [None, None, "2020-01-01", None],
    "weight": [2.0, 1.0, 1.0, 0.5],
})


def linked_dataset() -> Dataset:
    return Dataset.from_frames(**{**small_dataset().tables(), "links": LINKS})


@pytest.fixture(scope="module")
def app():
    return create_app(MemoryStore(linked_dataset()))


def _network_page():
    return sys.modules["dashboard.pages.network"]


def _args(mode: str, layer: list[str] | None) -> list:
    return [mode, "all", None, AS_OF, None, None, None, None, None, "sector", "degree",
            "community", None, None, layer]


def _split(elements: list[dict]) -> tuple[list[dict], list[dict]]:
    nodes = [e for e in elements if "source" not in e["data"]]
    edges = [e for e in elements if "source" in e["data"]]
    return nodes, edges


def test_direct_links_view_draws_the_links_active_on_the_last_day(app):
    with app.server.test_request_context("/"):
        out = _network_page().update_network(*_args(DIRECT, None))
    nodes, edges = _split(out[0])
    pairs = {frozenset((e["data"]["source"], e["data"]["target"])) for e in edges}
    assert pairs == {frozenset(("p01", "p03")), frozenset(("p01", "p08"))}
    weights = {frozenset((e["data"]["source"], e["data"]["target"])): e["data"]["weight"]
               for e in edges}
    assert weights[frozenset(("p01", "p03"))] == 3.0  # a grant and a collaboration, summed
    # the nodes are those of the day (active Partners): the linked ones have degree > 0
    degree = {n["data"]["id"]: n["data"]["degree"] for n in nodes}
    assert degree["p01"] == 2 and degree["p08"] == 1 and degree["p04"] == 0
    assert "direct links active on the last day" in out[4]
    assert not any(DIRECT_CLASS in e.get("classes", "") for e in edges)


def test_layer_adds_dashed_direct_links_over_co_participation(app):
    page = _network_page()
    with app.server.test_request_context("/"):
        plain = page.update_network(*_args("coparticipation", []))
        layered = page.update_network(*_args("coparticipation", [DIRECT]))
    _, before = _split(plain[0])
    nodes, after = _split(layered[0])
    direct = [e for e in after if e.get("classes") == DIRECT_CLASS]
    assert len(after) == len(before) + len(direct)
    assert {frozenset((e["data"]["source"], e["data"]["target"])) for e in direct} == {
        frozenset(("p01", "p03")), frozenset(("p01", "p08"))}
    drawn = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in drawn and e["data"]["target"] in drawn for e in direct)
    assert "2 direct links drawn over it" in layered[1]


def test_layer_respects_the_element_cap(app):
    with app.server.test_request_context("/"):
        full = network_view(app_state(app), mode="coparticipation", links="all",
                            as_of=pd.Timestamp(AS_OF).date(), layer=True)
        cap = len(full["elements"]) - 1
        capped = network_view(app_state(app), mode="coparticipation", links="all",
                              as_of=pd.Timestamp(AS_OF).date(), layer=True, max_elements=cap)
    assert len(capped["elements"]) <= cap
    assert "the strongest of 2" in capped["note"]


def test_details_list_a_partners_direct_links_as_text(app):
    with app.server.test_request_context("/"):
        panel = _network_page().details_panel({"id": "p01"}, start=None, end=AS_OF,
                                              program=None, group_by="community")
    heading = next(i for i, c in enumerate(panel)
                   if getattr(c, "children", None) == "Direct links on the last day (3)")
    lines = [li.children for li in panel[heading + 1].children]
    assert lines == ["collaboration from Civic Rights Now",
                     f"grant from {SCRIPT_NAME} since 2024-06-30, weight 0.5",
                     "grant to Civic Rights Now since 2021-01-01, weight 2"]


def test_a_dataset_without_links_offers_no_direct_view():
    plain = create_app(MemoryStore(small_dataset()))
    with plain.server.test_request_context("/"):
        assert layout_choices(app_state(plain))["links"] is False
        view = network_view(app_state(plain), mode=DIRECT, as_of=pd.Timestamp(AS_OF).date())
        layout = _network_page().layout()
    assert view["elements"] == [] and view["note"] == NO_LINKS_NOTE
    options = [o["value"] for o in _find(layout, "network-mode").options]
    assert DIRECT not in options
    assert _find(layout, "network-link-layer").style == {"display": "none"}


def test_the_page_offers_the_direct_view_when_there_are_links(app):
    with app.server.test_request_context("/"):
        layout = _network_page().layout()
    assert DIRECT in [o["value"] for o in _find(layout, "network-mode").options]
    assert _find(layout, "network-link-layer").style is None


def _find(component, id_: str):
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found = _find(child, id_)
            if found is not None:
                return found
    return None
