"""`cno sync contacts DIR` (README "Your phone and other machines"), through the CLI, on `-f json`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import cno, ok, snapshot

KEYS = ["added", "updated", "archived", "removed", "written", "conflicts"]


def sync(folder: Path, *extra: str) -> dict:
    out = ok("sync", "contacts", str(folder), "-f", "json", *extra).json()
    assert list(out) == KEYS
    return out


def counts(out: dict) -> dict:
    return {k: v for k, v in out.items() if k != "conflicts"}


def show(ref: str) -> dict:
    return ok("show", ref, "-f", "json").json()


def uid_of(ref: str) -> str:
    return show(ref)["uid"]


def card_path(folder: Path, ref: str) -> Path:
    return folder / f"{uid_of(ref)}.vcf"


def stats(folder: Path) -> dict:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in sorted(folder.iterdir())}


def edit_card(path: Path, old: str, new: str) -> None:
    text = path.read_bytes().decode()
    assert old in text, text
    path.write_bytes(text.replace(old, new).encode())


@pytest.fixture
def vdir(tmp_path, journal_path) -> Path:
    folder = tmp_path / "contacts"
    folder.mkdir()
    ok("add", "Ada Lovelace", "--email", "ada@example.org", "--phone", "+44 20 7946 0958", "--tag", "math",
       "--birthday", "1815-12-10", "--company", "Analytical Engines, Ltd", "--role", "Countess",
       "--location", "London", "--linkedin", "https://www.linkedin.com/in/ada", "--nick", "Ada L",
       "--note", "notes:\twith a tab; and, commas\nand a second line", "--tier", "A", "--every", "2w", "--tz", "Europe/London")  # fmt: skip
    ok("add", "Grace Hopper", "--email", "grace@navy.example", "--birthday", "12-09")
    ok("add", "Old Friend", "--email", "old@example.org")
    ok("archive", "old friend")
    return folder


FOREIGN = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\nUID:ABCD-1234-PHONE\r\n"
    "FN:Linus Torvalds\r\nN:Torvalds;Linus;;;\r\nitem1.EMAIL;type=INTERNET;type=WORK:linus@example.org\r\n"
    "item1.X-ABLabel:_$!<Work>!$_\r\nTEL;type=CELL;type=VOICE:+1 503 555 0100\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\nX-PHONE-ONLY:keep me\r\nEND:VCARD\r\n"
)


# -- the first sync, and the second ---------------------------------------------------


def test_the_first_sync_writes_one_uid_named_card_per_active_contact_with_the_mapped_fields(vdir):
    out = sync(vdir)
    assert counts(out) == {"added": 0, "updated": 0, "archived": 0, "removed": 0, "written": 2}
    names = sorted(p.name for p in vdir.iterdir())
    assert names == sorted([f"{uid_of('ada')}.vcf", f"{uid_of('grace')}.vcf"])  # the archived contact has none
    ada = card_path(vdir, "ada").read_text()
    for line in ("FN:Ada Lovelace", "NICKNAME:Ada L", "EMAIL:ada@example.org", "TEL;VALUE=text:+44 20 7946 0958",
                 "ORG:Analytical Engines\\, Ltd", "TITLE:Countess", "BDAY:18151210", "CATEGORIES:math",
                 "URL:https://www.linkedin.com/in/ada", f"UID:{uid_of('ada')}"):  # fmt: skip
        assert line in ada.splitlines(), line
    assert "BDAY:--1209" in card_path(vdir, "grace").read_text()  # a birthday without a year
    # cno-only fields go to no server
    assert "X-CNO" not in ada and "TZ" not in ada and "2w" not in ada


def test_a_second_sync_changes_nothing_and_leaves_every_card_byte_mtime_and_inode_identical(vdir):
    sync(vdir)
    before = stats(vdir)
    changes = ok("changes", "-f", "json").json()
    out = sync(vdir)
    assert counts(out) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    assert out["conflicts"] == []
    assert stats(vdir) == before
    assert ok("changes", "-f", "json").json() == changes  # no change recorded


def test_a_cno_edit_rewrites_that_card_only_and_round_trips(vdir):
    sync(vdir)
    before = stats(vdir)
    ok("edit", "grace", "--role", "Rear Admiral", "--email", "grace2@navy.example")
    out = sync(vdir)
    assert counts(out)["written"] == 1 and counts(out)["updated"] == 0
    after = stats(vdir)
    ada = card_path(vdir, "ada").name
    assert after[ada] == before[ada]
    text = card_path(vdir, "grace").read_text()
    assert "TITLE:Rear Admiral" in text and "EMAIL:grace2@navy.example" in text
    assert counts(sync(vdir))["written"] == 0


# -- changes from the folder ----------------------------------------------------------


def test_a_card_edited_in_the_folder_changes_its_contact(vdir):
    sync(vdir)
    path = card_path(vdir, "ada")
    edit_card(path, "TITLE:Countess", "TITLE:Mathematician")
    edit_card(path, "EMAIL:ada@example.org", "EMAIL:ada@example.org\r\nEMAIL:ada@engines.example")
    edit_card(path, "TEL;VALUE=text:+44 20 7946 0958\r\n", "")
    edit_card(path, "BDAY:18151210", "BDAY:--1210")
    out = sync(vdir)
    assert counts(out) == {"added": 0, "updated": 1, "archived": 0, "removed": 0, "written": 0}
    ada = show("ada")
    assert ada["role"] == "Mathematician"
    assert ada["emails"] == ["ada@example.org", "ada@engines.example"]
    assert ada["phones"] == []
    assert ada["birthday"] == "--12-10"
    assert ada["tier"] == "A" and ada["timezone"] == "Europe/London"  # cno-only fields untouched
    assert counts(sync(vdir)) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)


def test_x_cno_properties_and_tz_on_a_card_are_never_read_back(vdir):
    sync(vdir)
    path = card_path(vdir, "ada")
    lines = [x for x in path.read_bytes().decode().split("\r\n") if not x.startswith(("TZ", "X-CNO"))]
    path.write_bytes("\r\n".join(lines).replace("END:VCARD", "X-CNO-TIER:C\r\nX-CNO-EVERY:1y\r\nTZ:Asia/Tokyo\r\nEND:VCARD").encode())
    sync(vdir)
    ada = show("ada")
    assert (ada["tier"], ada["every"], ada["timezone"]) == ("A", "2w", "Europe/London")


def test_changed_on_both_sides_cno_wins_and_the_conflict_is_reported(vdir):
    sync(vdir)
    edit_card(card_path(vdir, "ada"), "TITLE:Countess", "TITLE:Poet")
    ok("edit", "ada", "--role", "Analyst")
    out = sync(vdir)
    assert out["conflicts"] == [{"uid": uid_of("ada"), "name": "Ada Lovelace", "field": "role", "kept": "Analyst", "other": "Poet"}]
    assert show("ada")["role"] == "Analyst"
    assert "TITLE:Analyst" in card_path(vdir, "ada").read_text()
    assert sync(vdir)["conflicts"] == []


def test_the_same_change_on_both_sides_is_no_conflict(vdir):
    sync(vdir)
    edit_card(card_path(vdir, "ada"), "TITLE:Countess", "TITLE:Analyst")
    ok("edit", "ada", "--role", "Analyst")
    out = sync(vdir)
    assert out["conflicts"] == [] and counts(out)["written"] == 0


def test_list_items_added_on_either_side_are_added_and_removed_on_one_side_removed(vdir):
    ok("edit", "ada", "--tag", "poetry", "--email", "ada2@example.org")
    sync(vdir)
    path = card_path(vdir, "ada")
    # the card: one tag removed, one added, an e-mail added
    edit_card(path, "CATEGORIES:math,poetry", "CATEGORIES:math,engines")
    edit_card(path, "EMAIL:ada2@example.org", "EMAIL:ada2@example.org\r\nEMAIL:ada3@example.org")
    # cno: a tag added, an e-mail removed
    ok("edit", "ada", "--tag", "victorian", "--remove-email", "ada2@example.org")
    out = sync(vdir)
    assert out["conflicts"] == []
    ada = show("ada")
    assert sorted(ada["tags"]) == ["engines", "math", "victorian"]
    assert ada["emails"] == ["ada@example.org", "ada3@example.org"]
    text = path.read_text()
    assert "CATEGORIES:engines,math,victorian" in text and "ada2@" not in text and "EMAIL:ada3@example.org" in text
    assert counts(sync(vdir)) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)


# -- archiving and removing -------------------------------------------------------------


def test_a_card_deleted_from_the_folder_archives_its_contact_and_unarchive_writes_it_back(vdir):
    sync(vdir)
    path = card_path(vdir, "grace")
    path.unlink()
    out = sync(vdir)
    assert counts(out)["archived"] == 1
    grace = show("grace")
    assert grace["archived"] is True  # archived, never deleted
    assert not path.exists()
    assert counts(sync(vdir)) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    ok("unarchive", "grace")
    assert counts(sync(vdir))["written"] == 1
    assert path.exists() and "FN:Grace Hopper" in path.read_text()


def test_a_new_card_for_a_contact_whose_card_was_deleted_brings_that_contact_back(vdir):
    sync(vdir)
    path = card_path(vdir, "grace")
    path.unlink()
    sync(vdir)
    assert show("grace")["archived"] is True
    (vdir / "grace-again.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:grace-again\r\nFN:Grace Hopper\r\nEMAIL:grace@navy.example\r\n"
        "TITLE:Admiral\r\nEND:VCARD\r\n"
    )
    out = sync(vdir)
    assert counts(out) == {"added": 0, "updated": 1, "archived": 0, "removed": 0, "written": 1}
    grace = show("grace")
    assert grace["archived"] is False and grace["role"] == "Admiral"
    assert len(ok("list", "--all", "-f", "json").json()) == 3  # no second Grace
    assert sorted(p.name for p in vdir.iterdir()) == sorted(["grace-again.vcf", card_path(vdir, "ada").name])
    assert counts(sync(vdir)) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    ok("db", "check")


def test_archive_and_rm_remove_the_card_at_the_next_sync(vdir):
    sync(vdir)
    grace, ada = card_path(vdir, "grace"), card_path(vdir, "ada")
    ok("archive", "grace")
    ok("rm", "ada", "--yes")
    out = sync(vdir)
    assert counts(out) == {"added": 0, "updated": 0, "archived": 0, "removed": 2, "written": 0}
    assert not grace.exists() and not ada.exists()
    assert counts(sync(vdir)) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    ok("unarchive", "grace")
    assert counts(sync(vdir))["written"] == 1 and grace.exists()


# -- new cards ----------------------------------------------------------------------


def test_a_new_card_is_matched_like_an_import_or_becomes_a_new_contact(vdir):
    sync(vdir)
    (vdir / "phone-grace.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-grace\r\nFN:Amazing Grace\r\nEMAIL:grace@navy.example\r\n"
        "TEL:+1 555 0100\r\nEND:VCARD\r\n"
    )  # a second card for Grace, found by her e-mail? No: Grace is linked to her own card
    (vdir / "new.vcf").write_text(FOREIGN)
    (vdir / "namesake.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:other-ada\r\nFN:Ada Lovelace\r\nEMAIL:another.ada@example.com\r\nEND:VCARD\r\n"
    )
    out = sync(vdir)
    assert out["added"] == 3
    listed = ok("list", "--all", "-f", "json").json()
    assert sorted(c["name"] for c in listed) == ["Ada Lovelace", "Ada Lovelace", "Amazing Grace", "Grace Hopper",
                                                 "Linus Torvalds", "Old Friend"]  # fmt: skip
    assert counts(sync(vdir)) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)


def test_a_new_card_with_a_contacts_email_is_linked_to_it(tmp_path, journal_path):
    folder = tmp_path / "v"
    folder.mkdir()
    ok("add", "Linus Torvalds", "--email", "linus@example.org", "--company", "Linux")
    (folder / "linus.vcf").write_text(FOREIGN)
    out = sync(folder)
    assert counts(out) == {"added": 0, "updated": 1, "archived": 0, "removed": 0, "written": 1}
    linus = show("linus")
    assert linus["phones"] == ["+1 503 555 0100"]
    assert [p.name for p in folder.iterdir()] == ["linus.vcf"]  # its own name kept; no second card
    text = (folder / "linus.vcf").read_text()
    assert "UID:ABCD-1234-PHONE" in text and "ORG:Linux" in text


def test_a_foreign_card_keeps_its_name_uid_and_other_properties_when_cno_changes_it(tmp_path, journal_path):
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / "linus.vcf").write_text(FOREIGN)
    assert counts(sync(folder))["added"] == 1
    linus = show("linus")
    assert (linus["created_on"], linus["met_on"]) == ("2026-11-22", None)  # dated by today; a card says nothing of meeting
    before = (folder / "linus.vcf").read_text()
    ok("edit", "linus", "--role", "Maintainer", "--phone", "+1 503 555 0199")
    sync(folder)
    after = (folder / "linus.vcf").read_text()
    assert [p.name for p in folder.iterdir()] == ["linus.vcf"]
    for line in ("UID:ABCD-1234-PHONE", "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==", "X-PHONE-ONLY:keep me",
                 "item1.EMAIL;type=INTERNET;type=WORK:linus@example.org", "TEL;type=CELL;type=VOICE:+1 503 555 0100",
                 "VERSION:3.0"):  # fmt: skip
        assert line in after.splitlines() and line in before.splitlines(), line
    assert "TITLE:Maintainer" in after and "TEL:+1 503 555 0199" in after
    assert counts(sync(folder))["written"] == 0
    ok("db", "check")  # a foreign UID is any text, not a cno uid


def test_a_vcard_2_1_card_keeps_its_quoted_printable_lines_whole_when_cno_rewrites_it(tmp_path, journal_path):
    folder = tmp_path / "v"
    folder.mkdir()
    old = ("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Karlsson;Anna;;;\r\nFN:Anna Karlsson\r\n"
           "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:first line=0D=0A=\r\nsecond line\r\n"
           "ADR;HOME;ENCODING=QUOTED-PRINTABLE:;;Storgatan 1=\r\n;Stockholm;;;\r\nEND:VCARD\r\n")  # fmt: skip
    (folder / "anna.vcf").write_text(old)
    sync(folder)
    assert show("anna")["note"] == "first line\nsecond line"
    ok("edit", "anna", "--note", "a new note")
    sync(folder)
    text = (folder / "anna.vcf").read_bytes().decode()
    assert "second line" not in text and "NOTE:a new note" in text
    assert "ADR;HOME;ENCODING=QUOTED-PRINTABLE:;;Storgatan 1=\r\n;Stockholm;;;\r\n" in text
    assert show("anna")["note"] == "a new note"
    assert counts(sync(folder))["written"] == 0


# -- dry run, undo, the journal's bookkeeping ----------------------------------------------


def test_a_dry_run_reports_what_a_sync_would_do_and_writes_nothing(vdir, journal_path):
    sync(vdir)
    edit_card(card_path(vdir, "ada"), "TITLE:Countess", "TITLE:Poet")
    ok("edit", "ada", "--role", "Analyst")
    ok("edit", "grace", "--role", "Admiral")
    (vdir / "new.vcf").write_text(FOREIGN)
    files, rows = stats(vdir), snapshot(journal_path)
    dry = sync(vdir, "--dry-run")
    assert stats(vdir) == files and snapshot(journal_path) == rows
    assert sync(vdir) == dry
    assert counts(dry) == {"added": 1, "updated": 0, "archived": 0, "removed": 0, "written": 2}


def test_undo_of_a_sync_reverts_its_state_so_the_next_sync_sees_the_folders_edits_again(vdir):
    sync(vdir)
    edit_card(card_path(vdir, "ada"), "TITLE:Countess", "TITLE:Poet")
    card_path(vdir, "grace").unlink()
    before = ok("export", "json").stdout
    sync(vdir)
    assert show("ada")["role"] == "Poet" and show("grace")["archived"] is True
    ok("undo")
    assert ok("export", "json").stdout == before
    assert show("ada")["role"] == "Countess" and show("grace")["archived"] is False
    out = sync(vdir)
    assert counts(out) == {"added": 0, "updated": 1, "archived": 1, "removed": 0, "written": 0}
    assert show("ada")["role"] == "Poet"


def test_the_sync_state_is_not_in_export_json_and_db_check_knows_it(vdir, journal_path):
    sync(vdir)
    dump = json.loads(ok("export", "json").stdout)
    assert "sync_contacts" not in dump["tables"]
    assert all("updated_at" not in row for row in dump["tables"]["contacts"])
    ok("db", "check")
    conn = sqlite3.connect(journal_path)
    conn.execute("UPDATE sync_contacts SET fields = 'not json' WHERE rowid = 1")
    conn.commit()
    conn.close()
    r = cno("db", "check")
    assert r.code == 3 and "sync_contacts" in r.stdout + r.stderr


def test_updated_at_moves_with_every_write_to_a_contact_or_its_parts_and_undo_puts_it_back(journal_path):
    ok("add", "Ada Lovelace")
    conn = sqlite3.connect(journal_path)

    def stamp():
        return conn.execute("SELECT updated_at FROM contacts").fetchone()[0]

    conn.execute("UPDATE contacts SET updated_at = '2000-01-01T00:00'")
    conn.commit()
    ok("log", "ada", "coffee")  # a touchpoint re-dates the contact but is no edit of it
    assert stamp() == "2000-01-01T00:00"
    ok("edit", "ada", "--tag", "x")  # a part
    assert stamp() != "2000-01-01T00:00"
    ok("undo")
    assert stamp() == "2000-01-01T00:00"
    ok("redo")
    assert stamp() != "2000-01-01T00:00"
    conn.execute("UPDATE contacts SET updated_at = '2000-01-01T00:00'")
    conn.commit()
    conn.execute("INSERT INTO contact_phones (contact_id, phone) VALUES (1, '+1 2')")  # another program's write
    conn.commit()
    assert stamp() != "2000-01-01T00:00"
    conn.close()


# -- bad input ------------------------------------------------------------------------


def test_a_dir_that_does_not_exist_or_is_a_file_is_exit_2_and_writes_nothing(tmp_path, journal_path):
    for target in (tmp_path / "missing", tmp_path / "file.vcf"):
        if target.name == "file.vcf":
            target.write_text(FOREIGN)
        r = cno("sync", "contacts", str(target))
        assert r.code == 2
        assert r.stderr.startswith("cno: ") and r.stderr.count("\n") == 1 and str(target) in r.stderr
        assert not journal_path.exists()


def test_a_dir_that_is_not_a_vdir_of_cards_is_exit_2_and_writes_nothing(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    rows = snapshot(journal_path)
    parent = tmp_path / "contacts"
    (parent / "abook").mkdir(parents=True)
    (parent / "abook" / "x.vcf").write_text(FOREIGN)  # vdirsyncer's parent of address books
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "t.ics").write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    for target, says in ((parent, "abook/ hold .vcf files"), (tasks, "t.ics")):
        r = cno("sync", "contacts", str(target))
        assert r.code == 2 and r.stderr.startswith("cno: ") and r.stderr.count("\n") == 1 and says in r.stderr, r.stderr
    assert snapshot(journal_path) == rows
    assert [p.name for p in parent.iterdir()] == ["abook"] and [p.name for p in tasks.iterdir()] == ["t.ics"]


def test_merge_removes_the_duplicates_card_and_rewrites_the_one_kept(vdir):
    ok("add", "A. Lovelace", "--email", "countess@example.org")
    sync(vdir)
    gone = card_path(vdir, "a. lovelace")
    ok("merge", "a. lovelace", "ada lovelace", "--yes")
    out = sync(vdir)
    assert counts(out) == {"added": 0, "updated": 0, "archived": 0, "removed": 1, "written": 1}
    assert not gone.exists()
    text = card_path(vdir, "ada lovelace").read_text()
    assert "EMAIL:countess@example.org" in text and "NICKNAME:Ada L,A. Lovelace" in text


def test_a_card_that_cant_be_read_is_skipped_with_a_warning_never_deleted_and_never_archives(vdir, journal_path):
    sync(vdir)
    path = card_path(vdir, "grace")
    path.write_bytes(b"\x89PNG\r\n\x1a\n not a card at all")
    (vdir / "junk.vcf").write_text("hello\n")
    before, rows = stats(vdir), snapshot(journal_path)
    r = ok("sync", "contacts", str(vdir), "-f", "json")
    assert snapshot(journal_path) == rows
    assert counts(r.json()) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    warnings = r.stderr.splitlines()
    assert any(w.startswith("cno: skipped ") and path.name in w for w in warnings)
    assert any(w.startswith("cno: skipped junk.vcf") for w in warnings)
    assert stats(vdir) == before
    assert show("grace")["archived"] is False
    ok("edit", "grace", "--role", "Admiral")
    sync(vdir)
    assert path.read_bytes().startswith(b"\x89PNG")  # never overwritten while it can't be read


def test_two_cards_with_one_uid_are_both_left_with_a_warning(vdir, journal_path):
    sync(vdir)
    path = card_path(vdir, "ada")
    copy = vdir / "copy.vcf"
    copy.write_text(path.read_text().replace("TITLE:Countess", "TITLE:Poet"))
    ok("edit", "ada", "--role", "Analyst")
    before, rows = stats(vdir), snapshot(journal_path)
    r = ok("sync", "contacts", str(vdir), "-f", "json")
    assert snapshot(journal_path) == rows
    assert counts(r.json()) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    assert any(w.startswith("cno: skipped ") and "one UID" in w and "copy.vcf" in w for w in r.stderr.splitlines())
    assert stats(vdir) == before and show("ada")["role"] == "Analyst"
    assert show("ada")["archived"] is False
    copy.unlink()
    sync(vdir)
    assert "TITLE:Analyst" in path.read_text()


def test_a_card_changed_between_read_and_write_is_left_and_retried_next_run(vdir, monkeypatch):
    sync(vdir)
    path = card_path(vdir, "ada")
    edit_card(path, "TITLE:Countess", "TITLE:Poet")  # the phone's edit, read by the sync
    ok("edit", "ada", "--company", "Engines")  # cno's, which the card must take
    from cno.sync import files

    real = files.scan

    def racing(folder, suffix):
        items = real(folder, suffix)
        edit_card(path, "FN:Ada Lovelace", "FN:Ada King")  # the phone's next edit lands while cno works
        return items

    monkeypatch.setattr(files, "scan", racing)
    r = ok("sync", "contacts", str(vdir), "-f", "json")
    assert any(w.startswith("cno: left ") and path.name in w for w in r.stderr.splitlines())
    text = path.read_text()
    assert "FN:Ada King" in text and "TITLE:Poet" in text and "ORG:Engines" not in text  # the card: left as it was
    assert show("ada")["role"] == "Countess"  # the journal: nothing of that card applied
    monkeypatch.setattr(files, "scan", real)
    sync(vdir)
    ada = show("ada king")
    assert (ada["role"], ada["company"]) == ("Poet", "Engines")
    text = path.read_text()
    assert "ORG:Engines" in text and "FN:Ada King" in text and "TITLE:Poet" in text


def test_a_card_whose_items_are_only_in_another_order_is_not_rewritten(vdir):
    ok("edit", "ada", "--email", "ada2@example.org")
    sync(vdir)
    path = card_path(vdir, "ada")
    edit_card(path, "EMAIL:ada@example.org\r\nEMAIL:ada2@example.org", "EMAIL:ada2@example.org\r\nEMAIL:ada@example.org")
    before = stats(vdir)
    out = sync(vdir)
    assert counts(out) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    assert stats(vdir) == before


_KILLED_AFTER_ONE_CARD = """
import os, sys
import cno.sync.files as files
real = files.put
def dying(*args):
    done = real(*args)
    os.kill(os.getpid(), 9)  # SIGKILL: no cleanup, no rollback, the transaction open
