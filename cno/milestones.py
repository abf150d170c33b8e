"""Milestones: personal details worth remembering (a new job, an anniversary)."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date

from cno.dates import next_anniversary
from cno.errors import CnoError


def add_milestone(conn: sqlite3.Connection, contact_id: int, label: str, on: date, yearly: bool) -> int:
    label = " ".join(label.split())
    if not label:
        raise CnoError("a milestone needs a label, e.g. 'new job at Acme'")
    cur = conn.execute(
        "INSERT INTO milestones (uid, contact_id, label, on_date, yearly) VALUES (?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), contact_id, label, on.isoformat(), int(yearly)),
    )
    return cur.lastrowid


def get_milestone(conn: sqlite3.Connection, milestone_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT m.*, c.name FROM milestones m JOIN contacts c ON c.id = m.contact_id WHERE m.id = ?", (milestone_id,)
    ).fetchone()
    if row is None:
        raise CnoError(f"no milestone #{milestone_id}")
    return row


def edit_milestone(
    conn, milestone_id: int, *, label: str | None = None, on: date | None = None, yearly: bool | None = None
) -> None:
    get_milestone(conn, milestone_id)
    cols = {}
    if label is not None:
        label = " ".join(label.split())
        if not label:
            raise CnoError("a milestone needs a label")
        cols["label"] = label
    if on is not None:
        cols["on_date"] = on.isoformat()
    if yearly is not None:
        cols["yearly"] = int(yearly)
    if cols:
        conn.execute(f"UPDATE milestones SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", [*cols.values(), milestone_id])


def remove_milestone(conn: sqlite3.Connection, milestone_id: int) -> sqlite3.Row:
    row = get_milestone(conn, milestone_id)
    conn.execute("DELETE FROM milestones WHERE id = ?", (milestone_id,))
    return row


def list_milestones(conn: sqlite3.Connection, today: date, *, contact_id: int | None = None) -> list[dict]:
    sql = (
        "SELECT m.id, m.contact_id, c.name, m.label, m.on_date, m.yearly FROM milestones m"
        " JOIN contacts c ON c.id = m.contact_id"
    )
    args = []
    if contact_id is not None:
        sql += " WHERE m.contact_id = ?"
        args.append(contact_id)
    sql += " ORDER BY m.on_date, m.id"
    out = []
    for r in conn.execute(sql, args):
        nxt = next_anniversary(r["on_date"], today) if r["yearly"] else None
        out.append(
            {
                "id": r["id"],
                "contact_id": r["contact_id"],
                "name": r["name"],
                "label": r["label"],
                "on": r["on_date"],
                "yearly": bool(r["yearly"]),
                "next_on": nxt.isoformat() if nxt else (r["on_date"] if r["on_date"] >= today.isoformat() else None),
            }
        )
    return out
