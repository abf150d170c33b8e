"""Capture: meetings from calendar exports and mail from mbox/maildir become touchpoints.

Every fixture is built here, in tmp_path, so each test shows the input it is about.
"""

from __future__ import annotations

import email.utils
import json
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cno.capture import covers, read_version
from cno.capture.mail import _simple_addresses, message_item
from tests.conftest import TODAY, cno, ok, refused, snapshot

ME = "me@example.com"


@pytest.fixture
def people():
    """Ada (tier A, her address typed in mixed case), Grace, and my two addresses."""
    ok("add", "Ada Lovelace", "--email", "Ada.Lovelace@Example.com", "--tier", "A")
    ok("add", "Grace Hopper", "--email", "grace@navy.example")
    ok("config", "set", "me.email", f"{ME},Me@Work.example")




# -- fixtures: calendars ------------------------------------------------------


def vevent(uid, start, *, end=None, summary="Coffee", attendees=(), organizer=None, extra=()):
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART{start}" if start.startswith(";") else f"DTSTART:{start}"]
    if end:
        lines.append(f"DTEND{end}" if end.startswith(";") else f"DTEND:{end}")
    lines.append(f"SUMMARY:{summary}")
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    for a in attendees:
        lines.append(a if a.startswith("ATTENDEE") else f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}")
    lines += list(extra)
    lines.append("END:VEVENT")
    return "\n".join(lines)


def calendar(tmp_path: Path, *events: str, name: str = "cal.ics") -> Path:
    path = tmp_path / name
    body = "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *events, "END:VCALENDAR"])
    path.write_text(body.replace("\n", "\r\n") + "\r\n")
    return path


def history():
    return ok("history", "-f", "json").json()


def capture(*argv):
    """Run a capture and return (rows printed as JSON, stderr)."""
    r = ok("capture", *argv, "-f", "json")
    return r.json(), r.stderr


def quiet_capture(*argv) -> str:
    """A capture that finds nothing new says nothing (cron mails any output);
    returns the counts a dry run of it (first, as it writes nothing) shows."""
    counts = capture(*argv, "--dry-run")[1]
    rows, err = capture(*argv)
    assert rows == [] and err == "", err
    return counts


# -- calendars ----------------------------------------------------------------


def test_event_with_a_contact_becomes_one_meeting_touchpoint(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("a@x", "20261110T100000Z", end="20261110T104500Z", summary="Coffee at the Analytical",
               attendees=["ADA.LOVELACE@EXAMPLE.COM", "grace@navy.example", ME], organizer=ME),
    )  # fmt: skip
    rows, err = capture("ics", str(cal))
    assert [r["names"] for r in rows] == [["Ada Lovelace", "Grace Hopper"]]
    (t,) = history()
    assert t["on"] == "2026-11-10T10:00"
    assert (t["via"], t["minutes"], t["note"], t["direction"]) == ("meeting", 45, "Coffee at the Analytical", None)
    assert t["contact_ids"] == [1, 2]
    assert "logged 1 touchpoint" in err
    # the due report now counts from the meeting
    ada = [c for c in ok("list", "-f", "json").json() if c["id"] == 1][0]
    assert (ada["last_touch_on"], ada["next_due_on"]) == ("2026-11-10", "2026-12-10")


def test_a_video_link_makes_it_a_video_touchpoint(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("z@x", "20261110T100000Z", attendees=["ada.lovelace@example.com"], extra=["LOCATION:https://us02web.zoom.us/j/123"]),
        vevent("g@x", "20261111T100000Z", attendees=["ada.lovelace@example.com"], extra=["X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij"]),
        vevent("m@x", "20261112T100000Z", attendees=["ada.lovelace@example.com"], extra=["LOCATION:Room 4"]),
    )  # fmt: skip
    capture("ics", str(cal))
    assert [t["via"] for t in reversed(history())] == ["video", "video", "meeting"]


def test_declined_attendees_are_not_matched_and_declined_or_cancelled_events_are_skipped(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("they-declined@x", "20261110T100000Z", summary="Grace said no",
               attendees=["ATTENDEE;PARTSTAT=DECLINED:mailto:grace@navy.example", "ada.lovelace@example.com"]),
        vevent("only-decliner@x", "20261111T100000Z", summary="Nobody came",
               attendees=["ATTENDEE;PARTSTAT=DECLINED:mailto:grace@navy.example"]),
        vevent("i-declined@x", "20261112T100000Z", summary="I said no",
               attendees=["ada.lovelace@example.com", f"ATTENDEE;PARTSTAT=DECLINED;CN=Me:MAILTO:{ME.upper()}"]),
        vevent("cancelled@x", "20261113T100000Z", summary="Called off", attendees=["ada.lovelace@example.com"],
               extra=["STATUS:CANCELLED"]),
    )  # fmt: skip
    rows, err = capture("ics", str(cal))
    assert [(r["note"], r["names"]) for r in rows] == [("Grace said no", ["Ada Lovelace"])]
    assert "1 with no known contact" in err
    assert "2 skipped as mailing list, no-reply, cancelled or declined" in err


