"""Networking goals (SPEC "Goals"): definitions typed in, progress counted from the journal."""

from __future__ import annotations

import re

import io
import sqlite3
import uuid
from datetime import date, timedelta
from fractions import Fraction
from typing import TypedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cno import contacts, goals, touchpoints
from cno.contacts import ContactInput
from cno.db import open_journal
from tests.conftest import TODAY, cno, ok, refused

# TODAY is Sunday 2026-11-22: its ISO week is Mon 16 – Sun 22 November,
# its quarter October – December.


class GoalRow(TypedDict):
    id: int
    title: str
    metric: str
    target: int
    period: str
    period_start: str
    period_end: str
    value: int
    percent: int
    on_pace: bool


def _referral(conn, direction: str, contact_id: int, on: str) -> None:
    conn.execute(
        "INSERT INTO referrals (uid, direction, contact_id, on_date, created_on, status) VALUES (?, ?, ?, ?, ?, 'open')",
        (str(uuid.uuid4()), direction, contact_id, on, TODAY.isoformat()),
    )


@pytest.fixture
def journal(journal_path):
    """A small journal whose every count below was made by hand.

    Ada (A; fintech, mentor; met 11-02)   Grace (B; mentor; met 10-05)
    Alan (A; fintech; met 2025-06-01)     Joan (C; no tags; met 11-20)

    T1 11-17 Ada + Grace  meeting 60 min, gave
    T2 11-18 Alan         video   30 min
    T3 11-20 Grace        call    15 min, gave
    T4 11-21 Ada + Alan   intro (gave), no minutes
    T5 11-10 Joan         email            (the week before)
    T6 10-15 Ada          meeting 45 min, gave   (October, still Q4)
    T7 09-30 Alan         meeting 20 min         (Q3: the day before Q4)
    Referrals: given to Ada 11-19, given to Grace 10-20, received from Alan
    11-05, given to Joan 09-15.
    """
    j = open_journal(journal_path, create=True)
    with j.write() as conn:
        def person(name, tier, tags, met_on):
            return contacts.add_contact(conn, name, ContactInput(tier=tier, tags=tags, met_on=met_on), TODAY)

        ids = {
            "ada": person("Ada Lovelace", "A", ["fintech", "mentor"], "2026-11-02"),
            "grace": person("Grace Hopper", "B", ["mentor"], "2026-10-05"),
            "alan": person("Alan Turing", "A", ["fintech"], "2025-06-01"),
            "joan": person("Joan Clarke", "C", [], "2026-11-20"),
        }

        def log(people, on, via, minutes=None, gave=False, intro=False):
            touchpoints.log_touchpoint(
                conn, [ids[p] for p in people], TODAY, when=date.fromisoformat(on), via=via,
                minutes=minutes, gave=gave, intro=intro,
            )  # fmt: skip

        log(["ada", "grace"], "2026-11-17", "meeting", 60, gave=True)
        log(["alan"], "2026-11-18", "video", 30)
        log(["grace"], "2026-11-20", "call", 15, gave=True)
        log(["ada", "alan"], "2026-11-21", "other", gave=True, intro=True)
        log(["joan"], "2026-11-10", "email")
        log(["ada"], "2026-10-15", "meeting", 45, gave=True)
        log(["alan"], "2026-09-30", "meeting", 20)
        _referral(conn, "given", ids["ada"], "2026-11-19")
        _referral(conn, "given", ids["grace"], "2026-10-20")
        _referral(conn, "received", ids["alan"], "2026-11-05")
        _referral(conn, "given", ids["joan"], "2026-09-15")
    j.close()
    return journal_path


def progress(*args):
    return ok("goals", "-f", "json", *args).json()


def value_of(metric, per="week", *filters):
    ok("goal", "add", f"{metric} per {per}", "--metric", metric, "--target", "10", "--per", per, *filters)
    rows = progress()
    return rows[-1]["value"]


