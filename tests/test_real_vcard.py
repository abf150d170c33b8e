"""Real vCard files, read as the programs that wrote them meant (SPEC "Reading
other people's files"): phones, Outlook, Apple, Android, KDE, Thunderbird,
SOGo. tests/fixtures/real/vcard/README.md says where each file comes from.

Every file goes through `cno import vcard FILE --dry-run -f json` and a real
import, and what it holds is checked against the table below: its contacts
and their fields, the skipped cards, the warnings and the lines they name.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cno.io import vcard
from tests.conftest import ok, refused

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "vcard"
LICENSE_TEXT = (
    "THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\" AND ANY EXPRESS OR IMPLIED WARRANTIES, "
    "INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE "
    "DISCLAIMED."
)
JOHN_DOE = "Mr. John Richter James Doe Sr."
NOT_A_PHONE = "ignored phone of John Doe III: not a phone number"


@dataclass
class Holds:
    """What a file holds: the plan of its dry run, the contacts its import stores, the warnings."""

    plan: list[tuple[str, str]]  # (action, name) of each card, in the file's order
    contacts: dict[str, dict] = field(default_factory=dict)  # name: the fields to check (show -f json)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, a phrase of the warning), in order
    skipped: int = 0  # cards that can't be a contact (no name, no e-mail)


FILES: dict[str, Holds] = {
    # -- ez-vcard's samples (from Cardme) and its own test files ------------------------
    "ezvcard-John_Doe_IPHONE.vcf": Holds(  # iOS 5: CR CR LF line ends, a folded JPEG
        [("add", JOHN_DOE)],
        {JOHN_DOE: {"emails": ["john.doe@example.com"], "company": "IBM", "role": "Money Counter", "birthday": "2012-06-06",
                    "phones": ["905-555-1234", "905-666-1234", "905-777-1234", "905-888-1234", "905-999-1234", "905-111-1234", "905-222-1234"],
                    "location": "New York, New York, United States of America"}},
    ),  # fmt: skip
    "ezvcard-John_Doe_LOTUS_NOTES.vcf": Holds(  # RFC 2426's PROFILE:VCard; TZ as an offset
        [("add", "Mr. Doe John I Johny")],
        {"Mr. Doe John I Johny": {"emails": ["john.doe@example.com", "billy_bob@example.net"], "company": "IBM",
                                  "phones": ["+1 (212) 204-34456", "00-1-212-555-7777"], "birthday": "1980-05-21",
                                  "role": "Generic Accountant", "timezone": "Etc/GMT-1", "location": "New York, New York, U.S.A."}},
    ),  # fmt: skip
    "ezvcard-John_Doe_ANDROID.vcf": Holds(  # Android 2.1: e-mail-only cards, QP names, two NOTEs, a broken photo
        [("add", "john.doe@company.example"), ("add", "jane.doe@company.example"), ("add", "Ñ Ñ Ñ Ñ Ñ"),
         ("add", "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"), ("add", "Ñ Ñ Ñ Ñ"), ("add", "ÑÑÑÑ")],
        {"john.doe@company.example": {"emails": ["john.doe@company.example"], "tags": ["my contacts"]},
         "jane.doe@company.example": {"emails": ["jane.doe@company.example"]},
         "Ñ Ñ Ñ Ñ Ñ": {"phones": ["123456789"]},
         "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ": {"phones": ["123456", "234567", "3456789", "45678901"],
                                 "note": "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ\n\nÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ"},
         "Ñ Ñ Ñ Ñ": {"emails": ["bob@company.example"], "phones": ["123456"], "company": "Ñ" * 12},
         "ÑÑÑÑ": {"emails": ["henry@company.example"], "company": "Ñ" * 44}},
        [(52, "ignored PHOTO of Ñ Ñ Ñ Ñ: not valid base64"), (82, "ignored ORG of ÑÑÑÑ: not valid UTF-8, the CHARSET it names"),
         (36, "ignored email of Ñ Ñ Ñ Ñ: not an e-mail address")],
    ),  # fmt: skip
    "ezvcard-John_Doe_MAC_ADDRESS_BOOK.vcf": Holds(  # Apple: an escaped comma in N and FN; LF lines in a CR LF file
        [("add", "Mr. John Richter,James Doe Sr.")],
        {"Mr. John Richter,James Doe Sr.": {"company": "IBM", "birthday": "2012-06-06", "note~": "CONTRIBUTORS \"AS IS\" AND",
                                            "phones": ["905-777-1234", "905-666-1234", "905-555-1234", "905-888-1234", "905-999-1234", "905-111-1234", "905-222-1234"]}},
    ),  # fmt: skip
    "ezvcard-John_Doe_MS_OUTLOOK.vcf": Holds(  # Outlook 2.1: QP LABELs with soft breaks, an empty BASE64 photo
        [("add", JOHN_DOE)],
        {JOHN_DOE: {"emails": ["john.doe@example.com"], "phones": ["(905) 555-1234", "(905) 666-1234"], "company": "IBM",
                    "birthday": "1980-03-22", "location": "Albaney, New York, United States of America", "note~": "PROVIDED BY THE AUTHOR ''AS IS''"}},
    ),  # fmt: skip
    "ezvcard-John_Doe_BLACK_BERRY.vcf": Holds(  # a one-line BASE64 photo ended by a blank line
        [("add", "John Doe")], {"John Doe": {"phones": ["+96123456789"], "company": "Acme Solutions", "note": None}}
    ),
    "ezvcard-John_Doe_EVOLUTION.vcf": Holds(  # Evolution: folds inside values and addresses; no final line end
        [("add", "Mr. John Richter, James Doe Sr.")],
        {"Mr. John Richter, James Doe Sr.": {"emails": ["john.doe@example.com"], "phones": ["905-666-1234", "905-555-1234"],
                                             "company": "IBM", "tags": ["vip"], "birthday": "1980-03-22", "note~": LICENSE_TEXT}},
    ),  # fmt: skip
    "ezvcard-John_Doe_GMAIL.vcf": Holds(  # Gmail writes a quote as \"
        [("add", "Mr. John Richter, James Doe Sr.")],
        {"Mr. John Richter, James Doe Sr.": {"emails": ["john.doe@example.com"], "birthday": "1980-03-22",
                                             "note~": LICENSE_TEXT, "location": None}},
    ),  # fmt: skip
    "ezvcard-outlook-2003.vcf": Holds(  # ORG:Company, The;TheDepartment — an unescaped comma
        [("add", "John Doe III")],
        {"John Doe III": {"company": "Company, The", "role": "The Job Title", "birthday": "1980-03-21", "emails": ["jdoe@example.net"],
                          "phones": [], "note": "This is the note field!!\nSecond line\n\nThird line is empty"}},
        [(1, f"{NOT_A_PHONE}: 'BusinessPhone'"), (1, f"{NOT_A_PHONE}: 'HomePhone'"), (1, f"{NOT_A_PHONE}: 'MobilePhone'"),
         (1, f"{NOT_A_PHONE}: 'BusinessFaxPhone'")],
    ),  # fmt: skip
    "ezvcard-outlook-2007.vcf": Holds(  # a TAB in a quoted-printable NOTE
        [("add", "Mr. Morgan Ashworth Jr.")],
        {"Mr. Morgan Ashworth Jr.": {"company": "TheCompany", "birthday": "1922-03-10", "emails": ["morgan.ashworth@example.com"],
                                     "phones": ["(111) 555-1111", "(111) 555-2222", "(111) 555-4444", "(111) 555-3333"],
                                     "note~": "This is the NOTE field\t\nI assume it encodes"}},
    ),  # fmt: skip
    "ezvcard-thunderbird-MoreFunctionsForAddressBook-extension.vcf": Holds(  # escaped commas: one category, as RFC 2426 says
        [("add", "John Doe")],
        {"John Doe": {"company": "TheOrganization", "role": "TheTitle", "birthday": "1970-09-21", "tags": ["category1, category2, category3"],
                      "emails": ["doe.john@example.net"] + [f"additional-email{n}@company.example" for n in ("", "1", "2", "3")],
                      "note": 'This is the notes field.\nSecond Line\n\nFourth Line\nYou can put anything in the "note" field; even curse words.'}},
    ),  # fmt: skip
    "ezvcard-gmail-list.vcf": Holds(
        [("add", "Arnold Smith"), ("add", "Chris Beatle"), ("add", "Doug White")],
        {"Arnold Smith": {"emails": ["asmithk@example.com"]}, "Doug White": {"emails": ["dwhite@example.com"]}},
    ),
    "ezvcard-rfc6350-example.vcf": Holds(  # vCard 4.0: tel: URIs with an extension, BDAY --0203, TZ -0500
        [("add", "Simone Perrin")],
        {"Simone Perrin": {"phones": ["+1-418-555-0154 ext. 102", "+1-418-555-0101"], "birthday": "--02-03", "company": "Example Networks",
                           "timezone": "Etc/GMT+5", "location": "Quebec, QC, Canada", "emails": ["simone.perrin@example.ca"]}},
    ),  # fmt: skip
    "ezvcard-fullcontact.vcf": Holds(  # two ORGs, two TITLEs, a BDAY with ALTID twice
        [("add", "Prefix FirstName MiddleName LastName Suffix")],
        {"Prefix FirstName MiddleName LastName Suffix": {"company": "Organization1", "role": "Title1", "birthday": "2016-08-01",
                                                         "emails": [f"{k}@example.com" for k in ("home", "work", "school", "other", "custom")],
                                                         "note": "Notes line 1\nNotes line 2"}},
    ),  # fmt: skip
    "ezvcard-issue114.vcf": Holds(  # an unquoted LABEL parameter holding a colon
        [("add", "Dummy, Dummy")],
        {"Dummy, Dummy": {"company": "Dummy GmbH", "phones": ["+49 1234 56789", "+49 9876 54321"], "location": "Bad Homburg, Germany"}},
    ),
    # -- KDE kcontacts ---------------------------------------------------------------------
    "kcontacts-vcard_legacy_messaging_fields.vcf": Holds(  # KDE's X-messaging/…-All: not valid property names
        [("add", "My Name")],
        {"My Name": {}},
        [(6, "ignored 'X-messaging/twitter-All' of My Name: not a valid property name"), (7, "'X-messaging/irc-All'"), (8, "'X-messaging/xmpp-All'")],
    ),
    "kcontacts-vcard4.vcf": Holds(  # Evolution: a bare `FN` line, an empty N: named from its e-mail
        [("add", "hello@ximian.example")],
        {"hello@ximian.example": {"company": "Ximian, Inc.", "phones": ["(617) 555-0142", "(617) 555-0130"]}},
        [(3, "ignored a line that is not a vCard property: 'FN'")],
    ),
    "kcontacts-vcard7.vcf": Holds([("skip", "")], warnings=[(1, "skipped: it has no name, and no e-mail")], skipped=1),
    "kcontacts-vcard9.vcf": Holds(  # ownCloud folds in the middle of UTF-8 characters
        [("add", "βγδεαβγδ1" * 11)],
        {"βγδεαβγδ1" * 11: {"note": "Длинный комментарий на русском языке, чтобы в результате получилась строка более 70 символов."}},
    ),
    "kcontacts-vcard10.vcf": Holds(  # vCard 2.1 QP soft breaks in ADR and NOTE; a card with no name
        [("skip", ""), ("add", "Field after Address broken"), ("add", "Field after Address not broken"),
         ("add", "Dr. med. Surname Name"), ("add", "Second Doctor")],
        {"Field after Address broken": {"location": "Urt"}, "Second Doctor": {"role": "Dentist"},
         "Dr. med. Surname Name": {"role": "Facharzt für Allgemeinmedizin", "note": "Sprechzeiten:\nMo   8–12, 15–18\nDi     8–12\nMi    8–12, 14–15\nDo 14–19\nFr     8–12"}},
        [(1, "skipped: it has no name, and no e-mail")],
        skipped=1,
    ),  # fmt: skip
    "kcontacts-vcard5.vcf": Holds(  # KAddressBook 3.0: LOGO, PHOTO, SOUND; BDAY with a time
        [("add", "Mustermann, Heiko")],
        {"Mustermann, Heiko": {"birthday": "1955-07-19", "company": "KDE", "tags": ["friend"], "location": "Dresden, Sachsen, Germany",
                               "emails": ["heiko.mustermann@example.org", "heiko8@example.net"], "phones": ["0351 5550144", "0351 5550122", "0173 5550144"],
                               "note": "I'm a friendly note text,\nplease copy me to your address book..."}},
    ),  # fmt: skip
    "kcontacts-vcard3.vcf": Holds(  # Mozilla: all lower case, VERSION last
        [("add", "ian gardner")], {"ian gardner": {"emails": ["gardneri@example.com"], "company": "Example eXtreme", "role": "VP of Engineering"}}
    ),
    "kcontacts-testfullvcard.vcf": Holds(  # vCard 4.0: tel: URIs, BDAY with a time, a TZ that is no zone
        [("add", "Sherlock Holmes")],
        {"Sherlock Holmes": {"birthday": "1953-10-15", "role": "Detective", "tags": ["fiction", "literature"], "timezone": None,
                             "phones": ["+44-555-555-5555 ext. 5555", "+44-555-555-6666", "+44-555-555-7777"]}},
        [(1, "ignored timezone of Sherlock Holmes: unknown time zone 'London/Europe'")],
    ),  # fmt: skip
    # -- Android's vCard library ------------------------------------------------------------
    "android-v21_multiple_entry.vcf": Holds(  # Shift_JIS, named by CHARSET; blank lines between cards
        [("add", "安藤ロイド3"), ("add", "安藤ロイド4"), ("add", "安藤ロイド5")],
        {"安藤ロイド3": {"phones": ["9", "10", "11", "12"]}, "安藤ロイド5": {"phones": ["17", "18", "19", "20"]}},
    ),
    "android-v21_japanese_2.vcf": Holds([("add", "安藤 ロイド 1")], {"安藤 ロイド 1": {"note": "メモ"}}),
    "android-v21_invalid_comment_line.vcf": Holds(  # `#` lines; a QP soft break before a `#`
        [("add", "Conference Call")],
        {"Conference Call": {"note": "This is an (sharp ->#<- sharp) example. This message must NOT be ignored."}},
        [(6, "ignored a line that is not a vCard property of Conference Call: '# This line must be ignored.'"), (9, "'# This line must be ignored too.'")],
    ),  # fmt: skip
    "android-v21_nest.vcf": Holds(  # cards inside a card: each one a contact
        [("add", "parent"), ("add", "nest1"), ("add", "nest2")], {"parent": {"phones": ["1"]}, "nest1": {"phones": []}}
    ),
    "android-v21_malformed_photo.vcf": Holds(
        [("add", "fullname")], {"fullname": {}}, [(5, "ignored PHOTO of fullname: not valid base64")]
    ),
    "android-v21_backslash.vcf": Holds([("add", "A;B\\C;D:E\\\\")]),  # vCard 2.1: only \; is an escape in a name
    "android-v21_invalid_multiple_line.vcf": Holds(  # `"Omega" <omega@…>` folded over two lines
        [("add", "Omega")], {"Omega": {"emails": ["omega@example.com"]}}
    ),
    "android-v21_adr_multiple_line.vcf": Holds(  # an ADR continued on unindented lines: those two are lost
        [("add", "bogus")],
        {"bogus": {"birthday": "2008-12-03", "location": "Hamburg, Deutschland"}},
        [(7, "ignored a line that is not a vCard property of bogus: '9999999\\\\'"), (8, "'Packstation 999;Hamburg;;99999;Deutschla…'")],
    ),
    "android-v30_comma_separated.vcf": Holds([("add", "G M F")], {"G M F": {"phones": ["1"]}}),  # a quoted ':' in a parameter
    "android-v30_ios_613_multiline.vcf": Holds(  # iOS 6.1.3: CR CR LF again
        [("add", "Bob Smith")], {"Bob Smith": {"emails": ["bob@smithauto.example"], "phones": ["(650) 555-1212"], "company": "Smith Auto Repair"}}
    ),
    # -- sabre/vobject, python vobject, l0b0/vcard, Thunderbird, SOGo ------------------------
    "sabre-issue64.vcf": Holds([("skip", "")], warnings=[(1, "skipped: it has no name, and no e-mail")], skipped=1),  # a photo, nothing else
    "sabre-issue153.vcf": Holds([("add", "Test Benutzer")]),  # `PHOTO;BASE64:` then two-space folds, LF in a CR LF file
    "pyvobject-radicale-1587.vcf": Holds([("add", "Given Family")]),  # a vCard 2.1-style GEO in 3.0
    "l0b0-line_ending_mac.vcf": Holds([("add", "John Doe")]),  # classic Mac OS: CR alone
    "l0b0-line_ending_mixed.vcf": Holds([("add", "John Doe")]),  # CR LF, CR and LF in one card
    "l0b0-maximal.vcf": Holds(  # PROFILE:VCARD, folds everywhere, an escaped comma in CATEGORIES
        [("add", "John Doe")],
        {"John Doe": {"company": "Example Organization", "role": "Assistant assessor", "emails": ["jdoe+work-related@example.org"],
                      "tags": ["finance, marketing and bull****ing", "worker drones"], "location": "Tinytown, Schwarzwald, Fantasia",
                      "note": "Who is this guy anyway? He looks like a double agent from the eighties, talks like a loon, and reads comics when he should be working."}},
        [(1, "ignored timezone of John Doe: unknown time zone '+10:30'")],
    ),  # fmt: skip
    "thunderbird-export.vcf": Holds(  # lower case, VERSION last, a QP note with no CHARSET
        [("add", "contact number one"), ("add", "contact number two")],
        {"contact number two": {"role": '"worker"', "note": "here's some unicode text…", "emails": []}},
        [(1, "ignored email of contact number one: not an e-mail address: 'contact1@invalid'"), (8, "'contact2@invalid'")],
    ),
    "sogo-TestNGVCard+SOGo.vcf": Holds(  # ORG-only and e-mail-only cards: named from the e-mail, or skipped
        [("add", "valentine@stars.example"), ("skip", "valentine@stars.example"), ("update", "valentine@stars.example"),
         ("skip", ""), ("skip", ""), ("skip", "")],
        {"valentine@stars.example": {"company": "STARS", "emails": ["valentine@stars.example", "jane@stars.example"]}},
        [(19, "skipped: it has no name, and no e-mail"), (27, "skipped: it has no name"), (31, "skipped: it has no name")],
        skipped=3,
    ),  # fmt: skip
    # -- derived copies: a real file changed just enough to show one thing seen in the wild --
    "derived-outlook-2003-cp1250.vcf": Holds(  # Windows-1250 QP: named by CHARSET in N and FN, not in ADR
        [("add", "Jan Dvořák III")],
        {"Jan Dvořák III": {"company": "Company, The", "location": "Tøebíè, Èeská republika"}},
        [(14, "ADR of Jan Dvořák III is not UTF-8 and names no CHARSET: read as Windows-1252")]
        + [(1, f"ignored phone of Jan Dvořák III: not a phone number: '{p}'") for p in ("BusinessPhone", "HomePhone", "MobilePhone", "BusinessFaxPhone")],
    ),  # fmt: skip
    "derived-thunderbird-bare-cr.vcf": Holds(  # a lone CR inside X-CUSTOM3
        [("add", "John Doe")], {"John Doe": {"company": "TheOrganization", "birthday": "1970-09-21"}}
    ),
    "derived-trailing-space.vcf": Holds(  # `BEGIN:VCARD ` and `END:VCARD<TAB> `
        [("add", "Arnold Smith"), ("add", "Chris Beatle"), ("add", "Doug White")], {"Chris Beatle": {"emails": ["chrisy55d@example.org"]}}
    ),
    "derived-cut-short.vcf": Holds(  # the download stopped inside the third card
        [("add", "Arnold Smith"), ("add", "Chris Beatle")],
        {"Chris Beatle": {"emails": ["chrisy55d@example.org"]}},
        [(13, "the file ends inside this vCard (no END:VCARD) — cut short? It was not read")],
    ),
    "derived-data-uri-bad-padding.vcf": Holds(  # vCard 4.0 data: URIs, the second one's padding cut off
        [("add", "Good Looking")], {"Good Looking": {"emails": ["goodlooking@example.com"]}},
        [(7, "ignored PHOTO of Good Looking: not valid base64 (Incorrect padding)")],
    ),  # fmt: skip
    "derived-apple-birthdays.vcf": Holds(  # Apple's year 1604 means "no year"
        [("add", n) for n in ("Param Omit", "Basic Marker", "Dashes Marker", "Basic Yearless", "Extended Yearless", "Basic Full", "Timed Full")],
        {"Param Omit": {"birthday": "--01-01"}, "Basic Marker": {"birthday": "--01-01"}, "Dashes Marker": {"birthday": "--03-05"},
         "Basic Yearless": {"birthday": "--01-01"}, "Extended Yearless": {"birthday": "--01-01"},
         "Basic Full": {"birthday": "1990-04-17"}, "Timed Full": {"birthday": "1990-04-17"}},
    ),  # fmt: skip
}
REFUSED = {"l0b0-missing_end.vcf": "line 1: the file ends inside this vCard (no END:VCARD): it holds no complete card"}


def _warnings(stderr: str) -> list[str]:
    return [line.removeprefix("warning: ") for line in stderr.splitlines() if line.startswith("warning: ")]


def _assert_warnings(stderr: str, path: Path, expected: list[tuple[int, str]]) -> None:
    got = _warnings(stderr)
    assert len(got) == len(expected), "\n".join(got)
    for line, (n, phrase) in zip(got, expected):
        assert line.startswith(f"{path}, line {n}: "), line
        assert phrase in line, line


def test_every_file_of_the_corpus_is_checked_and_credited():
    on_disk = {p.name for p in FIXTURES.glob("*.vcf")}
    assert on_disk == set(FILES) | set(REFUSED)
    readme = (FIXTURES / "README.md").read_text()
    assert [name for name in sorted(on_disk) if f"`{name}`" not in readme] == []
    assert sum(p.stat().st_size for p in FIXTURES.iterdir()) < 1_000_000


@pytest.mark.parametrize("name", sorted(FILES))
def test_dry_run_plans_what_the_file_holds(name):
    path, holds = FIXTURES / name, FILES[name]
    r = ok("import", "vcard", path, "--dry-run", "-f", "json")
    assert [(row["action"], row["name"]) for row in r.json()] == holds.plan
    added = sum(a == "add" for a, _ in holds.plan)
    updated = sum(a == "update" for a, _ in holds.plan)
    skipped = len(holds.plan) - added - updated
    unreadable = f" ({holds.skipped} unreadable)" if holds.skipped else ""
    assert f"dry run: would be {added} added, {updated} updated, {skipped} skipped{unreadable} (nothing written)" in r.stderr
    _assert_warnings(r.stderr, path, holds.warnings)


@pytest.mark.parametrize("name", sorted(FILES))
def test_import_stores_what_the_file_holds(name):
    path, holds = FIXTURES / name, FILES[name]
    r = ok("import", "vcard", path)
    _assert_warnings(r.stderr, path, holds.warnings)
    ids = {c["name"]: c["id"] for c in ok("list", "--all", "-f", "json").json()}
    assert sorted(ids) == sorted({n for a, n in holds.plan if a == "add"})
    for contact, fields in holds.contacts.items():
        shown = ok("show", str(ids[contact]), "-f", "json").json()
        for key, want in fields.items():
            if key.endswith("~"):  # a long text: a telling part of it
                assert want in (shown[key[:-1]] or ""), (contact, key)
            else:
                assert shown[key] == want, (contact, key)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_with_no_complete_card_is_refused(name, journal_path):
    refused("import", "vcard", FIXTURES / name, journal=journal_path, contains=REFUSED[name])


# -- line numbers: the file's own ---------------------------------------------------------


def _break_line(data: bytes, after: bytes, end: bytes) -> tuple[bytes, int]:
    """`data` with a line that is no property put after the line `after` (its line end `end`);
    and that line's number counted as `grep -n` counts (by LF, or by CR in a file with no LF)."""
    at = data.index(after) + len(after) + len(end)
    sep = b"\n" if b"\n" in data else b"\r"
    return data[:at] + b"no colon here" + end + data[at:], data[:at].count(sep) + 1


