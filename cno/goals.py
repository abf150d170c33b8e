"""Networking goals: definitions kept in the journal, progress measured from it.

A goal holds only what to count (a metric, optionally restricted to contacts
with a tag and/or a tier), how many (a target) and per what calendar period.
Its value is always computed from the journal for a period: one SQL
aggregate per metric, ranged on the indexed dates (`touchpoints.happened_on`,
`referrals.on_date`), so a long history costs only the rows of the period.
"""

from __future__ import annotations

import calendar
import re
import sqlite3
import uuid
from datetime import date, timedelta

from cno.contacts import parse_tier
from cno.db import split_list
from cno.errors import CnoError
from cno.settings import normalise_tag

METRICS = (
    "touchpoints",
    "contacts-touched",
    "new-contacts",
    "meetings",
    "gives",
    "referrals-given",
    "referrals-received",
    "intros",
    "minutes",
)
PERIODS = ("week", "month", "quarter", "year")
CLEARABLE = ("tag", "tier")
MAX_HISTORY = 1000
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_MAX_TARGET = 2**63 - 1  # SQLite's largest integer


# -- reading what was typed ---------------------------------------------------


def parse_metric(text: str) -> str:
    m = text.strip().lower()
    if m not in METRICS:
        raise CnoError(f"unknown metric {text!r} — use one of: {', '.join(METRICS)}")
    return m


def parse_period(text: str) -> str:
    p = text.strip().lower()
    if p not in PERIODS:
        raise CnoError(f"unknown period {text!r} — use week, month, quarter or year")
    return p


def parse_target(text: str | int) -> int:
    """A positive whole number: goals count things, so 2.5 or 0 is a typo."""
    s = str(text).strip()
    if not _INTEGER.match(s) or not 0 < int(s) <= _MAX_TARGET:
        raise CnoError(f"--target must be a positive whole number such as 5 or 150, not {str(text)!r}")
    return int(s)


def parse_title(text: str) -> str:
    t = " ".join(text.split())
    if not t:
        raise CnoError("a goal needs a title, e.g. 'CNO time budget'")
    return t


def check_history(n: int) -> int:
    if not 0 <= n <= MAX_HISTORY:
        raise CnoError(f"--history must be between 0 and {MAX_HISTORY}, not {n}")
    return n


def parse_tag_filter(conn: sqlite3.Connection, text: str) -> str:
    """A tag some contact has: a filter on a tag nobody has is a typo that would count zero forever."""
    tag = normalise_tag(text)
    if conn.execute("SELECT 1 FROM contact_tags WHERE tag = ? LIMIT 1", (tag,)).fetchone() is None:
        import difflib

        known = [r[0] for r in conn.execute("SELECT DISTINCT tag FROM contact_tags ORDER BY tag")]
        close = difflib.get_close_matches(tag, known, n=3)
        hint = f" — did you mean {', '.join(close)}?" if close else " (tag a contact with it first: cno edit REF --tag T)"
        raise CnoError(f"no contact has the tag {tag!r}{hint}")
    return tag


# -- definitions --------------------------------------------------------------