# -- each metric, counted by hand ---------------------------------------------

BY_HAND = {
    # metric: (this week, November, Q4)
    "touchpoints": (4, 5, 6),
    "contacts-touched": (3, 4, 4),
    "new-contacts": (1, 2, 3),
    "meetings": (2, 2, 3),
    "gives": (4, 4, 6),  # T1 T3 T4(intro, once) + referral 11-19; Q4 adds T6 and the 10-20 referral
    "referrals-given": (1, 1, 2),
    "referrals-received": (0, 1, 1),
    "intros": (1, 1, 1),
    "minutes": (105, 105, 150),  # T1's 60 minutes once although two people were there
}


@pytest.mark.parametrize("metric", goals.METRICS)
@pytest.mark.parametrize("per", ["week", "month", "quarter"])
def test_each_metric_matches_a_hand_count(journal, metric, per):
    expected = BY_HAND[metric][["week", "month", "quarter"].index(per)]
    assert value_of(metric, per) == expected


def test_every_metric_has_a_hand_count():
    assert set(BY_HAND) == set(goals.METRICS)


def test_the_year_counts_the_third_quarter_too(journal):
    assert value_of("touchpoints", "year") == 7
    assert value_of("referrals-given", "year") == 3
    assert value_of("minutes", "year") == 170


# -- tag and tier filters -----------------------------------------------------

FILTERED = [
    # filter, metric, per, expected (by hand)
    (["--tag", "fintech"], "touchpoints", "week", 3),  # T1 (Ada), T2 (Alan), T4 (Ada + Alan, once)
    (["--tag", "fintech"], "minutes", "week", 90),  # T1 60 + T2 30
    (["--tag", "fintech"], "contacts-touched", "week", 2),  # Ada, Alan — not Grace who sat with Ada
    (["--tag", "fintech"], "gives", "week", 3),  # T1, T4, referral to Ada
    (["--tag", "fintech"], "new-contacts", "month", 1),  # Ada
    (["--tag", "fintech"], "referrals-received", "month", 1),  # Alan
    (["--tag", "mentor"], "touchpoints", "week", 3),  # T1 (both mentors, once), T3, T4
    (["--tag", "mentor"], "minutes", "week", 75),  # T1 60 once + T3 15
    (["--tier", "B"], "touchpoints", "week", 2),  # Grace: T1, T3
    (["--tier", "B"], "gives", "quarter", 3),  # T1, T3, referral 10-20
    (["--tier", "A"], "meetings", "quarter", 3),  # T1, T2, T6
    (["--tier", "C"], "referrals-given", "year", 1),  # Joan 09-15
    (["--tier", "a", "--tag", "MENTOR"], "touchpoints", "week", 2),  # Ada only: T1, T4
    (["--tag", "#mentor", "--tier", "A"], "contacts-touched", "quarter", 1),  # Ada
]


@pytest.mark.parametrize(("filters", "metric", "per", "expected"), FILTERED)
def test_tag_and_tier_filters_count_only_those_contacts(journal, filters, metric, per, expected):
    assert value_of(metric, per, *filters) == expected


def test_filters_are_stored_normalised(journal):
    ok("goal", "add", "Mentors", "--metric", "touchpoints", "--target", "3", "--tag", "#Mentor", "--tier", "a")
    (row,) = ok("goal", "list", "-f", "json").json()
    assert (row["tag"], row["tier"]) == ("mentor", "A")