@pytest.mark.parametrize(
    "name, after, end",
    [
        ("ezvcard-John_Doe_IPHONE.vcf", b"BDAY;value=date:2012-06-06", b"\r\r\n"),  # CR CR LF is one line end
        ("l0b0-line_ending_mac.vcf", b"N:Doe;John;;Mr;", b"\r"),  # CR alone, when the file has no LF
        ("derived-thunderbird-bare-cr.vcf", b"X-CUSTOM3:first line\rsecond line", b"\r\n"),  # a lone CR before it is data
        ("android-v21_nest.vcf", b"N:nest2", b"\n"),
    ],
)
def test_a_warning_names_the_line_as_the_file_counts_it(tmp_path, name, after, end):
    data, line = _break_line((FIXTURES / name).read_bytes(), after, end)
    path = tmp_path / name
    path.write_bytes(data)
    r = ok("import", "vcard", path, "--dry-run", "-f", "json")
    assert re.search(rf"{re.escape(str(path))}, line {line}: ignored a line that is not a vCard property( of [^:]+)?: 'no colon here'", r.stderr)
    assert len(r.json()) == len(FILES[name].plan)  # the rest of the file is read as before


def test_a_broken_iphone_photo_is_named_at_its_own_line_not_twice_as_far():
    # iOS ends lines with CR CR LF: counted as two line ends each, the PHOTO of line 25 was "line 49"
    data = (FIXTURES / "ezvcard-John_Doe_IPHONE.vcf").read_bytes()
    assert data.split(b"\r\r\n")[24].startswith(b"PHOTO;ENCODING=b")
    lines = data.split(b"\r\r\n")
    lines[25] = b" !" + lines[25][2:]  # line 26, the photo's first folded line
    warnings: list[str] = []
    vcard.load(b"\r\r\n".join(lines), "iphone.vcf", warnings)
    assert warnings == ["iphone.vcf, line 25: ignored PHOTO of Mr. John Richter James Doe Sr.: not valid base64 (Only base64 data is allowed)"]


