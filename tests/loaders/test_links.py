"""The optional ``links`` table: direct partner-to-partner relations, validated like the others."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import loaders
from core.errors import DataError
from tests.loaders.test_validate import PARTNERS, problems, write

PARTNERS3 = PARTNERS + "p3,Gamma,Academic,FR,2019-01-01,\n"


def test_links_load_with_defaults_canonical_kinds_and_extras(tmp_path: Path) -> None:
    ds = loaders.read_dataset(write(
        tmp_path, partners=PARTNERS3,
        links="Source_ID, Target_ID ,Kind,since,until,weight,note\n"
              "p1,p2,Joint project,2020-01,,,kickoff\n"
              "p2,p3, joint  PROJECT ,2021-03-05,2023-01-01,2.5,\n"
              "p1,p3,grant,,,,\n",
    ))
    links = ds.links.set_index(["source_id", "target_id"])
    assert links["kind"].tolist() == ["Joint project", "grant", "Joint project"]
    assert links["weight"].tolist() == [1.0, 1.0, 2.5]  # an empty weight is 1
    assert str(links.loc[("p1", "p2"), "since"].date()) == "2020-01-01"
    assert str(links.loc[("p2", "p3"), "until"].date()) == "2023-01-01"
    assert links["note"].tolist() == ["kickoff", "", ""]


def test_a_dataset_without_links_has_an_empty_links_table(tmp_path: Path) -> None:
    ds = loaders.read_dataset(write(tmp_path))
    assert ds.links.empty
    assert list(ds.links.columns) == ["source_id", "target_id", "kind", "since", "until", "weight"]


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        pytest.param("source_id,target_id,kind\np9,p1,grant\n",
                     "links.csv:2: source_id: unknown source 'p9': not in partners",
                     id="unknown-source"),
        pytest.param("source_id,target_id,kind\np1,p9,grant\n",
                     "links.csv:2: target_id: unknown target 'p9': not in partners",
                     id="unknown-target"),
        pytest.param("source_id,target_id,kind\np1,p1,grant\n",
                     "links.csv:2: target_id: a link from partner 'p1' to itself", id="self-link"),
        pytest.param("source_id,target_id,kind,since,until\np1,p2,grant,2021-01-01,2020-12-31\n",
                     "links.csv:2: until: until 2020-12-31 is before since 2021-01-01",
                     id="until-before-since"),
        pytest.param("source_id,target_id,kind,since\np1,p2,grant,last year\n",
                     "links.csv:2: since: not a date: 'last year' (expected YYYY-MM-DD or YYYY-MM)",
                     id="bad-date"),
        pytest.param("source_id,target_id,kind,weight\np1,p2,grant,0\n",
                     "links.csv:2: weight: bad weight '0': expected a number > 0", id="weight-zero"),
        pytest.param("source_id,target_id,kind,weight\np1,p2,grant,-2\n",
                     "links.csv:2: weight: bad weight '-2': expected a number > 0", id="weight-negative"),
        pytest.param("source_id,target_id,kind,weight\np1,p2,grant,heavy\n",
                     "links.csv:2: weight: bad weight 'heavy': expected a number > 0", id="weight-text"),
        pytest.param("source_id,target_id,kind,weight\np1,p2,grant,inf\n",
                     "links.csv:2: weight: bad weight 'inf': expected a number > 0", id="weight-inf"),
        pytest.param("source_id,target_id,kind\np1,p2,\n",
                     "links.csv:2: kind: empty required value", id="empty-kind"),
        pytest.param("source_id,target_id\np1,p2\n",
                     "links.csv:1: kind: missing required column", id="missing-kind-column"),
        pytest.param("source_id,target_id,kind,since\np1,p2,Grant,2020-01\np1,p2,grant,2020-01-01\n",
                     "links.csv:3: -: duplicate link (same source, target, kind and since) "
                     "(first at line 2)", id="duplicate-link"),
    ],
)
def test_link_rule(tmp_path: Path, links: str, expected: str) -> None:
    assert expected in problems(write(tmp_path, links=links))


def test_the_same_kind_twice_at_different_times_is_two_links(tmp_path: Path) -> None:
    ds = loaders.read_dataset(write(
        tmp_path, links="source_id,target_id,kind,since\np1,p2,grant,2018-01\np1,p2,grant,2022-01\n"))
    assert len(ds.links) == 2


def test_every_link_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(write(
        tmp_path,
        links="source_id,target_id,kind,since,until,weight\n"
              "p1,p1,grant,,,\n"
              "p1,p7,,2022-01-01,2021-01-01,x\n",
    ))
    assert found == [
        "links.csv:2: target_id: a link from partner 'p1' to itself",
        "links.csv:3: kind: empty required value",
        "links.csv:3: target_id: unknown target 'p7': not in partners",
        "links.csv:3: until: until 2021-01-01 is before since 2022-01-01",
        "links.csv:3: weight: bad weight 'x': expected a number > 0",
    ]


def test_links_sheet_of_a_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Partners"
    sheet.append(["partner_id", "name", "sector", "country"])
    sheet.append(["p1", "A", "Industry", "US"])
    sheet.append(["p2", "B", "Academic", "KE"])
    links = book.create_sheet("Links")
    links.append(["source_id", "target_id", "kind", "weight"])
    links.append(["p1", "p2", "collaboration", 3])
    links.append(["p2", "p3", "collaboration", None])
    path = tmp_path / "book.xlsx"
    book.save(path)
    with pytest.raises(DataError) as info:
        loaders.read_dataset(path)
    assert [str(p) for p in info.value.problems] == [
        "book.xlsx[Links]:3: target_id: unknown target 'p3': not in partners"]
    links.delete_rows(3)
    book.save(path)
    assert loaders.read_dataset(path).links["weight"].tolist() == [3.0]


# --- the generator's links ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> object:
    from loaders.generate import generate

    folder = tmp_path_factory.mktemp("gen-links")
    generate(folder, partners=1500, seed=4)
    return loaders.read_dataset(folder)


def test_generated_links_scale_with_partners(tmp_path: Path) -> None:
    from loaders.generate import generate

    small = generate(tmp_path / "a", partners=400, seed=2).rows["links"]
    large = generate(tmp_path / "b", partners=4000, seed=2).rows["links"]
    assert 0.5 * 400 <= small <= 0.75 * 400
    assert 0.5 * 4000 <= large <= 0.75 * 4000
    assert 8 <= large / small <= 12


def test_generated_links_join_partners_active_on_their_start(generated: object) -> None:
    from core.model import Dataset

    assert isinstance(generated, Dataset)
    links, partners = generated.links, generated.partners.set_index("partner_id")
    assert set(links["kind"]) == {"collaboration", "grant", "joint project"}
    assert (links["source_id"] != links["target_id"]).all()
    assert links["since"].notna().all()
    assert ((links["until"].isna()) | (links["until"] > links["since"])).all()
    assert set(links["weight"]) <= {1.0, 2.0, 3.0}
    for end in ("source_id", "target_id"):
        joined = partners.loc[links[end], "joined"].to_numpy()
        left = partners.loc[links[end], "left"].to_numpy()
        since = links["since"].to_numpy()
        assert ((pd.isna(joined) | (joined <= since)) & (pd.isna(left) | (since < left))).all()
    sectors = partners["sector"]
    same = sectors.loc[links["source_id"]].to_numpy() == sectors.loc[links["target_id"]].to_numpy()
    assert same.mean() > 0.6  # most collaborations stay within a sector
