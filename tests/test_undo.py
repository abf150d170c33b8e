"""Undo, redo and the change history (SPEC "Undo and the change history").

Every write command is one change: `cno undo` puts the journal back exactly
as it was before it (the `export json` bytes, the rows of every record table,
`db check`), and `cno redo` exactly as it was after.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from tests.conftest import cno, linkedin_file, ok, refused, snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "undo"


# -- helpers --------------------------------------------------------------------------


def export() -> str:
    return ok("export", "json").stdout


def changes() -> list[dict]:
    return ok("changes", "-n", "1000", "-f", "json").json()


def checked() -> None:
    r = cno("db", "check")
    assert r.code == 0, r.stderr + r.stdout


def records(path: Path) -> dict:
    """Every row of every record table: what an undo must put back, the tables
    `export json` leaves out (capture_files) included, not cno's bookkeeping
    (`_…`, sqlite_sequence) nor the search index's storage (compared through search)."""
    keep = {}
    for table, rows in snapshot(path).items():
        if table.startswith(("_", "sqlite_")) or "_fts" in table:
            continue
        keep[table] = rows
    return keep


def digest(path: Path) -> str | None:
    """The journal's bytes with its WAL: a command that writes nothing leaves both alone."""
    h = hashlib.sha256()
    if not path.exists():
        return None
    for p in (path, Path(f"{path}-wal")):
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


def one_error_line(r, says: str) -> None:
    assert r.code == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("cno: "), r.stderr
    assert says in r.stderr, r.stderr


def ids(*argv) -> list[int]:
    return [row["id"] for row in ok(*argv, "-f", "json").json()]


def _env(journal: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CNO_DEBUG", "COLUMNS")}
    return {**env, "CNO_DB": str(journal), "CNO_TODAY": "2026-11-22"}


# -- a journal with a bit of everything -----------------------------------------------


SEED = [
    ["config", "set", "me.email", "me@example.com"],
    ["config", "set", "cadence.B", "60d"],
    ["config", "set", "cadence.tag.family", "14d"],
    ["add", "Ada Lovelace", "--email", "ada@example.com", "--tier", "A", "--company", "Analytical", "--tag", "mentor"],
    ["add", "Grace Hopper", "--email", "grace@navy.example", "--tier", "B"],
    ["add", "Alan Turing", "--email", "alan@bletchley.example", "--tag", "family"],
    ["add", "A. Lovelace", "--company", "Analytical", "--phone", "+44 20 7946 0958", "--met-on", "2019-03-02"],
    ["add", "Charles Babbage", "--tier", "C"],
    ["archive", "charles"],
    ["log", "ada lovelace", "coffee", "--on", "2026-11-01", "--minutes", "45"],  # touchpoint 1
    ["log", "grace", "call", "--with", "alan", "--on", "yesterday", "--follow-up", "friday"],  # touchpoint 2, follow-up 1
    ["follow-up", "ada lovelace", "2026-12-01", "send the deck"],  # follow-up 2
    ["follow-up", "ada lovelace", "2026-12-05", "book the room"],  # follow-up 3
    ["referral", "give", "ada lovelace", "--for", "a bakery", "--value", "500"],  # referral 1
    ["referral", "receive", "grace", "--for", "website", "--value", "1000"],  # referral 2
    ["intro", "ada lovelace", "grace", "both like engines"],  # touchpoint 3
    ["goal", "add", "Meet", "--metric", "meetings", "--target", "3"],  # goal 1
    ["milestone", "add", "ada lovelace", "new job", "2026-06-01", "--yearly"],  # milestone 1
    ["snooze", "ada lovelace", "6w"],  # a snoozed contact, so rm and merge remove every column there is
]  # fmt: skip


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory) -> Path:
    """The seeded journal, built once per module: copying it is much cheaper than running SEED per test."""
    path = tmp_path_factory.mktemp("seed") / "cno.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CNO_DB", str(path))
        mp.setenv("CNO_TODAY", "2026-11-22")
        for argv in SEED:
            ok(*argv)
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def seeded(journal_path, seed_file):
    """Five contacts (one archived, one a duplicate), touchpoints, follow-ups,
    referrals, a goal, a milestone and settings; ids as the commands below expect."""
    journal_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(seed_file, journal_path)
    return journal_path


def _maildir(tmp: Path) -> Path:
    box = tmp / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    shutil.copy(FIXTURES / "maildir-message.eml", box / "cur" / "1700000000.M1P1.host:2,S")
    return box


