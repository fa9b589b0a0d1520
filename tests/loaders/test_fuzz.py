"""Random damage to a valid dataset never crashes the CLI: it exits 0, or 1 with located messages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stakeholder_graph import cli

VALID = {
    "partners.csv": "partner_id,name,sector,country,joined,left\np1,Alpha,Industry,US,2016-01-01,\n"
    'p2,"Beta, Inc",Civil Society,Kenya,2018-05,2022-01-01\np3,Gamma,Academic,India,,\n',
    "committees.csv": "committee_id,name,program\nc1,Steering,Labor\n",
    "memberships.csv": "committee_id,partner_id,since,until\nc1,p1,2017-01-01,\nc1,p2,2019-01,2020-01\n",
    "events.csv": "event_id,name,date,country,topics\ne1,Workshop,2021-06-01,France,ai;policy\n",
    "attendance.csv": "event_id,partner_id,role,attendees\ne1,p1,speaker,2\ne1,p3,participant,1\n",
    "targets.csv": "dimension,group,min_share\nsector,Civil Society,0.3\n",
}
LOCATED = re.compile(r"^[^:\n]+:\d+: [^:\n]+: .+$")

damage = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 400)),
    st.tuples(st.just("insert"), st.integers(0, 400), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 400), st.integers(1, 20)),
    st.tuples(st.just("flip"), st.integers(0, 400), st.integers(1, 255)),
    st.tuples(st.just("shuffle"), st.randoms(use_true_random=False)),
    st.tuples(st.just("duplicate"), st.integers(0, 10)),
)


def apply(data: bytes, op: tuple) -> bytes:  # type: ignore[type-arg]
    kind = op[0]
    if kind == "truncate":
        return data[: op[1] % (len(data) + 1)]
    if kind == "insert":
        at = op[1] % (len(data) + 1)
        return data[:at] + op[2] + data[at:]
    if kind == "delete":
        at = op[1] % (len(data) + 1)
        return data[:at] + data[at + op[2]:]
    if kind == "flip":
        if not data:
            return data
        at = op[1] % len(data)
        return data[:at] + bytes([data[at] ^ op[2]]) + data[at + 1:]
    lines = data.split(b"\n")
    if kind == "shuffle":
        op[1].shuffle(lines)
    else:
        lines.insert(op[1] % (len(lines) + 1), lines[op[1] % len(lines)])
    return b"\n".join(lines)


@pytest.fixture(scope="module")
def valid_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("valid")
    for name, text in VALID.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_valid_dataset_is_valid(valid_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(valid_dir)]) == 0
    assert "OK" in capsys.readouterr().out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(sorted(VALID)), ops=st.lists(damage, min_size=1, max_size=3))
def test_damage_never_crashes(
    valid_dir: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
    file: str, ops: list,  # type: ignore[type-arg]
) -> None:
    folder = tmp_path_factory.mktemp("damaged")
    shutil.copytree(valid_dir, folder, dirs_exist_ok=True)
    data = (valid_dir / file).read_bytes()
    for op in ops:
        data = apply(data, op)
    (folder / file).write_bytes(data)
    code = cli.main(["validate", str(folder)])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 1:
        lines = [line for line in err.splitlines() if line and "problem" not in line]
        assert lines and all(LOCATED.match(line) for line in lines), err
