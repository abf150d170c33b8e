"""cno.refs against SPEC "Contact references (REF)": id, e-mail, exact name, word prefix, substring."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cno.contacts import ContactInput, add_contact, get, parse_name, set_archived
from cno.db import open_journal
from cno.errors import CnoError
from cno.refs import Ambiguous, NotFound, find, name_key, resolve

TODAY = date(2026, 11, 22)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def journal(tmp_path):
    j = open_journal(tmp_path / "j.db", create=True)
    yield j
    j.close()


@pytest.fixture
def conn(journal):
    return journal.conn


@pytest.fixture
def add(journal):
    """add(name, *emails, archived=False) -> id, each in its own transaction."""

    def _add(name: str, *emails: str, archived: bool = False) -> int:
        with journal.write() as c:
            cid = add_contact(c, name, ContactInput(emails=list(emails)), TODAY)
            if archived:
                set_archived(c, get(c, cid), True)
        return cid

    return _add


def named(conn, ref: str) -> str:
    return resolve(conn, ref)["name"]


def ids_in(message: str) -> set[int]:
    return {int(i) for i in re.findall(r"\(#(\d+)\)", message)}


# -- ids ----------------------------------------------------------------------


def test_a_number_is_an_id_before_any_name(conn, add):
    ada = add("Ada Lovelace")
    room = add("Room 1")
    assert resolve(conn, str(ada))["id"] == ada
    assert resolve(conn, f" {room} ")["id"] == room
    # "1" is also a substring of "Room 1", but a number is an id first
    assert named(conn, "1") == "Ada Lovelace"


def test_an_id_finds_an_archived_contact(conn, add):
    add("Ada Lovelace")
    gone = add("Grace Hopper", archived=True)
    assert resolve(conn, str(gone))["name"] == "Grace Hopper"


def test_an_unknown_id_is_not_found(conn, add):
    add("Ada Lovelace")
    with pytest.raises(NotFound, match="#99"):
        resolve(conn, "99")
    with pytest.raises(NotFound):
        resolve(conn, "0")


@pytest.mark.parametrize("ref", ["9" * 19, "9" * 30, "9" * 5000])
def test_a_huge_number_is_not_found_rather_than_crashing(conn, add, ref):
    add("Ada Lovelace")
    with pytest.raises(NotFound):
        resolve(conn, ref)


def test_leading_zeros_are_still_the_id(conn, add):
    ada = add("Ada Lovelace")
    assert resolve(conn, "0" * 30 + str(ada))["id"] == ada


def test_a_superscript_digit_is_not_an_id(conn, add):
    # "²".isdigit() is True but int("²") fails: it must read as (no) name instead
    add("Ada Lovelace")
    with pytest.raises(NotFound, match="no contact matches"):
        resolve(conn, "²")


# -- e-mail -------------------------------------------------------------------


def test_an_email_finds_its_contact_case_insensitively(conn, add):
    add("Ada Lovelace", "ada@example.com")
    babbage = add("Charles Babbage", "charles@engine.org", "cb@example.com")
    assert named(conn, "ada@example.com") == "Ada Lovelace"
    assert named(conn, "ADA@Example.COM") == "Ada Lovelace"
    assert resolve(conn, " cb@example.com ")["id"] == babbage


def test_an_email_is_not_read_as_a_name_fragment(conn, add):
    # "ada@example.com" would otherwise be no name at all; it must not fall back to fragments
    add("ada@example.com lover")
    add("Ada Lovelace", "ada@example.com")
    assert named(conn, "ada@example.com") == "Ada Lovelace"


def test_an_unknown_email_is_not_found(conn, add):
    add("Ada Lovelace", "ada@example.com")
    with pytest.raises(NotFound, match="nobody@example.com"):
        resolve(conn, "nobody@example.com")


def test_an_archived_contacts_email_still_finds_them(conn, add):
    add("Ada Lovelace", "ada@example.com")
    add("Grace Hopper", "grace@navy.mil", archived=True)
    assert named(conn, "grace@navy.mil") == "Grace Hopper"


# -- names: exact, word prefix, substring -------------------------------------


def test_an_exact_name_beats_word_prefixes(conn, add):
    add("Ann Lee")
    add("Ann")
    add("Annabel Smith")
    assert named(conn, "ann") == "Ann"
    assert named(conn, "ANN") == "Ann"
    assert named(conn, "ann lee") == "Ann Lee"


def test_exact_names_ignore_case_and_extra_spaces(conn, add):
    add("Ada Lovelace")
    add("Ada Lovelace-King")
    assert named(conn, "ADA LOVELACE") == "Ada Lovelace"
    assert named(conn, "  ada   lovelace ") == "Ada Lovelace"


def test_word_prefix_beats_substring(conn, add):
    add("Joanna")
    add("Ann Lee")
    assert named(conn, "ann") == "Ann Lee"


def test_a_prefix_of_a_later_word_beats_substring(conn, add):
    add("Ashleen Grey")
    add("Ann Lee")
    assert named(conn, "lee") == "Ann Lee"


def test_hyphenated_and_apostrophe_names_split_into_words(conn, add):
    add("Kluck")
    add("Jean-Luc Picard")
    add("Mary O'Brien")
    add("Fabrienne")
    assert named(conn, "luc") == "Jean-Luc Picard"
    assert named(conn, "brien") == "Mary O'Brien"


def test_a_prefix_spanning_words_matches(conn, add):
    add("Ann Lee")
    add("Ann Leroy")
    assert named(conn, "ann lee") == "Ann Lee"  # exact
    assert named(conn, "ann ler") == "Ann Leroy"  # prefix of the whole name


def test_substring_is_the_last_resort(conn, add):
    add("Joanna")
    add("Ann Lee")
    assert named(conn, "oann") == "Joanna"
    assert named(conn, "nn le") == "Ann Lee"


def test_several_word_prefix_matches_list_every_one_with_ids(conn, add):
    a = add("Ann Lee")
    b = add("Anna Karenina")
    c = add("Dana Ankers")
    joanna = add("Joanna")  # only a substring: a lower level, not a candidate
    with pytest.raises(Ambiguous) as e:
        resolve(conn, "an")
    message = str(e.value)
    assert ids_in(message) == {a, b, c}
    for name in ("Ann Lee", "Anna Karenina", "Dana Ankers"):
        assert name in message
    assert "Joanna" not in message and f"#{joanna}" not in message
    assert "'an'" in message


def test_several_substring_matches_are_ambiguous(conn, add):
    a = add("Joanna")
    b = add("Rosanna")
    with pytest.raises(Ambiguous) as e:
        resolve(conn, "nna")
    assert ids_in(str(e.value)) == {a, b}


def test_two_contacts_with_the_same_name_are_ambiguous(conn, add):
    a = add("Sam Smith")
    b = add("sam smith")
    with pytest.raises(Ambiguous) as e:
        resolve(conn, "Sam Smith")
    assert ids_in(str(e.value)) == {a, b}
    assert resolve(conn, str(b))["id"] == b


def test_find_returns_every_candidate_of_the_first_level_that_matches(conn, add):
    add("Ann Lee")
    add("Anna Karenina")
    add("Joanna")
    assert sorted(r["name"] for r in find(conn, "ann")) == ["Ann Lee", "Anna Karenina"]
    assert [r["name"] for r in find(conn, "zed")] == []


def test_a_long_ambiguous_list_is_cut_short_with_a_count(conn, add):
    ids = [add(f"Sam {chr(ord('A') + i)}") for i in range(12)]
    with pytest.raises(Ambiguous) as e:
        resolve(conn, "sam")
    listed = ids_in(str(e.value))
    assert len(listed) == 10 and listed <= set(ids)
    assert "and 2 more" in str(e.value)


# -- archived contacts --------------------------------------------------------


def test_archived_contacts_match_when_no_active_one_does(conn, add):
    add("Ada Lovelace")
    add("Grace Hopper", archived=True)
    assert named(conn, "grace") == "Grace Hopper"
    assert named(conn, "grace hopper") == "Grace Hopper"
    assert named(conn, "opp") == "Grace Hopper"


def test_an_active_substring_beats_an_archived_exact_name(conn, add):
    add("Ann Lee", archived=True)
    add("Joanna")
    assert named(conn, "ann") == "Joanna"
    assert named(conn, "ann lee") == "Ann Lee"  # nothing active matches that


def test_an_active_prefix_beats_an_archived_exact_name(conn, add):
    add("Adam Smith", archived=True)
    add("Adam Smithson")
    assert named(conn, "adam smith") == "Adam Smithson"


def test_several_archived_matches_are_ambiguous(conn, add):
    add("Ada Lovelace")
    a = add("Bo Diddley", archived=True)
    b = add("Bo Jackson", archived=True)
    with pytest.raises(Ambiguous) as e:
        resolve(conn, "bo")
    assert ids_in(str(e.value)) == {a, b}


# -- no match -----------------------------------------------------------------


def test_a_typo_suggests_the_name(conn, add):
    add("Ada Lovelace")
    add("Grace Hopper")
    with pytest.raises(NotFound) as e:
        resolve(conn, "Ada Lovelce")
    message = str(e.value)
    assert "'Ada Lovelce'" in message
    assert "did you mean" in message and "Ada Lovelace" in message
    assert "Grace Hopper" not in message


def test_a_typo_in_one_word_suggests_the_whole_name(conn, add):
    add("Ada Lovelace")
    add("Grace Hopper")
    with pytest.raises(NotFound, match="did you mean Grace Hopper"):
        resolve(conn, "Hoper")


def test_suggestions_are_at_most_three(conn, add):
    names = ["Ada Lovelace", "Ada Lovelady", "Ada Loveless", "Ada Lovelane", "Ada Lovelake"]
    for n in names:
        add(n)
    with pytest.raises(NotFound) as e:
        resolve(conn, "Ada Lovelcae")
    message = str(e.value)
    assert "did you mean" in message
    assert 1 <= sum(n in message for n in names) <= 3


def test_no_match_and_nothing_close_says_so(conn, add):
    add("Ada Lovelace")
    with pytest.raises(NotFound) as e:
        resolve(conn, "zzqx")
    assert "'zzqx'" in str(e.value)
    assert "did you mean" not in str(e.value)


def test_no_match_in_an_empty_journal(conn):
    with pytest.raises(NotFound, match="'ada'"):
        resolve(conn, "ada")


@pytest.mark.parametrize("ref", ["", "   ", "\t\n"])
def test_an_empty_ref_is_an_error(conn, add, ref):
    add("Ada Lovelace")
    with pytest.raises(CnoError, match="empty"):
        resolve(conn, ref)


def test_ref_errors_exit_2(conn, add):
    add("Ann Lee")
    add("Anna Karenina")
    for ref in ("zed", "an", "", "42"):
        with pytest.raises(CnoError) as e:
            resolve(conn, ref)
        assert e.value.exit_code == 2


def test_an_undecodable_ref_is_a_cno_error(conn, add):
    # argv holds bytes that aren't UTF-8 as lone surrogates, which SQLite can't take
    add("Ada Lovelace")
    with pytest.raises(CnoError):
        resolve(conn, "\udcff")
    with pytest.raises(CnoError):
        resolve(conn, "ada\udcff@example.com")


# -- beyond ASCII -------------------------------------------------------------


def test_non_ascii_names_match_case_insensitively(conn, add):
    add("Zoë Ångström")
    add("Łukasz Nowak")
    add("Jürgen Straße")
    assert named(conn, "ZOË ÅNGSTRÖM") == "Zoë Ångström"
    assert named(conn, "zoë ångström") == "Zoë Ångström"
    assert named(conn, "ång") == "Zoë Ångström"
    assert named(conn, "ÅNGSTR") == "Zoë Ångström"
    assert named(conn, "łukasz") == "Łukasz Nowak"
    assert named(conn, "ŁUKASZ") == "Łukasz Nowak"
    assert named(conn, "ukasz") == "Łukasz Nowak"
    assert named(conn, "STRASSE") == "Jürgen Straße"  # casefold: ß is ss


def test_non_ascii_typo_suggests_the_name(conn, add):
    add("Zoë Ångström")
    with pytest.raises(NotFound, match="did you mean Zoë Ångström"):
        resolve(conn, "Zoe Angstrom")


def test_name_key_casefolds_and_collapses_spaces():
    assert name_key("  Zoë   ÅNGSTRÖM ") == "zoë ångström"
    assert name_key("Straße") == "strasse"


NAMES = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)


@PROPERTY
@given(name=NAMES)
def test_any_name_resolves_by_itself_and_its_casefold(journal, name):
    try:
        parse_name(name)
    except CnoError:
        assume(False)
    assume("@" not in name)
    with journal.write() as c:
        cid = add_contact(c, name, ContactInput(), TODAY)
    try:
        assert resolve(journal.conn, name)["id"] == cid
        assert resolve(journal.conn, name.casefold())["id"] == cid
    finally:
        with journal.write() as c:
            c.execute("DELETE FROM contacts WHERE id = ?", (cid,))


@PROPERTY
@given(ref=st.one_of(st.text(), st.text(min_size=500, max_size=3000), st.from_regex(r"\A[0-9²١]{1,40}\Z")))
def test_any_ref_resolves_or_raises_a_cno_error(conn, add, ref):
    if not conn.execute("SELECT 1 FROM contacts").fetchone():
        add("Ada Lovelace", "ada@example.com")
        add("Ann Lee")
        add("Anna Karenina", archived=True)
    try:
        row = resolve(conn, ref)
    except CnoError:
        pass
    else:
        assert row["name"] in ("Ada Lovelace", "Ann Lee", "Anna Karenina")
