"""The Givers Gain ledger: referrals given and received, introductions, the report.

A referral is business passed between me and a contact: `given` (I passed
business to them) or `received` (they passed business to me). A given
referral is `inside` (I do business with them myself) or `outside` (I sent
them a prospect, named by `--for`). An introduction is a touchpoint with both
people, `gave` and `intro` set, so it sits on both timelines; referrals
themselves create no touchpoint.
"""

from __future__ import annotations

import math
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import date

from cno import followups, touchpoints
from cno.bulk import insert_rows, next_id
from cno.dates import check_not_future, day_of
from cno.errors import CnoError
from cno.refs import Ambiguous, name_key

DIRECTIONS = ("given", "received")
CLEARABLE = ("for", "value", "note")

# The ledger over referral rows (README "The Givers Gain ledger"): how many
# were given and received, and the won value of each side. Every ledger —
# the report, its all-time counters on each contact, one contact's card —
# selects these, grouped or not.
LEDGER_SUMS = (
    "sum(direction = 'given') AS given, sum(direction = 'received') AS received,"
    " sum(CASE WHEN direction = 'given' AND status = 'won' THEN coalesce(closed_value, 0) ELSE 0 END) AS won_given,"
    " sum(CASE WHEN direction = 'received' AND status = 'won' THEN coalesce(closed_value, 0) ELSE 0 END) AS won_received"
)


def balance(given: int, received: int, intros: int) -> int:
    """What I gave (referrals and introductions) less what I received."""
    return given + intros - received


# The largest money value (README "Referrals"): sums of many stay finite, so
# no report or JSON ever holds Infinity.
MAX_VALUE = 1e15


def parse_value(text: str | float | int) -> float:
    """A referral's value: a non-negative number such as 1500 or 99.50, at most 1e15."""
    raw = text
    try:
        v = float(str(text).strip())
    except (ValueError, OverflowError):
        v = math.nan
    if not math.isfinite(v) or v < 0 or v > MAX_VALUE:
        raise CnoError(f"--value must be a non-negative number up to 1e15 such as 1500 or 99.50, not {raw!r}")
    return v


def check_top(top: int | None) -> None:
    if top is not None and top < 1:
        raise CnoError(f"--top must be at least 1, not {top}")


def amount(v: float | None) -> float | int | None:
    """A stored value as shown: 1500.0 reads 1500, 99.5 stays 99.5."""
    if v is None:
        return None
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else v


# -- finding prospects and referrals -------------------------------------------


def prospect_contact(conn: sqlite3.Connection, text: str) -> sqlite3.Row | None:
    """The contact `--for` names when it is an id, an e-mail or an exact name; else None (free text).

    A number must be an existing id and an exact name must be unique: a typo
    of either would otherwise be stored silently as a prospect's text.
    """
    t = text.strip()
    if t.isdecimal():
        row = conn.execute("SELECT * FROM contacts WHERE id = ?", (int(t),)).fetchone() if len(t) <= 18 else None
        if row is None:
            raise CnoError(f"--for {text!r}: no contact #{t} (describe a prospect in words, or use an existing id)")
        return row
    if "@" in t:
        rows = conn.execute(
            "SELECT DISTINCT c.* FROM contacts c JOIN contact_emails e ON e.contact_id = c.id"
            " WHERE e.email = ? COLLATE NOCASE ORDER BY c.archived, c.id",
            (t,),
        ).fetchall()
    else:
        rows = conn.execute("SELECT * FROM contacts WHERE name_key = ? ORDER BY archived, id", (name_key(t),)).fetchall()
    active = [r for r in rows if not r["archived"]] or rows
    if len(active) > 1:
        listing = ", ".join(f"{r['name']} (#{r['id']})" for r in active)
        raise Ambiguous(f"--for {text!r} matches several contacts: {listing} — use an id")
    return active[0] if active else None


