"""`cno dupes`: likely duplicate pairs, each with its reasons, a score and the merge line to run."""

from __future__ import annotations

import csv
import io
import re
import shlex
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import cno, ok

KEYS = ["a_id", "a_name", "b_id", "b_name", "reasons", "score", "a_archived", "b_archived", "merge"]


def add(name: str, *options: str) -> int:
    """Add a contact (another person of that name if need be); its id."""
    r = ok("add", name, "--again", *options)
    return int(re.search(r"\(#(\d+)\)", r.stderr).group(1))  # "added Ada Lovelace (#3)"


def dupes() -> list[dict]:
    return ok("dupes", "-f", "json").json()


def pairs() -> dict[frozenset, list[str]]:
    """{the two ids: the reasons}"""
    return {frozenset((r["a_id"], r["b_id"])): r["reasons"] for r in dupes()}


# -- each reason --------------------------------------------------------------


def test_same_email_ignoring_case_pairs_unrelated_names(journal_path):
    # cno refuses an address another contact has (ASCII case ignored), so the
    # ASCII case arrives through the file (an older cno, another tool) ...
    a = add("Ada Lovelace", "--email", "ada@ae.example")
    b = add("Countess of Lovelace")
    conn = sqlite3.connect(journal_path)
    conn.execute("INSERT INTO contact_emails (contact_id, email) VALUES (?, 'ADA@AE.Example')", (b,))
    conn.commit()
    conn.close()
    # ... and a non-ASCII one through `add` itself (SQLite's NOCASE folds ASCII only)
    c = add("Émile Zola", "--email", "ÉMILE@zola.example")
    d = add("E. Z.", "--email", "émile@zola.example")
    add("Someone Else", "--email", "ada@other.example")
    assert pairs() == {frozenset((a, b)): ["same e-mail"], frozenset((c, d)): ["same e-mail"]}


@pytest.mark.parametrize(
    "one, other",
    [
        ("+44 20 7946 0958", "020 7946 0958"),  # with the country code and without (the trunk 0)
        ("+44 (0)20 7946 0958", "+44 20 7946 0958"),  # the UK's "(0)" is not dialled from abroad
        ("0044 20 7946 0958", "+44-20-7946-0958"),  # 00 is +; punctuation is not digits
        ("(020) 7946.0958", "020 7946 0958 ext. 12"),  # an extension is not part of the number
        ("+1 555 123 4567", "555-123-4567"),  # a one-digit country code
    ],
)
def test_same_phone_by_its_digits(journal_path, one, other):
    a = add("Ada Lovelace", "--phone", one)
    b = add("Grace Hopper", "--phone", other)
    assert [(r["a_id"], r["b_id"], r["reasons"]) for r in dupes()] == [(a, b, ["same phone"])]


@pytest.mark.parametrize(
    "one, other",
    [
        ("+44 20 7946 0958", "+44 20 7946 0959"),  # one digit off
        ("+44 20 7946 0958", "+33 20 7946 0958"),  # another country
        ("+44 20 7946 0958", "020 7946 095"),  # a digit short
        ("12 34 56", "12 34 56"),  # too short to be anyone's own number
    ],
)
def test_different_phones_pair_no_one(journal_path, one, other):
    add("Ada Lovelace", "--phone", one)
    add("Grace Hopper", "--phone", other)
    assert dupes() == []


def test_same_linkedin_url_in_its_variants(journal_path):
    a = add("Ada Lovelace", "--linkedin", "https://www.linkedin.com/in/ada-l/")
    b = add("Augusta King", "--linkedin", "linkedin.com/in/Ada-L?trk=people")
    c = add("A. A. King", "--linkedin", "http://uk.linkedin.com/in/ada-l")
    add("Ada Byron", "--linkedin", "https://www.linkedin.com/in/ada-b/")
    assert pairs() == {frozenset(p): ["same LinkedIn URL"] for p in [(a, b), (a, c), (b, c)]}


