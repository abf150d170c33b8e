"""`cno backup` (SPEC "Data"): a consistent 0600 copy through SQLite's backup API."""

from __future__ import annotations

import os
import sqlite3
import stat

from tests.conftest import ok, refused, snapshot


def names(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM contacts ORDER BY id")]
    finally:
        conn.close()


def test_default_backup_sits_beside_the_journal_dated_today(journal_path):
    ok("add", "Ada Lovelace")
    r = ok("backup")
    copy = journal_path.with_name("cno-backup-2026-11-22.db")
    assert copy.exists() and str(copy) in r.stderr and r.stdout == ""
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert names(copy) == ["Ada Lovelace"]
    assert snapshot(copy) == snapshot(journal_path)
    ok("backup", "--as-of", "2026-11-23")
    assert journal_path.with_name("cno-backup-2026-11-23.db").exists()


def test_backup_to_a_path_is_0600_whatever_the_umask(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    old = os.umask(0o000)
    try:
        ok("backup", tmp_path / "copy.db")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600
    assert names(tmp_path / "copy.db") == ["Ada Lovelace"]


def test_backup_while_another_process_writes_holds_only_committed_rows(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    writer = sqlite3.connect(journal_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO contacts (uid, name, name_key, created_on) VALUES ('u-2', 'Grace Hopper', 'grace hopper', '2026-11-22')"
    )
    try:
        ok("backup", tmp_path / "copy.db")  # does not wait for the writer, and is not torn by it
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert names(tmp_path / "copy.db") == ["Ada Lovelace"]
    conn = sqlite3.connect(tmp_path / "copy.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert names(journal_path) == ["Ada Lovelace", "Grace Hopper"]


def test_existing_path_is_refused(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    target = tmp_path / "copy.db"
    target.write_bytes(b"precious")
    refused("backup", target, journal=journal_path, contains="already exists")
    assert target.read_bytes() == b"precious"


def test_a_second_backup_of_the_day_is_numbered_not_refused(journal_path):
    ok("add", "Ada Lovelace")
    ok("backup")
    ok("log", "ada", "coffee")
    r = ok("backup")
    second = journal_path.with_name("cno-backup-2026-11-22-2.db")
    assert str(second) in r.stderr
    assert names(journal_path.with_name("cno-backup-2026-11-22.db")) == ["Ada Lovelace"]
    assert snapshot(second) == snapshot(journal_path)
    ok("backup")
    assert journal_path.with_name("cno-backup-2026-11-22-3.db").exists()


def test_no_journal_to_back_up_is_refused(tmp_path, journal_path):
    refused("backup", tmp_path / "copy.db", journal=journal_path, contains="no journal")
    assert not (tmp_path / "copy.db").exists() and not journal_path.exists()


def test_backup_reports_its_progress_in_pages(tmp_path, journal_path):
    from cno.db import backup_to, open_journal

    ok("add", "Ada Lovelace")
    for i in range(300):
        ok("log", "ada", "x" * 2000 + str(i))
    j = open_journal(journal_path, create=False)
    seen = []
    try:
        backup_to(j.conn, tmp_path / "copy.db", progress=lambda done, total: seen.append((done, total)))
    finally:
        j.close()
    assert seen and seen[-1][0] == seen[-1][1] > 0  # the last call says: all pages copied
    assert (tmp_path / "copy.db").stat().st_mode & 0o777 == 0o600
