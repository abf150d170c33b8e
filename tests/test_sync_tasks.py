"""`cno sync tasks DIR`: follow-ups and check-ins as VTODO files, read back as a phone writes them.

The folder is read and written here with the `icalendar` library, as a CalDAV
client (through vdirsyncer) would: completing a to-do sets STATUS:COMPLETED,
COMPLETED in UTC, PERCENT-COMPLETE:100 and bumps SEQUENCE and DTSTAMP.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import icalendar
import pytest

from tests.conftest import cno, ok, refused, snapshot

ROOT = Path(__file__).resolve().parent.parent




@pytest.fixture
def vdir(tmp_path) -> Path:
    d = tmp_path / "reminders"
    d.mkdir()
    return d


@pytest.fixture
def people():
    """Ada (tier A: check-in 30 days on), a follow-up with her; Grace with none due within 90 days."""
    ok("add", "Ada Lovelace", "--tier", "A")
    ok("add", "Grace Hopper", "--tier", "C")  # due in 180 days: not a to-do yet
    ok("follow-up", "ada", "2026-11-25", "send the paper")


def sync(folder: Path, *extra: str) -> dict:
    return ok("sync", "tasks", str(folder), "-f", "json", *extra).json()


def todos(folder: Path) -> dict[str, icalendar.Todo]:
    """The folder's to-dos by UID, parsed as a phone's client parses them."""
    out = {}
    for p in sorted(folder.glob("*.ics")):
        cal = icalendar.Calendar.from_ical(p.read_bytes())
        for todo in cal.walk("VTODO"):
            out[str(todo["UID"])] = todo
    return out


def file_of(folder: Path, uid: str) -> Path:
    for p in folder.glob("*.ics"):
        cal = icalendar.Calendar.from_ical(p.read_bytes())
        if any(str(t["UID"]) == uid for t in cal.walk("VTODO")):
            return p
    raise AssertionError(f"no file holds {uid}")


def phone_edit(folder: Path, uid: str, change) -> None:
    """Change a to-do as a CalDAV client does, and let vdirsyncer put it in the file (a new file renamed in)."""
    p = file_of(folder, uid)
    cal = icalendar.Calendar.from_ical(p.read_bytes())
    for todo in cal.walk("VTODO"):
        change(todo)
        todo["SEQUENCE"] = int(todo.get("SEQUENCE", 0)) + 1
        del todo["DTSTAMP"]
        todo.add("DTSTAMP", datetime(2026, 11, 22, 8, 30, tzinfo=timezone.utc))
    tmp = p.with_name("." + p.name + ".vdirsyncer")
    tmp.write_bytes(cal.to_ical())
    os.replace(tmp, p)


def complete(when: datetime):
    def change(todo):
        todo["STATUS"] = "COMPLETED"
        todo.add("COMPLETED", when)
        todo.add("PERCENT-COMPLETE", 100)

    return change


def move_due(day: date):
    def change(todo):
        del todo["DUE"]
        todo.add("DUE", day)

    return change


def follow_ups(*extra) -> list[dict]:
    return ok("followups", "list", "--all", "-f", "json", *extra).json()


def uid_of_follow_up() -> str:
    return follow_ups()[0]["uid"]


def contact_uid(name: str) -> str:
    conn = sqlite3.connect(os.environ["CNO_DB"])
    try:
        return conn.execute("SELECT uid FROM contacts WHERE name = ?", (name,)).fetchone()[0]
    finally:
        conn.close()


def state_rows(journal: Path) -> list[tuple]:
    conn = sqlite3.connect(journal)
    try:
        return conn.execute("SELECT todo_uid, due_on, file FROM sync_tasks ORDER BY todo_uid").fetchall()
    finally:
        conn.close()


def folder_state(folder: Path) -> dict[str, tuple]:
    """Every entry of the folder with what vdirsyncer would look at: bytes, mtime and inode."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in sorted(folder.iterdir())}


# -- writing ------------------------------------------------------------------------