def test_near_identical_name_with_the_same_company(journal_path):
    # a typo, a middle initial and an initial for the first name; company
    # compared without case, spacing or legal form
    a = add("John Smith", "--company", "Acme Ltd")
    b = add("Jon Smith", "--company", "ACME")
    c = add("Ada B. Lovelace", "--company", "Analytical  Engines")
    d = add("Ada Lovelace", "--company", "analytical engines inc")
    e = add("A. Lovelace", "--company", "Analytical Engines")
    assert pairs() == {
        frozenset((a, b)): ["near-identical name", "same company"],
        frozenset((c, d)): ["near-identical name", "same company"],
        frozenset((d, e)): ["near-identical name", "same company"],
    }


def test_near_identical_name_with_the_same_email_domain(journal_path):
    a = add("Grace Hopper", "--email", "grace@navy.example")
    b = add("Grace M. Hopper", "--email", "g.hopper@NAVY.example", "--company", "US Navy")
    assert pairs() == {frozenset((a, b)): ["near-identical name", "same e-mail domain"]}


def test_same_name_in_another_word_order_accents_and_spacing(journal_path):
    a = add("Ada Lovelace", "--company", "Analytical Engines")
    b = add("Lovelace,  Ada", "--company", "Analytical Engines")
    c = add("José García", "--email", "jose@acme.example")
    d = add("GARCIA Jose", "--email", "jgarcia@acme.example")
    assert pairs() == {
        frozenset((a, b)): ["same name", "same company"],
        frozenset((c, d)): ["same name", "same e-mail domain"],
    }


def test_identifiers_and_names_add_up(journal_path):
    a = add("Ada Lovelace", "--company", "Analytical Engines", "--phone", "+44 20 7946 0958")
    b = add("Ada Lovelace", "--company", "Analytical Engines", "--phone", "020 7946 0958")
    assert pairs() == {frozenset((a, b)): ["same phone", "same name", "same company"]}


# -- what is not a pair -------------------------------------------------------


def test_similar_names_at_different_companies_and_domains_are_not_a_pair(journal_path):
    add("Ada Lovelace", "--company", "Analytical Engines", "--email", "ada@ae.example")
    add("Ada Lovelock", "--company", "Babbage & Co", "--email", "ada@babbage.example")
    add("Wei Zhang", "--company", "Nimbus Labs", "--email", "wei@nimbus.example")
    add("Wei Zhang", "--company", "Orbital Bank", "--email", "wei@orbital.example")
    # a name without company or e-mail is not enough either
    add("Wei Zhang")
    add("Wei Zhang")
    assert dupes() == []


def test_a_public_mail_domain_backs_up_no_name(journal_path):
    add("Wei Zhang", "--email", "wei.zhang@gmail.com")
    add("Wei Zhang", "--email", "zhangwei88@gmail.com")
    assert dupes() == []


def test_a_same_company_backs_up_only_a_similar_name(journal_path):
    add("Ada Lovelace", "--company", "Analytical Engines")
    add("Charles Babbage", "--company", "Analytical Engines")
    assert dupes() == []


def test_an_identifier_on_many_contacts_is_a_shared_one(journal_path):
    # a switchboard on 21 cards pairs no one; the same number on three does
    for i in range(21):
        add(f"Person {i:02d} Staff", "--phone", "+44 20 7946 0000")
    trio = [add(f"Family {k}", "--phone", "+44 20 7946 1111") for k in "ABC"]
    assert pairs() == {frozenset(p): ["same phone"] for p in [(trio[0], trio[1]), (trio[0], trio[2]), (trio[1], trio[2])]}


# -- score, order and the merge line -----------------------------------------