# -- periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per", "day", "start", "end"),
    [
        ("week", "2026-11-22", "2026-11-16", "2026-11-22"),  # Sunday ends its ISO week
        ("week", "2026-11-16", "2026-11-16", "2026-11-22"),
        ("week", "2026-12-31", "2026-12-28", "2027-01-03"),  # across the year end
        ("week", "2027-01-01", "2026-12-28", "2027-01-03"),
        ("month", "2028-02-10", "2028-02-01", "2028-02-29"),
        ("month", "2026-12-31", "2026-12-01", "2026-12-31"),
        ("quarter", "2026-01-01", "2026-01-01", "2026-03-31"),
        ("quarter", "2026-05-17", "2026-04-01", "2026-06-30"),
        ("quarter", "2026-09-30", "2026-07-01", "2026-09-30"),
        ("quarter", "2026-10-01", "2026-10-01", "2026-12-31"),
        ("year", "2026-07-04", "2026-01-01", "2026-12-31"),
    ],
)
def test_period_bounds_are_calendar_periods(per, day, start, end):
    assert goals.period_bounds(per, date.fromisoformat(day)) == (date.fromisoformat(start), date.fromisoformat(end))


@given(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)), st.sampled_from(goals.PERIODS))
def test_periods_tile_the_calendar(day, per):
    start, end = goals.period_bounds(per, day)
    assert start <= day <= end
    assert goals.period_bounds(per, end + timedelta(days=1))[0] == end + timedelta(days=1)
    assert goals.period_bounds(per, start - timedelta(days=1))[1] == start - timedelta(days=1)
    if per == "week":
        assert start.weekday() == 0 and (end - start).days == 6
    else:
        assert start.day == 1 and start.month in {"month": range(1, 13), "quarter": (1, 4, 7, 10), "year": (1,)}[per]


def test_week_across_the_year_end_counts_both_years_and_is_named_by_its_iso_week(journal_path):
    ok("add", "Ada")
    ok("log", "ada", "--on", "2026-12-30", "--as-of", "2027-01-02")
    ok("log", "ada", "--on", "2027-01-02", "--as-of", "2027-01-02")
    ok("log", "ada", "--on", "2026-12-27", "--as-of", "2027-01-02")  # the Sunday before
    ok("goal", "add", "Weekly", "--metric", "touchpoints", "--target", "2")
    (row,) = progress("--as-of", "2027-01-02")
    assert (row["period_start"], row["period_end"], row["value"]) == ("2026-12-28", "2027-01-03", 2)
    assert "2026-W53" in ok("goals", "-f", "plain", "--as-of", "2027-01-02").stdout


def test_history_at_the_first_accepted_day_works_and_before_it_is_refused(journal):
    ok("goal", "add", "Weekly", "--metric", "touchpoints", "--target", "1")
    rows = progress("--as-of", "1800-01-05", "--history", "3")
    assert rows[0]["period_start"] <= "1800-01-05" <= rows[0]["period_end"]
    r = cno("goals", "--as-of", "1799-12-31", "-f", "json")
    assert r.code == 2 and "outside 1800-01-01..2999-12-31" in r.stderr


def test_quarter_boundaries_by_as_of(journal):
    ok("goal", "add", "Quarterly", "--metric", "touchpoints", "--target", "10", "--per", "quarter")
    (q3,) = progress("--as-of", "2026-09-30")
    (q4,) = progress("--as-of", "2026-10-01")
    assert (q3["period_start"], q3["period_end"], q3["value"]) == ("2026-07-01", "2026-09-30", 1)
    assert (q4["period_start"], q4["period_end"], q4["value"]) == ("2026-10-01", "2026-12-31", 0)


def test_as_of_a_past_day_counts_the_period_only_up_to_that_day(journal):
    ok("goal", "add", "Weekly", "--metric", "touchpoints", "--target", "4")
    (row,) = progress("--as-of", "2026-11-18")  # T1 and T2 had happened; T3 and T4 had not
    assert (row["period_end"], row["value"]) == ("2026-11-22", 2)
    rows = progress("--as-of", "2026-11-29", "--history", "1")  # a later week: this one is whole
    assert [(r["period_start"], r["value"]) for r in rows] == [("2026-11-23", 0), ("2026-11-16", 4)]


