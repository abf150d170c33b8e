"""Calendars made by other programs (tests/fixtures/real/ics, sources in its README): what capture reads from each.

Each file is captured as a user would — `cno capture ics FILE --dry-run -f json`
in a subprocess whose TZ is the case's, against a journal whose contacts have
e-mails that appear in the file — and the rows are compared: their number,
their local dates and times, minutes, via and who. The expected times are
worked out from the file by hand (the comment says how), not copied from a run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ok

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "ics"
REPO = Path(__file__).resolve().parents[1]
ME = "me@example.com"
ADA = ("Ada Example", "ada@example.org")


@dataclass
class Case:
    file: str
    tz: str
    contacts: list[tuple[str, str]]
    count: int  # touchpoints the dry run would log
    rows: list[tuple] = field(default_factory=list)  # (on, via, minutes, names, note), each among them
    absent: list[str] = field(default_factory=list)  # `on` values that must not be among them
    err: list[str] = field(default_factory=list)  # what stderr says
    args: tuple[str, ...] = ()
    why: str = ""


def capture(case: Case) -> tuple[list[dict], str]:
    for name, email in case.contacts:
        ok("add", name, "--email", email)
    ok("config", "set", "me.email", ME)
    # `python -m cno` from this checkout, so a mutated copy of it is what runs
    env = {**os.environ, "TZ": case.tz, "COLUMNS": "200"}
    r = subprocess.run(
        [sys.executable, "-m", "cno", "capture", "ics", str(FIXTURES / case.file), "--dry-run", "-f", "json", *case.args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout), r.stderr


CASES = [
    # -- time zones -------------------------------------------------------------
    Case("exchange_tijuana_escaped_tzid.ics", "Europe/Berlin", [ADA], 4,
         rows=[("2026-11-10T02:00", "meeting", 60, ["Ada Example"], "Quarterly review"),  # 17:00 PST = 01:00Z
               ("2026-07-11T01:30", "meeting", 30, ["Ada Example"], "Summer check-in"),  # 16:30 PDT = 23:30Z
               ("2026-10-05T18:00", "meeting", 15, ["Ada Example"], "Autumn check-in"),  # 09:00 PDT = 16:00Z
               ("2026-07-11T09:00", "meeting", None, ["Ada Example"], "Bad zone")],  # unknown: floating
         err=["'Central Europe Summer Time Of Nowhere' is not a time zone I know"],
         why="a TZID with an escaped comma resolves through its VTIMEZONE, quoted or not; a bad one is a warning"),
    Case("windows_names_no_vtimezone.ics", "Europe/Berlin", [ADA], 372,
         rows=[("2020-06-09T09:00", "meeting", 30, ["Ada Example"], "Log Yesterday's Jira time"),  # W. Europe
               ("2020-09-10T09:00", "meeting", 30, ["Ada Example"], "test"),
               ("2020-09-15T17:30", "meeting", 60, ["Ada Example"], "Not the actual summary 1"),  # 08:30 PDT
               ("2020-07-07T21:00", "video", 30, ["Ada Example"], "Not the actual summary either"),  # 12:00 PDT
               ("2021-03-09T21:00", "video", 30, ["Ada Example"], "Not the actual summary either")],  # 12:00 PST
         absent=["2020-09-15T08:30", "2020-07-07T12:00"], why="Windows zone names with no VTIMEZONE at all"),
    Case("exchange_windows_vtimezones.ics", "Europe/Berlin", [ADA], 372,
         rows=[("2020-06-09T09:00", "meeting", 30, ["Ada Example"], "Log Yesterday's Jira time"),
               ("2020-09-15T17:30", "meeting", 60, ["Ada Example"], "Not the actual summary 1")],
         why="the same events beside their Exchange VTIMEZONEs (rules from 1601), one DTSTART quoting its value"),
    Case("exchange_display_name_tzids.ics", "Europe/Berlin", [ADA], 90,
         rows=[("2020-10-28T03:30", "meeting", 90, ["Ada Example"], "TEST Syd"),  # 13:30 AEDT = 02:30Z
               ("2020-10-28T18:30", "meeting", 90, ["Ada Example"], "TEST"),  # 13:30 EDT = 17:30Z
               ("2020-11-02T19:30", "meeting", 90, ["Ada Example"], "TEST 3"),  # 13:30 EST = 18:30Z
               ("2021-08-27T19:30", "meeting", 90, ["Ada Example"], "TEST2")],  # 13:30 EDT, the last Friday
         why="Outlook display names as TZIDs: (GMT+10:00) Canberra..., (UTC-05:00) Eastern Time (US & Canada)"),
    Case("khal_windows_tzid.ics", "Pacific/Auckland", [ADA], 1,
         rows=[("2019-11-20T13:00", "meeting", 90, ["Ada Example"], "Event with Windows TZ name")],
         why="'New Zealand Standard Time' beside a VTIMEZONE with no offsets: the Windows name decides"),
    Case("vtimezone_utc_plus_11.ics", "Europe/Berlin", [ADA], 1,
         rows=[("2017-02-28T13:00", "meeting", 30, ["Ada Example"], "TESTIN")],  # 23:00+11 = 12:00Z
         why="a custom TZID whose VTIMEZONE starts on a DATE: its offset still applies"),
    Case("exchange_custom_tz_unknown.ics", "Europe/Berlin", [ADA], 3,
         rows=[("2021-03-25T10:35", "meeting", 75, ["Ada Example"], "[private]"),
               ("2021-04-01T21:30", "meeting", None, ["Ada Example"], "*masked-away*"),
               ("2021-04-01", "meeting", None, ["Ada Example"], "*masked-away2*")],
         err=["'tzone://Microsoft/Custom' is not a time zone I know"],
         why="a zone nobody defines is read as floating, with a warning naming it"),
    Case("google_x_wr_timezone_utc.ics", "America/New_York", [ADA], 2,
         rows=[("2021-12-22T12:00", "meeting", 60, ["Ada Example"], "Google Calendar says this is noon to 1PM on 12/22/2021"),
               ("2021-12-22T21:00", "meeting", 60, ["Ada Example"], "Google says this is 9PM to 10PM on 12/22/2021")],
         why="UTC times in a calendar with X-WR-TIMEZONE (the summaries say the local times)"),
    Case("x_wr_timezone_floating.ics", "America/New_York", [ADA], 1,
         rows=[("2021-09-16T15:00", "meeting", 105, ["Ada Example"], "Summary")],  # 21:00 in Brussels (CEST)
         absent=["2021-09-16T21:00"], why="a floating time follows X-WR-TIMEZONE"),
    Case("google_tzid_and_z.ics", "America/New_York", [ADA], 1,
         rows=[("2021-12-22T17:00", "meeting", 60, ["Ada Example"], "Google recognizes this as EST 5PM-6PM")],
         why="a TZID beside a Z: the TZID wins, as Google reads it"),
    Case("exchange_floating_zoom.ics", "Asia/Tokyo",
         [("Organizer Example", "organizer@example.com"), ("Attendee One", "attendee1@example.com")], 2,
         rows=[("2024-09-23T10:00", "video", 30, ["Attendee One", "Organizer Example"], "Team Meeting"),
               ("2024-10-07T10:00", "video", 30, ["Attendee One", "Organizer Example"], "Team Meeting")],
         err=["skipped exchange_floating_zoom.ics, line 69: event UniqueIDValueHere: it has no DTSTART", "1 unparseable"],
         why="floating times stay at the local hour; a zoom.us LOCATION is video; an event without DTSTART is named by its line"),
    Case("apple_tentative.ics", "Europe/Berlin",
         [("Tent Ative", "tentative@example.com"), ("Con Firmed", "confirmed@example.com"), ("Can Celled", "cancelled@example.com")], 2,
         rows=[("2022-07-05T01:00", "meeting", 50, ["Tent Ative"], "Tentative"),  # 23:00Z
               ("2022-07-05T18:00", "meeting", 60, ["Con Firmed"], "Confirmed")],  # 09:00 PDT
         absent=["2022-07-06T22:00"], err=["1 skipped as mailing list, no-reply, cancelled or declined"],
         why="Apple's EMAIL parameter; a cancelled event is skipped"),
    Case("windows_quoted_tzid.ics", "Europe/Berlin", [ADA], 10,
         rows=[("2015-07-06T18:00", "meeting", 240, ["Ada Example"], "Treasure Hunting"),  # 12:00 EDT = 16:00Z
               ("2015-07-15T18:00", "meeting", 240, ["Ada Example"], "Treasure Hunting")],  # 10 days (COUNT=10)
         why="a quoted display-name TZID; DTEND in another zone (13:00 PDT: four hours later); EXDATEs at 12:00"
             " Los Angeles time name no occurrence (they are 19:00Z, the series is at 16:00Z), so none is removed"),
    # -- who is a person ------------------------------------------------------------
    Case("google_import_holidays.ics", "Europe/Berlin", [], 0, args=("--create-unknown",),
         err=["34 with no known contact"],
         why="a holiday calendar's import.calendar.google.com organizer and a resource room are never people"),
    Case("google_group_calendar_attendees.ics", "Europe/Berlin", [], 0, args=("--create-unknown",),
         err=["2732 with no known contact", "7 after today"],
         why="Google events whose only attendee is a group.calendar.google.com calendar"),
    Case("libical_room.ics", "Europe/Berlin",
         [("A Example", "a@example.com"), ("B Example", "b@example.com"), ("Conference Room", "conf@example.com")], 3,
         rows=[("1997-07-01T20:00", "meeting", 60, ["A Example", "B Example"], "Phone Conference"),
               ("1997-07-01T21:00", "meeting", 30, ["A Example", "B Example"], "Conference"),
               ("1997-07-01T12:00", "meeting", None, ["B Example"], "Conference")],  # its DTEND has 7 digits
         err=["dropped DTEND at line 57"],
         why="a CUTYPE=ROOM attendee (with mailto: or a bare address) is not a contact, even when one has its address"),
    Case("confluence_malformed_attendee.ics", "Europe/Berlin", [], 0, args=("--create-unknown",),
         err=["skipped ORGANIZER at line 210, not an address", "skipped ATTENDEE at line 214, not an address"],
         why="Confluence writes ATTENDEE:X-CONFLUENCE-USER-KEY=...;CN=...:mailto:...: never an e-mail"),
    Case("khal_partstat.ics", "Europe/Berlin",
         [("Henry Cabot", "hcabot@example.com"), ("Jane Doe", "jdoe@example.com"), ("An Other", "another@example.com")], 1,
         rows=[("2014-04-09T09:30", "meeting", 60, ["Henry Cabot", "Jane Doe"], "An Event")],
         why="a declined attendee is not matched; an address folded with two spaces is still read"),
    Case("outlook_resources.ics", "Europe/Berlin", [("Red Acted", "redacted@example.com")], 1,
         rows=[("2019-05-27T14:00", "meeting", 150, ["Red Acted"], "redacted")]),
    Case("confluence_weekly_exdates.ics", "Europe/Berlin", [("Fred Bloggs", "person@domain.com")], 404,
         rows=[("2019-01-24", "meeting", None, ["Fred Bloggs"], "WfH"), ("2019-03-21", "meeting", None, ["Fred Bloggs"], "WfH"),
               ("2026-11-19", "meeting", None, ["Fred Bloggs"], "WfH")],
         absent=["2019-02-21", "2019-02-28", "2019-03-07", "2019-03-14", "2019-07-18"], err=["1 after today"],
         why="an all-day weekly series with DATE EXDATEs, organizer and attendee with Confluence parameters"),
    # -- recurrence -------------------------------------------------------------------
    Case("khal_bad_tzid_utc_exdates.ics", "Europe/Berlin", [ADA], 5,
         rows=[(f"2012-{m:02d}-03T10:00", "meeting", 30, ["Ada Example"], "Conf Call") for m in (4, 5, 7, 8, 9)],
         absent=["2012-06-03T10:00"], err=["'LOLOLOL' is not a time zone I know"],
         why="a start in an unknown zone (floating) with UTC EXDATEs: khal's own test expects these five"),
    Case("exchange_w_europe_exdate_utc.ics", "Europe/Berlin", [ADA], 2,
         rows=[("2020-04-26T14:00", "meeting", 30, ["Ada Example"], "Reoccur"), ("2020-04-28T14:00", "meeting", 30, ["Ada Example"], "Reoccur")],
         absent=["2020-04-27T14:00"], why="EXDATE:20200427T120000Z removes the 14:00 CEST occurrence"),
    Case("rdate_period.ics", "Europe/Berlin", [ADA], 9,
         rows=[("2023-09-20T21:00", "meeting", 120, ["Ada Example"], "Test RDATE"),  # 12:00 PDT
               ("2023-12-13T21:00", "meeting", 180, ["Ada Example"], "Test RDATE"),  # the PERIOD, 12:00-15:00 PST
               ("2024-03-20T20:00", "meeting", 120, ["Ada Example"], "Test RDATE")],  # PDT already, CET still
         absent=["2023-12-20T21:00"], why="RDATE;VALUE=PERIOD adds an occurrence with its own length; EXDATE removes one"),
    Case("rdate_period_tzid_khal.ics", "Europe/Berlin", [("X Y Z", "xyz@xyz.com")], 1,
         rows=[("2018-03-27T15:00", "meeting", 60, ["X Y Z"], "Event")],
         why="an RDATE period in 'Central Standard Time' on DTSTART's instant is the same occurrence"),
    Case("icaljs_recur_instances.ics", "Europe/Berlin",
         [("Jim Example", "jim@mozilla.example"), ("Sam Example", "sam@mail.example")], 172,
         rows=[("2012-10-03T00:00", "meeting", 30, ["Jim Example"], "Crazy Event Thingy!"),  # moved to 15:00 PDT
               ("2012-11-07T05:00", "meeting", 30, ["Jim Example"], "Crazy Event Thingy!"),  # the 5 Nov RDATE, moved
               ("2012-11-10T19:00", "meeting", 30, ["Jim Example", "Sam Example"], "Crazy Event Thingy!"),
               ("2023-11-25T10:00", "meeting", 210, ["Jim Example", "Sam Example"], "Crazy Event Thingy!")],
         absent=["2012-10-02T19:00", "2012-11-05T19:00", "2012-12-04T20:00"], err=["1 after today"],
         why="RRULE + RDATEs (a list, a period) + EXDATEs + overrides of a rule and of an RDATE occurrence"),
    Case("duplicate_uid_sequence.ics", "Europe/Berlin", [ADA], 2,
         rows=[("2024-01-15T11:00", "meeting", 60, ["Ada Example"], "Team Meeting (SEQUENCE 2)"),
               ("2024-01-20T15:00", "meeting", 60, ["Ada Example"], "Updated version (SEQUENCE 3) - should win")],
         why="a UID twice: the highest SEQUENCE wins, wherever it is in the file"),
    Case("override_sequence.ics", "Europe/Berlin", [ADA], 7,
         rows=[("2024-01-02T15:00", "meeting", 60, ["Ada Example"], "Moved to afternoon (SEQUENCE 3)"),
               ("2024-01-03T16:00", "meeting", 60, ["Ada Example"], "Newer override (SEQUENCE 5) - should win")],
         absent=["2024-01-02T12:00", "2024-01-03T12:00", "2024-01-02T11:00", "2024-01-03T11:00"],
         why="two overrides of one occurrence: the higher SEQUENCE wins"),
    Case("sequence_exdate_supersedes_override.ics", "Europe/Berlin", [ADA], 2,
         rows=[("2024-07-01", "meeting", None, ["Ada Example"], "test123"), ("2024-07-29", "meeting", None, ["Ada Example"], "test123")],
         absent=["2024-07-02", "2024-07-15"], why="a newer series EXDATEs the occurrence an older override moved"),
    Case("exchange_all_day_moved.ics", "Europe/Berlin", [ADA], 52,
         rows=[("2026-02-19", "meeting", None, ["Ada Example"], "Exchange Recurring Test"),
               ("2026-02-27", "meeting", None, ["Ada Example"], "Exchange Recurring Test")],
         absent=["2026-02-26"], why="an all-day occurrence moved by a RECURRENCE-ID in W. Europe Standard Time"),
    Case("khal_cancelled_occurrence.ics", "Europe/Berlin", [ADA], 5,
         rows=[("2014-07-07T09:00", "meeting", 300, ["Ada Example"], "Arbeit")],
         absent=["2014-07-14T07:00", "2014-07-07T07:00"], err=["1 skipped as mailing list, no-reply, cancelled or declined"],
         why="a moved occurrence and a cancelled one"),
    # -- files that are not whole -------------------------------------------------------
    Case("exchange_cut_short.ics", "Europe/Berlin", [ADA], 2,
         rows=[("2020-10-28T03:30", "meeting", 90, ["Ada Example"], "TEST Syd"), ("2020-10-28T18:30", "meeting", 90, ["Ada Example"], "TEST")],
         err=["exchange_cut_short.ics is cut short at line 49 (it has no END:VCALENDAR)",
              "skipped exchange_cut_short.ics, line 46: event #3 (TEST 3): it is cut short", "1 unparseable"],
         why="the complete events of a file that lost its end are read"),
    Case("big_bad_calendar.ics", "Europe/Berlin", [], 0,
         err=["big_bad_calendar.ics is cut short at line 41", "line 40: event #20: it has no DTSTART", "20 unparseable"],
         why="icalendar's broken calendar: every event is skipped, named by its line; the file is not refused"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.file.removesuffix(".ics") for c in CASES])
def test_a_real_calendar_is_read_right(case: Case):
    rows, err = capture(case)
    got = [(r["on"], r["via"], r["minutes"], r["names"], r["note"]) for r in rows]
    assert len(rows) == case.count, (err, got[:5])
    for row in case.rows:
        assert row in got, (row, [g for g in got if g[0][:10] == row[0][:10]] or got[:5])
    on = {g[0] for g in got}
    for day in case.absent:
        assert day not in on
    for text in case.err:
        assert text in err, err
    if "--create-unknown" in case.args:
        assert all(r["added"] == [] for r in rows) and "new contact" not in err


def test_the_same_events_read_the_same_with_or_without_their_vtimezones():
    """Exchange's VTIMEZONEs (rules since 1601) and the Windows names alone give the same instants."""
    with_zones, _ = capture(Case("exchange_windows_vtimezones.ics", "UTC", [ADA], 0))
    ok("rm", "--yes", "1")
    without, _ = capture(Case("windows_names_no_vtimezone.ics", "UTC", [ADA], 0))
    assert [(r["on"], r["note"]) for r in with_zones] == [(r["on"], r["note"]) for r in without]
    assert len(with_zones) == 372


def test_the_corpus_is_small_and_documented():
    files = sorted(p.name for p in FIXTURES.glob("*.ics"))
    readme = (FIXTURES / "README.md").read_text()
    assert sum((FIXTURES / f).stat().st_size for f in files) < 1_000_000
    assert [f for f in files if f not in readme] == []
    assert {c.file for c in CASES} | {"exchange_windows_vtimezones.ics"} >= set(files) - {"exchange_windows_vtimezones.ics"}