def get_goal(conn: sqlite3.Connection, goal_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM goals WHERE id = ?", (goal_id,)).fetchone()
    if row is None:
        raise CnoError(f"no goal #{goal_id} (see: cno goal list)")
    return row


def add_goal(
    conn: sqlite3.Connection,
    title: str,
    metric: str,
    target: str | int,
    today: date,
    *,
    per: str = "week",
    tag: str | None = None,
    tier: str | None = None,
) -> int:
    cols = {
        "uid": str(uuid.uuid4()),
        "title": parse_title(title),
        "metric": parse_metric(metric),
        "target": parse_target(target),
        "per": parse_period(per),
        "tag": parse_tag_filter(conn, tag) if tag is not None else None,
        "tier": parse_tier(tier) if tier is not None else None,
        "created_on": today.isoformat(),
    }
    cur = conn.execute(
        f"INSERT INTO goals ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", list(cols.values())
    )
    return cur.lastrowid


def edit_goal(
    conn: sqlite3.Connection,
    goal_id: int,
    *,
    title: str | None = None,
    metric: str | None = None,
    target: str | int | None = None,
    per: str | None = None,
    tag: str | None = None,
    tier: str | None = None,
    clear: list[str] = (),
) -> list[str]:
    """Change a goal's definition; returns the names of the fields set."""
    get_goal(conn, goal_id)
    cleared = []
    for f in clear:
        name = f.strip().lower()
        if name not in CLEARABLE:
            raise CnoError(f"can't clear {f!r} — clearable: {', '.join(CLEARABLE)}")
        cleared.append(name)
    cols: dict = {}
    if title is not None:
        cols["title"] = parse_title(title)
    if metric is not None:
        cols["metric"] = parse_metric(metric)
    if target is not None:
        cols["target"] = parse_target(target)
    if per is not None:
        cols["per"] = parse_period(per)
    for name, value in (("tag", tag), ("tier", tier)):
        if value is not None and name in cleared:
            raise CnoError(f"--{name} and --clear {name} exclude each other")
    if tag is not None:
        cols["tag"] = parse_tag_filter(conn, tag)
    if tier is not None:
        cols["tier"] = parse_tier(tier)
    for name in cleared:
        cols[name] = None
    if not cols:
        raise CnoError("nothing to change — give --title, --metric, --target, --per, --tag, --tier or --clear tag|tier")
    conn.execute(f"UPDATE goals SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", [*cols.values(), goal_id])
    return list(cols)


def remove_goal(conn: sqlite3.Connection, goal_id: int) -> sqlite3.Row:
    row = get_goal(conn, goal_id)
    conn.execute("DELETE FROM goals WHERE id = ?", (goal_id,))
    return row


def list_goals(conn: sqlite3.Connection) -> list[dict]:
    """Goal definitions, oldest first; `period` is the goal's `--per`, as in `cno goals`."""
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "metric": r["metric"],
            "target": r["target"],
            "period": r["per"],
            "tag": r["tag"],
            "tier": r["tier"],
            "created_on": r["created_on"],
        }
        for r in conn.execute("SELECT * FROM goals ORDER BY id")
    ]


# -- calendar periods ---------------------------------------------------------


def period_bounds(per: str, day: date) -> tuple[date, date]:
    """First and last day of the calendar period containing `day`.

    Weeks are ISO weeks (Monday to Sunday); quarters start in January, April,
    July and October.
    """
    if per == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if per == "month":
        first_month, months = day.month, 1
    elif per == "quarter":
        first_month, months = (day.month - 1) // 3 * 3 + 1, 3
    elif per == "year":
        first_month, months = 1, 12
    else:
        raise CnoError(f"unknown period {per!r} — use week, month, quarter or year")
    last_month = first_month + months - 1
    return (
        date(day.year, first_month, 1),
        date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
    )


def elapsed_share(start: date, end: date, today: date):
    """How much of the period has passed, today counted: Monday of a week is 1/7 (a Fraction)."""
    from fractions import Fraction  # exact, so "on pace" never flips on a rounding error

    length = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 0), length)
    return Fraction(elapsed, length)


# -- measuring ----------------------------------------------------------------


def _who(column: str, tag: str | None, tier: str | None) -> tuple[str, list]:
    """SQL that holds when the contact in `column` has the goal's tag and tier."""
    conds, args = [], []
    if tier:
        conds.append(f"EXISTS (SELECT 1 FROM contacts wc WHERE wc.id = {column} AND wc.tier = ?)")
        args.append(tier)
    if tag:
        conds.append(f"EXISTS (SELECT 1 FROM contact_tags wg WHERE wg.contact_id = {column} AND wg.tag = ?)")
        args.append(tag)
    return " AND ".join(conds), args