# -- on pace ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "share"),
    [("2026-11-16", Fraction(1, 7)), ("2026-11-19", Fraction(4, 7)), ("2026-11-22", Fraction(1))],
)
def test_elapsed_share_counts_today(today, share):
    start, end = goals.period_bounds("week", date(2026, 11, 18))
    assert goals.elapsed_share(start, end, date.fromisoformat(today)) == share


def test_elapsed_share_of_a_quarter_counts_days():
    start, end = goals.period_bounds("quarter", date(2026, 10, 1))
    assert goals.elapsed_share(start, end, date(2026, 10, 1)) == Fraction(1, 92)


def test_on_pace_on_monday_needs_a_seventh_of_the_target(journal_path):
    ok("add", "Ada")
    ok("goal", "add", "Daily habit", "--metric", "touchpoints", "--target", "7")
    (row,) = progress("--as-of", "2026-11-16")
    assert row["value"] == 0 and row["on_pace"] is False
    ok("log", "ada", "--on", "2026-11-16", "--as-of", "2026-11-16")
    (row,) = progress("--as-of", "2026-11-16")
    assert (row["value"], row["on_pace"], row["percent"]) == (1, True, 14)
    (row,) = progress("--as-of", "2026-11-17")  # Tuesday: 2 of 7 are due by now
    assert (row["value"], row["on_pace"]) == (1, False)


def test_on_pace_for_the_time_budget(journal):
    ok("goal", "add", "CNO time budget", "--metric", "minutes", "--target", "150")
    # by Wednesday 18th: 3/7 of 150 = 64.3 minutes expected; 60 + 30 = 90 logged
    (row,) = progress("--as-of", "2026-11-18")
    assert (row["value"], row["on_pace"], row["expected"]) == (90, True, 64.3)
    # by Sunday all 150 are due; 105 logged
    (row,) = progress()
    assert (row["value"], row["percent"], row["on_pace"]) == (105, 70, False)


# -- history ------------------------------------------------------------------


def test_history_adds_the_previous_periods_of_each_goal(journal):
    # created early enough that every period below existed for them (history stops at created_on)
    ok("goal", "add", "Monthly minutes", "--metric", "minutes", "--target", "100", "--per", "month", "--as-of", "2026-09-01")
    ok("goal", "add", "Weekly touches", "--metric", "touchpoints", "--target", "1", "--as-of", "2026-09-01")
    rows = progress("--history", "2")
    assert [(r["id"], r["periods_ago"], r["period_start"], r["period_end"], r["value"]) for r in rows] == [
        (1, 0, "2026-11-01", "2026-11-30", 105),
        (1, 1, "2026-10-01", "2026-10-31", 45),
        (1, 2, "2026-09-01", "2026-09-30", 20),
        (2, 0, "2026-11-16", "2026-11-22", 4),
        (2, 1, "2026-11-09", "2026-11-15", 1),
        (2, 2, "2026-11-02", "2026-11-08", 0),
    ]
    # a past period has fully elapsed: on_pace says whether its target was met
    assert [r["on_pace"] for r in rows] == [True, False, False, True, True, False]
    for row in rows:
        assert set(GoalRow.__annotations__) <= set(row)


def test_history_in_the_table_says_met_or_missed(journal):
    ok("goal", "add", "Weekly touches", "--metric", "touchpoints", "--target", "1", "--as-of", "2026-11-02")
    out = ok("goals", "--history", "2", "-f", "plain").stdout
    lines = [line for line in out.splitlines() if "Weekly touches" in line]
    assert len(lines) == 3
    assert "reached" in lines[0] and "reached" in lines[1] and "missed" in lines[2]
    assert "2026-W47" in lines[0] and "2026-W46" in lines[1] and "2026-W45" in lines[2]


# -- output -------------------------------------------------------------------


