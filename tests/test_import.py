"""Imports (SPEC "Data"): LinkedIn, vCard, CSV and JSON; the matching rule,
fill-only updates, idempotency, dry runs, counts on stderr, and refusals."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import cno, ok, refused, snapshot

LINKEDIN_PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing.'
    ' You will only see email addresses for connections who have allowed it, https://www.linkedin.com/psettings."\r\n'
    "\r\n"
)
LINKEDIN_ROWS = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,,"Analytical Engines, Ltd",CTO,26 Jul 2025\r\n'
    'Grace,Hopper,https://www.linkedin.com/in/ghopper,grace@navy.example,US Navy,"Rear Admiral, Retired",03 Jan 2024\r\n'
)


def contacts() -> dict[str, dict]:
    return {c["name"]: c for c in ok("list", "--all", "-f", "json").json()}


def card(name: str) -> dict:
    return ok("show", name, "-f", "json").json()


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


# LinkedIn -----------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
def test_linkedin_connections_import_with_tag_url_and_connected_on(tmp_path, bom):
    path = write(tmp_path, "Connections.csv", bom + (LINKEDIN_PREAMBLE + LINKEDIN_ROWS).encode())
    r = ok("import", "linkedin", path)
    assert r.stdout == ""
    assert "2 added, 0 updated, 0 skipped" in r.stderr
    ada = card("Ada Lovelace")
    assert ada["company"] == "Analytical Engines, Ltd" and ada["role"] == "CTO"
    assert ada["linkedin"] == "https://www.linkedin.com/in/ada-lovelace"
    assert ada["tags"] == ["linkedin"] and ada["emails"] == []
    assert ada["met_on"] == "2025-07-26"
    grace = card("Grace Hopper")
    assert grace["emails"] == ["grace@navy.example"] and grace["role"] == "Rear Admiral, Retired"
    assert grace["met_on"] == "2024-01-03"


def test_linkedin_header_is_found_after_a_preamble_of_any_length(tmp_path):
    longer = "Notes:\n" + '"line one\nline two, with a comma\nline three"\n\n\n'
    path = write(tmp_path, "Connections.csv", longer + LINKEDIN_ROWS.replace("\r\n", "\n"))
    ok("import", "linkedin", path)
    assert set(contacts()) == {"Ada Lovelace", "Grace Hopper"}
    path = write(tmp_path, "bare.csv", LINKEDIN_ROWS)  # no preamble at all
    r = ok("import", "linkedin", path)
    assert "0 added, 0 updated, 2 skipped" in r.stderr


def test_reimport_adds_nothing(tmp_path):
    path = write(tmp_path, "Connections.csv", LINKEDIN_PREAMBLE + LINKEDIN_ROWS)
    ok("import", "linkedin", path)
    first = ok("export", "json").stdout
    r = ok("import", "linkedin", path)
    assert "0 added, 0 updated, 2 skipped" in r.stderr
    assert ok("export", "json").stdout == first


def test_a_row_without_a_name_is_skipped_with_its_line(tmp_path):
    path = write(tmp_path, "Connections.csv", LINKEDIN_PREAMBLE + LINKEDIN_ROWS + ",,https://www.linkedin.com/in/x,,,,01 Jan 2024\r\n")
    r = ok("import", "linkedin", path)
    assert "2 added, 0 updated, 1 skipped" in r.stderr
    assert "line 7" in r.stderr


# The matching rule and fill-only updates ------------------------------------------


def test_match_by_email_fills_empty_fields_and_never_overwrites(tmp_path):
    ok("add", "Grace B. Hopper", "--email", "GRACE@navy.example", "--role", "Admiral", "--met-on", "2020-01-01")
    path = write(tmp_path, "Connections.csv", LINKEDIN_ROWS)
    r = ok("import", "linkedin", path)
    assert "1 added, 1 updated, 0 skipped" in r.stderr
    grace = card("Grace B. Hopper")
    assert grace["role"] == "Admiral"  # typed by the user: kept
    assert grace["company"] == "US Navy"  # was empty: filled
    assert grace["met_on"] == "2020-01-01"
    assert grace["tags"] == ["linkedin"] and grace["linkedin"] == "https://www.linkedin.com/in/ghopper"
    assert "Grace Hopper" not in contacts()


def test_match_by_linkedin_url_ignores_scheme_case_and_trailing_slash(tmp_path):
    ok("add", "Ada King", "--linkedin", "http://LinkedIn.com/in/ada-lovelace/")
    ok("import", "linkedin", write(tmp_path, "c.csv", LINKEDIN_ROWS))
    assert "Ada Lovelace" not in contacts()
    assert card("Ada King")["company"] == "Analytical Engines, Ltd"


def test_match_by_name_and_company(tmp_path):
    ok("add", "Ada Lovelace", "--company", "Analytical Engines, Ltd")
    ok("add", "Grace Hopper", "--company", "Harvard")
    ok("import", "linkedin", write(tmp_path, "c.csv", LINKEDIN_ROWS))
    names = [c["name"] for c in ok("list", "-f", "json").json()]
    # same name and company: one Ada; another company: a second Grace
    assert names.count("Ada Lovelace") == 1 and names.count("Grace Hopper") == 2


def test_empty_company_matches_only_a_unique_name(tmp_path):
    ok("add", "Ada Lovelace")  # no company: the import's Ada is her
    ok("add", "Grace Hopper", "--company", "Harvard")
    ok("add", "Grace Hopper", "--company", "Yale", "--again")
    rows = "name,company\nAda Lovelace,Analytical\nGrace Hopper,\n"
    path = write(tmp_path, "people.csv", rows)
    r = ok("import", "csv", path)
    assert "1 added, 1 updated, 0 skipped" in r.stderr
    listed = ok("list", "-f", "json").json()
    assert [c["company"] for c in listed if c["name"] == "Ada Lovelace"] == ["Analytical"]
    assert len([c for c in listed if c["name"] == "Grace Hopper"]) == 3  # not unique: added
    r = ok("import", "csv", path)
    assert "0 added, 0 updated, 2 skipped" in r.stderr


def test_imported_contacts_without_a_source_date_have_no_met_on(tmp_path):
    ok("import", "csv", write(tmp_path, "p.csv", "Name,Email\nAlan Turing,alan@example.com\n"))
    assert card("Alan Turing")["met_on"] is None
    ok("add", "Joan Clarke")
    assert card("Joan Clarke")["met_on"] == "2026-11-22"


# Dry run, counts, one transaction --------------------------------------------------


def test_dry_run_lists_the_plan_and_writes_nothing(tmp_path, journal_path):
    ok("add", "Grace Hopper", "--email", "grace@navy.example")
    before = snapshot(journal_path)
    r = ok("import", "linkedin", write(tmp_path, "c.csv", LINKEDIN_ROWS), "--dry-run", "-f", "json")
    plan = {row["name"]: row for row in r.json()}
    assert plan["Ada Lovelace"]["action"] == "add" and plan["Ada Lovelace"]["id"] is None
    assert plan["Grace Hopper"]["action"] == "update"
    assert "company" in plan["Grace Hopper"]["fields"]
    assert "dry run: would be 1 added, 1 updated, 0 skipped" in r.stderr
    assert snapshot(journal_path) == before


def test_dry_run_without_a_journal_creates_none(tmp_path, journal_path):
    r = ok("import", "linkedin", write(tmp_path, "c.csv", LINKEDIN_ROWS), "--dry-run", "-f", "json")
    assert len(r.json()) == 2
    assert not journal_path.exists()


def test_an_import_that_fails_half_way_imports_nothing(tmp_path, journal_path, monkeypatch):
    # no vCard fails half way any more (a bad card is skipped): a failing disk does
    from cno.io import importing

    ok("add", "Joan Clarke")
    real, calls = importing.add, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "add", failing)
    cards = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n"
    before = snapshot(journal_path)
    assert cno("import", "vcard", write(tmp_path, "c.vcf", cards)).code == 3
    assert snapshot(journal_path) == before


def test_off_a_terminal_stderr_holds_only_the_counts(tmp_path):
    r = ok("import", "linkedin", write(tmp_path, "c.csv", LINKEDIN_ROWS))
    assert r.stderr == "2 added, 0 updated, 0 skipped\n"


# vCard ---------------------------------------------------------------------------

VCARDS = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n"
    "TEL;WORK;VOICE:+44 20 7946 0958\r\nTEL;CELL:+44 7700 900123\r\nEMAIL;INTERNET:ada@example.com\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Likes =C3=A9clairs\r\nORG:Analytical Engines;R&D\r\n"
    "BDAY:1815-12-10\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\n"
    "EMAIL;TYPE=INTERNET,WORK:grace@navy.example\r\nEMAIL;TYPE=HOME:g@example.com\r\n"
    "ORG:US Navy\\, Inc.\r\nTITLE:Rear Admiral\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-12-09\r\n"
    "CATEGORIES:Mentor,navy\r\nNOTE:A long note that is folded over\r\n  two lines\\, with a comma\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Alan Turing\r\nBDAY:--0623\r\n"
    "TEL;VALUE=uri;TYPE=cell:tel:+44-20-1234\r\nURL:https://www.linkedin.com/in/alan\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Clarke;Joan;;;\r\nBDAY:19170624\r\nEND:VCARD\r\n"
)


def test_vcard_versions_and_their_fields(tmp_path):
    r = ok("import", "vcard", write(tmp_path, "c.vcf", VCARDS))
    assert "4 added, 0 updated, 0 skipped" in r.stderr
    ada = card("Ada Lovelace")
    assert ada["phones"] == ["+44 20 7946 0958", "+44 7700 900123"]
    assert ada["emails"] == ["ada@example.com"] and ada["company"] == "Analytical Engines"
    assert ada["birthday"] == "1815-12-10" and ada["note"] == "Likes éclairs"
    assert ada["met_on"] is None
    grace = card("Grace Hopper")
    assert grace["emails"] == ["grace@navy.example", "g@example.com"]
    assert grace["company"] == "US Navy, Inc." and grace["role"] == "Rear Admiral"
    assert grace["birthday"] == "--12-09"  # Apple's marker year means "no year"
    assert grace["tags"] == ["mentor", "navy"]
    assert grace["note"] == "A long note that is folded over two lines, with a comma"
    alan = card("Alan Turing")
    assert alan["birthday"] == "--06-23" and alan["phones"] == ["+44-20-1234"]
    assert alan["linkedin"] == "https://www.linkedin.com/in/alan"
    assert card("Joan Clarke")["birthday"] == "1917-06-24"  # from N alone
    r = ok("import", "vcard", write(tmp_path, "c.vcf", VCARDS))
    assert "0 added, 0 updated, 4 skipped" in r.stderr


def test_vcard_21_quoted_printable_with_soft_line_breaks(tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen;;;\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:first line=0D=0Asecond =\r\nline continues\r\nEND:VCARD\r\n"
    )
    ok("import", "vcard", write(tmp_path, "old.vcf", text))
    assert card("Jürgen Müller")["note"] == "first line\nsecond line continues"


def test_a_broken_vcard_line_is_named_and_costs_only_itself(tmp_path):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace\r\nnot a property\r\nEND:VCARD\r\n"
    r = ok("import", "vcard", write(tmp_path, "c.vcf", text))
    assert "c.vcf, line 8: ignored a line that is not a vCard property of Grace: 'not a property'" in r.stderr
    assert "2 added, 0 updated, 0 skipped" in r.stderr


# CSV -----------------------------------------------------------------------------

GOOGLE = (
    "First Name,Middle Name,Last Name,Nickname,File As,Organization Name,Organization Title,Birthday,Notes,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Address 1 - City,Website 1 - Label,Website 1 - Value\n"
    'Ada,,Lovelace,,,Analytical,CTO,--12-10,"likes tea, and cake",* myContacts ::: Mentors,Work,'
    "ada@ex.com ::: ada2@ex.com,Home,a@home.example,Mobile,+44 1 ::: +44 2,London,Profile,https://linkedin.com/in/ada\n"
)
OUTLOOK = (
    "First Name,Middle Name,Last Name,Title,Suffix,E-mail Address,E-mail Type,E-mail 2 Address,Home Phone,"
    "Mobile Phone,Business Fax,Job Title,Company,Business City,Birthday,Notes,Categories,Web Page\n"
    "Grace,M,Hopper,Ms.,,grace@x.example,SMTP,,+1 555,+1 556,+1 999,Admiral,Navy,Arlington,12/9/1906,hi,Friends;Navy,\n"
)


def test_csv_recognises_google_contacts_headers(tmp_path):
    ok("import", "csv", write(tmp_path, "google.csv", GOOGLE))
    ada = card("Ada Lovelace")
    assert ada["emails"] == ["ada@ex.com", "ada2@ex.com", "a@home.example"]
    assert ada["phones"] == ["+44 1", "+44 2"] and ada["tags"] == ["mentors"]
    assert (ada["company"], ada["role"], ada["birthday"]) == ("Analytical", "CTO", "--12-10")
    assert ada["location"] == "London" and ada["linkedin"] == "https://linkedin.com/in/ada"
    assert ada["note"] == "likes tea, and cake"


def test_csv_recognises_outlook_headers(tmp_path):
    ok("import", "csv", write(tmp_path, "outlook.csv", OUTLOOK))
    grace = card("Grace M Hopper")
    assert grace["role"] == "Admiral"  # Job Title, not the Ms. of Title
    assert grace["phones"] == ["+1 555", "+1 556"] and grace["birthday"] == "1906-12-09"
    assert grace["tags"] == ["friends", "navy"] and grace["company"] == "Navy"


def test_csv_map_names_columns(tmp_path):
    path = write(tmp_path, "odd.csv", "Who,Employer,Mail\nAda Lovelace,Analytical,ada@example.com\n")
    ok("import", "csv", path, "--map", "Who=name", "--map", "Employer=company")
    ada = card("Ada Lovelace")
    assert ada["company"] == "Analytical" and ada["emails"] == ["ada@example.com"]


def test_own_csv_export_reimports_as_the_same_contacts(tmp_path):
    ok("add", "Ada Lovelace", "--company", "=cmd()", "--phone", "+44 20 7946 0958", "--phone", "+1 555",
       "--tag", "mentor", "--birthday", "12-10", "--note", "tea, cake")  # fmt: skip
    path = tmp_path / "out.csv"
    ok("export", "csv", "-o", path)
    r = ok("import", "csv", path)
    assert "0 added, 0 updated, 1 skipped" in r.stderr
    ok("rm", "Ada Lovelace", "--yes")
    ok("import", "csv", path)
    ada = card("Ada Lovelace")
    assert ada["company"] == "=cmd()" and ada["phones"] == ["+44 20 7946 0958", "+1 555"]
    assert ada["birthday"] == "--12-10" and ada["note"] == "tea, cake" and ada["tags"] == ["mentor"]


def test_windows_1252_csv_is_read_with_a_warning(tmp_path):
    r = ok("import", "csv", write(tmp_path, "p.csv", "Name\nJos\xe9 Mart\xed\n".encode("cp1252")))
    assert "Windows-1252" in r.stderr
    assert "José Martí" in contacts()


# JSON -----------------------------------------------------------------------------


def _journal_with_everything(journal_path):
    ok("add", "Ada Lovelace", "--company", "Analytical", "--email", "ada@example.com", "--phone", "+44 1",
       "--tag", "mentor", "--tier", "A", "--birthday", "12-10", "--note", "line one\nline two \x1b")  # fmt: skip
    ok("add", "Grace Hopper", "--every", "3w", "--linkedin", "https://linkedin.com/in/grace")
    ok("log", "ada", "coffee", "--with", "grace", "--via", "meeting", "--minutes", "45", "--tag", "intro", "--on", "2026-11-20 09:30")
    ok("follow-up", "ada", "friday", "send the deck")
    ok("milestone", "add", "grace", "new job", "2026-03-01", "--yearly")
    ok("config", "set", "cadence.A", "21d")
    ok("snooze", "grace", "1w")
    conn = sqlite3.connect(journal_path)
    conn.execute(
        "INSERT INTO referrals (uid, direction, contact_id, kind, prospect, prospect_id, value, status, on_date, note, created_on)"
        " VALUES ('7f0c2a52-9d0b-4b8e-9f51-0c1d2e3f4a5b', 'given', 1, 'outside', NULL, 2, 1500.0, 'open', '2026-11-01', 'a lead', '2026-11-01')"
    )
    conn.execute(
        "INSERT INTO goals (uid, title, metric, target, per, created_on) VALUES ('3b9e6c1d-2a4f-4e8b-8c7d-6e5f4a3b2c1d', 'meet people', 'meetings', 3, 'week', '2026-11-01')"
    )
    conn.commit()
    conn.close()


def test_json_dump_restores_exactly_into_an_empty_journal(tmp_path, journal_path, monkeypatch):
    _journal_with_everything(journal_path)
    dump = ok("export", "json").stdout
    doc = json.loads(dump)
    assert doc["format"] == "cno" and doc["version"] == 1
    assert {"contacts", "touchpoints", "referrals", "goals", "settings", "followups", "milestones", "captured"} <= doc["tables"].keys()
    assert not {"_sqlite_migrations", "capture_files", "contacts_fts"} & doc["tables"].keys()
    path = write(tmp_path, "dump.json", dump)
    monkeypatch.setenv("CNO_DB", str(tmp_path / "fresh.db"))
    r = ok("import", "json", path)
    assert "restored" in r.stderr
    assert ok("export", "json").stdout == dump
    assert ok("search", "deck", "-f", "json").json() == []  # follow-up notes aren't searched
    assert [x["kind"] for x in ok("search", "lead", "-f", "json").json()] == ["referral"]  # the index follows the rows


def test_json_into_a_non_empty_journal_needs_merge(tmp_path, journal_path):
    _journal_with_everything(journal_path)
    path = write(tmp_path, "dump.json", ok("export", "json").stdout)
    refused("import", "json", path, journal=journal_path, contains="--merge")


def test_json_merge_matches_contacts_and_dedupes_records_by_uid(tmp_path, journal_path, monkeypatch):
    _journal_with_everything(journal_path)
    path = write(tmp_path, "dump.json", ok("export", "json").stdout)
    monkeypatch.setenv("CNO_DB", str(tmp_path / "other.db"))
    ok("add", "Ada Lovelace", "--role", "CTO", "--note", "my own note")  # the rule finds her by name
    ok("add", "Alan Turing")
    r = ok("import", "json", path, "--merge")
    assert "1 added, 1 updated, 0 skipped contacts" in r.stderr
    ada = card("Ada Lovelace")
    assert ada["note"] == "my own note" and ada["company"] == "Analytical" and ada["emails"] == ["ada@example.com"]
    assert [t["names"] for t in ok("history", "-f", "json").json()] == [["Ada Lovelace", "Grace Hopper"]]
    assert len(ada["follow_ups"]) == 1
    once = ok("export", "json").stdout
    r = ok("import", "json", path, "--merge")
    assert "0 added, 0 updated, 2 skipped contacts; 0 other records added" in r.stderr
    assert ok("export", "json").stdout == once


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda s: s.split() and not " ".join(s.split()).isdecimal() and not s.lstrip().startswith("-")
)
notes = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, note=notes)
def test_any_name_and_note_survive_a_json_round_trip(tmp_path_factory, monkeypatch, name, note):
    d = tmp_path_factory.mktemp("rt")
    monkeypatch.setenv("CNO_DB", str(d / "a.db"))
    ok("add", name, "--note", note)
    # `--`: a note may begin with '-', as a user would type it
    ok("log", ok("list", "-f", "json").json()[0]["id"], "--", note or "x")
    dump = ok("export", "json").stdout
    path = d / "dump.json"
    path.write_text(dump, encoding="utf-8")
    monkeypatch.setenv("CNO_DB", str(d / "b.db"))
    ok("import", "json", path)
    assert ok("export", "json").stdout == dump
    ok("import", "json", path, "--merge")  # idempotent
    assert ok("export", "json").stdout == dump


# Bad input --------------------------------------------------------------------------


def test_missing_file_is_refused(tmp_path, journal_path):
    ok("add", "Joan Clarke")
    for kind in ("linkedin", "vcard", "csv", "json"):
        refused("import", kind, tmp_path / "nope.csv", journal=journal_path, contains="nope.csv")


def test_missing_file_without_a_journal_creates_none(tmp_path, journal_path):
    refused("import", "csv", tmp_path / "nope.csv", journal=journal_path, contains="No such file")
    assert not journal_path.exists()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def test_binary_file_is_refused_with_its_line(tmp_path, journal_path):
    ok("add", "Joan Clarke")
    path = write(tmp_path, "photo.png", PNG)
    for kind in ("vcard", "linkedin", "csv", "json"):
        refused("import", kind, path, journal=journal_path, contains="line 1")


def test_text_that_is_not_a_vcard_is_refused_with_its_line(tmp_path, journal_path):
    path = write(tmp_path, "c.vcf", "\n\nhello there\n")
    refused("import", "vcard", path, journal=journal_path, contains="line 3")


def test_vcard_without_a_name_is_named_from_its_e_mail_or_skipped(tmp_path):
    cards = "BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:x@example.com\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nTEL:1\r\nEND:VCARD\r\n"
    r = ok("import", "vcard", write(tmp_path, "c.vcf", cards))
    assert "c.vcf, line 5: skipped: it has no name, and no e-mail to name it by" in r.stderr
    assert "1 added, 0 updated, 1 skipped (1 unreadable)" in r.stderr
    assert card("x@example.com")["emails"] == ["x@example.com"]


def test_csv_without_a_name_column_is_refused(tmp_path, journal_path):
    # neither a name nor an e-mail column (a row with an e-mail is named from it)
    path = write(tmp_path, "p.csv", "Company,Position\nAnalytical,CTO\n")
    r = refused("import", "csv", path, journal=journal_path, contains="no name column")
    assert "line 1" in r.stderr and "--map" in r.stderr


def test_linkedin_file_without_its_header_is_refused(tmp_path, journal_path):
    refused("import", "linkedin", write(tmp_path, "c.csv", "Name,Email\nAda,ada@example.com\n"), journal=journal_path, contains="First Name")


def test_map_to_an_unknown_field_is_refused(tmp_path, journal_path):
    path = write(tmp_path, "p.csv", "Who\nAda\n")
    refused("import", "csv", path, "--map", "Who=nickname", journal=journal_path, contains="unknown field 'nickname'")


def test_map_of_a_column_not_in_the_file_is_refused(tmp_path, journal_path):
    path = write(tmp_path, "p.csv", "Who\nAda\n")
    refused("import", "csv", path, "--map", "Full Name=name", journal=journal_path, contains="'Full Name'")


def test_dump_from_a_newer_cno_is_refused(tmp_path, journal_path):
    path = write(tmp_path, "dump.json", '{"format": "cno", "version": 99, "tables": {}}')
    refused("import", "json", path, journal=journal_path, contains="newer cno")
    path = write(tmp_path, "dump.json", '{"format": "cno", "version": "one", "tables": {}}')
    refused("import", "json", path, journal=journal_path, contains="unknown dump format version")


def test_broken_json_is_refused_with_its_line(tmp_path, journal_path):
    path = write(tmp_path, "dump.json", '{"format": "cno",\n "version": 1,\n "tables": {,}}')
    refused("import", "json", path, journal=journal_path, contains="line 3")


def test_json_that_is_not_a_dump_is_refused(tmp_path, journal_path):
    path = write(tmp_path, "dump.json", "[1, 2]")
    refused("import", "json", path, journal=journal_path, contains="not a cno dump")


def test_dump_with_an_unknown_table_is_refused(tmp_path, journal_path):
    ok("add", "Joan Clarke")
    ok("rm", "Joan Clarke", "--yes")
    path = write(tmp_path, "dump.json", '{"format": "cno", "version": 1, "tables": {"gadgets": [{"id": 1}]}}')
    refused("import", "json", path, journal=journal_path, contains="unknown table 'gadgets'")


def test_dump_pointing_at_missing_records_is_refused(tmp_path, journal_path):
    ok("add", "Joan Clarke")
    ok("rm", "Joan Clarke", "--yes")
    path = write(
        tmp_path, "dump.json",
        '{"format": "cno", "version": 1, "tables": {"contact_tags": [{"contact_id": 7, "tag": "x"}]}}',
    )  # fmt: skip
    refused("import", "json", path, journal=journal_path, contains="missing")


def test_import_without_a_kind_or_with_an_unknown_one_is_refused(tmp_path, journal_path):
    refused("import", "pdf", tmp_path / "x", journal=journal_path, contains="pdf")


def test_progress_bar_only_when_stderr_is_a_terminal(monkeypatch):
    import io
    import sys

    from cno.cli.data import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, shown in ((io.StringIO(), False), (Terminal(), True)):
        monkeypatch.setattr(sys, "stderr", stream)
        with Progress("importing LinkedIn", 10_000) as bar:
            bar.advance(10_000)
        assert ("importing LinkedIn" in stream.getvalue()) is shown
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    with Progress("importing LinkedIn", 3) as bar:  # over before a bar could be read
        bar.advance(3)
    assert stream.getvalue() == ""


@given(st.text(alphabet=st.sampled_from('ab,"\r\n\u2028\x0b é'), max_size=60))
def test_csv_lines_are_the_lines_stringio_gives_csv(text):
    """The importers read CSV through csv_import.lines, not a StringIO copy of
    the file: the same lines, so the same rows, whatever the line ends."""
    import csv
    import io

    from cno.io.csv_import import lines

    assert list(lines(text)) == list(io.StringIO(text, newline=""))
    try:
        want = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return
    assert list(csv.reader(lines(text))) == want


@pytest.mark.parametrize("size", [1, 2, 2000])
def test_a_name_met_again_later_in_the_file_finds_the_contact_the_import_added(tmp_path, journal_path, monkeypatch, size):
    """However the import's batches fall (written or still waiting), a row of a
    name the import already added, or the journal already had, finds that
    contact by name and company; a name nobody has is added."""
    from cno.io import importing

    monkeypatch.setattr(importing.Batch, "SIZE", size)
    ok("add", "Alan Turing", "--company", "NPL")
    rows = (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        "Ada,Lovelace,,,Analytical Engines,,26 Jul 2025\r\n"
        "Grace,Hopper,,,US Navy,,03 Jan 2024\r\n"
        "Katherine,Johnson,,,NASA,,03 Jan 2024\r\n"
        "Ada,Lovelace,,,Analytical Engines,CTO,26 Jul 2025\r\n"
        "Alan,Turing,,,NPL,Fellow,01 Feb 2024\r\n"
    )
    r = ok("import", "linkedin", write(tmp_path, "Connections.csv", rows))
    assert "3 added, 2 updated, 0 skipped" in r.stderr
    people = contacts()
    assert sorted(people) == ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson"]
    assert people["Ada Lovelace"]["role"] == "CTO" and people["Alan Turing"]["role"] == "Fellow"
    ok("db", "check")


def test_the_cycle_collector_is_set_aside_while_an_import_or_restore_writes(tmp_path, monkeypatch):
    """As in capture (README "Performance"): off while LinkedIn rows and a dump's
    rows are written, on again after each."""
    import gc

    from cno import bulk, contacts as contacts_core

    seen = []
    insert = bulk.insert_rows

    def inserting(conn, table, *a, **k):
        seen.append((table, gc.isenabled()))
        return insert(conn, table, *a, **k)

    monkeypatch.setattr(bulk, "insert_rows", inserting)  # the restore's
    monkeypatch.setattr(contacts_core, "insert_rows", inserting)  # the bulk add's
    ok("import", "linkedin", write(tmp_path, "Connections.csv", LINKEDIN_PREAMBLE + LINKEDIN_ROWS))
    assert seen and not any(on for _, on in seen) and gc.isenabled()
    dump = write(tmp_path, "dump.json", ok("export", "json").stdout)
    seen.clear()
    monkeypatch.setenv("CNO_DB", str(tmp_path / "restored.db"))
    ok("import", "json", dump)
    assert "contacts" in {t for t, _ in seen}
    assert not any(on for _, on in seen) and gc.isenabled()
    assert len(contacts()) == 2