def _merge_dump(tmp: Path) -> Path:
    """A dump of another journal: a new contact, Ada with a phone, and a touchpoint with both."""
    other = tmp / "other.db"
    ok("--db", other, "add", "Ada Lovelace", "--email", "ada@example.com", "--phone", "+1 555 0199")
    ok("--db", other, "add", "Hedy Lamarr", "--email", "hedy@example.com")
    ok("--db", other, "log", "hedy", "frequency hopping", "--with", "ada", "--on", "2026-11-05")
    dump = tmp / "merge.json"
    dump.write_text(ok("--db", other, "export", "json").stdout)
    return dump


# Every write command, as typed; {fix} is the fixtures folder, {tmp} the test's tmp_path.
WRITES = {
    "add": ["add", "Katherine Johnson", "--email", "kj@nasa.example", "--tier", "A", "--tag", "nasa",
            "--phone", "+1 555 0100", "--birthday", "08-26", "--note", "orbits"],
    "edit": ["edit", "ada lovelace", "--company", "Babbage & Co", "--tag", "advisor", "--untag", "mentor",
             "--email", "ada@analytical.example", "--every", "3w", "--clear", "tier"],
    "edit-name": ["edit", "grace", "--name", "Grace Brewster Hopper"],
    "log": ["log", "ada lovelace", "lunch", "--with", "grace", "--with", "alan", "--via", "meeting",
            "--minutes", "60", "--gave", "--tag", "food", "--follow-up", "2026-12-10"],
    "log-create": ["log", "Edsger Dijkstra", "a letter", "--create", "--on", "2026-11-20"],
    "follow-up": ["follow-up", "alan", "2026-12-02", "call back"],
    "done-id": ["done", "1"],
    "done-ref": ["done", "ada lovelace"],
    "snooze-contact": ["snooze", "alan", "3w"],
    "snooze-follow-up": ["snooze", "2", "3w"],
    "referral-give": ["referral", "give", "grace", "--for", "Alan Turing", "--value", "2500", "--note", "a compiler job"],
    "referral-receive": ["referral", "receive", "alan", "--for", "crypto audit", "--value", "900"],
    "referral-close": ["referral", "close", "1", "--won", "--value", "800"],
    "referral-edit": ["referral", "edit", "2", "--value", "1200", "--note", "signed"],
    "referral-rm": ["referral", "rm", "1"],
    "intro": ["intro", "grace", "alan", "both into machines"],
    "goal-add": ["goal", "add", "Time", "--metric", "minutes", "--target", "150"],
    "goal-edit": ["goal", "edit", "1", "--target", "5", "--per", "month", "--tag", "mentor"],
    "goal-rm": ["goal", "rm", "1"],
    "milestone-add": ["milestone", "add", "grace", "retired", "2026-08-01"],
    "milestone-edit": ["milestone", "edit", "1", "--label", "newer job", "--once"],
    "milestone-rm": ["milestone", "rm", "1"],
    "touch-edit": ["touch", "edit", "2", "--on", "2026-11-15", "--via", "video", "--minutes", "20", "--without", "alan",
                   "--with", "ada lovelace", "--note", "a long call", "--tag", "work"],
    "touch-rm": ["touch", "rm", "1"],
    "followups-edit": ["followups", "edit", "2", "--due", "2026-12-20", "--note", "send the deck v2"],
    "followups-rm": ["followups", "rm", "3"],
    "rm": ["rm", "ada lovelace", "--yes"],
    "merge": ["merge", "a. lovelace", "ada lovelace", "--yes"],
    "archive": ["archive", "alan"],
    "unarchive": ["unarchive", "charles"],
    "config-set-cadence": ["config", "set", "cadence.A", "21d"],
    "config-set-tag-cadence": ["config", "set", "cadence.tag.family", "7d"],
    "config-set-me": ["config", "set", "me.email", "me@example.com,me@work.example"],
    "config-unset": ["config", "unset", "cadence.B"],
    "import-linkedin": ["import", "linkedin", "{fix}/Connections.csv"],
    "import-vcard": ["import", "vcard", "{fix}/cards.vcf"],
    "import-csv": ["import", "csv", "{fix}/people.csv"],
    "import-json-merge": ["import", "json", "{tmp}/merge.json", "--merge"],
    "capture-ics": ["capture", "ics", "{fix}/cal.ics"],
    "capture-mbox": ["capture", "mbox", "{fix}/in.mbox"],
    "capture-maildir": ["capture", "maildir", "{tmp}/Maildir"],
}  # fmt: skip


def _argv(name: str, tmp: Path) -> list[str]:
    if name == "import-json-merge":
        _merge_dump(tmp)
    if name == "capture-maildir":
        _maildir(tmp)
    return [a.replace("{fix}", str(FIXTURES)).replace("{tmp}", str(tmp)) for a in WRITES[name]]


