"""review, suggest and stats (SPEC "Reports")."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import ok, refused

TODAY = date(2026, 11, 22)
SECTIONS = {"overdue", "due_today", "coming_up", "goals", "referrals", "time", "cooling", "new_contacts"}


def _journal():
    ok("add", "Ada Lovelace", "--tier", "A", "--birthday", "11-25", "--as-of", "2026-01-01")
    ok("add", "Grace Hopper", "--every", "2w", "--as-of", "2026-11-01")
    ok("add", "Alan Turing", "--tier", "B")
    ok("log", "ada", "coffee", "--on", "2026-10-01", "--via", "meeting", "--minutes", "60")
    ok("log", "alan", "call", "--on", "2026-11-20", "--via", "call", "--minutes", "30", "--with", "grace")
    ok("follow-up", "alan", "2026-11-26", "send deck")
    ok("follow-up", "grace", "2026-11-22", "intro")
    ok("milestone", "add", "grace", "wedding", "2019-11-28", "--yearly")


def test_review_json_has_every_section_and_the_right_items():
    _journal()
    r = ok("review", "-f", "json").json()
    assert SECTIONS <= set(r)
    assert [(i["name"], i["kind"]) for i in r["overdue"]] == [("Ada Lovelace", "cadence")]
    assert [(i["name"], i["kind"]) for i in r["due_today"]] == [("Grace Hopper", "follow-up")]
    coming = [(i["on"], i["name"], i["kind"]) for i in r["coming_up"]]
    assert coming == [
        ("2026-11-25", "Ada Lovelace", "birthday"),
        ("2026-11-26", "Alan Turing", "follow-up"),
        ("2026-11-28", "Grace Hopper", "milestone"),
    ]
    assert r["time"]["minutes"] == 30 and r["time"]["touchpoints"] == 1
    assert {c["name"] for c in r["new_contacts"]} == {"Alan Turing"}


def test_review_month_widens_coming_up_to_30_days():
    _journal()
    r = ok("review", "--period", "month", "-f", "json").json()
    assert r["days"] == 30 and r["horizon"] == "2026-12-22"
    assert ("Grace Hopper", "cadence") in [(i["name"], i["kind"]) for i in r["coming_up"]]  # due 2026-12-04


def test_review_quiet_if_empty():
    ok("add", "Nobody Due")
    r = ok("review", "--quiet-if-empty")
    assert r.stdout == ""
    _journal()
    assert ok("review", "--quiet-if-empty", "-f", "plain").stdout != ""


@pytest.mark.parametrize("fmt", ["table", "plain", "md", "html"])
def test_review_formats_say_the_same_things(fmt):
    _journal()
    out = ok("review", "-f", fmt).stdout
    for text in ("Ada Lovelace", "Grace Hopper", "send deck", "Overdue", "Coming up"):
        assert text in out, (fmt, text)
    assert "\x1b" not in out


def test_review_html_is_one_self_contained_page():
    ok("add", "<script>alert(1)</script>", "--every", "1d", "--as-of", "2026-01-01")
    out = ok("review", "-f", "html").stdout
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "<style>" in out and "<script>" not in out and "&lt;script&gt;" in out
    assert not re.search(r"(src|href)=", out)  # nothing fetched from elsewhere


def test_review_on_a_missing_journal_is_empty_and_creates_nothing(journal_path):
    r = ok("review", "-f", "json").json()
    assert r["overdue"] == [] and r["goals"] == [] and not journal_path.exists()


def test_suggest_prefers_a_lapsed_regular_over_an_old_one_off():
    ok("add", "Regular", "--tier", "B", "--as-of", "2024-01-01")
    ok("add", "One Off", "--tier", "B", "--as-of", "2022-01-01")
    for k in range(52):
        ok("log", "regular", "--on", (date(2025, 11, 1) - timedelta(weeks=k)).isoformat())
    ok("log", "one off", "--on", "2022-03-01")
    rows = ok("suggest", "-f", "json").json()
    assert [r["name"] for r in rows][:2] == ["Regular", "One Off"]
    assert rows[0]["terms"]["frequency"] > 0 and "frequency" not in rows[1]["terms"]


def test_suggest_explain_terms_sum_to_the_score_and_tier_alone_is_not_a_reason():
    ok("add", "Fresh A", "--tier", "A")  # due in 30 days: only its tier speaks for it
    ok("add", "Late A", "--tier", "A", "--as-of", "2026-09-01")
    ok("add", "Gave Me", "--as-of", "2026-11-01")
    ok("add", "Birthday", "--birthday", "11-24")
    ok("referral", "receive", "gave me", "--for", "a client", "--on", "2026-11-10")
    rows = ok("suggest", "--explain", "-f", "json").json()
    names = [r["name"] for r in rows]
    assert "Fresh A" not in names
    assert {"Late A", "Gave Me", "Birthday"} <= set(names)
    for r in rows:
        assert abs(sum(r["terms"].values()) - r["score"]) < 0.05
    assert next(r for r in rows if r["name"] == "Gave Me")["terms"]["unreturned_referral"] > 0
    assert "terms" in ok("suggest", "--explain").stdout


def test_suggest_marks_contacts_outside_their_working_hours():
    ok("add", "Tokyo", "--tz", "Asia/Tokyo", "--every", "1w", "--as-of", "2026-01-01")
    ok("add", "Here", "--tz", "UTC", "--every", "1w", "--as-of", "2026-01-01")
    rows = {r["name"]: r for r in ok("suggest", "-f", "json").json()}
    assert rows["Tokyo"]["local_time"] is not None and rows["Here"]["local_time"] is not None


def test_stats_weeks_breakdown_and_engagement():
    _journal()
    s = ok("stats", "-f", "json").json()
    assert s["total"] == 2 and len(s["weeks"]) in (12, 13)
    assert {b["key"]: b["touchpoints"] for b in s["breakdown"]} == {"meeting": 1, "call": 1}
    assert s["engagement_rate"] == 0.0  # Ada, the only tier A, is overdue
    by_tier = ok("stats", "--by", "tier", "-f", "csv").stdout.splitlines()
    assert by_tier[0] == "key,touchpoints,contacts,minutes"
    assert ok("stats", "-f", "json", "--since", "1w").json()["total"] == 1


def test_stats_engagement_is_null_without_tier_a():
    ok("add", "B only", "--tier", "B")
    assert ok("stats", "-f", "json").json()["engagement_rate"] is None
    assert "n/a" in ok("stats", "-f", "plain").stdout


@pytest.mark.parametrize(
    "argv, message",
    [
        (["review", "--period", "year"], "unknown period"),
        (["review", "-f", "csv"], "unknown format"),
        (["review", "--as-of", "someday"], "can't read date"),
        (["suggest", "-n", "0"], "at least 1"),
        (["suggest", "--as-of", "13/13/13"], "can't read date"),
        (["stats", "--since", "2027-01-01"], "in the future"),
        (["stats", "--by", "mood"], "unknown breakdown"),
    ],
)
def test_report_bad_input(journal_path, argv, message):
    ok("add", "Ada")
    refused(*argv, journal=journal_path, contains=message)


def test_review_sections_are_capped_and_say_how_many_there_are(monkeypatch):
    from cno import reports

    monkeypatch.setattr(reports, "SECTION_LIMIT", 2)
    for i in range(4):
        ok("add", f"Late {i}", "--every", "1w", "--as-of", f"2026-10-0{i + 1}")
        ok("add", f"Soon {i}", "--every", "1w", "--as-of", f"2026-11-1{i + 6}")
    r = ok("review", "-f", "json").json()
    assert [i["name"] for i in r["overdue"]] == ["Late 0", "Late 1"]  # the most overdue
    assert r["totals"] == {"overdue": 4, "due_today": 0, "coming_up": 4}
    assert len(r["coming_up"]) == 2 and r["coming_up"][0]["name"] == "Soon 0"
    plain = ok("review", "-f", "plain").stdout
    assert "4 overdue" in plain and "the first 2 of 4" in plain


def test_stats_weeks_without_activity_collapse_into_one_row():
    _journal()  # touchpoints on 2026-10-01 and 2026-11-20 only
    out = ok("stats", "--since", "12w", "-f", "plain").stdout
    chart = out.split("by channel")[0]
    assert re.search(r"^2026-10-05\s+0\s+… 6 weeks with nothing …$", chart, re.M), chart
    assert re.search(r"^2026-09-28\s+1\s+█+$", chart, re.M) and re.search(r"^2026-11-16\s+1\s+█+$", chart, re.M), chart
    assert len(ok("stats", "--since", "12w", "-f", "json").json()["weeks"]) == 13  # JSON keeps every week


@pytest.mark.parametrize("since, per, most_rows", [("1y", "month", 13), ("100y", "year", 4)])
def test_stats_of_a_long_span_is_drawn_per_month_or_year_not_per_week(since, per, most_rows):
    _journal()
    s = ok("stats", "--since", since, "-f", "json").json()
    assert s["per"] == per and sum(p["touchpoints"] for p in s["periods"]) == s["total"] == 2
    out = ok("stats", "--since", since).stdout
    chart = out.split("By channel")[0].strip().splitlines()[3:]  # the rows under the header and rule
    assert 2 <= len(chart) <= most_rows, out
    assert out.count("touchpoints") and "week of" not in out
    label = "2026-10" if per == "month" else "2026"
    assert any(row.split()[0] == label for row in chart), out
