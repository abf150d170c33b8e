"""The demo journal: a year of a realistic networking life, built through cno's own core.

Deterministic for a given "today" (a fixed random seed), so its output can be
shown in the README and checked by tests.
"""

from __future__ import annotations

import os
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from cno import contacts, followups, goals, milestones, referrals, settings, touchpoints
from cno.contacts import ContactInput
from cno.db import open_journal
from cno.errors import CnoError

MARK_TABLE = "_cno_demo"

# name, company, role, tier, tags, time zone, extra
PEOPLE = [
    ("Ada Lovelace", "Analytical Engines", "CTO", "A", ["mentor", "fintech"], "Europe/London", {"birthday": "--12-10"}),
    ("Grace Hopper", "Compiler Labs", "Principal Engineer", "A", ["mentor"], "America/New_York", {}),
    ("Alan Turing", "Bletchley Ventures", "Partner", "A", ["investor", "fintech"], "Europe/London", {"birthday": "1912-06-23"}),
    ("Katherine Johnson", "Orbital Analytics", "Head of Data", "A", ["former-colleague"], "America/Chicago", {}),
    ("Margaret Hamilton", "Apollo Software", "Founder", "A", ["founder", "bni"], "America/New_York", {"every": "3w"}),
    ("Tim Berners-Lee", "WebWorks", "Advisor", "B", ["advisor"], "Europe/London", {}),
    ("Radia Perlman", "Spanning Tree Inc", "Architect", "B", ["networking-group", "bni"], "America/Los_Angeles", {}),
    ("Linus Torvalds", "Kernel Co", "Maintainer", "B", ["open-source"], "America/Los_Angeles", {}),
    ("Barbara Liskov", "Substitution Partners", "Professor", "B", ["academia", "mentor"], "America/New_York", {}),
    ("Donald Knuth", "TAOCP Press", "Author", "C", ["academia"], "America/Los_Angeles", {}),
    ("Frances Allen", "Optimizing Compilers", "Fellow", "B", ["former-colleague"], "America/New_York", {}),
    ("Hedy Lamarr", "Frequency Hopping", "Inventor", "B", ["founder", "fintech"], "Europe/Vienna", {"birthday": "--11-09"}),
    ("Yukihiro Matsumoto", "Ruby Foundry", "Chief Designer", "C", ["open-source"], "Asia/Tokyo", {}),
    ("Guido van Rossum", "Snake Software", "Distinguished Engineer", "B", ["open-source", "advisor"], "Europe/Amsterdam", {}),
    ("Sophie Wilson", "ARM Holdings", "Chip Designer", "C", ["hardware"], "Europe/London", {}),
    ("Vint Cerf", "Packet Partners", "Evangelist", "B", ["networking-group"], "America/New_York", {}),
    ("Anita Borg", "Systers Network", "Director", "A", ["community", "bni"], "America/Los_Angeles", {}),
    ("Edsger Dijkstra", "Shortest Path BV", "Consultant", "C", ["academia"], "Europe/Amsterdam", {}),
    ("Jean Bartik", "ENIAC Services", "Programmer", "C", ["former-colleague"], "America/New_York", {}),
    ("Dennis Ritchie", "Bell Systems", "Researcher", "B", ["open-source"], "America/New_York", {}),
    ("Shafi Goldwasser", "Zero Knowledge Capital", "Partner", "A", ["investor", "fintech"], "Asia/Jerusalem", {}),
    ("Lynn Conway", "VLSI Design Group", "Engineer", "B", ["hardware", "mentor"], "America/Detroit", {}),
    ("Ken Thompson", "Unix Works", "Engineer", "C", ["open-source"], "America/Los_Angeles", {}),
    ("Mary Lovelace", None, None, None, ["family"], "Europe/London", {"birthday": "--11-27"}),
    ("Tom Lovelace", None, None, None, ["family"], "Europe/Dublin", {}),
    ("Fei-Fei Li", "Vision AI", "Chief Scientist", "A", ["ai", "advisor"], "America/Los_Angeles", {}),
    ("Satoshi Nakamoto", "Ledger Labs", "Founder", "C", ["fintech", "founder"], None, {}),
    ("Carol Shaw", "Game Studio", "Designer", "C", ["games"], "America/Los_Angeles", {}),
    ("Joan Clarke", "Cipher Consulting", "Cryptanalyst", "B", ["fintech", "bni"], "Europe/London", {}),
    ("Whitfield Diffie", "Key Exchange Ltd", "Security Advisor", None, ["advisor"], "America/Los_Angeles", {}),
]
NOTES = {
    "meeting": ["coffee near the office", "lunch — talked about hiring", "breakfast meeting", "walked the park, caught up"],
    "call": ["quick call about an intro", "phone catch-up", "call re: partnership idea"],
    "video": ["video chat, shared roadmap", "zoom catch-up", "remote pairing on a pitch deck"],
    "email": ["sent the article we discussed", "thank-you note", "replied about the conference"],
    "message": ["congrats on the launch", "shared a job posting", "quick check-in message"],
    "event": ["met at the meetup", "ran into them at the conference", "BNI chapter breakfast"],
    "social": ["commented on their post", "liked their announcement"],
    "other": ["sent a book", "dropped off a card"],
}
CHANNEL_WEIGHTS = [("meeting", 5), ("call", 4), ("video", 3), ("email", 4), ("message", 4), ("event", 2), ("social", 1), ("other", 1)]
MINUTES = {"meeting": (30, 90), "call": (10, 40), "video": (20, 60), "event": (60, 180)}
# how many days since the last touch, by tier: some well inside, some overdue
LAST_GAP = {"A": (3, 60), "B": (10, 130), "C": (30, 260), None: (5, 40)}
SPACING = {"A": (14, 40), "B": (30, 90), "C": (60, 180), None: (10, 30)}


