"""What the exporters write is safe to hand on and to read back (SPEC "Output"):
no control byte in an iCalendar line or a vCard parameter whatever the journal
holds, and a CSV cno wrote reads back whatever the size of a field."""

from __future__ import annotations

import csv
import re
import sqlite3

import vobject

from tests.conftest import ok

EVIL = "\r\nATTENDEE:mailto:evil@example.com"
# Any control character but the CR LF that ends a content line.
RAW_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)|(?<!\r)\n")


def _content_lines(text: str) -> list[str]:
    """The logical lines of a vCard or iCalendar text (RFC 5545 §3.1 unfolding)."""
    return text.replace("\r\n ", "").split("\r\n")


def _smuggle(journal_path, sql: list[str]) -> None:
    """Write what cno never would, as another program could, straight into the file."""
    conn = sqlite3.connect(journal_path)
    for statement in sql:
        conn.execute(statement, (EVIL,))
    conn.commit()
    conn.close()


def _ada_with_everything_exported() -> None:
    ok("add", "Ada Lovelace", "--tier", "A", "--birthday", "12-10", "--email", "ada@example.com")
    ok("follow-up", "ada", "friday", "send the deck")
    ok("milestone", "add", "ada", "new job", "2026-03-01", "--yearly")


def test_a_uid_holding_a_line_break_forges_no_calendar_line(journal_path):
    _ada_with_everything_exported()
    _smuggle(journal_path, [f"UPDATE {t} SET uid = uid || ?" for t in ("contacts", "followups", "milestones")])
    text = ok("export", "ics").stdout
    assert not RAW_CONTROL.search(text)
    lines = _content_lines(text)
    assert not [line for line in lines if line.startswith("ATTENDEE")]
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == 4 and all("ATTENDEE:mailto:evil@example.com" in u for u in uids)  # the follow-up, the check-in, the birthday, the milestone
    cal = vobject.readOne(text)
    assert not any("attendee" in c.contents for c in cal.getChildren() if c.name in ("VTODO", "VEVENT"))


def test_a_date_holding_a_line_break_forges_no_calendar_line(journal_path):
    _ada_with_everything_exported()
    _smuggle(journal_path, ["UPDATE followups SET due_on = due_on || ?"])
    text = ok("export", "ics").stdout
    assert not RAW_CONTROL.search(text)
    assert not [line for line in _content_lines(text) if line.startswith("ATTENDEE")]


def test_a_uid_holding_a_line_break_forges_no_vcard_line(journal_path):
    _ada_with_everything_exported()
    _smuggle(journal_path, ["UPDATE contacts SET uid = uid || ?"])
    text = ok("export", "vcard").stdout
    assert not RAW_CONTROL.search(text)
    lines = _content_lines(text)
    assert not [line for line in lines if line.startswith("ATTENDEE")]
    assert [line for line in lines if line.startswith("UID:")][0].endswith("ATTENDEE:mailto:evil@example.com")
    assert vobject.readOne(text).email.value == "ada@example.com"


def test_a_location_with_control_characters_gives_a_clean_adr_label(journal_path):
    ok("add", "Ada Lovelace")
    conn = sqlite3.connect(journal_path)
    # ESC, NUL, DEL, the C1 CSI and NEL, a tab and a line break: none may reach the parameter raw
    conn.execute("UPDATE contacts SET location = ?", ("Lon\x1b[2Jdon\x00\x7f\x9b\x85\tcity\r\nX-EVIL:1",))
    conn.commit()
    conn.close()
    text = ok("export", "vcard").stdout
    assert not RAW_CONTROL.search(text)
    adr = next(line for line in _content_lines(text) if line.startswith("ADR;"))
    assert adr.startswith('ADR;LABEL="Lon\\x1b[2Jdon\\x00\\x7f\\x9b')
    assert not [line for line in _content_lines(text) if line.startswith("X-EVIL")]


def test_a_csv_cno_wrote_reads_back_with_a_200_kb_note(tmp_path, journal_path, monkeypatch):
    note = ('a long note, "quoted", with; separators. ' * 5000)[:199_999] + "."  # csv shows a line break as \x0a
    ok("add", "Ada Lovelace", "--note", note, "--email", "ada@example.com")
    path = tmp_path / "contacts.csv"
    ok("export", "csv", "-o", path)
    assert path.stat().st_size > 200_000
    limit = csv.field_size_limit()
    monkeypatch.setenv("CNO_DB", str(tmp_path / "fresh.db"))
    ok("import", "csv", path)
    assert ok("show", "ada", "-f", "json").json()["note"] == note
    assert csv.field_size_limit() == limit  # the rest of the process keeps the csv module's limit
