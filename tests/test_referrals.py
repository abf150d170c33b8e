"""The Givers Gain ledger: referrals, introductions, the referral report and the card."""

from __future__ import annotations

import csv
import io
import math
import sqlite3
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cno import referrals
from cno.errors import CnoError
from tests.conftest import cno, ok, refused

REPORT_KEYS = ["contact_id", "name", "given", "received", "intros", "won_value_given", "won_value_received", "balance"]


@pytest.fixture
def people():
    ok("add", "Ada Lovelace", "--email", "ada@example.com")
    ok("add", "Grace Hopper")
    ok("add", "Alan Turing")


def refs(*args):
    return ok("referral", "list", "-f", "json", *args).json()


def report(*args):
    return ok("referrals", "-f", "json", *args).json()


def by_name(rows):
    return {r["name"]: r for r in rows}


# -- recording ------------------------------------------------------------------


def test_give_without_for_is_inside_and_with_for_outside(people):
    ok("referral", "give", "ada", "--value", "1500", "--on", "2026-11-16", "--note", "bought her audit")
    ok("referral", "give", "ada", "--for", "a bakery owner")
    rows = refs()
    assert [(r["kind"], r["prospect"], r["prospect_id"], r["value"], r["on"], r["note"]) for r in rows] == [
        ("outside", "a bakery owner", None, None, "2026-11-22", None),
        ("inside", None, None, 1500, "2026-11-16", "bought her audit"),
    ]
    assert all(r["direction"] == "given" and r["status"] == "open" and r["name"] == "Ada Lovelace" for r in rows)


@pytest.mark.parametrize("for_", ["3", "alan turing", "ALAN TURING", "alan@example.com"])
def test_for_is_a_contact_when_an_id_an_email_or_an_exact_name(people, for_):
    ok("edit", "alan", "--email", "alan@example.com")
    ok("referral", "give", "ada", "--for", for_)
    r = refs()[0]
    assert (r["kind"], r["prospect"], r["prospect_id"]) == ("outside", "Alan Turing", 3)


@pytest.mark.parametrize("for_", ["alan", "Turing", "someone@elsewhere.example"])
def test_for_anything_else_is_text_even_a_fragment_of_a_name(people, for_):
    ok("referral", "give", "ada", "--for", for_)
    r = refs()[0]
    assert (r["kind"], r["prospect"], r["prospect_id"]) == ("outside", for_, None)


def test_a_deleted_prospect_keeps_its_name(people):
    ok("referral", "give", "ada", "--for", "Alan Turing")
    ok("rm", "alan", "--yes")
    r = refs()[0]
    assert (r["prospect"], r["prospect_id"]) == ("Alan Turing", None)


def test_receive_records_a_received_referral_with_text_for(people):
    ok("referral", "receive", "grace", "--for", "Ada Lovelace", "--value", "12000.50", "--on", "yesterday")
    r = refs()[0]
    assert (r["direction"], r["kind"], r["prospect"], r["prospect_id"], r["value"], r["on"]) == (
        "received", None, "Ada Lovelace", None, 12000.5, "2026-11-21",
    )  # fmt: skip


def test_referrals_create_no_touchpoint(people):
    ok("referral", "give", "ada")
    ok("referral", "receive", "grace")
    assert ok("history", "-f", "json").json() == []


# -- closing, editing, deleting ---------------------------------------------------


def test_close_won_keeps_the_recorded_value_unless_given_one(people):
    ok("referral", "give", "ada", "--value", "1500", "--on", "2026-11-01")
    ok("referral", "give", "grace", "--value", "900", "--on", "2026-11-01")
    ok("referral", "close", "1", "--won")
    ok("referral", "close", "2", "--won", "--value", "1200", "--on", "2026-11-20")
    got = {r["id"]: (r["status"], r["value"], r["closed_value"], r["closed_on"]) for r in refs()}
    assert got == {1: ("won", 1500, 1500, "2026-11-22"), 2: ("won", 900, 1200, "2026-11-20")}


def test_close_lost(people):
    ok("referral", "give", "ada", "--value", "1500")
    ok("referral", "close", "1", "--lost")
    r = refs()[0]
    assert (r["status"], r["closed_value"], r["closed_on"]) == ("lost", None, "2026-11-22")


