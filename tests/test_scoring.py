"""Relationship strength: properties of the formula and its maintained sum."""

from __future__ import annotations

import math

import sqlite3
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cno import scoring
from cno.touchpoints import CHANNELS
from tests.conftest import ok

TODAY = date(2026, 11, 22)
touch = st.tuples(st.sampled_from(CHANNELS), st.booleans(), st.integers(0, 3000))


def _strength(touches, today=TODAY):
    raw = sum(scoring.contribution(scoring.touch_weight(via, gave), today - timedelta(days=age)) for via, gave, age in touches)
    return scoring.strength(raw, today)


def test_no_history_is_zero():
    assert scoring.strength(0.0, TODAY) == 0.0 and _strength([]) == 0.0


@given(st.lists(touch, max_size=30), touch)
def test_adding_a_touchpoint_never_lowers_strength(history, extra):
    assert _strength([*history, extra]) >= _strength(history)


@given(st.sampled_from(CHANNELS), st.booleans(), st.integers(0, 2000), st.integers(1, 2000))
def test_an_older_touchpoint_adds_less_than_a_newer_one_of_the_same_kind(via, gave, age, older_by):
    newer = scoring.contribution(scoring.touch_weight(via, gave), TODAY - timedelta(days=age))
    older = scoring.contribution(scoring.touch_weight(via, gave), TODAY - timedelta(days=age + older_by))
    assert older < newer


@given(st.lists(touch, max_size=30))
def test_strength_stays_within_0_and_100(history):
    assert 0.0 <= _strength(history) <= 100.0


def test_a_meeting_counts_more_than_a_message_and_half_life_halves():
    assert _strength([("meeting", False, 0)]) > _strength([("message", False, 0)])
    raw = scoring.contribution(1.0, TODAY)
    now = scoring.exact_strength(raw, TODAY)
    later = scoring.exact_strength(raw, TODAY + timedelta(days=scoring.HALF_LIFE_DAYS))
    # a sum of 1 today is a sum of 1/2 one half-life later
    assert abs(now - 100 * (1 - math.exp(-1.0 / scoring.SCALE))) < 1e-9
    assert abs(later - 100 * (1 - math.exp(-0.5 / scoring.SCALE))) < 1e-9


def test_documented_reference_points():
    assert 10 < _strength([("email", False, 0)]) < 14
    monthly = [("meeting", False, 30 * k) for k in range(12)]
    assert 75 < _strength(monthly) < 90
    assert _strength([("meeting", False, 365)]) < 3


def test_list_and_show_use_the_maintained_sum(journal_path):
    ok("add", "Weekly")
    ok("add", "Once")
    for k in range(52):
        ok("log", "weekly", "--via", "meeting", "--on", (TODAY - timedelta(weeks=k)).isoformat())
    ok("log", "once", "--via", "message", "--on", "2024-01-01")
    rows = {r["name"]: r["strength"] for r in ok("list", "-f", "json").json()}
    assert rows["Weekly"] > 95 and rows["Once"] < 1
    assert [r["name"] for r in ok("list", "--sort", "strength", "-f", "json").json()] == ["Weekly", "Once"]
    # the stored sum equals a recomputation from the history
    conn = sqlite3.connect(journal_path)
    stored = dict(conn.execute("SELECT id, strength_raw FROM contacts"))
    fresh = scoring.raw_for(conn, list(stored))
    conn.close()
    assert all(abs(stored[i] - fresh[i]) <= 1e-9 * max(1.0, fresh[i]) for i in stored)
    # strength decays as days pass with no new touch
    later = ok("show", "weekly", "-f", "json", "--as-of", "2027-06-01").json()["strength"]
    assert later < rows["Weekly"]


def test_referrals_raise_strength_and_removing_one_lowers_it_again():
    ok("add", "Ada")
    before = ok("show", "ada", "-f", "json").json()["strength"]
    ok("referral", "receive", "ada", "--for", "a client")
    after = ok("show", "ada", "-f", "json").json()["strength"]
    assert after > before == 0.0
    rid = ok("referral", "list", "-f", "json").json()[0]["id"]
    ok("referral", "rm", str(rid))
    assert ok("show", "ada", "-f", "json").json()["strength"] == 0.0
