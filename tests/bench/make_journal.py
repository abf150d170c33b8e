"""Build a benchmark journal through cno's own core and schema.

    python tests/bench/make_journal.py PATH --contacts 1000 --touchpoints 10000 [--seed S]

Contacts get tiers, tags and some own cadences; touchpoints spread over
three years on several channels with some multi-person ones; some contacts
get open follow-ups. Everything goes through cno's core functions in one
transaction, so the file holds exactly what the real commands would write.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cno import contacts, followups, touchpoints  # noqa: E402
from cno.db import open_journal  # noqa: E402

FIRST = "Ada Grace Alan Katherine Margaret Tim Radia Linus Barbara Donald Frances Hedy Guido Sophie Vint Anita".split()
LAST = "Lovelace Hopper Turing Johnson Hamilton Lee Perlman Torvalds Liskov Knuth Allen Lamarr Rossum Wilson Cerf Borg".split()
TAGS = ["fintech", "mentor", "investor", "bni", "family", "founder", "advisor", "open-source"]


def build(path: Path, n_contacts: int, n_touch: int, seed: int, today: date) -> None:
    rng = random.Random(seed)
    if path.exists():
        raise SystemExit(f"{path} exists; remove it first")
    j = open_journal(path, create=True)
    start = today - timedelta(days=3 * 365)
    with j.write() as conn:
        ids = []
        for i in range(n_contacts):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
            data = contacts.ContactInput(
                tier=rng.choice(["A", "B", "B", "C", "C", None]),
                tags=rng.sample(TAGS, rng.randint(0, 2)),
                every=rng.choice([None] * 8 + ["2w", "1m"]),
                company=f"Company {rng.randint(1, n_contacts // 5 + 1)}",
                emails=[f"person{i}@example.com"],
            )
            ids.append(contacts.add_contact(conn, name, data, start))
        channels = touchpoints.CHANNELS
        for _ in range(n_touch):
            people = [rng.choice(ids)] + ([rng.choice(ids)] if rng.random() < 0.1 else [])
            when = today - timedelta(days=int(rng.random() ** 2 * 3 * 365))
            touchpoints.log_touchpoint(
                conn, people, today, when=when, via=rng.choice(channels),
                minutes=rng.choice([None, 15, 30, 45, 60]), gave=rng.random() < 0.2, note="benchmark note",
            )  # fmt: skip
        for cid in rng.sample(ids, max(1, n_contacts // 10)):
            followups.add_follow_up(conn, cid, today + timedelta(days=rng.randint(-30, 30)), "follow up", today)
    j.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", type=Path)
    p.add_argument("--contacts", type=int, default=1000)
    p.add_argument("--touchpoints", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", default="2026-11-22")
    a = p.parse_args()
    t = time.perf_counter()
    build(a.path, a.contacts, a.touchpoints, a.seed, date.fromisoformat(a.today))
    print(f"built {a.path} in {time.perf_counter() - t:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