def test_reopen_allows_closing_again_and_edit_reopen_opens(people):
    ok("referral", "give", "ada", "--value", "100")
    ok("referral", "close", "1", "--lost")
    ok("referral", "close", "1", "--won", "--reopen")
    assert refs()[0]["status"] == "won"
    ok("referral", "edit", "1", "--reopen")
    r = refs()[0]
    assert (r["status"], r["closed_value"], r["closed_on"]) == ("open", None, None)


def test_edit_changes_fields_and_clearing_for_makes_it_inside(people):
    ok("referral", "give", "ada", "--for", "a bakery", "--value", "10", "--note", "x")
    ok("referral", "edit", "1", "--contact", "grace", "--value", "20", "--on", "2026-11-01", "--note", "y")
    r = refs()[0]
    assert (r["name"], r["value"], r["on"], r["note"], r["kind"]) == ("Grace Hopper", 20, "2026-11-01", "y", "outside")
    ok("referral", "edit", "1", "--clear", "for", "--clear", "value", "--clear", "note")
    r = refs()[0]
    assert (r["kind"], r["prospect"], r["value"], r["note"]) == ("inside", None, None, None)
    ok("referral", "edit", "1", "--for", "Alan Turing")
    r = refs()[0]
    assert (r["kind"], r["prospect_id"]) == ("outside", 3)


def test_rm_deletes_one_referral(people):
    ok("referral", "give", "ada")
    ok("referral", "give", "grace")
    r = ok("referral", "rm", "1")
    assert "deleted referral #1 given to Ada Lovelace" in r.stderr
    assert [x["id"] for x in refs()] == [2]


def test_list_filters_open_since_and_contact(people):
    ok("referral", "give", "ada", "--on", "2026-09-01")
    ok("referral", "receive", "grace", "--on", "2026-11-20")
    ok("referral", "give", "grace", "--on", "2026-11-21")
    ok("referral", "close", "3", "--lost")
    assert [r["id"] for r in refs()] == [3, 2, 1]
    assert [r["id"] for r in refs("--open")] == [2, 1]
    assert [r["id"] for r in refs("--since", "2w")] == [3, 2]
    assert [r["id"] for r in refs("--contact", "grace", "--open")] == [2]


def test_list_table_shows_ids(people):
    ok("referral", "give", "ada", "--for", "a bakery", "--value", "1500")
    out = ok("referral", "list", "-f", "plain").stdout
    assert out.splitlines()[1].split()[:4] == ["1", "2026-11-22", "given", "Ada"]
    assert "1,500" in out and "a bakery" in out


# -- introductions ------------------------------------------------------------------


def test_intro_is_one_touchpoint_with_both_people_and_gave_set(people):
    ok("intro", "ada", "grace", "both build compilers", "--on", "yesterday", "--via", "email")
    [t] = ok("history", "-f", "json").json()
    assert (t["names"], t["gave"], t["intro"], t["on"], t["via"], t["note"]) == (
        ["Ada Lovelace", "Grace Hopper"], True, True, "2026-11-21", "email", "both build compilers",
    )  # fmt: skip
    # it sits on both timelines and restarts both cadences
    assert ok("history", "grace", "-f", "json").json()[0]["id"] == t["id"]
    assert ok("show", "ada", "-f", "json").json()["last_touch_on"] == "2026-11-21"


def test_an_intro_counts_in_intros_and_balance_not_in_given(people):
    ok("intro", "ada", "grace")
    rows = by_name(report())
    for name in ("Ada Lovelace", "Grace Hopper"):
        assert (rows[name]["given"], rows[name]["intros"], rows[name]["balance"]) == (0, 1, 1)
    assert "Alan Turing" not in rows


# -- the report -----------------------------------------------------------------------


def test_report_counts_values_and_balance_ranked_by_activity_then_name(people):
    ok("add", "Zed Shaw")
    ok("referral", "give", "zed", "--value", "100")
    ok("referral", "give", "zed", "--value", "250.5")
    ok("referral", "close", "1", "--won")
    ok("referral", "close", "2", "--won")
    ok("referral", "receive", "grace", "--value", "1000")
    ok("referral", "close", "3", "--won")
    ok("referral", "receive", "grace", "--value", "999")  # open: no won value
    ok("referral", "receive", "alan", "--value", "50")
    ok("referral", "close", "5", "--lost")
    ok("intro", "alan", "ada")
    rows = report()
    assert [list(r) for r in rows] == [REPORT_KEYS] * len(rows)
    assert [(r["name"], r["given"], r["received"], r["intros"], r["won_value_given"], r["won_value_received"], r["balance"])
            for r in rows] == [
        ("Alan Turing", 0, 1, 1, 0, 0, 0),
        ("Grace Hopper", 0, 2, 0, 0, 1000, -2),
        ("Zed Shaw", 2, 0, 0, 350.5, 0, 2),
        ("Ada Lovelace", 0, 0, 1, 0, 0, 1),
    ]  # fmt: skip
    assert rows[0]["contact_id"] == 3