def test_all_day_event_is_dated_by_its_day_without_minutes(people, tmp_path, tz):
    tz("Pacific/Kiritimati")  # UTC+14: an all-day event must not move to another day
    cal = calendar(
        tmp_path,
        vevent("day@x", ";VALUE=DATE:20261112", end=";VALUE=DATE:20261113", summary="Offsite", attendees=["ada.lovelace@example.com"]),
    )  # fmt: skip
    capture("ics", str(cal))
    (t,) = history()
    assert (t["on"], t["minutes"]) == ("2026-11-12", None)


def test_only_events_on_or_before_today_count(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("today@x", "20261122T180000Z", summary="Tonight", attendees=["ada.lovelace@example.com"]),
        vevent("tomorrow@x", "20261123T090000Z", summary="Tomorrow", attendees=["ada.lovelace@example.com"]),
    )  # fmt: skip
    rows, err = capture("ics", str(cal))
    assert [r["note"] for r in rows] == ["Tonight"]
    assert "1 after today" in err
    # the next day the file is read again (unchanged as it is) and tomorrow's meeting is due
    rows, _ = capture("ics", str(cal), "--as-of", "2026-11-23")
    assert [r["note"] for r in rows] == ["Tomorrow"]


def test_recurring_event_counts_each_occurrence_up_to_today(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("weekly@x", "20261102T090000Z", end="20261102T093000Z", summary="Weekly", attendees=["ada.lovelace@example.com"],
               extra=["RRULE:FREQ=WEEKLY", "EXDATE:20261109T090000Z"]),
        # the 16th moved to 14:00, the 23rd is after today
        vevent("weekly@x", "20261116T140000Z", end="20261116T150000Z", summary="Weekly (moved)",
               attendees=["ada.lovelace@example.com"], extra=["RECURRENCE-ID:20261116T090000Z"]),
    )  # fmt: skip
    rows, _ = capture("ics", str(cal))
    assert [(r["on"], r["note"], r["minutes"]) for r in rows] == [
        ("2026-11-02T09:00", "Weekly", 30),
        ("2026-11-16T14:00", "Weekly (moved)", 60),
    ]
    # a week later the next occurrence is captured, and only it
    rows, _ = capture("ics", str(cal), "--as-of", "2026-11-29")
    assert [(r["on"], r["note"]) for r in rows] == [("2026-11-23T09:00", "Weekly")]


def test_recurrence_in_a_named_zone_keeps_its_local_hour_across_dst(people, tmp_path, tz):
    tz("America/New_York")
    cal = calendar(
        tmp_path,
        vevent("ny@x", ";TZID=America/New_York:20261026T100000", summary="Standup", attendees=["ada.lovelace@example.com"],
               extra=["RRULE:FREQ=WEEKLY;COUNT=2"]),
    )  # fmt: skip
    capture("ics", str(cal))
    # US summer time ends on 1 November; the meeting stays at 10:00 local
    assert sorted(t["on"] for t in history()) == ["2026-10-26T10:00", "2026-11-02T10:00"]


@pytest.mark.parametrize(
    "zone, expected", [("UTC", "2026-11-21T23:30"), ("Europe/Berlin", "2026-11-22T00:30"), ("America/Los_Angeles", "2026-11-21T15:30")]
)
def test_events_are_dated_in_the_machines_time_zone(people, tmp_path, tz, zone, expected):
    tz(zone)
    cal = calendar(tmp_path, vevent("late@x", "20261121T233000Z", attendees=["ada.lovelace@example.com"]))
    rows, _ = capture("ics", str(cal))
    assert rows[0]["on"] == expected


def test_a_second_run_logs_nothing_and_a_changed_event_is_left_alone(people, tmp_path):
    cal = calendar(tmp_path, vevent("c@x", "20261110T100000Z", summary="Coffee", attendees=["ada.lovelace@example.com"]))
    capture("ics", str(cal))
    rows, err = capture("ics", str(cal))
    assert rows == [] and err == ""  # nothing new and nothing broken: quiet, as cron needs
    _, err = capture("ics", str(cal), "--dry-run")
    assert "would log 0 touchpoints" in err and "1 unchanged file not read again" in err
    # the organiser later moves and renames it: the captured touchpoint stays as it was
    calendar(tmp_path, vevent("c@x", "20261111T120000Z", summary="Coffee (moved)", attendees=["ada.lovelace@example.com"]))
    assert "1 already captured" in quiet_capture("ics", str(cal))
    assert [(t["on"], t["note"]) for t in history()] == [("2026-11-10T10:00", "Coffee")]


