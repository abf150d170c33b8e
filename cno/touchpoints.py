"""Touchpoints: what happened with whom, when, and how."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice

from cno import followups
from cno.bulk import insert_rows, next_id
from cno.dates import check_not_future, day_of, iso
from cno.errors import CnoError
from cno.settings import normalise_tag
from cno.db import in_chunks

CHANNELS = ("meeting", "call", "video", "email", "message", "event", "social", "other")


def parse_channel(text: str) -> str:
    c = text.strip().lower()
    if c not in CHANNELS:
        raise CnoError(f"unknown channel {text!r} — use one of: {', '.join(CHANNELS)}")
    return c


def parse_minutes(value: int) -> int:
    if value <= 0:
        raise CnoError(f"--minutes must be a positive number of minutes, not {value}")
    return value


def _new_touchpoint(
    contact_ids: list[int],
    today: date,
    *,
    when: date | datetime | None = None,
    via: str = "other",
    minutes: int | None = None,
    gave: bool = False,
    asked: bool = False,
    note: str | None = None,
    tags: list[str] = (),
    direction: str | None = None,
    intro: bool = False,
) -> tuple[tuple, list[int], list[str]]:
    """A touchpoint's column values (after the id), its people and its tags, validated."""
    when = when or today
    day = day_of(when)
    check_not_future(when, today, "a touchpoint")
    ids = list(dict.fromkeys(contact_ids))
    if not ids:
        raise CnoError("a touchpoint needs at least one contact")
    via = parse_channel(via)
    if minutes is not None:
        minutes = parse_minutes(minutes)
    tags = list(dict.fromkeys(normalise_tag(t) for t in tags)) if tags else []
    on = day.isoformat()
    cols = (
        str(uuid.uuid4()), iso(when) if when is not day else on, on, via, minutes, int(gave), int(asked),
        note or None, direction, int(intro), today.isoformat(),
    )  # fmt: skip
    return cols, ids, tags


_COLUMNS = ("id", "uid", "happened_at", "happened_on", "via", "minutes", "gave", "asked", "note", "direction", "intro", "created_on")
_INSERT = f"INSERT INTO touchpoints ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_INSERT_PEOPLE = "INSERT INTO touchpoint_contacts (touchpoint_id, contact_id, happened_on) VALUES (?, ?, ?)"
_INSERT_TAGS = "INSERT INTO touchpoint_tags (touchpoint_id, tag) VALUES (?, ?)"
_BATCH = 50_000  # touchpoints validated and inserted at a time: memory stays flat


def log_touchpoint(
    conn: sqlite3.Connection,
    contact_ids: list[int],
    today: date,
    *,
    when: date | datetime | None = None,
    via: str = "other",
    minutes: int | None = None,
    gave: bool = False,
    asked: bool = False,
    note: str | None = None,
    tags: list[str] = (),
    direction: str | None = None,
    intro: bool = False,
) -> int:
    cols, ids, tags = _new_touchpoint(
        contact_ids, today, when=when, via=via, minutes=minutes, gave=gave, asked=asked, note=note, tags=tags,
        direction=direction, intro=intro,
    )  # fmt: skip
    tid = conn.execute(_INSERT, (None, *cols)).lastrowid
    on = cols[2]
    conn.executemany(_INSERT_PEOPLE, [(tid, c, on) for c in ids])
    conn.executemany(_INSERT_TAGS, [(tid, t) for t in tags])
    followups.refresh(conn, ids)
    return tid


