"""Cadence, follow-ups and what is due.

A contact is due on `last touch + cadence` (never touched: created + cadence),
where the cadence is its own, else the shortest of its tags', else its
tier's. cno keeps `contacts.last_touch_on` and `contacts.next_due_on` up to
date on every write that changes them, so `cno due` is an index range scan
however long the history is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from cno import maintained
from cno.dates import Duration, parse_duration
from cno.db import in_chunks
from cno.errors import CnoError, JournalError
from cno.settings import TIER_CADENCE_DEFAULTS

# refresh more contacts than this, and more than half of them, in one pass
_MANY = 1000


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
    """Recompute and store the maintained columns (cno.maintained) of these
    contacts (None: all of them).

    A touchpoint dated on or after the day of a snooze ends that snooze.
    """
    _store(conn, computed(conn, contact_ids))


def _settings(conn: sqlite3.Connection):
    try:
        return cadence_settings(conn)
    except CnoError:
        raise JournalError("a cadence setting of the journal can't be read — 'cno db check' names it") from None


def computed(conn: sqlite3.Connection, contact_ids=None) -> Iterator[tuple[int, tuple | None]]:
    """(contact id, its maintained values) for these contacts (None: all of
    them), in id order, as refresh would store them; it writes nothing.

    The values are None for a contact whose history can't be read (a day
    that is no date, a cadence that is no duration): `cno db check` says which.
    """
    settings = _settings(conn)
    if contact_ids is None:
        yield from _computed(conn, settings, None)
        return
    ids = sorted(set(contact_ids))
    if len(ids) > _MANY and len(ids) * 2 > conn.execute("SELECT count(*) FROM contacts").fetchone()[0]:
        # most of the journal (a bulk write): one pass over everything is
        # faster than looking each contact's history up
        wanted = set(ids)
        yield from ((cid, values) for cid, values in _computed(conn, settings, None) if cid in wanted)
        return
    for chunk, _marks in in_chunks(ids):
        yield from _computed(conn, settings, chunk)


# given, received, intros, won value given, won value received
_NO_LEDGER = (0, 0, 0, 0.0, 0.0)

# A contact's touchpoints by day then id: the order their contributions are
# added in (then its referrals by day then id), whichever contacts are asked
# for, so every path gives the same float to the last bit.
_TOUCHES = (
    "SELECT tc.contact_id, t.via, t.gave, t.happened_on, tc.happened_on FROM touchpoint_contacts tc{hint}"
    " JOIN touchpoints t ON t.id = tc.touchpoint_id{where} ORDER BY tc.contact_id, tc.happened_on, tc.touchpoint_id"
)
_REFERRALS = "SELECT contact_id, on_date FROM referrals{where} ORDER BY contact_id, on_date, id"


def _computed(conn: sqlite3.Connection, settings, ids: list[int] | None) -> Iterator[tuple[int, tuple | None]]:
    """`computed` for these contacts (None: every one, in one grouped pass per table)."""
    args = ids or []

    def among(col: str) -> str:
        return f" WHERE {col} IN ({','.join('?' * len(ids))})" if ids is not None else ""

    rows = conn.execute(
        f"SELECT id, every, tier, created_on, snoozed_until, snoozed_on, snoozed_after FROM contacts{among('id')} ORDER BY id",
        args,
    ).fetchall()
    # snoozes ended by a touchpoint logged after them (a later id), dated on or after their day
    ended = {r[0] for r in conn.execute(
        "SELECT c.id FROM contacts c WHERE c.snoozed_on IS NOT NULL" + among("c.id").replace(" WHERE", " AND") +
        " AND EXISTS (SELECT 1 FROM touchpoint_contacts tc WHERE tc.contact_id = c.id"
        " AND tc.happened_on >= c.snoozed_on AND tc.touchpoint_id > coalesce(c.snoozed_after, 0))",
        args,
    )}  # fmt: skip
    last = dict(conn.execute(
        f"SELECT contact_id, max(happened_on) FROM touchpoint_contacts{among('contact_id')} GROUP BY contact_id", args
    ))  # fmt: skip
    tags: dict[int, list[str]] = {}
    sql = f"SELECT contact_id, tag FROM contact_tags{among('contact_id')} ORDER BY contact_id, tag"
    for cid, tag in conn.execute(sql, args):
        tags.setdefault(cid, []).append(tag)
    # NOT INDEXED for everyone: reading both tables in row order and sorting
    # is twice as fast as walking the contact index with two lookups per row
    hint = " NOT INDEXED" if ids is None else ""
    touches = conn.execute(_TOUCHES.format(hint=hint, where=among("tc.contact_id")), args)
    referrals = conn.execute(_REFERRALS.format(where=among("contact_id")), args)
    raw, prior = _sums(touches, referrals, last)
    ledger = _ledgers(conn, ids)
    for r in rows:
        cid = r[0]
        history = (last.get(cid), tags.get(cid, []), raw.get(cid, 0.0), prior.get(cid, 0), ledger.get(cid, _NO_LEDGER))
        yield cid, _maintained(r, *history, settings, ended=cid in ended)


def _sums(touches, referrals, last: dict[int, str]) -> tuple[dict[int, float], dict[int, int]]:
    """Each contact's strength sum and prior touches, from its touchpoint rows
    (contact, via, gave, day, copied day) then its referral rows (contact, day).

    One loop for every path, adding the terms in the order of the rows given;
    one contribution per distinct (channel, gave, day) is computed and reused.
    A day that is no date adds NaN, so that contact's values can't be computed.
    """
    from cno import scoring

    year_before = {cid: _year_before(day) for cid, day in last.items()}
    raw: dict[int, float] = {}
    prior: dict[int, int] = {}
    memo: dict = {}
    for cid, via, gave, on, day in touches:
        term = memo.get((via, gave, on))
        if term is None:
            term = memo[(via, gave, on)] = _contribution(scoring.touch_weight(via, gave), on)
        raw[cid] = raw.get(cid, 0.0) + term
        if day > year_before[cid]:
            prior[cid] = prior.get(cid, 0) + 1
    for cid, on in referrals:
        term = memo.get(on)
        if term is None:
            term = memo[on] = _contribution(scoring.REFERRAL_WEIGHT, on)
        raw[cid] = raw.get(cid, 0.0) + term
    return raw, prior


def _contribution(weight: float, day) -> float:
    from cno import scoring

    try:
        return scoring.contribution(weight, day)
    except (TypeError, ValueError):  # a damaged day: the sum becomes NaN
        return math.nan


def _year_before(day) -> str:
    """The day a year before `day`: "how often you used to meet" counts touches after it."""
    try:
        return (date.fromisoformat(day) - timedelta(days=365)).isoformat()
    except (TypeError, ValueError):  # a damaged last touch: its contact can't be computed
        return ""


def _maintained(r, last, tags, raw: float, prior: int, ledger: tuple, settings, *, ended: bool) -> tuple | None:
    """A contact's maintained values from its row and history; None when they can't be read.

    `ended`: a touchpoint logged after the contact's snooze, dated on or after
    its day, has ended it.
    """
    cid, every, tier, created_on, snoozed_until, snoozed_on, snoozed_after = r
    if math.isnan(raw):
        return None
    try:
        if ended:
            snoozed_until = snoozed_on = snoozed_after = None
        cadence = effective_cadence(every, tier, tags, settings)
        due = compute_next_due(created_on, last, snoozed_until, cadence)
    except (CnoError, TypeError, ValueError):
        return None
    return maintained.values(maintained.Facts(
        last_touch=last, prior=prior, cadence_days=cadence.days if cadence else None, due=due,
        snooze=(snoozed_until, snoozed_on, snoozed_after), raw=raw, ledger=ledger,
    ))  # fmt: skip


def new_contact_values(conn: sqlite3.Connection) -> Callable[[int, str | None, str | None, list[str], str], tuple]:
    """The maintained values of a contact about to be added, from its every,
    tier, tags and created_on: what refresh would store for it once written
    (no touchpoint, referral or snooze yet), so a bulk add writes them with
    the row rather than updating every row after it."""
    settings = _settings(conn)

    def values(cid, every, tier, tags, created_on):
        row = (cid, every, tier, created_on, None, None, None)
        return _readable(cid, _maintained(row, None, sorted(tags), 0.0, 0, _NO_LEDGER, settings, ended=False))

    return values


def _ledgers(conn: sqlite3.Connection, ids: list[int] | None) -> dict[int, tuple]:
    """Each contact's all-time referral ledger (see _NO_LEDGER), for these contacts or all."""
    where = f" AND {{col}} IN ({','.join('?' * len(ids))})" if ids is not None else ""
    args = ids or []
    out: dict[int, list] = {}
    from cno.referrals import LEDGER_SUMS

    for cid, given, received, won_given, won_received in conn.execute(
        f"SELECT contact_id, {LEDGER_SUMS} FROM referrals WHERE 1" + where.format(col="contact_id") + " GROUP BY contact_id",
        args,
    ):
        out[cid] = [given, received, 0, float(won_given), float(won_received)]
    # Some contacts: from their timelines. Everyone: from the introductions
    # (the touchpoints_intro partial index), not from every touchpoint's
    # people — CROSS JOIN keeps SQLite to that order.
    intros_sql = (
        "SELECT tc.contact_id, count(*) FROM touchpoint_contacts tc JOIN touchpoints t ON t.id = tc.touchpoint_id"
        " WHERE t.intro = 1" + where.format(col="tc.contact_id") + " GROUP BY tc.contact_id"
        if ids is not None
        else "SELECT tc.contact_id, count(*) FROM touchpoints t CROSS JOIN touchpoint_contacts tc"
        " ON tc.touchpoint_id = t.id WHERE t.intro = 1 GROUP BY tc.contact_id"
    )
    for cid, intros in conn.execute(intros_sql, args):
        out.setdefault(cid, list(_NO_LEDGER))[2] = intros
    return {cid: tuple(v) for cid, v in out.items()}


