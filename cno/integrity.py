"""`cno db check`: is the journal whole? SQLite's own checks plus cno's invariants."""

from __future__ import annotations

import sqlite3

from cno import followups

FTS_TABLES = ("contacts_fts", "touchpoints_fts", "referrals_fts")


def check(conn: sqlite3.Connection) -> list[str]:
    """Every problem found, as a sentence; an empty list means all is well."""
    problems = []
    for (row,) in conn.execute("PRAGMA integrity_check"):
        if row != "ok":
            problems.append(f"integrity: {row}")
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: {table} row {rowid} points at a missing {parent}")
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for fts in FTS_TABLES:
        if fts not in present:
            problems.append(f"search index {fts} is missing")
            continue
        try:
            # FTS5's own check: the index matches its content table row for row
            conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as e:
            problems.append(f"search index {fts}: {e}")
    problems += _maintained_columns(conn)
    return problems


def _maintained_columns(conn: sqlite3.Connection) -> list[str]:
    """Recompute last touch and next due in a savepoint and compare, then undo."""
    before = conn.execute("SELECT id, name, last_touch_on, next_due_on FROM contacts ORDER BY id").fetchall()
    conn.execute("SAVEPOINT cno_check")
    try:
        followups.refresh(conn)
        after = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, last_touch_on, next_due_on FROM contacts")}
    finally:
        conn.execute("ROLLBACK TO cno_check")
        conn.execute("RELEASE cno_check")
    return [
        f"contact #{cid} ({name}): stored last touch/next due {last}/{nxt}, expected {after[cid][0]}/{after[cid][1]}"
        for cid, name, last, nxt in before
        if (last, nxt) != after[cid]
    ]