def log_touchpoints(conn: sqlite3.Connection, items: Iterable[dict], today: date) -> list[int]:
    """Log many touchpoints, each exactly as `log_touchpoint` would; returns their ids in order.

    Each item holds `log_touchpoint`'s arguments: `contact_ids` and any of its
    keywords (`when`, `via`, `minutes`, `gave`, `asked`, `note`, `tags`,
    `direction`, `intro`). Items are validated as `log` does and inserted a
    batch at a time with one statement per table; the maintained columns of
    everyone involved are computed once at the end. Run it inside a
    transaction, so a bad item leaves nothing behind. Ids are given
    explicitly from the next id SQLite would give (bulk.next_id), + 1, …: the ids it would have
    chosen one insert at a time.
    """
    first = next_id(conn, "touchpoints")
    out: list[int] = []
    touched: set[int] = set()
    it = iter(items)
    while batch := list(islice(it, _BATCH)):
        rows, people, labels = [], [], []
        for tid, item in enumerate(batch, first):
            cols, ids, tags = _new_touchpoint(today=today, **item)
            rows.append((tid, *cols))
            people += [(tid, c, cols[2]) for c in ids]
            labels += [(tid, t) for t in tags]
            touched.update(ids)
        insert_rows(conn, "touchpoints", _COLUMNS, rows)
        insert_rows(conn, "touchpoint_contacts", ("touchpoint_id", "contact_id", "happened_on"), people)
        conn.executemany(_INSERT_TAGS, labels)
        out += range(first, first + len(rows))
        first += len(rows)
    followups.refresh(conn, touched)
    return out


