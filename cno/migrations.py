"""The journal's schema, one function per step.

An applied migration is never edited: change the schema by adding a step.
Each step runs inside the transaction `db.migrate` opens, so a failed upgrade
leaves the file as it was.
"""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("cno")

# Migrations that add columns cno keeps current (due dates, strength, the
# per-contact summaries). They only change the schema; db.migrate then runs
# one refresh of every contact with the code of this cno, after the last
# step, so an old journal is never refreshed half-way up the schema.
FILLED_BY_REFRESH = frozenset({"m006_strength", "m007_contact_summaries"})


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


@migrations()
def m002_referrals(db):
    # The Givers Gain ledger. A referral is business passed between me and a
    # contact: `given` (I passed business to contact_id) or `received`
    # (contact_id passed business to me). For a given referral, `kind` says
    # whether I do business with them myself ('inside') or sent them a third
    # party ('outside'); the prospect is a contact (prospect_id) or free text.
    # Introductions are touchpoints with `intro` set, so they sit on both
    # people's timelines without a second record.
    _run(
        db,
        """
        CREATE TABLE referrals (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            direction TEXT NOT NULL CHECK (direction IN ('given', 'received')),
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            kind TEXT CHECK (kind IN ('inside', 'outside')),
            prospect TEXT,
            prospect_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            value REAL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
            closed_value REAL,
            closed_on TEXT,
            on_date TEXT NOT NULL,
            note TEXT,
            created_on TEXT NOT NULL
        );
        CREATE INDEX referrals_contact ON referrals(contact_id, on_date);
        CREATE INDEX referrals_on_date ON referrals(on_date);
        CREATE INDEX referrals_prospect ON referrals(prospect_id);
        ALTER TABLE touchpoints ADD COLUMN intro INTEGER NOT NULL DEFAULT 0;
        """,
    )


@migrations()
def m003_goals(db):
    # Goals hold only their definition: progress is always computed from the
    # journal for the calendar period containing "today", never typed in.
    _run(
        db,
        """
        CREATE TABLE goals (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            metric TEXT NOT NULL,
            target INTEGER NOT NULL CHECK (target > 0),
            per TEXT NOT NULL DEFAULT 'week' CHECK (per IN ('week', 'month', 'quarter', 'year')),
            tag TEXT,
            tier TEXT CHECK (tier IN ('A', 'B', 'C')),
            created_on TEXT NOT NULL
        );
        """,
    )