def test_a_deleted_captured_touchpoint_is_not_captured_again(people, tmp_path):
    cal = calendar(tmp_path, vevent("c@x", "20261110T100000Z", attendees=["ada.lovelace@example.com"]))
    capture("ics", str(cal))
    ok("touch", "rm", "1")
    ok("add", "Alan Turing", "--email", "alan@example.com")  # contacts changed: the file is read again
    assert "1 already captured" in quiet_capture("ics", str(cal))
    assert history() == []


def test_an_unreadable_event_is_skipped_with_a_warning_and_counted(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("good@x", "20261110T100000Z", summary="Good", attendees=["ada.lovelace@example.com"]),
        vevent("bad@x", "garbage", summary="Bad", attendees=["ada.lovelace@example.com"]),
        "BEGIN:VEVENT\nUID:nostart@x\nSUMMARY:No start\nATTENDEE:mailto:ada.lovelace@example.com\nEND:VEVENT",
    )
    r = ok("capture", "ics", str(cal), "-f", "json")
    assert [t["note"] for t in r.json()] == ["Good"]
    assert "bad@x (Bad): can't read DTSTART 'garbage'" in r.stderr
    assert "nostart@x (No start): it has no DTSTART" in r.stderr
    assert "2 unparseable" in r.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        ("hello, this is not a calendar\n", "not a calendar"),
        ("", "not a calendar"),
        ("BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n", "holds a VCARD"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20261110T100000Z\nEND:VCALENDAR\n", "not a readable calendar (line"),
    ],
)
def test_a_file_that_is_not_a_calendar_is_refused(people, tmp_path, journal_path, content, message):
    path = tmp_path / "x.ics"
    path.write_text(content)
    refused("capture", "ics", str(path), journal=journal_path, contains=message)


def test_missing_input_is_refused(people, tmp_path, journal_path):
    refused("capture", "ics", str(tmp_path / "nope.ics"), journal=journal_path, contains="no such file")
    refused("capture", "mbox", str(tmp_path / "nope.mbox"), journal=journal_path, contains="no such file")
    refused("capture", "maildir", str(tmp_path / "nope"), journal=journal_path, contains="no such folder")
    refused("capture", "ics", str(tmp_path), journal=journal_path, contains="is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(people, tmp_path, journal_path):
    cal = calendar(tmp_path, vevent("c@x", "20261110T100000Z", attendees=["ada.lovelace@example.com"]))
    cal.chmod(0)
    refused("capture", "ics", str(cal), journal=journal_path, contains="can't read")


def test_capture_needs_my_addresses(tmp_path, journal_path):
    cal = calendar(tmp_path, vevent("c@x", "20261110T100000Z", attendees=["ada.lovelace@example.com"]))
    # no journal at all: refused, and none is created
    refused("capture", "ics", str(cal), journal=journal_path, contains="cno config set me.email")
    assert not journal_path.exists()
    ok("add", "Ada Lovelace", "--email", "ada.lovelace@example.com")
    refused("capture", "ics", str(cal), journal=journal_path, contains="cno config set me.email")


def test_dry_run_prints_json_and_writes_nothing(people, tmp_path, journal_path):
    cal = calendar(tmp_path, vevent("c@x", "20261110T100000Z", summary="Coffee", attendees=["ada.lovelace@example.com", "new@person.example"]))
    before = snapshot(journal_path)
    r = ok("capture", "ics", str(cal), "--dry-run", "--create-unknown", "-f", "json")
    assert r.json() == [
        {
            "id": None, "on": "2026-11-10T10:00", "via": "meeting", "minutes": None, "direction": None,
            "contact_ids": [1], "names": ["Ada Lovelace", "new@person.example"], "added": ["new@person.example"],
            "note": "Coffee", "items": 1,
        }
    ]  # fmt: skip
    assert "would log 1 touchpoint" in r.stderr and "1 new contact to add" in r.stderr
    assert snapshot(journal_path) == before


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "md"])
def test_every_format_prints_what_is_logged(people, tmp_path, fmt):
    cal = calendar(tmp_path, vevent("c@x", "20261110T100000Z", summary="Coffee [b]x[/b]", attendees=["ada.lovelace@example.com"]))
    out = ok("capture", "ics", str(cal), "--dry-run", "-f", fmt).stdout
    assert "Ada Lovelace" in out and "Coffee [b]x[/b]" in out