def _readable(cid: int, values: tuple | None) -> tuple:
    if values is None:
        raise JournalError(f"contact #{cid}: its history holds a day or a cadence that can't be read — 'cno db check' lists it")
    return values


def _store(conn: sqlite3.Connection, values) -> None:
    """Write each (contact id, maintained values); a contact whose history
    can't be read stops the command (exit 3) rather than storing a guess."""
    rows = [(*_readable(cid, v), cid) for cid, v in values]
    conn.executemany("UPDATE contacts SET " + ", ".join(f"{c} = ?" for c in maintained.CONTACTS) + " WHERE id = ?", rows)


# -- follow-ups ---------------------------------------------------------------


def add_follow_up(
    conn: sqlite3.Connection, contact_id: int, due_on: date, note: str | None, today: date, *, every: Duration | None = None
) -> int:
    """A promise by a date; with `every`, one that repeats (closing it opens the next)."""
    cur = conn.execute(
        "INSERT INTO followups (uid, contact_id, due_on, note, created_on, every) VALUES (?, ?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), contact_id, due_on.isoformat(), note or None, today.isoformat(), str(every) if every else None),
    )
    return cur.lastrowid


def _repeat(conn: sqlite3.Connection, row: sqlite3.Row, today: date) -> tuple[int, date] | None:
    """The next of a repeating follow-up just closed: its due date moved on by
    its period until it is after today (a late close doesn't open an overdue one)."""
    if not row["every"]:
        return None
    every = parse_duration(row["every"])
    due = every.after(date.fromisoformat(row["due_on"]))
    while due <= today:
        due = every.after(due)
    return add_follow_up(conn, row["contact_id"], due, row["note"], today, every=every), due


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


