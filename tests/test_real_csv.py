"""Imports of real exports (tests/fixtures/real/csv/, README.md there names each
file's source): what each file holds, read right; the identity rule; LinkedIn's
dates; CSV delimiters and encodings; and the counts of what was skipped."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ok, refused

REAL = Path(__file__).parent / "fixtures" / "real" / "csv"


@dataclass
class Export:
    file: str
    kind: str  # csv or linkedin
    summary: str  # of the first import
    people: dict[str, dict]  # name → the fields the card must show (a subset)
    added: list[str] = field(default_factory=list)  # every added name, in file order (default: people's keys)
    warnings: list[str] = field(default_factory=list)  # fragments stderr must hold
    args: tuple[str, ...] = ()

    def __post_init__(self):
        self.added = self.added or list(self.people)


LI = "https://www.linkedin.com/in/"

EXPORTS = [
    # -- Thunderbird (mozilla comm-central's import tests) --------------------------
    Export("thunderbird-basic.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"John Doe": {"emails": ["johndoe@host.invalid"], "company": None}}),
    Export("thunderbird-quote.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"Acer America": {"company": "Acer America", "phones": ["(800) 000-0000"], "emails": []}}),
    Export("thunderbird-shiftjis.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"名無しの権兵衛": {"emails": ["名無しの権兵衛@host.invalid"]}}, warnings=["read as Shift_JIS"]),
    Export("thunderbird-utf16.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"John Doe": {"emails": ["johndoe@host.invalid"]}}),
    Export("thunderbird-semicolon.csv", "csv", "2 added, 0 updated, 0 skipped",
           {"John Doe": {"emails": ["john@doe.invalid"]}, "Jane Doe": {"emails": ["jane@doe.invalid"]}}),
    Export("thunderbird-tab.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"John Doe": {"emails": ["johndoe@host.invalid"]}}),
    # -- Roundcube's CSV-to-vCard tests ----------------------------------------------
    Export("roundcube-gmail.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"Prefix Firstname Middle Lastname Suffix": {
               "company": "company", "role": "jobtitle", "birthday": "1975-12-12", "note": 'note"note',
               "emails": ["home@aaa.pl", "work@email.pl", "unknown@email.com", "other@email.com"], "tags": ["test"]}}),
    Export("roundcube-outlook.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"test1@domain.tld": {"emails": ["test1@domain.tld", "test2@domain.tld", "test3@domain.tld"]}}),
    Export("roundcube-email.csv", "csv", "4 added, 0 updated, 0 skipped",
           {f"test{i}@domain.tld": {"emails": [f"test{i}@domain.tld"]} for i in range(1, 5)}),
    Export("roundcube-thunderbird.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"Displayname": {"company": "Organization", "role": "title", "location": "City",
                            "emails": ["test@domain.tld", "next@domain.tld"]}}),
    Export("roundcube-all.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"Display Name": {"company": "Company", "role": "Job Title",
                             "emails": ["home@example.com", "work@example.com", "other@example.com"], "tags": ["test"]}}),
    # -- bbdb-csv-import's test data ---------------------------------------------------
    Export("bbdb-gmail.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"test contact": {"company": "company-name", "role": "titledata", "note": "notes data",
                             "emails": ["homeemail@home.com", "workemail@work.com", "customemail@custom.com"], "tags": []}},
           warnings=["line 2: ignored birthday"]),
    Export("bbdb-linkedin-outlook.csv", "csv", "2 added, 0 updated, 0 skipped",
           {"testfirst testmiddle testlast": {"company": "testcompany", "role": "test title", "emails": ["testmeil@hotmail.com"]},
            "testfirst2 testmiddle2 testlast2": {"company": "testcompany2", "emails": ["testmeil@hotmail.com2"]}},
           warnings=["line 2: ignored email of testfirst testmiddle testlast: not an e-mail address: '2ndemailtest'"]),
    Export("bbdb-outlook-web.csv", "csv", "2 added, 0 updated, 0 skipped",
           {"test name": {"phones": ["12341234"]}, "test name2": {"phones": ["1234"]}}),
    Export("bbdb-thunderbird.csv", "csv", "3 added, 0 updated, 0 skipped",
           {"justanemail@example.net": {"emails": ["justanemail@example.net"]},  # a row with only an e-mail
            "Weather": {"phones": ["289-1212"], "emails": []},
            "Rob Vole": {"company": "org1", "role": "job title master",
                         "emails": ["vole49@example.com", "secondaryvole@example.com"]}}),
    # -- rolomind, google-shared-contacts-client, monica ----------------------------------
    Export("rolomind-google.csv", "csv", "4 added, 0 updated, 0 skipped",
           {"John Doe": {"company": "Acme Corp", "role": "CEO", "emails": ["john@example.com"], "phones": ["+1-555-0123"]},
            "Jane Smith": {"company": "Tech Co"}, "Bob Wilson": {"emails": ["bob@startup.com"], "phones": []},
            "Alice Brown": {"role": "Director"}}),
    Export("rolomind-rolodex.csv", "csv", "4 added, 0 updated, 0 skipped",
           {"John Doe": {"linkedin": "https://linkedin.com/in/johndoe", "location": "San Francisco, CA", "note": "Met at conference"},
            "Jane Smith": {}, "Bob Wilson": {}, "Alice Brown": {"linkedin": None}}),
    Export("rolomind-custom.csv", "csv", "4 added, 0 updated, 0 skipped",
           {"John Doe": {"company": "Acme Corporation", "emails": ["john.doe@acme.com"], "phones": ["(555) 123-4567"]},
            "Jane Smith": {}, "Robert Wilson": {"phones": []}, "Alice Brown": {"company": "Artificial Intelligence Labs"}},
           args=("--map", "Business=company")),
    Export("gsc-outlook.csv", "csv", "3 added, 0 updated, 0 skipped",
           {"Adam Glacius": {"company": "Acme Inc.", "role": "Sales Planner", "note": "Has 2 kids",
                             "emails": ["adam.glacius@anycom.com", "adam.g@example.com", "ag@glacius.com"]},
            "Daniel Ireland": {"role": "Receptionist"}, "Duncan Amey": {"emails": ["duncanamey@dreamt.com"]}}),
    Export("monica-stub.csv", "csv", "1 added, 0 updated, 0 skipped", {"Rowan Paul Dara Hewitt": {"emails": []}}),
    Export("google-system-groups.csv", "csv", "1 added, 0 updated, 0 skipped",
           {"Prefix Firstname Middle Lastname Suffix": {"tags": ["test"]}}),
    # -- LinkedIn's Connections.csv over the years ------------------------------------------
    Export("rolomind-linkedin.csv", "linkedin", "5 added, 0 updated, 0 skipped",
           {"John Doe": {"met_on": "2024-01-15", "linkedin": "https://linkedin.com/in/johndoe", "emails": ["john@example.com"]},
            "Jane Smith": {"met_on": "2024-02-20"}, "Bob Wilson": {"met_on": "2023-03-10", "emails": []},
            "Alice Brown": {"met_on": "2023-12-25", "role": "Director of Engineering"},
            "Charlie Davis": {"met_on": "2025-05-05", "tags": ["linkedin"]}}),
    Export("linkedin-2024.csv", "linkedin", "11 added, 0 updated, 2 skipped (2 unreadable)",
           {"Priya Raman": {"met_on": "2024-05-30", "company": "Northwind Traders", "tags": ["linkedin"]},
            "Tomasz Zielny": {"emails": ["tomasz.zielny@example.com"]},
            "Dana Okafor": {"company": "Contoso, Inc"},
            "Sai Kiran Vemula": {"met_on": "2023-12-06"},
            "Seán O’Dowd": {"met_on": "2022-04-16", "linkedin": f"{LI}se%C3%A1n-o%E2%80%99dowd-435896237"},
            'James "JJ" Fennimore': {"met_on": "2021-09-28"},
            "Mara Pathak": {"role": "Senior Team Lead - Delivery"}},
           added=["Priya Raman", "Tomasz Zielny", "Dana Okafor", "Alison Hill", "Sai Kiran Vemula", "Alison Hill",
                  "Seán O’Dowd", "Barry Tolland", "Barry Tolland", 'James "JJ" Fennimore', "Mara Pathak"],
           warnings=["line 10: added Alison Hill (#6) as a second contact with that name: #4 has it, with a different LinkedIn URL",
                     "line 11: skipped: it has no name", "line 17: skipped: it has no name"]),
    Export("linkedin-2023.csv", "linkedin", "4 added, 0 updated, 0 skipped",
           {"Arpita Mishal 🇮🇳": {"met_on": "2023-05-08", "company": "Government Jobs in India", "linkedin": None},
            "Anmol Goyal": {"met_on": "2023-04-25"}, "Yash Pritam": {}, "Akshay Deshpande": {"role": "IT Professional"}}),
    Export("linkedin-2022.csv", "linkedin", "6 added, 0 updated, 0 skipped",
           {"Mr. Oyelaran": {"met_on": "2022-06-27", "company": None}, "Vaseem Ahmadi": {"company": "Northwind Capital"},
            "Aishwarya S.V.R.": {"met_on": "2022-06-26"}, "Yizhou (Frank) Wen": {"company": "This is Family Tree Farm's Co."},
            "Kathleen Edmonds": {"met_on": "2022-06-24"}, "Shiyu Hua": {"company": "Coho Motor Company, Inc.", "met_on": "2022-06-23"}}),
    Export("linkedin-2022-cp1252.csv", "linkedin", "6 added, 0 updated, 0 skipped",
           {"Mr. Oyelaran": {}, "José Núñez": {"company": "Northwind Capital", "met_on": "2022-06-27"},
            "Aishwarya S.V.R.": {}, "Yizhou (Frank) Wen": {}, "Zoë Bräutigam": {"met_on": "2022-06-24"}, "Shiyu Hua": {}},
           warnings=["not UTF-8 (line 3); read as Windows-1252"]),
    Export("linkedin-excel-2026.csv", "linkedin", "6 added, 0 updated, 0 skipped",
           {"Giulia Bonetti": {"met_on": "2026-01-05", "role": "Senior Data Analyst"},
            "Zoë Lindqvist": {"met_on": "2025-12-21"},
            "Romina Sol Ona Bil\ufffd": {"met_on": "2025-12-19"},
            "\ufffd\ufffd\ufffd\ufffd Max Irvine": {"met_on": "2025-12-16"},
            "Alejandra Sotomayor Col\ufffd": {"company": "Rapta, Inc.", "met_on": "2023-08-11"},
            "Inés Quiñonero": {"met_on": "2015-12-01"}},
           warnings=["linkedin-excel-2026.csv, line 4: bytes that are not UTF-8", "linkedin-excel-2026.csv, line 5: bytes that are not UTF-8"]),
    Export("linkedin-2018.csv", "linkedin", "8 added, 0 updated, 0 skipped",
           {"Claus Berger": {"met_on": "2018-01-08", "emails": ["claus@approveit.example"], "linkedin": None},
            "Vivek Sharan": {"met_on": "2018-04-04"}, "meera joshi": {"met_on": "2017-11-17"},
            "Nadia Arora": {"met_on": "2015-07-28", "company": None}, "Priyanka Basu": {"met_on": "2017-11-11"},
            "Trần Minh Châu": {"met_on": "2018-07-29"},
            "Vaibhav Bhalla": {"company": "The Startup Edge-Entrepreneurship Cell, Ridgeway College."},
            "Yuvan Parikh": {"met_on": "2018-08-18", "emails": []}},
           warnings=["line 9: ignored email of Yuvan Parikh"]),
]  # fmt: skip


def contacts() -> list[dict]:
    return ok("list", "--all", "-f", "json").json()


def card(cid: int) -> dict:
    return ok("show", str(cid), "-f", "json").json()


@pytest.mark.parametrize("export", EXPORTS, ids=[e.file for e in EXPORTS])
def test_a_real_export_imports_what_it_holds(export: Export):
    path = REAL / export.file
    plan = ok("import", export.kind, path, *export.args, "--dry-run", "-f", "json")
    assert [r["name"] for r in plan.json() if r["action"] == "add"] == export.added
    assert f"dry run: would be {export.summary} (nothing written)" in plan.stderr
    r = ok("import", export.kind, path, *export.args)
    assert r.stderr.strip().splitlines()[-1] == export.summary
    for fragment in export.warnings:
        assert fragment in r.stderr, r.stderr
    listed = contacts()
    assert sorted(c["name"] for c in listed) == sorted(export.added)
    for name, fields in export.people.items():
        (cid,) = [c["id"] for c in listed if c["name"] == name]
        shown = card(cid)
        assert {k: shown[k] for k in fields} == fields, name
    # a re-import finds every contact it made and adds nothing
    before = ok("export", "json").stdout
    again = ok("import", export.kind, path, *export.args)
    unreadable = export.summary.partition(" skipped")[2]
    assert again.stderr.strip().splitlines()[-1] == f"0 added, 0 updated, {len(plan.json())} skipped{unreadable}"
    assert ok("export", "json").stdout == before


def test_a_linkedin_copy_with_its_name_columns_removed_is_refused(journal_path):
    refused("import", "linkedin", REAL / "linkedin-no-names.csv", journal=journal_path, contains="no header row with First Name and Last Name")


def test_a_csv_with_neither_a_name_nor_an_e_mail_column_is_refused(tmp_path, journal_path):
    path = tmp_path / "portfolio.csv"
    path.write_text("Symbol,Current Price,Date\nZLB.TO,0,2025-03-09\n")
    refused("import", "csv", path, journal=journal_path, contains="no name column (nor an e-mail one)")


# -- identity: different people are never merged -------------------------------------


def test_namesakes_of_one_linkedin_file_with_other_profile_urls_stay_apart():
    r = ok("import", "linkedin", REAL / "linkedin-2024.csv")
    hills = [card(c["id"]) for c in contacts() if c["name"] == "Alison Hill"]
    # the first had no employer: the second's must not land on her
    assert [(h["linkedin"], h["company"], h["role"]) for h in hills] == [
        (f"{LI}alison-hill-7f3e21", None, "Software Engineer"),
        (f"{LI}alisonhill", "Tailspin Toys", "Product Designer"),
    ]
    tollands = [card(c["id"])["linkedin"] for c in contacts() if c["name"] == "Barry Tolland"]
    assert tollands == [f"{LI}barrytolland", f"{LI}barry-tolland-2b1a2b26"]
    assert "line 14: added Barry Tolland (#9) as a second contact with that name" in r.stderr


def test_an_import_never_merges_into_a_journal_namesake_with_another_profile():
    ok("add", "Alison Hill", "--linkedin", f"{LI}alison-hill-7f3e21", "--company", "Northwind")
    r = ok("import", "csv", REAL / "rolomind-rolodex.csv")  # no Alison there: a control
    assert "second contact" not in r.stderr
    path = REAL / "linkedin-2024.csv"
    r = ok("import", "linkedin", path)
    assert "10 added, 1 updated, 2 skipped (2 unreadable)" in r.stderr
    hills = {c["id"]: card(c["id"]) for c in contacts() if c["name"] == "Alison Hill"}
    assert sorted(h["company"] or "" for h in hills.values()) == ["Northwind", "Tailspin Toys"]


def test_namesakes_with_e_mails_that_share_none_stay_apart(tmp_path):
    ok("add", "Sam Lee", "--email", "sam@work.example", "--company", "Fabrikam")
    path = tmp_path / "p.csv"
    path.write_text("Name,Email,Company\nSam Lee,sam.lee@home.example,Fabrikam\nSam Lee,sam@work.example,Fabrikam\n")
    r = ok("import", "csv", path)
    assert "1 added, 0 updated, 1 skipped" in r.stderr
    assert "#1 has it, with other e-mail addresses" in r.stderr
    assert sorted(card(c["id"])["emails"][0] for c in contacts()) == ["sam.lee@home.example", "sam@work.example"]


def test_a_shared_e_mail_does_not_merge_two_linkedin_profiles(tmp_path):
    ok("add", "Tomasz Zielny", "--email", "tomasz.zielny@example.com", "--linkedin", f"{LI}tomasz-zielny-senior")
    r = ok("import", "linkedin", REAL / "linkedin-2024.csv")
    assert "11 added, 0 updated, 2 skipped (2 unreadable)" in r.stderr
    assert "line 6: tomasz.zielny@example.com already belongs to Tomasz Zielny (#1)" in r.stderr
    assert "#1 has it, with a different LinkedIn URL" in r.stderr
    assert card(1)["linkedin"] == f"{LI}tomasz-zielny-senior" and card(1)["company"] is None


def test_a_vcard_round_trip_keeps_namesakes_with_other_e_mails_apart(tmp_path, monkeypatch):
    ok("add", "Sam Lee", "--email", "sam@one.example")
    ok("add", "Sam Lee", "--email", "sam@two.example", "--again")
    path = tmp_path / "out.vcf"
    ok("export", "vcard", "-o", path)
    monkeypatch.setenv("CNO_DB", str(tmp_path / "fresh.db"))
    r = ok("import", "vcard", path)
    assert "2 added, 0 updated, 0 skipped" in r.stderr
    assert sorted(card(c["id"])["emails"][0] for c in contacts()) == ["sam@one.example", "sam@two.example"]
    assert "0 added, 0 updated, 2 skipped" in ok("import", "vcard", path).stderr


@pytest.mark.parametrize("again", [
    f"{LI}alisonhill#experience",  # a fragment alone
    "http://WWW.linkedin.com/in/AlisonHill/",
    "https://de.linkedin.com/in/alisonhill?originalSubdomain=de",
    "https://m.linkedin.com/in/alisonhill",
])  # fmt: skip
def test_a_linkedin_url_is_one_profile_however_it_is_written(tmp_path, again):
    ok("add", "Alison Hill", "--linkedin", f"{LI}alisonhill")
    path = tmp_path / "c.csv"
    path.write_text(f"First Name,Last Name,URL,Company,Connected On\nAlison,Hill,{again},Tailspin Toys,28 Sep 2023\n")
    r = ok("import", "linkedin", path)
    assert r.stderr.strip().splitlines()[-1] == "0 added, 1 updated, 0 skipped"
    assert card(1)["company"] == "Tailspin Toys"


# -- LinkedIn's dates -------------------------------------------------------------------


@pytest.mark.parametrize("written, day", [
    ("26 Jul 2025", "2025-07-26"), ("5-Jan-26", "2026-01-05"), ('"1/8/18, 6:14 PM"', "2018-01-08"),
    ("2025-07-26", "2025-07-26"), ("12/17/17", "2017-12-17"), ("15-Jan-99", "1999-01-15"),
])  # fmt: skip
def test_connected_on_in_every_form_linkedin_and_spreadsheets_write(tmp_path, written, day):
    path = tmp_path / "c.csv"
    path.write_text(f"First Name,Last Name,Connected On\nAda,Lovelace,{written}\n")
    ok("import", "linkedin", path)
    assert card(1)["met_on"] == day


def test_an_impossible_connected_on_is_dropped_with_a_warning(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("First Name,Last Name,Connected On\nAda,Lovelace,31-Feb-24\n")
    r = ok("import", "linkedin", path)
    assert "line 2: ignored met_on of Ada Lovelace" in r.stderr
    assert card(1)["met_on"] is None


# -- CSV: delimiters and encodings -------------------------------------------------------


def test_a_semicolon_delimited_linkedin_copy_is_read(tmp_path):
    path = tmp_path / "c.csv"
    text = (REAL / "linkedin-2022.csv").read_text().replace(",", ";")
    path.write_text(text)
    ok("import", "linkedin", path)
    assert len(contacts()) == 6
    assert card(1)["met_on"] == "2022-06-27"


def test_one_bad_byte_in_a_utf8_file_is_replaced_and_its_line_named(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("Name,Company\nZoë Lindqvist,Fabrikam\nInés Quiñonero,Pibukor\n".encode() + b"Max Irvine,Bons\xe0i\n")
    r = ok("import", "csv", path)
    assert "p.csv, line 4: bytes that are not UTF-8 were read as \ufffd" in r.stderr
    assert "Windows-1252" not in r.stderr
    assert sorted(c["name"] for c in contacts()) == ["Inés Quiñonero", "Max Irvine", "Zoë Lindqvist"]
    assert card(3)["company"] == "Bons\ufffdi"


def test_many_bad_lines_are_named_up_to_ten_and_then_counted(tmp_path):
    path = tmp_path / "p.csv"
    good = "".join(f"Zoë {i},x\n" for i in range(30)).encode()
    bad = b"".join(b"Bad \xe0 %d,x\n" % i for i in range(12))
    path.write_bytes(b"Name,Company\n" + good + bad)
    r = ok("import", "csv", path)
    assert r.stderr.count("bytes that are not UTF-8") == 10
    assert "and 2 more lines like that" in r.stderr


LOADED = """
import sys
from cno.cli import main
main(["import", sys.argv[1], sys.argv[2], "--dry-run"])
print("charset_normalizer" in sys.modules)
"""


@pytest.mark.parametrize("kind, name, loaded", [
    ("csv", "roundcube-all.csv", False), ("csv", "thunderbird-utf16.csv", False),
    ("linkedin", "linkedin-excel-2026.csv", False), ("csv", "thunderbird-shiftjis.csv", True),
])  # fmt: skip
def test_only_files_that_are_not_utf8_load_charset_normalizer(kind, name, loaded):
    r = subprocess.run([sys.executable, "-c", LOADED, kind, str(REAL / name)], capture_output=True, text=True, check=True)
    assert r.stdout.strip().splitlines()[-1] == str(loaded), r.stderr


# -- the counts ---------------------------------------------------------------------------


def test_every_skip_is_counted_and_unreadable_rows_apart(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("First Name,Last Name,Email,Phone\nAda,Lovelace,,\n,,,+44 1\n,,ada@example.com,\n,,Grace <grace@example.com>,\n")
    r = ok("import", "csv", path)
    assert r.stderr.strip().splitlines()[-1] == "3 added, 0 updated, 1 skipped (1 unreadable)"
    assert "p.csv, line 3: skipped: it has no name, and no e-mail to name it by" in r.stderr
    assert sorted(c["name"] for c in contacts()) == ["Ada Lovelace", "Grace", "ada@example.com"]
    r = ok("import", "csv", path)
    assert r.stderr.strip().splitlines()[-1] == "0 added, 0 updated, 4 skipped (1 unreadable)"