def test_most_likely_first_then_by_ids(journal_path):
    # evidence adds up: the more reasons, the higher; ties go by ids
    name_company = (add("Ada Lovelace", "--company", "AE"), add("Ada Lovelace", "--company", "AE"))
    near_domain = (add("Grace Hopper", "--email", "g@navy.example"), add("Grace M. Hopper", "--email", "gh@navy.example"))
    email_only = (add("Tim B", "--email", "tim@w3.example"), add("Timothy Berners-Lee"))
    conn = sqlite3.connect(journal_path)
    conn.execute("INSERT INTO contact_emails (contact_id, email) VALUES (?, 'TIM@w3.example')", (email_only[1],))
    conn.commit()
    conn.close()
    everything = (
        add("Linus Torvalds", "--company", "Linux", "--email", "linus@kernel.example", "--phone", "+1 555 000 1234",
            "--linkedin", "linkedin.com/in/linus"),
        add("Linus Torvalds", "--company", "Linux Foundation", "--email", "lt@kernel.example",
            "--phone", "555 000 1234", "--linkedin", "https://www.linkedin.com/in/linus/"),
    )  # fmt: skip
    tie = (add("Alan Turing", "--phone", "+44 1234 567890"), add("A. M. Turing", "--phone", "01234 567890"))
    tie2 = (add("Hedy Lamarr", "--phone", "+43 1 234 5678"), add("Hedwig Kiesler", "--phone", "+43 1 234 5678"))
    rows = dupes()
    order = [frozenset((r["a_id"], r["b_id"])) for r in rows]
    # phone + URL + name + domain; an e-mail; name + company; a phone (twice); near name + domain
    assert order == [frozenset(p) for p in (everything, email_only, name_company, tie, tie2, near_domain)]
    scores = [r["score"] for r in rows]
    assert scores[0] > scores[1] > scores[2] > scores[3] == scores[4] > scores[5]
    assert [r["a_id"] for r in rows[3:5]] == [tie[0], tie2[0]]
    assert all(isinstance(s, int) for s in scores)


def test_the_closer_of_two_near_identical_names_scores_higher(journal_path):
    typo = (add("Ada Lovelace", "--company", "AE"), add("Ada Lovelacee", "--company", "AE"))  # 96%
    two_typos = (add("Katherine Johnson", "--company", "NASA"), add("Katharine Jonson", "--company", "NASA"))  # 91%
    rows = dupes()
    assert [(r["a_id"], r["b_id"]) for r in rows] == [typo, two_typos]
    assert rows[0]["score"] > rows[1]["score"]
    assert {tuple(r["reasons"]) for r in rows} == {("near-identical name", "same company")}


def test_the_merge_line_merges_the_pair_when_run(journal_path):
    a = add("Ada Lovelace", "--company", "Analytical Engines", "--email", "ada@ae.example")
    b = add("Lovelace, Ada", "--company", "Analytical Engines", "--phone", "+44 20 7946 0958")
    (row,) = dupes()
    assert (row["a_id"], row["b_id"]) == (a, b)  # both as complete: the older one is kept
    assert row["merge"] == f"cno merge {b} {a} --yes"
    ok(*shlex.split(row["merge"])[1:])
    (kept,) = ok("list", "--all", "-f", "json").json()
    assert (kept["id"], kept["name"], kept["emails"], kept["phones"]) == (a, "Ada Lovelace", ["ada@ae.example"], ["+44 20 7946 0958"])
    assert dupes() == []


def test_the_merge_line_names_the_journal_given_with_db(tmp_path):
    other = tmp_path / "other journal.db"
    ok("--db", str(other), "add", "Ada Lovelace", "--phone", "+44 20 7946 0958")
    ok("--db", str(other), "add", "Ada King", "--phone", "020 7946 0958")
    (row,) = ok("--db", str(other), "dupes", "-f", "json").json()
    assert shlex.split(row["merge"]) == ["cno", "--db", str(other), "merge", "2", "1", "--yes"]
    ok(*shlex.split(row["merge"])[1:])
    assert [c["id"] for c in ok("--db", str(other), "list", "-f", "json").json()] == [1]


