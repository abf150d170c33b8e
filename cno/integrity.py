"""`cno db check`: is the journal whole? SQLite's own checks plus cno's invariants."""

from __future__ import annotations

import math
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


MAINTAINED = (
    "last_touch_on", "next_due_on", "cadence_days", "prior_touches",
    "ref_given", "ref_received", "intros", "won_given", "won_received",
)  # fmt: skip


def _maintained_columns(conn: sqlite3.Connection) -> list[str]:
    """Recompute every maintained column in a savepoint and compare, then undo."""
    cols = ", ".join(MAINTAINED)
    before = conn.execute(f"SELECT id, name, strength_raw, {cols} FROM contacts ORDER BY id").fetchall()
    conn.execute("SAVEPOINT cno_check")
    try:
        followups.refresh(conn)
        after = {r[0]: tuple(r[1:]) for r in conn.execute(f"SELECT id, strength_raw, {cols} FROM contacts")}
    finally:
        conn.execute("ROLLBACK TO cno_check")
        conn.execute("RELEASE cno_check")
    problems = []
    for r in before:
        stored, expected = tuple(r[2:]), after[r[0]]
        if stored[1:] != expected[1:] or not math.isclose(stored[0], expected[0], rel_tol=1e-9, abs_tol=1e-12):
            diff = [c for c, a, b in zip(("strength_raw", *MAINTAINED), stored, expected) if a != b]
            problems.append(
                f"contact #{r[0]} ({r[1]}): stored " + ", ".join(f"{c}={a}" for c, a in zip(("strength_raw", *MAINTAINED), stored) if c in diff)
                + ", expected " + ", ".join(f"{c}={b}" for c, b in zip(("strength_raw", *MAINTAINED), expected) if c in diff)
            )
    return problems