@migrations()
def m004_search(db):
    # Full-text search (FTS5) over what users write: contacts' names,
    # companies and notes, touchpoint notes and referral notes. External
    # content tables kept current by triggers, so the index never drifts from
    # the rows and costs no second copy of the text. Written by hand rather
    # than with enable_fts(), which runs executescript() and so would commit
    # the migration's transaction half-way.
    _run(
        db,
        """
        CREATE VIRTUAL TABLE contacts_fts USING fts5(
            name, company, role, location, met, note, content='contacts', content_rowid='id'
        );
        INSERT INTO contacts_fts(rowid, name, company, role, location, met, note)
            SELECT id, name, company, role, location, met, note FROM contacts;
        CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
            INSERT INTO contacts_fts(rowid, name, company, role, location, met, note)
            VALUES (new.id, new.name, new.company, new.role, new.location, new.met, new.note);
        END;
        CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
            INSERT INTO contacts_fts(contacts_fts, rowid, name, company, role, location, met, note)
            VALUES ('delete', old.id, old.name, old.company, old.role, old.location, old.met, old.note);
        END;
        CREATE TRIGGER contacts_fts_au AFTER UPDATE OF name, company, role, location, met, note ON contacts BEGIN
            INSERT INTO contacts_fts(contacts_fts, rowid, name, company, role, location, met, note)
            VALUES ('delete', old.id, old.name, old.company, old.role, old.location, old.met, old.note);
            INSERT INTO contacts_fts(rowid, name, company, role, location, met, note)
            VALUES (new.id, new.name, new.company, new.role, new.location, new.met, new.note);
        END;

        CREATE VIRTUAL TABLE touchpoints_fts USING fts5(note, content='touchpoints', content_rowid='id');
        INSERT INTO touchpoints_fts(rowid, note) SELECT id, note FROM touchpoints;
        CREATE TRIGGER touchpoints_fts_ai AFTER INSERT ON touchpoints BEGIN
            INSERT INTO touchpoints_fts(rowid, note) VALUES (new.id, new.note);
        END;
        CREATE TRIGGER touchpoints_fts_ad AFTER DELETE ON touchpoints BEGIN
            INSERT INTO touchpoints_fts(touchpoints_fts, rowid, note) VALUES ('delete', old.id, old.note);
        END;
        CREATE TRIGGER touchpoints_fts_au AFTER UPDATE OF note ON touchpoints BEGIN
            INSERT INTO touchpoints_fts(touchpoints_fts, rowid, note) VALUES ('delete', old.id, old.note);
            INSERT INTO touchpoints_fts(rowid, note) VALUES (new.id, new.note);
        END;

        CREATE VIRTUAL TABLE referrals_fts USING fts5(prospect, note, content='referrals', content_rowid='id');
        INSERT INTO referrals_fts(rowid, prospect, note) SELECT id, prospect, note FROM referrals;
        CREATE TRIGGER referrals_fts_ai AFTER INSERT ON referrals BEGIN
            INSERT INTO referrals_fts(rowid, prospect, note) VALUES (new.id, new.prospect, new.note);
        END;
        CREATE TRIGGER referrals_fts_ad AFTER DELETE ON referrals BEGIN
            INSERT INTO referrals_fts(referrals_fts, rowid, prospect, note) VALUES ('delete', old.id, old.prospect, old.note);
        END;
        CREATE TRIGGER referrals_fts_au AFTER UPDATE OF prospect, note ON referrals BEGIN
            INSERT INTO referrals_fts(referrals_fts, rowid, prospect, note) VALUES ('delete', old.id, old.prospect, old.note);
            INSERT INTO referrals_fts(rowid, prospect, note) VALUES (new.id, new.prospect, new.note);
        END;
        """,
    )


@migrations()
def m005_capture(db):
    # Capture remembers what it has turned into touchpoints, keyed by source
    # ('ics' or 'mail') and a stable key (event UID + recurrence id, or a
    # thread/day key for mail), so a nightly run adds only what is new. Only
    # captured items are remembered: a contact added later gets their history
    # on the next run. capture_files lets a re-run skip unchanged files.
    _run(
        db,
        """
        CREATE TABLE captured (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            touchpoint_id INTEGER REFERENCES touchpoints(id) ON DELETE SET NULL,
            captured_on TEXT NOT NULL,
            PRIMARY KEY (source, key)
        );
        CREATE INDEX captured_touchpoint ON captured(touchpoint_id);
        CREATE TABLE capture_files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            contacts_version TEXT NOT NULL,  -- what the contact list was when it was read
            seen_on TEXT NOT NULL
        );
        """,
    )


@migrations()
def m006_strength(db):
    # Relationship strength decays daily; keeping its sum scaled to a fixed
    # epoch (see cno.scoring) makes today's value one multiplication, so
    # `list`, `review` and `suggest` never reread a contact's history.
    # The sums are filled in by the refresh that follows the upgrade (FILLED_BY_REFRESH).
    _run(
        db,
        """
        ALTER TABLE contacts ADD COLUMN strength_raw REAL NOT NULL DEFAULT 0;
        CREATE INDEX contacts_strength ON contacts(strength_raw);
        """,
    )