# -- one bad property costs that property ---------------------------------------------------


def test_a_bad_line_costs_its_property_and_the_rest_of_the_card_is_kept(tmp_path):
    path = tmp_path / "kde.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nX-messaging/gadu-All:12345\r\nEMAIL:ada@example.com\r\n"
        b"PHOTO:data:image/png;base64,iVBORw0KGgo\r\nTEL:+44 20 7946 0958\r\nEND:VCARD\r\n"
    )
    r = ok("import", "vcard", path)
    assert _warnings(r.stderr) == [
        f"{path}, line 4: ignored 'X-messaging/gadu-All' of Ada Lovelace: not a valid property name",
        f"{path}, line 6: ignored PHOTO of Ada Lovelace: not valid base64 (Incorrect padding)",
    ]
    ada = ok("show", "ada", "-f", "json").json()
    assert ada["emails"] == ["ada@example.com"] and ada["phones"] == ["+44 20 7946 0958"]


def test_a_card_without_name_or_e_mail_is_skipped_and_counted_and_the_rest_imported(tmp_path):
    path = tmp_path / "c.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nTEL:123\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Grace Hopper\nEND:VCARD\n")
    r = ok("import", "vcard", path)
    assert r.stderr.endswith("1 added, 0 updated, 1 skipped (1 unreadable)\n")
    assert f"{path}, line 1: skipped: it has no name, and no e-mail to name it by" in r.stderr