@pytest.mark.parametrize("name", list(WRITES))
def test_undo_puts_back_exactly_what_was_there_and_redo_what_the_command_wrote(seeded, tmp_path, name):
    argv = _argv(name, tmp_path)
    before, before_rows, before_changes = export(), records(seeded), changes()
    ok(*argv)
    after, after_rows = export(), records(seeded)
    assert after != before, "the command changed nothing: the test would prove nothing"
    newest = changes()[0]
    assert newest["id"] > before_changes[0]["id"] and newest["command"] == shlex.join(argv) and not newest["undone"]

    r = ok("undo")
    assert r.stderr.startswith(f"undid #{newest['id']} cno {shlex.join(argv)} ("), r.stderr
    assert export() == before
    assert records(seeded) == before_rows
    checked()

    r = ok("redo")
    assert r.stderr.startswith(f"redid #{newest['id']} cno {shlex.join(argv)} ("), r.stderr
    assert export() == after
    assert records(seeded) == after_rows
    checked()
    # the history is the journal's, not data
    assert "_cno_" not in before and "_cno_" not in after


def test_a_cadence_change_re_dates_every_contact_and_undoes_as_one_change(seeded):
    due = {c["id"]: c["next_due_on"] for c in ok("list", "--all", "-f", "json").json()}
    ok("config", "set", "cadence.B", "7d")
    ok("config", "set", "cadence.tag.family", "3d")
    moved = {c["id"]: c["next_due_on"] for c in ok("list", "--all", "-f", "json").json()}
    assert moved[2] != due[2] and moved[3] != due[3]  # Grace (tier B) and Alan (tag family) both re-dated
    ok("undo")
    ok("undo")
    assert {c["id"]: c["next_due_on"] for c in ok("list", "--all", "-f", "json").json()} == due
    checked()


# -- capture ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ics", "mbox", "maildir"])
def test_undoing_a_capture_makes_the_next_capture_log_the_same_touchpoints(seeded, tmp_path, kind):
    source = {"ics": FIXTURES / "cal.ics", "mbox": FIXTURES / "in.mbox"}.get(kind) or _maildir(tmp_path)
    first = ok("capture", kind, str(source), "-f", "json").json()
    assert first, "the capture logged nothing"
    assert ok("capture", kind, str(source), "-f", "json").json() == []  # seen: a re-run adds nothing
    ok("undo")  # of the first capture (the re-run was no change)
    again = ok("capture", kind, str(source), "-f", "json").json()
    assert len(again) == len(first)
    assert sorted(t["note"] for t in again) == sorted(t["note"] for t in first)
    checked()


def test_a_nightly_capture_that_logs_nothing_is_no_change(seeded, tmp_path):
    box = tmp_path / "in.mbox"
    shutil.copy(FIXTURES / "in.mbox", box)
    ok("capture", "mbox", str(box))
    ok("log", "grace", "the change to take back")
    listed = changes()
    # by the next night the mailbox has grown, with nothing from a contact
    with open(box, "a") as fh:
        fh.write("From news@shop.example Sat Nov 21 10:00:00 2026\nFrom: Shop <news@shop.example>\nTo: me@example.com\n"
                 "Subject: Sale\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <sale@shop.example>\n\nBuy.\n\n")  # fmt: skip
    assert ok("capture", "mbox", str(box), "-f", "json").json() == []
    assert changes() == listed  # SPEC: a command that changes nothing is not a change
    assert "the change to take back" in ok("undo").stderr  # so undo takes back what the user did


# -- what undo says, and what the list of changes holds -------------------------------


def test_undo_names_the_change_it_took_back(seeded):
    ok("log", "ada lovelace", "coffee")
    newest = changes()[0]
    r = ok("undo")
    assert re.fullmatch(
        rf"undid #{newest['id']} cno log 'ada lovelace' coffee \(2026-11-22 \d\d:\d\d\): 1 touchpoint removed\n", r.stderr
    ), r.stderr
    assert r.stdout == ""


def test_undo_stderr_in_the_spec_form_for_cno_log_ada_coffee(journal_path):
    ok("add", "Ada Lovelace")
    ok("log", "ada", "coffee")
    r = ok("undo")
    assert re.fullmatch(r"undid #2 cno log ada coffee \(2026-11-22 \d\d:\d\d\): 1 touchpoint removed\n", r.stderr), r.stderr
    r = ok("redo")
    assert re.fullmatch(r"redid #2 cno log ada coffee \(2026-11-22 \d\d:\d\d\): 1 touchpoint added\n", r.stderr), r.stderr


