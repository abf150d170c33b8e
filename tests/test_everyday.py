"""The daily loop does exactly what was meant: completion, snooze, due → done,
duplicate names, nicknames, dated confirmations (README "The daily loop")."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ok, refused

ROOT = Path(__file__).resolve().parents[1]


def card(ref: str) -> dict:
    return ok("show", ref, "-f", "json").json()


# -- completion, through bash itself -----------------------------------------------

BASH_COMPLETE = r"""
eval "$(cno --show-completion bash)"
read -r -a COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_cno_completion cno
printf '%s\n' "${COMPREPLY[@]}"
"""


def bash_completions(line: str) -> list[str]:
    """What bash's own completion function puts in COMPREPLY for `line` (the cursor at its end).

    The `cno` it runs is this checkout under this Python: a script first on
    PATH, as the installed command would be."""
    import tempfile

    with tempfile.TemporaryDirectory() as bin_dir:
        exe = Path(bin_dir) / "cno"
        exe.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m cno \"$@\"\n")
        exe.chmod(0o755)
        env = {**os.environ, "LINE": line, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
        r = subprocess.run(["bash", "--norc", "--noprofile", "-c", BASH_COMPLETE], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [c for c in r.stdout.splitlines() if c]


needs_cno_script = pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")


@needs_cno_script
def test_a_completed_name_is_one_shell_word_and_logs_no_stray_note(journal_path):
    ok("add", "Grace Hopper")
    ok("add", "Alan Turing")
    (word,) = bash_completions("cno log gr")
    assert word == "Grace\\ Hopper"
    argv = shlex.split(f"log {word}")  # what the shell makes of the completed line
    assert argv == ["log", "Grace Hopper"]
    ok(*argv)
    (touch,) = ok("history", "-f", "json").json()
    assert touch["names"] == ["Grace Hopper"] and touch["note"] is None


@needs_cno_script
def test_any_word_and_a_nickname_complete_whatever_the_case(journal_path):
    ok("add", "Ada Lovelace", "--nick", "Countess")
    ok("add", "Bob Love")
    assert bash_completions("cno log LOVE") == ["Ada\\ Lovelace", "Bob\\ Love"]
    assert bash_completions("cno log lovel") == ["Ada\\ Lovelace"]
    assert bash_completions("cno show cou") == ["Countess"]
    assert bash_completions("cno log ada --with bo") == ["Bob\\ Love"]
    assert bash_completions("cno log zz") == []


@needs_cno_script
@pytest.mark.parametrize(
    "line, expected",
    [
        ("cno log ada --via me", ["meeting", "message"]),
        ("cno list --tier ", ["A", "B", "C"]),
        ("cno list --sort st", ["strength"]),
        ("cno goal add x --per q", ["quarter"]),
        ("cno goal add x --metric referrals-", ["referrals-given", "referrals-received"]),
        ("cno due -f j", ["json"]),
        ("cno list --tag fin", ["fintech"]),
        ("cno log ada --tag co", ["coffee"]),
    ],
)
def test_value_options_complete(journal_path, line, expected):
    ok("add", "Ada Lovelace", "--tag", "fintech")
    ok("log", "ada", "x", "--tag", "coffee")
    assert bash_completions(line) == expected


# -- snooze never brings a date forward, and holds until a later touch --------------


def test_snooze_never_moves_a_check_in_earlier(journal_path):
    ok("add", "Grace Hopper", "--every", "3w")
    ok("log", "grace", "call", "--on", "yesterday")  # next check-in 2026-12-12
    before = card("grace")["next_due_on"]
    r = ok("snooze", "grace", "1w")
    assert "nothing changed" in r.stderr and before in r.stderr and "2026-11-29" in r.stderr
    assert card("grace")["next_due_on"] == before
    assert ok("due", "-f", "json").json() == []


def test_a_snooze_after_a_touch_the_same_day_holds(journal_path):
    ok("add", "Sam", "--tier", "A")
    ok("log", "sam", "coffee")
    r = ok("snooze", "sam", "60d")
    assert "snoozed Sam (#1) to 2027-01-21" in r.stderr
    assert card("sam")["next_due_on"] == "2027-01-21"
    ok("log", "sam", "an old note", "--on", "2026-11-01")  # backdated before the snooze: it holds
    assert card("sam")["next_due_on"] == "2027-01-21"
    ok("log", "sam", "lunch")  # logged after it, today: it ends
    assert card("sam")["next_due_on"] == "2026-12-22" and card("sam")["snoozed_until"] is None


def test_snoozing_a_follow_up_earlier_changes_nothing(journal_path):
    ok("add", "Ada")
    ok("follow-up", "ada", "2026-12-20", "deck")
    r = ok("snooze", "1", "3d")
    assert "nothing changed" in r.stderr
    assert ok("followups", "list", "-f", "json").json()[0]["due_on"] == "2026-12-20"
    ok("snooze", "#1", "2m")
    assert ok("followups", "list", "-f", "json").json()[0]["due_on"] == "2027-01-22"


# -- due → done with the printed id ----------------------------------------------------


def test_dues_first_column_is_the_id_that_done_takes(journal_path):
    ok("add", "Alan Turing", "--tier", "A", "--as-of", "2026-01-01")  # contact #1, overdue check-in
    ok("add", "Grace Hopper")
    ok("add", "Ada Lovelace")
    ok("follow-up", "ada", "2026-11-20", "deck")  # follow-up #1, but Ada is contact #3
    ok("follow-up", "grace", "2026-11-21", "paper")  # follow-up #2
    lines = ok("due", "-f", "plain").stdout.splitlines()[2:]
    rows = {line.split()[-1]: line.split() for line in lines if "follow-up" in line}
    assert rows["deck"][0] == "1" and rows["paper"][0] == "2"
    (alan,) = [line for line in lines if "Alan Turing" in line]
    assert not alan.split()[0].isdigit()  # a check-in has no id there: it can't be done
    ok("done", rows["paper"][0])
    open_ = ok("followups", "list", "-f", "json").json()
    assert [(f["id"], f["name"]) for f in open_] == [(1, "Ada Lovelace")]
    ok("done", "#1")
    assert ok("followups", "list", "-f", "json").json() == []


def test_done_with_a_hash_id_that_does_not_exist_is_refused(journal_path):
    ok("add", "Ada")
    refused("done", "#7", journal=journal_path, contains="no follow-up #7")


def test_a_repeating_follow_up_opens_the_next_when_done(journal_path):
    ok("add", "Ada")
    ok("follow-up", "ada", "2w", "board report", "--every", "1m")  # a bare duration is a due date
    assert ok("followups", "list", "-f", "json").json()[0]["due_on"] == "2026-12-06"
    r = ok("done", "1", "--as-of", "2026-12-20")  # done late: the next is after that day
    assert "next: follow-up #2 due 2027-01-06" in r.stderr
    (nxt,) = ok("followups", "list", "-f", "json").json()
    assert (nxt["id"], nxt["due_on"], nxt["note"], nxt["every"]) == (2, "2027-01-06", "board report", "1m")
    ok("done", "2")  # done early: the next is a period after this one's due date
    assert [f["due_on"] for f in ok("followups", "list", "-f", "json").json()] == ["2027-02-06"]


# -- duplicate names -------------------------------------------------------------------


def test_add_refuses_a_name_a_contact_has_unless_again(journal_path):
    ok("add", "Ada Lovelace", "--company", "Analytical Engines")
    r = refused("add", "ada  LOVELACE", journal=journal_path, contains="--again")
    assert "Ada Lovelace (#1, Analytical Engines)" in r.stderr
    ok("archive", "ada")
    refused("add", "Ada Lovelace", journal=journal_path, contains="archived")
    ok("add", "Ada Lovelace", "--again", "--company", "Elsewhere")
    assert len(ok("list", "--all", "-f", "json").json()) == 2


MAIL = """From grace2@example.org Sat Nov 21 10:00:00 2026
From: Grace Hopper <grace2@example.org>
To: Me <me@example.com>
Subject: hello again
Date: Sat, 21 Nov 2026 10:00:00 +0000
Message-ID: <m1@example.org>