def test_a_card_named_by_its_e_mail_takes_the_display_name(tmp_path):
    path = tmp_path / "c.vcf"
    path.write_text('BEGIN:VCARD\nVERSION:3.0\nEMAIL:"Grace Hopper" <grace@navy.example>\nEND:VCARD\n')
    ok("import", "vcard", path)
    grace = ok("show", "grace", "-f", "json").json()
    assert grace["name"] == "Grace Hopper" and grace["emails"] == ["grace@navy.example"]


def test_text_outside_the_cards_is_a_warning_and_no_card_at_all_is_refused(tmp_path, journal_path):
    path = tmp_path / "c.vcf"
    path.write_text("BEGIN:VCARD\nFN:Ada\nEND:VCARD\n\nstray\nEND:VCARD\n")
    r = ok("import", "vcard", path)
    assert f"{path}, line 5: ignored text outside any vCard (lines 5, 6)" in r.stderr
    path.write_text("\n\nhello there\n")
    refused("import", "vcard", path, journal=journal_path, contains="line 3: not a vCard (expected BEGIN:VCARD)")


def test_an_image_named_vcf_is_refused_as_binary(tmp_path, journal_path):
    path = tmp_path / "photo.vcf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    refused("import", "vcard", path, journal=journal_path, contains="line 1: not a text file (binary data)")