def test_since_counts_only_the_window(people):
    ok("referral", "give", "ada", "--on", "2026-10-01")
    ok("referral", "give", "ada", "--on", "2026-11-20")
    ok("intro", "ada", "grace", "--on", "2026-10-01")
    assert [(r["name"], r["given"], r["intros"]) for r in report("--since", "2w")] == [("Ada Lovelace", 1, 0)]
    assert [(r["name"], r["given"], r["intros"]) for r in report("--since", "2026-10-01")] == [
        ("Ada Lovelace", 2, 1), ("Grace Hopper", 0, 1),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "period, inside, outside",
    [
        ("week", "2026-11-16", "2026-11-15"),  # ISO week: Monday 16 to Sunday 22 November
        ("month", "2026-11-01", "2026-10-31"),
        ("quarter", "2026-10-01", "2026-09-30"),
        ("year", "2026-01-01", "2025-12-31"),
    ],
)
def test_period_is_the_current_calendar_period(people, period, inside, outside):
    ok("referral", "give", "ada", "--on", inside)
    ok("referral", "give", "grace", "--on", outside)
    assert [r["name"] for r in report("--period", period)] == ["Ada Lovelace"]
    assert [r["name"] for r in report("--period", period.upper())] == ["Ada Lovelace"]


def test_as_of_leaves_out_what_came_later(people):
    ok("referral", "give", "ada", "--on", "2026-06-01")
    ok("referral", "give", "grace", "--on", "2026-11-01")
    assert [r["name"] for r in report("--as-of", "2026-07-01")] == ["Ada Lovelace"]
    assert [r["name"] for r in report("--as-of", "2026-07-01", "--period", "year")] == ["Ada Lovelace"]


def test_top_keeps_the_most_active_and_the_caption_counts_the_whole_window(people):
    ok("referral", "give", "ada")
    ok("referral", "give", "ada")
    ok("referral", "receive", "grace")
    assert [r["name"] for r in report("--top", "1")] == ["Ada Lovelace"]
    out = ok("referrals", "--top", "1").stdout
    assert "2.00 (2 given ÷ 1 received)" in out and "top 1 of 2 contacts" in out


@pytest.mark.parametrize("fmt", ["table", "plain", "md"])
def test_a_totals_row_and_the_ratio_in_human_formats(people, fmt):
    ok("referral", "give", "ada", "--value", "300")
    ok("referral", "close", "1", "--won")
    ok("referral", "give", "ada")
    ok("referral", "give", "grace")
    ok("referral", "receive", "grace")
    ok("intro", "ada", "grace")
    out = ok("referrals", "-f", fmt).stdout
    total = next(line for line in out.splitlines() if "total" in line)
    assert [c for c in total.replace("|", " ").split()] == ["total", "3", "1", "2", "300", "0", "+4"]
    assert "Givers Gain ratio 3.00 (3 given ÷ 1 received); 1 introduction" in out


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_no_totals_row_in_json_or_csv(people, fmt):
    ok("referral", "give", "ada")
    ok("referral", "receive", "grace")
    out = ok("referrals", "-f", fmt).stdout
    assert "total" not in out and "ratio" not in out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert list(rows[0]) == REPORT_KEYS and len(rows) == 2


def test_ratio_is_infinite_when_only_given_and_na_when_neither(people):
    ok("referral", "give", "ada")
    assert "Givers Gain ratio ∞ (1 given, none received)" in ok("referrals", "-f", "plain").stdout
    ok("referral", "rm", "1")
    ok("intro", "ada", "grace")
    assert "Givers Gain ratio n/a" in ok("referrals", "-f", "plain").stdout


def test_nothing_in_the_window_prints_the_empty_result(people):
    assert report() == []
    r = ok("referrals")
    assert r.stdout == "" and r.stderr == ""  # the "nothing" note is for a terminal only
    assert ok("referrals", "-f", "csv").stdout.strip() == ",".join(REPORT_KEYS)