def _is_demo(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (MARK_TABLE,)).fetchone())
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists():
            p.unlink()


def write_demo(path: Path, today: date) -> dict:
    """Write the demo journal at `path`; returns counts and the opened journal."""
    if path.is_dir():
        raise CnoError(f"{path} is a folder; give a file name for the demo journal")
    if path.exists() and not _is_demo(path):
        raise CnoError(f"{path} exists and is not a cno demo journal; not overwriting it")
    partial = path.with_name(path.name + ".partial")
    _remove(partial)
    journal = open_journal(partial, create=True)
    try:
        with journal.write() as conn:
            counts = _fill(conn, today)
            conn.execute(f"CREATE TABLE {MARK_TABLE} (made_on TEXT NOT NULL)")
            conn.execute(f"INSERT INTO {MARK_TABLE} VALUES (?)", (today.isoformat(),))
    finally:
        journal.close()
    _remove(path)
    os.replace(partial, path)
    counts["journal"] = open_journal(path, create=False)
    return counts


def _fill(conn: sqlite3.Connection, today: date) -> dict:
    rng = random.Random(20261122)
    settings.put(conn, "cadence.tag.family", "14d")
    settings.put(conn, "me.email", "me@example.com")
    start = today - timedelta(days=400)
    ids: dict[str, int] = {}
    for name, company, role, tier, tags, tz, extra in PEOPLE:
        first = name.split()[0].lower()
        domain = (company or "family").lower().replace(" ", "") + ".example"
        data = ContactInput(
            company=company, role=role, tier=tier, timezone=tz, tags=tags,
            emails=[f"{first}@{domain}"], every=extra.get("every"), birthday=extra.get("birthday"),
            met=rng.choice(["BNI chapter", "a conference", "former colleague", "an intro from a friend", "a meetup"]),
            met_on=(start - timedelta(days=rng.randint(0, 2000))).isoformat(),
        )  # fmt: skip
        ids[name] = contacts.add_contact(conn, name, data, start)
    n_touch = 0
    for name, _company, _role, tier, _tags, _tz, _extra in PEOPLE:
        cid = ids[name]
        when = today - timedelta(days=rng.randint(*LAST_GAP[tier]))
        while when > start:
            via = rng.choices([c for c, _ in CHANNEL_WEIGHTS], [w for _, w in CHANNEL_WEIGHTS])[0]
            lo_hi = MINUTES.get(via)
            others = []
            if via in ("meeting", "event") and rng.random() < 0.15:
                others = [ids[rng.choice(PEOPLE)[0]]]
            touchpoints.log_touchpoint(
                conn, [cid, *others], today, when=when, via=via,
                minutes=rng.randint(*lo_hi) // 5 * 5 if lo_hi else None,
                gave=rng.random() < 0.3, asked=rng.random() < 0.1, note=rng.choice(NOTES[via]),
                tags=["bni"] if via == "event" and rng.random() < 0.5 else [],
            )  # fmt: skip
            n_touch += 1
            when -= timedelta(days=rng.randint(*SPACING[tier]))
    promises = [
        ("Ada Lovelace", -5, "send her the fintech market map"),
        ("Alan Turing", -2, "share the Q4 deck"),
        ("Grace Hopper", 0, "intro her to Fei-Fei"),
        ("Margaret Hamilton", 3, "feedback on her pitch"),
        ("Fei-Fei Li", 6, "book a lunch"),
        ("Radia Perlman", -12, "reply about the panel"),
        ("Joan Clarke", 20, "check in after her launch"),
    ]
    for name, offset, text in promises:
        followups.add_follow_up(conn, ids[name], today + timedelta(days=offset), text, today - timedelta(days=10))
    done = followups.add_follow_up(conn, ids["Tim Berners-Lee"], today - timedelta(days=20), "send the book", start)
    conn.execute("UPDATE followups SET done_on = ? WHERE id = ?", ((today - timedelta(days=21)).isoformat(), done))
    for name, label, on, yearly in [
        ("Ada Lovelace", "wedding anniversary", date(2019, today.month, min(today.day + 3, 28)), True),
        ("Katherine Johnson", "started at Orbital Analytics", today - timedelta(days=75), False),
        ("Anita Borg", "Systers founded", date(1987, 1, 15), True),
        ("Hedy Lamarr", "patent granted", date(1942, 8, 11), True),
        ("Fei-Fei Li", "promoted to Chief Scientist", today - timedelta(days=30), False),
    ]:
        milestones.add_milestone(conn, ids[name], label, on, yearly)
    contacts.set_archived(conn, contacts.get(conn, ids["Jean Bartik"]), True)
    n_touch += _add_goals(conn, ids, today, rng)
    ledger = _add_referrals(conn, ids, today, rng)
    return {
        "contacts": len(ids),
        "touchpoints": n_touch + ledger["intros"],
        "follow_ups": len(promises),
        "referrals": ledger["referrals"],
        "goals": conn.execute("SELECT count(*) FROM goals").fetchone()[0],
    }


