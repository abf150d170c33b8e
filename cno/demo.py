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

from cno import contacts, followups, milestones, settings, touchpoints
from cno.contacts import ContactInput
from cno.dates import Duration
from cno.db import open_journal
from cno.errors import CnoError

DUE_WINDOW = Duration(7, "d")
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
            company=company, role=role, tier=tier, tz=tz, tags=tags,
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
    return {"contacts": len(ids), "touchpoints": n_touch, "follow_ups": len(promises)}


def explore_text(path: Path) -> str:
    db = str(path)
    return f"""
Explore it (the demo never touches your own journal):

  export CNO_DB={db}
  cno list --sort next          # everyone, next check-in first
  cno show ada                  # a contact's card and timeline
  cno history --since 4w        # the last four weeks
  cno due --within 2w -f json   # what is due, for scripts
  cno log grace "coffee" --via meeting --minutes 45

Start your own journal with: cno add "Your First Contact" --tier A
"""
