"""`cno demo` writes a realistic journal, never the real one, and never over a stranger's file."""

from __future__ import annotations

import sqlite3

from tests.conftest import cno, ok


def test_demo_writes_a_realistic_journal_and_prints_the_due_report(tmp_path, monkeypatch, journal_path):
    monkeypatch.chdir(tmp_path)
    r = ok("demo")
    demo = tmp_path / "cno-demo.db"
    assert demo.exists() and not journal_path.exists()  # ignores CNO_DB
    assert "cno review — week to 2026-11-22" in r.stdout and "CNO_DB=cno-demo.db" in r.stdout
    assert "Goals" in r.stdout and "Referrals" in r.stdout
    conn = sqlite3.connect(demo)
    q = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    assert q("SELECT count(*) FROM contacts") >= 25
    assert q("SELECT count(DISTINCT tier) FROM contacts WHERE tier IS NOT NULL") == 3
    assert q("SELECT count(DISTINCT tag) FROM contact_tags") >= 5
    assert q("SELECT count(*) FROM touchpoints") >= 150
    assert q("SELECT min(happened_on) FROM touchpoints") <= "2025-12-22"
    assert q("SELECT count(DISTINCT via) FROM touchpoints") >= 5
    assert q("SELECT count(*) FROM followups WHERE done_on IS NULL AND due_on < '2026-11-22'") >= 2
    assert q("SELECT count(*) FROM followups WHERE done_on IS NULL AND due_on > '2026-11-22'") >= 2
    assert q("SELECT count(*) FROM milestones") >= 3
    assert q("SELECT count(DISTINCT direction || status) FROM referrals") >= 4
    assert q("SELECT count(*) FROM touchpoints WHERE intro = 1") >= 3
    assert q("SELECT count(*) FROM goals WHERE metric = 'minutes' AND target = 150 AND per = 'week'") == 1
    conn.close()
    monkeypatch.setenv("CNO_DB", str(demo))
    assert any(i["days_overdue"] > 0 for i in ok("due", "-f", "json").json())


def test_demo_is_deterministic_and_may_replace_its_own_file(tmp_path):
    path = tmp_path / "d.db"
    ok("demo", str(path))
    first = ok("--db", str(path), "history", "-f", "json").stdout
    ok("demo", str(path))
    assert ok("--db", str(path), "history", "-f", "json").stdout.replace('"uid"', "") == first.replace('"uid"', "")


def test_demo_refuses_to_overwrite_a_file_it_did_not_make(tmp_path, journal_path):
    ok("add", "Real Person")
    before = journal_path.read_bytes()
    r = cno("demo", str(journal_path))
    assert r.code == 2 and r.stderr.startswith("cno: ") and "not a cno demo journal" in r.stderr
    assert journal_path.read_bytes() == before
    other = tmp_path / "notes.txt"
    other.write_text("mine")
    assert cno("demo", str(other)).code == 2 and other.read_text() == "mine"