def test_a_charset_is_followed_unless_the_bytes_are_utf_8():
    # web generators label UTF-8 ISO-8859-1; bytes that form UTF-8 almost never mean anything else
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:{fn}\r\nEND:VCARD\r\n"
        for fn in ("J=C3=BCrgen M=C3=BCller", "Ren=E9e Dupont")
    )
    warnings: list[str] = []
    assert [r.name for r in vcard.read(cards, "x.vcf", warnings)] == ["Jürgen Müller", "Renée Dupont"]
    assert warnings == []


# -- ORG, NOTE and text that goes out and comes back ------------------------------------------


def test_an_unescaped_comma_in_org_stays_in_the_company_and_exports_as_text(tmp_path):
    ok("import", "vcard", FIXTURES / "ezvcard-outlook-2003.vcf")
    assert ok("show", "john", "-f", "json").json()["company"] == "Company, The"
    text = ok("export", "vcard").stdout
    assert "\r\nORG:Company\\, The\r\n" in text


def test_every_note_of_a_card_is_kept(tmp_path):
    path = tmp_path / "c.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nNOTE:first\nNOTE:\nNOTE:second\\nline\nEND:VCARD\n")
    ok("import", "vcard", path)
    assert ok("show", "ada", "-f", "json").json()["note"] == "first\n\nsecond\nline"