def test_since_takes_a_date_or_a_duration(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("old@x", "20260901T100000Z", summary="Old", attendees=["ada.lovelace@example.com"]),
        vevent("new@x", "20261120T100000Z", summary="New", attendees=["ada.lovelace@example.com"]),
    )  # fmt: skip
    rows, err = capture("ics", str(cal), "--since", "2w", "--dry-run")
    assert [r["note"] for r in rows] == ["New"] and "1 before --since" in err
    rows, _ = capture("ics", str(cal), "--since", "2026-09-01", "--dry-run")
    assert [r["note"] for r in rows] == ["Old", "New"]
    refused("capture", "ics", str(cal), "--since", "whenever", journal=Path(os.environ["CNO_DB"]), contains="whenever")


def test_a_file_read_with_since_is_read_again_for_an_earlier_day(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("old@x", "20260901T100000Z", summary="Old", attendees=["ada.lovelace@example.com"]),
        vevent("new@x", "20261120T100000Z", summary="New", attendees=["ada.lovelace@example.com"]),
    )  # fmt: skip
    capture("ics", str(cal), "--since", "2w")
    rows, _ = capture("ics", str(cal), "--since", "1w")  # covered by the first read: not read
    assert rows == []
    rows, _ = capture("ics", str(cal))
    assert [r["note"] for r in rows] == ["Old"]


def test_create_unknown_adds_attendees_tagged_captured(people, tmp_path):
    cal = calendar(
        tmp_path,
        vevent("c@x", "20261110T100000Z", summary="Intro",
               attendees=["ATTENDEE;CN=Katherine Johnson;PARTSTAT=ACCEPTED:mailto:Katherine@NASA.example"]),
    )  # fmt: skip
    assert "1 with no known contact" in quiet_capture("ics", str(cal))
    rows, err = capture("ics", str(cal), "--create-unknown")
    assert rows[0]["names"] == ["Katherine Johnson"] and rows[0]["added"] == ["Katherine Johnson"]
    assert "1 new contact tagged captured" in err
    kj = ok("show", "katherine", "-f", "json").json()
    assert kj["emails"] == ["katherine@nasa.example"] and kj["tags"] == ["captured"] and kj["met_on"] == "2026-11-10"
    rows, _ = capture("ics", str(cal), "--create-unknown")
    assert rows == []


# -- fixtures: mail -----------------------------------------------------------


def message(frm, to, subject, date, *, msgid=None, cc=None, refs=None, headers=(), body=b"Hello.\n") -> bytes:
    lines = [f"From: {frm}", f"To: {to}"]
    if cc:
        lines.append(f"Cc: {cc}")
    lines += [f"Subject: {subject}", f"Date: {date}"]
    if msgid:
        lines.append(f"Message-ID: <{msgid}>")
    if refs:
        lines += [f"In-Reply-To: <{refs[-1]}>", "References: " + " ".join(f"<{r}>" for r in refs)]
    lines += list(headers)
    return "\n".join(lines).encode() + b"\n\n" + body


def write_mbox(path: Path, *messages: bytes, mode="wb") -> Path:
    with open(path, mode) as fh:
        for m in messages:
            fh.write(b"From sender@example.com Sat Nov 21 10:00:00 2026\n" + m.rstrip(b"\n") + b"\n\n")
    return path


def write_maildir(path: Path, *messages: bytes, sub="cur") -> Path:
    for s in ("cur", "new", "tmp"):
        (path / s).mkdir(parents=True, exist_ok=True)
    for m in messages:
        n = len(list((path / "cur").iterdir())) + len(list((path / "new").iterdir()))
        (path / sub / f"17000000{n:02d}.M{n}P1.host:2,S").write_bytes(m)
    return path


ADA = "Ada Lovelace <ada.lovelace@example.com>"
GRACE = "Grace Hopper <grace@navy.example>"


def test_mail_with_a_contact_becomes_an_email_touchpoint_with_direction(people, tmp_path):
    box = write_mbox(
        tmp_path / "in.mbox",
        message(ADA.upper(), f"Me <{ME}>", "Lunch?", "Thu, 19 Nov 2026 09:15:00 +0000", msgid="1@a"),
        message("Me <me@work.example>", GRACE, "Re: Re: Compilers", "Fri, 20 Nov 2026 16:00:00 +0000", msgid="2@a", cc=ADA),
    )  # fmt: skip
    capture("mbox", str(box))
    got = sorted((t["on"], t["names"], t["via"], t["direction"], t["note"]) for t in history())
    assert got == [
        ("2026-11-19T09:15", ["Ada Lovelace"], "email", "in", "Lunch?"),
        ("2026-11-20T16:00", ["Ada Lovelace", "Grace Hopper"], "email", "out", "Compilers"),
    ]
    ok("log", "ada", "typed by hand")
    assert history()[0]["direction"] is None


