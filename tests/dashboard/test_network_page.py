"""The network page's readable defaults and downloads, called as the callbacks call them:
strong ties first with all links one click away, the stated rule and the modularity caveat,
the export downloads (the ``export`` command's formats) and the new measures in the details."""

from __future__ import annotations

import base64
import datetime as dt
import io
import sys

import networkx as nx
import pytest

from dashboard import ids
from dashboard.app import app_state, create_app
from dashboard.network_view import ALL_LINKS, STRONG, export_download, network_view
from graph.memory import MemoryStore
from tests.dashboard.data import AS_OF, small_dataset

DAY = dt.date.fromisoformat(AS_OF)


@pytest.fixture(scope="module")
def app():
    return create_app(MemoryStore(small_dataset()))


def _page():
    return sys.modules["dashboard.pages.network"]


def _edges(view: dict) -> int:
    return sum(1 for e in view["elements"] if "source" in e["data"])


def test_strong_ties_are_the_default_and_all_links_one_click_away(app) -> None:
    state = app_state(app)
    with app.server.test_request_context("/"):
        strong = network_view(state, as_of=DAY)
        everything = network_view(state, as_of=DAY, links=ALL_LINKS)
    win = state.network(_window())
    assert 0 < _edges(strong) == int(win.strong.sum()) < _edges(everything) == len(win.src)
    assert strong["summary"]["caption"].startswith("Strong ties: each partner's 3 strongest")
    assert everything["summary"]["caption"] == ""
    with pytest.raises(ValueError, match="links must be one of"):
        network_view(state, as_of=DAY, links="some")


def _window():
    from dashboard.network_view import window_of

    return window_of(DAY, None, None)


def test_the_page_states_the_rule_and_the_caveat(app) -> None:
    net = _page()
    args = ["coparticipation", STRONG, None, AS_OF, None, None, None, None, None, "sector",
            "degree", "community", None, None]
    with app.server.test_request_context("/"):
        strong = net.update_network(*args)
        args[1] = ALL_LINKS
        everything = net.update_network(*args)
        modularity = app_state(app).network(_window()).modularity
    caption = " ".join(str(part.children) for part in strong[-1])
    assert "Strong ties" in caption and "All links" in caption
    assert all("Strong ties" not in str(part.children) for part in everything[-1])
    assert (modularity is not None and modularity < 0.3) == ("modularity is" in caption)


def test_the_caveat_shows_for_a_low_modularity_summary() -> None:
    parts = _page()._caption({"caption": "", "caveat": "Community modularity is 0.05 (below 0.3)"})
    assert [p.children for p in parts] == ["Community modularity is 0.05 (below 0.3)"]


@pytest.mark.parametrize(("button", "reader"), [
    (ids.NET_EXPORT_GEXF, nx.read_gexf), (ids.NET_EXPORT_GRAPHML, nx.read_graphml)])
def test_export_buttons_download_the_window(app, button, reader, monkeypatch) -> None:
    net = _page()
    monkeypatch.setattr(net, "ctx", type("Ctx", (), {"triggered_id": button})())
    with app.server.test_request_context("/"):
        payload = net.download_network(*([1] * 4), "coparticipation", None, AS_OF, None)
        win = app_state(app).network(_window())
    graph = reader(io.BytesIO(base64.b64decode(payload["content"])))
    assert sorted(graph.nodes) == sorted(win.nodes["id"])
    assert graph.number_of_edges() == len(win.src)  # every link, whatever is drawn
    assert payload["filename"].startswith(f"network-coparticipation-{AS_OF}")
    assert {"pagerank", "kcore", "sector", "community"} <= set(graph.nodes["p01"])


def test_two_mode_csv_download_and_min_cell_refusal(app) -> None:
    with app.server.test_request_context("/"):
        payload = export_download(app_state(app), "csv", mode="two-mode", as_of=DAY, since=None,
                                  program=None)
    assert payload["filename"].endswith(".zip") and payload["type"] == "application/zip"
    private = create_app(MemoryStore(small_dataset()), min_cell=3)
    with private.server.test_request_context("/"):
        assert export_download(app_state(private), "gexf", mode="coparticipation", as_of=DAY,
                               since=None, program=None) is None
    with app.server.test_request_context("/"), pytest.raises(ValueError, match="fmt must be"):
        export_download(app_state(app), "pdf", mode="coparticipation", as_of=DAY, since=None,
                        program=None)


def test_image_buttons_ask_cytoscape_for_the_current_view(app, monkeypatch) -> None:
    net = _page()
    for button, kind in ((ids.NET_IMAGE_PNG, "png"), (ids.NET_IMAGE_SVG, "svg")):
        monkeypatch.setattr(net, "ctx", type("Ctx", (), {"triggered_id": button})())
        with app.server.test_request_context("/"):
            assert net.save_image(1, None) == {"type": kind, "action": "download",
                                                "filename": "network"}


def test_details_show_the_new_measures(app) -> None:
    net = _page()
    with app.server.test_request_context("/"):
        panel = net.details_panel({"id": "p01"}, start=None, end=AS_OF, program=None,
                                  group_by="community")
    text = str(panel)
    for label in ("Eigenvector", "PageRank", "Closeness", "k-core"):
        assert label in text