def test_a_note_with_tabs_and_newlines_survives_export_and_import(tmp_path, monkeypatch):
    note = "col 1\tcol 2\nrow; two,\t\tthree \\ four\n\nafter a blank line"
    ok("add", "Ada Lovelace", "--email", "ada@example.com", "--note", note)
    path = tmp_path / "out.vcf"
    ok("export", "vcard", "-o", path)
    assert "NOTE:col 1\tcol 2\\nrow\\; two\\,\t\tthree \\\\ four\\n\\nafter a blank line\r\n" in path.read_bytes().decode()
    monkeypatch.setenv("CNO_DB", str(tmp_path / "other.db"))
    ok("import", "vcard", path)
    assert ok("show", "ada", "-f", "json").json()["note"] == note


_NOTE = st.text(st.sampled_from("ab é\t\n,;:\\\"^ñ€😀"), min_size=1, max_size=300).map(str.strip).filter(bool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=_NOTE)
def test_any_note_survives_the_vcard_it_is_written_to(note):
    row = {"uid": "u", "name": "Ada", "emails": [], "phones": [], "tags": [], "company": None, "role": None, "birthday": None,
           "location": None, "timezone": None, "linkedin": None, "note": note}  # fmt: skip
    text = vcard.card(row)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert not re.search("[\x00-\x08\x0a-\x1f\x7f]", text.replace("\r\n", ""))  # no control character but TAB
    assert vcard.read(text, "x.vcf")[0].note == note


