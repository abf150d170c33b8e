"""Exports (SPEC "Data" and "Output"): JSON dump, CSV, vCard 4.0 and iCalendar."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat

import vobject

from tests.conftest import cno, ok, refused


def _people(journal_path):
    ok("add", "Ada Lovelace", "--company", "=HYPERLINK(\"x\")", "--email", "ada@example.com", "--email", "a2@example.com",
       "--phone", "+44 20 7946 0958", "--tag", "mentor", "--tag", "fin,tech", "--birthday", "12-10", "--tier", "A",
       "--note", "likes tea; and cake, really\nsecond line", "--linkedin", "https://linkedin.com/in/ada")  # fmt: skip
    ok("add", "Grace Hopper", "--birthday", "1906-12-09", "--every", "1y", "--role", "-admiral")
    ok("log", "ada", "coffee", "--on", "2026-11-01")
    ok("follow-up", "grace", "2027-06-01", "far away, still open")
    ok("follow-up", "ada", "friday", "send the deck")
    fid = ok("follow-up", "ada", "tomorrow", "done already").stderr.split("#")[1].split()[0]
    ok("done", fid)
    ok("milestone", "add", "ada", "wedding anniversary", "2019-05-04", "--yearly")
    ok("milestone", "add", "ada", "one-off talk", "2026-01-04")
    return sqlite3.connect(journal_path)


def test_csv_export_is_formula_safe_and_has_every_contact(journal_path):
    _people(journal_path)
    rows = list(csv.DictReader(io.StringIO(ok("export", "csv").stdout)))
    assert [r["name"] for r in rows] == ["Ada Lovelace", "Grace Hopper"]
    ada, grace = rows
    assert ada["company"] == "'=HYPERLINK(\"x\")"
    assert grace["role"] == "'-admiral"
    assert ada["phones"] == "+44 20 7946 0958"  # a phone number is not a formula
    assert ada["emails"] == "ada@example.com; a2@example.com" and ada["birthday"] == "'--12-10"  # not a formula
    assert ada["note"] == "likes tea; and cake, really\\x0asecond line"  # control characters shown escaped


def test_vcard_export_is_vcard_4_that_vobject_reads_back(journal_path):
    conn = _people(journal_path)
    text = ok("export", "vcard").stdout
    cards = list(vobject.readComponents(text))
    assert [c.fn.value for c in cards] == ["Ada Lovelace", "Grace Hopper"]
    ada = cards[0]
    assert ada.version.value == "4.0"
    assert [e.value for e in ada.contents["email"]] == ["ada@example.com", "a2@example.com"]
    assert ada.bday.value == "--1210" and cards[1].bday.value == "19061209"
    assert ada.note.value == "likes tea; and cake, really\nsecond line"
    assert ada.org.value == ['=HYPERLINK("x")']
    assert sorted(ada.categories.value) == ["fin,tech", "mentor"]
    uid = conn.execute("SELECT uid FROM contacts WHERE name = 'Ada Lovelace'").fetchone()[0]
    assert ada.uid.value == f"urn:uuid:{uid}"
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_vcard_export_reimports_without_duplicates(tmp_path, journal_path):
    _people(journal_path)
    path = tmp_path / "c.vcf"
    ok("export", "vcard", "-o", path)
    r = ok("import", "vcard", path)
    assert "0 added, 0 updated, 2 skipped" in r.stderr


def test_ics_holds_follow_ups_check_ins_birthdays_and_yearly_milestones(journal_path):
    conn = _people(journal_path)
    text = ok("export", "ics").stdout
    cal = vobject.readOne(text)
    todos = {t.uid.value: t for t in cal.contents.get("vtodo", [])}
    events = {e.uid.value: e for e in cal.contents.get("vevent", [])}
    uid = dict(conn.execute("SELECT name, uid FROM contacts"))
    open_ups = dict(conn.execute("SELECT note, uid FROM followups WHERE done_on IS NULL"))
    # both open follow-ups (however far), not the done one
    assert {open_ups["send the deck"], open_ups["far away, still open"]} <= todos.keys()
    assert len([u for u in todos if not u.endswith("-check-in")]) == 2
    assert str(todos[open_ups["send the deck"]].due.value) == "2026-11-27"
    # Ada (tier A, touched Nov 1) is due within 90 days; Grace (every 1y) is not
    assert f"{uid['Ada Lovelace']}-check-in" in todos
    assert f"{uid['Grace Hopper']}-check-in" not in todos
    birthday = events[f"{uid['Ada Lovelace']}-birthday"]
    assert birthday.rrule.value == "FREQ=YEARLY" and str(birthday.dtstart.value) == "2026-12-10"
    assert str(events[f"{uid['Grace Hopper']}-birthday"].dtstart.value) == "1906-12-09"
    anniversary = conn.execute("SELECT uid FROM milestones WHERE yearly = 1").fetchone()[0]
    assert events[anniversary].rrule.value == "FREQ=YEARLY"
    assert "wedding anniversary" in events[anniversary].summary.value
    assert len(events) == 3  # the one-off milestone is not a yearly event
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")


def test_ics_is_the_same_for_the_same_day(journal_path):
    _people(journal_path)
    assert ok("export", "ics").stdout == ok("export", "ics").stdout


def test_output_file_is_created_0600_and_stdout_stays_empty(tmp_path, journal_path):
    _people(journal_path)
    for kind in ("json", "csv", "vcard", "ics"):
        path = tmp_path / f"out.{kind}"
        r = ok("export", kind, "-o", path)
        assert r.stdout == ""
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "out.json").read_text())["format"] == "cno"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.csv", "out.ics", "out.json", "out.vcard"]


def test_exports_of_a_missing_journal_are_empty_and_create_nothing(journal_path):
    dump = ok("export", "json").json()
    assert dump["format"] == "cno" and all(rows == [] for rows in dump["tables"].values())
    assert ok("export", "csv").stdout.startswith("id,uid,name,")
    assert len(ok("export", "csv").stdout.splitlines()) == 1
    assert ok("export", "vcard").stdout == ""
    assert vobject.readOne(ok("export", "ics").stdout).name == "VCALENDAR"
    assert not journal_path.exists()


def test_json_dump_has_no_timestamps_paths_or_migrations(journal_path):
    _people(journal_path)
    text = ok("export", "json").stdout
    assert "_sqlite_migrations" not in text and str(journal_path.parent) not in text
    assert ok("export", "json", "--help").code == 0
    assert ok("export", "json").stdout == text  # nothing that changes between runs


def test_json_dump_rows_are_one_per_line(journal_path):
    _people(journal_path)
    lines = ok("export", "json").stdout.splitlines()
    contact_lines = [line for line in lines if '"name_key"' in line]
    assert len(contact_lines) == 2 and all(json.loads(line.rstrip(",")) for line in contact_lines)


def test_unknown_export_kind_is_refused(journal_path):
    ok("add", "Joan Clarke")
    refused("export", "pdf", journal=journal_path, contains="pdf")


def test_export_to_a_folder_is_refused(tmp_path, journal_path):
    ok("add", "Joan Clarke")
    refused("export", "csv", "-o", tmp_path, journal=journal_path, contains="folder")
    assert cno("export", "csv", "-o", tmp_path / "missing" / "x.csv").code == 2