def test_a_thread_is_one_touchpoint_per_day_with_all_of_that_days_contacts(people, tmp_path):
    day1, day2 = "Fri, 20 Nov 2026 {} +0000", "Sat, 21 Nov 2026 {} +0000"
    box = write_mbox(
        tmp_path / "in.mbox",
        message(f"Me <{ME}>", ADA, "Plans", day1.format("09:00:00"), msgid="t1"),
        message(ADA, ME, "Re: Plans", day1.format("10:00:00"), msgid="t2", refs=["t1"], cc=GRACE),
        message(ME, ADA, "Re: Plans", day1.format("11:00:00"), msgid="t3", refs=["t1", "t2"]),
        message(ADA, ME, "Re: Plans", day2.format("08:00:00"), msgid="t4", refs=["t1", "t2", "t3"]),
        message(ADA, ME, "Other thing", day1.format("12:00:00"), msgid="o1"),
    )  # fmt: skip
    rows, _ = capture("mbox", str(box))
    assert [(r["on"], r["names"], r["direction"], r["note"], r["items"]) for r in rows] == [
        ("2026-11-20T09:00", ["Ada Lovelace", "Grace Hopper"], "out", "Plans", 3),
        ("2026-11-20T12:00", ["Ada Lovelace"], "in", "Other thing", 1),
        ("2026-11-21T08:00", ["Ada Lovelace"], "in", "Plans", 1),
    ]


def test_a_new_message_in_a_captured_thread_day_joins_nothing(people, tmp_path):
    box = write_mbox(tmp_path / "in.mbox", message(ADA, ME, "Plans", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="t1"))
    capture("mbox", str(box))
    write_mbox(
        box,
        message(ME, GRACE, "Re: Plans", "Fri, 20 Nov 2026 20:00:00 +0000", msgid="t2", refs=["t1"]),
        message(ME, ADA, "Re: Plans", "Sun, 22 Nov 2026 08:00:00 +0000", msgid="t3", refs=["t1", "t2"]),
        mode="ab",
    )  # fmt: skip
    rows, err = capture("mbox", str(box))
    assert [(r["on"], r["names"]) for r in rows] == [("2026-11-22T08:00", ["Ada Lovelace"])]
    assert "2 already captured" in err  # t1 itself, and t2 that joins its thread/day
    assert [t["names"] for t in history()] == [["Ada Lovelace"], ["Ada Lovelace"]]


@pytest.mark.parametrize("batch", [1, 2, 3])
def test_what_was_captured_is_looked_up_a_batch_at_a_time_with_the_same_result(people, tmp_path, monkeypatch, batch):
    """The captured keys and the files' rows are read a batch of items (of files) per query:
    an item is counted the same wherever the batches end."""
    import cno.capture

    monkeypatch.setattr(cno.capture, "_LOOKUP_BATCH", batch)
    day = "Fri, 20 Nov 2026 {} +0000"
    md = write_maildir(tmp_path / "INBOX", message(ADA, ME, "Plans", day.format("09:00:00"), msgid="t1"))
    capture("maildir", str(md))
    write_maildir(
        md,
        message(ME, GRACE, "Re: Plans", day.format("20:00:00"), msgid="t2", refs=["t1"]),  # joins t1's thread/day
        message(ADA, ME, "Plans", day.format("09:00:00"), msgid="t1"),  # t1 again, in another file
        message(ADA, ME, "Lunch", day.format("12:00:00"), msgid="n1"),
        message(ADA, ME, "Lunch", day.format("12:00:00"), msgid="n1"),  # a copy of a new one
        message(GRACE, ME, "Tea", day.format("15:00:00"), msgid="n2"),
        message(ME, GRACE, "Re: Tea", day.format("16:00:00"), msgid="n3", refs=["n2"]),
    )  # fmt: skip
    for dry_run in (["--dry-run"], []):  # a dry run shows what the plan decided: nothing re-checked
        rows, err = capture("maildir", str(md), *dry_run)
        assert [(r["note"], r["names"], r["items"]) for r in rows] == [
            ("Lunch", ["Ada Lovelace"], 1),
            ("Tea", ["Grace Hopper"], 2),
        ]
        assert "3 already captured" in err and "1 unchanged file not read again" in err
    assert [t["names"] for t in history()] == [["Grace Hopper"], ["Ada Lovelace"], ["Ada Lovelace"]]
    assert "7 unchanged files not read again" in quiet_capture("maildir", str(md))


