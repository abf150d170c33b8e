"""Contacts out as CSV and vCard 4.0; follow-ups, check-ins, birthdays and
milestones out as iCalendar. Everything streams from one cursor per kind of
record, so memory stays flat however large the journal is.
"""

from __future__ import annotations

import csv
import sqlite3
from datetime import date, timedelta
from typing import Iterator

from cno.dates import next_anniversary
from cno.db import split_list
from cno.io import vcard
from cno.io.folding import fold
from cno.render import csv_cell

CSV_COLUMNS = [
    "id", "uid", "name", "company", "role", "emails", "phones", "tags", "tier", "every", "birthday",
    "timezone", "location", "met", "met_on", "linkedin", "note", "archived", "created_on",
    "last_touch_on", "next_due_on",
]  # fmt: skip
ICS_HORIZON_DAYS = 90

def count_contacts(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM contacts").fetchone()[0]


def contacts(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every contact with its lists, by name, one row at a time."""
    sql = (
        "SELECT c.*,"
        " (SELECT group_concat(email, char(31)) FROM (SELECT email FROM contact_emails WHERE contact_id = c.id ORDER BY position)) AS emails,"
        " (SELECT group_concat(phone, char(31)) FROM (SELECT phone FROM contact_phones WHERE contact_id = c.id ORDER BY position)) AS phones,"
        " (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM contact_tags WHERE contact_id = c.id ORDER BY tag)) AS tags"
        " FROM contacts c ORDER BY c.name_key, c.id"
    )
    for r in conn.execute(sql):
        row = dict(r)
        for key in ("emails", "phones", "tags"):
            row[key] = split_list(row[key])
        row["archived"] = bool(row["archived"])
        yield row


def write_csv(conn: sqlite3.Connection, out, *, tick=lambda n=1: None) -> None:
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for row in contacts(conn):
        w.writerow([csv_cell(row[k]) for k in CSV_COLUMNS])
        tick()


def write_vcard(conn: sqlite3.Connection, out, *, tick=lambda n=1: None) -> None:
    for row in contacts(conn):
        out.write(vcard.card(row))
        tick()


# -- iCalendar -------------------------------------------------------------------


def _day(iso_date: str) -> str:
    return iso_date.replace("-", "")


def _component(kind: str, props: list[str]) -> str:
    return "".join(fold(p) for p in [f"BEGIN:{kind}", *props, f"END:{kind}"])


def ics_items(conn: sqlite3.Connection, today: date) -> Iterator[str]:
    """The calendar's components: to-dos for what is due, yearly events for what recurs."""
    esc = vcard.escape
    # DTSTAMP is required; "today" keeps the file deterministic for --as-of and tests
    stamp = f"DTSTAMP:{_day(today.isoformat())}T000000Z"
    horizon = (today + timedelta(days=ICS_HORIZON_DAYS)).isoformat()
    for r in conn.execute(
        "SELECT f.uid, f.due_on, f.note, c.name FROM followups f JOIN contacts c ON c.id = f.contact_id"
        " WHERE f.done_on IS NULL AND c.archived = 0 ORDER BY f.due_on, f.id"
    ):
        summary = f"Follow up with {r['name']}" + (f": {r['note']}" if r["note"] else "")
        yield _component("VTODO", [
            f"UID:{r['uid']}", stamp, f"DUE;VALUE=DATE:{_day(r['due_on'])}", f"SUMMARY:{esc(summary)}", "STATUS:NEEDS-ACTION",
        ])  # fmt: skip
    for r in conn.execute(
        "SELECT uid, name, next_due_on FROM contacts WHERE archived = 0 AND next_due_on <= ? ORDER BY next_due_on, name_key",
        (horizon,),
    ):
        yield _component("VTODO", [
            f"UID:{r['uid']}-check-in", stamp, f"DUE;VALUE=DATE:{_day(r['next_due_on'])}",
            f"SUMMARY:{esc('Check in with ' + r['name'])}", "STATUS:NEEDS-ACTION",
        ])  # fmt: skip
    for r in conn.execute("SELECT uid, name, birthday FROM contacts WHERE archived = 0 AND birthday IS NOT NULL ORDER BY name_key"):
        # a birthday without a year starts at its next occurrence
        start = r["birthday"] if not r["birthday"].startswith("--") else next_anniversary(r["birthday"], today).isoformat()
        yield _yearly(f"{r['uid']}-birthday", stamp, start, f"{r['name']}'s birthday")
    for r in conn.execute(
        "SELECT m.uid, m.label, m.on_date, c.name FROM milestones m JOIN contacts c ON c.id = m.contact_id"
        " WHERE m.yearly = 1 AND c.archived = 0 ORDER BY m.on_date, m.id"
    ):
        yield _yearly(r["uid"], stamp, r["on_date"], f"{r['name']}: {r['label']}")


def _yearly(uid: str, stamp: str, start: str, summary: str) -> str:
    end = (date.fromisoformat(start) + timedelta(days=1)).isoformat()
    return _component("VEVENT", [
        f"UID:{uid}", stamp, f"DTSTART;VALUE=DATE:{_day(start)}", f"DTEND;VALUE=DATE:{_day(end)}",
        "RRULE:FREQ=YEARLY", f"SUMMARY:{vcard.escape(summary)}", "TRANSP:TRANSPARENT",
    ])  # fmt: skip


def write_ics(conn: sqlite3.Connection, out, today: date, *, tick=lambda n=1: None) -> None:
    out.write(fold("BEGIN:VCALENDAR") + fold("VERSION:2.0") + fold("PRODID:-//cno//cno networking journal//EN"))
    out.write(fold("CALSCALE:GREGORIAN") + fold("X-WR-CALNAME:cno"))
    for item in ics_items(conn, today):
        out.write(item)
        tick()
    out.write(fold("END:VCALENDAR"))
