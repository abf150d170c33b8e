"""Tests never touch a real journal: CNO_DB points into tmp_path and today is fixed."""

from __future__ import annotations

import json
import time
import sqlite3
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cno.cli import main

TODAY = date(2026, 11, 22)  # a Sunday


@pytest.fixture(autouse=True)
def journal_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data" / "cno.db"
    monkeypatch.setenv("CNO_DB", str(path))
    monkeypatch.setenv("CNO_TODAY", TODAY.isoformat())
    for var in ("CNO_DEBUG", "NO_COLOR", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)
    return path


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def cno(*args: str, input: str | None = None) -> Result:
    """Run the CLI in-process through cno's own entry point (its error mapping included)."""
    runner = CliRunner()
    with runner.isolation(input=input) as (out, err, _mixed):
        code = main([str(a) for a in args])
        sys.stdout.flush()
        sys.stderr.flush()
        stdout = out.getvalue().decode()
        stderr = err.getvalue().decode()
    return Result(code, stdout, stderr)


def ok(*args: str, input: str | None = None) -> Result:
    """Run and insist on success, showing stderr when it fails."""
    r = cno(*args, input=input)
    assert r.code == 0, f"cno {' '.join(map(str, args))} → {r.code}: {r.stderr}"
    return r


def snapshot(path: Path) -> dict:
    """Every row of every table, to prove a failed command wrote nothing."""
    if not path.exists():
        return {}
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def refused(*args: str, journal: Path, contains: str, code: int = 2, input: str | None = None) -> Result:
    """Assert a command fails with one `cno: ...` line containing `contains`, writing nothing."""
    before = snapshot(journal)
    r = cno(*args, input=input)
    assert r.code == code, f"expected exit {code}, got {r.code}: {r.stderr}"
    lines = r.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("cno: "), r.stderr
    assert "Traceback" not in r.stderr
    assert contains.lower() in r.stderr.lower(), r.stderr
    assert r.stdout == ""
    assert snapshot(journal) == before
    return r


def linkedin_file(path: Path, n: int) -> Path:
    """A LinkedIn Connections.csv of n people, preamble and all: a big import to kill or undo."""
    rows = [f"First{i},Last{i},https://www.linkedin.com/in/p{i},,Company {i % 97},Role,26 Jul 2025" for i in range(n)]
    path.write_text("Notes:\n\"preamble\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                    + "\n".join(rows) + "\n")  # fmt: skip
    return path


@pytest.fixture
def tz(monkeypatch):
    """Set the machine's time zone for one test (UTC to begin with), put back after:
    mail days, capture's local dates and suggest's "now" depend on it."""

    def set_tz(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    set_tz("UTC")
    yield set_tz
    monkeypatch.undo()
    time.tzset()