def test_mailing_lists_automatic_replies_and_no_reply_senders_are_skipped(people, tmp_path):
    date = "Fri, 20 Nov 2026 09:00:00 +0000"
    box = write_mbox(
        tmp_path / "in.mbox",
        message(ADA, ME, "[list] digest", date, msgid="l1", headers=["List-Id: <friends.lists.example>"]),
        message(ADA, ME, "News", date, msgid="l2", headers=["List-Unsubscribe: <mailto:x@example.com>"]),
        message(ADA, ME, "Bulk", date, msgid="l3", headers=["Precedence: bulk"]),
        message(ADA, ME, "Out of office", date, msgid="l4", headers=["Auto-Submitted: auto-replied"]),
        message("Service <no-reply@service.example>", f"{ME}, {ADA}", "Receipt", date, msgid="l5"),
        message("DoNotReply@bank.example", ADA, "Statement", date, msgid="l6"),
        message(ADA, ME, "A real one", date, msgid="r1"),
    )  # fmt: skip
    rows, err = capture("mbox", str(box))
    assert [r["note"] for r in rows] == ["A real one"]
    assert "6 skipped as mailing list, no-reply, cancelled or declined" in err


def test_mail_rerun_logs_nothing_and_a_contact_added_later_gets_their_history(people, tmp_path, journal_path):
    box = write_mbox(
        tmp_path / "in.mbox",
        message(ADA, ME, "Hello", "Thu, 19 Nov 2026 09:00:00 +0000", msgid="a1"),
        message("Alan Turing <alan@bletchley.example>", ME, "Enigma", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="b1"),
    )  # fmt: skip
    rows, err = capture("mbox", str(box))
    assert len(rows) == 1 and "1 with no known contact" in err
    before = snapshot(journal_path)
    assert "unchanged file" in quiet_capture("mbox", str(box))
    assert snapshot(journal_path)["touchpoints"] == before["touchpoints"]
    ok("add", "Alan Turing", "--email", "alan@bletchley.example")
    rows, err = capture("mbox", str(box))
    assert [(r["names"], r["note"]) for r in rows] == [(["Alan Turing"], "Enigma")]
    assert "1 already captured" in err
    rows, err = capture("mbox", str(box))
    assert rows == []
    assert len(history()) == 2


def test_a_broken_message_is_skipped_with_a_warning_and_the_rest_captured(people, tmp_path):
    box = tmp_path / "in.mbox"
    write_mbox(box, message(ADA, ME, "Before", "Thu, 19 Nov 2026 09:00:00 +0000", msgid="a1"))
    with open(box, "ab") as fh:
        fh.write(b"From nobody Thu Jan  1 00:00:00 1970\nthis is not a header\n\njunk\n\n")
        fh.write(b"From nobody Thu Jan  1 00:00:00 1970\n" + message(ADA, ME, "No date", "not a date at all", msgid="bad2") + b"\n")
    write_mbox(box, message(ADA, ME, "After", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="a3"), mode="ab")
    r = ok("capture", "mbox", str(box), "-f", "json")
    assert [t["note"] for t in r.json()] == ["Before", "After"]
    assert "in.mbox: message 2: no From address" in r.stderr
    assert "in.mbox: message 3 <bad2>: no readable Date header" in r.stderr
    assert "2 unparseable" in r.stderr


def test_encoded_word_subjects_and_non_utf8_bodies_are_read(people, tmp_path):
    box = write_mbox(
        tmp_path / "in.mbox",
        message("=?utf-8?q?Ada_Lovel=C3=A5ce?= <ada.lovelace@example.com>", ME, "=?iso-8859-1?q?Caf=E9_=E0_deux?=",
                "Fri, 20 Nov 2026 09:00:00 +0000", msgid="e1",
                headers=["Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: 8bit"],
                body="Ça va? Très bien.\n".encode("latin-1")),
    )  # fmt: skip
    rows, _ = capture("mbox", str(box))
    assert rows[0]["note"] == "Café à deux"


@pytest.mark.parametrize("zone, expected", [("Asia/Tokyo", "2026-11-21T08:30"), ("America/Los_Angeles", "2026-11-20T15:30")])
def test_mail_is_dated_in_the_machines_time_zone(people, tmp_path, tz, zone, expected):
    tz(zone)
    box = write_mbox(tmp_path / "in.mbox", message(ADA, ME, "Late", "Fri, 20 Nov 2026 23:30:00 +0000", msgid="z1"))
    rows, _ = capture("mbox", str(box))
    assert rows[0]["on"] == expected


def test_mail_dated_after_today_or_before_since_is_left_for_later(people, tmp_path):
    box = write_mbox(
        tmp_path / "in.mbox",
        message(ADA, ME, "Old", "Mon, 02 Mar 2026 09:00:00 +0000", msgid="o1"),
        message(ADA, ME, "Recent", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="r1"),
        message(ADA, ME, "Skewed clock", "Mon, 30 Nov 2026 09:00:00 +0000", msgid="f1"),
    )  # fmt: skip
    rows, err = capture("mbox", str(box), "--since", "30d")
    assert [r["note"] for r in rows] == ["Recent"]
    assert "1 before --since" in err and "1 after today" in err