@pytest.mark.parametrize("argv", [["referrals"], ["referral", "list"]])
def test_no_journal_prints_empty_and_creates_nothing(journal_path, argv):
    assert ok(*argv, "-f", "json").json() == []
    assert not journal_path.exists()


def test_names_are_data_in_the_report(people):
    ok("add", "[red]x[/red] \x1b[31m")
    ok("referral", "give", "x")
    for fmt in ("table", "plain", "md"):
        out = ok("referrals", "-f", fmt).stdout
        assert "[red]x[/red]" in out and "\x1b" not in out and "\\x1b" in out


def test_a_week_of_bni_activity_tells_the_story(people):
    """Two inside and one outside referral given, one received and later won, one introduction."""
    ok("referral", "give", "ada", "--value", "800", "--on", "monday", "--note", "her bookkeeping")
    ok("referral", "give", "grace", "--on", "tuesday")
    ok("referral", "give", "ada", "--for", "Alan Turing", "--value", "5000", "--on", "wednesday")
    ok("referral", "receive", "alan", "--for", "website rebuild", "--value", "12000", "--on", "thursday")
    ok("referral", "close", "4", "--won")
    ok("intro", "grace", "alan", "compilers meet codebreaking", "--on", "friday")
    expected = {
        "Ada Lovelace": (2, 0, 0, 0, 0, 2),
        "Alan Turing": (0, 1, 1, 0, 12000, 0),
        "Grace Hopper": (1, 0, 1, 0, 0, 2),
    }
    got = {r["name"]: tuple(r[k] for k in REPORT_KEYS[2:]) for r in report("--period", "week")}
    assert got == expected
    csv_rows = list(csv.DictReader(io.StringIO(ok("referrals", "-f", "csv").stdout)))
    assert {r["name"]: tuple(int(r[k]) for k in REPORT_KEYS[2:]) for r in csv_rows} == expected
    for fmt in ("table", "plain", "md"):
        out = ok("referrals", "-f", fmt).stdout
        assert "12,000" in out and "Givers Gain ratio 3.00 (3 given ÷ 1 received); 1 introduction" in out
    ada = ok("show", "ada", "-f", "json").json()
    assert ada["referral_balance"] == {"given": 2, "received": 0, "intros": 0, "balance": 2}
    assert [(r["kind"], r["prospect"]) for r in ada["referrals"]] == [("outside", "Alan Turing"), ("inside", None)]
    alan = ok("show", "alan", "-f", "plain").stdout
    assert "given 0, received 1, intros 1, balance 0" in alan
    assert "website rebuild" in alan and "12,000" in alan and "compilers meet codebreaking" in alan


# -- the card ---------------------------------------------------------------------------


def test_card_shows_balance_and_referrals_newest_first(people):
    ok("referral", "give", "ada", "--on", "2026-11-01", "--note", "older")
    ok("referral", "receive", "ada", "--on", "2026-11-10", "--note", "newer")
    ok("intro", "ada", "grace")
    card = ok("show", "ada", "-f", "json").json()
    assert card["referral_balance"] == {"given": 1, "received": 1, "intros": 1, "balance": 1}
    assert [r["note"] for r in card["referrals"]] == ["newer", "older"]
    for fmt, heading in (("table", "Referrals"), ("plain", "referrals"), ("md", "## Referrals")):
        out = ok("show", "ada", "-f", fmt).stdout
        assert "given 1, received 1, intros 1, balance +1" in out and heading in out and "newer" in out
    row = next(csv.DictReader(io.StringIO(ok("show", "ada", "-f", "csv").stdout)))
    assert row["referral_balance"] == "1" and "referrals" not in row


def test_a_card_without_referrals_says_nothing_of_them(people):
    out = ok("show", "alan").stdout
    assert "Referrals" not in out and "balance" not in out
    assert ok("show", "alan", "-f", "json").json()["referral_balance"] == {"given": 0, "received": 0, "intros": 0, "balance": 0}


# -- speed ------------------------------------------------------------------------------