def get_touchpoint(conn: sqlite3.Connection, touchpoint_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM touchpoints WHERE id = ?", (touchpoint_id,)).fetchone()
    if row is None:
        raise CnoError(f"no touchpoint #{touchpoint_id}")
    return row


def participants(conn: sqlite3.Connection, touchpoint_id: int) -> list[int]:
    return [r[0] for r in conn.execute("SELECT contact_id FROM touchpoint_contacts WHERE touchpoint_id = ?", (touchpoint_id,))]


def edit_touchpoint(
    conn: sqlite3.Connection,
    touchpoint_id: int,
    today: date,
    *,
    when: date | datetime | None = None,
    via: str | None = None,
    minutes: int | None = None,
    gave: bool | None = None,
    asked: bool | None = None,
    note: str | None = None,
    add_tags: list[str] = (),
    remove_tags: list[str] = (),
    add_contacts: list[int] = (),
    remove_contacts: list[int] = (),
    clear: list[str] = (),
) -> None:
    get_touchpoint(conn, touchpoint_id)
    before = participants(conn, touchpoint_id)
    cols: dict = {}
    if when is not None:
        check_not_future(when, today, "a touchpoint")
        cols.update(happened_at=iso(when), happened_on=day_of(when).isoformat())
    if via is not None:
        cols["via"] = parse_channel(via)
    if minutes is not None:
        cols["minutes"] = parse_minutes(minutes)
    if gave is not None:
        cols["gave"] = int(gave)
    if asked is not None:
        cols["asked"] = int(asked)
    if note is not None:
        cols["note"] = note or None
    for f in clear:
        f = f.strip().lower()
        if f not in ("minutes", "note", "tags"):
            raise CnoError(f"can't clear {f!r} — clearable: minutes, note, tags")
        if f == "tags":
            conn.execute("DELETE FROM touchpoint_tags WHERE touchpoint_id = ?", (touchpoint_id,))
        else:
            cols[f] = None
    if cols:
        conn.execute(f"UPDATE touchpoints SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", [*cols.values(), touchpoint_id])
    conn.executemany(
        "INSERT OR IGNORE INTO touchpoint_tags (touchpoint_id, tag) VALUES (?, ?)",
        [(touchpoint_id, normalise_tag(t)) for t in add_tags],
    )
    for t in remove_tags:
        if not conn.execute(
            "DELETE FROM touchpoint_tags WHERE touchpoint_id = ? AND tag = ?", (touchpoint_id, normalise_tag(t))
        ).rowcount:
            raise CnoError(f"touchpoint #{touchpoint_id} has no tag {t!r}")
    on = conn.execute("SELECT happened_on FROM touchpoints WHERE id = ?", (touchpoint_id,)).fetchone()[0]
    conn.executemany(
        "INSERT OR IGNORE INTO touchpoint_contacts (touchpoint_id, contact_id, happened_on) VALUES (?, ?, ?)",
        [(touchpoint_id, c, on) for c in add_contacts],
    )
    for c in remove_contacts:
        if c not in before and c not in add_contacts:
            raise CnoError(f"contact #{c} is not in touchpoint #{touchpoint_id}")
        conn.execute("DELETE FROM touchpoint_contacts WHERE touchpoint_id = ? AND contact_id = ?", (touchpoint_id, c))
    if not participants(conn, touchpoint_id):
        raise CnoError(f"touchpoint #{touchpoint_id} would have no contact left — use 'cno touch rm {touchpoint_id}'")
    conn.execute("UPDATE touchpoint_contacts SET happened_on = ? WHERE touchpoint_id = ?", (on, touchpoint_id))
    followups.refresh(conn, set(before) | set(add_contacts))


def remove_touchpoint(conn: sqlite3.Connection, touchpoint_id: int) -> sqlite3.Row:
    row = get_touchpoint(conn, touchpoint_id)
    ids = participants(conn, touchpoint_id)
    conn.execute("DELETE FROM touchpoints WHERE id = ?", (touchpoint_id,))
    followups.refresh(conn, ids)
    return row


def history(
    conn: sqlite3.Connection,
    today: date,
    *,
    contact_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    via: str | None = None,
    tag: str | None = None,
    limit: int | None = None,
) -> Iterator[dict]:
    """Touchpoints, newest first, with the pinned `history` JSON keys: read as
    they are written, 500 at a time, so a lifetime's history is never held whole."""
    where, args = [], []
    if contact_id is not None:
        # through the (contact_id, happened_on) index: a long life of other
        # touchpoints does not slow one contact's timeline
        base = "touchpoint_contacts tc JOIN touchpoints t ON t.id = tc.touchpoint_id"
        where.append("tc.contact_id = ?")
        args.append(contact_id)
        on_col = "tc.happened_on"
    else:
        base = "touchpoints t"
        on_col = "t.happened_on"
    if since is not None:
        where.append(f"{on_col} >= ?")
        args.append(since.isoformat())
    if until is not None:
        where.append(f"{on_col} <= ?")
        args.append(until.isoformat())
    if via:
        where.append("t.via = ?")
        args.append(parse_channel(via))
    if tag:
        # a touchpoint tagged T, or one with a contact tagged T
        where.append(
            "(t.id IN (SELECT touchpoint_id FROM touchpoint_tags WHERE tag = ?)"
            " OR t.id IN (SELECT x.touchpoint_id FROM touchpoint_contacts x"
            " JOIN contact_tags g ON g.contact_id = x.contact_id WHERE g.tag = ?))"
        )
        args += [normalise_tag(tag)] * 2
    sql = (
        f"SELECT t.* FROM {base}"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY {on_col} DESC, t.happened_at DESC, t.id DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    cursor = conn.execute(sql, args)
    while rows := cursor.fetchmany(500):
        yield from _with_people(conn, rows)


def _with_people(conn, rows) -> list[dict]:
    ids = [r["id"] for r in rows]
    people: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    tags: dict[int, list[str]] = {i: [] for i in ids}
    for chunk, marks in in_chunks(ids):
        for tid, cid, name in conn.execute(
            "SELECT tc.touchpoint_id, c.id, c.name FROM touchpoint_contacts tc JOIN contacts c ON c.id = tc.contact_id"
            f" WHERE tc.touchpoint_id IN ({marks}) ORDER BY c.name_key",
            chunk,
        ):
            people[tid].append((cid, name))
        for tid, tag in conn.execute(f"SELECT touchpoint_id, tag FROM touchpoint_tags WHERE touchpoint_id IN ({marks}) ORDER BY tag", chunk):
            tags[tid].append(tag)
    return [
        {
            "id": r["id"],
            "contact_ids": [p[0] for p in people[r["id"]]],
            "names": [p[1] for p in people[r["id"]]],
            "on": r["happened_at"],
            "via": r["via"],
            "minutes": r["minutes"],
            "gave": bool(r["gave"]),
            "asked": bool(r["asked"]),
            "note": r["note"],
            "tags": tags[r["id"]],
            "direction": r["direction"],
            "intro": bool(r["intro"]),
        }
        for r in rows
    ]