@pytest.mark.parametrize(
    "content, message",
    [(b"Subject: hi\n\nnot an mbox\n", "not an mbox file"), (b"\x00\x01binary", "not an mbox file")],
)
def test_a_file_that_is_not_an_mbox_is_refused(people, tmp_path, journal_path, content, message):
    path = tmp_path / "x.mbox"
    path.write_bytes(content)
    refused("capture", "mbox", str(path), journal=journal_path, contains=message)


def test_an_empty_mbox_captures_nothing(people, tmp_path):
    path = tmp_path / "empty.mbox"
    path.write_bytes(b"")
    rows, err = capture("mbox", str(path))
    assert rows == [] and err == ""


def test_a_folder_that_is_not_a_maildir_is_refused(people, tmp_path, journal_path):
    (tmp_path / "plain").mkdir()
    refused("capture", "maildir", str(tmp_path / "plain"), journal=journal_path, contains="not a maildir")
    box = write_mbox(tmp_path / "in.mbox", message(ADA, ME, "x", "Fri, 20 Nov 2026 09:00:00 +0000"))
    refused("capture", "maildir", str(box), journal=journal_path, contains="cno capture mbox")


def test_maildir_reads_new_and_cur_and_a_rerun_reads_only_what_changed(people, tmp_path, journal_path):
    md = write_maildir(tmp_path / "INBOX", message(ADA, ME, "Read one", "Thu, 19 Nov 2026 09:00:00 +0000", msgid="m1"))
    write_maildir(md, message(GRACE, ME, "New one", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="m2"), sub="new")
    rows, _ = capture("maildir", str(md))
    assert sorted(r["note"] for r in rows) == ["New one", "Read one"]
    assert "2 unchanged files not read again" in quiet_capture("maildir", str(md))
    # the mail client marks the new one read: it moves to cur/ under a new name
    (new_file,) = (md / "new").iterdir()
    new_file.rename(md / "cur" / (new_file.name + "S"))
    write_maildir(md, message(ADA, ME, "Another", "Sat, 21 Nov 2026 09:00:00 +0000", msgid="m3"), sub="new")
    rows, err = capture("maildir", str(md))
    assert [r["note"] for r in rows] == ["Another"]
    assert "1 already captured" in err and "1 unchanged file not read again" in err
    conn = sqlite3.connect(journal_path)
    paths = sorted(Path(p).relative_to(md.resolve()).parts[0] for (p,) in conn.execute("SELECT path FROM capture_files"))
    conn.close()
    assert paths == ["cur", "cur", "new"]  # the moved file's old row is gone


def test_create_unknown_adds_correspondents(people, tmp_path):
    md = write_maildir(
        tmp_path / "Sent",
        message(f"Me <{ME}>", "Katherine Johnson <kj@nasa.example>, undisclosed-recipients:;", "Orbits",
                "Fri, 20 Nov 2026 09:00:00 +0000", msgid="k1", cc="12345 <12345@digits.example>"),
    )  # fmt: skip
    rows, err = capture("maildir", str(md), "--create-unknown")
    assert rows[0]["names"] == ["12345@digits.example", "Katherine Johnson"]
    assert rows[0]["direction"] == "out"
    assert "2 new contacts tagged captured" in err
    assert {c["name"] for c in ok("list", "--tag", "captured", "-f", "json").json()} == {"Katherine Johnson", "12345@digits.example"}


def test_capture_is_one_transaction(people, tmp_path, journal_path, monkeypatch):
    box = write_mbox(
        tmp_path / "in.mbox",
        message(ADA, ME, "One", "Thu, 19 Nov 2026 09:00:00 +0000", msgid="a1"),
        message(GRACE, ME, "Two", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="a2"),
    )  # fmt: skip
    from cno import touchpoints

    real = touchpoints.log_touchpoints

    def failing(*args, **kwargs):
        real(*args, **kwargs)  # everything written, then the disk fails
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(touchpoints, "log_touchpoints", failing)
    before = snapshot(journal_path)
    assert cno("capture", "mbox", str(box)).code == 3
    assert snapshot(journal_path) == before


# -- the parts ------------------------------------------------------------------


def _date_as_the_standard_library_reads_it(value):
    from cno.capture.mail import _odd_date

    try:
        sent = email.utils.parsedate_to_datetime(value)
        if sent.tzinfo is not None and sent.year >= 1000:
            return sent.astimezone().replace(tzinfo=None)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    return _odd_date(value)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
