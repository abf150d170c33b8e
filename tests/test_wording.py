"""One wording and one count everywhere: goals' periods and status, balances, intros, birthdays.

The same fact reads the same in every command that shows it (`cno goals` and
`cno review`, `cno referrals` and `cno review`, `cno show` and its JSON).
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import ok

# TODAY (conftest) is Sunday 2026-11-22, in ISO week 2026-W47 (Mon 16 – Sun 22 November).


def _section(text: str, title: str) -> list[str]:
    """The lines of one section of `cno review -f plain`: from its title to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1 : end]


def _md_section(text: str, title: str) -> list[str]:
    """The lines of one `## title` section of `cno review -f md`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {title}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start + 1 : end]


def _line_of(lines: list[str], name: str) -> str:
    (line,) = [line for line in lines if name in line]
    return line


# -- goals: periods before a goal existed -------------------------------------


def test_history_leaves_out_the_periods_that_ended_before_the_goal_was_created(journal_path):
    ok("add", "Ada")
    # created on Wednesday of W45: W45 existed for it (partly), W44 and before did not
    ok("goal", "add", "Weekly touches", "--metric", "touchpoints", "--target", "1", "--as-of", "2026-11-04")
    rows = ok("goals", "--history", "4", "-f", "json").json()
    assert [(r["periods_ago"], r["period_start"]) for r in rows] == [
        (0, "2026-11-16"), (1, "2026-11-09"), (2, "2026-11-02"),
    ]  # fmt: skip
    assert all(r["period_end"] >= "2026-11-04" for r in rows)
    plain = ok("goals", "--history", "4", "-f", "plain").stdout
    assert "2026-W44" not in plain and "2026-W43" not in plain
    lines = plain.splitlines()
    # the week that ends today is still running; the two before it ended short
    assert _line_of(lines, "2026-W47").endswith("  behind")
    assert _line_of(lines, "2026-W46").endswith("  missed")
    assert _line_of(lines, "2026-W45").endswith("  missed")


def test_a_goal_created_today_has_no_history_to_miss(journal_path):
    ok("add", "Ada")
    ok("goal", "add", "Weekly touches", "--metric", "touchpoints", "--target", "1")
    rows = ok("goals", "--history", "3", "-f", "json").json()
    assert [r["periods_ago"] for r in rows] == [0]
    assert not any(r["on_pace"] is False and r["periods_ago"] for r in rows)
    plain = ok("goals", "--history", "3", "-f", "plain").stdout
    assert "missed" not in plain and "2026-W46" not in plain


def test_the_period_asked_about_is_shown_even_before_the_goal_existed(journal_path):
    # `--as-of` a day before the goal was created still shows the goal in that
    # day's period (what it would have stood at); only its history stops.
    ok("add", "Ada")
    ok("goal", "add", "Weekly touches", "--metric", "touchpoints", "--target", "1")
    rows = ok("goals", "--history", "2", "--as-of", "2026-10-07", "-f", "json").json()
    assert [(r["periods_ago"], r["period_start"]) for r in rows] == [(0, "2026-10-05")]


# -- goals: one status vocabulary --------------------------------------------


@pytest.fixture
def three_goals(journal_path):
    """By Wednesday 18th (3/7 of the week) four touchpoints: 133% of 3, on pace for 7, behind for 20."""
    ok("add", "Ada Lovelace")
    for day in ("2026-11-16", "2026-11-17", "2026-11-17", "2026-11-18"):
        ok("log", "ada", "--on", day)
    for title, target in (("Over the top", "3"), ("Steady pace", "7"), ("Far behind", "20")):
        ok("goal", "add", title, "--metric", "touchpoints", "--target", target, "--as-of", "2026-11-16")
    return {"Over the top": "reached", "Steady pace": "on pace", "Far behind": "behind"}


def test_goal_status_is_one_word_in_goals_and_review(three_goals):
    goals_plain = ok("goals", "-f", "plain", "--as-of", "2026-11-18").stdout.splitlines()
    review_plain = _section(ok("review", "-f", "plain", "--as-of", "2026-11-18").stdout, "Goals")
    review_md = _md_section(ok("review", "-f", "md", "--as-of", "2026-11-18").stdout, "Goals")
    review_html = ok("review", "-f", "html", "--as-of", "2026-11-18").stdout
    for title, status in three_goals.items():
        assert _line_of(goals_plain, title).endswith(f"  {status}"), title
        assert _line_of(review_plain, title).endswith(f"  {status}"), title
        assert _line_of(review_md, title).endswith(f"| {status} |"), title
        assert re.search(rf"{title}</td>.*<td>{status}</td></tr>", review_html), title
    percent = {r["title"]: r["percent"] for r in ok("goals", "-f", "json", "--as-of", "2026-11-18").json()}
    assert percent["Over the top"] == 133


# -- referral balance: one signed format -------------------------------------


@pytest.fixture
def balances(journal_path):
    """Ada gave me one (−1), I gave Grace one (+1), Alan one each way (0)."""
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing"):
        ok("add", name)
    ok("referral", "receive", "ada")
    ok("referral", "give", "grace")
    ok("referral", "give", "alan")
    ok("referral", "receive", "alan")
    return {"Ada Lovelace": "-1", "Grace Hopper": "+1", "Alan Turing": "0"}


def test_a_balance_reads_the_same_in_referrals_and_review(balances):
    report = ok("referrals", "-f", "plain").stdout.splitlines()
    review = _section(ok("review", "-f", "plain").stdout, "Referrals, last 7 days")
    review_md = _md_section(ok("review", "-f", "md").stdout, "Referrals, last 7 days")
    review_html = ok("review", "-f", "html").stdout
    for name, shown in balances.items():
        assert _line_of(report, name).split()[-1] == shown, name
        assert _line_of(review, name).split()[-1] == shown, name
        assert _line_of(review_md, name).endswith(f"| {shown} |"), name
        assert re.search(rf'{name}</td>.*<td class="n">{re.escape(shown)}</td></tr>', review_html), name
    # JSON keeps the number
    expected = {name: int(shown) for name, shown in balances.items()}
    assert {r["name"]: r["balance"] for r in ok("referrals", "-f", "json").json()} == expected
    review_json = ok("review", "-f", "json").json()["referrals"]["contacts"]
    assert {r["name"]: r["balance"] for r in review_json} == expected


# -- introductions: the totals row and the footer agree -----------------------


def _intro_numbers(text: str) -> tuple[int, int]:
    """(introductions, their count in the intros column) as the footer or review summary says them."""
    m = re.search(r"(\d+) introductions? \((\d+) in intros: each counts for both people\)", text)
    assert m, text
    return int(m.group(1)), int(m.group(2))


@pytest.fixture
def introductions(journal_path):
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Joan Clarke"):
        ok("add", name)
    ok("intro", "ada", "grace")
    ok("intro", "ada", "alan")
    ok("intro", "joan", "grace")
    ok("referral", "give", "ada")


def _totals_intros(plain: str) -> int:
    total = _line_of(plain.splitlines(), "total").split()
    return int(total[total.index("total") + 3])  # total, given, received, intros


def test_the_totals_row_and_the_footer_count_introductions_the_same_way(introductions):
    plain = ok("referrals", "-f", "plain").stdout
    rows = ok("referrals", "-f", "json").json()
    assert sum(r["intros"] for r in rows) == 6  # three introductions, each in two people's rows
    assert _totals_intros(plain) == 6
    assert _intro_numbers(plain) == (3, 6)
    md = ok("referrals", "-f", "md").stdout
    assert _intro_numbers(md) == (3, 6)
    # the review's summary line says it the same way as the ledger's footer
    review = ok("review", "-f", "plain").stdout
    assert _intro_numbers(review) == (3, 6)
    assert sum(r["intros"] for r in ok("review", "-f", "json").json()["referrals"]["contacts"]) == 6


def test_the_footer_counts_what_the_column_holds_after_a_contact_is_deleted(introductions):
    # Joan's introduction to Grace stays on Grace's timeline: it is still one
    # introduction, now counted in one person's row only.
    ok("rm", "joan", "--yes")
    plain = ok("referrals", "-f", "plain").stdout
    assert _totals_intros(plain) == 5
    assert _intro_numbers(plain) == (3, 5)
    windowed = ok("referrals", "--since", "4w", "-f", "plain").stdout
    assert _totals_intros(windowed) == 5 and _intro_numbers(windowed) == (3, 5)


# -- birthdays ---------------------------------------------------------------


@pytest.fixture
def birthdays(journal_path):
    ok("add", "Ada Lovelace", "--birthday", "12-09")
    ok("add", "Alan Turing", "--birthday", "1990-12-09")
    ok("add", "Leap Day", "--birthday", "--02-29")


@pytest.mark.parametrize(
    ("ref", "shown", "stored"),
    [("ada", "Dec 9", "--12-09"), ("alan", "Dec 9, 1990", "1990-12-09"), ("leap", "Feb 29", "--02-29")],
)
def test_a_birthday_reads_as_a_day_in_the_card_and_stays_stored_in_json_and_csv(birthdays, ref, shown, stored):
    plain = ok("show", ref, "-f", "plain").stdout.splitlines()
    assert re.fullmatch(rf"birthday\s+{re.escape(shown)}", _line_of(plain, "birthday"))
    assert f"| birthday | {shown} |" in ok("show", ref, "-f", "md").stdout
    table = ok("show", ref).stdout
    assert shown in table and stored not in table
    assert ok("show", ref, "-f", "json").json()["birthday"] == stored
    (row,) = csv.DictReader(io.StringIO(ok("show", ref, "-f", "csv").stdout))
    assert row["birthday"].lstrip("'") == stored
    listed = {r["name"]: r["birthday"] for r in ok("list", "-f", "json").json()}
    assert stored in listed.values()
    listed_csv = [r["birthday"].lstrip("'") for r in csv.DictReader(io.StringIO(ok("list", "-f", "csv").stdout))]
    assert stored in listed_csv