files.put = dying
from cno.cli import main
sys.exit(main(["sync", "contacts", sys.argv[1]]))
"""


def test_a_sync_killed_half_way_writes_nothing_to_the_journal_and_the_next_run_settles(vdir, journal_path):
    import signal
    import subprocess
    import sys

    ok("add", "Alan Turing", "--email", "alan@example.org")
    rows = snapshot(journal_path)
    root = Path(__file__).resolve().parent.parent
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_ONE_CARD, str(vdir)], cwd=root, timeout=60,
                            capture_output=True)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert snapshot(journal_path) == rows  # all or nothing
    ok("db", "check")
    cards = list(vdir.iterdir())
    assert len(cards) == 1 and not cards[0].name.startswith(".")  # one whole card, no half-written one
    out = sync(vdir)
    assert counts(out) == {"added": 0, "updated": 0, "archived": 0, "removed": 0, "written": 2}
    assert sorted(p.name for p in vdir.iterdir()) == sorted(f"{uid_of(n)}.vcf" for n in ("ada", "grace", "alan"))
    assert counts(sync(vdir)) == dict.fromkeys(["added", "updated", "archived", "removed", "written"], 0)
    assert len(ok("list", "--all", "-f", "json").json()) == 4  # nothing doubled
    ok("db", "check")


def test_help_has_an_example():
    r = ok("sync", "contacts", "--help")
    assert "Example: vdirsyncer sync && cno sync contacts" in r.stdout
    assert "sync" in ok("--help").stdout


# -- the card cno writes reads back as what it wrote ---------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# pieces of text with what vCard escapes or splits on (, ; : \\ newlines, tabs, \\n written out) mixed in often
_TEXT = st.lists(
    st.sampled_from([",", ";", ":", "\\", "\\n", "\\,", '"', "\t", "\n", " ", "=", "é", "日本"])
    | st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6),
    max_size=8,
).map("".join)


def _stored(text: str, *, note: bool = False) -> str | None:
    """A value as cno stores it (what `add` and the importer make of it)."""
    if note:
        return text.replace("\r\n", "\n").replace("\r", "\n").strip() or None
    return " ".join(text.split()) or None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_TEXT, company=_TEXT, role=_TEXT, note=_TEXT, location=_TEXT, tags=st.lists(_TEXT, max_size=3),
       nicks=st.lists(_TEXT, max_size=2), v4=st.booleans())  # fmt: skip
def test_any_card_cno_writes_or_rewrites_reads_back_as_the_fields_it_was_written_from(name, company, role, note, location, tags, nicks, v4):
    from datetime import date

    from cno.errors import CnoError
    from cno.refs import name_key
    from cno.settings import normalise_tag
    from cno.sync import contacts as core
    from cno.sync.files import Read as Item, digest

    name = _stored(name)
    if name is None or name.isdecimal():
        return
    clean_tags = []
    for t in tags:
        try:
            clean_tags.append(normalise_tag(t))
        except CnoError:
            pass
    clean_nicks = []
    for n in nicks:
        try:
            n = core.contacts.parse_nick(n)
        except CnoError:
            continue
        if name_key(n) != name_key(name) and name_key(n) not in {name_key(x) for x in clean_nicks}:
            clean_nicks.append(n)
    fields = {
        "name": name, "nicks": clean_nicks, "emails": ["a.b@example.org"], "phones": ["+44 20 7946 0958"],
        "company": _stored(company), "role": _stored(role), "birthday": "--02-29", "location": _stored(location),
        "linkedin": "https://www.linkedin.com/in/someone", "note": _stored(note, note=True), "tags": sorted(set(clean_tags)),
    }  # fmt: skip
    data = core.new_card("uid-1", fields)
    if not v4:  # the same fields rewritten into a phone's vCard 3.0 card
        phone = b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:uid-1\r\nFN:Someone Else\r\nEND:VCARD\r\n"
        data = core.rewrite(phone, fields, set(core.FIELDS))
    read = core.card_side(Item("c.vcf", data, digest(data)), date(2026, 11, 22), [])
    assert read is not None
    uid, back = read
    assert uid == "uid-1"
    assert back == fields