def test_changes_json_has_the_spec_keys(journal_path):
    ok("add", "Ada Lovelace", "--email", "ada@example.com")
    ok("log", "ada", "coffee, and cake", "--minutes", "30")
    ok("undo")
    rows = changes()
    assert [set(r) for r in rows] == [{"id", "at", "command", "summary", "rows", "undone"}] * 2
    log, add = rows  # newest first
    assert (log["command"], add["command"]) == (
        shlex.join(["log", "ada", "coffee, and cake", "--minutes", "30"]),
        shlex.join(["add", "Ada Lovelace", "--email", "ada@example.com"]),
    )
    assert (log["undone"], add["undone"]) == (True, False)
    assert log["id"] > add["id"]
    for r in rows:
        assert re.fullmatch(r"2026-11-22T\d\d:\d\d", r["at"]), r["at"]  # local date-time, today fixed
        assert type(r["rows"]) is int and r["rows"] > 0
        assert type(r["undone"]) is bool
        assert isinstance(r["summary"], str) and r["summary"]
    assert log["summary"] == "1 touchpoint added" and add["summary"] == "1 contact added"
    assert ok("changes", "-n", "1", "-f", "json").json() == rows[:1]


def test_undo_goes_back_one_change_at_a_time_and_redo_forward_in_the_same_order(seeded):
    exports = [export()]
    for note in ("first", "second", "third"):
        ok("log", "grace", note)
        exports.append(export())
    for i in (2, 1, 0):
        ok("undo")
        assert export() == exports[i]
    for i in (1, 2, 3):
        ok("redo")
        assert export() == exports[i]
        checked()
    one_error_line(cno("redo"), "nothing to redo")


# -- nothing to undo, nothing to redo --------------------------------------------------


def test_undo_with_nothing_to_undo_is_exit_2_and_writes_nothing(journal_path):
    ok("add", "Ada Lovelace")
    ok("undo")
    listed, sha = changes(), digest(journal_path)
    one_error_line(cno("undo"), "nothing to undo")
    assert digest(journal_path) == sha and changes() == listed


def test_redo_after_a_new_change_is_exit_2_and_writes_nothing(journal_path):
    ok("add", "Ada Lovelace")
    ok("log", "ada", "coffee")
    ok("undo")
    ok("log", "ada", "tea")  # a new change empties the redo list
    listed, sha = changes(), digest(journal_path)
    assert [c["command"] for c in listed] == ["log ada tea", "add 'Ada Lovelace'"]  # the undone one is gone
    one_error_line(cno("redo"), "nothing to redo")
    assert digest(journal_path) == sha and changes() == listed
    refused("redo", journal=journal_path, contains="nothing to redo")


def test_undo_and_redo_without_a_journal_create_none(journal_path):
    for verb in ("undo", "redo"):
        r = cno(verb)
        assert r.code == 2 and r.stderr.strip().splitlines()[-1] == f"cno: nothing to {verb}", r.stderr
        assert not journal_path.exists()


# -- what is not a change --------------------------------------------------------------


NOT_CHANGES = [
    ["list", "--all"], ["show", "ada lovelace"], ["due"], ["history"], ["search", "coffee"], ["review"],
    ["suggest"], ["stats"], ["goals"], ["referrals"], ["referral", "list"], ["followups", "list", "--all"],
    ["goal", "list"], ["milestone", "list"], ["config", "get", "cadence.B"], ["config", "list"], ["changes"],
    ["graph"], ["db", "check"], ["export", "json"], ["export", "csv"], ["export", "vcard"], ["export", "ics"],
    ["export", "json", "-o", "{tmp}/dump.json"], ["backup", "{tmp}/copy.db"], ["demo", "{tmp}/demo.db"],
    ["import", "linkedin", "{fix}/Connections.csv", "--dry-run"], ["import", "vcard", "{fix}/cards.vcf", "--dry-run"],
    ["import", "csv", "{fix}/people.csv", "--dry-run"], ["capture", "ics", "{fix}/cal.ics", "--dry-run"],
    ["capture", "mbox", "{fix}/in.mbox", "--dry-run"], ["import", "json", "{tmp}/merge.json", "--merge", "--dry-run"],
]  # fmt: skip
NO_OPS = [  # (argv, exit code): succeeding without a change, or failing
    (["edit", "ada lovelace"], 2),  # no option: nothing to change
    (["edit", "ada lovelace", "--company", "Analytical"], 0),  # the value it already has
    (["config", "set", "cadence.B", "60d"], 0),
    (["snooze", "grace", "1d"], 0),  # a snooze never brings a date forward
    (["archive", "charles"], 2),  # already archived
    (["log", "nobody by this name", "x"], 2),
    (["follow-up", "ada lovelace", "not a date"], 2),
    (["referral", "close", "99", "--won"], 2),
    (["rm", "ada lovelace"], 2),  # refused without --yes
]  # fmt: skip


def _id(value) -> str:
    return " ".join(value).replace("{", "").replace("}", "") if isinstance(value, list) else f"exit {value}"


