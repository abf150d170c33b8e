"""Cadence, follow-ups and what is due.

A contact is due on `last touch + cadence` (never touched: created + cadence),
where the cadence is its own, else the shortest of its tags', else its
tier's. cno keeps `contacts.last_touch_on` and `contacts.next_due_on` up to
date on every write that changes them, so `cno due` is an index range scan
however long the history is.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date

from cno.dates import Duration, parse_duration
from cno.errors import CnoError
from cno.settings import TIER_CADENCE_DEFAULTS

_SEP = "\x1f"


def cadence_settings(conn: sqlite3.Connection) -> tuple[dict[str, Duration], dict[str, Duration]]:
    """(tier → cadence, tag → cadence) as configured, tier defaults filled in."""
    tiers = {t: parse_duration(v) for t, v in TIER_CADENCE_DEFAULTS.items()}
    tags: dict[str, Duration] = {}
    for key, value in conn.execute("SELECT key, value FROM settings WHERE key LIKE 'cadence.%'"):
        name = key[len("cadence.") :]
        if name in tiers:
            tiers[name] = parse_duration(value)
        elif name.startswith("tag."):
            tags[name[4:]] = parse_duration(value)
    return tiers, tags


def effective_cadence(every: str | None, tier: str | None, tags, settings) -> Duration | None:
    """Own cadence, else the shortest of the tags', else the tier's, else none."""
    if every:
        return parse_duration(every)
    tier_map, tag_map = settings
    tagged = [tag_map[t] for t in tags if t in tag_map]
    if tagged:
        return min(tagged, key=lambda d: (d.days, d.unit))
    if tier:
        return tier_map.get(tier)
    return None


def compute_next_due(created_on, last_touch_on, snoozed_until, cadence: Duration | None) -> str | None:
    if snoozed_until and cadence is not None:
        return snoozed_until
    if cadence is None:
        return None
    base = date.fromisoformat(last_touch_on or created_on)
    return cadence.after(base).isoformat()


def refresh(conn: sqlite3.Connection, contact_ids=None) -> None:
    """Recompute the maintained columns of these contacts (None: all of them):
    last touch, next due and the strength sum.

    A touchpoint dated on or after the day of a snooze ends that snooze.
    """
    settings = cadence_settings(conn)
    sql = (
        "SELECT c.id, c.every, c.tier, c.created_on, c.snoozed_until, c.snoozed_on,"
        " (SELECT max(happened_on) FROM touchpoint_contacts t WHERE t.contact_id = c.id) AS last,"
        " (SELECT group_concat(tag, char(31)) FROM contact_tags g WHERE g.contact_id = c.id) AS tags"
        " FROM contacts c"
    )
    if contact_ids is None:
        batches = [conn.execute(sql).fetchall()]
    else:
        ids = sorted(set(contact_ids))
        batches = (
            conn.execute(f"{sql} WHERE c.id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500))
        )
    from cno import scoring

    for rows in batches:
        raw = scoring.raw_for(conn, [r["id"] for r in rows])
        updates = []
        for r in rows:
            snoozed_until, snoozed_on = r["snoozed_until"], r["snoozed_on"]
            if snoozed_on and r["last"] and r["last"] >= snoozed_on:
                snoozed_until = snoozed_on = None
            cadence = effective_cadence(
                r["every"], r["tier"], (r["tags"] or "").split(_SEP) if r["tags"] else [], settings
            )
            due = compute_next_due(r["created_on"], r["last"], snoozed_until, cadence)
            updates.append((r["last"], due, snoozed_until, snoozed_on, raw[r["id"]], r["id"]))
        conn.executemany(
            "UPDATE contacts SET last_touch_on = ?, next_due_on = ?, snoozed_until = ?, snoozed_on = ?,"
            " strength_raw = ? WHERE id = ?",
            updates,
        )


def every_days(conn: sqlite3.Connection, rows, settings=None) -> dict[int, int | None]:
    """Effective cadence in days (a month counts 30) for each contact row."""
    settings = settings or cadence_settings(conn)
    ids = [r["id"] for r in rows]
    tags: dict[int, list[str]] = {i: [] for i in ids}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for cid, tag in conn.execute(
            f"SELECT contact_id, tag FROM contact_tags WHERE contact_id IN ({','.join('?' * len(chunk))})", chunk
        ):
            tags[cid].append(tag)
    out = {}
    for r in rows:
        cad = effective_cadence(r["every"], r["tier"], tags[r["id"]], settings)
        out[r["id"]] = cad.days if cad else None
    return out


# -- follow-ups ---------------------------------------------------------------


def add_follow_up(conn: sqlite3.Connection, contact_id: int, due_on: date, note: str | None, today: date) -> int:
    cur = conn.execute(
        "INSERT INTO followups (uid, contact_id, due_on, note, created_on) VALUES (?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), contact_id, due_on.isoformat(), note or None, today.isoformat()),
    )
    return cur.lastrowid


def get_follow_up(conn: sqlite3.Connection, follow_up_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT f.*, c.name FROM followups f JOIN contacts c ON c.id = f.contact_id WHERE f.id = ?",
        (follow_up_id,),
    ).fetchone()
    if row is None:
        raise CnoError(f"no follow-up #{follow_up_id}")
    return row


def close_follow_up(conn: sqlite3.Connection, follow_up_id: int, today: date) -> sqlite3.Row:
    row = get_follow_up(conn, follow_up_id)
    if row["done_on"]:
        raise CnoError(f"follow-up #{follow_up_id} with {row['name']} was already done on {row['done_on']}")
    conn.execute("UPDATE followups SET done_on = ? WHERE id = ?", (today.isoformat(), follow_up_id))
    return row


def close_follow_ups_of(conn: sqlite3.Connection, contact: sqlite3.Row, today: date) -> list[int]:
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM followups WHERE contact_id = ? AND done_on IS NULL ORDER BY due_on, id", (contact["id"],)
        )
    ]
    if not ids:
        raise CnoError(f"{contact['name']} (#{contact['id']}) has no open follow-ups")
    conn.execute(
        "UPDATE followups SET done_on = ? WHERE contact_id = ? AND done_on IS NULL", (today.isoformat(), contact["id"])
    )
    return ids


def edit_follow_up(conn, follow_up_id: int, *, due_on: date | None, note: str | None, clear_note: bool, reopen: bool) -> None:
    get_follow_up(conn, follow_up_id)
    if due_on is not None:
        conn.execute("UPDATE followups SET due_on = ? WHERE id = ?", (due_on.isoformat(), follow_up_id))
    if note is not None or clear_note:
        conn.execute("UPDATE followups SET note = ? WHERE id = ?", (None if clear_note else note, follow_up_id))
    if reopen:
        conn.execute("UPDATE followups SET done_on = NULL WHERE id = ?", (follow_up_id,))


def remove_follow_up(conn, follow_up_id: int) -> sqlite3.Row:
    row = get_follow_up(conn, follow_up_id)
    conn.execute("DELETE FROM followups WHERE id = ?", (follow_up_id,))
    return row


def list_follow_ups(conn, *, contact_id: int | None = None, include_done: bool = False) -> list[dict]:
    where, args = [], []
    if contact_id is not None:
        where.append("f.contact_id = ?")
        args.append(contact_id)
    if not include_done:
        where.append("f.done_on IS NULL")
    sql = (
        "SELECT f.id, f.contact_id, c.name, f.due_on, f.note, f.done_on, f.created_on, f.uid"
        " FROM followups f JOIN contacts c ON c.id = f.contact_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY f.done_on IS NOT NULL, f.due_on, f.id"
    )
    return [dict(r) for r in conn.execute(sql, args)]


def snooze_follow_up(conn, follow_up_id: int, duration: Duration, today: date) -> tuple[sqlite3.Row, date]:
    row = get_follow_up(conn, follow_up_id)
    if row["done_on"]:
        raise CnoError(f"follow-up #{follow_up_id} was already done on {row['done_on']}")
    until = duration.after(today)
    conn.execute("UPDATE followups SET due_on = ? WHERE id = ?", (until.isoformat(), follow_up_id))
    return row, until


def snooze_contact(conn, contact: sqlite3.Row, duration: Duration, today: date) -> date:
    until = duration.after(today)
    conn.execute(
        "UPDATE contacts SET snoozed_until = ?, snoozed_on = ? WHERE id = ?",
        (until.isoformat(), today.isoformat(), contact["id"]),
    )
    refresh(conn, [contact["id"]])
    if conn.execute("SELECT next_due_on FROM contacts WHERE id = ?", (contact["id"],)).fetchone()[0] is None:
        raise CnoError(
            f"{contact['name']} has no check-in cadence to snooze — set one with"
            f" 'cno edit {contact['id']} --every 30d', or snooze a follow-up by its id"
        )
    return until


# -- the due report -----------------------------------------------------------


def _due_sql(columns: str, tag: str | None, tier: str | None) -> tuple[str, list]:
    """Check-ins and open follow-ups of active contacts due in [:start, :end], as one UNION."""
    filters, fargs = "", []
    if tag:
        filters += " AND c.id IN (SELECT contact_id FROM contact_tags WHERE tag = ?)"
        fargs.append(tag)
    if tier:
        filters += " AND c.tier = ?"
        fargs.append(tier)
    sql = (
        f"SELECT {columns} FROM ("
        " SELECT 'cadence' AS kind, c.id AS contact_id, c.name, c.next_due_on AS due_on,"
        "  c.last_touch_on, NULL AS note, NULL AS follow_up_id, c.tier"
        " FROM contacts c WHERE c.archived = 0 AND c.next_due_on BETWEEN ? AND ?" + filters +
        " UNION ALL"
        " SELECT 'follow-up', c.id, c.name, f.due_on, c.last_touch_on, f.note, f.id, c.tier"
        " FROM followups f JOIN contacts c ON c.id = f.contact_id"
        " WHERE f.done_on IS NULL AND f.due_on BETWEEN ? AND ? AND c.archived = 0" + filters +
        ")"
    )  # fmt: skip
    return sql, fargs


def due_items(
    conn: sqlite3.Connection,
    today: date,
    *,
    within: Duration | None = None,
    start: date | None = None,
    end: date | None = None,
    tag: str | None = None,
    tier: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Overdue check-ins and follow-ups (most overdue first), then those due by today + within.

    `start` and `end` (instead of `within`) bound the due dates: the review
    asks for overdue, due today and coming up separately.
    """
    lo = start.isoformat() if start else "0000-00-00"
    hi = (end or within.after(today)).isoformat()
    sql, fargs = _due_sql("*", tag, tier)
    sql += " ORDER BY due_on, name COLLATE NOCASE, kind, follow_up_id"
    args = [lo, hi, *fargs, lo, hi, *fargs]
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    items = []
    for r in conn.execute(sql, args):
        item = dict(r)
        item["days_overdue"] = (today - date.fromisoformat(r["due_on"])).days
        items.append(item)
    return items


def count_due(conn: sqlite3.Connection, start: date | None, end: date) -> int:
    """How many check-ins and follow-ups fall due in [start, end], without reading them."""
    lo = start.isoformat() if start else "0000-00-00"
    sql, _ = _due_sql("count(*)", None, None)
    return conn.execute(sql, [lo, end.isoformat(), lo, end.isoformat()]).fetchone()[0]
