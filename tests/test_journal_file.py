"""Where the journal lives and how it is opened (SPEC "Where the data lives", "Concurrency")."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid

from cno import db
from tests.conftest import cno, ok


def test_created_0600_in_0700_folders_whatever_the_umask(tmp_path, monkeypatch):
    path = tmp_path / "a" / "b" / "cno.db"
    old = os.umask(0)
    try:
        ok("--db", str(path), "add", "Ada")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700


def test_existing_folders_are_left_alone(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o755)
    ok("--db", str(folder / "cno.db"), "add", "Ada")
    assert folder.stat().st_mode & 0o777 == 0o755


def test_db_option_wins_over_env(tmp_path, journal_path):
    other = tmp_path / "other.db"
    ok("--db", str(other), "add", "Ada")
    assert other.exists() and not journal_path.exists()


def test_wal_busy_timeout_and_foreign_keys(journal_path):
    ok("add", "Ada")
    j = db.open_journal(journal_path, create=False)
    try:
        assert j.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert j.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert j.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        j.close()


def test_known_migrations_match_the_migration_set(journal_path):
    from cno.migrations import migrations

    assert tuple(m.name for m in migrations._migrations) == db.KNOWN_MIGRATIONS
    ok("add", "Ada")
    conn = sqlite3.connect(journal_path)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'cno'")]
    conn.close()
    assert tuple(names) == db.KNOWN_MIGRATIONS


def test_every_record_has_a_uuid(journal_path):
    ok("add", "Ada")
    ok("log", "ada", "hi")
    ok("follow-up", "ada", "friday")
    ok("milestone", "add", "ada", "new job", "2026-01-05")
    conn = sqlite3.connect(journal_path)
    for table in ("contacts", "touchpoints", "followups", "milestones"):
        for (uid,) in conn.execute(f"SELECT uid FROM {table}"):
            assert uuid.UUID(uid).version == 4
    conn.close()


def test_a_failed_command_writes_nothing(journal_path):
    ok("add", "Ada")
    before = journal_path.read_bytes()
    # the --with contact is unknown: the whole log is refused, Ada's touch included
    assert cno("log", "ada", "--with", "nobody-at-all").code == 2
    assert ok("history", "-f", "json").json() == []
    assert journal_path.read_bytes() == before


def test_two_processes_writing_at_once_both_succeed(journal_path, tmp_path):
    ok("add", "Ada")
    env = {**os.environ, "CNO_DB": str(journal_path), "CNO_TODAY": "2026-11-22"}
    script = "import sys\nfrom cno.cli import main\nfor i in range(15):\n    assert main(['log', 'ada', f'n{i}']) == 0\n"
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert len(ok("history", "-f", "json").json()) == 30
