"""`cno capture vdir DIR`: touchpoints from a calendar kept as a folder of .ics files.

The folders are made by the real khal where it is installed (`khal import`
stores an invitation as one file per event, `khal new` one of its own), and
by hand where a test needs a shape khal does not write (overrides in files of
their own, nested collections, broken files).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cno, ok, refused

ME = "me@example.com"
pytestmark = pytest.mark.usefixtures("tz")  # the machine's zone: UTC
KHAL = shutil.which("khal", path=str(Path(sys.executable).parent)) or shutil.which("khal")




@pytest.fixture
def people():
    ok("add", "Ada Lovelace", "--email", "ada@example.com", "--tier", "A")
    ok("add", "Grace Hopper", "--email", "grace@navy.example")
    ok("config", "set", "me.email", ME)


def calendar(*events: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def event(uid: str, start: str, end: str, summary: str, *lines: str, who: str = "ada@example.com") -> str:
    body = [f"UID:{uid}", f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{summary}", f"ORGANIZER:mailto:{who}",
            f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}", *lines]  # fmt: skip
    return "BEGIN:VEVENT\r\n" + "".join(line + "\r\n" for line in body) + "END:VEVENT\r\n"


WEEKLY = event("weekly-1@example.com", "20261102T100000Z", "20261102T103000Z", "Weekly with Ada", "RRULE:FREQ=WEEKLY;COUNT=3")
MOVED = event("weekly-1@example.com", "20261109T150000Z", "20261109T160000Z", "Weekly with Ada (moved)",
              "RECURRENCE-ID:20261109T100000Z", "SEQUENCE:1")  # fmt: skip
CANCELLED = event("weekly-1@example.com", "20261116T100000Z", "20261116T103000Z", "Weekly with Ada",
                  "RECURRENCE-ID:20261116T100000Z", "STATUS:CANCELLED", "SEQUENCE:1")  # fmt: skip


def capture(folder: Path, *extra: str) -> list[dict]:
    return ok("capture", "vdir", str(folder), "-f", "json", *extra).json()


def shown(rows: list[dict]) -> list[tuple]:
    return [(r["on"], r["names"], r["note"], r["minutes"]) for r in rows]


# -- with khal --------------------------------------------------------------------------


@pytest.fixture
def khal(tmp_path, monkeypatch):
    """Run the real khal on a calendar folder of its own under tmp_path."""
    if KHAL is None:
        pytest.fail("khal is not installed: pip install -e '.[test]' installs it")
    folder = tmp_path / "calendars" / "work"
    folder.mkdir(parents=True)
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[work]]\npath = {folder}\ntype = calendar\n[sqlite]\npath = {tmp_path / 'khal.db'}\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "default_timezone = UTC\nlocal_timezone = UTC\n[default]\ndefault_calendar = work\n"
    )
    env = {**os.environ, "TZ": "UTC", "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "XDG_DATA_HOME": str(tmp_path / "xdg")}

    def run(*args: str, input: str | None = None) -> str:
        r = subprocess.run([KHAL, "-c", str(config), *args], env=env, capture_output=True, text=True, input=input, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout

    run.folder = folder
    return run


def test_events_khal_stores_become_touchpoints_and_khal_still_reads_the_folder(people, khal, tmp_path):
    invite = tmp_path / "invite.ics"
    invite.write_text(calendar(WEEKLY, MOVED))
    khal("import", "--batch", "-a", "work", str(invite))
    khal("new", "-a", "work", "2026-11-18", "10:00", "11:00", "Lunch alone")
    assert len(list(khal.folder.glob("*.ics"))) == 2  # one file per event, as khal keeps them
    before = {p.name: p.read_bytes() for p in khal.folder.iterdir()}
    rows = capture(khal.folder.parent)
    assert shown(rows) == [
        ("2026-11-02T10:00", ["Ada Lovelace"], "Weekly with Ada", 30),
        ("2026-11-09T15:00", ["Ada Lovelace"], "Weekly with Ada (moved)", 60),
        ("2026-11-16T10:00", ["Ada Lovelace"], "Weekly with Ada", 30),
    ]
    assert {p.name: p.read_bytes() for p in khal.folder.iterdir()} == before  # capture only reads
    assert "Weekly with Ada (moved)" in khal("list", "2026-11-01", "30d")
    # khal adds one: only it is new
    khal("new", "-a", "work", "2026-11-20", "12:00", "13:00", "Lunch alone again")
    r = ok("capture", "vdir", str(khal.folder.parent), "--dry-run")
    assert "2 unchanged files not read again" in r.stderr and "1 with no known contact" in r.stderr
    assert capture(khal.folder.parent) == []


# -- overrides in files of their own ------------------------------------------------------


def test_a_recurring_event_with_overrides_in_files_of_their_own_reads_as_one_event(people, tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "series.ics").write_text(calendar(WEEKLY))
    (folder / "moved.ics").write_text(calendar(MOVED))
    (folder / "cancelled.ics").write_text(calendar(CANCELLED))
    rows = capture(folder, "--dry-run")
    assert shown(rows) == [
        ("2026-11-02T10:00", ["Ada Lovelace"], "Weekly with Ada", 30),
        ("2026-11-09T15:00", ["Ada Lovelace"], "Weekly with Ada (moved)", 60),
    ]
    # what the same events in one file give, keys included: capture ics of it then finds nothing new
    one = tmp_path / "one.ics"
    one.write_text(calendar(WEEKLY, MOVED, CANCELLED))
    assert shown(ok("capture", "ics", str(one), "--dry-run", "-f", "json").json()) == shown(rows)
    capture(folder)
    assert ok("capture", "ics", str(one), "-f", "json").json() == []


def test_only_a_changed_file_is_read_again_and_it_brings_its_series_with_it(people, tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "series.ics").write_text(calendar(WEEKLY))
    (folder / "other.ics").write_text(calendar(event("x@1", "20261110T090000Z", "20261110T100000Z", "Grace", who="grace@navy.example")))
    assert len(capture(folder)) == 4
    # the override of the third occurrence arrives in a file of its own: it cancels nothing already logged,
    # and the series is not logged twice
    (folder / "cancelled.ics").write_text(calendar(CANCELLED))
    dry = ok("capture", "vdir", str(folder), "--dry-run")
    assert dry.stdout == ""
    assert "would log 0 touchpoints, 2 already captured" in dry.stderr
    assert "1 skipped as mailing list, no-reply, cancelled or declined" in dry.stderr
    assert "2 unchanged files not read again" in dry.stderr  # other.ics, and series.ics as a file of its own
    assert capture(folder) == []
    assert "3 unchanged files not read again" in ok("capture", "vdir", str(folder), "--dry-run").stderr


def test_two_files_with_one_event_log_it_once_the_highest_sequence_winning(people, tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "a.ics").write_text(calendar(event("dup@1", "20261110T090000Z", "20261110T100000Z", "Old title", "SEQUENCE:0")))
    (folder / "b.ics").write_text(calendar(event("dup@1", "20261110T090000Z", "20261110T093000Z", "New title", "SEQUENCE:2")))
    assert shown(capture(folder)) == [("2026-11-10T09:00", ["Ada Lovelace"], "New title", 30)]


# -- the folder's shape -----------------------------------------------------------------


def test_collections_in_folders_under_dir_are_read_and_hidden_files_are_not(people, tmp_path):
    root = tmp_path / "calendars"
    (root / "work").mkdir(parents=True)
    (root / "home" / "deep").mkdir(parents=True)
    (root / ".vdirsyncer").mkdir()
    (root / "work" / "a.ics").write_text(calendar(event("a@1", "20261110T090000Z", "20261110T100000Z", "A")))
    (root / "home" / "deep" / "b.ics").write_text(calendar(event("b@1", "20261111T090000Z", "20261111T100000Z", "B",
                                                                 who="grace@navy.example")))  # fmt: skip
    (root / "work" / ".a.ics.tmp.ics").write_text(calendar(event("t@1", "20261112T090000Z", "20261112T100000Z", "tmp")))
    (root / ".vdirsyncer" / "c.ics").write_text(calendar(event("c@1", "20261113T090000Z", "20261113T100000Z", "C")))
    (root / "work" / "notes.txt").write_text("not a calendar")
    assert [r["note"] for r in capture(root)] == ["A", "B"]


def test_since_create_unknown_and_undo_work_as_for_capture_ics(people, tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "old.ics").write_text(calendar(event("o@1", "20260101T090000Z", "20260101T100000Z", "Old")))
    (folder / "new.ics").write_text(calendar(event("n@1", "20261120T090000Z", "20261120T100000Z", "New", who="zed@example.org")))
    rows = capture(folder, "--since", "30d", "--create-unknown")
    assert [(r["note"], r["names"]) for r in rows] == [("New", ["zed@example.org"])]
    assert "captured" in ok("show", "zed", "-f", "json").json()["tags"]
    ok("undo")
    assert cno("show", "zed").code == 2  # the contact it added is gone
    again = capture(folder, "--since", "30d", "--create-unknown")  # what it captured is forgotten: logged again
    assert [(r["note"], r["names"]) for r in again] == [("New", ["zed@example.org"])]


# -- bad input --------------------------------------------------------------------------


def test_a_folder_that_does_not_exist_is_exit_2_and_writes_nothing(people, tmp_path, journal_path):
    refused("capture", "vdir", str(tmp_path / "nope"), journal=journal_path, contains="no such folder")


def test_a_file_given_as_the_folder_is_exit_2_and_writes_nothing(people, tmp_path, journal_path):
    f = tmp_path / "one.ics"
    f.write_text(calendar(WEEKLY))
    refused("capture", "vdir", str(f), journal=journal_path, contains="is not a folder")


def test_an_unreadable_file_is_skipped_with_a_warning_naming_it_and_the_rest_is_read(people, tmp_path, journal_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "good.ics").write_text(calendar(event("g@1", "20261110T090000Z", "20261110T100000Z", "Good")))
    bad = folder / "broken.ics"
    bad.write_bytes(b"\x00\xff not a calendar at all")
    r = cno("capture", "vdir", str(folder), "-f", "json")
    assert r.code == 0, r.stderr
    assert [t["note"] for t in r.json()] == ["Good"]
    assert "broken.ics" in r.stderr and "1 unparseable" in r.stderr
    assert bad.read_bytes() == b"\x00\xff not a calendar at all"


def test_an_empty_folder_argument_is_exit_2_and_reads_nothing(people, journal_path):
    refused("capture", "vdir", "", journal=journal_path, contains="no folder given")
