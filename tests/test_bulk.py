"""The bulk writers write exactly what the one-record functions write, and refuse the same input."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest

from cno import contacts, followups, integrity, referrals, touchpoints
from cno.contacts import ContactInput
from cno.db import open_journal
from cno.errors import CnoError
from tests.bench import make_journal
from tests.conftest import snapshot

TODAY = date(2026, 11, 22)
FTS = ("contacts_fts", "touchpoints_fts", "referrals_fts")


def build(path, *, bulk: bool) -> None:
    journal = open_journal(path, create=True)
    try:
        with journal.write() as conn:
            make_journal.build(conn, 150, 1500, 120, seed=7, today=TODAY, bulk=bulk)
    finally:
        journal.close()


def rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    """A table's rows in rowid order, uid values left out (they are random by design), and
    updated_at (the moment of the change that wrote the contact: a sync's bookkeeping)."""
    cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[1] not in ("uid", "applied_at", "updated_at")]
    return conn.execute(f'SELECT rowid, {", ".join(cols)} FROM "{table}" ORDER BY rowid').fetchall()


def indexed_words(conn: sqlite3.Connection, fts: str) -> list[tuple]:
    """What a search index holds, term by term: its files may be cut into segments differently."""
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{fts}_words USING fts5vocab(main, {fts}, instance)")
    return conn.execute(f"SELECT term, doc, col, offset FROM temp.{fts}_words ORDER BY term, doc, col, offset").fetchall()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk")
    single, bulk = folder / "single.db", folder / "bulk.db"
    build(single, bulk=False)
    build(bulk, bulk=True)
    a, b = sqlite3.connect(single), sqlite3.connect(bulk)
    yield a, b
    a.close()
    b.close()


def content_tables(conn) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    # the FTS tables' own storage is compared by what it indexes, below
    return [n for n in names if not n.startswith(FTS)]


def test_bulk_build_writes_every_table_row_for_row_as_one_record_at_a_time(both):
    single, bulk = both
    tables = content_tables(single)
    assert tables == content_tables(bulk)
    for table in tables:
        assert rows(bulk, table) == rows(single, table), table
    counts = {t: len(rows(bulk, t)) for t in ("contacts", "touchpoints", "touchpoint_contacts", "touchpoint_tags", "referrals")}
    assert all(counts.values()), counts


def test_bulk_build_maintains_last_touch_next_due_and_strength(both):
    single, bulk = both
    sql = "SELECT id, last_touch_on, next_due_on, snoozed_until, strength_raw FROM contacts ORDER BY id"
    assert bulk.execute(sql).fetchall() == single.execute(sql).fetchall()
    overdue = bulk.execute("SELECT count(*) FROM contacts WHERE archived = 0 AND next_due_on < ?", (TODAY.isoformat(),))
    assert overdue.fetchone()[0] > 0


@pytest.mark.parametrize("fts", FTS)
def test_bulk_build_indexes_the_same_words_for_search(both, fts):
    single, bulk = both
    words = indexed_words(bulk, fts)
    assert words and words == indexed_words(single, fts)


def test_bulk_built_journal_passes_db_check(both):
    _, bulk = both
    bulk.row_factory = sqlite3.Row
    try:
        assert integrity.check(bulk) == []
    finally:
        bulk.row_factory = None