# -- birthdays --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bday, stored",
    [
        ("BDAY:16040101", "--01-01"), ("BDAY:1604-01-01", "--01-01"), ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-12-09", "--12-09"),
        ("BDAY:--0101", "--01-01"), ("BDAY:--01-01", "--01-01"), ("BDAY:19900417", "1990-04-17"),
        ("BDAY:1990-04-17T00:00:00Z", "1990-04-17"), ("BDAY;VALUE=date:1990-04-17", "1990-04-17"), ("BDAY:19531015T231000Z", "1953-10-15"),
    ],
)  # fmt: skip
def test_birthday_forms(bday, stored):
    assert vcard.read(f"BEGIN:VCARD\r\nFN:Ada\r\n{bday}\r\nEND:VCARD\r\n", "x.vcf")[0].birthday == stored


# -- speed --------------------------------------------------------------------------------------


def _realistic_cards(n: int) -> str:
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "QUJD" * 800
    folded = "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    cards = []
    for i in range(n):
        cards.append(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.2//EN\r\nN:Lovelace{i};Ada;;;\r\nFN:Ada Lovelace{i}\r\n"
            f"ORG:Analytical Engines\\, Ltd;Research\r\nTITLE:Engineer\r\nEMAIL;type=INTERNET;type=WORK;type=pref:ada{i}@example.com\r\n"
            f"TEL;type=CELL;type=VOICE;type=pref:+44 7700 9{i:05d}\r\nitem1.ADR;type=HOME:;;1 Main St;London;;N1 1AA;UK\r\n"
            f"item1.X-ABADR:gb\r\nBDAY;value=date:1990-0{1 + i % 9}-1{i % 10}\r\nNOTE:Met at the conference\\nlikes tea\r\n"
            f"URL:https://www.linkedin.com/in/ada-{i}\r\n{folded if i % 10 == 0 else 'UID:' + str(i)}\r\nEND:VCARD\r\n"
        )
    return "".join(cards)