@migrations()
def m007_contact_summaries(db):
    # What the reports read for every contact, kept on the contact row by the
    # same refresh that keeps its due date, so a report over 100k contacts is
    # an index scan, not an aggregate over a million touchpoints:
    # - cadence_days: the effective cadence in days (a month counts 30)
    # - prior_touches: touchpoints in the year up to the last one (`suggest`:
    #   how often you used to meet)
    # - ref_given, ref_received, intros, won_given, won_received: the
    #   all-time referral ledger (`referrals`, `suggest`)
    # The covering index lets goal metrics count a period's touchpoints from
    # the index alone.
    _run(
        db,
        """
        ALTER TABLE contacts ADD COLUMN cadence_days INTEGER;
        ALTER TABLE contacts ADD COLUMN prior_touches INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE contacts ADD COLUMN ref_given INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE contacts ADD COLUMN ref_received INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE contacts ADD COLUMN intros INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE contacts ADD COLUMN won_given REAL NOT NULL DEFAULT 0;
        ALTER TABLE contacts ADD COLUMN won_received REAL NOT NULL DEFAULT 0;
        CREATE INDEX contacts_activity ON contacts(ref_given + ref_received + intros DESC, name_key, id);
        CREATE INDEX touchpoints_period ON touchpoints(happened_on, via, gave, intro, minutes);
        CREATE INDEX touchpoints_intro ON touchpoints(happened_on) WHERE intro = 1;
        """,
    )


@migrations()
def m008_anniversaries(db):
    # Birthdays and yearly milestones are looked up by month and day
    # ('MM-DD', the last five characters of either stored form) for the
    # coming week or period: an index on that makes `suggest` and `review`
    # read only the few that match instead of every contact.
    _run(
        db,
        """
        CREATE INDEX contacts_anniversary ON contacts(substr(birthday, -5)) WHERE birthday IS NOT NULL;
        CREATE INDEX milestones_anniversary ON milestones(substr(on_date, -5)) WHERE yearly = 1;
        """,
    )


@migrations()
def m009_suggest_index(db):
    # `suggest` scores every active contact from a dozen columns; an index
    # holding just those lets SQLite read it instead of the wide contact rows
    # (about 40% faster at 100k contacts). It starts with (archived,
    # next_due_on), so it also serves `due` and replaces contacts_next_due.
    # Dated one-off milestones are looked up by date for the coming week.
    _run(
        db,
        """
        CREATE INDEX contacts_suggest ON contacts(
            archived, next_due_on, cadence_days, prior_touches, last_touch_on, ref_received, ref_given, intros,
            tier, name_key, name, timezone
        );
        DROP INDEX contacts_next_due;
        CREATE INDEX milestones_on_date ON milestones(on_date) WHERE yearly = 0;
        """,
    )


@migrations()
def m010_contact_dates(db):
    # Goals count the contacts touched or met in a period ("contacts-touched"
    # reads last_touch_on when nothing is dated after the period): indexes
    # on both dates make that a range instead of a pass over every contact.
    _run(
        db,
        """
        CREATE INDEX contacts_last_touch ON contacts(last_touch_on, tier);
        CREATE INDEX contacts_met_on ON contacts(met_on);
        """,
    )


# Tables whose ids people type (`cno done 3`, `cno touch rm 12`): AUTOINCREMENT
# makes SQLite never hand a deleted record's id to a new one (README "Made a
# mistake?"), so an id seen in an old listing or a script never names a
# different record.
NEVER_REUSED = ("contacts", "touchpoints", "followups", "referrals", "milestones", "goals")


@migrations()
def m011_history(db):
    # The change history behind `cno undo` / `cno redo` / `cno changes` (see
    # cno.history): a change per write command and the log of what inverts
    # it. The triggers that fill the log are generated from the tables'
    # columns by history.install, after every upgrade. Also the first
    # migration that rewrites tables (to add AUTOINCREMENT), so db.open
    # backs an existing journal up before it runs (REWRITES_TABLE).
    _run(
        db,
        """
        CREATE TABLE _cno_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,                -- local date and time, YYYY-MM-DDTHH:MM
            command TEXT NOT NULL,           -- the arguments as typed after `cno`
            summary TEXT NOT NULL DEFAULT '',
            rows INTEGER NOT NULL DEFAULT 0,
            undone INTEGER NOT NULL DEFAULT 0
        );
        -- one row per inserted row (rid), per updated column (its old value)
        -- or per column of a deleted row (its old value); change_id < 0 is
        -- the redo log of an undone change
        CREATE TABLE _cno_undo (
            seq INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL,
            tbl TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('I', 'U', 'D')),
            rid INTEGER NOT NULL,
            col TEXT,
            val
        );
        CREATE INDEX _cno_undo_change ON _cno_undo(change_id, seq);
        -- the change being recorded (NULL: writes are not recorded)
        CREATE TABLE _cno_history (current INTEGER);
        INSERT INTO _cno_history VALUES (NULL);
        """,
    )
    _add_autoincrement(db, NEVER_REUSED)


