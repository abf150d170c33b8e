"""`cno tags`: every tag in the journal with how many contacts and touchpoints carry it."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import ok

KEYS = ["tag", "contacts", "touchpoints"]


@pytest.fixture
def tagged(journal_path):
    """Contact tags and touchpoint tags are separate: a tag may be one, the other or both.

    Ada: fintech, mentor   Grace: mentor   Zed (archived): mentor, old
    touchpoints: Ada "conference"; Grace + Ada "conference", "fintech"; Grace untagged
    """
    ok("add", "Ada Lovelace", "--tag", "fintech", "--tag", "mentor")
    ok("add", "Grace Hopper", "--tag", "mentor")
    ok("add", "Zed Shaw", "--tag", "mentor", "--tag", "old")
    ok("archive", "zed")
    ok("log", "ada", "keynote", "--tag", "conference")
    ok("log", "grace", "panel", "--with", "ada", "--tag", "conference", "--tag", "fintech")
    ok("log", "grace", "coffee")
    return journal_path


EXPECTED = [
    # archived Zed's tags are still tags (`--tag` finds them with `list --archived`), counted 0 contacts
    {"tag": "conference", "contacts": 0, "touchpoints": 2},
    {"tag": "fintech", "contacts": 1, "touchpoints": 1},  # the panel counts once, with two people in it
    {"tag": "mentor", "contacts": 2, "touchpoints": 0},
    {"tag": "old", "contacts": 0, "touchpoints": 0},
]


def test_every_tag_with_its_contacts_and_touchpoints_sorted_by_tag(tagged):
    rows = ok("tags", "-f", "json").json()
    assert rows == EXPECTED
    assert all(list(r) == KEYS for r in rows)


def test_csv_has_the_json_keys_as_its_header(tagged):
    rows = list(csv.DictReader(io.StringIO(ok("tags", "-f", "csv").stdout)))
    assert [list(r) for r in rows] == [KEYS] * 4
    assert [{k: int(v) if k != "tag" else v for k, v in r.items()} for r in rows] == EXPECTED


@pytest.mark.parametrize("fmt", ["table", "plain", "md"])
def test_human_formats_show_every_tag_and_its_counts(tagged, fmt):
    out = ok("tags", "-f", fmt).stdout
    lines = [line.replace("|", " ").split() for line in out.splitlines()]
    for row in EXPECTED:
        assert [row["tag"], str(row["contacts"]), str(row["touchpoints"])] in lines, (row, out)


def test_sorted_by_the_tag_itself(journal_path):
    for tag in ("zeta", "alpha", "beta"):
        ok("add", f"Person {tag}", "--tag", tag)
    assert [r["tag"] for r in ok("tags", "-f", "json").json()] == ["alpha", "beta", "zeta"]


def test_a_removed_tag_is_gone(tagged):
    ok("edit", "zed", "--untag", "old")
    assert "old" not in [r["tag"] for r in ok("tags", "-f", "json").json()]


def test_tags_are_data_in_markdown(journal_path):
    ok("add", "Ada", "--tag", "a|b*c")
    out = ok("tags", "-f", "md").stdout
    assert r"a\|b\*c" in out


def test_no_journal_yet_is_an_empty_result_and_creates_nothing(journal_path):
    assert ok("tags", "-f", "json").json() == []
    assert ok("tags", "-f", "csv").stdout.strip() == ",".join(KEYS)
    r = ok("tags")
    assert r.stdout == ""
    assert not journal_path.exists()


def test_a_journal_without_tags_is_an_empty_result(journal_path):
    ok("add", "Ada")
    assert ok("tags", "-f", "json").json() == []