@given(
    weekday=st.sampled_from(["", "Mon, ", "Sun, ", "Fri,  "]),
    day=st.integers(0, 32), month=st.sampled_from(["Jan", "Feb", "Jun", "Dec", "dec"]), year=st.integers(990, 9999),
    hh=st.integers(0, 25), mi=st.integers(0, 60), ss=st.integers(0, 61),
    sign=st.sampled_from("+-"), off_h=st.integers(0, 25), off_m=st.sampled_from([0, 30, 45, 59, 60, 99]),
)  # fmt: skip
def test_the_usual_date_header_is_read_as_the_standard_library_reads_it(zone, weekday, day, month, year, hh, mi, ss, sign, off_h, off_m):
    """mail_date reads RFC 5322's usual form itself (faster): the same local time, or the
    same fallback, as parsedate_to_datetime and the odd-date reader give."""
    import time as _time

    from cno.capture.mail import mail_date

    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    _time.tzset()
    try:
        value = f"{weekday}{day} {month} {year} {hh:02d}:{mi:02d}:{ss:02d} {sign}{off_h:02d}{off_m:02d}"
        assert mail_date(value) == _date_as_the_standard_library_reads_it(value)
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        _time.tzset()




def test_thread_falls_back_to_own_id_then_to_the_subject():
    me = frozenset({ME})
    root = message(ADA, ME, "Plans", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="root@x")
    reply = message(ME, ADA, "RE: Fwd: Plans", "Fri, 20 Nov 2026 10:00:00 +0000", msgid="r@x", refs=["root@x"])
    bare = message(ADA, ME, "Re: Plans", "Fri, 20 Nov 2026 11:00:00 +0000")
    a, b, c = (message_item(m.split(b"\n\n")[0], me, "m") for m in (root, reply, bare))
    assert a.thread == b.thread == "root@x"
    assert (b.note, c.thread) == ("Plans", "subject:plans")
    assert c.key.startswith("digest:") and c.key == message_item(bare.split(b"\n\n")[0], me, "m").key


def test_a_file_is_covered_only_by_a_read_that_saw_at_least_as_much():
    d = TODAY
    v = read_version("abc", False, d.replace(day=1), None)
    assert covers(v, "abc", False, d.replace(day=10), d)
    assert not covers(v, "abc", False, None, d)  # now without --since: older items unread
    assert not covers(v, "abc", True, d.replace(day=10), d)  # now adding unknown people
    assert not covers(v, "xyz", False, d.replace(day=10), d)  # contacts changed
    later = read_version("abc", True, None, d)
    assert covers(later, "abc", False, None, d)
    assert not covers(later, "abc", False, None, d.replace(day=23))  # it had items after that day
    assert not covers("garbage", "abc", False, None, d)


def test_json_of_history_has_direction(people, tmp_path):
    box = write_mbox(tmp_path / "in.mbox", message(ADA, ME, "Hi", "Fri, 20 Nov 2026 09:00:00 +0000", msgid="h1"))
    capture("mbox", str(box))
    assert json.loads(ok("history", "ada", "-f", "json").stdout)[0]["direction"] == "in"


_word = st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=8)
_address = st.builds(lambda u, d: f"{u}@{d}.example", _word, _word)
_mailbox = st.one_of(_address, st.builds(lambda n, a: f"{' '.join(n)} <{a}>", st.lists(_word, min_size=1, max_size=3), _address))


@given(st.lists(_mailbox, min_size=1, max_size=4))
def test_the_quick_address_reader_agrees_with_the_standard_library(mailboxes):
    value = ", ".join(mailboxes)
    assert _simple_addresses(value) == email.utils.getaddresses([value])


def test_the_cycle_collector_is_set_aside_while_a_capture_reads_and_writes(people, tmp_path, monkeypatch):
    """Its full collections walk every item read so far, more often the more there
    are: with it on, capturing 10× the messages took 11.6× the time (README
    "Performance"). It is off while messages are read and logged, and on again after,
    a refusal included."""
    import gc

    from cno import touchpoints
    from cno.capture import mail

    seen = []
    read, log = mail.read_message_file, touchpoints.log_touchpoints

    def reading(*a, **k):
        seen.append(("read", gc.isenabled()))
        return read(*a, **k)

    def logging(*a, **k):
        seen.append(("log", gc.isenabled()))
        return log(*a, **k)

    monkeypatch.setattr(mail, "read_message_file", reading)
    monkeypatch.setattr(touchpoints, "log_touchpoints", logging)
    day = "Fri, 20 Nov 2026 {} +0000"
    md = write_maildir(tmp_path / "INBOX", message(ADA, ME, "Plans", day.format("09:00:00"), msgid="c1"))
    assert gc.isenabled()
    rows, _ = capture("maildir", str(md))
    assert len(rows) == 1
    assert {kind for kind, _ in seen} == {"read", "log"} and not any(on for _, on in seen)
    assert gc.isenabled()

    def broken(*a, **k):
        raise OSError("disk gone")

    monkeypatch.setattr(mail, "read_message_file", broken)
    write_maildir(md, message(ADA, ME, "Later", day.format("10:00:00"), msgid="c2"))
    assert cno("capture", "maildir", str(md)).code != 0
    assert gc.isenabled()