def test_refresh_of_every_contact_in_one_pass_matches_refresh_by_id(both, monkeypatch):
    _, bulk = both
    bulk.row_factory = sqlite3.Row
    sql = "SELECT id, last_touch_on, next_due_on, snoozed_until, snoozed_on, strength_raw FROM contacts ORDER BY id"
    stored = bulk.execute(sql).fetchall()
    ids = [r["id"] for r in stored]
    bulk.execute("SAVEPOINT t")
    try:
        bulk.execute("UPDATE contacts SET last_touch_on = NULL, next_due_on = NULL, strength_raw = 0")
        followups.refresh(bulk)  # one grouped pass
        assert bulk.execute(sql).fetchall() == stored
        bulk.execute("UPDATE contacts SET last_touch_on = NULL, next_due_on = NULL, strength_raw = 0")
        monkeypatch.setattr(followups, "_MANY", len(ids))  # force the lookup per contact
        followups.refresh(bulk, ids)
        assert bulk.execute(sql).fetchall() == stored
        bulk.execute("UPDATE contacts SET last_touch_on = NULL, next_due_on = NULL, strength_raw = 0")
        monkeypatch.setattr(followups, "_MANY", 0)  # force the grouped pass for a subset
        followups.refresh(bulk, ids[: len(ids) * 3 // 4])
        got = bulk.execute(sql).fetchall()
        assert got[: len(ids) * 3 // 4] == stored[: len(ids) * 3 // 4]
        assert {r["strength_raw"] for r in got[len(ids) * 3 // 4 :]} == {0}  # the others were left alone
    finally:
        bulk.execute("ROLLBACK TO t")
        bulk.execute("RELEASE t")
        bulk.row_factory = None


def test_bulk_writers_return_the_ids_one_at_a_time_would_get(tmp_path):
    journal = open_journal(tmp_path / "j.db", create=True)
    with journal.write() as conn:
        first = contacts.add_contact(conn, "Ada Lovelace", ContactInput(), TODAY)
        conn.execute("DELETE FROM contacts WHERE id = ?", (first,))  # a deleted id is never given again
        ids = contacts.add_contacts(conn, [("Grace Hopper", ContactInput()), ("Alan Turing", ContactInput())], TODAY)
        assert ids == [2, 3]
        assert contacts.add_contact(conn, "Joan Clarke", ContactInput(), TODAY) == 4
        tids = touchpoints.log_touchpoints(conn, [{"contact_ids": [2]}, {"contact_ids": [3, 4]}], TODAY)
        assert tids == [1, 2]
        conn.execute("DELETE FROM touchpoints WHERE id = 2")
        assert touchpoints.log_touchpoint(conn, [2], TODAY) == 3
        assert touchpoints.log_touchpoints(conn, [{"contact_ids": [2]}], TODAY) == [4]
        rids = referrals.add_referrals(conn, [{"direction": "given", "contact_id": 2}], TODAY)
        assert rids == [1]
        assert referrals.add_referrals(conn, [], TODAY) == []
        assert touchpoints.log_touchpoints(conn, [], TODAY) == []
        assert contacts.add_contacts(conn, [], TODAY) == []
    journal.close()


# -- refusals: the same message as the one-record function, and nothing written ----------------

FUTURE = TODAY + timedelta(days=1)
BAD_CONTACTS = {
    "empty name": ("  ", ContactInput()),
    "digits for a name": ("1234", ContactInput()),
    "tier": ("Ada", ContactInput(tier="Z")),
    "cadence": ("Ada", ContactInput(every="often")),
    "birthday": ("Ada", ContactInput(birthday="13-45")),
    "time zone": ("Ada", ContactInput(timezone="Mars/Olympus")),
    "e-mail": ("Ada", ContactInput(emails=["not-an-address"])),
    "phone": ("Ada", ContactInput(phones=["call me"])),
    "tag": ("Ada", ContactInput(tags=["#"])),
    "met in the future": ("Ada", ContactInput(met_on="2031-01-01")),
    "e-mail of someone in the journal": ("Ada", ContactInput(emails=["GRACE@example.com"])),
}
BAD_TOUCHES = {
    "future": {"contact_ids": [1], "when": FUTURE},
    "future time": {"contact_ids": [1], "when": datetime(FUTURE.year, FUTURE.month, FUTURE.day, 9, 0)},
    "nobody": {"contact_ids": []},
    "channel": {"contact_ids": [1], "via": "pigeon"},
    "minutes": {"contact_ids": [1], "minutes": 0},
    "tag": {"contact_ids": [1], "tags": ["  "]},
}
BAD_REFERRALS = {
    "direction": {"direction": "sideways", "contact_id": 1},
    "future": {"direction": "given", "contact_id": 1, "on": FUTURE},
    "value": {"direction": "given", "contact_id": 1, "value": -5},
    "prospect is the contact": {"direction": "given", "contact_id": 1, "prospect": "1"},
    "no such prospect id": {"direction": "given", "contact_id": 1, "prospect": "999"},
}


@pytest.fixture
def journal(tmp_path):
    j = open_journal(tmp_path / "j.db", create=True)
    with j.write() as conn:
        contacts.add_contact(conn, "Grace Hopper", ContactInput(emails=["grace@example.com"]), TODAY)
    yield j
    j.close()


def refusal(journal, write) -> str:
    """The CnoError `write` raises inside a transaction; asserts the journal is unchanged after."""
    before = snapshot(journal.path)
    with pytest.raises(CnoError) as e:
        with journal.write() as conn:
            write(conn)
    assert snapshot(journal.path) == before
    return str(e.value)


@pytest.mark.parametrize("case", BAD_CONTACTS, ids=list(BAD_CONTACTS))
def test_add_contacts_refuses_what_add_contact_refuses(journal, case):
    name, data = BAD_CONTACTS[case]
    alone = refusal(journal, lambda c: contacts.add_contact(c, name, data, TODAY))
    good = ("Alan Turing", ContactInput())
    assert refusal(journal, lambda c: contacts.add_contacts(c, [good, (name, data)], TODAY)) == alone


def test_add_contacts_refuses_an_e_mail_twice_in_one_batch(journal):
    rows = [("Ada", ContactInput(emails=["ada@example.com"])), ("Ada L", ContactInput(emails=["ADA@example.com"]))]
    msg = refusal(journal, lambda c: contacts.add_contacts(c, rows, TODAY))
    assert msg == "ADA@example.com already belongs to Ada (#2)"
    # one at a time says the same
    assert refusal(journal, lambda c: [contacts.add_contact(c, n, d, TODAY) for n, d in rows]) == msg


def test_add_contacts_compares_e_mails_as_sqlite_does(journal):
    # NOCASE folds ASCII only: one at a time, these two are different addresses
    rows = [("Eve", ContactInput(emails=["éve@example.com"])), ("Eve B", ContactInput(emails=["Éve@example.com"]))]
    with journal.write() as conn:
        assert contacts.add_contacts(conn, rows, TODAY) == [2, 3]


@pytest.mark.parametrize("case", BAD_TOUCHES, ids=list(BAD_TOUCHES))
def test_log_touchpoints_refuses_what_log_touchpoint_refuses(journal, case):
    item = BAD_TOUCHES[case]
    alone = refusal(journal, lambda c: touchpoints.log_touchpoint(c, today=TODAY, **item))
    good = {"contact_ids": [1], "note": "fine"}
    assert refusal(journal, lambda c: touchpoints.log_touchpoints(c, [good, item], TODAY)) == alone


def test_log_touchpoints_refuses_an_unknown_contact_and_writes_nothing(journal):
    before = snapshot(journal.path)
    with pytest.raises(sqlite3.IntegrityError):
        with journal.write() as conn:
            touchpoints.log_touchpoints(conn, [{"contact_ids": [1]}, {"contact_ids": [1, 42]}], TODAY)
    assert snapshot(journal.path) == before


def test_an_intro_needs_two_different_people(journal):
    alone = refusal(journal, lambda c: referrals.intro(c, 1, 1, TODAY))
    assert alone == refusal(journal, lambda c: touchpoints.log_touchpoints(c, [referrals.intro_touchpoint(1, 1)], TODAY))


@pytest.mark.parametrize("case", BAD_REFERRALS, ids=list(BAD_REFERRALS))
def test_add_referrals_refuses_what_add_referral_refuses(journal, case):
    item = BAD_REFERRALS[case]
    alone = refusal(journal, lambda c: referrals.add_referral(c, today=TODAY, **item))
    good = {"direction": "received", "contact_id": 1}
    assert refusal(journal, lambda c: referrals.add_referrals(c, [good, item], TODAY)) == alone


BAD_CLOSINGS = {
    "no such referral": {"referral_id": 99, "won": True},
    "future": {"referral_id": 1, "won": True, "on": FUTURE},
    "before it was passed": {"referral_id": 1, "won": False, "on": TODAY - timedelta(days=30)},
    "value of a lost one": {"referral_id": 1, "won": False, "value": 100},
    "negative value": {"referral_id": 1, "won": True, "value": -1},
    "closed twice": {"referral_id": 2, "won": True},
}


@pytest.mark.parametrize("case", BAD_CLOSINGS, ids=list(BAD_CLOSINGS))
def test_close_referrals_refuses_what_close_referral_refuses(journal, case):
    with journal.write() as conn:
        referrals.add_referrals(conn, [{"direction": "given", "contact_id": 1, "on": TODAY - timedelta(days=7)}] * 2, TODAY)
    item = BAD_CLOSINGS[case]
    good = {"referral_id": 2, "won": False}
    alone = refusal(journal, lambda c: [referrals.close_referral(c, today=TODAY, **i) for i in (good, item)])
    assert refusal(journal, lambda c: referrals.close_referrals(c, [good, item], TODAY)) == alone


def test_close_referrals_keeps_the_won_values_current(journal):
    with journal.write() as conn:
        referrals.add_referrals(conn, [{"direction": "received", "contact_id": 1, "value": 500}] * 3, TODAY)
        referrals.close_referrals(
            conn, [{"referral_id": 1, "won": True}, {"referral_id": 2, "won": True, "value": 800}, {"referral_id": 3, "won": False}], TODAY
        )
    report, _ = referrals.ledger(journal.conn, TODAY)
    assert [(r["received"], r["won_value_received"]) for r in report] == [(3, 1300)]


# -- imports and capture write what the one-record commands write -------------------------


def _journal_rows(path) -> dict:
    """Every record of the tables an import or a capture writes, uids aside; the
    lists of a contact by their keys (a batch inserts them in another row order,
    which `export json` doesn't see: it orders by key)."""
    conn = sqlite3.connect(path)
    try:
        out = {t: rows(conn, t) for t in ("contacts", "touchpoints")}
        for t in ("contact_emails", "contact_phones", "contact_tags", "touchpoint_contacts"):
            out[t] = sorted(r[1:] for r in rows(conn, t))
        return out
    finally:
        conn.close()


def test_an_import_writes_what_adding_each_record_by_hand_writes(tmp_path, monkeypatch):
    from tests.conftest import ok

    people = [(f"Person {i}", f"Company {i % 7}", f"p{i}@example.com", f"+44 20 7946 {i:04d}", "") for i in range(30)]
    people += [
        ("P. Three", "", "p3@example.com", "+44 20 7946 9999", ""),  # an e-mail of a contact still in the batch: fills it
        ("Person 4", "Company 4", "other4@example.com", "", ""),  # other e-mails: a second Person 4
        ("Someone Second", "", "", "", "A"),  # a contact already here: its tier filled, its next check-in re-dated
    ]
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("Name,Company,E-mail Address,Phone,Tier\n" + "".join(",".join(p) + "\n" for p in people))
    imported, by_hand = tmp_path / "imported.db", tmp_path / "by_hand.db"
    for path in (imported, by_hand):
        monkeypatch.setenv("CNO_DB", str(path))
        ok("add", "Someone First", "--tier", "A")
        ok("add", "Someone Second", "--as-of", "2026-01-01")
    monkeypatch.setenv("CNO_DB", str(imported))
    ok("import", "csv", str(csv_file))
    monkeypatch.setenv("CNO_DB", str(by_hand))
    for n, c, e, p, _ in people[:30]:
        ok("add", n, "--company", c, "--email", e, "--phone", p)
    ok("edit", "p3@example.com", "--phone", "+44 20 7946 9999")
    ok("add", "Person 4", "--again", "--company", "Company 4", "--email", "other4@example.com")
    ok("edit", "Someone Second", "--tier", "A")
    # an import sets no met_on (it doesn't count as meeting new people); `add` sets today's
    conn = sqlite3.connect(by_hand)
    conn.execute("UPDATE contacts SET met_on = NULL WHERE name NOT LIKE 'Someone %'")
    conn.commit()
    conn.close()
    assert _journal_rows(imported) == _journal_rows(by_hand)
    assert ok("--db", str(imported), "db", "check").code == 0


def test_a_capture_writes_what_logging_each_touchpoint_by_hand_writes(tmp_path, monkeypatch):
    from tests.conftest import ok

    mbox = tmp_path / "mail.mbox"
    mbox.write_text("".join(
        f"From a@x Thu Nov {10 + i} 09:00:00 2026\nFrom: Person {i % 3} <p{i % 3}@example.com>\nTo: me@example.com\n"
        f"Subject: note {i}\nDate: Thu, {10 + i} Nov 2026 09:00:00 +0000\nMessage-ID: <m{i}@x>\n\nhello\n\n"
        for i in range(9)
    ))  # fmt: skip
    captured, by_hand = tmp_path / "captured.db", tmp_path / "by_hand.db"
    for path in (captured, by_hand):
        monkeypatch.setenv("CNO_DB", str(path))
        ok("config", "set", "me.email", "me@example.com")
        for i in range(3):
            ok("add", f"Person {i}", "--email", f"p{i}@example.com", "--tier", "B")
    monkeypatch.setenv("CNO_DB", str(captured))
    monkeypatch.setenv("TZ", "UTC")
    ok("capture", "mbox", str(mbox))
    monkeypatch.setenv("CNO_DB", str(by_hand))
    for i in range(9):
        ok("log", f"p{i % 3}@example.com", f"note {i}", "--via", "email", "--on", f"2026-11-{10 + i} 09:00")
    conn = sqlite3.connect(by_hand)
    conn.execute("UPDATE touchpoints SET direction = 'in'")  # captured mail knows its direction
    conn.commit()
    conn.close()
    a, b = _journal_rows(captured), _journal_rows(by_hand)
    assert a == b


def test_contacts_a_bulk_add_writes_are_stamped_as_the_change_like_cno_add(tmp_path):
    """A bulk add sets updated_at in its insert (no trigger's UPDATE of each row
    after it): the change's time, what `cno add` gets."""
    from cno import history

    journal = open_journal(tmp_path / "j.db", create=True)
    try:
        with journal.write() as conn:
            change = history.begin(conn, "import linkedin", "2026-11-22T09:30")
            contacts.add_contacts(conn, [("Grace Hopper", ContactInput()), ("Alan Turing", ContactInput())], TODAY)
            contacts.add_contact(conn, "Joan Clarke", ContactInput(), TODAY)
            history.end(conn, change)
        stamps = [r[0] for r in journal.conn.execute("SELECT updated_at FROM contacts ORDER BY id")]
    finally:
        journal.close()
    assert stamps == ["2026-11-22T09:30"] * 3
