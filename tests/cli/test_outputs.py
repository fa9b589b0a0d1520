"""Output files: written atomically; a missing folder or a folder in the file's place is exit 1."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from core.errors import RequestError
from stakeholder_graph import cli
from stakeholder_graph.common import write_output

DEMO = ["report", "demo", "--as-of", "2024-06-30"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_output_into_a_missing_folder_is_a_clear_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere" / "report.json"
    code, _, err = run([*DEMO, "-o", str(target)], capsys)
    assert code == 1
    assert err.strip() == f"error: {target}: cannot write: the folder {target.parent} does not exist"
    assert "internal error" not in err and "Traceback" not in err


def test_output_onto_a_folder_is_a_clear_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([*DEMO, "--format", "xlsx", "-o", str(tmp_path)], capsys)
    assert code == 1
    assert err.strip() == f"error: {tmp_path}: cannot write: it is a folder; give a file name"


def test_output_under_a_file_is_a_clear_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = run([*DEMO, "-o", str(tmp_path / "file" / "r.md")], capsys)
    assert code == 1 and "is not a folder" in err


def test_report_replaces_the_file_and_leaves_no_temporary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    code, _, err = run([*DEMO, "--format", "markdown", "-o", str(target)], capsys)
    assert code == 0 and err.strip() == f"wrote {target}"
    assert target.read_text(encoding="utf-8").startswith("# Representation and reach report")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_failed_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(RequestError, match="No space left on device"):
        write_output(target, "new" * 1000)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_concurrent_writers_never_leave_a_mixed_file(tmp_path: Path) -> None:
    target = tmp_path / "shared.txt"
    payloads = [letter * 200_000 for letter in "ab"]
    seen: set[str] = set()

    def writer(payload: str) -> None:
        for _ in range(15):
            write_output(target, payload)

    def reader() -> None:
        for _ in range(60):
            if target.exists():
                seen.add(target.read_text())

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_text() in payloads
    assert seen <= set(payloads)  # a reader sees one whole file or the other, never a mix
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.txt"]


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "fresh.txt"
    write_output(target, b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
