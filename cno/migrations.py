"""The journal's schema, one function per step.

An applied migration is never edited: change the schema by adding a step.
Each step runs inside the transaction `db.migrate` opens, so a failed upgrade
leaves the file as it was.
"""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("cno")


def _run(db, script: str) -> None:
    # Not executescript(): it COMMITs first, which would break the one
    # transaction that wraps the whole upgrade.
    import sqlite3

    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL in migration: {statement!r}")


@migrations()
def m001_journal(db):
    # The foundation: contacts and everything hanging off them. Every record
    # has an integer id for typing and a uid (UUID) so exports, merges and a
    # future sync can identify it across journals. Dates are ISO text so the
    # file reads well in sqlite3/Datasette and sorts correctly as text.
    _run(
        db,
        """
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,          -- casefolded name, for REF lookups
            company TEXT,
            role TEXT,
            tier TEXT CHECK (tier IN ('A', 'B', 'C')),
            every TEXT,                      -- own cadence, e.g. '2w'
            birthday TEXT,                   -- 'YYYY-MM-DD' or '--MM-DD'
            timezone TEXT,
            location TEXT,
            met TEXT,
            met_on TEXT,
            linkedin TEXT,
            note TEXT,
            archived INTEGER NOT NULL DEFAULT 0,
            created_on TEXT NOT NULL,
            -- maintained by cno on every write that affects them, so `due`
            -- is an index range scan rather than an aggregate over touchpoints
            last_touch_on TEXT,
            next_due_on TEXT,
            snoozed_until TEXT,
            snoozed_on TEXT
        );
        CREATE INDEX contacts_name_key ON contacts(name_key);
        CREATE INDEX contacts_next_due ON contacts(archived, next_due_on);

        CREATE TABLE contact_emails (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            email TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (contact_id, email)
        );
        CREATE INDEX contact_emails_email ON contact_emails(email COLLATE NOCASE);

        CREATE TABLE contact_phones (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            phone TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (contact_id, phone)
        );

        CREATE TABLE contact_tags (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (contact_id, tag)
        );
        CREATE INDEX contact_tags_tag ON contact_tags(tag);

        CREATE TABLE touchpoints (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            happened_at TEXT NOT NULL,       -- 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM'
            happened_on TEXT NOT NULL,       -- the date part, for ranges
            via TEXT NOT NULL DEFAULT 'other',
            minutes INTEGER,
            gave INTEGER NOT NULL DEFAULT 0,
            asked INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            direction TEXT,                  -- 'in'/'out' for captured mail
            created_on TEXT NOT NULL
        );
        CREATE INDEX touchpoints_happened_on ON touchpoints(happened_on);

        -- A touchpoint can involve several contacts (`cno log a --with b`).
        CREATE TABLE touchpoint_contacts (
            touchpoint_id INTEGER NOT NULL REFERENCES touchpoints(id) ON DELETE CASCADE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            happened_on TEXT NOT NULL,       -- copied from touchpoints, so a
                                             -- contact's timeline is one index
            PRIMARY KEY (touchpoint_id, contact_id)
        );
        CREATE INDEX touchpoint_contacts_contact ON touchpoint_contacts(contact_id, happened_on);

        CREATE TABLE touchpoint_tags (
            touchpoint_id INTEGER NOT NULL REFERENCES touchpoints(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (touchpoint_id, tag)
        );

        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            due_on TEXT NOT NULL,
            note TEXT,
            created_on TEXT NOT NULL,
            done_on TEXT
        );
        CREATE INDEX followups_open ON followups(done_on, due_on);
        CREATE INDEX followups_contact ON followups(contact_id);

        CREATE TABLE milestones (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            on_date TEXT NOT NULL,
            yearly INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX milestones_contact ON milestones(contact_id);

        -- Settings such as cadence.A = 21d, kept in the journal so a copied
        -- journal behaves the same on another machine.
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