def test_writes_open_follow_ups_and_check_ins_due_within_90_days_as_one_vtodo_file_each(people, vdir):
    ok("add", "Old Friend", "--tier", "A")
    ok("follow-up", "old friend", "2026-12-01", "archived: never a to-do")
    ok("archive", "old friend")
    ok("follow-up", "grace", "2026-12-10", "done already")
    ok("done", str(follow_ups("-c", "grace")[0]["id"]))
    report = sync(vdir)
    assert report == {"added": 0, "updated": 0, "archived": 0, "removed": 0, "written": 2, "conflicts": [],
                      "done": 0, "moved": 0, "skipped": 0, "dry_run": False}  # fmt: skip
    got = todos(vdir)
    follow_up = uid_of_follow_up()
    check_in = f"{contact_uid('Ada Lovelace')}-check-in-20261222"
    assert set(got) == {follow_up, check_in}
    assert got[follow_up]["DUE"].dt == date(2026, 11, 25)
    assert str(got[follow_up]["SUMMARY"]) == "Follow up with Ada Lovelace: send the paper"
    assert str(got[follow_up]["STATUS"]) == "NEEDS-ACTION"
    assert got[check_in]["DUE"].dt == date(2026, 12, 22)
    assert str(got[check_in]["SUMMARY"]) == "Check in with Ada Lovelace"
    # files cno creates are named by their UID; no temporary file is left behind
    assert sorted(p.name for p in vdir.iterdir()) == sorted([f"{follow_up}.ics", f"{check_in}.ics"])


def test_an_overdue_check_in_is_written_too(vdir):
    ok("add", "Ada Lovelace", "--tier", "A", "--as-of", "2026-09-01")
    sync(vdir)
    (todo,) = todos(vdir).values()
    assert todo["DUE"].dt == date(2026, 10, 1)  # 52 days overdue


def test_a_second_run_the_next_day_changes_nothing_and_leaves_every_file_byte_mtime_and_inode_identical(people, vdir):
    sync(vdir)
    before = folder_state(vdir)
    changes = ok("changes", "-f", "json").json()
    time.sleep(0.01)
    report = sync(vdir, "--as-of", "2026-11-23")
    assert [report[k] for k in ("added", "updated", "archived", "removed", "written")] == [0, 0, 0, 0, 0]
    assert report["conflicts"] == []
    assert folder_state(vdir) == before
    assert ok("changes", "-f", "json").json() == changes  # not a change either


def test_a_follow_up_closed_in_cno_loses_its_file_and_a_moved_check_in_is_rewritten(people, vdir):
    sync(vdir)
    follow_up = uid_of_follow_up()
    old_check_in = f"{contact_uid('Ada Lovelace')}-check-in-20261222"
    ok("done", "1")
    ok("log", "ada", "coffee", "--on", "2026-11-20")  # her next check-in: 2026-12-20
    report = sync(vdir)
    assert (report["removed"], report["written"]) == (2, 1)
    new_check_in = f"{contact_uid('Ada Lovelace')}-check-in-20261220"
    assert set(todos(vdir)) == {new_check_in}
    assert follow_up not in todos(vdir) and old_check_in not in todos(vdir)


def test_archiving_a_contact_removes_their_to_dos_and_unarchiving_writes_them_back(people, vdir):
    sync(vdir)
    ok("archive", "ada")
    assert sync(vdir)["removed"] == 2 and todos(vdir) == {}
    ok("unarchive", "ada")
    assert sync(vdir)["written"] == 2 and len(todos(vdir)) == 2


def test_a_follow_up_edited_in_cno_is_rewritten_in_place_with_a_higher_sequence(people, vdir):
    sync(vdir)
    uid = uid_of_follow_up()
    path = file_of(vdir, uid)
    ok("followups", "edit", "1", "--note", "send the paper, signed")
    assert sync(vdir)["written"] == 1
    todo = todos(vdir)[uid]
    assert str(todo["SUMMARY"]) == "Follow up with Ada Lovelace: send the paper, signed"
    assert int(todo["SEQUENCE"]) == 1
    assert file_of(vdir, uid) == path


# -- reading back --------------------------------------------------------------------


def test_a_follow_up_completed_on_the_phone_is_done_on_the_local_day_of_completed_and_its_file_removed(people, vdir, tz):
    tz("Europe/Berlin")
    sync(vdir)
    uid = uid_of_follow_up()
    # 23:30 UTC on the 20th is already the 21st in Berlin
    phone_edit(vdir, uid, complete(datetime(2026, 11, 20, 23, 30, tzinfo=timezone.utc)))
    report = sync(vdir)
    assert (report["done"], report["updated"], report["removed"], report["added"]) == (1, 1, 1, 0)
    (fu,) = follow_ups()
    assert fu["done_on"] == "2026-11-21"
    assert uid not in todos(vdir)
    assert sync(vdir)["removed"] == 0  # and it stays gone