def test_kept_is_active_then_used_then_complete_then_older(journal_path):
    phone = ["--phone", "+44 20 7946 0958"]
    # active over archived, even over a card with history
    old = add("Ada Lovelace", *phone, "--company", "AE", "--email", "ada@ae.example")
    ok("log", str(old), "coffee")
    ok("archive", str(old))
    new = add("Ada King", *phone)
    # more touchpoints over more details
    used = add("Grace Hopper", "--phone", "+1 555 000 1234")
    ok("log", str(used), "call")
    detailed = add("G. Hopper", "--phone", "555 000 1234", "--company", "Navy", "--tier", "A")
    # more details over older
    bare = add("Alan Turing", "--phone", "+44 1234 567890")
    full = add("A. M. Turing", "--phone", "01234 567890", "--company", "NPL")
    # all else equal: the older
    first = add("Hedy Lamarr", "--phone", "+43 1 234 5678")
    second = add("Hedwig Kiesler", "--phone", "+43 1 234 5678")
    kept = {frozenset((r["a_id"], r["b_id"])): (r["a_id"], r["b_id"], r["a_archived"], r["b_archived"]) for r in dupes()}
    assert kept == {
        frozenset((old, new)): (new, old, False, True),
        frozenset((used, detailed)): (used, detailed, False, False),
        frozenset((bare, full)): (full, bare, False, False),
        frozenset((first, second)): (first, second, False, False),
    }


def test_archived_contacts_count_and_are_shown_as_archived(journal_path):
    a = add("Ada Lovelace", "--company", "AE")
    b = add("Ada Lovelace", "--company", "AE")
    ok("archive", str(a))
    ok("archive", str(b))
    (row,) = dupes()
    assert (row["a_id"], row["b_id"], row["a_archived"], row["b_archived"]) == (a, b, True, True)
    assert "Ada Lovelace (archived)" in ok("dupes", "-f", "plain").stdout


# -- formats and the empty journal -------------------------------------------


def test_no_journal_and_no_pairs_give_an_empty_list(journal_path):
    assert ok("dupes", "-f", "json").stdout.strip() == "[]"
    assert not journal_path.exists()  # a read creates nothing
    add("Ada Lovelace", "--email", "ada@ae.example")
    assert dupes() == []
    assert ok("dupes", "-f", "csv").stdout.splitlines() == [",".join(KEYS)]


def test_csv_has_the_keys_as_header(journal_path):
    add("Ada Lovelace", "--company", "Analytical Engines", "--phone", "+44 20 7946 0958")
    add("Ada Lovelace", "--company", "Analytical Engines")
    (row,) = csv.DictReader(io.StringIO(ok("dupes", "-f", "csv").stdout))
    assert list(row) == KEYS
    assert list(dupes()[0]) == KEYS
    assert row["reasons"] == "same name; same company"
    assert row["merge"] == "cno merge 2 1 --yes"


@pytest.mark.parametrize("fmt", ["table", "plain", "md"])
def test_human_formats_show_ids_reasons_and_the_line(journal_path, fmt):
    add("Ada Lovelace", "--company", "Analytical Engines", "--phone", "+44 20 7946 0958")
    add("Ada Lovelace", "--company", "Analytical Engines")
    out = ok("dupes", "-f", fmt).stdout
    assert "same name, same company" in out
    assert "cno merge 2 1 --yes" in out


def test_an_unknown_format_is_refused(journal_path):
    r = cno("dupes", "-f", "html")
    assert r.code == 2 and r.stderr.startswith("cno: unknown format")


def test_no_other_command_loads_rapidfuzz():
    code = (
        "import sys\n"
        "from cno.cli import main\n"
        "main(['list', '-f', 'json'])\n"
        "assert 'rapidfuzz' not in sys.modules, 'list loaded rapidfuzz'\n"
        "import cno.cli.dupes\n"
        "assert 'rapidfuzz' not in sys.modules, 'importing the dupes command loaded rapidfuzz'\n"
        "main(['dupes', '-f', 'json'])\n"
        "assert 'rapidfuzz' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
