"""Destructive commands say what they removed and how to take it back; merge asks first."""

from __future__ import annotations

import pytest

from tests.conftest import ok, refused

HINT = "(cno undo to take it back)"


@pytest.fixture
def journal(journal_path):
    ok("add", "Ada Lovelace", "--tier", "A", "--met-on", "2020-05-01")
    ok("add", "A. Lovelace", "--met-on", "2019-03-02", "--company", "Analytical")
    ok("log", "ada lovelace", "coffee", "--follow-up", "friday")
    ok("log", "ada lovelace", "call", "--on", "yesterday")
    ok("follow-up", "ada lovelace", "in 2 weeks", "send the deck")
    ok("milestone", "add", "ada lovelace", "new job", "2026-06-01")
    ok("referral", "give", "ada lovelace", "--for", "a bakery")
    ok("goal", "add", "Meet", "--metric", "meetings", "--target", "3")
    return journal_path


def test_merge_without_a_terminal_needs_yes_and_writes_nothing(journal):
    r = refused("merge", "a. lovelace", "ada lovelace", journal=journal, contains="without --yes")
    assert "A. Lovelace (#2)" in r.stderr and "Ada Lovelace (#1)" in r.stderr


def test_merge_keeps_the_earlier_met_on_and_says_how_to_undo(journal):
    r = ok("merge", "a. lovelace", "ada lovelace", "--yes")
    assert HINT in r.stderr and "#2 deleted" in r.stderr
    assert ok("show", "ada", "-f", "json").json()["met_on"] == "2019-03-02"
    ok("undo")
    assert [c["name"] for c in ok("list", "-f", "json").json()] == ["A. Lovelace", "Ada Lovelace"]


def test_merge_into_itself_is_refused_before_asking(journal):
    refused("merge", "ada lovelace", "1", "--yes", journal=journal, contains="into itself")


@pytest.mark.parametrize(
    "argv, says",
    [
        (["rm", "ada lovelace", "--yes"], "deleted Ada Lovelace (#1), with 2 touchpoints, 2 follow-ups, 1 milestone and 1 referral"),
        (["touch", "rm", "1"], "deleted touchpoint #1"),
        (["referral", "rm", "1"], "deleted referral #1"),
        (["goal", "rm", "1"], "deleted goal"),
        (["followups", "rm", "1"], "deleted follow-up #1"),
        (["milestone", "rm", "1"], "deleted milestone #1"),
        (["merge", "a. lovelace", "ada lovelace", "--yes"], "merged A. Lovelace (#2) into Ada Lovelace (#1)"),
        (["done", "ada lovelace"], "closed 2 follow-ups with Ada Lovelace"),
    ],
)
def test_destructive_commands_say_what_they_removed_and_end_with_the_undo_hint(journal, argv, says):
    r = ok(*argv)
    assert says in r.stderr
    assert r.stderr.rstrip().endswith(HINT), r.stderr
    assert r.stdout == ""


def test_done_ref_lists_every_follow_up_it_closes(journal):
    r = ok("done", "ada lovelace")
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("done: follow-up #1 with Ada Lovelace (due 2026-11-27)")
    assert lines[1] == "done: follow-up #2 with Ada Lovelace (due 2026-12-06): send the deck"
    assert ok("followups", "list", "-f", "json").json() == []
