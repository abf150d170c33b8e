"""The judgement reports: the review digest, who to reach out to, and stats.

Each returns plain dicts for render; `today` is always passed in.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import date, timedelta

from cno import followups, scoring
from cno.dates import next_anniversary
from cno.errors import CnoError

REVIEW_DAYS = {"week": 7, "month": 30, "quarter": 91}
COOLING_TOP = 5


def parse_review_period(text: str) -> str:
    p = text.strip().lower()
    if p not in REVIEW_DAYS:
        raise CnoError(f"unknown period {text!r} — use week, month or quarter")
    return p


# -- review ---------------------------------------------------------------------


SECTION_LIMIT = 50  # a digest lists at most this many items per section, and says how many there are


def review(conn: sqlite3.Connection, today: date, period: str = "week") -> dict:
    """Every section of the digest, each a key (SPEC "Reports": review).

    Lists hold at most SECTION_LIMIT items (the most urgent); `totals` says
    how many each has in all.
    """
    from cno import goals, referrals

    days = REVIEW_DAYS[parse_review_period(period)]
    start = today - timedelta(days=days - 1)  # the N days ending today
    horizon = today + timedelta(days=days)
    yesterday = today - timedelta(days=1)
    ledger_rows, totals = referrals.ledger(conn, today, since=start, until=today)
    progress = goals.progress(conn, today)
    minutes, touch_count = conn.execute(
        "SELECT coalesce(sum(minutes), 0), count(*) FROM touchpoints WHERE happened_on BETWEEN ? AND ?",
        (start.isoformat(), today.isoformat()),
    ).fetchone()
    upcoming, upcoming_total = coming_up(conn, today, horizon, limit=SECTION_LIMIT)
    report = {
        "as_of": today.isoformat(),
        "period": period,
        "days": days,
        "window_start": start.isoformat(),
        "window_end": today.isoformat(),
        "horizon": horizon.isoformat(),
        "overdue": followups.due_items(conn, today, end=yesterday, limit=SECTION_LIMIT),
        "due_today": followups.due_items(conn, today, start=today, end=today, limit=SECTION_LIMIT),
        "coming_up": upcoming,
        "totals": {
            "overdue": followups.count_due(conn, None, yesterday),
            "due_today": followups.count_due(conn, today, today),
            "coming_up": upcoming_total,
        },
        "goals": progress,
        "referrals": {**totals, "contacts": ledger_rows[:10]},
        "time": {
            "minutes": minutes,
            "touchpoints": touch_count,
            "budget_goal": next((g for g in progress if g["metric"] == "minutes"), None),
        },
        "cooling": cooling(conn, today, days),
        "new_contacts": [
            dict(r)
            for r in conn.execute(
                "SELECT id, name, company, met_on FROM contacts WHERE met_on BETWEEN ? AND ?"
                # `+archived`: read the days' contacts through the met_on index, not every active one
                " AND +archived = 0"
                " ORDER BY met_on DESC, name_key LIMIT ?",
                (start.isoformat(), today.isoformat(), SECTION_LIMIT),
            )
        ],
    }
    _add_emails(conn, report)
    return report


def _add_emails(conn: sqlite3.Connection, report: dict) -> None:
    """Each person row of the digest gets `emails` (in the contact's order), so a
    mail of it can offer a link to write to them."""
    from cno.contacts import _lists_for

    rows = [
        *report["overdue"], *report["due_today"], *report["coming_up"],
        *report["referrals"]["contacts"], *report["cooling"], *report["new_contacts"],
    ]  # fmt: skip
    ids = {r.get("contact_id", r.get("id")) for r in rows}
    emails = _lists_for(conn, sorted(i for i in ids if i is not None), ("emails",))["emails"]
    for r in rows:
        r["emails"] = emails.get(r.get("contact_id", r.get("id"))) or []


def is_empty(report: dict) -> bool:
    """Nothing overdue, due today or coming up: what --quiet-if-empty stays quiet for."""
    return not (report["overdue"] or report["due_today"] or report["coming_up"])


def coming_up(conn: sqlite3.Connection, today: date, horizon: date, *, limit: int) -> tuple[list[dict], int]:
    """The first `limit` follow-ups, check-ins, birthdays and yearly milestones from
    tomorrow through `horizon`, and how many there are in all."""
    tomorrow = today + timedelta(days=1)
    lo, hi = tomorrow.isoformat(), horizon.isoformat()
    # the earliest `limit` check-ins and follow-ups are all the merge below can use
    items = [
        {**i, "on": i["due_on"], "what": i["note"] or ("check in" if i["kind"] == "cadence" else "")}
        for i in followups.due_items(conn, today, start=tomorrow, end=horizon, limit=limit)
    ]
    total = followups.count_due(conn, tomorrow, horizon) - len(items)
    birthdays, yearly = _anniversaries(conn, tomorrow, horizon)
    for cid, name, bday in birthdays:
        nxt = next_anniversary(bday, tomorrow)
        if nxt and nxt.isoformat() <= hi:
            age = nxt.year - int(bday[:4]) if not bday.startswith("--") else None
            items.append(_dated("birthday", cid, name, nxt, f"birthday{f' ({age})' if age else ''}"))
    for cid, name, label, on in yearly:
        nxt = next_anniversary(on, tomorrow)
        if nxt and nxt.isoformat() <= hi:
            items.append(_dated("milestone", cid, name, nxt, f"{label} ({nxt.year - int(on[:4])} years)"))
    for cid, name, label, on in conn.execute(
        "SELECT c.id, c.name, m.label, m.on_date FROM milestones m JOIN contacts c ON c.id = m.contact_id"
        " WHERE m.yearly = 0 AND +c.archived = 0 AND m.on_date BETWEEN ? AND ?",
        (lo, hi),
    ):
        items.append(_dated("milestone", cid, name, date.fromisoformat(on), label))
    items.sort(key=lambda i: (i["on"], i["name"].casefold(), i["kind"]))
    return items[:limit], total + len(items)


def _dated(kind: str, cid: int, name: str, on: date, what: str) -> dict:
    return {"kind": kind, "contact_id": cid, "name": name, "on": on.isoformat(), "what": what}


def cooling(conn: sqlite3.Connection, today: date, days: int) -> list[dict]:
    """The relationships whose strength fell most over the last `days` days.

    Without activity in the window a contact's drop depends on today's sum S
    alone, g(S) = f(S·k) − f(S) with k = 2^(days/half-life); g peaks at
    S* = K·ln(k)/(k − 1) and falls away on both sides, and activity in the
    window only makes a drop smaller. So the contacts are read along the
    strength index outwards from S*, each side stopping once g is below the
    fifth-largest drop found: a journal of any size costs a few dozen rows.
    """
    then = today - timedelta(days=days)
    k = 2.0 ** (days / scoring.HALF_LIFE_DAYS)
    raw_star = scoring.SCALE * math.log(k) / (k - 1) * scoring.scale(today)
    best: list[tuple] = []  # (-drop, name, ...) unrounded, so ranking never ties on rounding

    for op, order in (("<=", "DESC"), (">", "ASC")):
        for cid, name, raw in conn.execute(
            f"SELECT id, name, strength_raw FROM contacts WHERE strength_raw {op} ? AND strength_raw > 0"
            # `+archived`: walk the strength index, not one that starts with archived
            f" AND +archived = 0 ORDER BY strength_raw {order}",
            (raw_star,),
        ):
            now = scoring.exact_strength(raw, today)
            # the largest drop this contact (and any further along) could have
            if len(best) == COOLING_TOP and scoring.exact_strength(raw, then) - now < -best[-1][0]:
                break
            before = scoring.exact_strength(max(0.0, raw - _gained_since(conn, cid, then)), then)
            if before > now:
                best.append((now - before, name.casefold(), cid, name, now, before))
                best.sort()
                del best[COOLING_TOP:]
    return [
        {"contact_id": cid, "name": name, "strength": round(now, 1), "strength_then": round(before, 1),
         "drop": round(before - now, 1)}
        for _, _, cid, name, now, before in best
    ]  # fmt: skip


def _gained_since(conn: sqlite3.Connection, contact_id: int, then: date) -> float:
    """What a contact's touchpoints and referrals after `then` added to its strength sum."""
    gained = 0.0
    for via, on, gave in conn.execute(
        "SELECT t.via, tc.happened_on, t.gave FROM touchpoint_contacts tc JOIN touchpoints t ON t.id = tc.touchpoint_id"
        " WHERE tc.contact_id = ? AND tc.happened_on > ?",
        (contact_id, then.isoformat()),
    ):
        gained += scoring.contribution(scoring.touch_weight(via, gave), on)
    for (on,) in conn.execute(
        "SELECT on_date FROM referrals WHERE contact_id = ? AND on_date > ?", (contact_id, then.isoformat())
    ):
        gained += scoring.contribution(scoring.REFERRAL_WEIGHT, on)
    return gained


# -- suggest --------------------------------------------------------------------

TIER_POINTS = {"A": 15.0, "B": 8.0, "C": 3.0}
OVERDUE_POINTS = 30.0  # per cadence length overdue, up to OVERDUE_CAP lengths
OVERDUE_CAP = 3.0
FREQUENCY_POINTS = 6.0  # × ln(1 + touchpoints in the year before the last touch)
FREQUENCY_CAP = 30.0
QUIET_DAYS = 30  # past frequency counts once a contact has been quiet this long
UNRETURNED_POINTS = 20.0
OCCASION_POINTS = 15.0
OCCASION_DAYS = 7


def suggest(conn: sqlite3.Connection, today: date, *, n: int = 5, now=None) -> list[dict]:
    """Who to reach out to today, best first, each with its score's terms and reasons.

    The score is computed in SQL from what each contact row keeps up to date
    (`next_due_on`, `cadence_days`, `prior_touches`, the referral counters),
    so only the best `n` rows ever reach Python.
    """
    if n < 1:
        raise CnoError("-n must be at least 1")
    _ensure_ln(conn)
    occasions = _occasions(conn, today)
    occasion_ids = ",".join(str(int(cid)) for cid in occasions) or "NULL"
    terms = f"""
        CASE WHEN c.next_due_on < :today AND c.cadence_days > 0 THEN round({OVERDUE_POINTS}
            * min({OVERDUE_CAP}, (:jtoday - julianday(c.next_due_on)) / c.cadence_days), 1) ELSE 0 END AS t_overdue,
        CASE WHEN c.prior_touches > 1 AND c.last_touch_on <= :quiet THEN round(
            min({FREQUENCY_CAP}, {FREQUENCY_POINTS} * ln(1 + c.prior_touches)), 1) ELSE 0 END AS t_frequency,
        CASE WHEN c.ref_received > c.ref_given + c.intros THEN {UNRETURNED_POINTS} ELSE 0 END AS t_unreturned,
        CASE WHEN c.id IN ({occasion_ids}) THEN {OCCASION_POINTS} ELSE 0 END AS t_occasion,
        CASE c.tier WHEN 'A' THEN {TIER_POINTS["A"]} WHEN 'B' THEN {TIER_POINTS["B"]}
            WHEN 'C' THEN {TIER_POINTS["C"]} ELSE 0 END AS t_tier
    """
    # First the best n ids, with the reasons tested on plain columns (a
    # contact whose only reason would be its tier is not suggested) and each
    # score computed once; then their terms, for those n rows only.
    best = f"""
        SELECT id FROM (
            SELECT c.id, c.name_key, {terms} FROM contacts c
            WHERE c.archived = 0 AND ((c.next_due_on < :today AND c.cadence_days > 0)
                OR (c.prior_touches > 1 AND c.last_touch_on <= :quiet)
                OR c.ref_received > c.ref_given + c.intros OR c.id IN ({occasion_ids}))
        )
        ORDER BY round(t_overdue + t_frequency + t_unreturned + t_occasion + t_tier, 1) DESC, name_key, id
        LIMIT :n
    """
    quiet = (today - timedelta(days=QUIET_DAYS)).isoformat()
    jtoday = (today - date(1, 1, 1)).days + 1721425.5  # julianday() of today
    args = {"today": today.isoformat(), "jtoday": jtoday, "quiet": quiet, "n": n}
    ids = [r[0] for r in conn.execute(best, args)]
    details = {
        r["id"]: r
        for r in conn.execute(
            f"SELECT c.id, c.name, c.tier, c.timezone, c.last_touch_on, c.next_due_on, c.cadence_days, c.prior_touches,"
            f" c.ref_received - c.ref_given - c.intros AS unreturned, {terms}"
            f" FROM contacts c WHERE c.id IN ({','.join(str(i) for i in ids) or 'NULL'})",
            args,
        )
    }
    rows = [details[i] for i in ids]
    return [_suggestion(r, today, occasions, now) for r in rows]


def _suggestion(r, today: date, occasions: dict[int, str], now) -> dict:
    """One suggestion: the score's terms, and the reason in words."""
    terms, reasons = {}, []
    if r["t_overdue"]:
        terms["overdue"] = r["t_overdue"]
        late = (today - date.fromisoformat(r["next_due_on"])).days
        reasons.append(f"{late}d overdue (every {r['cadence_days']}d)")
    if r["t_frequency"]:
        terms["frequency"] = r["t_frequency"]
        reasons.append(f"{r['prior_touches']} touches in the year to {r['last_touch_on']}, none since")
    if r["t_unreturned"]:
        terms["unreturned_referral"] = float(r["t_unreturned"])
        reasons.append(f"gave you {r['unreturned']} referral(s) you have not returned")
    if r["t_occasion"]:
        terms["occasion"] = float(r["t_occasion"])
        reasons.append(occasions[r["id"]])
    if r["t_tier"]:
        terms["tier"] = float(r["t_tier"])
        reasons.append(f"tier {r['tier']}")
    local = None
    if r["timezone"] and now is not None:
        from zoneinfo import ZoneInfo

        local = now.astimezone(ZoneInfo(r["timezone"]))
    return {
        "contact_id": r["id"],
        "name": r["name"],
        "tier": r["tier"],
        "score": round(sum(terms.values()), 1),
        "reason": "; ".join(reasons),
        "terms": terms,
        "last_touch_on": r["last_touch_on"],
        "local_time": local.strftime("%H:%M") if local else None,
        "outside_hours": bool(local and not 8 <= local.hour < 20),
    }


def _ensure_ln(conn: sqlite3.Connection) -> None:
    """SQLite's math functions are a compile-time option: supply ln() when they are missing."""
    try:
        conn.execute("SELECT ln(1)")
    except sqlite3.OperationalError:
        conn.create_function("ln", 1, math.log, deterministic=True)


def _occasions(conn, today: date) -> dict[int, str]:
    """Birthdays and milestones within the coming week (today included)."""
    horizon = today + timedelta(days=OCCASION_DAYS)
    birthdays, yearly = _anniversaries(conn, today, horizon)
    out: dict[int, str] = {}
    for cid, _name, bday in birthdays:
        nxt = next_anniversary(bday, today)
        if nxt and nxt <= horizon:
            out[cid] = "birthday " + ("today" if nxt == today else f"on {nxt.isoformat()}")
    once = conn.execute(
        "SELECT m.contact_id, c.name, m.label, m.on_date FROM milestones m JOIN contacts c ON c.id = m.contact_id"
        " WHERE m.yearly = 0 AND +c.archived = 0 AND m.on_date BETWEEN ? AND ?",
        (today.isoformat(), horizon.isoformat()),
    ).fetchall()
    dated = [(cid, label, next_anniversary(on, today)) for cid, _name, label, on in yearly]
    dated += [(cid, label, date.fromisoformat(on)) for cid, _name, label, on in once]
    for cid, label, nxt in dated:
        if nxt and today <= nxt <= horizon:
            out.setdefault(cid, f"{label} on {nxt.isoformat()}")
    return out


def _anniversaries(conn: sqlite3.Connection, first: date, last: date) -> tuple[list, list]:
    """Active contacts' birthdays and yearly milestones whose month and day fall in [first, last],
    found through the 'MM-DD' indexes: (id, name, birthday) and (id, name, label, date) rows."""
    days = [(first + timedelta(days=i)).strftime("%m-%d") for i in range(min((last - first).days + 1, 366))]
    marks = ",".join("?" * len(days))
    birthdays = conn.execute(
        # `+archived`: through the birthday index, not one that starts with archived
        f"SELECT id, name, birthday FROM contacts WHERE birthday IS NOT NULL AND substr(birthday, -5) IN ({marks})"
        " AND +archived = 0",
        days,
    ).fetchall()
    yearly = conn.execute(
        "SELECT m.contact_id, c.name, m.label, m.on_date FROM milestones m JOIN contacts c ON c.id = m.contact_id"
        f" WHERE m.yearly = 1 AND substr(m.on_date, -5) IN ({marks}) AND +c.archived = 0",
        days,
    ).fetchall()
    return [tuple(r) for r in birthdays], [tuple(r) for r in yearly]


# -- stats ----------------------------------------------------------------------

BY = ("tag", "tier", "channel", "company")


# A chart of more weeks than this is drawn per month, and one longer than
# this many years per year: 100 years of weeks would be 5,218 rows.
CHART_WEEKS = 26
CHART_YEARS = 5


def chart_unit(since: date, today: date, weeks: int) -> str:
    """`week`, `month` or `year`: what one row of the stats chart counts."""
    try:
        years_ago = today.replace(year=today.year - CHART_YEARS)
    except ValueError:  # 29 February
        years_ago = today.replace(year=today.year - CHART_YEARS, day=28)
    return "year" if since < years_ago else "month" if weeks > CHART_WEEKS else "week"


def _periods(conn: sqlite3.Connection, since: date, today: date, per: str, weeks: list[dict]) -> list[dict]:
    """Touchpoints per chart period from `since` to `today`: `start` is the period's first day."""
    if per == "week":
        return [{"start": w["week_start"], "touchpoints": w["touchpoints"]} for w in weeks]
    pattern = "%Y-%m-01" if per == "month" else "%Y-01-01"
    counts = dict(
        conn.execute(
            "SELECT strftime(?, happened_on) AS period, count(*) FROM touchpoints"
            " WHERE happened_on BETWEEN ? AND ? GROUP BY period",
            (pattern, since.isoformat(), today.isoformat()),
        ).fetchall()
    )
    out = []
    start = since.replace(day=1) if per == "month" else since.replace(month=1, day=1)
    while start <= today:
        out.append({"start": start.isoformat(), "touchpoints": counts.get(start.isoformat(), 0)})
        if per == "month":
            start = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        else:
            start = start.replace(year=start.year + 1)
    return out


def stats(conn: sqlite3.Connection, today: date, since: date, by: str = "channel") -> dict:
    """Touchpoints per ISO week since `since` (and per chart period), engagement, and a breakdown."""
    from cno.goals import engagement_rate

    if by not in BY:
        raise CnoError(f"unknown breakdown {by!r} — use {', '.join(BY)}")
    if since > today:
        raise CnoError(f"--since {since.isoformat()} is in the future; today is {today.isoformat()}")
    first_monday = since - timedelta(days=since.weekday())
    counts = dict(
        conn.execute(
            "SELECT date(happened_on, 'weekday 0', '-6 days') AS week, count(*) FROM touchpoints"
            " WHERE happened_on BETWEEN ? AND ? GROUP BY week",
            (since.isoformat(), today.isoformat()),
        ).fetchall()
    )
    weeks = []
    week = first_monday
    while week <= today:
        weeks.append({"week_start": week.isoformat(), "touchpoints": counts.get(week.isoformat(), 0)})
        week += timedelta(days=7)
    join = "JOIN touchpoint_contacts tc ON tc.touchpoint_id = t.id"
    key, joins = {
        "channel": ("t.via", ""),
        "tier": ("coalesce(c.tier, '-')", f"{join} JOIN contacts c ON c.id = tc.contact_id"),
        "company": ("coalesce(c.company, '-')", f"{join} JOIN contacts c ON c.id = tc.contact_id"),
        "tag": ("g.tag", f"{join} JOIN contact_tags g ON g.contact_id = tc.contact_id"),
    }[by]
    # one row per (touchpoint, key): a touchpoint's minutes count once per key
    breakdown = [
        dict(r)
        for r in conn.execute(
            f"WITH tk AS (SELECT DISTINCT t.id, t.minutes, {key} AS key FROM touchpoints t {joins}"
            "  WHERE t.happened_on BETWEEN ? AND ?)"
            " SELECT key, count(*) AS touchpoints, coalesce(sum(minutes), 0) AS minutes,"
            "  (SELECT count(DISTINCT x.contact_id) FROM touchpoint_contacts x"
            "   WHERE x.touchpoint_id IN (SELECT id FROM tk k2 WHERE k2.key = tk.key)) AS contacts"
            " FROM tk GROUP BY key ORDER BY touchpoints DESC, key",
            (since.isoformat(), today.isoformat()),
        )
    ]
    per = chart_unit(since, today, len(weeks))
    return {
        "since": since.isoformat(),
        "as_of": today.isoformat(),
        "by": by,
        "per": per,
        "periods": _periods(conn, since, today, per, weeks),
        "weeks": weeks,
        "total": sum(w["touchpoints"] for w in weeks),
        "engagement_rate": engagement_rate(conn, today),
        "breakdown": breakdown,
    }