def _add_autoincrement(db, tables) -> None:
    """Make each table's `id INTEGER PRIMARY KEY` an AUTOINCREMENT one, in place.

    AUTOINCREMENT changes nothing in how a table's rows are stored, only how
    SQLite picks the next id (from sqlite_sequence, never lower than any id
    it gave before). So, as SQLite's documentation describes for changes that
    leave the stored rows as they are, the table's definition is edited in
    sqlite_schema and the schema version bumped; a copy-and-rename rebuild
    can't run inside the upgrade's one transaction, where foreign keys stay on
    and dropping the old table would cascade into every table pointing at it.
    """
    import re

    conn = db.conn
    # the first AUTOINCREMENT table makes SQLite create sqlite_sequence
    conn.execute("CREATE TABLE _m011_seq (id INTEGER PRIMARY KEY AUTOINCREMENT)")
    conn.execute("DROP TABLE _m011_seq")
    edits = []
    for table in tables:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
        new_sql, n = re.subn(r"\bid INTEGER PRIMARY KEY\b(?! AUTOINCREMENT)", "id INTEGER PRIMARY KEY AUTOINCREMENT", sql, count=1)
        if n != 1:
            raise ValueError(f"{table}: no 'id INTEGER PRIMARY KEY' to make AUTOINCREMENT")
        edits.append((new_sql, table))
        conn.execute(f'INSERT INTO sqlite_sequence (name, seq) SELECT ?, coalesce(max(id), 0) FROM "{table}"', (table,))
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.executemany("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", edits)
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


@migrations()
def m012_nicknames_and_repeats(db):
    # Second-edition everyday rules:
    # - contact_nicks: nicknames (`--nick`), matched as exact names after the
    #   name itself and as words of fragments (README "Who a REF is");
    #   nick_key is the casefolded form lookups compare.
    # - contacts.snoozed_after: the newest touchpoint id when the snooze was
    #   made, so only a touchpoint logged after it ends it (one typed later
    #   the same day does; one backdated before the snooze doesn't).
    # - followups.every: a follow-up that repeats (`--every 1m`): closing it
    #   opens the next one.
    _run(
        db,
        """
        CREATE TABLE contact_nicks (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            nick TEXT NOT NULL,
            nick_key TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (contact_id, nick_key)
        );
        CREATE INDEX contact_nicks_key ON contact_nicks(nick_key);
        ALTER TABLE contacts ADD COLUMN snoozed_after INTEGER;
        ALTER TABLE followups ADD COLUMN every TEXT;
        """,
    )


# The columns of a contact that people (or a sync) write, as opposed to the
# MAINTAINED ones a refresh recomputes: a write to one of them, or to a part
# of the contact, is what moves its updated_at.
_OWN_COLUMNS = (
    "uid", "name", "name_key", "company", "role", "tier", "every", "birthday", "timezone", "location", "met",
    "met_on", "linkedin", "note", "archived", "created_on",
)  # fmt: skip
_PARTS = ("contact_emails", "contact_phones", "contact_tags", "contact_nicks")


# What contacts.updated_at is set to: the time of the change being recorded,
# else now (minutes). The bulk writer stamps a batch with it in its INSERT.
UPDATED_STAMP = (
    "coalesce((SELECT c.at FROM _cno_changes c JOIN _cno_history h ON c.id = h.current),"
    " strftime('%Y-%m-%dT%H:%M', 'now', 'localtime'))"
)