def close(conn: sqlite3.Connection, follow_up_id: int, today: date) -> tuple[sqlite3.Row, tuple[int, date] | None]:
    """`done ID`: close it; a repeating one opens its next (its id and due date)."""
    row = close_follow_up(conn, follow_up_id, today)
    return row, _repeat(conn, row, today)


def close_follow_ups_of(conn: sqlite3.Connection, contact: sqlite3.Row, today: date) -> list[tuple[sqlite3.Row, tuple | None]]:
    """Close every open follow-up of the contact; returns each (soonest first)
    with the next one it opened when it repeats (as `close`)."""
    rows = conn.execute(
        "SELECT * FROM followups WHERE contact_id = ? AND done_on IS NULL ORDER BY due_on, id", (contact["id"],)
    ).fetchall()
    if not rows:
        raise CnoError(f"{contact['name']} (#{contact['id']}) has no open follow-ups")
    conn.execute(
        "UPDATE followups SET done_on = ? WHERE contact_id = ? AND done_on IS NULL", (today.isoformat(), contact["id"])
    )
    return [(r, _repeat(conn, r, today)) for r in rows]


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
        "SELECT f.id, f.contact_id, c.name, f.due_on, f.note, f.done_on, f.created_on, f.uid, f.every"
        " FROM followups f JOIN contacts c ON c.id = f.contact_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY f.done_on IS NOT NULL, f.due_on, f.id"
    )
    return [dict(r) for r in conn.execute(sql, args)]


@dataclass
class Snoozed:
    """What a snooze did: `moved` False when the new date would not be later (nothing written)."""

    name: str
    until: date  # today + the duration
    due: date | None  # the due date before
    moved: bool


def snooze_follow_up(conn, follow_up_id: int, duration: Duration, today: date) -> Snoozed:
    """Move an open follow-up to today + duration — never earlier than it is."""
    row = get_follow_up(conn, follow_up_id)
    if row["done_on"]:
        raise CnoError(f"follow-up #{follow_up_id} was already done on {row['done_on']}")
    until, due = duration.after(today), date.fromisoformat(row["due_on"])
    if until <= due:
        return Snoozed(row["name"], until, due, moved=False)
    conn.execute("UPDATE followups SET due_on = ? WHERE id = ?", (until.isoformat(), follow_up_id))
    return Snoozed(row["name"], until, due, moved=True)


def snooze_contact(conn, contact: sqlite3.Row, duration: Duration, today: date) -> Snoozed:
    """Move the contact's check-in to today + duration — never earlier than it is.

    The snooze holds until a touchpoint logged after it (dated on or after
    today) ends it: one typed later today does, one backdated before it doesn't.
    """
    if contact["next_due_on"] is None:
        raise CnoError(
            f"{contact['name']} has no check-in cadence to snooze — set one with"
            f" 'cno edit {contact['id']} --every 30d', or snooze a follow-up by its id"
        )
    until, due = duration.after(today), date.fromisoformat(contact["next_due_on"])
    if until <= due:
        return Snoozed(contact["name"], until, due, moved=False)
    (newest,) = conn.execute("SELECT coalesce(max(id), 0) FROM touchpoints").fetchone()
    conn.execute(
        "UPDATE contacts SET snoozed_until = ?, snoozed_on = ?, snoozed_after = ? WHERE id = ?",
        (until.isoformat(), today.isoformat(), newest, contact["id"]),
    )
    refresh(conn, [contact["id"]])
    return Snoozed(contact["name"], until, due, moved=True)


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