def test_json_has_exactly_the_pinned_keys_first_with_their_types(journal):
    ok("goal", "add", "Fintech gives", "--metric", "gives", "--target", "20", "--per", "month", "--tag", "fintech")
    (row,) = progress()
    assert list(row)[: len(GoalRow.__annotations__)] == list(GoalRow.__annotations__)
    assert row == {
        "id": 1, "title": "Fintech gives", "metric": "gives", "target": 20, "period": "month",
        "period_start": "2026-11-01", "period_end": "2026-11-30", "value": 3, "percent": 15,
        "on_pace": False, "expected": 14.7, "tag": "fintech", "tier": None, "periods_ago": 0,
    }  # fmt: skip


def test_csv_has_a_header_and_one_line_per_row(journal):
    ok("goal", "add", "Budget", "--metric", "minutes", "--target", "150")
    lines = ok("goals", "-f", "csv").stdout.splitlines()
    assert lines[0].split(",")[:10] == list(GoalRow.__annotations__)
    assert lines[1].startswith("1,Budget,minutes,150,week,2026-11-16,2026-11-22,105,70,false")


def test_plain_and_md_show_a_text_bar(journal):
    ok("goal", "add", "Budget", "--metric", "minutes", "--target", "175")  # 105/175 = 60%
    plain = ok("goals", "-f", "plain").stdout
    assert "105/175" in plain and "██████░░░░" in plain and "60%" in plain and "behind" in plain
    md = ok("goals", "-f", "md").stdout
    assert "| 1 | Budget | minutes | 2026-W47 | 105/175 | ██████░░░░ | 60% | behind |" in md


def test_the_bar_is_full_only_once_the_target_is_met_and_caps_beyond():
    from cno.render.goals import text_bar

    assert text_bar(149, 150) == "█" * 9 + "░"
    assert text_bar(150, 150) == "█" * 10
    assert text_bar(400, 150) == "█" * 10
    assert text_bar(0, 3) == "░" * 10


def test_table_off_a_terminal_is_plain_text_with_the_text_bar(journal):
    ok("goal", "add", "Budget", "--metric", "minutes", "--target", "150")
    out = ok("goals").stdout
    assert "Goals as of 2026-11-22" in out and "105/150" in out and "███████░░░" in out
    assert "\x1b" not in out


def test_table_on_a_colour_terminal_draws_richs_progress_bar(journal, monkeypatch):
    from rich.progress_bar import ProgressBar

    from cno.render import goals as view

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    ok("goal", "add", "Budget", "--metric", "minutes", "--target", "150")
    conn = sqlite3.connect(journal)
    conn.row_factory = sqlite3.Row
    rows = view._shown(goals.progress(conn, TODAY))
    conn.close()
    bar_column = [c.key for c in view.PROGRESS_COLS].index("bar")
    monkeypatch.setattr("sys.stdout", Terminal())
    cell = view._rich_progress(rows, "Goals").columns[bar_column]._cells[0]
    assert isinstance(cell, ProgressBar) and (cell.completed, cell.total) == (105, 150)
    monkeypatch.setenv("NO_COLOR", "1")  # without colour Rich's bar would lose its empty part
    cell = view._rich_progress(rows, "Goals").columns[bar_column]._cells[0]
    assert "███████░░░" in cell.plain


def test_titles_are_data_not_markup(journal):
    ok("goal", "add", "[red]x[/red] \x1b[2J", "--metric", "touchpoints", "--target", "3")
    out = ok("goals").stdout
    assert "[red]x[/red] \\x1b[2J" in out and "\x1b" not in out
    assert progress()[0]["title"] == "[red]x[/red] \x1b[2J"


def test_without_a_journal_goals_print_the_empty_result_and_create_nothing(journal_path):
    assert ok("goals", "-f", "json").stdout.strip() == "[]"
    assert ok("goal", "list", "-f", "json").stdout.strip() == "[]"
    assert ok("goals", "-f", "csv").stdout.startswith("id,title,metric,target,period,period_start,period_end,value,percent,on_pace")
    r = ok("goals")
    assert r.stdout == "" and "no journal yet" in r.stderr
    assert not journal_path.exists()