@migrations()
def m013_sync_contacts(db):
    # `cno sync contacts DIR` (README "Your phone and other machines"):
    # - contacts.updated_at: the local date-time of the change that last wrote
    #   the contact or one of its e-mails, phones, tags or nicknames (the
    #   clock's, for a write made outside cno's changes). Kept by triggers, so
    #   every path (bulk imports, merges, a restore, another program) moves it.
    #   An undo or redo puts back the value it logged rather than stamping a
    #   new one, so an undone change leaves the row exactly as it was.
    # - sync_contacts: what each vdir held at the last sync, per card: its
    #   UID (card_uid: not a cno uid, so any text), file name, the contact it is, the hash of its bytes and the
    #   mapped field values, so "changed since the last sync" is decidable on
    #   each side (three-way). A record table like the others, so `cno undo`
    #   of a sync takes its state back too; not data (export json leaves it
    #   out). contact_id becomes NULL when the contact is removed: the next
    #   sync removes the card. hash is NULL when the card was removed on
    #   purpose (archived): unarchiving writes it back under the same name.
    stamp = UPDATED_STAMP
    replaying = (
        "coalesce((SELECT current FROM _cno_history) < 0"
        " OR (SELECT c.undone FROM _cno_changes c JOIN _cno_history h ON c.id = h.current) = 1, 0)"
    )
    script = f"""
        ALTER TABLE contacts ADD COLUMN updated_at TEXT;
        UPDATE contacts SET updated_at = {stamp};
        CREATE TRIGGER contacts_updated_ai AFTER INSERT ON contacts WHEN NEW.updated_at IS NULL BEGIN
            UPDATE contacts SET updated_at = {stamp} WHERE id = NEW.id;
        END;
        CREATE TRIGGER contacts_updated_au AFTER UPDATE OF {", ".join(_OWN_COLUMNS)} ON contacts
        WHEN ({" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _OWN_COLUMNS)}) AND NOT {replaying} BEGIN
            UPDATE contacts SET updated_at = {stamp} WHERE id = NEW.id AND updated_at IS NOT {stamp};
        END;
        CREATE TABLE sync_contacts (
            dir TEXT NOT NULL,               -- the vdir, as an absolute path
            card_uid TEXT NOT NULL,          -- the card's UID, any text (its file name's stem when it has none)
            file TEXT NOT NULL,              -- its file name in dir
            contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            hash TEXT,                       -- sha256 of its bytes at the last sync; NULL: removed on purpose
            fields TEXT NOT NULL,            -- JSON: the mapped field values at the last sync
            updated_at TEXT,                 -- the contact's updated_at at the last sync
            PRIMARY KEY (dir, card_uid)
        );
        CREATE UNIQUE INDEX sync_contacts_file ON sync_contacts(dir, file);
        CREATE INDEX sync_contacts_contact ON sync_contacts(contact_id);
    """
    for table in _PARTS:
        for event, row in (("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")):
            script += f"""
        CREATE TRIGGER {table}_updated_{event[0].lower()} AFTER {event} ON {table} WHEN NOT {replaying} BEGIN
            UPDATE contacts SET updated_at = {stamp} WHERE id = {row}.contact_id AND updated_at IS NOT {stamp};
        END;
"""
    _run(db, script)


@migrations()
def m014_sync_tasks(db):
    # `cno sync tasks DIR` keeps a folder of VTODOs and the journal in step
    # (README "Reminders: cno sync tasks"). What it remembers of each to-do it
    # wrote or read, per folder, is what makes a change decidable on each
    # side: the DUE both sides agreed on at the last sync, a digest of what
    # cno wrote (cno's side changed when today's rendering differs) and of the
    # file as it was left (the phone's side changed when the file differs).
    # A record table like any other, so a sync and its state undo together;
    # not in `export json` (paths of this machine) — see io.dump.EXCLUDED.
    _run(
        db,
        """
        CREATE TABLE sync_tasks (
            folder TEXT NOT NULL,            -- the folder, as an absolute path
            todo_uid TEXT NOT NULL,          -- the VTODO's UID
            file TEXT NOT NULL,              -- its file name in the folder
            kind TEXT NOT NULL CHECK (kind IN ('follow-up', 'check-in')),
            due_on TEXT NOT NULL,            -- DUE at the last sync
            content TEXT NOT NULL,           -- digest of cno's rendering at the last sync
            hash TEXT NOT NULL,              -- sha256 of the file's bytes at the last sync
            sequence INTEGER NOT NULL DEFAULT 0,
            synced_on TEXT NOT NULL,
            PRIMARY KEY (folder, todo_uid)
        );
        CREATE UNIQUE INDEX sync_tasks_file ON sync_tasks(folder, file);
        """,
    )