def _add_goals(conn, ids: dict[str, int], today: date, rng) -> int:
    """Three goals — the weekly CNO time budget and two for the quarter — and this week's networking."""
    goals.add_goal(conn, "CNO time budget", "minutes", 150, today, per="week")
    goals.add_goal(conn, "Keep the inner circle warm", "contacts-touched", 9, today, per="quarter", tier="A")
    goals.add_goal(conn, "Fintech campaign: give first", "gives", 6, today, per="quarter", tag="fintech")
    # The year of history thins out towards today; this week's hours make the time budget real.
    monday = goals.period_bounds("week", today)[0]
    week = [
        ("Margaret Hamilton", "meeting", 60, False, "breakfast — her hiring plans"),
        ("Shafi Goldwasser", "call", 30, True, "sent her two fintech founders to meet"),
        ("Fei-Fei Li", "video", 45, False, "video catch-up on the vision workshop"),
    ]
    for name, via, minutes, gave, note in week:
        when = monday + timedelta(days=rng.randint(0, (today - monday).days))
        touchpoints.log_touchpoint(conn, [ids[name]], today, when=when, via=via, minutes=minutes, gave=gave, note=note)
    return len(week)


def _add_referrals(conn, ids: dict[str, int], today: date, rng) -> dict:
    """A year of Givers Gain: referrals given and received (won, lost, still open) and introductions."""
    # to whom, for whom (a contact's exact name, a description, or None: I buy
    # from them myself), value, how long ago, how it ended, note
    given = [
        ("Margaret Hamilton", "Fei-Fei Li", 8000, 300, "won", "flight-software review for the vision team"),
        ("Radia Perlman", None, 2500, 250, "won", "network audit of my own office"),
        ("Joan Clarke", "Alan Turing", 15000, 200, "won", "crypto due diligence for his fund"),
        ("Anita Borg", "a mentoring programme at a bank", 4000, 160, "lost", None),
        ("Margaret Hamilton", "Hedy Lamarr", 6000, 95, "won", "reliability review before her launch"),
        ("Ada Lovelace", "Shafi Goldwasser", 20000, 60, None, "fintech market map"),
        ("Joan Clarke", "a payments startup in Shoreditch", 3000, 24, None, None),
        ("Radia Perlman", None, 1200, 5, None, "switch upgrade"),
    ]
    received = [
        ("Margaret Hamilton", "Apollo onboarding rewrite", 12000, 280, "won", None),
        ("Anita Borg", "workshop for the Systers chapter", 3500, 180, "won", None),
        ("Joan Clarke", "security review for a client", 9000, 120, "lost", None),
        ("Grace Hopper", "compiler consulting", 7000, 45, None, None),
        ("Radia Perlman", "training day for her team", 1800, 3, None, None),
    ]
    count = 0
    for direction, rows in (("given", given), ("received", received)):
        for name, prospect, value, ago, outcome, text in rows:
            on = today - timedelta(days=ago + rng.randint(0, 2))
            rid = referrals.add_referral(conn, direction, ids[name], today, prospect=prospect, value=value, on=on, note=text)
            count += 1
            if outcome:
                closed = min(today, on + timedelta(days=rng.randint(10, 45)))
                # won business rarely closes at exactly the first estimate
                worth = round(value * rng.uniform(0.8, 1.3), -2) if outcome == "won" and rng.random() < 0.5 else None
                referrals.close_referral(conn, rid, today, won=outcome == "won", value=worth, on=closed)
    intros = [
        ("Alan Turing", "Shafi Goldwasser", 70, "both investing in zero-knowledge startups"),
        ("Ada Lovelace", "Hedy Lamarr", 130, "Hedy needs a CTO's view of her roadmap"),
        ("Margaret Hamilton", "Anita Borg", 210, "Apollo's mentoring programme"),
        ("Joan Clarke", "Radia Perlman", 33, "both in the BNI chapter's security circle"),
        ("Fei-Fei Li", "Katherine Johnson", 2, "data science hiring"),
    ]
    for a, b, ago, text in intros:
        referrals.intro(conn, ids[a], ids[b], today, when=today - timedelta(days=ago), via="email", note=text)
    return {"referrals": count, "intros": len(intros)}


def explore_text(path: Path) -> str:
    db = str(path)
    return f"""
Explore it (the demo never touches your own journal):

  export CNO_DB={db}
  cno due                       # who is overdue, most overdue first
  cno suggest --explain         # who to reach out to today, and why
  cno show ada                  # a contact's card, referrals and timeline
  cno referrals --period year   # who gives, who receives (the Givers Gain ledger)
  cno goals                     # the quarter's goals and the weekly time budget
  cno list --sort strength      # strongest relationships first
  cno history --since 4w        # the last four weeks
  cno review -f html > review.html
  cno log grace "coffee" --via meeting --minutes 45

Start your own journal with: cno add "Your First Contact" --tier A
"""
