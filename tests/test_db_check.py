"""`cno db check` reads only, and finds every kind of damage SPEC names.

Damage is made the way another program would make it: with sqlite3 (or
bytes) straight into the file. Every run of the check is followed by proof
that the file is as it was: its sha256 and its mtime.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from cno import followups, integrity, maintained, scoring
from cno.db import empty_journal
from tests.conftest import cno, ok

FIXTURES = Path(__file__).parent / "fixtures"
SECRETS = ("SECRET-NAME", "SECRET-NOTE", "SECRET-TOUCH")


def build() -> None:
    """A small journal with something in every table a check reads."""
    ok("add", "Ada SECRET-NAME", "--email", "ada@example.com", "--tier", "A", "--birthday", "02-29", "--note", "SECRET-NOTE")
    ok("add", "Grace Hopper", "--email", "grace@example.com", "--tag", "family", "--every", "2w")
    ok("config", "set", "cadence.tag.family", "10d")
    ok("log", "ada", "SECRET-TOUCH", "--with", "grace", "--on", "2026-11-20 14:30", "--via", "meeting", "--gave")
    ok("log", "grace", "a call", "--on", "2026-10-01", "--via", "call")
    ok("intro", "ada", "grace", "--on", "2026-11-01")
    ok("referral", "give", "ada", "--for", "a client", "--value", "100")
    ok("referral", "receive", "grace", "--for", "a lead")
    ok("referral", "close", "1", "--won", "--value", "250")
    ok("follow-up", "ada", "2026-12-01", "send the paper")
    ok("milestone", "add", "grace", "promotion", "2026-06-01")
    ok("goal", "add", "weekly", "--metric", "touchpoints", "--target", "3")
    ok("snooze", "grace", "3w")


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def damage(path: Path, *statements: str) -> None:
    """Write to the journal as another program would (no cno, foreign keys off)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


def checked(path: Path, code: int) -> list[str]:
    """Run `db check`, insist on `code` and an untouched file; its stderr lines."""
    before = fingerprint(path)
    r = cno("db", "check")
    assert r.code == code, r.stderr
    assert fingerprint(path) == before, "db check changed the file"
    assert r.stdout == "" and "Traceback" not in r.stderr
    assert not any(s in r.stderr for s in SECRETS), r.stderr
    lines = r.stderr.strip().splitlines()
    if code == 3:
        assert lines[-1].startswith("cno: "), r.stderr
    return lines


def test_a_whole_journal_passes_and_is_left_as_it_was(journal_path):
    build()
    assert checked(journal_path, 0) == [f"{journal_path}: ok"]


# -- it only reads ---------------------------------------------------------------


@pytest.fixture
def connections(monkeypatch):
    """Every sqlite3.connect made while the test runs: (database, uri)."""
    made = []
    real = sqlite3.connect

    def spy(database, *args, **kwargs):
        made.append((str(database), kwargs.get("uri", False)))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spy)
    return made


def opened_read_only(connections: list, journal_path: Path) -> bool:
    """Whether the journal was opened, and only ever opened, as a read-only URI."""
    files = [(urlsplit(db), uri) for db, uri in connections if db != ":memory:"]
    return bool(files) and all(
        uri and url.scheme == "file" and url.query == "mode=ro" and Path(unquote(url.path)) == journal_path for url, uri in files
    )


def test_opens_the_journal_read_only_and_nothing_else(journal_path, connections):
    build()
    connections.clear()
    checked(journal_path, 0)
    # the journal read-only; every other connection a copy in memory
    assert opened_read_only(connections, journal_path), connections