def test_a_window_report_ranges_on_the_date_indexes(people, journal_path):
    ok("referral", "give", "ada")
    conn = sqlite3.connect(journal_path)
    window, params = referrals._window_sql(date(2026, 11, 22), date(2026, 10, 1), None)
    plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + referrals._report_sql(window), params))
    conn.close()
    assert "SCAN referrals" not in plan and "USING INDEX referrals_on_date" in plan, plan
    # the intros' date range goes through an index on the touchpoints' date
    assert any(f"INDEX touchpoints_{i} (happened_on>? AND happened_on<?)" in plan for i in ("happened_on", "period", "intro")), plan


# -- values -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [("1500", 1500), ("99.50", 99.5), (" 0 ", 0), ("1e3", 1000)])
def test_parse_value_reads_non_negative_numbers(text, value):
    assert referrals.parse_value(text) == value


@given(st.text(max_size=20))
def test_parse_value_raises_only_its_own_error(text):
    try:
        v = referrals.parse_value(text)
    except CnoError:
        return
    assert math.isfinite(v) and v >= 0


def test_ratio():
    assert referrals.givers_gain_ratio(3, 2) == 1.5
    assert referrals.givers_gain_ratio(3, 0) == math.inf
    assert referrals.givers_gain_ratio(0, 0) is None
    assert referrals.givers_gain_ratio(0, 4) == 0


# -- bad input (exit 2, one line, nothing written) ----------------------------------------


@pytest.fixture
def ledger(people):
    ok("referral", "give", "ada", "--value", "100")
    ok("referral", "give", "grace")
    ok("referral", "close", "2", "--won")


@pytest.mark.parametrize(
    "argv, contains",
    [
        (["referral", "give", "Zed Shaw"], "no contact matches 'Zed Shaw'"),
        (["referral", "receive", "a"], "matches several contacts"),
        (["intro", "ada", "zed"], "no contact matches 'zed'"),
        (["referral", "give", "ada", "--value", "-5"], "non-negative number"),
        (["referral", "give", "ada", "--value", "abc"], "non-negative number"),
        (["referral", "receive", "ada", "--value", "inf"], "non-negative number"),
        (["referral", "close", "1", "--won", "--value", "-5"], "non-negative number"),
        (["referral", "edit", "1", "--value", "abc"], "non-negative number"),
        (["referral", "close", "99", "--won"], "no referral #99"),
        (["referral", "close", "2", "--lost"], "already won"),
        (["referral", "close", "1", "--won", "--lost"], "exclude each other"),
        (["referral", "close", "1"], "--won or --lost"),
        (["referral", "close", "1", "--lost", "--value", "5"], "--value goes with --won"),
        (["referral", "edit", "99", "--note", "x"], "no referral #99"),
        (["referral", "edit", "1"], "nothing to change"),
        (["referral", "edit", "1", "--reopen"], "already open"),
        (["referral", "rm", "99"], "no referral #99"),
        (["intro", "ada", "ada@example.com"], "two different people"),
        (["intro", "ada", "grace", "--on", "someday"], "can't read date 'someday'"),
        (["referral", "give", "ada", "--on", "someday"], "can't read date 'someday'"),
        (["intro", "ada", "grace", "--on", "tomorrow"], "in the future"),
        (["referral", "give", "ada", "--on", "in 3 days"], "in the future"),
        (["referrals", "--since", "whenever"], "can't read 'whenever'"),
        (["referral", "list", "--since", "whenever"], "can't read 'whenever'"),
        (["referrals", "--since", "2w", "--period", "month"], "exclude each other"),
        (["referrals", "--period", "decade"], "unknown period 'decade'"),
        (["referrals", "--top", "0"], "--top must be at least 1"),
        (["referral", "give", "ada", "--for", "99"], "no contact #99"),
        (["referral", "give", "ada", "--for", "ada@example.com"], "themself"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(journal_path, ledger, argv, contains):
    refused(*argv, journal=journal_path, contains=contains)


def test_for_an_exact_name_shared_by_two_contacts_is_ambiguous(journal_path, people):
    ok("add", "Alan Turing", "--company", "Other", "--again")
    refused("referral", "give", "ada", "--for", "alan turing", journal=journal_path, contains="matches several contacts")


def test_closing_before_the_referral_was_passed_is_refused(journal_path, people):
    ok("referral", "give", "ada", "--on", "2026-11-10")
    refused("referral", "close", "1", "--won", "--on", "2026-11-01", journal=journal_path, contains="can't be closed before")


def test_unknown_format_is_refused(journal_path, people):
    r = cno("referrals", "-f", "html")
    assert r.code == 2 and "unknown format" in r.stderr
