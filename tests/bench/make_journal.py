"""Build a benchmark journal through cno's own core and schema.

    python tests/bench/make_journal.py PATH --contacts 100000 --touchpoints 1000000 --referrals 50000 [--seed S]

Three years of a busy networker's journal, ending on --today: contacts
added week by week (a third in a first import) with tiers, tags, own cadences,
birthdays, time zones and several e-mails; touchpoints on every channel,
more on weekdays and more for tier A, some with several people or a time of
day, some captured mail with a direction; introductions; referrals given and
received, most of the older ones won or lost; follow-ups open (some overdue)
and done; milestones; archived and snoozed contacts; cadence settings and
about ten goals.

Every record goes in through cno's core functions — the bulk ones for
contacts, touchpoints and referrals, which validate and write exactly what
one `cno add` / `cno log` / `cno referral give` at a time would — in one
transaction, so the file holds what the real commands would have written.
`--single` builds the same journal one record at a time (much slower: it is
the reference the bulk build is tested against).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from bisect import bisect_right
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cno import contacts, followups, goals, milestones, referrals, settings, touchpoints  # noqa: E402
from cno.dates import Duration  # noqa: E402
from cno.db import open_journal  # noqa: E402

YEARS = 3
FIRST = (
    "Ada Grace Alan Katherine Margaret Tim Radia Linus Barbara Donald Frances Hedy Guido Sophie Vint Anita "
    "Joan Fei-Fei Shafi Whitfield Carol Jean Dennis Ken Bjarne Edsger Leslie John Marvin Claude Niklaus Robin "
    "Lynn Mary Susan Evelyn Adele Dorothy Kathleen Betty Ruth Annie Priya Wei Aisha Kwame Mateo Sofia Lars Yuki "
    "Omar Ines Noah Chloe Ravi Zara Tomas Elena Hugo Nadia"
).split()
LAST = (
    "Lovelace Hopper Turing Johnson Hamilton Berners-Lee Perlman Torvalds Liskov Knuth Allen Lamarr Rossum Wilson "
    "Cerf Borg Clarke Li Goldwasser Diffie Shaw Bartik Ritchie Thompson Stroustrup Dijkstra Lamport McCarthy Minsky "
    "Shannon Wirth Milner Conway Keller Haibt Hamming Goldberg Snyder Cooper Holberton Spärck Easley Patel Zhang "
    "Okafor Mensah García Rossi Nilsson Tanaka Haddad Moreau Fischer Dubois Kowalski Novak Silva Andersen O'Brien "
    "Nakamura Costa Petrov Jansen Müller Ferreira Santos Larsen Kim Nguyen Singh Khan Ahmed Ivanova Lopez Martin"
).split()
TAGS = {
    "fintech": 6, "mentor": 3, "investor": 3, "bni": 4, "family": 1, "founder": 5, "advisor": 3,
    "open-source": 4, "ai": 5, "security": 3, "design": 2, "recruiter": 2, "client": 6, "supplier": 3,
    "alumni": 4, "speaker": 2,
}  # fmt: skip
COMPANY_A = "Blue Quantum Cedar Orbital Nimbus Vertex Harbor Lumen Granite Copper Aurora Signal Maple Atlas Nova Prism".split()
COMPANY_B = "Labs Capital Analytics Systems Partners Studio Works Bank Health Robotics Ventures Logistics Media Cloud".split()
ROLES = "CEO CTO Founder Engineer Designer Recruiter Partner Analyst Director Consultant Investor Professor".split()
CITIES = "London Paris Berlin Lisbon Dublin Amsterdam Stockholm Madrid Rome Zurich Tokyo Singapore Toronto Austin".split()
# eight: zoneinfo keeps the last eight zones it loaded, so checking each
# contact's zone never rereads a file
ZONES = "Europe/London Europe/Paris Europe/Berlin America/New_York America/Los_Angeles Asia/Tokyo Asia/Singapore Asia/Kolkata".split()
MET = ["BNI chapter", "a conference", "former colleague", "an intro from a friend", "a meetup", "university", "LinkedIn"]
CHANNELS = {"meeting": 5, "call": 4, "video": 3, "email": 5, "message": 4, "event": 2, "social": 1, "other": 1}
NOTES = {
    "meeting": ["coffee near the office", "lunch, talked about hiring", "breakfast meeting", "walked the park"],
    "call": ["quick call about an intro", "phone catch-up", "call about a partnership idea"],
    "video": ["video chat, shared the roadmap", "zoom catch-up", "remote session on a pitch deck"],
    "email": ["sent the article we discussed", "thank-you note", "replied about the conference"],
    "message": ["congrats on the launch", "shared a job posting", "quick check-in message"],
    "event": ["met at the meetup", "ran into them at the conference", "chapter breakfast"],
    "social": ["commented on their post", "liked their announcement"],
    "other": ["sent a book", "dropped off a card"],
}
TOPICS = (
    "pricing seed-round hiring roadmap kubernetes compliance payments onboarding marketplace churn "
    "fundraising partnership conference podcast mentoring relocation acquisition launch security audit"
).split()
MINUTES = {"meeting": (30, 90), "call": (10, 40), "video": (20, 60), "event": (60, 180)}
TOUCH_TAGS = ["bni", "conference", "lunch", "pitch", "hiring"]
PROSPECTS = ["a payments startup", "a mentoring programme at a bank", "a hospital IT team", "a design agency",
             "a logistics company", "a family office", "a robotics spin-out"]  # fmt: skip
MILESTONES = ["wedding anniversary", "new job", "company founded", "child born", "promotion", "moved city"]
# how likely a contact of each tier is to be in a touchpoint or a referral
TIER_WEIGHT = {"A": 12.0, "B": 4.0, "C": 1.5, None: 1.0}
SETTINGS = [("cadence.A", "21d"), ("cadence.tag.family", "14d"), ("cadence.tag.investor", "2m"), ("me.email", "me@example.com")]
GOALS = [
    ("CNO time budget", "minutes", 150, "week", None, None),
    ("Meet people", "meetings", 5, "week", None, None),
    ("Stay in touch", "touchpoints", 40, "week", None, None),
    ("Keep the inner circle warm", "contacts-touched", 60, "quarter", None, "A"),
    ("Fintech campaign", "contacts-touched", 25, "quarter", "fintech", None),
    ("Grow the network", "new-contacts", 30, "month", None, None),
    ("Give first", "gives", 20, "month", None, None),
    ("Refer business", "referrals-given", 6, "month", None, None),
    ("Win referrals", "referrals-received", 4, "month", None, None),
    ("Connect people", "intros", 3, "month", None, None),
    ("Fintech givers", "gives", 15, "quarter", "fintech", None),
]


class Bulk:
    """The bulk core functions: what the generator uses."""

    add_contacts = staticmethod(contacts.add_contacts)
    log_touchpoints = staticmethod(touchpoints.log_touchpoints)
    add_referrals = staticmethod(referrals.add_referrals)
    close_referrals = staticmethod(referrals.close_referrals)


class Single:
    """The same writes one record at a time, as the commands do them."""

    @staticmethod
    def add_contacts(conn, rows, today):
        return [contacts.add_contact(conn, name, data, today) for name, data in rows]

    @staticmethod
    def log_touchpoints(conn, items, today):
        return [touchpoints.log_touchpoint(conn, today=today, **item) for item in items]

    @staticmethod
    def add_referrals(conn, items, today):
        return [referrals.add_referral(conn, today=today, **item) for item in items]

    @staticmethod
    def close_referrals(conn, items, today):
        for item in items:
            referrals.close_referral(conn, today=today, **item)


class World:
    """The random plan: who exists since when, and how likely each is to be picked."""

    def __init__(self, rng: random.Random, start: date, today: date):
        self.rng, self.start, self.today = rng, start, today
        self.ids: list[int] = []  # in order of creation
        self.created: list[date] = []
        self.cum: list[float] = []  # cumulative tier weights over self.ids

    def add(self, ids: list[int], day: date, tiers: list[str | None]) -> None:
        self.ids += ids
        self.created += [day] * len(ids)
        total = self.cum[-1] if self.cum else 0.0
        self.cum += list(accumulate((TIER_WEIGHT[t] for t in tiers), initial=total))[1:]

    def known_by(self, day: date) -> int:
        """How many contacts existed on `day` (they are a prefix of ids)."""
        return bisect_right(self.created, day)

    def pick(self, k: int) -> int:
        """A contact among the first k, tier-weighted."""
        return self.ids[bisect_right(self.cum, self.rng.random() * self.cum[k - 1], 0, k)]

    def anyone(self, k: int) -> int:
        """A contact among the first k, any of them alike."""
        return self.ids[int(self.rng.random() * k)]


def day_weights(start: date, today: date) -> list[float]:
    """Activity per day: quieter weekends, growing over the years."""
    n = (today - start).days + 1
    return [(0.3 if (start + timedelta(d)).weekday() >= 5 else 1.0) * (0.5 + d / n) for d in range(n)]


def spread(total: int, weights: list[float]) -> list[int]:
    """`total` split over days in proportion to the weights, exactly."""
    cum = list(accumulate(weights))
    targets = [round(total * c / cum[-1]) for c in cum]
    return [t - p for t, p in zip(targets, [0, *targets])]


def contact_rows(rng: random.Random, n: int, start: date, today: date) -> list[tuple[date, str, str | None, contacts.ContactInput]]:
    span = (today - start).days
    out = []
    for i in range(n):
        # a first import, then the people met each week, added in a weekly sitting
        created = start if rng.random() < 0.3 else start + timedelta(days=rng.randint(0, span) // 7 * 7)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}" if rng.random() < 0.15 else f"{first} {last}"
        r = rng.random()
        tier = "A" if r < 0.04 else "B" if r < 0.20 else "C" if r < 0.50 else None
        handle = f"{first}.{last}.{i}".lower().replace("'", "")
        domain = f"{rng.choice(COMPANY_A)}{rng.choice(COMPANY_B)}.example".lower()
        bday = None
        if rng.random() < 0.3:
            m, d = rng.randint(1, 12), rng.randint(1, 28)
            bday = f"{rng.randint(1950, 2000)}-{m:02d}-{d:02d}" if rng.random() < 0.7 else f"--{m:02d}-{d:02d}"
        data = contacts.ContactInput(
            company=f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}" if rng.random() < 0.85 else None,
            role=rng.choice(ROLES) if rng.random() < 0.7 else None,
            tier=tier,
            every=rng.choice(["2w", "1m", "6w", "3m"]) if rng.random() < 0.03 else None,
            birthday=bday,
            timezone=rng.choice(ZONES) if rng.random() < 0.4 else None,
            location=rng.choice(CITIES) if rng.random() < 0.5 else None,
            met=rng.choice(MET) if rng.random() < 0.4 else None,
            met_on=(created - timedelta(days=rng.randint(0, 2000))).isoformat() if rng.random() < 0.2 else None,
            linkedin=f"https://www.linkedin.com/in/{handle.replace('.', '-')}" if rng.random() < 0.3 else None,
            note=f"interested in {rng.choice(TOPICS)}" if rng.random() < 0.1 else None,
            emails=[f"{handle}@{domain}"] + ([f"{handle}@home.example"] if rng.random() < 0.1 else []),
            phones=[f"+44 20 {rng.randint(1000, 9999)} {i % 10000:04d}"] if rng.random() < 0.4 else [],
            tags=rng.sample(list(TAGS), rng.choices([0, 1, 2, 3], [3, 4, 2, 1])[0]),
        )
        out.append((created, name, tier, data))
    out.sort(key=lambda row: row[0])  # ids follow the order contacts were added
    return out


def touch_items(world: World, n: int, n_intros: int):
    """Touchpoints (intros among them) day by day, oldest first, as log_touchpoint arguments."""
    rng, start = world.rng, world.start
    rand = rng.random  # a million of them: plain random() beats randint/choice here
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    p_intro = n_intros / n if n else 0.0
    for offset, count in enumerate(spread(n, day_weights(start, world.today))):
        day = start + timedelta(days=offset)
        k = world.known_by(day)
        if not k:
            continue
        for via in rng.choices(channels, weights, k=count):
            if k > 1 and rand() < p_intro:
                a = world.pick(k)
                b = world.anyone(k)
                while b == a:
                    b = world.anyone(k)
                yield referrals.intro_touchpoint(a, b, when=day, via=rng.choice(["email", "meeting", "call"]),
                                                 note=f"introduced them about {rng.choice(TOPICS)}")  # fmt: skip
                continue
            people = [world.pick(k)]
            if via in ("meeting", "event") and rand() < 0.25:
                people += [world.anyone(k) for _ in range(1 + int(rand() * 3))]
            when = day
            if via in ("meeting", "call", "video") and rand() < 0.4:
                when = datetime(day.year, day.month, day.day, 8 + int(rand() * 11), 15 * int(rand() * 4))
            span = MINUTES.get(via)
            notes = NOTES[via]
            item = {
                "contact_ids": people,
                "when": when,
                "via": via,
                "minutes": (span[0] + int(rand() * (span[1] - span[0]))) // 5 * 5 if span and rand() < 0.7 else None,
                "gave": rand() < 0.2,
                "asked": rand() < 0.06,
                "note": f"{notes[int(rand() * len(notes))]}: {TOPICS[int(rand() * len(TOPICS))]}" if rand() < 0.85 else None,
            }
            if rand() < 0.04:
                item["tags"] = [TOUCH_TAGS[int(rand() * len(TOUCH_TAGS))]]
            if via == "email" and rand() < 0.4:
                item["direction"] = "in" if rand() < 0.5 else "out"
            yield item


def referral_items(world: World, n: int) -> list[dict]:
    rng, start = world.rng, world.start
    out = []
    for offset, count in enumerate(spread(n, day_weights(start, world.today))):
        day = start + timedelta(days=offset)
        k = world.known_by(day)
        for _ in range(count if k > 1 else 0):
            cid = world.pick(k)
            direction = "given" if rng.random() < 0.55 else "received"
            r = rng.random()
            prospect = None
            if direction == "given" and r < 0.35:
                other = world.anyone(k)
                prospect = str(other) if other != cid else None
            elif r < 0.7:
                prospect = rng.choice(PROSPECTS)
            out.append({
                "direction": direction,
                "contact_id": cid,
                "prospect": prospect,
                "value": rng.choice([500, 1000, 1500, 2500, 5000, 8000, 12000, 20000]) if rng.random() < 0.6 else None,
                "on": day,
                "note": f"about {rng.choice(TOPICS)}" if rng.random() < 0.5 else None,
            })  # fmt: skip
    return out


def build(conn, n_contacts: int, n_touch: int, n_refs: int, seed: int, today: date, *, bulk: bool = True) -> dict:
    """Fill an empty journal (inside the caller's transaction); returns counts."""
    rng = random.Random(seed)
    how = Bulk if bulk else Single
    start = today - timedelta(days=YEARS * 365)
    for key, value in SETTINGS:
        settings.put(conn, key, value)
    world = World(rng, start, today)
    rows = contact_rows(rng, n_contacts, start, today)
    i = 0
    while i < len(rows):  # one call per day contacts were added on: created_on is that day
        day = rows[i][0]
        j = i
        while j < len(rows) and rows[j][0] == day:
            j += 1
        ids = how.add_contacts(conn, [(name, data) for _, name, _, data in rows[i:j]], day)
        world.add(ids, day, [tier for _, _, tier, _ in rows[i:j]])
        i = j
    # referrals (and their outcomes) before touchpoints: each bulk write recomputes
    # the maintained columns of everyone it involves once, and that is cheapest
    # while the touchpoints are not in yet
    refs = referral_items(world, n_refs)
    rids = how.add_referrals(conn, refs, today)
    closings = []
    for rid, ref in zip(rids, refs):
        if (today - ref["on"]).days > 14 and rng.random() < 0.65:
            won = rng.random() < 0.55
            value = rng.choice([800, 3000, 9000]) if won and rng.random() < 0.4 else None
            on = min(today, ref["on"] + timedelta(days=rng.randint(7, 90)))
            closings.append({"referral_id": rid, "won": won, "value": value, "on": on})
    how.close_referrals(conn, closings, today)
    n_intros = min(n_refs // 5, n_touch // 10)
    how.log_touchpoints(conn, touch_items(world, n_touch, n_intros), today)
    n = len(world.ids)
    follow_ups = _follow_ups(conn, world, n) if n else 0
    for _ in range(n // 40):
        cid = world.anyone(n)
        yearly = rng.random() < 0.5
        on = date(rng.randint(1995, today.year - 1), rng.randint(1, 12), rng.randint(1, 28)) if yearly else (
            today + timedelta(days=rng.randint(-300, 60)))  # fmt: skip
        milestones.add_milestone(conn, cid, rng.choice(MILESTONES), on, yearly)
    archived = rng.sample(world.ids, n * 3 // 100)
    for cid in archived:
        contacts.set_archived(conn, contacts.get(conn, cid), True)
    snoozable = [r[0] for r in conn.execute("SELECT id FROM contacts WHERE archived = 0 AND next_due_on IS NOT NULL")]
    for cid in rng.sample(snoozable, min(len(snoozable), n // 100)):
        followups.snooze_contact(conn, contacts.get(conn, cid), Duration(rng.randint(3, 30), "d"), today)
    for title, metric, target, per, tag, tier in GOALS:
        if tag is None or conn.execute("SELECT 1 FROM contact_tags WHERE tag = ? LIMIT 1", (tag,)).fetchone():
            goals.add_goal(conn, title, metric, target, start, per=per, tag=tag, tier=tier)
    return {"contacts": n, "touchpoints": n_touch, "intros": n_intros, "referrals": len(rids), "closed": len(closings),
            "follow_ups": follow_ups, "archived": len(archived)}  # fmt: skip


def _follow_ups(conn, world: World, n: int) -> int:
    """Open promises (due from six weeks ago to a month ahead) and older ones done."""
    rng, today = world.rng, world.today
    count = 0
    for _ in range(n // 10):
        due = today + timedelta(days=rng.randint(-45, 30))
        made = min(today, due - timedelta(days=rng.randint(3, 30)))
        followups.add_follow_up(conn, world.pick(n), due, f"send the {rng.choice(TOPICS)} notes", made)
        count += 1
    for _ in range(n // 5):
        due = world.start + timedelta(days=rng.randint(0, (today - world.start).days - 30))
        fid = followups.add_follow_up(conn, world.pick(n), due, f"follow up on {rng.choice(TOPICS)}", due - timedelta(days=7))
        followups.close_follow_up(conn, fid, due + timedelta(days=rng.randint(-3, 10)))
        count += 1
    return count


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", type=Path)
    p.add_argument("--contacts", type=int, default=1000)
    p.add_argument("--touchpoints", type=int, default=10_000)
    p.add_argument("--referrals", type=int, default=500)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-22")
    p.add_argument("--single", action="store_true", help="one record at a time (the slow reference)")
    a = p.parse_args()
    if a.path.exists():
        raise SystemExit(f"{a.path} exists; remove it first")
    t = time.perf_counter()
    j = open_journal(a.path, create=True)
    # a bigger page cache keeps the indexes of a million rows in memory while they fill
    j.conn.execute("PRAGMA cache_size = -400000")
    with j.write() as conn:
        counts = build(conn, a.contacts, a.touchpoints, a.referrals, a.seed, date.fromisoformat(a.today), bulk=not a.single)
    j.close()
    summary = ", ".join(f"{v} {k.replace('_', '-')}" for k, v in counts.items())
    print(f"built {a.path} in {time.perf_counter() - t:.1f}s: {summary}", file=sys.stderr)


if __name__ == "__main__":
    main()
