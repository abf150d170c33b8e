"""`cno search` (SPEC "Reports"): literal word prefixes, all of them, over
contacts, touchpoints and referrals; no input can reach FTS5's query syntax."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import cno, ok, refused


@pytest.fixture
def journal(journal_path):
    ok("add", "Ada Lovelace", "--company", "Analytical Engines", "--note", "loves poetry")
    ok("add", "Grace Hopper", "--role", "Rear Admiral", "--location", "Arlington")
    ok("log", "ada", "talked about the market map over coffee", "--with", "grace", "--on", "2026-11-02")
    ok("log", "grace", "conference call", "--on", "2026-11-10")
    conn = sqlite3.connect(journal_path)
    conn.execute(
        "INSERT INTO referrals (uid, direction, contact_id, prospect, value, status, on_date, note, created_on)"
        " VALUES ('r-1', 'received', 2, 'Harbour Bank', 900, 'open', '2026-11-05', 'needs a market study', '2026-11-05')"
    )
    conn.commit()
    conn.close()
    return journal_path


def search(*words: str) -> list[dict]:
    return ok("search", *words, "-f", "json").json()


def test_finds_each_kind_with_its_people_date_and_snippet(journal):
    found = search("market")
    assert [(r["kind"], r["names"]) for r in found] == [
        ("touchpoint", ["Ada Lovelace", "Grace Hopper"]),
        ("referral", ["Grace Hopper"]),
    ]
    assert found[0]["date"] == "2026-11-02" and "**market**" in found[0]["snippet"]
    assert found[1]["date"] == "2026-11-05" and found[1]["contact_ids"] == [2]
    contact = search("analytical")
    assert [(r["kind"], r["id"], r["names"]) for r in contact] == [("contact", 1, ["Ada Lovelace"])]


def test_words_are_prefixes_and_all_of_them_must_match(journal):
    assert [r["kind"] for r in search("poet")] == ["contact"]
    assert [r["kind"] for r in search("market", "coffee")] == ["touchpoint"]
    assert search("market", "poetry") == []
    assert [r["names"] for r in search("Arling")] == [["Grace Hopper"]]
    assert [r["kind"] for r in search("harbour")] == ["referral"]


def test_results_follow_edits(journal):
    ok("edit", "ada", "--note", "gardening now")
    assert search("poetry") == []
    assert [r["names"] for r in search("gardening")] == [["Ada Lovelace"]]


HOSTILE = ['"', "*", "NEAR(", "a OR b", "col:", "-x", "^", 'market"', "market AND", "NOT market",
           "note:market", "(market", "market*", "'; DROP TABLE contacts; --", "{market}", "NEAR(market coffee, 2)"]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_searches_as_plain_words(journal, text):
    r = cno("search", text, "-f", "json")
    if r.code == 2:
        assert r.stderr.startswith("cno: nothing to search for")
    else:
        assert r.code == 0, r.stderr
        assert isinstance(r.json(), list)


def test_operators_are_words_not_syntax(journal):
    assert [r["kind"] for r in search("NEAR(market coffee, 2)")] == []  # "near" and "2" are words too
    assert [r["kind"] for r in search("market*")] == ["touchpoint", "referral"]
    assert search("market OR poetry") == []  # OR is a word nobody wrote


@pytest.mark.parametrize("text", ['"***"', "***", "  ", "-", "()", "^*"])
def test_input_without_words_is_refused(journal, text):
    refused("search", text, journal=journal, contains="nothing to search for")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=30))
def test_any_input_either_searches_or_is_refused(journal, text):
    r = cno("search", "-f", "json", "--", text)
    assert r.code in (0, 2), r.stderr
    if r.code == 2:
        assert r.stderr.startswith("cno: nothing to search for"), r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def test_every_format(journal):
    for fmt in ("table", "plain", "md", "csv"):
        r = ok("search", "market", "-f", fmt)
        assert "market" in r.stdout
    assert ok("search", "market", "-f", "csv").stdout.startswith("kind,id,contact_ids,names,date,snippet")


def test_no_journal_gives_an_empty_result(journal_path):
    assert ok("search", "anything", "-f", "json").json() == []
    assert not journal_path.exists()


def test_matches_are_coloured_at_a_terminal_and_starred_only_in_markdown(journal, journal_path):
    import os

    from tests.test_widths import at_terminal

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    env.update(CNO_DB=str(journal_path), TERM="xterm-256color")
    coloured = at_terminal(["search", "market", "map"], 120, env)
    assert re.search(r"\x1b\[[0-9;]*m(market)\x1b\[0m \x1b\[[0-9;]*m(map)\x1b\[0m", coloured), repr(coloured)
    assert "**" not in coloured
    plain = at_terminal(["search", "market", "map"], 120, {**env, "NO_COLOR": "1"})
    assert "market map" in plain and "\x1b" not in plain and "**" not in plain
    for fmt in ("table", "plain"):
        out = ok("search", "market", "map", "-f", fmt).stdout
        assert "the market map over" in out and "**" not in out and "\x1b" not in out
    assert "the **market** **map** over" in ok("search", "market", "map", "-f", "md").stdout


def test_touchpoints_are_ranked_by_bm25_not_by_date(journal_path):
    """The note most about the word comes first, however old it is."""
    ok("add", "Ada")
    ok("log", "ada", "gardening gardening gardening", "--on", "2025-01-02")
    ok("log", "ada", "a long talk about work, travel, books and a little gardening", "--on", "2026-11-01")
    ok("log", "ada", "gardening, briefly, among a great many other things said", "--on", "2026-06-01")
    found = [r["date"] for r in ok("search", "gardening", "-f", "json").json() if r["kind"] == "touchpoint"]
    assert found[0] == "2025-01-02"
    assert sorted(found) == ["2025-01-02", "2026-06-01", "2026-11-01"]


def test_at_most_50_of_each_kind_unless_asked_and_0_is_all(journal_path):
    ok("add", "Ada")
    for day in range(1, 29):
        for month in (1, 2, 3):
            ok("log", "ada", f"gardening {month}-{day}", "--on", f"2026-{month:02d}-{day:02d}")
    kinds = lambda *a: [r["kind"] for r in ok("search", "gardening", "-f", "json", *a).json()]  # noqa: E731
    assert kinds() == ["touchpoint"] * 50
    assert kinds("-n", "3") == ["touchpoint"] * 3
    assert kinds("-n", "0") == ["touchpoint"] * 84
    refused("search", "gardening", "-n", "-1", journal=journal_path, contains="--limit")


def test_a_word_in_very_many_records_is_ranked_among_the_newest(journal_path, monkeypatch):
    """Past search.RANKED matches of a kind, a limited search ranks the most
    recently recorded RANKED of them (bm25 of all would be worked out first);
    `-n 0` still ranks every match."""
    from cno import search as core

    monkeypatch.setattr(core, "RANKED", 3)
    ok("add", "Ada")
    ok("log", "ada", "gardening gardening gardening", "--on", "2025-01-02")  # the best match, recorded first
    for day in range(1, 5):
        ok("log", "ada", f"a long talk about work, travel and a little gardening {day}", "--on", f"2026-11-0{day}")
    dates = lambda *a: [r["date"] for r in ok("search", "gardening", "-f", "json", *a).json()]  # noqa: E731
    assert sorted(dates()) == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert dates("-n", "2") == dates()[:2]
    every = dates("-n", "0")
    assert every[0] == "2025-01-02" and len(every) == 5
    monkeypatch.setattr(core, "RANKED", 10)
    assert dates()[0] == "2025-01-02"


def test_each_search_index_is_declared_with_the_table_and_trigger_that_fill_it(journal_path):
    """db.SEARCH_INDEXES names every FTS5 index of the schema, the table whose text
    it holds and so its insert trigger: a restore rebuilds each from its table,
    with that trigger set aside, and db check checks each."""
    from cno.db import SEARCH_INDEXES

    ok("add", "Ada Lovelace")
    conn = sqlite3.connect(journal_path)
    try:
        virtual = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"))
        fills = {name: conn.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
                 for name in (f"{table}_fts_ai" for table in SEARCH_INDEXES.values())}  # fmt: skip
    finally:
        conn.close()
    assert set(virtual) == set(SEARCH_INDEXES)
    for fts, table in SEARCH_INDEXES.items():
        assert re.search(rf"USING fts5\(.*content='{table}', content_rowid='id'", virtual[fts], re.S), virtual[fts]
        on, sql = fills[f"{table}_fts_ai"]
        assert on == table and f"INSERT INTO {fts}(rowid" in sql
