"""One test per bad input (SPEC "Exit codes and errors"): exit 2 (3 when the
journal cannot be used), one `cno: ...` line naming the problem, no traceback,
nothing on stdout, nothing written."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import cno, ok, refused, snapshot

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DURATION = re.compile(r"\b\d+\s*[dwmy]\b")


def refuse(*args: str, journal, contains: str, code: int = 2):
    """`refused`, and the error is exactly one `cno: ` line (a usage hint may precede it)."""
    r = refused(*args, journal=journal, contains=contains, code=code)
    assert sum(line.startswith("cno: ") for line in r.stderr.splitlines()) == 1, r.stderr
    return r


def shows_example(stderr: str, bad: str, pattern: re.Pattern) -> bool:
    """The message offers an accepted form besides the quoted bad value (SPEC: "shows an accepted example")."""
    return bool(pattern.search(stderr.replace(bad, "")))


def history():
    return ok("history", "-f", "json").json()


@pytest.fixture
def ada() -> int:
    ok("add", "Ada Lovelace", "--email", "ada@example.com")
    return next(c["id"] for c in ok("list", "-f", "json").json() if c["name"] == "Ada Lovelace")


# Contact references ---------------------------------------------------------

REF_COMMANDS = {
    "log": lambda ref: ("log", ref, "coffee"),
    "show": lambda ref: ("show", ref),
    "edit": lambda ref: ("edit", ref, "--company", "Analytical Engines"),
    "follow-up": lambda ref: ("follow-up", ref, "friday", "send the notes"),
}


@pytest.mark.parametrize("command", REF_COMMANDS)
def test_unknown_ref_suggests_the_close_name(journal_path, ada, command):
    r = refuse(*REF_COMMANDS[command]("Ada Lovelce"), journal=journal_path, contains="Ada Lovelce")
    assert "did you mean" in r.stderr.lower()
    assert "Ada Lovelace" in r.stderr.replace("Ada Lovelce", "")


@pytest.mark.parametrize("command", REF_COMMANDS)
def test_unknown_ref_with_nothing_close_is_refused(journal_path, ada, command):
    r = refuse(*REF_COMMANDS[command]("Zed Shaw"), journal=journal_path, contains="Zed Shaw")
    assert "Ada Lovelace" not in r.stderr


@pytest.mark.parametrize("command", REF_COMMANDS)
def test_ambiguous_ref_lists_candidates_with_ids(journal_path, ada, command):
    ok("add", "Ada Byron")
    r = refuse(*REF_COMMANDS[command]("ada"), journal=journal_path, contains="Ada Lovelace")
    assert "Ada Byron" in r.stderr
    assert f"(#{ada})" in r.stderr
    assert f"(#{ada + 1})" in r.stderr


def test_unknown_ref_in_with_logs_nothing(journal_path, ada):
    refuse("log", "ada", "coffee", "--with", "Zed Shaw", journal=journal_path, contains="Zed Shaw")
    assert history() == []


def test_ambiguous_ref_in_with_logs_nothing(journal_path, ada):
    ok("add", "Grace Hopper")
    ok("add", "Grace Kelly")
    r = refuse("log", "ada", "coffee", "--with", "grace", journal=journal_path, contains="Grace Hopper")
    assert "Grace Kelly" in r.stderr
    assert history() == []


# Dates and durations --------------------------------------------------------


def test_unreadable_on_date_is_refused(journal_path, ada):
    r = refuse("log", "ada", "--on", "Nov 40", journal=journal_path, contains="Nov 40")
    assert shows_example(r.stderr, "Nov 40", ISO_DATE), r.stderr


def test_impossible_calendar_date_is_refused(journal_path, ada):
    r = refuse("log", "ada", "--on", "2026-02-30", journal=journal_path, contains="2026-02-30")
    assert shows_example(r.stderr, "2026-02-30", ISO_DATE), r.stderr


def test_unreadable_follow_up_due_date_is_refused(journal_path, ada):
    r = refuse("follow-up", "ada", "someday", journal=journal_path, contains="someday")
    assert shows_example(r.stderr, "someday", ISO_DATE), r.stderr


def test_unreadable_every_duration_is_refused(journal_path, ada):
    r = refuse("add", "Xavier", "--every", "soon", journal=journal_path, contains="soon")
    assert shows_example(r.stderr, "soon", DURATION), r.stderr


def test_unreadable_snooze_duration_is_refused(journal_path, ada):
    r = refuse("snooze", "ada", "forever", journal=journal_path, contains="forever")
    assert shows_example(r.stderr, "forever", DURATION), r.stderr


def test_unreadable_due_within_is_refused(journal_path, ada):
    r = refuse("due", "--within", "x", journal=journal_path, contains="'x'")
    assert shows_example(r.stderr, "'x'", DURATION), r.stderr


def test_unreadable_tier_is_refused(journal_path, ada):
    r = refuse("add", "Xavier", "--tier", "Z", journal=journal_path, contains="tier")
    assert "Z" in r.stderr


def test_unknown_channel_is_refused(journal_path, ada):
    refuse("log", "ada", "--via", "pigeon", journal=journal_path, contains="pigeon")
    assert history() == []


def test_unknown_time_zone_is_refused(journal_path, ada):
    refuse("add", "Xavier", "--tz", "Mars/Base", journal=journal_path, contains="Mars/Base")


def test_unreadable_birthday_is_refused(journal_path, ada):
    refuse("add", "Xavier", "--birthday", "13-45", journal=journal_path, contains="13-45")


def test_future_on_date_is_refused(journal_path, ada):
    r = refuse("log", "ada", "--on", "tomorrow", journal=journal_path, contains="future")
    assert "tomorrow" in r.stderr


def test_touch_edit_to_a_future_date_is_refused(journal_path, ada):
    ok("log", "ada", "coffee", "--on", "2026-11-20")
    [tp] = history()
    refuse("touch", "edit", str(tp["id"]), "--on", "in 3 days", journal=journal_path, contains="future")
    assert history()[0]["on"] == "2026-11-20"


# Zero and negative amounts --------------------------------------------------

POSITIVE = re.compile(r"zero|positive|more than|greater|at least", re.I)


def test_zero_every_is_refused(journal_path, ada):
    r = refuse("add", "Xavier", "--every", "0", journal=journal_path, contains="'0'")
    assert POSITIVE.search(r.stderr), r.stderr


def test_negative_every_is_refused(journal_path, ada):
    # "-3d" is an option's value here, not an option
    refuse("add", "Xavier", "--every", "-3d", journal=journal_path, contains="-3d")


def test_zero_minutes_is_refused(journal_path, ada):
    r = refuse("log", "ada", "--minutes", "0", journal=journal_path, contains="minutes")
    assert re.search(r"(?<![\w-])0(?!\w)", r.stderr), r.stderr


def test_negative_minutes_is_refused(journal_path, ada):
    refuse("log", "ada", "--minutes", "-5", journal=journal_path, contains="-5")


# Ids that do not exist -------------------------------------------------------

MISSING_IDS = {
    "done": ("done", "999"),
    "snooze": ("snooze", "999", "2d"),
    "touch-rm": ("touch", "rm", "999"),
    "touch-edit": ("touch", "edit", "999", "--note", "x"),
    "milestone-rm": ("milestone", "rm", "999"),
    "followups-rm": ("followups", "rm", "999"),
}


@pytest.mark.parametrize("command", MISSING_IDS)
def test_unknown_record_id_is_refused(journal_path, ada, command):
    # one record of each kind, so an id that is off by a table would show
    ok("log", "ada", "coffee", "--on", "2026-11-20")
    ok("follow-up", "ada", "friday", "send the notes")
    ok("milestone", "add", "ada", "new job", "2026-09-01")
    refuse(*MISSING_IDS[command], journal=journal_path, contains="999")


# Refused actions ------------------------------------------------------------


def test_merge_into_itself_is_refused(journal_path, ada):
    refuse("merge", "ada", "ada", journal=journal_path, contains="Ada Lovelace")
    assert [c["name"] for c in ok("list", "-f", "json").json()] == ["Ada Lovelace"]


def test_rm_without_terminal_or_yes_is_refused(journal_path, ada):
    refuse("rm", "ada", journal=journal_path, contains="--yes")
    assert [c["name"] for c in ok("list", "-f", "json").json()] == ["Ada Lovelace"]


def test_rm_with_yes_deletes(journal_path, ada):
    ok("rm", "ada", "--yes")
    assert ok("list", "--all", "-f", "json").json() == []


def test_log_of_unknown_name_without_create_is_refused(journal_path, ada):
    refuse("log", "New Person", "coffee", journal=journal_path, contains="New Person")
    assert [c["name"] for c in ok("list", "-f", "json").json()] == ["Ada Lovelace"]


def test_log_of_unknown_name_with_create_adds_and_logs(journal_path, ada):
    ok("log", "New Person", "coffee", "--create")
    assert sorted(c["name"] for c in ok("list", "-f", "json").json()) == ["Ada Lovelace", "New Person"]
    [tp] = history()
    assert tp["names"] == ["New Person"]
    assert tp["note"] == "coffee"


def test_edit_with_nothing_to_change_is_refused(journal_path, ada):
    refuse("edit", "ada", journal=journal_path, contains="nothing to change")


def test_archive_of_archived_contact_is_refused(journal_path, ada):
    ok("archive", "ada")
    refuse("archive", "ada", journal=journal_path, contains="already")


def test_done_without_open_follow_ups_is_refused(journal_path, ada):
    refuse("done", "ada", journal=journal_path, contains="follow-up")


def test_config_set_unknown_key_is_refused(journal_path, ada):
    refuse("config", "set", "nonsense.key", "3", journal=journal_path, contains="nonsense.key")


def test_config_set_unreadable_cadence_is_refused(journal_path, ada):
    r = refuse("config", "set", "cadence.A", "soon", journal=journal_path, contains="soon")
    assert shows_example(r.stderr, "soon", DURATION), r.stderr


# Usage errors: a `cno:` line, never a Rich panel off a terminal -------------


@pytest.mark.parametrize(
    "argv, contains",
    [
        (("list", "--frobnicate"), "--frobnicate"),
        (("log",), "missing"),
        (("list", "-f", "xml"), "xml"),
    ],
    ids=["unknown-option", "missing-argument", "bad-format"],
)
def test_usage_error_is_one_line_without_a_panel(journal_path, ada, argv, contains):
    r = refuse(*argv, journal=journal_path, contains=contains)
    assert "╭" not in r.stderr and "│" not in r.stderr


# Journal paths and files that cannot be used --------------------------------


def test_db_folder_that_cannot_be_created_is_refused(journal_path, tmp_path):
    # a journal that can't be made is one that can't be used: exit 3
    refuse("--db", "/proc/nope/x.db", "add", "Xavier", journal=journal_path, contains="/proc/nope", code=3)
    assert not (tmp_path / "proc").exists()
    assert not journal_path.exists()


def test_db_under_a_regular_file_is_refused(journal_path, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n")
    target = afile / "j.db"
    refuse("--db", str(target), "add", "Xavier", journal=journal_path, contains=str(afile), code=3)
    assert afile.read_text() == "not a folder\n"
    assert not journal_path.exists()


@pytest.mark.parametrize("argv", [("list",), ("add", "Yolanda")], ids=["read", "write"])
def test_file_that_is_not_sqlite_is_refused_untouched(journal_path, argv):
    journal_path.parent.mkdir(parents=True)
    junk = bytes(range(256)) * 16
    journal_path.write_bytes(junk)
    r = cno(*argv)
    assert r.code == 3, r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("cno: "), r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    assert journal_path.read_bytes() == junk


@pytest.mark.parametrize("argv", [("add", "Yolanda"), ("list",)], ids=["write", "read"])
def test_journal_from_a_newer_cno_is_refused_untouched(journal_path, argv):
    ok("add", "Xavier")
    conn = sqlite3.connect(journal_path)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('cno', 'm999_future', 'x')"
        )
    conn.close()
    before = journal_path.read_bytes()
    refuse(*argv, journal=journal_path, contains="newer", code=3)
    assert journal_path.read_bytes() == before


# Read-only commands on a missing journal create nothing ---------------------


def test_read_only_commands_on_missing_journal_create_nothing(journal_path):
    assert ok("list", "-f", "json").json() == []
    lines = ok("due", "-f", "csv").stdout.splitlines()
    assert len(lines) == 1 and "name" in lines[0]
    assert snapshot(journal_path) == {}
    assert not journal_path.exists()
    assert not journal_path.parent.exists()


def test_an_argument_that_is_not_utf8_is_refused(journal_path):
    # undecodable bytes in argv arrive as lone surrogates (PEP 383)
    r = refused("add", "\udcffbob", journal=journal_path, contains="not valid UTF-8")
    assert "\\udcffbob" in r.stderr


def test_a_failed_first_command_leaves_no_journal_behind(journal_path, tmp_path):
    # refused after the journal was opened for writing: the new file goes again
    bad = tmp_path / "dump.json"
    bad.write_text('{"format": "cno-dump", "version": 999}')
    r = cno("import", "json", str(bad))
    assert r.code == 2 and r.stderr.startswith("cno: ")
    r = cno("log", "Nobody Known")
    assert r.code == 2
    assert not list(journal_path.parent.glob("cno.db*"))


@pytest.mark.parametrize(
    "argv",
    [
        ["followups", "edit", "-9223372036854775809", "--note", "x"],
        ["followups", "edit", "9223372036854775808", "--note", "x"],
        ["touch", "rm", "--", "-9223372036854775809"],
        ["referral", "rm", "--", "-9223372036854775809"],
        ["goal", "rm", "--", "-9223372036854775809"],
        ["due", "-n", "-9223372036854775809"],
    ],
)
def test_a_number_sqlite_cannot_store_is_refused_either_side_of_zero(journal_path, ada, argv):
    """An id or count past ±2⁶³ is a usage error that says so, never an overflow (exit 70)."""
    r = refused(*argv, journal=journal_path, contains="is out of range")
    assert next(a for a in argv if a.lstrip("-").isdigit()) + " is out of range" in r.stderr