def test_a_check_in_completed_on_the_phone_logs_a_touchpoint_via_other_on_its_day(people, vdir, tz):
    tz("America/New_York")
    sync(vdir)
    uid = f"{contact_uid('Ada Lovelace')}-check-in-20261222"
    # 02:00 UTC on the 21st is still the 20th in New York
    phone_edit(vdir, uid, complete(datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)))
    report = sync(vdir)
    assert (report["added"], report["removed"], report["written"]) == (1, 1, 1)
    (touch,) = ok("history", "-f", "json").json()
    assert (touch["names"], touch["on"], touch["via"]) == (["Ada Lovelace"], "2026-11-20", "other")
    # her next check-in counts from that day, and is the folder's new to-do
    assert set(todos(vdir)) == {uid_of_follow_up(), f"{contact_uid('Ada Lovelace')}-check-in-20261220"}
    again = sync(vdir)
    assert (again["added"], again["written"], again["removed"]) == (0, 0, 0)
    assert len(ok("history", "-f", "json").json()) == 1


def test_a_repeating_follow_up_completed_on_the_phone_opens_its_next_which_is_written_at_once(vdir):
    ok("add", "Ada Lovelace")
    ok("follow-up", "ada", "2026-11-20", "board report", "--every", "1m")
    sync(vdir)
    first = uid_of_follow_up()
    phone_edit(vdir, first, complete(datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)))
    report = sync(vdir)
    assert (report["done"], report["removed"], report["written"]) == (1, 1, 1)
    (todo,) = todos(vdir).values()
    assert todo["DUE"].dt == date(2026, 12, 20) and str(todo["UID"]) != first
    assert sync(vdir)["written"] == 0


def test_a_due_date_moved_on_the_phone_moves_the_follow_up(people, vdir):
    sync(vdir)
    uid = uid_of_follow_up()
    before = file_of(vdir, uid).read_bytes()
    phone_edit(vdir, uid, move_due(date(2026, 12, 3)))
    report = sync(vdir)
    assert (report["moved"], report["updated"], report["written"], report["conflicts"]) == (1, 1, 0, [])
    assert follow_ups()[0]["due_on"] == "2026-12-03"
    assert file_of(vdir, uid).read_bytes() != before  # the phone's file, left as the phone wrote it
    assert sync(vdir)["moved"] == 0


def test_due_moved_on_the_phone_while_the_follow_up_was_edited_in_cno_keeps_cno_and_reports_the_conflict(people, vdir):
    sync(vdir)
    uid = uid_of_follow_up()
    phone_edit(vdir, uid, move_due(date(2026, 12, 3)))
    ok("followups", "edit", "1", "--due", "2026-11-28")
    report = sync(vdir)
    assert report["conflicts"] == [
        {"uid": uid, "name": "Ada Lovelace", "field": "due", "kept": "2026-11-28", "other": "2026-12-03"}
    ]
    assert (report["moved"], report["written"]) == (0, 1)
    assert follow_ups()[0]["due_on"] == "2026-11-28"
    assert todos(vdir)[uid]["DUE"].dt == date(2026, 11, 28)
    assert int(todos(vdir)[uid]["SEQUENCE"]) == 2  # above the phone's 1
    assert sync(vdir)["conflicts"] == []


def test_a_check_in_due_moved_on_the_phone_is_cnos_date_reported_and_written_back(people, vdir):
    sync(vdir)
    uid = f"{contact_uid('Ada Lovelace')}-check-in-20261222"
    phone_edit(vdir, uid, move_due(date(2027, 1, 5)))
    report = sync(vdir)
    assert report["conflicts"] == [{"uid": uid, "name": "Ada Lovelace", "field": "due", "kept": "2026-12-22", "other": "2027-01-05"}]
    assert todos(vdir)[uid]["DUE"].dt == date(2026, 12, 22)


def test_a_todo_deleted_on_the_phone_changes_nothing_in_cno_and_is_written_again(people, vdir):
    sync(vdir)
    uid = uid_of_follow_up()
    file_of(vdir, uid).unlink()
    report = sync(vdir)
    assert (report["written"], report["done"], report["updated"]) == (1, 0, 0)
    assert follow_ups()[0]["done_on"] is None
    assert uid in todos(vdir)