@pytest.mark.parametrize("argv, code", [(a, 0) for a in NOT_CHANGES] + NO_OPS, ids=_id)
def test_what_changes_nothing_adds_no_change(seeded, tmp_path, argv, code):
    if "{tmp}/merge.json" in argv:
        _merge_dump(tmp_path)
    argv = [a.replace("{fix}", str(FIXTURES)).replace("{tmp}", str(tmp_path)) for a in argv]
    before, listed = export(), changes()
    r = cno(*argv)
    assert r.code == code, r.stderr
    assert export() == before
    assert changes() == listed
    # the next change gets the next number: nothing was taken and dropped without trace
    ok("log", "ada lovelace", "after")
    assert changes()[0]["id"] == max(c["id"] for c in listed) + 1


def test_undo_and_redo_are_no_changes_of_their_own(seeded):
    ok("log", "ada lovelace", "tea")
    listed = changes()
    ok("undo")
    undone = changes()
    assert [c["id"] for c in undone] == [c["id"] for c in listed]  # the same entries, none added
    assert undone[0]["undone"] and not any(c["undone"] for c in undone[1:])
    ok("redo")
    assert changes() == listed
    ok("log", "ada lovelace", "after")
    assert changes()[0]["id"] == listed[0]["id"] + 1


# -- whoever made it -------------------------------------------------------------------