def test_no_goals_is_silent_off_a_terminal(journal):
    # "no goals yet" is for a person at a terminal; cron gets no output at all
    r = ok("goals")
    assert r.stdout == "" and r.stderr == ""


# -- definitions: add, list, edit, rm -----------------------------------------


def test_add_defaults_to_weekly_and_list_shows_ids(journal):
    r = ok("goal", "add", "CNO time budget", "--metric", "minutes", "--target", "150")
    assert "goal #1" in r.stderr and r.stdout == ""
    ok("goal", "add", "Gives", "--metric", "GIVES", "--target", "+20", "--per", "Month", "--tag", "fintech")
    rows = ok("goal", "list", "-f", "json").json()
    assert rows == [
        {"id": 1, "title": "CNO time budget", "metric": "minutes", "target": 150, "period": "week",
         "tag": None, "tier": None, "created_on": "2026-11-22"},
        {"id": 2, "title": "Gives", "metric": "gives", "target": 20, "period": "month",
         "tag": "fintech", "tier": None, "created_on": "2026-11-22"},
    ]  # fmt: skip
    table = ok("goal", "list").stdout
    assert "CNO time budget" in table and "fintech" in table
    assert ok("goal", "list", "-f", "csv").stdout.splitlines()[0] == "id,title,metric,target,period,tag,tier,created_on"


def test_edit_changes_the_definition_and_progress_follows(journal):
    ok("goal", "add", "Budget", "--metric", "minutes", "--target", "150", "--tag", "fintech")
    assert progress()[0]["value"] == 90
    r = ok("goal", "edit", "1", "--title", "Touches", "--metric", "touchpoints", "--target", "8", "--per", "month", "--clear", "tag")
    assert "goal #1 'Touches'" in r.stderr
    (row,) = progress()
    assert (row["title"], row["metric"], row["target"], row["period"], row["value"]) == ("Touches", "touchpoints", 8, "month", 5)
    ok("goal", "edit", "1", "--tier", "B")
    assert progress()[0]["value"] == 2  # Grace: T1, T3 in November
    ok("goal", "edit", "1", "--clear", "tier", "--tag", "mentor")
    (row,) = ok("goal", "list", "-f", "json").json()
    assert (row["tag"], row["tier"]) == ("mentor", None)


def test_rm_deletes_only_the_goal(journal):
    ok("goal", "add", "Budget", "--metric", "minutes", "--target", "150")
    ok("goal", "add", "Gives", "--metric", "gives", "--target", "3")
    before = ok("history", "-f", "json").stdout
    r = ok("goal", "rm", "1")
    assert "deleted goal #1 'Budget'" in r.stderr
    assert [g["id"] for g in ok("goal", "list", "-f", "json").json()] == [2]
    assert ok("history", "-f", "json").stdout == before


# -- bad input: exit 2, one `cno:` line, nothing written ----------------------


@pytest.fixture
def with_goal(journal):
    ok("goal", "add", "Budget", "--metric", "minutes", "--target", "150")
    return journal


def test_unknown_metric_is_refused(with_goal):
    refused("goal", "add", "Calls", "--metric", "calls", "--target", "3", journal=with_goal, contains="unknown metric 'calls'")


def test_unknown_period_is_refused(with_goal):
    refused("goal", "add", "X", "--metric", "minutes", "--target", "3", "--per", "fortnight", journal=with_goal, contains="unknown period 'fortnight'")


@pytest.mark.parametrize("target", ["0", "-1", "2.5", "abc", "", "1e3", "99999999999999999999"])
def test_target_must_be_a_positive_whole_number(with_goal, target):
    refused("goal", "add", "X", "--metric", "minutes", "--target", target, journal=with_goal, contains="--target must be a positive whole number")


def test_missing_metric_or_target_is_a_usage_error(with_goal):
    refused("goal", "add", "X", "--target", "3", journal=with_goal, contains="--metric")
    refused("goal", "add", "X", "--metric", "minutes", journal=with_goal, contains="--target")