def test_works_on_a_read_only_file(journal_path, connections):
    build()
    connections.clear()
    os.chmod(journal_path, 0o400)
    try:
        assert checked(journal_path, 0)[-1].endswith(": ok")
        if os.geteuid() == 0:
            # chmod doesn't stop root writing: the mode it was opened in is the proof
            assert opened_read_only(connections, journal_path), connections
        else:
            assert not os.access(journal_path, os.W_OK)  # so a write would have failed
    finally:
        os.chmod(journal_path, 0o600)


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE contacts SET next_due_on = '2001-01-01', name_key = 'x'")
conn.execute("INSERT INTO settings VALUES ('cadence.A', 'whenever')")
print("holding", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_runs_beside_a_writer_holding_the_lock_and_sees_only_what_is_committed(journal_path):
    build()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(journal_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        start = time.monotonic()
        lines = checked(journal_path, 0)
        assert time.monotonic() - start < 3, "db check waited for the writer's lock"
        assert lines == [f"{journal_path}: ok"]  # the uncommitted damage is not seen
    finally:
        holder.communicate("\n", timeout=10)
    assert holder.returncode == 0


def test_no_journal_yet_creates_nothing(journal_path):
    r = cno("db", "check")
    assert r.code == 0 and "no journal yet" in r.stderr
    assert not journal_path.parent.exists()


def test_a_zero_byte_file_is_said_to_be_empty_and_stays_zero_bytes(journal_path):
    journal_path.parent.mkdir()
    journal_path.touch()
    before = journal_path.stat().st_mtime_ns
    r = cno("db", "check")
    assert r.code == 0 and "empty" in r.stderr
    assert journal_path.stat().st_size == 0 and journal_path.stat().st_mtime_ns == before
    assert sorted(p.name for p in journal_path.parent.iterdir()) == [journal_path.name]


def test_a_journal_from_a_newer_cno_is_exit_3_untouched(journal_path):
    build()
    damage(journal_path, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('cno', 'm999_future', '2030-01-01')")
    lines = checked(journal_path, 3)
    assert "newer cno" in lines[-1] and "m999_future" in lines[-1]


def test_a_file_that_is_not_sqlite_is_exit_3_untouched(journal_path):
    journal_path.parent.mkdir()
    journal_path.write_bytes(b"not a journal at all " * 200)
    assert "cno: " in checked(journal_path, 3)[-1]


def older_journal(journal_path: Path) -> None:
    journal_path.parent.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "journal-m005.db", journal_path)


def applied(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    finally:
        conn.close()


def test_an_older_journal_is_checked_through_an_upgraded_copy(journal_path):
    older_journal(journal_path)
    schema = applied(journal_path)
    assert checked(journal_path, 0)[-1].endswith(": ok")
    assert applied(journal_path) == schema  # never migrated


def test_damage_in_an_older_journal_is_found_without_upgrading_it(journal_path):
    older_journal(journal_path)
    damage(journal_path, "UPDATE touchpoints SET happened_on = '2026-02-30' WHERE id = (SELECT min(id) FROM touchpoints)")
    schema = applied(journal_path)
    lines = checked(journal_path, 3)
    assert any(": happened_on is not a date" in line and line.startswith("touchpoints #") for line in lines), lines
    assert applied(journal_path) == schema


# -- what it finds -------------------------------------------------------------------


DAMAGE = {
    # SQLite's own checks
    "foreign key": (
        ["INSERT INTO touchpoint_contacts (touchpoint_id, contact_id, happened_on) VALUES (2, 99, '2026-10-01')"],
        "points at a missing contacts record",
    ),
    # the search indexes: a row missing from one, and a row it holds that its table doesn't
    "contacts_fts row missing": (
        ["INSERT INTO contacts_fts(contacts_fts, rowid, name, company, role, location, met, note)"
         " SELECT 'delete', id, name, company, role, location, met, note FROM contacts WHERE id = 1"],
        "search index contacts_fts does not match",
    ),
    "touchpoints_fts ghost row": (
        ["INSERT INTO touchpoints_fts(rowid, note) VALUES (99, 'ghost')"], "search index touchpoints_fts does not match"),
    "referrals_fts row missing": (
        ["INSERT INTO referrals_fts(referrals_fts, rowid, prospect, note)"
         " SELECT 'delete', id, prospect, note FROM referrals WHERE id = 2"],
        "search index referrals_fts does not match",
    ),
    "search index dropped": (["DROP TABLE referrals_fts"], "search index referrals_fts is missing"),
    # dates that are not real dates, in every form
    "impossible day": (["UPDATE followups SET due_on = '2026-02-30'"], "followups #1: due_on is not a date"),
    "word for a date": (["UPDATE referrals SET on_date = 'soon' WHERE id = 2"], "referrals #2: on_date is not a date"),
    "impossible time": (["UPDATE touchpoints SET happened_at = '2026-11-20T25:61' WHERE id = 1"], "touchpoints #1: happened_at is not a date"),
    "impossible yearless birthday": (["UPDATE contacts SET birthday = '--02-30' WHERE id = 1"], "contacts #1: birthday is not a date"),
    "maintained date": (["UPDATE contacts SET next_due_on = '2026-13-01' WHERE id = 1"], "contacts #1: next_due_on is not a date"),
    "number for a date": (["UPDATE milestones SET on_date = 20260601"], "milestones #1: on_date is not a date"),
    # maintained columns that are not numbers
    "text for a sum": (["UPDATE contacts SET strength_raw = 'abc' WHERE id = 1"], "contacts #1: strength_raw is not a finite number"),
    "infinite sum": (["UPDATE contacts SET won_given = 9e999 WHERE id = 1"], "contacts #1: won_given is not a finite number"),
    "text for a count": (["UPDATE contacts SET ref_given = 'x' WHERE id = 1"], "contacts #1: ref_given is not a whole number"),
    "fraction for a count": (["UPDATE contacts SET prior_touches = 1.5 WHERE id = 2"], "contacts #2: prior_touches is not a whole number"),
    # text that is not UTF-8, whatever the column and table
    "bad byte in a note": (
        ["UPDATE touchpoints SET note = CAST(x'ff' || CAST('SECRET-TOUCH' AS BLOB) AS TEXT) WHERE id = 1"],
        "touchpoints #1: note holds text that is not UTF-8",
    ),
    "cut sequence in a name": (
        ["UPDATE contacts SET company = CAST(CAST('Caf' AS BLOB) || x'c3' AS TEXT) WHERE id = 2"],
        "contacts #2: company holds text that is not UTF-8",
    ),
    "bad byte in a tag": (["UPDATE contact_tags SET tag = CAST(x'80' AS TEXT)"], "contact_tags row 1: tag holds text that is not UTF-8"),
    "bad byte in a date": (["UPDATE goals SET created_on = CAST(x'fe' AS TEXT)"], "goals #1: created_on holds text that is not UTF-8"),
    "bad byte after a NUL": (
        ["UPDATE referrals SET prospect = CAST(CAST('a' AS BLOB) || x'00ff' AS TEXT) WHERE id = 1"],
        "referrals #1: prospect holds text that is not UTF-8",
    ),
    "a uid that is no UUID": (["UPDATE followups SET uid = 'not-a-uuid'"], "followups #1: uid is not a UUID"),
    # copies and lookup forms
    "copied day drifted": (
        ["UPDATE touchpoint_contacts SET happened_on = '2026-09-30' WHERE touchpoint_id = 2"],
        "(touchpoints #2): happened_on=2026-09-30, expected 2026-10-01",
    ),
    "stale name_key": (["UPDATE contacts SET name_key = 'someone else' WHERE id = 2"], "contacts #2: name_key is not the name's lookup form"),
    "one e-mail on two contacts": (
        ["INSERT INTO contact_emails (contact_id, email, position) VALUES (2, 'ADA@Example.com', 1)"],
        "one e-mail address on contacts #1, #2",
    ),
    # settings and cadences that can't be read
    "cadence setting": (["INSERT INTO settings VALUES ('cadence.A', 'whenever')"], "(cadence.A): not a setting cno can read"),
    "tag cadence setting": (["INSERT INTO settings VALUES ('cadence.tag.Work', '2w')"], "(cadence.tag.Work): not a setting cno can read"),
    "own cadence": (["UPDATE contacts SET every = 'often' WHERE id = 2"], "contacts #2: every is not a duration"),
    # a history that can't be computed from
    "history day": (
        ["UPDATE touchpoints SET happened_on = '2026-02-31' WHERE id = 2"],
        "contacts #2: its maintained columns can't be computed",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", DAMAGE)
def test_finds_damage_and_names_only_table_and_row(journal_path, case):
    statements, expected = DAMAGE[case]
    build()
    damage(journal_path, *statements)
    lines = checked(journal_path, 3)
    assert any(expected in line for line in lines[:-1]), lines
    assert lines[-1].startswith("cno: ") and "problem" in lines[-1]


def test_a_setting_that_cant_be_read_stops_the_comparison_with_a_line(journal_path):
    build()
    damage(journal_path, "INSERT INTO settings VALUES ('cadence.B', '3 fortnights')")
    lines = checked(journal_path, 3)
    assert any("maintained columns were not compared" in line for line in lines), lines


def test_a_damaged_page_is_found_by_sqlites_integrity_check(journal_path):
    build()
    conn = sqlite3.connect(journal_path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (page,) = conn.execute("SELECT pageno FROM dbstat WHERE name = 'contacts_name_key'").fetchone()
    conn.close()
    data = bytearray(journal_path.read_bytes())
    at = (page - 1) * page_size
    key = data.index(b"grace hopper", at, at + page_size)  # the index's copy of the key, not the row's
    data[key : key + 5] = b"GRACE"
    journal_path.write_bytes(bytes(data))
    lines = checked(journal_path, 3)
    assert any(line.startswith("integrity: ") for line in lines), lines


@pytest.mark.parametrize("column", maintained.CONTACTS)
def test_every_maintained_column_is_compared_with_what_it_is_computed_from(journal_path, column):
    build()
    conn = sqlite3.connect(journal_path)
    stored = conn.execute(f"SELECT {column} FROM contacts WHERE id = 2").fetchone()[0]
    conn.close()
    kind = maintained.CONTACTS[column].kind
    wrong = "'2001-01-01'" if kind == "date" else f"{(stored or 0) + 7}" if kind == "int" else repr((stored or 0.0) * 1.5 + 1)
    if column.startswith("snoozed_"):
        # a snooze is typed, not computed; refresh only ends it, once a touchpoint
        # logged after it is dated on or after its day: one of Grace's (2026-11-20)
        # now is, so all three snooze columns should have been cleared
        damage(journal_path, "UPDATE contacts SET snoozed_on = '2026-11-01', snoozed_after = 0 WHERE id = 2")
    else:
        damage(journal_path, f"UPDATE contacts SET {column} = {wrong} WHERE id = 2")
    lines = checked(journal_path, 3)
    assert any(line.startswith("contacts #2: ") and f"{column}=" in line for line in lines), lines


def test_strength_is_compared_to_the_last_bit(journal_path):
    build()
    conn = sqlite3.connect(journal_path)
    raw = conn.execute("SELECT strength_raw FROM contacts WHERE id = 1").fetchone()[0]
    conn.close()
    damage(journal_path, f"UPDATE contacts SET strength_raw = {math.nextafter(raw, math.inf)!r} WHERE id = 1")
    lines = checked(journal_path, 3)
    assert any(line.startswith("contacts #1: strength_raw=") for line in lines), lines


def test_the_drift_line_shows_both_dates(journal_path):
    ok("add", "Ada", "--every", "1w")
    damage(journal_path, "UPDATE contacts SET next_due_on = '2026-01-01'")
    assert "contacts #1: next_due_on=2026-01-01, expected 2026-11-29" in checked(journal_path, 3)


def test_a_flood_of_problems_is_cut_short_with_a_count(journal_path):
    for i in range(30):
        ok("add", f"Person {i}", "--every", "1w")
    damage(journal_path, "UPDATE contacts SET next_due_on = '2001-01-01'")
    lines = checked(journal_path, 3)
    assert sum(line.startswith("contacts #") for line in lines) == 20
    assert "maintained: 10 more like these" in lines


def test_bookkeeping_tables_are_ignored_and_any_other_table_is_checked(journal_path):
    build()
    damage(
        journal_path,
        "CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER)",
        "INSERT INTO _litestream_seq VALUES (1, CAST(x'ff' AS TEXT))",
        "CREATE TABLE _litestream_lock (id INTEGER)",
        "CREATE TABLE _cno_demo (made_on TEXT)",
        "INSERT INTO _cno_demo VALUES ('not a date')",
    )
    assert checked(journal_path, 0)[-1].endswith(": ok")
    damage(journal_path, "CREATE TABLE later (id INTEGER PRIMARY KEY, what TEXT)", "INSERT INTO later VALUES (5, CAST(x'ff' AS TEXT))")
    assert "later #5: what holds text that is not UTF-8" in checked(journal_path, 3)


def test_every_date_column_of_the_schema_is_declared():
    """A table added later gets its dates checked only once declared: this fails until they are."""
    journal = empty_journal()
    try:
        tables = integrity._tables(journal.conn)
    finally:
        journal.close()
    looks_like_a_date = [
        (t, c) for t, cols in tables.items() for c, _ in cols
        if c.endswith(("_on", "_at", "_until")) or c in ("at", "birthday")
    ]  # fmt: skip
    assert looks_like_a_date
    assert [(t, c) for t, c in looks_like_a_date if c not in integrity.DATES.get(t, {})] == []


# -- the computation it compares with -------------------------------------------------


def test_refresh_of_everyone_and_refresh_by_contact_store_the_same_floats(journal_path):
    build()
    for day in range(1, 28, 3):  # several terms per contact, added in a fixed order
        ok("log", "ada", "--with", "grace", "--on", f"2026-09-{day:02d}", "--via", ("email", "video", "social")[day % 3])
    sql = "SELECT id, strength_raw, next_due_on, prior_touches FROM contacts ORDER BY id"
    conn = sqlite3.connect(journal_path)
    by_contact = conn.execute(sql).fetchall()
    conn.close()
    ok("config", "set", "cadence.tag.family", "11d")
    ok("config", "set", "cadence.tag.family", "10d")  # each re-dates everyone in one pass
    conn = sqlite3.connect(journal_path)
    assert [(i, raw.hex(), *rest) for i, raw, *rest in conn.execute(sql)] == [(i, raw.hex(), *rest) for i, raw, *rest in by_contact]
    conn.close()
    checked(journal_path, 0)


def test_the_computation_does_not_depend_on_the_order_sqlite_returns_rows_in(journal_path):
    ok("add", "Ada")
    ok("add", "Grace")
    ways = ("email", "video", "social", "meeting", "message", "call", "event")
    for k in range(40):
        ok("log", "ada", "--with", "grace", "--on", f"2026-{1 + k % 10:02d}-{1 + k % 27:02d}", "--via", ways[k % 7], *(["--gave"] * (k % 2)))
        if k % 5 == 0:
            ok("referral", "give", "ada", "--on", f"2026-{1 + k % 10:02d}-15")
    conn = sqlite3.connect(journal_path)
    try:
        # a journal where the order of the terms changes the float sum, so an
        # order left to SQLite would show
        rows = conn.execute(
            "SELECT t.via, t.gave, t.happened_on FROM touchpoint_contacts tc JOIN touchpoints t ON t.id = tc.touchpoint_id"
            " WHERE tc.contact_id = 1 ORDER BY tc.happened_on, tc.touchpoint_id"
        ).fetchall()
        terms = [scoring.contribution(scoring.touch_weight(via, gave), day) for via, gave, day in rows]
        assert _added(terms) != _added(reversed(terms))
        results = []
        for reverse in (0, 1):
            conn.execute(f"PRAGMA reverse_unordered_selects = {reverse}")
            results.append([(cid, repr(v)) for cid, v in followups.computed(conn)])
            results.append([(cid, repr(v)) for cid, v in followups.computed(conn, [1, 2])])
        assert all(r == results[0] for r in results), results
    finally:
        conn.close()


def _added(terms) -> float:
    total = 0.0
    for t in terms:
        total += t
    return total


def test_db_check_knows_the_change_history(journal_path):
    ok("add", "Ada")
    ok("log", "ada", "coffee")
    assert cno("db", "check").code == 0
    conn = sqlite3.connect(journal_path)
    conn.execute("DROP TRIGGER _cno_h_touchpoints_i")
    conn.execute("INSERT INTO _cno_undo (change_id, tbl, op, rid) VALUES (99, 'contacts', 'I', 5)")
    conn.execute("UPDATE _cno_history SET current = 7")
    conn.commit()
    conn.close()
    r = cno("db", "check")
    assert r.code == 3
    assert "triggers of touchpoints are missing" in r.stderr
    assert "change #99" in r.stderr
    assert "current is 7" in r.stderr


def test_refresh_refresh_of_everyone_and_the_check_all_follow_the_one_declaration(journal_path, monkeypatch):
    """Change how one maintained column is computed, in cno.maintained only:
    the refresh of one contact stores it, the refresh of everyone keeps it,
    and `db check` compares with it — no second copy of the rule anywhere."""
    honest = maintained.CONTACTS["intros"]
    monkeypatch.setitem(maintained.CONTACTS, "intros", maintained.Column("int", lambda f: 100 + honest.compute(f)))
    ok("add", "Ada")
    ok("add", "Grace")
    ok("intro", "ada", "grace", "--on", "2026-11-01")  # a refresh of these two contacts

    def intros() -> list:
        conn = sqlite3.connect(journal_path)
        try:
            return conn.execute("SELECT intros FROM contacts ORDER BY id").fetchall()
        finally:
            conn.close()

    assert intros() == [(101,), (101,)]
    checked(journal_path, 0)
    ok("config", "set", "cadence.A", "20d")  # a refresh of everyone
    assert intros() == [(101,), (101,)]
    checked(journal_path, 0)
    monkeypatch.setitem(maintained.CONTACTS, "intros", honest)
    lines = checked(journal_path, 3)
    assert "contacts #1: intros=101, expected 1" in lines, lines
