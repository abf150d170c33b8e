"""The change history: every write command is one change that `cno undo` takes back.

The design is SQLite's "Automatic Undo/Redo Using SQLite": triggers on every
table of the journal record, as a command writes, what it takes to invert each
row it touched, grouped per command. Rows are kept natively (not as SQL text or
JSON), so values come back with their exact type and, for floats, to the last
bit:

- an inserted row: its rowid (undo deletes it);
- a deleted row: one log row per column with its old value (undo re-inserts it);
- an updated column: its old value (undo sets it back).

Undo applies a change's log in reverse order with the triggers still on, so
what they record while it runs is exactly what redo needs; redo does the same
the other way. The triggers record only while `_cno_history.current` names a
change: writes made by other programs, migrations and undo's own bookkeeping are
not changes. The search indexes are kept by their own triggers from the base
tables, so they follow an undo like any other write (README "Made a mistake?").
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass

from cno.errors import CnoError

KEEP = 100  # changes kept for undo; older ones are pruned by the next change
_TRIGGER_PREFIX = "_cno_h_"

# Record tables and what one of their rows is called in a summary.
_NOUNS = {
    "contacts": "contact", "touchpoints": "touchpoint", "followups": "follow-up", "referrals": "referral",
    "milestones": "milestone", "goals": "goal", "settings": "setting",
    "sync_contacts": "synced card", "sync_tasks": "synced to-do",
}  # fmt: skip
# Parts of a contact: a change to them is a change to the contact.
_CONTACT_PARTS = ("contact_emails", "contact_phones", "contact_tags", "contact_nicks")


def logged_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables whose writes are changes: every record table of the journal."""
    from cno.db import record_tables

    return record_tables(conn)


def expected_triggers(conn: sqlite3.Connection) -> dict[str, str]:
    """Each history trigger `install` makes, by name, with the table it covers."""
    out = {}
    for table in logged_tables(conn):
        out[f"{_TRIGGER_PREFIX}{table}_i"] = out[f"{_TRIGGER_PREFIX}{table}_d"] = table
        for i, _ in enumerate(conn.execute(f"PRAGMA table_info({_q(table)})").fetchall()):
            out[f"{_TRIGGER_PREFIX}{table}_u{i}"] = table
    return out