def _touchpoints(what: str, condition: str | None, tag, tier, start: str, end: str) -> tuple[str, list]:
    """One aggregate over the touchpoints of a date range (the happened_on index).

    A touchpoint with several people counts once: the tag/tier filter asks
    whether *any* of its people qualifies rather than joining them all in.
    """
    where = ["t.happened_on >= ?", "t.happened_on <= ?"]
    args: list = [start, end]
    if condition:
        where.append(condition)
    who, who_args = _who("tp.contact_id", tag, tier)
    if who:
        where.append(f"EXISTS (SELECT 1 FROM touchpoint_contacts tp WHERE tp.touchpoint_id = t.id AND {who})")
        args += who_args
    return f"SELECT {what} FROM touchpoints t WHERE {' AND '.join(where)}", args


def _referrals(direction: str, tag, tier, start: str, end: str) -> tuple[str, list]:
    """Referrals of one direction dated in the range; the filter applies to the referral's contact."""
    sql = "SELECT count(*) FROM referrals r WHERE r.on_date >= ? AND r.on_date <= ? AND r.direction = ?"
    args: list = [start, end, direction]
    who, who_args = _who("r.contact_id", tag, tier)
    if who:
        sql += f" AND {who}"
        args += who_args
    return sql, args


def metric_query(goal, start: date, end: date) -> tuple[str, list]:
    """The one SQL aggregate that measures `goal` over start..end (both included)."""
    metric, tag, tier = goal["metric"], goal["tag"], goal["tier"]
    s, e = start.isoformat(), end.isoformat()
    if metric == "touchpoints":
        return _touchpoints("count(*)", None, tag, tier, s, e)
    if metric == "meetings":
        return _touchpoints("count(*)", "t.via IN ('meeting', 'video')", tag, tier, s, e)
    if metric == "intros":
        return _touchpoints("count(*)", "t.intro = 1", tag, tier, s, e)
    if metric == "minutes":
        return _touchpoints("coalesce(sum(t.minutes), 0)", None, tag, tier, s, e)
    if metric == "contacts-touched":
        # Here the filter applies to each person: a fintech goal counts the
        # fintech contacts met, not everyone who sat at the same table.
        who, who_args = _who("tc.contact_id", tag, tier)
        sql = (
            "SELECT count(DISTINCT tc.contact_id) FROM touchpoints t"
            " JOIN touchpoint_contacts tc ON tc.touchpoint_id = t.id"
            " WHERE t.happened_on >= ? AND t.happened_on <= ?" + (f" AND {who}" if who else "")
        )
        return sql, [s, e, *who_args]
    if metric == "new-contacts":
        who, who_args = _who("c.id", tag, tier)
        sql = "SELECT count(*) FROM contacts c WHERE c.met_on >= ? AND c.met_on <= ?" + (f" AND {who}" if who else "")
        return sql, [s, e, *who_args]
    if metric in ("referrals-given", "referrals-received"):
        return _referrals(metric.removeprefix("referrals-"), tag, tier, s, e)
    if metric == "gives":
        # An intro is a touchpoint with `gave` set: it counts once, as a touchpoint.
        tp_sql, tp_args = _touchpoints("count(*)", "(t.gave = 1 OR t.intro = 1)", tag, tier, s, e)
        ref_sql, ref_args = _referrals("given", tag, tier, s, e)
        return f"SELECT ({tp_sql}) + ({ref_sql})", [*tp_args, *ref_args]
    raise CnoError(f"unknown metric {metric!r} — use one of: {', '.join(METRICS)}")


def measure(conn: sqlite3.Connection, goal, start: date, end: date) -> int:
    if goal["metric"] == "contacts-touched":
        latest = conn.execute("SELECT max(happened_on) FROM touchpoints").fetchone()[0]
        if latest is None or latest <= end.isoformat():
            # No one was touched after the period, so those touched in it are
            # those last touched on or after its start: one pass over the
            # contact rows instead of every touchpoint of a quarter.
            sql, args = "SELECT count(*) FROM contacts c WHERE c.last_touch_on >= ?", [start.isoformat()]
            if goal["tier"]:
                sql += " AND c.tier = ?"
                args.append(goal["tier"])
            if goal["tag"]:
                sql += " AND EXISTS (SELECT 1 FROM contact_tags g WHERE g.contact_id = c.id AND g.tag = ?)"
                args.append(goal["tag"])
            return conn.execute(sql, args).fetchone()[0]
    sql, args = metric_query(goal, start, end)
    return conn.execute(sql, args).fetchone()[0]


