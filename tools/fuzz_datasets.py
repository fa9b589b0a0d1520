"""A long fuzz run: thousands of corrupted datasets through the CLI, in process, counting crashes.

Each case starts from one small valid dataset (every table, CSV folder or XLSX workbook), applies
one to three random kinds of damage (byte-level edits, structural damage such as a 200,000-char
cell, NUL bytes, CR-only line endings, BOMs, Windows-1252 text, other delimiters, duplicated
headers, unbalanced quotes, random bytes, damaged zip bytes, random workbook cells and sheet
names, and the hostile shapes of ``tools/hostile_workbooks.py``: a stray cell at XFD1048576, a
claimed ``A1:XFD1048576`` dimension, title rows, merged header labels, serial dates, a
duplicate sheet), then runs ``stakeholder-graph validate`` through :func:`stakeholder_graph.cli.main`.
Every case that validates is also run through ``report --format json`` and its JSON parsed.

A *crash* is anything a user must never see: an exception escaping ``main``, an exit code other
than 0 or 1, ``Traceback`` or ``internal error`` on stderr, an exit 1 whose stderr lines are not
``FILE:LINE: COLUMN: message``, or a report that is not valid JSON.

Usage::

    .venv/bin/python tools/fuzz_datasets.py [-n 5000] [--seed 0] [--keep DIR] [--json PATH]

It prints a summary (cases, exit-code counts, damage kinds, crashes) and exits 1 if any case
crashed; ``--keep DIR`` saves each crashing dataset there for a bug report.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import faulthandler
import io
import json
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stakeholder_graph import cli  # noqa: E402
from tools.hostile_workbooks import KINDS, claim_dimension, damage_book  # noqa: E402

VALID = {
    "partners": "partner_id,name,sector,country,joined,left,focus_areas\n"
    "p1,Alpha,Industry,US,2016-01-01,,ai;policy\n"
    'p2,"Beta, Inc",Civil Society,Kenya,2018-05,2022-01-01,labor\n'
    "p3,Gamma,Academic,India,,,\np4,Delta Media,Media,BRA,2019-03-01,,press\n",
    "committees": "committee_id,name,program\nc1,Steering,Labor\nc2,Safety,Safety\n",
    "memberships": "committee_id,partner_id,role,since,until\nc1,p1,chair,2017-01-01,\n"
    "c1,p2,member,2019-01,2020-01\nc2,p3,member,2020-01-01,\n",
    "events": "event_id,name,date,country,topics\ne1,Workshop,2021-06-01,France,ai;policy\n"
    "e2,Summit,2023-02-15,Kenya,labor\n",
    "attendance": "event_id,partner_id,role,attendees\ne1,p1,speaker,2\ne1,p3,participant,1\n"
    "e2,p2,organizer,1\ne2,p4,participant,3\n",
    "targets": "dimension,group,min_share\nsector,Civil Society,0.3\n",
}
LOCATED = re.compile(r"^[^\n]+:\d+: [^\n]+: .+$")
SUMMARY_LINE = re.compile(r"^\d+ problems? found; nothing was written\.$")
NASTY_VALUES = [
    "", " ", "x" * 200_000, "=1+2", '"', '""', "a\"b", "\x00", "\r", "\t", "é", "\u202e",
    "9999-99-99", "2020-02-30", "-1", "0", "1e309", "nan", "NULL", "US;GB", ";", "Ω" * 50,
]


# --- byte-level damage --------------------------------------------------------------------------

def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, len(data))]


def _insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 8)) + data[at:]


def _delete(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + data[at + rng.randint(1, 20):]


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ rng.randint(1, 255)]) + data[at + 1:]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _shuffle(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    rng.shuffle(lines)
    return b"\n".join(lines)


def _duplicate_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    lines.insert(rng.randint(0, len(lines)), lines[rng.randrange(len(lines))])
    return b"\n".join(lines)


def _duplicate_header(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    first = lines[0].split(b",")
    first.append(first[rng.randrange(len(first))])
    lines[0] = b",".join(first)
    return b"\n".join(lines)


def _huge_cell(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    fields = lines[i].split(b",")
    fields[rng.randrange(len(fields))] = b"y" * 200_000
    lines[i] = b",".join(fields)
    return b"\n".join(lines)


def _nul(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + b"\x00" + data[at:]


def _cr_only(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def _crlf(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _bom(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]) + data


def _cp1252(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace").replace("Alpha", "Alphé Café ™")
    return text.encode("cp1252", errors="replace")


def _delimiter(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b",", rng.choice([b";", b"\t", b"|"]))


def _unbalanced_quote(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + b'"' + data[at:]


def _random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(0, 2000))


def _empty(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"", b"\n", b"   \r\n", b"\xef\xbb\xbf"])


def _nasty_value(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    fields = lines[i].split(b",")
    value = rng.choice(NASTY_VALUES)
    fields[rng.randrange(len(fields))] = value.encode("utf-8")
    lines[i] = b",".join(fields)
    return b"\n".join(lines)


BYTE_DAMAGE: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate, "insert": _insert, "delete": _delete, "flip": _flip,
    "shuffle": _shuffle, "duplicate_line": _duplicate_line, "duplicate_header": _duplicate_header,
    "huge_cell": _huge_cell, "nul": _nul, "cr_only": _cr_only, "crlf": _crlf, "bom": _bom,
    "cp1252": _cp1252, "delimiter": _delimiter, "unbalanced_quote": _unbalanced_quote,
    "random_bytes": _random_bytes, "empty": _empty, "nasty_value": _nasty_value,
}


# --- workbook damage ----------------------------------------------------------------------------

def _rows(text: str) -> list[list[str]]:
    import csv

    return [row for row in csv.reader(io.StringIO(text))]


def _random_cell(rng: random.Random) -> object:
    import datetime as dt

    # openpyxl refuses control characters in a cell, so a workbook can never hold NUL
    text = rng.choice([v for v in NASTY_VALUES if v != "\x00"])
    return rng.choice([
        None, text, rng.randint(-10**12, 10**12), rng.random() * 1e6,
        float("inf"), True, dt.date(rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28)),
        dt.datetime(2020, 1, 1, rng.randint(0, 23), rng.randint(0, 59)), "=SUM(A1:A2)",
        '=HYPERLINK("http://x","y")', "=1/0",
    ])


def make_workbook(path: Path, rng: random.Random) -> list[str]:
    """Write the valid dataset as a workbook with random cell and sheet damage; return the kinds."""
    from openpyxl import Workbook

    kinds: list[str] = []
    book = Workbook()
    book.remove(book.active)
    for name, text in VALID.items():
        title = name
        if rng.random() < 0.1:
            title = rng.choice([name.upper(), f" {name} ", name[:-1], "Sheet1", f"{name}2"])
            kinds.append("xlsx_sheet_name")
        sheet = book.create_sheet(title)
        rows = _rows(text)
        if rng.random() < 0.05:
            rows = []  # an empty sheet
            kinds.append("xlsx_empty_sheet")
        for row in rows:
            sheet.append(row)
        for _ in range(rng.choice([0, 0, 1, 3])):
            r, c = rng.randint(1, len(rows) + 2), rng.randint(1, 9)
            sheet.cell(row=r, column=c).value = _random_cell(rng)
            kinds.append("xlsx_cell")
    hostile = rng.choice(KINDS) if rng.random() < 0.5 else None
    if hostile is not None:
        kinds.append(f"xlsx_{hostile}")
        if hostile != "claimed_dimension":
            damage_book(book, hostile, rng)
    book.save(path)
    if hostile == "claimed_dimension":
        claim_dimension(path)
    if rng.random() < 0.3:
        data = path.read_bytes()
        data = rng.choice([_truncate, _flip, _insert, _delete])(data, rng)
        path.write_bytes(data)
        kinds.append("xlsx_zip_bytes")
    elif rng.random() < 0.1:
        # valid zip, damaged member: rewrite one XML part with a few bytes changed
        with zipfile.ZipFile(path) as zin:
            parts = {n: zin.read(n) for n in zin.namelist()}
        victim = rng.choice(sorted(parts))
        parts[victim] = _flip(_flip(parts[victim], rng), rng)
        with zipfile.ZipFile(path, "w") as zout:
            for n, b in parts.items():
                zout.writestr(n, b)
        kinds.append("xlsx_member_xml")
    return kinds or ["xlsx_clean"]


def make_case(root: Path, rng: random.Random, xlsx_share: float = 0.2) -> tuple[Path, list[str]]:
    """A damaged dataset under ``root``: a workbook (``xlsx_share``, default 20%) or a CSV folder."""
    if rng.random() < xlsx_share:
        path = root / "book.xlsx"
        return path, make_workbook(path, rng)
    folder = root / "data"
    folder.mkdir()
    tables = [t for t in VALID if t == "partners" or rng.random() < 0.85]
    for name in tables:
        (folder / f"{name}.csv").write_bytes(VALID[name].encode("utf-8"))
    kinds = []
    for _ in range(rng.randint(1, 3)):
        victim = folder / f"{rng.choice(tables)}.csv"
        kind = rng.choice(sorted(BYTE_DAMAGE))
        victim.write_bytes(BYTE_DAMAGE[kind](victim.read_bytes(), rng))
        kinds.append(kind)
    return folder, kinds


# --- running ------------------------------------------------------------------------------------

def run_cli(argv: list[str]) -> tuple[int | None, str, str, str | None]:
    """``cli.main(argv)`` with stdout/stderr captured; the traceback if an exception escaped."""
    out, err = io.StringIO(), io.StringIO()
    escaped = None
    code: int | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except BaseException:  # noqa: BLE001 - anything escaping main is the finding
            escaped = traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), escaped


def crash_reason(code: int | None, err: str, escaped: str | None) -> str | None:
    """Why this CLI run counts as a crash, or None."""
    if escaped is not None:
        return "exception escaped main: " + escaped.strip().splitlines()[-1]
    if code not in (0, 1):
        return f"exit code {code}"
    if "Traceback" in err or "internal error" in err:
        return "internal error: " + err.strip().splitlines()[-1]
    if code == 1:
        lines = [line for line in err.splitlines() if line.strip()]
        bad = [line for line in lines if not (LOCATED.match(line) or SUMMARY_LINE.match(line))]
        if bad or not lines:
            return "unlocated message: " + (bad[0] if bad else "(empty stderr)")[:200]
    return None


def fuzz(n: int, *, seed: int = 0, keep: Path | None = None, report: bool = True,
         xlsx_share: float = 0.2) -> dict:
    """Run ``n`` cases; return the summary as a dict (see the module docstring)."""
    rng = random.Random(seed)
    exits: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    crashes: list[dict] = []
    reports = 0
    slowest = (0.0, -1)
    started = time.perf_counter()
    for case in range(n):
        # A case stuck for a minute is a hang: dump every thread's stack so it can be found.
        faulthandler.dump_traceback_later(60, exit=False)
        case_started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="sg-fuzz-") as tmp:
            path, damage = make_case(Path(tmp), rng, xlsx_share)
            kinds.update(set(damage))  # cases per kind, not applications
            code, _out, err, escaped = run_cli(["validate", str(path)])
            exits[f"validate:{code}"] += 1
            reason = crash_reason(code, err, escaped)
            if reason is None and code == 0 and report:
                code, out, err, escaped = run_cli(
                    ["report", str(path), "--format", "json", "--as-of", "2024-06-30"])
                exits[f"report:{code}"] += 1
                reason = crash_reason(code, err, escaped)
                if reason is None and code == 0:
                    try:
                        json.loads(out)
                        reports += 1
                    except ValueError as exc:
                        reason = f"report JSON does not parse: {exc}"
                elif reason is None:
                    reason = f"report exit {code} after validate passed: {err.strip()[:200]}"
            if reason is not None:
                crashes.append({"case": case, "damage": damage, "reason": reason})
                if keep is not None:
                    target = keep / f"case-{case}"
                    if path.is_dir():
                        shutil.copytree(path, target)
                    else:
                        target.mkdir(parents=True)
                        shutil.copy(path, target)
        faulthandler.cancel_dump_traceback_later()
        slowest = max(slowest, (time.perf_counter() - case_started, case))
    return {
        "cases": n, "seed": seed, "exit_codes": dict(sorted(exits.items())),
        "reports_parsed": reports, "damage_kinds": dict(sorted(kinds.items())),
        "crashes": len(crashes), "crash_examples": crashes[:20],
        "seconds": round(time.perf_counter() - started, 1),
        "slowest_case": {"case": slowest[1], "seconds": round(slowest[0], 2)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="how many cases (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--keep", type=Path, help="save crashing datasets here")
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    parser.add_argument("--no-report", action="store_true", help="validate only")
    parser.add_argument("--xlsx", type=float, default=0.2, help="share of workbook cases (default 0.2)")
    args = parser.parse_args(argv)
    import logging

    logging.disable(logging.WARNING)  # country_converter logs every unknown name
    summary = fuzz(args.n, seed=args.seed, keep=args.keep, report=not args.no_report,
                   xlsx_share=args.xlsx)
    print(f"cases: {summary['cases']} (seed {summary['seed']}, {summary['seconds']} s)")
    for key, count in summary["exit_codes"].items():
        print(f"  {key:>12}  {count}")
    print(f"slowest case: #{summary['slowest_case']['case']} "
          f"({summary['slowest_case']['seconds']} s)")
    print(f"reports parsed as JSON: {summary['reports_parsed']}")
    print("damage kinds applied: " + ", ".join(f"{k} {v}" for k, v in summary["damage_kinds"].items()))
    print(f"crashes: {summary['crashes']}")
    for example in summary["crash_examples"]:
        print(f"  case {example['case']} {example['damage']}: {example['reason']}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 1 if summary["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
