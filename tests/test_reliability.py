"""Nothing lost, nothing leaked: concurrency, crashes, upgrades, hostile input, privacy."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cno import db
from tests.conftest import cno, linkedin_file, ok, snapshot

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]


def _env(journal: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CNO_DEBUG", "COLUMNS")}
    return {**env, "CNO_DB": str(journal), "CNO_TODAY": "2026-11-22"}


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# -- concurrency ----------------------------------------------------------------

WRITER = """
import sys
from cno.cli import main
for i in range(50):
    code = main(["log", "ada", f"{sys.argv[1]}-{i}"])
    if code:
        sys.exit(code)
"""
READER = """
import sys, time
from cno.cli import main
end = time.time() + float(sys.argv[1])
while time.time() < end:
    if main(["due", "-f", "json"]):
        sys.exit(1)
"""


def test_two_writers_and_a_cron_reader_all_succeed(journal_path):
    ok("add", "Ada", "--every", "1d", "--as-of", "2026-01-01")
    env = _env(journal_path)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, name], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for name in ("w1", "w2")
    ]
    reader = subprocess.Popen([sys.executable, "-c", READER, "4"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for p in [*writers, reader]:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
        assert b"locked" not in err and b"Traceback" not in err
    notes = {h["note"] for h in ok("history", "-f", "json").json()}
    assert notes == {f"{w}-{i}" for w in ("w1", "w2") for i in range(50)}


def test_a_writer_blocked_past_the_busy_timeout_exits_3(journal_path, monkeypatch):
    ok("add", "Ada")
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(journal_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = cno("log", "ada", "blocked")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.code == 3 and r.stderr.startswith("cno: ") and "locked" in r.stderr and "Traceback" not in r.stderr
    assert ok("history", "-f", "json").json() == []


# -- crash safety -----------------------------------------------------------------


def test_sigkill_mid_write_leaves_a_consistent_journal(tmp_path):
    journal = tmp_path / "big.db"
    subprocess.run(
        [sys.executable, str(ROOT / "tests/bench/make_journal.py"), str(journal), "--contacts", "600", "--touchpoints", "3000"],
        check=True, capture_output=True,
    )  # fmt: skip
    env = _env(journal)
    before = sqlite3.connect(journal).execute("SELECT count(*) FROM touchpoints").fetchone()[0]
    rng = random.Random(7)
    # `config set cadence.*` re-dates every contact in one transaction: a bulk write to interrupt
    for value in ("11d", "12d", "13d", "14d", "15d"):
        p = subprocess.Popen([sys.executable, "-m", "cno", "config", "set", "cadence.B", value], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.4))
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert _integrity(journal) == "ok"
        check = subprocess.run([sys.executable, "-m", "cno", "db", "check"], env=env, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr  # all of a re-dating, or none of it
    after = sqlite3.connect(journal).execute("SELECT count(*) FROM touchpoints").fetchone()[0]
    assert after == before


# -- upgrades -----------------------------------------------------------------------


def test_every_fixture_journal_opens_migrates_and_keeps_its_records(tmp_path, monkeypatch):
    fixtures = sorted(FIXTURES.glob("journal-*.db"))
    assert fixtures, "no fixture journals"
    for fixture in fixtures:
        copy = tmp_path / fixture.name
        shutil.copy(fixture, copy)
        monkeypatch.setenv("CNO_DB", str(copy))
        original = copy.read_bytes()
        expected = json.loads(fixture.with_suffix(".json").read_text())
        # reads see the upgraded journal and leave the file byte for byte as it was
        assert ok("db", "check").code == 0
        listed = {c["name"]: c["next_due_on"] for c in ok("list", "--all", "-f", "json").json()}
        assert listed == {c["name"]: c["next_due_on"] for c in expected["contacts"]}
        assert copy.read_bytes() == original, fixture.name
        # a failed write leaves it as it was too, the upgrade included
        assert cno("log", "nobody-by-this-name", "x").code == 2
        assert copy.read_bytes() == original, fixture.name
        # the first write upgrades it, in the same transaction as its own work;
        # an upgrade that rewrites tables backs the journal up first
        applied = [m[0] for m in sqlite3.connect(copy).execute("SELECT name FROM _sqlite_migrations")]
        ok("config", "set", "me.email", "me@example.com")
        assert ok("db", "check").code == 0
        rewrites = [m for m in db.KNOWN_MIGRATIONS if m not in applied and m in db.REWRITES_TABLE]
        before = Path(f"{copy}.before-{rewrites[0]}") if rewrites else None
        if before:
            assert snapshot(before) == snapshot(fixture), fixture.name  # every row of the journal as it was
            assert before.stat().st_mode & 0o777 == 0o600
        conn = sqlite3.connect(copy)
        conn.row_factory = sqlite3.Row
        for table, rows in expected.items():
            cols = ", ".join(rows[0])
            got = [dict(r) for r in conn.execute(f"SELECT {cols} FROM {table} ORDER BY id")]
            assert got == rows, (fixture.name, table)
        names = [m[0] for m in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'cno'")]
        assert tuple(names) == db.KNOWN_MIGRATIONS
        conn.close()
        # ids are never given again once the upgrade is in: remove the newest contact, add one
        newest = max(c["id"] for c in ok("list", "--all", "-f", "json").json())
        ok("rm", str(newest), "--yes")
        ok("add", "Someone After The Upgrade")
        assert max(c["id"] for c in ok("list", "--all", "-f", "json").json()) == newest + 1


def test_a_migration_that_rewrites_a_table_backs_the_journal_up_first(journal_path, monkeypatch):
    from sqlite_utils import Database

    from cno.migrations import migrations

    journal_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(journal_path)
    migrations.apply(Database(conn), stop_before="m005_capture")  # a journal from before m005
    conn.execute("INSERT INTO settings VALUES ('cadence.A', '9d')")
    conn.commit()
    conn.close()
    monkeypatch.setattr(db, "REWRITES_TABLE", frozenset({"m005_capture"}))
    ok("config", "list")  # a read upgrades nothing, so it backs nothing up
    assert not Path(f"{journal_path}.before-m005_capture").exists()
    ok("config", "set", "cadence.B", "60d")
    backup = Path(f"{journal_path}.before-m005_capture")
    assert backup.exists() and backup.stat().st_mode & 0o777 == 0o600
    old = sqlite3.connect(backup)
    assert old.execute("SELECT value FROM settings WHERE key = 'cadence.A'").fetchone()[0] == "9d"
    assert old.execute("SELECT count(*) FROM sqlite_master WHERE name = 'captured'").fetchone()[0] == 0
    old.close()


# -- hostile input ------------------------------------------------------------------

HOSTILE = st.sampled_from([
    "[red]x[/red]", "[/]", "\x1b[31m", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "\x00", "\x9b2J", "\u202eevil",
    "=cmd|' /C calc'!A0", "@SUM(1)", "'; DROP TABLE contacts; --", '"', "NEAR(a b)", "a OR b*", "-x", "--",
    "2026-02-30", "9999-12-31", "0000-01-01", "-99999w", "+3d", "ada", "1", "0", "-1", "99999999999999999999",
    "x" * 200_000, "", " ", "ada@example.com", "fri", "last friday", "A", "Z", "Europe/London", "../../etc",
])  # fmt: skip
WORDS = st.sampled_from([
    "show", "evil", "search", "review", "suggest", "stats", "referrals", "goals", "export", "json", "vcard", "ics",
    "add", "edit", "show", "list", "ls", "log", "history", "due", "follow-up", "done", "snooze", "archive",
    "unarchive", "rm", "merge", "milestone", "touch", "followups", "config", "db", "add", "list", "rm", "edit",
    "get", "set", "unset", "check", "path", "--tag", "--tier", "--every", "--on", "--via", "--minutes", "--with",
    "--note", "--name", "--clear", "--untag", "--format", "-f", "json", "csv", "md", "plain", "--within",
    "--since", "--until", "--limit", "--check", "--yes", "--create", "--gave", "--asked", "--birthday", "--tz",
    "--email", "--phone", "--company", "--follow-up", "--as-of", "--all", "--archived", "--sort", "--yearly",
])  # fmt: skip


READS = st.sampled_from([
    ["list"], ["list", "--all"], ["history"], ["history", "evil"], ["show", "evil"], ["due", "--within", "1y"],
    ["search", "evil"], ["review"], ["suggest"], ["stats"], ["export", "csv"], ["export", "vcard"],
    ["export", "ics"], ["milestone", "list"], ["followups", "list", "--all"], ["config", "list"], ["graph"],
])  # fmt: skip
FORMAT = st.sampled_from([[], ["-f", "plain"], ["-f", "md"], ["-f", "csv"], ["-f", "json"], ["-f", "table"]])
ARGV = st.one_of(
    st.lists(st.one_of(WORDS, HOSTILE, st.text(max_size=20)), min_size=1, max_size=7),
    st.builds(lambda a, b, c: a + b + c, READS, FORMAT, st.lists(st.one_of(WORDS, HOSTILE), max_size=2)),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=ARGV)
def test_hostile_argv_never_crashes_corrupts_or_leaks_escapes(journal_path, argv):
    if not journal_path.exists():
        ok("add", "Ada Lovelace", "--email", "ada@example.com", "--tier", "A")
        ok("log", "ada", "hello")
        # data that would reach the terminal raw if any output forgot to escape it
        ok("add", "Evil \x1b[31m\x9b2J Name", "--every", "1d", "--as-of", "2026-01-01", "--note", "\x1b]8;;x\x07")
        ok("log", "evil", "\x1b]8;;http://x\x07click\x1b]8;;\x07", "--on", "2026-01-02")
    r = cno(*argv)
    assert r.code in (0, 1, 2), (argv, r.code, r.stderr)
    assert "Traceback" not in r.stderr
    assert "\x1b" not in r.stdout and "\x9b" not in r.stdout
    assert _integrity(journal_path) == "ok"


# -- privacy -------------------------------------------------------------------------


def test_debug_tracebacks_never_print_local_variables(tmp_path):
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    env = {**_env(bad), "CNO_DEBUG": "1"}
    r = subprocess.run([sys.executable, "-m", "cno", "log", "ada", "SECRET-NOTE-42"], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" in r.stderr
    assert "SECRET-NOTE-42" not in r.stderr


def test_db_check_passes_on_the_demo_and_path_prints_the_journal(tmp_path, journal_path):
    demo = tmp_path / "demo.db"
    ok("demo", str(demo))
    assert cno("--db", str(demo), "db", "check").code == 0
    assert ok("db", "path").stdout.strip() == str(journal_path)


def test_db_check_finds_a_broken_search_index_and_due_date(journal_path):
    ok("add", "Ada", "--every", "1w")
    conn = sqlite3.connect(journal_path)
    conn.execute("UPDATE contacts SET next_due_on = '2000-01-01'")
    conn.execute("INSERT INTO contacts_fts(contacts_fts, rowid, name) VALUES ('delete', 1, 'Ada')")
    conn.commit()
    conn.close()
    r = cno("db", "check")
    assert r.code == 3 and "problem" in r.stderr
    assert "contacts_fts" in r.stderr and "next_due_on=2000-01-01" in r.stderr


def test_sigkill_during_an_import_leaves_all_or_nothing(tmp_path):
    journal = tmp_path / "j.db"
    env = _env(journal)
    subprocess.run([sys.executable, "-m", "cno", "add", "Existing Person"], env=env, check=True, capture_output=True)
    big = linkedin_file(tmp_path / "Connections.csv", 20_000)
    wal = Path(f"{journal}-wal")
    p = subprocess.Popen([sys.executable, "-m", "cno", "import", "linkedin", str(big)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    # kill it in the middle of writing: once its transaction has put 1 MB into the WAL
    deadline = time.time() + 60
    while p.poll() is None and time.time() < deadline and not (wal.exists() and wal.stat().st_size > 1_000_000):
        time.sleep(0.005)
    assert p.poll() is None, "the import finished before it could be interrupted"
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert _integrity(journal) == "ok"
    conn = sqlite3.connect(journal)
    names = [r[0] for r in conn.execute("SELECT name FROM contacts")]
    conn.close()
    assert names == ["Existing Person"]  # nothing of the killed import; every earlier row intact


def test_exports_hold_only_the_chosen_journal(tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    ok("--db", str(one), "add", "Only In One")
    ok("--db", str(two), "add", "Only In Two")
    dump = ok("--db", str(one), "export", "json").stdout
    assert "Only In One" in dump and "Only In Two" not in dump and str(tmp_path) not in dump