def progress(conn: sqlite3.Connection, today: date, history: int = 0) -> list[dict]:
    """Each goal in the period containing today, then its `history` previous periods.

    The current period is counted up to today, so `--as-of` a past day shows
    the goal as it stood on that day.

    Rows carry the pinned `goals` keys plus `tag`, `tier`, `periods_ago` (0
    for the current period) and `expected` (target × elapsed share, the pace
    line). A past period has fully elapsed, so its `on_pace` says whether the
    target was met.

    History stops at the period the goal was created in: a period that ended
    before `created_on` never existed for the goal, so it is left out rather
    than shown as missed. The period of `created_on` itself is kept and
    counted whole (progress is measured from the journal, which holds that
    period's first days too). The period containing `today` is always shown,
    even `--as-of` a day before the goal existed: that is the question asked.
    """
    check_history(history)
    rows = []
    for goal in conn.execute("SELECT * FROM goals ORDER BY id").fetchall():
        day = today
        for ago in range(history + 1):
            start, end = period_bounds(goal["per"], day)
            if ago and end.isoformat() < goal["created_on"]:
                break
            rows.append(_row(conn, goal, start, end, today, ago))
            if start == date.min:
                break
            day = start - timedelta(days=1)
    return rows


def _row(conn, goal, start: date, end: date, today: date, ago: int) -> dict:
    value = measure(conn, goal, start, min(end, today))
    target = goal["target"]
    expected = target * elapsed_share(start, end, today)
    return {
        "id": goal["id"],
        "title": goal["title"],
        "metric": goal["metric"],
        "target": target,
        "period": goal["per"],
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "value": value,
        # whole percent, rounded down, so 100 appears only once the target is met
        "percent": value * 100 // target,
        "on_pace": value >= expected,
        "expected": round(float(expected), 1),
        "tag": goal["tag"],
        "tier": goal["tier"],
        "periods_ago": ago,
    }


def status(row: dict) -> str:
    """A progress row in one word, the same in `cno goals` and `cno review`.

    `reached` once the target is met (whatever the pace); while the period
    runs, `on pace` or `behind` (value against target × elapsed share); a
    past period that ended short of its target was `missed` — it has no pace
    left to be behind on.
    """
    if row["value"] >= row["target"]:
        return "reached"
    if row["periods_ago"]:
        return "missed"
    return "on pace" if row["on_pace"] else "behind"


# -- engagement ---------------------------------------------------------------


def engagement_rate(conn: sqlite3.Connection, today: date) -> float | None:
    """Share of active tier-A contacts last touched within their cadence; None if there are none.

    "Within" means last touch + effective cadence (own, else tags', else
    tier's) is today or later — due today still counts. It is computed from
    `last_touch_on` rather than the maintained `next_due_on`, because a
    snooze moves `next_due_on` without anyone being touched, and a contact
    never touched is not engaged however recently it was added.
    """
    from cno.followups import cadence_settings, effective_cadence

    settings = cadence_settings(conn)
    rows = conn.execute(
        "SELECT c.id, c.every, c.tier, c.last_touch_on,"
        " (SELECT group_concat(tag, char(31)) FROM contact_tags g WHERE g.contact_id = c.id) AS tags"
        " FROM contacts c WHERE c.archived = 0 AND c.tier = 'A'"
    ).fetchall()
    if not rows:
        return None
    engaged = 0
    for r in rows:
        if r["last_touch_on"] is None:
            continue
        # tier A always has a cadence (its default is 30d), so there is one
        cadence = effective_cadence(r["every"], r["tier"], split_list(r["tags"]), settings)
        if cadence.after(date.fromisoformat(r["last_touch_on"])) >= today:
            engaged += 1
    return engaged / len(rows)