def test_a_tag_no_contact_has_is_refused(with_goal):
    r = refused("goal", "add", "X", "--metric", "gives", "--target", "3", "--tag", "fintek", journal=with_goal, contains="no contact has the tag 'fintek'")
    assert "did you mean fintech" in r.stderr


def test_a_tag_filter_with_no_tags_in_the_journal_is_refused(journal_path):
    ok("add", "Ada")
    refused("goal", "add", "X", "--metric", "gives", "--target", "3", "--tag", "fintech", journal=journal_path, contains="no contact has the tag 'fintech'")


def test_unknown_tier_is_refused(with_goal):
    refused("goal", "add", "X", "--metric", "gives", "--target", "3", "--tier", "D", journal=with_goal, contains="unknown tier 'D'")


def test_an_empty_title_is_refused(with_goal):
    refused("goal", "add", "  ", "--metric", "gives", "--target", "3", journal=with_goal, contains="a goal needs a title")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "calls"], "unknown metric"),
        (["--per", "daily"], "unknown period"),
        (["--target", "0"], "positive whole number"),
        (["--target", "2.5"], "positive whole number"),
        (["--tag", "nobody"], "no contact has the tag"),
        (["--tier", "Z"], "unknown tier"),
        (["--clear", "metric"], "can't clear 'metric'"),
        (["--tag", "fintech", "--clear", "tag"], "exclude each other"),
        (["--title", ""], "a goal needs a title"),
    ],
)
def test_edit_refuses_bad_values(with_goal, args, message):
    refused("goal", "edit", "1", *args, journal=with_goal, contains=message)


def test_edit_with_nothing_to_change_is_refused(with_goal):
    refused("goal", "edit", "1", journal=with_goal, contains="nothing to change")


def test_edit_of_a_missing_goal_is_refused(with_goal):
    refused("goal", "edit", "9", "--target", "3", journal=with_goal, contains="no goal #9")


def test_rm_of_a_missing_goal_is_refused(with_goal):
    refused("goal", "rm", "9", journal=with_goal, contains="no goal #9")


def test_a_goal_id_must_be_a_number(with_goal):
    refused("goal", "rm", "budget", journal=with_goal, contains="budget")


@pytest.mark.parametrize("n", ["-1", "1001", "x"])
def test_history_out_of_range_is_refused(with_goal, n):
    refused("goals", "--history", n, journal=with_goal, contains="--history")


def test_history_out_of_range_is_refused_without_a_journal(journal_path):
    refused("goals", "--history", "-1", journal=journal_path, contains="--history must be between 0 and 1000")
    assert not journal_path.exists()


def test_unknown_format_is_refused(with_goal):
    refused("goals", "-f", "xml", journal=with_goal, contains="unknown format 'xml'")
    refused("goal", "list", "-f", "html", journal=with_goal, contains="unknown format 'html'")


def test_a_bad_as_of_is_refused(with_goal):
    refused("goals", "--as-of", "someday", journal=with_goal, contains="can't read date 'someday'")


# -- speed: one aggregate over the happened_on index ----------------------------


TOUCHPOINT_METRICS = ["touchpoints", "contacts-touched", "meetings", "gives", "intros", "minutes"]


@pytest.mark.parametrize("metric", TOUCHPOINT_METRICS)
@pytest.mark.parametrize(("tag", "tier"), [(None, None), ("fintech", None), (None, "A"), ("mentor", "B")])
def test_touchpoint_metrics_range_over_the_happened_on_index(journal, metric, tag, tier):
    conn = sqlite3.connect(journal)
    sql, args = goals.metric_query({"metric": metric, "tag": tag, "tier": tier}, date(2026, 10, 1), date(2026, 12, 31))
    plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
    conn.close()
    # a range on the touchpoints' date, through either index that starts with it
    assert any(
        step.startswith("SEARCH t USING") and re.search(r"INDEX touchpoints_(happened_on|period) \(happened_on>\? AND happened_on<\?\)", step)
        for step in plan
    ), plan
    assert not any(step.startswith("SCAN") and "CONSTANT ROW" not in step for step in plan), plan


