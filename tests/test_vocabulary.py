"""One idea, one spelling (README "Decisions"): -n is a count, a contact filter
is REF or -c REF alike, help says a default once and shows no Typer markup."""

from __future__ import annotations

import re

import pytest

from tests.conftest import cno, ok, refused


@pytest.fixture
def journal(journal_path):
    ok("add", "Ada Lovelace")
    ok("add", "Grace Hopper")
    for who in ("ada", "grace"):
        ok("log", who, f"coffee with {who}")
        ok("follow-up", who, "friday", f"deck for {who}")
        ok("milestone", "add", who, "new job", "2026-06-01")
        ok("referral", "give", who, "--for", "a lead")
    return journal_path


@pytest.mark.parametrize(
    "listing, name_key",
    [
        (["history"], "names"),
        (["followups", "list"], "name"),
        (["milestone", "list"], "name"),
        (["referral", "list"], "name"),
    ],
)
def test_every_listing_takes_its_contact_as_ref_or_dash_c(journal, listing, name_key):
    def names(rows):
        return {str(r[name_key]) for r in rows}

    by_ref = ok(*listing, "ada", "-f", "json").json()
    by_c = ok(*listing, "-c", "ada", "-f", "json").json()
    assert by_ref == by_c and by_ref
    assert all("Ada" in n for n in names(by_ref)) and not any("Grace" in n for n in names(by_ref))
    refused(*listing, "ada", "-c", "grace", journal=journal, contains="two contacts")


def test_dash_n_is_a_count_everywhere(journal, tmp_path):
    assert len(ok("history", "-n", "1", "-f", "json").json()) == 1
    assert len(ok("due", "-n", "1", "--within", "2w", "-f", "json").json()) == 1
    assert len(ok("search", "coffee", "-n", "1", "-f", "json").json()) == 1
    ok("suggest", "-n", "1")
    ok("changes", "-n", "1")
    csv = tmp_path / "c.csv"
    csv.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\nA,B,,,,,26 Jul 2025\n")
    r = cno("import", "linkedin", str(csv), "-n")  # not a dry run: -n is a count, not an alias
    assert r.code == 2 and "-n" in r.stderr


def test_a_follow_ups_note_is_cleared_as_any_field(journal):
    ok("followups", "edit", "1", "--clear", "note")
    assert ok("followups", "list", "-f", "json").json()[0]["note"] is None
    refused("followups", "edit", "1", "--clear", "due", journal=journal, contains="clearable: note")


@pytest.mark.parametrize("argv", [["milestone", "add", "--help"], ["log", "--help"], ["history", "--help"], ["due", "--help"]])
def test_help_shows_no_braces_no_str_and_each_default_once(argv, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    out = ok(*argv).stdout
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "{" not in usage and "<str>" not in out
    assert not re.search(r"\(default [^)]*\)\.?\s*\[default:", out)