def test_a_todo_made_on_the_phone_is_left_alone(people, vdir):
    theirs = vdir / "groceries.ics"
    theirs.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:milk-1\r\nSUMMARY:Milk\r\n"
                       b"STATUS:COMPLETED\r\nCOMPLETED:20261121T100000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")  # fmt: skip
    before = folder_state(vdir)["groceries.ics"]
    report = sync(vdir)
    assert (report["removed"], report["added"], report["updated"]) == (0, 0, 0)
    assert folder_state(vdir)["groceries.ics"] == before


# -- dry run, undo, the state -----------------------------------------------------------


def test_dry_run_reports_what_a_sync_would_do_and_writes_nothing(people, vdir, journal_path):
    sync(vdir)
    uid = uid_of_follow_up()
    phone_edit(vdir, uid, complete(datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)))
    ok("followups", "edit", "1", "--note", "x")  # nothing: it is done on the phone
    ok("log", "ada", "call", "--on", "2026-11-21")
    journal, folder = snapshot(journal_path), folder_state(vdir)
    dry = sync(vdir, "--dry-run")
    assert snapshot(journal_path) == journal and folder_state(vdir) == folder
    real = sync(vdir)
    assert dry == real | {"dry_run": True}
    assert (real["done"], real["removed"], real["written"]) == (1, 2, 1)


def test_a_sync_is_one_change_that_undo_reverts_with_its_state_so_the_next_sync_sees_the_folder_again(people, vdir, journal_path):
    sync(vdir)
    uid = uid_of_follow_up()
    phone_edit(vdir, uid, move_due(date(2026, 12, 3)))
    export = ok("export", "json").stdout
    state = state_rows(journal_path)
    sync(vdir)
    assert follow_ups()[0]["due_on"] == "2026-12-03"
    r = ok("undo")
    assert "sync tasks" in r.stderr
    assert ok("export", "json").stdout == export
    assert state_rows(journal_path) == state
    ok("db", "check")
    assert sync(vdir)["moved"] == 1  # the folder's edit is seen again
    assert follow_ups()[0]["due_on"] == "2026-12-03"


def records(journal: Path) -> dict:
    """Every row of every record table, sync_tasks and captured included (not the history's own)."""
    return {t: rows for t, rows in snapshot(journal).items() if not t.startswith(("_", "sqlite_")) and "_fts" not in t}


def test_undo_and_redo_of_a_sync_put_back_exactly_every_row_of_every_table(people, vdir, journal_path):
    sync(vdir)
    phone_edit(vdir, uid_of_follow_up(), complete(datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)))
    phone_edit(vdir, f"{contact_uid('Ada Lovelace')}-check-in-20261222", complete(datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)))
    ok("follow-up", "grace", "2026-12-01", "new one")
    before, export = records(journal_path), ok("export", "json").stdout
    report = sync(vdir)
    assert (report["done"], report["added"]) == (1, 1)
    after, export_after = records(journal_path), ok("export", "json").stdout
    assert ok("undo").stderr.startswith("undid #")
    assert records(journal_path) == before and ok("export", "json").stdout == export
    ok("db", "check")
    ok("redo")
    assert records(journal_path) == after and ok("export", "json").stdout == export_after
    ok("db", "check")


def test_after_undoing_a_first_sync_the_next_one_takes_the_phones_due_date(people, vdir, journal_path):
    sync(vdir)
    uid = uid_of_follow_up()
    ok("undo")
    assert state_rows(journal_path) == []
    phone_edit(vdir, uid, move_due(date(2026, 12, 3)))
    report = sync(vdir)
    assert (report["moved"], report["written"]) == (1, 0)  # the files already there are taken as they are
    assert follow_ups()[0]["due_on"] == "2026-12-03"


def test_a_dump_holding_a_check_in_completed_on_the_phone_restores(people, vdir, tmp_path):
    sync(vdir)
    phone_edit(vdir, f"{contact_uid('Ada Lovelace')}-check-in-20261222", complete(datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)))
    sync(vdir)
    dump = tmp_path / "dump.json"
    dump.write_text(ok("export", "json").stdout)
    other = tmp_path / "other.db"
    ok("--db", str(other), "import", "json", str(dump))
    assert ok("--db", str(other), "export", "json").stdout == dump.read_text()