hi
"""


def test_capture_never_creates_a_second_contact_of_the_same_name(journal_path, tmp_path):
    ok("config", "set", "me.email", "me@example.com")
    ok("add", "Grace Hopper", "--email", "grace@example.com")
    box = tmp_path / "mail.mbox"
    box.write_text(MAIL)
    dry = ok("capture", "mbox", str(box), "--create-unknown", "--dry-run", "-f", "json")
    assert dry.json() == []
    r = ok("capture", "mbox", str(box), "--create-unknown", "-f", "json")
    assert r.json() == []
    assert "cno edit 1 --email grace2@example.org" in r.stderr
    assert [c["name"] for c in ok("list", "-f", "json").json()] == ["Grace Hopper"]
    ok("edit", "1", "--email", "grace2@example.org")  # the line it printed, run
    assert len(ok("capture", "mbox", str(box), "-f", "json").json()) == 1


# -- nicknames -------------------------------------------------------------------------


def test_a_nickname_is_an_exact_name_and_a_word_for_fragments(journal_path):
    ok("add", "Augusta Ada King", "--nick", "Ada Lovelace", "--nick", "Countess")
    ok("add", "Ada Byron")
    assert card("ada lovelace")["name"] == "Augusta Ada King"  # exact nickname, not ambiguous
    assert card("count")["name"] == "Augusta Ada King"  # a word prefix of a nickname
    assert card("augusta")["nicks"] == ["Ada Lovelace", "Countess"]
    refused("show", "ada", journal=journal_path, contains="several")  # a word of both names
    assert card("ada byron")["name"] == "Ada Byron"  # names come before nicknames
    ok("edit", "augusta", "--remove-nick", "countess")
    refused("show", "countess", journal=journal_path, contains="no contact")


def test_an_exact_nickname_beats_fragments_of_names(journal_path):
    ok("add", "Augusta King", "--nick", "Ada")
    ok("add", "Ada Byron")
    ok("add", "Adam Smith")
    assert card("ada")["name"] == "Augusta King"


def test_an_exact_name_beats_someone_elses_nickname(journal_path):
    ok("add", "Grace Hopper")
    ok("add", "Grace Brewster Murray", "--nick", "Grace Hopper")
    assert card("grace hopper")["id"] == 1


# -- remove one e-mail or phone ----------------------------------------------------------


def test_remove_one_email_or_phone(journal_path):
    ok("add", "Ada", "--email", "ada@a.example", "--email", "ada@b.example", "--phone", "+44 20 7946 0958", "--phone", "555 0100")
    ok("edit", "ada", "--remove-email", "ADA@b.example", "--remove-phone", "+44 (20) 7946-0958")
    c = card("ada")
    assert c["emails"] == ["ada@a.example"] and c["phones"] == ["555 0100"]
    refused("edit", "ada", "--remove-email", "nobody@x.example", journal=journal_path, contains="no e-mail")


# -- dated confirmations and archived contacts ------------------------------------------


@pytest.mark.parametrize(
    "argv, says",
    [
        (["log", "ada", "x", "--on", "Nov 3"], "on 2026-11-03"),
        (["log", "ada", "x", "--on", "Dec 9"], "on 2025-12-09"),  # the most recent Dec 9: said, so seen
        (["log", "ada", "x"], "on 2026-11-22"),
        (["log", "ada", "x", "--on", "2026-11-20 14:30"], "on 2026-11-20 14:30"),
        (["intro", "ada", "grace", "--on", "last friday"], "on 2026-11-20"),
        (["referral", "give", "ada", "--on", "2026-11-02"], "on 2026-11-02"),
        (["referral", "receive", "ada"], "on 2026-11-22"),
        (["milestone", "add", "ada", "new job", "Jun 1"], "on 2026-06-01"),
        (["follow-up", "ada", "friday"], "due 2026-11-27"),
    ],
)
def test_every_dated_confirmation_names_its_date(journal_path, argv, says):
    ok("add", "Ada")
    ok("add", "Grace")
    assert says in ok(*argv).stderr


def test_logging_an_archived_contact_says_so(journal_path):
    ok("add", "Ada", "--tier", "A")
    ok("archive", "ada")
    r = ok("log", "ada", "bumped into her")
    assert "archived" in r.stderr and "cno unarchive 1" in r.stderr


# -- the dates people type, through the commands -------------------------------------


@pytest.mark.parametrize(
    "argv, key, expected",
    [
        (["log", "ada", "x", "--on", "last week"], "on", "2026-11-15"),
        (["log", "ada", "x", "--on", "a week ago"], "on", "2026-11-15"),
        (["log", "ada", "x", "--on", "last month"], "on", "2026-10-22"),
        (["log", "ada", "x", "--on", "yesterday 14:00"], "on", "2026-11-21T14:00"),
        (["log", "ada", "x", "--on", "friday 9:30"], "on", "2026-11-20T09:30"),
        (["log", "ada", "x", "--on", "today 2pm"], "on", "2026-11-22T14:00"),
        (["log", "ada", "x", "--minutes", "1h30m"], "minutes", 90),
        (["log", "ada", "x", "--minutes", "1.5h"], "minutes", 90),
    ],
)
def test_new_date_forms_and_minutes_reach_the_journal(journal_path, argv, key, expected):
    ok("add", "Ada")
    ok(*argv)
    (touch,) = ok("history", "-f", "json").json()
    assert touch[key] == expected


@pytest.mark.parametrize("due, expected", [("2w", "2026-12-06"), ("next month", "2026-12-22"), ("in a month", "2026-12-22")])
def test_follow_up_takes_a_bare_duration_and_the_new_words(journal_path, due, expected):
    ok("add", "Ada")
    assert f"due {expected}" in ok("follow-up", "ada", due).stderr


def test_a_numeric_date_other_than_iso_is_refused_naming_both_readings(journal_path):
    ok("add", "Ada")
    r = refused("log", "ada", "x", "--on", "12/09/2026", journal=journal_path, contains="2026-12-09 or 2026-09-12")
    assert "YYYY-MM-DD" in r.stderr