def test_another_processes_change_is_undone_the_same(seeded):
    before = export()
    p = subprocess.run([sys.executable, "-m", "cno", "log", "grace", "from another process", "--with", "alan"],
                       env=_env(seeded), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert p.returncode == 0, p.stderr
    after = export()
    assert "from another process" in after
    r = ok("undo")
    assert "cno log grace 'from another process' --with alan" in r.stderr and "1 touchpoint removed" in r.stderr
    assert export() == before
    checked()
    ok("redo")
    assert export() == after


# -- how far back ----------------------------------------------------------------------


def test_the_last_100_changes_can_be_undone_and_the_history_is_bounded(journal_path):
    ok("add", "Ada Lovelace")  # change 1
    marks = {}
    for i in range(2, 151):
        ok("log", "ada", f"note {i}")
        if i == 50:
            marks[i] = export()
    kept = changes()
    assert 100 <= len(kept) <= 110, len(kept)  # pruned as it goes, not kept forever
    assert kept[0]["command"] == "log ada 'note 150'"
    for i in range(100):
        r = cno("undo")
        assert r.code == 0, f"undo {i + 1} of 100: {r.stderr}"
    assert export() == marks[50]
    checked()


# -- ids are never given again --------------------------------------------------------


KINDS = {
    # kind: (make one, remove the newest by its id, list ids)
    "contact": (lambda n: ok("add", f"Person {n}"), lambda i: ok("rm", str(i), "--yes"), lambda: ids("list", "--all")),
    "touchpoint": (lambda n: ok("log", "ada", f"n{n}"), lambda i: ok("touch", "rm", str(i)), lambda: ids("history")),
    "follow-up": (lambda n: ok("follow-up", "ada", "2026-12-01", f"n{n}"), lambda i: ok("followups", "rm", str(i)),
                  lambda: ids("followups", "list", "--all")),
    "referral": (lambda n: ok("referral", "give", "ada", "--note", f"n{n}"), lambda i: ok("referral", "rm", str(i)),
                 lambda: ids("referral", "list")),
    "milestone": (lambda n: ok("milestone", "add", "ada", f"n{n}", "2026-01-01"), lambda i: ok("milestone", "rm", str(i)),
                  lambda: ids("milestone", "list")),
    "goal": (lambda n: ok("goal", "add", f"n{n}", "--metric", "touchpoints", "--target", "1"),
             lambda i: ok("goal", "rm", str(i)), lambda: ids("goal", "list")),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("how", ["rm", "undo"])
def test_ids_are_never_given_again(journal_path, kind, how):
    make, remove, listed = KINDS[kind]
    ok("add", "Ada Lovelace")
    make(1)
    make(2)
    newest = max(listed())
    if how == "rm":
        remove(newest)
    else:
        ok("undo")  # of the second make
    assert newest not in listed()
    make(3)
    assert max(listed()) > newest, f"a new {kind} took the id #{newest} of a removed one"


# -- the history is not data -----------------------------------------------------------


def test_a_restore_is_one_change_and_carries_no_history(seeded, tmp_path):
    dump = tmp_path / "dump.json"
    dump.write_text(export())
    assert "_cno_" not in dump.read_text()
    fresh = tmp_path / "fresh.db"
    ok("--db", fresh, "import", "json", str(dump))
    assert ok("--db", fresh, "export", "json").stdout == dump.read_text()
    (only,) = ok("--db", fresh, "changes", "-n", "1000", "-f", "json").json()  # none of the seeded journal's history
    assert "import json" in only["command"]
    ok("--db", fresh, "undo")
    assert ok("--db", fresh, "list", "--all", "-f", "json").json() == []
    empty = json.loads(ok("--db", fresh, "export", "json").stdout)
    assert all(rows == [] for rows in empty["tables"].values()), empty
    assert ok("--db", fresh, "db", "check").code == 0
    ok("--db", fresh, "redo")
    assert ok("--db", fresh, "export", "json").stdout == dump.read_text()


def _schema(path) -> tuple[list, dict]:
    """sqlite_master word for word, and each table's indexes and triggers in the order they were made."""
    conn = sqlite3.connect(path)
    try:
        entries = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    finally:
        conn.close()
    each: dict[tuple[str, str], list[str]] = {}
    for kind, name, table, _ in entries:
        each.setdefault((table, kind), []).append(name)
    return sorted(entries), each


def test_a_restore_builds_indexes_and_search_indexes_once_at_the_end(seeded, tmp_path):
    """While a restore's rows go in, their tables' plain indexes and search
    triggers are set aside (a unique index and the updated_at triggers stay);
    after, they are back and the search index holds every restored text."""
    from cno.db import open_journal
    from cno.io import dump as dumps

    path = tmp_path / "dump.json"
    path.write_text(export())
    watched = ("touchpoints_happened_on", "contacts_met_on", "touchpoints_fts_ai", "referrals_fts_ai",
               "contacts_fts_ai", "sqlite_autoindex_touchpoints_1", "contacts_updated_ai")  # fmt: skip
    fresh = tmp_path / "fresh.db"
    j = open_journal(fresh, create=True)
    seen = []

    def tick(n=1):
        seen.append({r[0] for r in j.conn.execute(f"SELECT name FROM sqlite_master WHERE name IN ({', '.join('?' * len(watched))})", watched)})

    said: list[str] = []
    j.conn.set_trace_callback(said.append)
    try:
        cache = j.conn.execute("PRAGMA cache_size").fetchone()
        with j.write() as conn:
            dumps.restore(conn, dumps.open_dump(str(path), []), str(path), tick=tick)
        assert tuple(j.conn.execute("PRAGMA cache_size").fetchone()) == tuple(cache)  # put back as it was
    finally:
        j.close()
    assert seen and all(names == {"sqlite_autoindex_touchpoints_1", "contacts_updated_ai"} for names in seen)
    # the indexes are built with a small page cache: SQLite's sorter takes up to its size beside it
    builds = [i for i, sql in enumerate(said) if sql.startswith("CREATE INDEX")]
    small = [i for i, sql in enumerate(said) if sql == "PRAGMA cache_size = -8192"]
    assert builds and small and small[0] < builds[0]
    assert any(sql.startswith("PRAGMA cache_size = ") and not sql.endswith("-8192") for sql in said[builds[-1]:])
    assert _schema(fresh) == _schema(seeded)
    assert ok("--db", fresh, "db", "check").code == 0
    for word, kind in (("Grace", "contact"), ("engines", "touchpoint"), ("bakery", "referral")):
        assert kind in {hit["kind"] for hit in ok("--db", fresh, "search", word, "-f", "json").json()}, word


@pytest.mark.parametrize("layout", ["as export json writes it", "pretty-printed"])
def test_a_refused_restore_puts_the_indexes_and_search_triggers_back(seeded, tmp_path, layout):
    """A restore refused at a row of its last table, whole tables already in,
    writes nothing and leaves the schema word for word as a new journal's."""
    doc = json.loads(export())
    last = doc["tables"]["referrals"][-1]
    text = export()
    if layout == "pretty-printed":
        last["on_date"] = "2026-02-30"
        text = json.dumps(doc, indent=2)
    else:
        row = json.dumps(last, ensure_ascii=False)
        assert row in text
        text = text.replace(row, row.replace(f'"on_date": "{last["on_date"]}"', '"on_date": "2026-02-30"'))
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    from cno.db import open_journal

    fresh = tmp_path / "fresh.db"
    open_journal(fresh, create=True).close()
    r = refused("--db", fresh, "import", "json", str(bad), journal=fresh, contains="referrals row")  # nothing written
    assert "on_date" in r.stderr
    assert _schema(fresh) == _schema(seeded)


def test_a_restore_logs_each_row_it_wrote_once_and_leaves_the_schema_as_it_was(seeded, tmp_path):
    """A restore into an empty journal logs its rows a table at a time, its triggers
    set aside: the log holds one insert per row, the summary counts them, the
    triggers are back word for word, and the search index has the restored text."""
    dump = tmp_path / "dump.json"
    dump.write_text(export())
    tables = json.loads(dump.read_text())["tables"]
    fresh = tmp_path / "fresh.db"
    ok("--db", fresh, "import", "json", str(dump))
    (only,) = ok("--db", fresh, "changes", "-f", "json").json()
    assert only["rows"] == sum(map(len, tables.values()))
    assert only["summary"] == (
        "5 contacts added, 3 touchpoints added, 3 follow-ups added, 2 referrals added, 1 milestone added,"
        " 1 goal added, 3 settings added"
    )
    conn = sqlite3.connect(fresh)
    try:
        logged = conn.execute("SELECT tbl, op, count(*), count(DISTINCT rid) FROM _cno_undo GROUP BY tbl, op").fetchall()
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    finally:
        conn.close()
    assert sorted(logged) == sorted((t, "I", len(rows), len(rows)) for t, rows in tables.items() if rows)
    conn = sqlite3.connect(seeded)
    try:
        made = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    finally:
        conn.close()
    # Word for word, and each table's indexes and triggers in the order they
    # were made (the order its triggers fire in): the indexes and search
    # triggers, built at the end of a restore, come last in sqlite_master.
    assert sorted(schema) == sorted(made)
    each = lambda entries: {(t, kind): [n for k, n, tb, _ in entries if (k, tb) == (kind, t)] for kind, _, t, _ in entries}  # noqa: E731
    assert each(schema) == each(made)
    assert "engines" in ok("--db", fresh, "search", "engines").stdout  # a touchpoint's note
    assert "Analytical" in ok("--db", fresh, "search", "analytical").stdout  # a contact's company
    # the triggers record the next change as ever
    ok("--db", fresh, "log", "grace", "after the restore")
    ok("--db", fresh, "undo")
    assert ok("--db", fresh, "export", "json").stdout == dump.read_text()
    ok("--db", fresh, "undo")
    assert all(rows == [] for rows in json.loads(ok("--db", fresh, "export", "json").stdout)["tables"].values())
    assert ok("--db", fresh, "db", "check").code == 0


# -- the search index follows -----------------------------------------------------------


def test_the_search_index_follows_undo_and_redo(seeded):
    ok("edit", "grace", "--name", "Amazing Gracie")
    ok("log", "alan", "enigma machine")
    ok("undo")
    ok("undo")
    assert "Grace Hopper" in ok("search", "hopper").stdout
    assert "Gracie" not in ok("search", "amazing").stdout
    assert "enigma" not in ok("search", "enigma").stdout
    checked()
    ok("redo")
    ok("redo")
    assert "Amazing Gracie" in ok("search", "amazing").stdout
    assert "Hopper" not in ok("search", "hopper").stdout
    assert "enigma" in ok("search", "enigma").stdout
    checked()


# -- a kill in the middle of an undo --------------------------------------------------


def test_sigkill_during_the_undo_of_a_big_import_leaves_all_or_nothing(tmp_path):
    journal = tmp_path / "j.db"
    env = _env(journal)
    subprocess.run([sys.executable, "-m", "cno", "add", "Existing Person"], env=env, check=True, capture_output=True)
    big = linkedin_file(tmp_path / "Connections.csv", 20_000)
    subprocess.run([sys.executable, "-m", "cno", "import", "linkedin", str(big)], env=env, check=True, capture_output=True,
                   timeout=180)  # fmt: skip
    wal = Path(f"{journal}-wal")
    start = wal.stat().st_size if wal.exists() else 0
    p = subprocess.Popen([sys.executable, "-m", "cno", "undo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # kill it while it writes: once its transaction has put 1 to 4 MB (of some 30) into the WAL
    grown = start + random.uniform(1_000_000, 4_000_000)
    deadline = time.time() + 60
    while p.poll() is None and time.time() < deadline and not (wal.exists() and wal.stat().st_size > grown):
        time.sleep(0.005)
    assert p.poll() is None, "the undo finished before it could be interrupted"
    p.send_signal(signal.SIGKILL)
    p.wait()
    conn = sqlite3.connect(journal)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    finally:
        conn.close()
    assert count in (20_001, 1), count
    check = subprocess.run([sys.executable, "-m", "cno", "db", "check"], env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    # the interrupted undo can simply be run again
    if count == 20_001:
        again = subprocess.run([sys.executable, "-m", "cno", "undo"], env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and "20,000 contacts removed" in again.stderr, again.stderr
    conn = sqlite3.connect(journal)
    try:
        assert [r[0] for r in conn.execute("SELECT name FROM contacts")] == ["Existing Person"]
    finally:
        conn.close()


# -- any sequence of changes, undos and redos ------------------------------------------


class UndoRedo(RuleBasedStateMachine):
    """A model of the history: the export after each change, and the ones undone.

    Undo must give back the export before the newest change, redo the one after
    the newest undone; a new change empties the redo list.
    """

    base: Path  # set by the test: a folder for one journal per example

    def __init__(self):
        super().__init__()
        UndoRedo.runs += 1
        self.path = self.base / f"run{UndoRedo.runs}" / "cno.db"
        os.environ["CNO_DB"] = str(self.path)
        self.past = [export()]  # past[-1] is what the journal holds now
        self.future: list[str] = []

    runs = 0

    def write(self, *argv) -> None:
        sha = digest(self.path)
        r = cno(*argv)
        now = export()
        if r.code != 0:
            assert now == self.past[-1] and digest(self.path) == sha, f"failed {argv} wrote: {r.stderr}"
        elif now != self.past[-1]:
            self.past.append(now)
            self.future.clear()

    @initialize()
    def three_people(self):
        """Contacts #1-#3 (three changes), so most rules below name someone who exists."""
        for name, tier in (("Ada Lovelace", "A"), ("Grace Hopper", "B"), ("Alan Turing", "A")):
            self.write("add", name, "--tier", tier)
        assert len(self.past) == 4

    @rule(name=st.sampled_from(["Ada Lovelace", "Grace Hopper", "Alan Turing"]), tier=st.sampled_from("ABC"))
    def add(self, name, tier):
        self.write("add", name, "--again", "--tier", tier)

    @rule(ref=st.integers(1, 4), note=st.sampled_from(["coffee", "call", "lunch"]), other=st.integers(1, 4))
    def log(self, ref, note, other):
        self.write("log", str(ref), note, *(["--with", str(other)] if other != ref else []))

    @rule(ref=st.integers(1, 4), company=st.sampled_from(["Analytical", "Navy", "Bletchley"]))
    def edit(self, ref, company):
        self.write("edit", str(ref), "--company", company)

    @rule(ref=st.integers(1, 4))
    def rm(self, ref):
        self.write("rm", str(ref), "--yes")

    @rule(ref=st.integers(1, 4), days=st.integers(1, 30))
    def follow_up(self, ref, days):
        self.write("follow-up", str(ref), f"+{days}d", "promise")

    @rule(follow_up=st.integers(1, 4))
    def done(self, follow_up):
        self.write("done", str(follow_up))

    @rule(ref=st.integers(1, 4), value=st.integers(0, 5000))
    def referral_give(self, ref, value):
        self.write("referral", "give", str(ref), "--value", str(value))

    @rule(days=st.sampled_from([7, 14, 30, 60]))
    def cadence(self, days):
        self.write("config", "set", "cadence.A", f"{days}d")

    @rule(times=st.integers(1, 3))
    def undo(self, times):
        for _ in range(times):
            if len(self.past) == 1:
                self.refused("undo", "cno: nothing to undo")
                break
            ok("undo")
            self.future.append(self.past.pop())
            assert export() == self.past[-1]
        checked()

    @rule(times=st.integers(1, 3))
    def redo(self, times):
        for _ in range(times):
            if not self.future:
                self.refused("redo", "cno: nothing to redo")
                break
            ok("redo")
            self.past.append(self.future.pop())
            assert export() == self.past[-1]
        checked()

    def refused(self, verb: str, says: str) -> None:
        sha = digest(self.path)
        r = cno(verb)
        assert r.code == 2 and r.stdout == "", r.stderr
        assert r.stderr.startswith(says) and r.stderr.count("\n") == 1, r.stderr
        assert digest(self.path) == sha


def test_any_sequence_of_changes_undos_and_redos_follows_the_model(tmp_path):
    UndoRedo.base = tmp_path
    run_state_machine_as_test(
        UndoRedo,
        settings=settings(max_examples=30, stateful_step_count=15, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )  # fmt: skip


def test_a_change_summary_names_what_the_change_did_however_much_else_it_wrote(journal_path, tmp_path):
    """The summary reads only the log rows of the tables it names: a change to a contact's
    e-mails alone is still named, and a capture's many rows of what it remembered are not."""
    ok("add", "Ada Lovelace", "--email", "ada@example.com")
    ok("edit", "ada", "--email", "ada@work.example")
    assert changes()[0]["summary"] == "contact details changed"
    ok("config", "set", "me.email", "me@example.com")
    box = tmp_path / "in.mbox"
    box.write_bytes(
        b"From ada@example.com Sat Nov 21 10:00:00 2026\nFrom: ada@example.com\nTo: me@example.com\n"
        b"Subject: Hello\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nMessage-ID: <h1@example.com>\n\nHi.\n"
    )
    ok("capture", "mbox", str(box))
    assert changes()[0]["summary"] == "1 touchpoint added"