@pytest.mark.parametrize("metric", ["referrals-given", "referrals-received"])
def test_referral_metrics_range_over_the_on_date_index(journal, metric):
    conn = sqlite3.connect(journal)
    sql, args = goals.metric_query({"metric": metric, "tag": "fintech", "tier": None}, date(2026, 10, 1), date(2026, 12, 31))
    plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
    conn.close()
    assert any("INDEX referrals_on_date (on_date>? AND on_date<?)" in step for step in plan), plan


# -- engagement rate ----------------------------------------------------------


def test_engagement_rate_is_none_without_tier_a_contacts(journal_path):
    ok("add", "Grace", "--tier", "B")
    ok("log", "grace")
    j = open_journal(journal_path, create=False)
    assert goals.engagement_rate(j.conn, TODAY) is None
    j.close()


def test_engagement_rate_counts_tier_a_touched_within_their_cadence(journal_path):
    ok("config", "set", "cadence.tag.family", "7d")
    ok("add", "Fresh", "--tier", "A")
    ok("log", "fresh", "--on", "2026-11-12")  # 10 days ago, 30d cadence: engaged
    ok("add", "Due today", "--tier", "A")
    ok("log", "due today", "--on", "2026-10-23")  # + 30d = today: still within
    ok("add", "Cold", "--tier", "A")
    ok("log", "cold", "--on", "2026-10-22")  # + 30d = yesterday: not
    ok("add", "Own cadence", "--tier", "A", "--every", "1w")
    ok("log", "own cadence", "--on", "2026-11-12")  # 10 days > 1 week: not
    ok("add", "Family", "--tier", "A", "--tag", "family")
    ok("log", "family", "--on", "2026-11-12")  # the tag's 7d beats the tier's 30d: not
    ok("add", "Never touched", "--tier", "A")  # added today, but never touched: not
    ok("add", "Snoozed", "--tier", "A")
    ok("log", "snoozed", "--on", "2026-09-01")
    ok("snooze", "snoozed", "4w")  # a snooze is not a touch: not
    ok("add", "Archived", "--tier", "A")
    ok("archive", "archived")  # not counted at all
    ok("add", "Tier B", "--tier", "B")
    ok("log", "tier b")  # not counted at all
    j = open_journal(journal_path, create=False)
    assert goals.engagement_rate(j.conn, TODAY) == 2 / 7
    j.close()


def test_contacts_touched_reads_the_contact_rows_only_when_that_is_exact(journal_path):
    # the fast path (last touch on or after the period's start) must agree
    # with counting the period's touchpoints, and must not be used for a
    # period with later touches
    ok("add", "Ada", "--tier", "A", "--tag", "fintech")
    ok("add", "Bob", "--tier", "A")
    ok("add", "Cy", "--tier", "B", "--tag", "fintech")
    ok("log", "ada", "--on", "2026-10-05")
    ok("log", "bob", "--on", "2026-11-20", "--with", "cy")
    ok("log", "cy", "--on", "2026-09-01")
    import sqlite3

    conn = sqlite3.connect(journal_path)
    conn.row_factory = sqlite3.Row
    for tag, tier in ((None, None), ("fintech", None), (None, "A"), ("fintech", "B")):
        goal = {"metric": "contacts-touched", "tag": tag, "tier": tier}
        for start, end in ((date(2026, 10, 1), date(2026, 12, 31)), (date(2026, 9, 1), date(2026, 9, 30))):
            sql, args = goals.metric_query(goal, start, end)
            assert goals.measure(conn, goal, start, end) == conn.execute(sql, args).fetchone()[0], (tag, tier, start)
    conn.close()