def test_a_phone_export_reads_at_thousands_of_cards_a_second():
    text = _realistic_cards(3000)
    start = time.process_time()  # CPU time: other processes on the machine don't count
    records = vcard.read(text, "big.vcf")
    spent = time.process_time() - start
    assert len(records) == 3000 and records[-1].linkedin == "https://www.linkedin.com/in/ada-2999"
    assert 3000 / spent >= 3000, f"{3000 / spent:.0f} cards/s"


def test_a_huge_photo_costs_no_more_than_its_size():
    photo = "\r\n ".join(["QUJD" * 18] * 50_000)  # 3.6 MB, folded: joining its lines one by one would be quadratic
    start = time.process_time()
    (rec,) = vcard.read(f"BEGIN:VCARD\r\nFN:Ada\r\nPHOTO;ENCODING=b:{photo}\r\nEND:VCARD\r\n", "x.vcf")
    assert rec.name == "Ada" and time.process_time() - start < 2


def test_the_fixture_table_is_what_vcard_read_gives_without_the_cli():
    # the same table through the reader alone: names, in order, one per card
    for name, holds in FILES.items():
        warnings: list[str] = []
        records = vcard.load((FIXTURES / name).read_bytes(), name, warnings)
        assert len(records) == len(holds.plan), name
        assert all(w.startswith(f"{name}, line ") for w in warnings), name

