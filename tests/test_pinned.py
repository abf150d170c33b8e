"""Behaviours that mutation testing showed no other test would notice breaking.

Each test checks the rule as SPEC.md or README.md states it, through the CLI
and its JSON output, and computes what it expects from that rule rather than
from cno's own constants or helpers.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import TODAY, ok




# -- CSV formula safety (SPEC "Formats": csv) ------------------------------------

FORMULA = "+cmd|' /C calc'!A0"
PHONE = "+44 20 7946 0958"


def csv_rows(*argv: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(ok(*argv).stdout)))


def test_csv_prefixes_a_cell_that_starts_with_plus_but_not_a_phone_or_a_number():
    ok("add", FORMULA, "--note", FORMULA, "--phone", PHONE, "--role", "-7")
    (exported,) = csv_rows("export", "csv")
    # a spreadsheet runs `+...` as a formula, so the cell must start with a quote
    assert exported["name"] == "'" + FORMULA
    assert exported["note"] == "'" + FORMULA
    assert exported["phones"] == PHONE
    assert exported["role"] == "-7"
    (listed,) = csv_rows("list", "-f", "csv")
    assert listed["name"] == "'" + FORMULA
    assert listed["phones"] == PHONE
    assert listed["role"] == "-7"


# -- LinkedIn URL matching ignores the query (SPEC "Reading other people's files") --

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
PREAMBLE = 'Notes:\r\n"Some e-mail addresses may be missing."\r\n\r\n'
PROFILE = "https://www.linkedin.com/in/ada-lovelace"


def connections(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_bytes((PREAMBLE + HEADER + "".join(r + "\r\n" for r in rows)).encode())
    return path


@pytest.mark.parametrize(
    "again",
    [
        f"{PROFILE}?miniProfileUrn=urn%3Ali%3Afs_miniProfile%3AACoAAB#experience",
        "HTTPS://uk.linkedin.com/in/Ada-Lovelace/?trk=public_profile",
    ],
)
def test_reimport_matches_a_linkedin_url_that_carries_a_query(tmp_path, again):
    first = connections(tmp_path, "first.csv", f"Ada,Lovelace,{PROFILE},,Analytical Engines,CTO,26 Jul 2025")
    ok("import", "linkedin", first)
    # a new name and company, so only the URL can say this is the same person
    second = connections(tmp_path, "second.csv", f"Ada,King,{again},,Byron Estates,Countess,26 Jul 2025")
    r = ok("import", "linkedin", second)
    assert "0 added" in r.stderr, r.stderr
    (ada,) = ok("list", "--all", "-f", "json").json()
    assert ada["name"] == "Ada Lovelace"
    assert ok("show", str(ada["id"]), "-f", "json").json()["linkedin"] == PROFILE


# -- capture: a dry run promises exactly what the real run logs ---------------------

ME = "me@example.com"
ADA = "Ada Lovelace <ada@example.com>"


def message(frm: str, to: str, subject: str, when: str, msgid: str, refs: tuple[str, ...] = ()) -> bytes:
    lines = [f"From: {frm}", f"To: {to}", f"Subject: {subject}", f"Date: {when}", f"Message-ID: <{msgid}>"]
    if refs:
        lines += [f"In-Reply-To: <{refs[-1]}>", "References: " + " ".join(f"<{r}>" for r in refs)]
    return "\n".join(lines).encode() + b"\n\nHello.\n"


def append_mbox(path: Path, *messages: bytes) -> Path:
    with open(path, "ab") as fh:
        for m in messages:
            fh.write(b"From sender@example.com Fri Nov 20 09:00:00 2026\n" + m + b"\n")
    return path


def dry_then_real(box: Path) -> tuple[int, int]:
    """(touchpoints the dry run lists, touchpoints the real run adds to the history)."""
    promised = ok("capture", "mbox", str(box), "--dry-run", "-f", "json").json()
    before = len(ok("history", "-f", "json").json())
    ok("capture", "mbox", str(box), "-f", "json")
    return len(promised), len(ok("history", "-f", "json").json()) - before


@pytest.fixture
def mail_with_ada(tz):
    ok("add", "Ada Lovelace", "--email", "ada@example.com")
    ok("config", "set", "me.email", ME)


def test_two_messages_of_one_thread_on_one_day_are_one_touchpoint_in_dry_run_and_real_run(mail_with_ada, tmp_path):
    box = append_mbox(
        tmp_path / "in.mbox",
        message(ADA, ME, "Plans", "Fri, 20 Nov 2026 09:00:00 +0000", "t1@x"),
        message(ME, ADA, "Re: Plans", "Fri, 20 Nov 2026 11:00:00 +0000", "t2@x", refs=("t1@x",)),
    )
    assert dry_then_real(box) == (1, 1)


def test_a_later_message_of_a_captured_thread_day_is_not_promised_by_the_dry_run(mail_with_ada, tmp_path):
    box = append_mbox(tmp_path / "in.mbox", message(ADA, ME, "Plans", "Fri, 20 Nov 2026 09:00:00 +0000", "t1@x"))
    ok("capture", "mbox", str(box))
    # the reply joins the thread/day already logged; only the other thread is new
    append_mbox(
        box,
        message(ME, ADA, "Re: Plans", "Fri, 20 Nov 2026 15:00:00 +0000", "t2@x", refs=("t1@x",)),
        message(ADA, ME, "Tea?", "Sat, 21 Nov 2026 10:00:00 +0000", "o1@x"),
    )
    assert dry_then_real(box) == (1, 1)


# -- strength: weight halving every 90 days, on the README's 0–100 scale ------------


def readme_strength(weight: float, days_ago: int) -> float:
    """README "Relationship strength": S = weight · ½^(days/90), shown as 100 · (1 − e^(−S/8))."""
    s = weight * 0.5 ** (days_ago / 90)
    return 100 * (1 - math.exp(-s / 8))


def test_a_meeting_loses_half_its_weight_every_ninety_days():
    for days_ago in (0, 90, 180):
        name = f"Met {days_ago} days ago"
        ok("add", name, "--met-on", "2020-01-01")
        ok("log", name, "--via", "meeting", "--on", (TODAY - timedelta(days=days_ago)).isoformat())
    got = {c["name"]: c["strength"] for c in ok("list", "-f", "json").json()}
    meeting = 3  # README: a meeting weighs 3
    for days_ago in (0, 90, 180):
        # strength is shown to one decimal
        assert got[f"Met {days_ago} days ago"] == pytest.approx(readme_strength(meeting, days_ago), abs=0.051)


# -- suggest: outside_hours is the contact's local time outside 08:00–20:00 ---------

# With the machine on UTC, "now" is 09:00 UTC; each zone below puts the contact
# at a known local hour on either side of both edges of the working day.
LOCAL_HOURS = {
    "Etc/GMT+2": ("07:00", True),  # Etc/ signs are inverted: this is UTC−2
    "Etc/GMT+1": ("08:00", False),
    "UTC": ("09:00", False),
    "Etc/GMT-10": ("19:00", False),
    "Etc/GMT-11": ("20:00", True),
    "Etc/GMT-14": ("23:00", True),
}


def test_suggest_flags_contacts_whose_local_time_is_outside_working_hours(tz):
    for zone in LOCAL_HOURS:
        # a weekly cadence from January makes each of them overdue, so suggested
        ok("add", f"In {zone}", "--tz", zone, "--every", "1w", "--as-of", "2026-01-01")
    rows = {r["name"]: r for r in ok("suggest", "-n", "20", "-f", "json").json()}
    assert {n: (r["local_time"], r["outside_hours"]) for n, r in rows.items()} == {
        f"In {zone}": want for zone, want in LOCAL_HOURS.items()
    }
    plain = ok("suggest", "-n", "20", "-f", "plain").stdout.splitlines()
    for zone, (_hour, outside) in LOCAL_HOURS.items():
        (line,) = [ln for ln in plain if f"In {zone}" in ln]
        assert ("outside 8–20h" in line) == outside, line