def test_the_sync_state_is_not_in_export_json_and_db_check_passes(people, vdir, journal_path):
    sync(vdir)
    assert state_rows(journal_path)
    assert "sync_tasks" not in ok("export", "json").stdout
    ok("db", "check")


def test_plain_table_md_and_csv_show_the_counts(people, vdir):
    ok("sync", "tasks", str(vdir), "--dry-run")
    assert "written" in ok("sync", "tasks", str(vdir), "--dry-run", "-f", "plain").stdout
    csv = ok("sync", "tasks", str(vdir), "--dry-run", "-f", "csv").stdout.splitlines()
    assert csv == ["added,updated,archived,removed,written,conflicts", "0,0,0,0,2,0"]


# -- bad input --------------------------------------------------------------------------


def test_a_folder_that_does_not_exist_is_exit_2_and_writes_nothing(people, tmp_path, journal_path):
    refused("sync", "tasks", str(tmp_path / "nope"), journal=journal_path, contains="no such folder")
    assert not (tmp_path / "nope").exists()


def test_a_file_given_as_the_folder_is_exit_2_and_writes_nothing(people, tmp_path, journal_path):
    f = tmp_path / "tasks.ics"
    f.write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    refused("sync", "tasks", str(f), journal=journal_path, contains="is not a folder")
    assert f.read_bytes() == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_the_parent_of_several_collections_is_exit_2_and_writes_nothing(people, tmp_path, journal_path):
    (tmp_path / "calendars" / "work").mkdir(parents=True)
    (tmp_path / "calendars" / "work" / "x.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    refused("sync", "tasks", str(tmp_path / "calendars"), journal=journal_path, contains="work/")
    assert [p.name for p in (tmp_path / "calendars").iterdir()] == ["work"]


def test_an_empty_folder_argument_is_exit_2_and_writes_nothing(people, journal_path):
    refused("sync", "tasks", "", journal=journal_path, contains="no folder given")


def test_a_folder_of_events_is_not_a_to_do_list_exit_2_and_nothing_written(people, vdir, journal_path):
    event = vdir / "meeting.ics"
    event.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:m1\r\nDTSTART:20261120T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    refused("sync", "tasks", str(vdir), journal=journal_path, contains="holds events, not to-dos")
    assert [p.name for p in vdir.iterdir()] == ["meeting.ics"]


def test_a_file_name_now_holding_another_to_do_is_not_overwritten(people, vdir):
    sync(vdir)
    uid = uid_of_follow_up()
    path = file_of(vdir, uid)
    theirs = b"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:milk-1\r\nSUMMARY:Milk\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    path.write_bytes(theirs)  # the phone's app reused the name for a to-do of its own
    report = sync(vdir)
    assert report["written"] == 1
    assert path.read_bytes() == theirs
    assert uid in todos(vdir)
    assert sync(vdir)["written"] == 0


def test_two_files_with_one_uid_are_exit_2_naming_both_and_nothing_is_written(people, vdir, journal_path):
    sync(vdir)
    uid = uid_of_follow_up()
    (vdir / "copy.ics").write_bytes(file_of(vdir, uid).read_bytes())
    phone_edit(vdir, uid, complete(datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)))
    folder = folder_state(vdir)
    r = refused("sync", "tasks", str(vdir), journal=journal_path, contains="copy.ics")
    assert f"{uid}.ics" in r.stderr
    assert folder_state(vdir) == folder


def test_an_unreadable_file_is_skipped_with_a_warning_naming_it_and_never_deleted(people, vdir):
    sync(vdir)
    bad = vdir / "broken.ics"
    bad.write_bytes(b"\x00\xffthis is no calendar")
    cut = vdir / "cut.ics"
    cut.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:x\r\n")
    ok("done", "1")
    r = cno("sync", "tasks", str(vdir), "-f", "json")
    assert r.code == 0, r.stderr
    assert "broken.ics" in r.stderr and "cut.ics" in r.stderr
    assert r.json()["skipped"] == 2 and r.json()["removed"] == 1  # the rest is synced
    assert bad.read_bytes() == b"\x00\xffthis is no calendar" and cut.exists()