def get_referral(conn: sqlite3.Connection, referral_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM referrals WHERE id = ?", (referral_id,)).fetchone()
    if row is None:
        raise CnoError(f"no referral #{referral_id} (see: cno referral list)")
    return row


def _prospect_cols(conn, contact_id: int, direction: str, prospect: str | None) -> dict:
    """prospect/prospect_id/kind for a `--for` (None: no prospect named)."""
    if prospect is None or not prospect.strip():
        return {"prospect": None, "prospect_id": None, "kind": "inside" if direction == "given" else None}
    who = prospect_contact(conn, prospect) if direction == "given" else None
    if who is not None and who["id"] == contact_id:
        raise CnoError(f"--for names {who['name']} (#{who['id']}) themself — the prospect is someone else")
    # the prospect's name is kept as text too, so a deleted prospect keeps it
    return {
        "prospect": who["name"] if who is not None else " ".join(prospect.split()),
        "prospect_id": who["id"] if who is not None else None,
        "kind": "outside" if direction == "given" else None,
    }


# -- writing ------------------------------------------------------------------


def _new_referral(
    conn: sqlite3.Connection,
    direction: str,
    contact_id: int,
    today: date,
    *,
    prospect: str | None = None,
    value: float | None = None,
    on: date | None = None,
    note: str | None = None,
) -> dict:
    """A new referral's column values, validated (what `referral give|receive` writes)."""
    if direction not in DIRECTIONS:
        raise CnoError(f"unknown direction {direction!r} — use given or received")
    on = day_of(on) if on is not None else today
    check_not_future(on, today, "a referral")
    return {
        "uid": str(uuid.uuid4()),
        "direction": direction,
        "contact_id": contact_id,
        **_prospect_cols(conn, contact_id, direction, prospect),
        "value": parse_value(value) if value is not None else None,
        "on_date": on.isoformat(),
        "note": (note or "").strip() or None,
        "created_on": today.isoformat(),
    }


def add_referral(
    conn: sqlite3.Connection,
    direction: str,
    contact_id: int,
    today: date,
    *,
    prospect: str | None = None,
    value: float | None = None,
    on: date | None = None,
    note: str | None = None,
) -> int:
    """Record a referral given to, or received from, `contact_id`; returns its id."""
    cols = _new_referral(conn, direction, contact_id, today, prospect=prospect, value=value, on=on, note=note)
    cur = conn.execute(
        f"INSERT INTO referrals ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", list(cols.values())
    )
    followups.refresh(conn, [contact_id])  # referrals count in relationship strength
    return cur.lastrowid


def add_referrals(conn: sqlite3.Connection, items: Iterable[dict], today: date) -> list[int]:
    """Record many referrals, each exactly as `add_referral` would; returns their ids in order.

    Each item holds `add_referral`'s arguments: `direction`, `contact_id` and
    any of its keywords (`prospect`, `value`, `on`, `note`). All are
    validated first, inserted with one statement, and the strength of the
    contacts involved is computed once. Run it inside a transaction, so a bad
    item leaves nothing behind. Ids are given explicitly as the next id SQLite would give (bulk.next_id)
    + 1, + 2, …: the ids SQLite would have chosen one insert at a time.
    """
    start = next_id(conn, "referrals")
    rows = [{"id": rid, **_new_referral(conn, today=today, **item)} for rid, item in enumerate(items, start)]
    if not rows:
        return []
    keys = list(rows[0])
    insert_rows(conn, "referrals", keys, ([r[k] for k in keys] for r in rows))
    followups.refresh(conn, {r["contact_id"] for r in rows})
    return [r["id"] for r in rows]


def _close(
    conn: sqlite3.Connection,
    referral_id: int,
    today: date,
    *,
    won: bool,
    value: float | None = None,
    on: date | None = None,
    reopen: bool = False,
) -> int:
    """Validate and write one closing (see close_referral); returns the referral's contact id."""
    row = get_referral(conn, referral_id)
    if row["status"] != "open" and not reopen:
        raise CnoError(
            f"referral #{referral_id} is already {row['status']} (on {row['closed_on']}) — add --reopen to close it again"
        )
    on = day_of(on) if on is not None else today
    check_not_future(on, today, "a referral", "be closed")
    if on.isoformat() < row["on_date"]:
        raise CnoError(f"referral #{referral_id} was passed on {row['on_date']}; it can't be closed before ({on.isoformat()})")
    if won:
        closed_value = parse_value(value) if value is not None else row["value"]
    elif value is not None:
        raise CnoError("--value goes with --won: a lost referral has no closed value")
    else:
        closed_value = None
    conn.execute(
        "UPDATE referrals SET status = ?, closed_value = ?, closed_on = ? WHERE id = ?",
        ("won" if won else "lost", closed_value, on.isoformat(), referral_id),
    )
    return row["contact_id"]


def close_referral(
    conn: sqlite3.Connection,
    referral_id: int,
    today: date,
    *,
    won: bool,
    value: float | None = None,
    on: date | None = None,
    reopen: bool = False,
) -> sqlite3.Row:
    """Mark a referral won (with its closed value) or lost; returns the updated row.

    `--won` without a value keeps the recorded one. A closed referral is
    closed again only with `reopen`, so a typo'd id can't rewrite history.
    """
    contact_id = _close(conn, referral_id, today, won=won, value=value, on=on, reopen=reopen)
    followups.refresh(conn, [contact_id])  # the contact's won value
    return get_referral(conn, referral_id)


def close_referrals(conn: sqlite3.Connection, items: Iterable[dict], today: date) -> None:
    """Close many referrals, each exactly as `close_referral` would, in order.

    Each item holds `close_referral`'s arguments: `referral_id`, `won` and any
    of `value`, `on`, `reopen`. The contacts' won values are recomputed once
    at the end rather than after each one. Run it inside a transaction, so a
    bad item leaves nothing behind.
    """
    followups.refresh(conn, {_close(conn, today=today, **item) for item in items})


def edit_referral(
    conn: sqlite3.Connection,
    referral_id: int,
    today: date,
    *,
    contact_id: int | None = None,
    prospect: str | None = None,
    value: float | None = None,
    on: date | None = None,
    note: str | None = None,
    reopen: bool = False,
    clear: list[str] = (),
) -> list[str]:
    """Change a referral; returns the names of what changed (empty: nothing to do)."""
    row = get_referral(conn, referral_id)
    cols: dict = {}
    changed: list[str] = []
    fields = [f.strip().lower() for f in clear]
    for f in fields:
        if f not in CLEARABLE:
            raise CnoError(f"can't clear {f!r} — clearable: {', '.join(CLEARABLE)}")
    if "for" in fields and prospect is not None:
        raise CnoError("--for and --clear for exclude each other")
    who = contact_id if contact_id is not None else row["contact_id"]
    if contact_id is not None:
        cols["contact_id"] = contact_id
        changed.append("contact")
    if prospect is not None or "for" in fields:
        cols.update(_prospect_cols(conn, who, row["direction"], prospect))
        changed.append("for")
    elif contact_id is not None and row["prospect_id"] == contact_id:
        raise CnoError(f"referral #{referral_id} is for that contact — they can't also be who it was passed to")
    if value is not None:
        cols["value"] = parse_value(value)
        changed.append("value")
    elif "value" in fields:
        cols["value"] = None
        changed.append("value")
    if on is not None:
        on = day_of(on)
        check_not_future(on, today, "a referral")
        if row["closed_on"] and on.isoformat() > row["closed_on"]:
            raise CnoError(f"referral #{referral_id} was closed on {row['closed_on']}; it can't be passed after that")
        cols["on_date"] = on.isoformat()
        changed.append("on")
    if note is not None:
        cols["note"] = note.strip() or None
        changed.append("note")
    elif "note" in fields:
        cols["note"] = None
        changed.append("note")
    if reopen:
        if row["status"] == "open":
            raise CnoError(f"referral #{referral_id} is already open")
        cols.update(status="open", closed_value=None, closed_on=None)
        changed.append("status")
    if cols:
        conn.execute(f"UPDATE referrals SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", [*cols.values(), referral_id])
        followups.refresh(conn, {row["contact_id"], who})
    return changed


def remove_referral(conn: sqlite3.Connection, referral_id: int) -> dict:
    row = _rows(conn, "r.id = ?", [referral_id])
    if not row:
        get_referral(conn, referral_id)  # raises: no such referral
    conn.execute("DELETE FROM referrals WHERE id = ?", (referral_id,))
    followups.refresh(conn, [row[0]["contact_id"]])
    return row[0]


def intro_touchpoint(a_id: int, b_id: int, *, when=None, via: str = "other", note: str | None = None) -> dict:
    """The touchpoint an introduction of A and B is (arguments of `touchpoints.log_touchpoint`)."""
    if a_id == b_id:
        raise CnoError(f"an introduction needs two different people, not contact #{a_id} twice")
    return {"contact_ids": [a_id, b_id], "when": when, "via": via, "gave": True, "note": note, "intro": True}


def intro(
    conn: sqlite3.Connection,
    a_id: int,
    b_id: int,
    today: date,
    *,
    when=None,
    via: str = "other",
    note: str | None = None,
) -> int:
    """I introduced A and B: one touchpoint with both, `gave` and `intro` set; returns its id."""
    return touchpoints.log_touchpoint(conn, today=today, **intro_touchpoint(a_id, b_id, when=when, via=via, note=note))


# -- reading ------------------------------------------------------------------

_SELECT = (
    "SELECT r.*, c.name AS name, p.name AS prospect_name FROM referrals r"
    " JOIN contacts c ON c.id = r.contact_id LEFT JOIN contacts p ON p.id = r.prospect_id"
)


def _row(r) -> dict:
    return {
        "id": r["id"],
        "direction": r["direction"],
        "contact_id": r["contact_id"],
        "name": r["name"],
        "kind": r["kind"],
        # a contact prospect shows its current name; a deleted one its name as recorded
        "prospect": r["prospect_name"] or r["prospect"],
        "prospect_id": r["prospect_id"],
        "value": amount(r["value"]),
        "status": r["status"],
        "closed_value": amount(r["closed_value"]),
        "closed_on": r["closed_on"],
        "on": r["on_date"],
        "note": r["note"],
    }


def _rows(conn, where: str, args: list) -> list[dict]:
    sql = f"{_SELECT} WHERE {where} ORDER BY r.on_date DESC, r.id DESC"
    return [_row(r) for r in conn.execute(sql, args)]


def list_referrals(
    conn: sqlite3.Connection,
    today: date,
    *,
    open_only: bool = False,
    since: date | None = None,
    contact_id: int | None = None,
) -> list[dict]:
    """Referrals, newest first (on or before today)."""
    where, args = ["r.on_date <= ?"], [today.isoformat()]
    if contact_id is not None:
        where.append("r.contact_id = ?")
        args.append(contact_id)
    if since is not None:
        where.append("r.on_date >= ?")
        args.append(since.isoformat())
    if open_only:
        where.append("r.status = 'open'")
    return _rows(conn, " AND ".join(where), args)


def _window_sql(today: date, since: date | None, until: date | None) -> tuple[str, dict]:
    """The window as SQL over a date column `{col}`, and its parameters.

    "As of" today: nothing after it counts, even when --as-of is in the past.
    A window with a start goes through the date indexes; the all-time report
    reads every row anyway, and a plain scan does that faster than walking an
    index that covers everything, so the unary `+` keeps SQLite off it.
    """
    end = min(until, today) if until is not None else today
    if since is None:
        return "+{col} <= :until", {"until": end.isoformat()}
    return "{col} BETWEEN :since AND :until", {"since": since.isoformat(), "until": end.isoformat()}


def _report_sql(window: str) -> str:
    # Per-contact sums of one window, aggregated in SQL: referrals and intros
    # (touchpoints with both people) side by side, then one row per contact.
    # `GROUP BY +contact_id`: walking an index by contact for its order costs a
    # table lookup per row, several times slower than sorting what was read.
    return f"""
        SELECT c.id AS contact_id, c.name AS name,
               sum(a.given) AS given, sum(a.received) AS received, sum(a.intros) AS intros,
               sum(a.won_given) AS won_value_given, sum(a.won_received) AS won_value_received
        FROM (
            SELECT contact_id, {LEDGER_SUMS}, 0 AS intros
            FROM referrals WHERE {window.format(col="on_date")} GROUP BY +contact_id
            UNION ALL
            SELECT tc.contact_id, 0, 0, 0, 0, count(*)
            FROM touchpoints t JOIN touchpoint_contacts tc ON tc.touchpoint_id = t.id
            WHERE t.intro = 1 AND {window.format(col="t.happened_on")} GROUP BY +tc.contact_id
        ) a JOIN contacts c ON c.id = a.contact_id
        GROUP BY c.id
        ORDER BY sum(a.given) + sum(a.received) + sum(a.intros) DESC, c.name_key, c.id
    """


def ledger(
    conn: sqlite3.Connection,
    today: date,
    since: date | None = None,
    until: date | None = None,
    top: int | None = None,
) -> tuple[list[dict], dict]:
    """The report's rows (the `top` most active) and the whole window's totals, from one pass.

    Totals hold the window's sums whatever `top` shows, how many contacts had
    activity, `intros` as the number of introductions, and `introduced` as
    the sum of the rows' `intros`: an introduction counts in both people's
    rows, so `introduced` is twice `intros` (less one for each introduction
    whose other person was deleted since). The totals row of the report sums
    the columns; its footer says both numbers (render.referrals.intros_text).
    """
    check_top(top)
    if since is None and (until is None or until >= today) and not _dated_after(conn, today):
        return _all_time(conn, top)
    window, params = _window_sql(today, since, until)
    rows = [
        {
            "contact_id": r["contact_id"],
            "name": r["name"],
            "given": r["given"],
            "received": r["received"],
            "intros": r["intros"],
            "won_value_given": amount(r["won_value_given"]),
            "won_value_received": amount(r["won_value_received"]),
            "balance": balance(r["given"], r["received"], r["intros"]),
        }
        for r in conn.execute(_report_sql(window), params)
    ]
    intros = conn.execute(
        f"SELECT count(*) FROM touchpoints WHERE intro = 1 AND {window.format(col='happened_on')}", params
    ).fetchone()[0]
    totals = {
        "contacts": len(rows),
        "given": sum(r["given"] for r in rows),
        "received": sum(r["received"] for r in rows),
        "intros": intros,
        "introduced": sum(r["intros"] for r in rows),
        "won_value_given": amount(sum(r["won_value_given"] for r in rows)),
        "won_value_received": amount(sum(r["won_value_received"] for r in rows)),
    }
    return (rows if top is None else rows[:top]), totals


def _dated_after(conn: sqlite3.Connection, today: date) -> bool:
    """Is any referral or introduction dated after `today` (a report --as-of the past)?"""
    day = today.isoformat()
    return bool(
        conn.execute("SELECT 1 FROM referrals WHERE on_date > ? LIMIT 1", (day,)).fetchone()
        or conn.execute("SELECT 1 FROM touchpoints WHERE intro = 1 AND happened_on > ? LIMIT 1", (day,)).fetchone()
    )


def _all_time(conn: sqlite3.Connection, top: int | None) -> tuple[list[dict], dict]:
    """The all-time ledger from the counters each contact row keeps (see followups.refresh).

    The same rows, order and totals as the windowed query over all history,
    read along the `contacts_activity` index: the top 20 of 100k contacts
    costs 20 rows.
    """
    sql = (
        "SELECT id AS contact_id, name, ref_given AS given, ref_received AS received, intros,"
        " won_given AS won_value_given, won_received AS won_value_received FROM contacts"
        " WHERE ref_given + ref_received + intros > 0 ORDER BY ref_given + ref_received + intros DESC, name_key, id"
    )
    rows = [
        {**dict(r), "won_value_given": amount(r["won_value_given"]), "won_value_received": amount(r["won_value_received"]),
         "balance": balance(r["given"], r["received"], r["intros"])}
        for r in conn.execute(sql + (" LIMIT ?" if top is not None else ""), [top] if top is not None else [])
    ]  # fmt: skip
    # totals from the smallest sources: the index alone, the referrals table,
    # and the partial index of introductions
    n = conn.execute("SELECT count(*) FROM contacts WHERE ref_given + ref_received + intros > 0").fetchone()[0]
    given, received, won_given, won_received = _ledger_of(conn, "1", [])
    intros, introduced = conn.execute(
        "SELECT count(*), coalesce(sum((SELECT count(*) FROM touchpoint_contacts tc WHERE tc.touchpoint_id = t.id)), 0)"
        " FROM touchpoints t INDEXED BY touchpoints_intro WHERE t.intro = 1"
    ).fetchone()
    totals = {"contacts": n, "given": given, "received": received, "intros": intros, "introduced": introduced,
              "won_value_given": amount(won_given), "won_value_received": amount(won_received)}  # fmt: skip
    return rows, totals


def givers_gain_ratio(given: int, received: int) -> float | None:
    """given ÷ received; infinite when only given, None when there was neither."""
    if received:
        return given / received
    return math.inf if given else None


def contact_balance(conn: sqlite3.Connection, contact_id: int, today: date) -> dict:
    """One contact's all-time ledger, through the per-contact indexes."""
    end = today.isoformat()
    given, received, _won_given, _won_received = _ledger_of(conn, "contact_id = ? AND on_date <= ?", [contact_id, end])
    intros = conn.execute(
        "SELECT count(*) FROM touchpoint_contacts tc JOIN touchpoints t ON t.id = tc.touchpoint_id"
        " WHERE tc.contact_id = ? AND tc.happened_on <= ? AND t.intro = 1",
        (contact_id, end),
    ).fetchone()[0]
    return {"given": given, "received": received, "intros": intros, "balance": balance(given, received, intros)}


def _ledger_of(conn: sqlite3.Connection, where: str, args: list) -> tuple[int, int, float, float]:
    """The ledger sums of the referrals `where` selects, as one total (0 for none)."""
    return conn.execute(
        "SELECT coalesce(given, 0), coalesce(received, 0), coalesce(won_given, 0), coalesce(won_received, 0)"
        f" FROM (SELECT {LEDGER_SUMS} FROM referrals WHERE {where})",
        args,
    ).fetchone()