def problems(conn: sqlite3.Connection):
    """What is wrong with the history (for `cno db check`), a sentence each."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_cno_changes" not in have:
        return
    (current,) = conn.execute("SELECT current FROM _cno_history").fetchone() or (None,)
    if current is not None:
        yield f"_cno_history: current is {current!r}, expected none (every write would be recorded into it)"
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    missing = sorted({t for name, t in expected_triggers(conn).items() if name not in triggers})
    for table in missing:
        yield f"history: triggers of {table} are missing — its changes could not be undone"
    for (cid,) in conn.execute(
        "SELECT DISTINCT change_id FROM _cno_undo WHERE abs(change_id) NOT IN (SELECT id FROM _cno_changes)"
    ):
        yield f"_cno_undo: rows of change #{abs(cid)}, which is not in _cno_changes"
    for (cid,) in conn.execute(
        "SELECT id FROM _cno_changes c WHERE undone = 0 AND EXISTS (SELECT 1 FROM _cno_undo WHERE change_id = -c.id)"
        " OR undone = 1 AND EXISTS (SELECT 1 FROM _cno_undo WHERE change_id = c.id)"
    ):
        yield f"_cno_changes #{cid}: its undone flag disagrees with its log"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def install(conn: sqlite3.Connection) -> None:
    """(Re)create the history triggers of every logged table from its columns.

    Run after every upgrade of the schema, so a table or column added later is
    covered without touching this module.
    """
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'", (_TRIGGER_PREFIX.replace("_", "\\_") + "%",)
    ).fetchall():
        conn.execute(f"DROP TRIGGER {_q(name)}")
    current = "(SELECT current FROM _cno_history)"
    when = f"WHEN {current} IS NOT NULL"
    for table in logged_tables(conn):
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({_q(table)})")]
        t, lit = _q(table), _lit(table)
        conn.execute(
            f"CREATE TRIGGER {_q(_TRIGGER_PREFIX + table + '_i')} AFTER INSERT ON {t} {when} BEGIN"
            f" INSERT INTO _cno_undo (change_id, tbl, op, rid) VALUES ({current}, {lit}, 'I', NEW.rowid); END"
        )
        values = ", ".join(f"({current}, {lit}, 'D', OLD.rowid, {_lit(c)}, OLD.{_q(c)})" for c in cols)
        conn.execute(
            f"CREATE TRIGGER {_q(_TRIGGER_PREFIX + table + '_d')} AFTER DELETE ON {t} {when} BEGIN"
            f" INSERT INTO _cno_undo (change_id, tbl, op, rid, col, val) VALUES {values}; END"
        )
        for i, c in enumerate(cols):
            conn.execute(
                f"CREATE TRIGGER {_q(f'{_TRIGGER_PREFIX}{table}_u{i}')} AFTER UPDATE OF {_q(c)} ON {t}"
                f" {when} AND OLD.{_q(c)} IS NOT NEW.{_q(c)} BEGIN"
                f" INSERT INTO _cno_undo (change_id, tbl, op, rid, col, val)"
                f" VALUES ({current}, {lit}, 'U', OLD.rowid, {_lit(c)}, OLD.{_q(c)}); END"
            )


def forget(conn: sqlite3.Connection) -> None:
    """Drop every recorded change (an upgrade of the schema starts a new history:
    an old row image may not fit the new tables)."""
    conn.execute("DELETE FROM _cno_undo")
    conn.execute("DELETE FROM _cno_changes")


# -- recording a change -------------------------------------------------------------


def begin(conn: sqlite3.Connection, command: str, at: str) -> int:
    """Open a change for the command about to write (inside its transaction)."""
    cur = conn.execute("INSERT INTO _cno_changes (at, command) VALUES (?, ?)", (at, command))
    change_id = cur.lastrowid
    conn.execute("UPDATE _cno_history SET current = ?", (change_id,))
    return change_id


def end(conn: sqlite3.Connection, change_id: int) -> bool:
    """Close the change: summarise it, or drop it when the command wrote nothing.

    A change empties the redo list and prunes all but the last KEEP changes,
    in the same transaction. Returns whether it was a change.
    """
    conn.execute("UPDATE _cno_history SET current = NULL")
    rows, summary = _summarise(conn, change_id)
    if rows == 0 or _only_caches(conn, change_id):
        # A re-run of capture that logged nothing but noted a file's new size
        # is no change (README "Made a mistake?"): its cache rows stay written
        # and leave the log. An older cache row only makes capture read more.
        conn.execute("DELETE FROM _cno_undo WHERE change_id = ?", (change_id,))
        conn.execute("DELETE FROM _cno_changes WHERE id = ?", (change_id,))
        # no gap in the numbering for a command that changed nothing
        conn.execute("UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = '_cno_changes' AND seq = ?", (change_id,))
        return False
    conn.execute("UPDATE _cno_changes SET rows = ?, summary = ? WHERE id = ?", (rows, summary, change_id))
    undone = [r[0] for r in conn.execute("SELECT id FROM _cno_changes WHERE undone = 1")]
    old = [r[0] for r in conn.execute(
        "SELECT id FROM _cno_changes WHERE undone = 0 ORDER BY id DESC LIMIT -1 OFFSET ?", (KEEP,)
    )]  # fmt: skip
    for cid in undone + old:
        conn.execute("DELETE FROM _cno_undo WHERE change_id IN (?, ?)", (cid, -cid))
        conn.execute("DELETE FROM _cno_changes WHERE id = ?", (cid,))
    return True


@contextmanager
def logged_per_table(conn: sqlite3.Connection):
    """For writes that only add rows to tables that were empty (a restore into
    an empty journal): the history's triggers are set aside and `logged(table)`,
    called once a table is written, logs each of its rows as inserted with one
    INSERT … SELECT, in rowid order, as the insert trigger would have one row
    at a time. The log is the one the triggers write, less the updated columns
    of rows the change itself inserted, which an undo deletes anyway: undo and
    redo are the same (README "Made a mistake?"). The triggers are put back
    from their own text, in their order, in the same transaction.
    """
    (current,) = conn.execute("SELECT current FROM _cno_history").fetchone() or (None,)
    if current is None:  # not a change: nothing is recorded anyway
        yield lambda table: None
        return
    saved = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\' ORDER BY rowid",
        (_TRIGGER_PREFIX.replace("_", "\\_") + "%",),
    ).fetchall()
    for name, _ in saved:
        conn.execute(f"DROP TRIGGER {_q(name)}")

    def logged(table: str) -> None:
        conn.execute(
            f"INSERT INTO _cno_undo (change_id, tbl, op, rid) SELECT ?, ?, 'I', rowid FROM {_q(table)} ORDER BY rowid",
            (current, table),
        )

    try:
        yield logged
    finally:
        if conn.in_transaction:  # else rolled back whole, the triggers with it
            for _, sql in saved:
                conn.execute(sql)


CACHES = ("capture_files",)  # what a change may carry but never is by itself


def _only_caches(conn: sqlite3.Connection, change_id: int) -> bool:
    marks = ", ".join("?" * len(CACHES))
    return conn.execute(
        f"SELECT NOT EXISTS (SELECT 1 FROM _cno_undo WHERE change_id = ? AND tbl NOT IN ({marks}))", (change_id, *CACHES)
    ).fetchone()[0] == 1


def _summarise(conn: sqlite3.Connection, change_id: int) -> tuple[int, str]:
    """(rows written, what the change did in words) from its log."""
    from cno.maintained import CONTACTS as MAINTAINED

    per_table, inserts = {}, 0
    for tbl, n, i in conn.execute(
        "SELECT tbl, count(*), sum(op = 'I') FROM _cno_undo WHERE change_id = ? GROUP BY tbl", (change_id,)
    ):
        per_table[tbl], inserts = n, inserts + i
    logged = sum(per_table.values())
    if logged == 0:
        return 0, ""
    if inserts == logged:
        # Only inserts (a restore, an import of new records): without a delete
        # no row was inserted twice, so each log row is a row written.
        counts = {t: n for t, n in per_table.items() if t in _NOUNS}
        return logged, _words(counts, {}, {}, set(), any(t in _CONTACT_PARTS for t in per_table)) or _count(logged, "row") + " written"
    rows = conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT tbl, rid FROM _cno_undo WHERE change_id = ?)", (change_id,)
    ).fetchone()[0]
    added: dict[str, set[int]] = {}
    removed: dict[str, set[int]] = {}
    changed: dict[str, set[int]] = {}
    parts_changed = False
    # only the tables a summary names are read: a capture's log is mostly rows of
    # `captured`, `capture_files` and touchpoints' people
    named = (*_CONTACT_PARTS, *_NOUNS)
    for tbl, op, rid, col in conn.execute(
        f"SELECT tbl, op, rid, col FROM _cno_undo WHERE change_id = ? AND tbl IN ({', '.join('?' * len(named))}) ORDER BY seq",
        (change_id, *named),
    ):
        if tbl in _CONTACT_PARTS:
            parts_changed = True
        elif tbl in _NOUNS:
            if op == "I":
                added.setdefault(tbl, set()).add(rid)
            elif op == "D":
                removed.setdefault(tbl, set()).add(rid)
            elif rid not in added.get(tbl, ()):  # a new row being filled in is not a change to it
                key = "redated" if tbl == "contacts" and col in MAINTAINED else tbl
                changed.setdefault(key, set()).add(rid)
    # a row removed and put back (a merge's refresh) or added then removed counts once
    for tbl in list(removed):
        both = removed[tbl] & added.get(tbl, set())
        removed[tbl] -= both
        added.get(tbl, set()).difference_update(both)
    redated = changed.pop("redated", set()) - changed.get("contacts", set()) - removed.get("contacts", set())
    sizes = [{t: len(ids) for t, ids in d.items()} for d in (added, removed, changed)]
    return rows, _words(*sizes, redated, parts_changed) or _count(rows, "row") + " written"


def _words(added: dict[str, int], removed: dict[str, int], changed: dict[str, int], redated: set[int], parts_changed: bool) -> str:
    """The summary of a change from how many rows of each table it added, removed and changed."""
    words = []
    for counts, verb in ((added, "added"), (removed, "removed")):
        words += [_count(n, _NOUNS[t]) + f" {verb}" for t, n in sorted(counts.items(), key=_order) if n]
    words += [_count(n, _NOUNS[t]) + " changed" for t, n in sorted(changed.items(), key=_order)]
    if parts_changed and not words:
        words.append("contact details changed")
    if redated and not words:  # a date moving with a logged touchpoint goes without saying
        words.append(_count(len(redated), "contact") + " re-dated")
    return ", ".join(words)


def _order(item) -> int:
    return list(_NOUNS).index(item[0])


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


# -- undo and redo -------------------------------------------------------------------


@dataclass
class Change:
    id: int
    at: str
    command: str
    summary: str
    rows: int
    undone: bool

    def undo_summary(self) -> str:
        """What undoing it did, in words (the summary is cno's own words, never user text)."""
        swaps = {" added": " removed", " removed": " restored", " changed": " changed back", " re-dated": " re-dated back",
                 " written": " taken back"}  # fmt: skip
        parts = []
        for part in self.summary.split(", "):
            for a, b in swaps.items():
                if part.endswith(a):
                    part = part[: -len(a)] + b
                    break
            parts.append(part)
        return ", ".join(parts)


def _change(row) -> Change:
    return Change(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


_COLS = "id, at, command, summary, rows, undone"


def changes(conn: sqlite3.Connection, limit: int) -> list[Change]:
    """The most recent changes, newest first."""
    return [_change(r) for r in conn.execute(f"SELECT {_COLS} FROM _cno_changes ORDER BY id DESC LIMIT ?", (limit,))]


def undo(conn: sqlite3.Connection) -> Change:
    """Revert the most recent change not yet undone (inside a write transaction)."""
    row = conn.execute(f"SELECT {_COLS} FROM _cno_changes WHERE undone = 0 ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        raise CnoError("nothing to undo")
    change = _change(row)
    _replay(conn, change, source=change.id, sink=-change.id)
    conn.execute("UPDATE _cno_changes SET undone = 1 WHERE id = ?", (change.id,))
    return change


def redo(conn: sqlite3.Connection) -> Change:
    """Re-apply the most recently undone change (inside a write transaction)."""
    row = conn.execute(f"SELECT {_COLS} FROM _cno_changes WHERE undone = 1 ORDER BY id LIMIT 1").fetchone()
    if row is None:
        raise CnoError("nothing to redo (a new change since the last undo empties the redo list)")
    change = _change(row)
    _replay(conn, change, source=-change.id, sink=change.id)
    conn.execute("UPDATE _cno_changes SET undone = 0 WHERE id = ?", (change.id,))
    return change


def _replay(conn: sqlite3.Connection, change: Change, *, source: int, sink: int) -> None:
    """Apply the log `source` backwards, recording its inverse as the log `sink`."""
    conn.execute("PRAGMA defer_foreign_keys = ON")  # rows come back in any order; checked at COMMIT
    conn.execute("UPDATE _cno_history SET current = ?", (sink,))
    try:
        _apply(conn, source)
    except sqlite3.IntegrityError:
        raise CnoError(
            f"can't undo or redo #{change.id}: the journal was changed since in a way that conflicts with it"
        ) from None
    finally:
        conn.execute("UPDATE _cno_history SET current = NULL")
    conn.execute("DELETE FROM _cno_undo WHERE change_id = ?", (source,))


_BATCH = 2000


def _apply(conn: sqlite3.Connection, change_id: int) -> None:
    """Run the inverse of each logged row, newest first, batching runs of the same kind."""
    columns: dict[str, list[str]] = {}
    pending: tuple | None = None  # (sql, [params]) of the run being gathered
    image: dict | None = None  # the deleted row being gathered: tbl, rid, cols, vals

    def flush():
        nonlocal pending
        if pending:
            conn.executemany(pending[0], pending[1])
            pending = None

    def run(sql: str, params: tuple):
        nonlocal pending
        if pending is None or pending[0] != sql:
            flush()
            pending = (sql, [])
        pending[1].append(params)
        if len(pending[1]) >= _BATCH:
            flush()

    def put_image():
        nonlocal image
        if image:
            tbl, rid, cols, vals = image["tbl"], image["rid"], image["cols"], image["vals"]
            sql = f"INSERT INTO {_q(tbl)} (rowid, {', '.join(map(_q, cols))}) VALUES (?{', ?' * len(cols)})"
            run(sql, (rid, *vals))
            image = None

    last_seq = None
    while True:
        sql = "SELECT seq, tbl, op, rid, col, val FROM _cno_undo WHERE change_id = ?"
        args: tuple = (change_id,)
        if last_seq is not None:
            sql += " AND seq < ?"
            args = (change_id, last_seq)
        batch = conn.execute(sql + " ORDER BY seq DESC LIMIT 5000", args).fetchall()
        if not batch:
            break
        last_seq = batch[-1][0]
        for _seq, tbl, op, rid, col, val in batch:
            if op == "D":
                # a deleted row's columns were logged in order; read backwards they end with the first
                if image is None or image["tbl"] != tbl or image["rid"] != rid or col in image["cols"]:
                    put_image()
                    image = {"tbl": tbl, "rid": rid, "cols": [], "vals": []}
                image["cols"].insert(0, col)
                image["vals"].insert(0, val)
                continue
            put_image()
            if op == "I":
                run(f"DELETE FROM {_q(tbl)} WHERE rowid = ?", (rid,))
            else:
                if tbl not in columns:
                    columns[tbl] = [r[1] for r in conn.execute(f"PRAGMA table_info({_q(tbl)})")]
                if col not in columns[tbl]:
                    raise CnoError(f"can't undo: {tbl}.{col} is no longer in the journal")
                run(f"UPDATE {_q(tbl)} SET {_q(col)} = ? WHERE rowid = ?", (val, rid))
    put_image()
    flush()