def test_a_todo_whose_own_file_turned_unreadable_is_left_alone_until_it_reads_again(people, vdir):
    sync(vdir)
    uid = uid_of_follow_up()
    path = file_of(vdir, uid)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # cut short mid-write by another program
    r = cno("sync", "tasks", str(vdir), "-f", "json")
    assert r.code == 0 and path.name in r.stderr
    assert (r.json()["written"], r.json()["skipped"]) == (0, 1)
    assert path.read_bytes() == good[: len(good) // 2] and len(list(vdir.glob("*.ics"))) == 2
    path.write_bytes(good)
    assert sync(vdir)["written"] == 0


def test_a_file_changed_between_read_and_write_is_left_alone_and_synced_on_the_next_run(people, vdir, monkeypatch):
    from cno.sync import files

    sync(vdir)
    uid = uid_of_follow_up()
    path = file_of(vdir, uid)
    ok("followups", "edit", "1", "--note", "signed")  # cno will rewrite the file...
    scan = files.scan

    def scan_then_phone_writes(where, suffix):
        reads = scan(where, suffix)
        phone_edit(vdir, uid, move_due(date(2026, 12, 3)))  # ...which the phone changes meanwhile
        return reads

    monkeypatch.setattr(files, "scan", scan_then_phone_writes)
    r = cno("sync", "tasks", str(vdir), "-f", "json")
    assert r.code == 0, r.stderr
    assert f"{path.name} changed while syncing" in r.stderr
    assert r.json()["written"] == 0
    assert todos(vdir)[uid]["DUE"].dt == date(2026, 12, 3)  # the phone's file, untouched
    monkeypatch.setattr(files, "scan", scan)
    again = sync(vdir)  # the next run reads it: edited on both sides, cno's value kept
    assert again["conflicts"][0]["other"] == "2026-12-03"
    assert str(todos(vdir)[uid]["SUMMARY"]) == "Follow up with Ada Lovelace: signed"


def test_a_file_changed_before_its_removal_is_left_alone(people, vdir, monkeypatch):
    from cno.sync import files

    sync(vdir)
    uid = uid_of_follow_up()
    ok("done", "1")
    remove = files.remove

    def phone_writes_then_remove(where, name, expected):
        phone_edit(vdir, uid, move_due(date(2026, 12, 3)))
        return remove(where, name, expected)

    monkeypatch.setattr(files, "remove", phone_writes_then_remove)
    r = cno("sync", "tasks", str(vdir), "-f", "json")
    assert "changed while syncing" in r.stderr and r.json()["removed"] == 0
    assert uid in todos(vdir)
    monkeypatch.setattr(files, "remove", remove)
    assert sync(vdir)["removed"] == 1


def test_a_folder_that_cannot_be_written_is_exit_2_and_the_journal_is_untouched(people, vdir, journal_path, monkeypatch):
    import cno.sync.files as files

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full_disk)
    refused("sync", "tasks", str(vdir), journal=journal_path, contains="no space left on device")
    assert list(vdir.iterdir()) == []


KILL_AFTER_ONE_WRITE = """
import os, sys
from cno.sync import files
put = files.put
def put_then_die(*args, **kwargs):
    put(*args, **kwargs)
    os._exit(9)
files.put = put_then_die
from cno.cli import main
sys.exit(main(["sync", "tasks", sys.argv[1]]))
"""


def test_a_sync_killed_midway_commits_nothing_and_the_next_run_leaves_the_folder_consistent(people, vdir, journal_path):
    sync(vdir)
    uid = uid_of_follow_up()
    phone_edit(vdir, uid, complete(datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)))
    ok("follow-up", "grace", "2026-12-01", "one")
    ok("follow-up", "grace", "2026-12-02", "two")
    journal = snapshot(journal_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", KILL_AFTER_ONE_WRITE, str(vdir)], cwd=ROOT, env=env,
                            capture_output=True, timeout=60)  # fmt: skip
    assert killed.returncode == 9, killed.stderr
    assert snapshot(journal_path) == journal  # the journal: all or nothing
    assert uid in todos(vdir)  # the completion is still there to be read
    report = sync(vdir)
    assert report["done"] == 1 and report["removed"] == 1
    assert {t["DUE"].dt for t in todos(vdir).values()} == {date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 22)}
    assert not [p for p in vdir.iterdir() if p.name.startswith(".")]  # no temporary file left
    ok("db", "check")
    again = sync(vdir)
    assert [again[k] for k in ("added", "updated", "removed", "written")] == [0, 0, 0, 0]
