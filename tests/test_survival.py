"""Nothing lost: racing first commands, files written whole, reads that change
nothing, damaged journals, and errors that keep their exit code (README "Your data")."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import cno, ok, refused

ROOT = Path(__file__).resolve().parents[1]


def _env(journal: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CNO_DEBUG", "COLUMNS")}
    return {**env, "CNO_DB": str(journal), "CNO_TODAY": "2026-11-22", **extra}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- a failed first command and a racing writer ---------------------------------------


def test_a_failed_first_command_never_removes_what_another_cno_wrote(tmp_path):
    """`cno log nobody x` and `cno add Ada` on a new journal at once: whenever
    add says it added Ada, Ada is in the journal afterwards."""
    env = _env(tmp_path / "unused.db")
    deadline = time.time() + 90
    for i in range(20):
        journal = tmp_path / f"race{i}.db"
        failing = subprocess.Popen([sys.executable, "-m", "cno", "--db", str(journal), "log", "nobody", "x"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        adding = subprocess.Popen([sys.executable, "-m", "cno", "--db", str(journal), "add", "Ada"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        _, err = adding.communicate(timeout=60)
        failing.wait(timeout=60)
        assert failing.returncode == 2
        assert adding.returncode == 0, err
        assert "added Ada" in err
        assert journal.exists(), f"run {i}: add said '{err.strip()}' but the journal is gone"
        names = [r[0] for r in sqlite3.connect(journal).execute("SELECT name FROM contacts")]
        assert names == ["Ada"], f"run {i}"
        assert time.time() < deadline


def test_a_failed_first_command_alone_still_leaves_no_journal(tmp_path):
    journal = tmp_path / "new.db"
    assert cno("--db", str(journal), "log", "nobody", "x").code == 2
    assert not journal.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


# -- reads change nothing; failed writes change nothing -----------------------------------


def test_a_read_on_a_zero_byte_file_leaves_it_zero_bytes(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for argv in (["list", "-f", "json"], ["due", "-f", "json"], ["history", "-f", "json"], ["db", "check"]):
        r = cno("--db", str(empty), *argv)
        assert r.code == 0, (argv, r.stderr)
        assert empty.stat().st_size == 0, argv
    assert ok("--db", str(empty), "list", "-f", "json").json() == []
    ok("--db", str(empty), "add", "Ada")  # a write makes it a journal
    assert [c["name"] for c in ok("--db", str(empty), "list", "-f", "json").json()] == ["Ada"]


def test_reads_leave_the_journal_byte_identical(journal_path):
    ok("add", "Ada", "--tier", "A")
    ok("log", "ada", "coffee")
    for argv in (["list"], ["show", "ada"], ["due"], ["review"], ["export", "json"], ["db", "check"], ["suggest"]):
        before = _sha(journal_path)
        ok(*argv)
        assert _sha(journal_path) == before, argv


# -- files cno writes appear whole or not at all --------------------------------------------

KILL_MID_BACKUP = """
import os, signal, sys
from pathlib import Path
from cno import db
j = db.open_journal(Path(sys.argv[1]), create=False)
def die(done, total):
    os.kill(os.getpid(), signal.SIGKILL)  # part-way, as a kill -9 would
db.backup_to(j.conn, Path(sys.argv[2]), progress=die)
"""


def test_a_backup_killed_part_way_leaves_nothing_under_its_name(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    conn = sqlite3.connect(journal_path)
    conn.executemany("INSERT INTO settings VALUES (?, ?)", [(f"x.{i}", "y" * 3000) for i in range(3000)])  # ~9 MB
    conn.commit()
    conn.close()
    dest = tmp_path / "copy.db"
    p = subprocess.run([sys.executable, "-c", KILL_MID_BACKUP, str(journal_path), str(dest)], env=_env(journal_path),
                       cwd=ROOT, timeout=60)  # fmt: skip
    assert p.returncode == -signal.SIGKILL
    assert not dest.exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db.")]
    assert leftovers, "the killed run wrote under a temporary name"
    ok("backup", tmp_path / "other.db")  # the next successful run into that folder sweeps them
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert (tmp_path / "other.db").exists()


def test_export_into_a_fifo_writes_into_it(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    ok("export", "json", "-o", str(fifo))
    reader.join(timeout=20)
    assert fifo.is_fifo()
    assert '"Ada Lovelace"' in got[0]


def test_export_through_a_symlink_writes_its_target(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    ok("export", "csv", "-o", str(link))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "Ada Lovelace" in target.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_killed_part_way_leaves_the_old_file(tmp_path, journal_path):
    ok("add", "Ada Lovelace")
    out = tmp_path / "dump.json"
    out.write_text("the previous dump\n")
    script = (
        "import os, signal, sys\n"
        "from cno.io import dump\n"
        "real = dump.write\n"
        "def write(conn, out, tick):\n"
        "    out.write('{\"format\": ')\n"
        "    out.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "dump.write = write\n"
        "from cno.cli import main\n"
        "main(['export', 'json', '-o', sys.argv[1]])\n"
    )
    p = subprocess.run([sys.executable, "-c", script, str(out)], env=_env(journal_path), cwd=ROOT, timeout=60)
    assert p.returncode == -signal.SIGKILL
    assert out.read_text() == "the previous dump\n"
    ok("export", "json", "-o", str(out))
    assert '"Ada Lovelace"' in out.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- damaged journals -----------------------------------------------------------------------


def _flipped_copies(source: Path, folder: Path, n: int) -> list[Path]:
    """Copies of `source` with one byte flipped each, kept when SQLite calls them corrupt."""
    data = source.read_bytes()
    rng = random.Random(33)
    out = []
    tries = 0
    while len(out) < n and tries < 2000:
        tries += 1
        at = rng.randrange(100, len(data))  # past the header: the pages
        copy = folder / f"flip{tries}.db"
        copy.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])
        try:
            conn = sqlite3.connect(copy)
            conn.text_factory = bytes
            verdict = conn.execute("PRAGMA integrity_check").fetchall()
            conn.close()
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            verdict = [("malformed",)]
        if verdict != [(b"ok",)]:
            out.append(copy)
        else:
            copy.unlink()
    return out


def test_every_command_on_a_corrupt_journal_exits_3(tmp_path, journal_path):
    for i in range(40):
        ok("add", f"Person {i}", "--company", f"Company {i}", "--tier", "B", "--email", f"p{i}@example.com")
    for i in range(120):
        ok("log", f"p{i % 40}@example.com", f"note number {i} " * 5)
    conn = sqlite3.connect(journal_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    folder = tmp_path / "flipped"
    folder.mkdir()
    copies = _flipped_copies(journal_path, folder, 12)
    assert len(copies) >= 10
    for copy in copies:
        for argv in (["list", "-f", "json"], ["add", "Someone New"], ["log", "p1@example.com", "hi"]):
            before = _sha(copy)
            r = cno("--db", str(copy), *argv)
            assert r.code == 3, (copy.name, argv, r.code, r.stderr)
            assert r.stderr.startswith("cno: ") and "Traceback" not in r.stderr
            assert _sha(copy) == before


def test_undecodable_text_is_exit_3_and_never_quoted(journal_path):
    ok("add", "Ada")
    ok("log", "ada", "placeholder")
    conn = sqlite3.connect(journal_path)
    conn.execute("UPDATE touchpoints SET note = CAST(x'534543524554ff2d4e4f5445' AS TEXT)")  # 'SECRET\xff-NOTE'
    conn.commit()
    conn.close()
    r = cno("history", "-f", "json")
    assert r.code == 3, r.stderr
    assert "SECRET" not in r.stderr and "note" in r.stderr


def test_a_journal_path_that_is_a_folder_is_exit_3(tmp_path):
    folder = tmp_path / "folder.db"
    folder.mkdir()
    for argv in (["list"], ["add", "Ada"]):
        r = cno("--db", str(folder), *argv)
        assert r.code == 3 and "folder" in r.stderr, r.stderr


def test_a_lock_held_by_another_program_is_named_as_such(journal_path):
    ok("add", "Ada")
    other = sqlite3.connect(journal_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        start = time.time()
        r = cno("add", "Grace")
        assert time.time() - start < 30
    finally:
        other.rollback()
        other.close()
    assert r.code == 3
    assert "locked by another process" in r.stderr and "another cno" not in r.stderr


def test_cno_debug_shows_a_traceback_and_keeps_the_exit_code(journal_path):
    ok("add", "Ada")
    env = _env(journal_path, CNO_DEBUG="1")
    for argv, code in ((["log", "nobody-at-all", "SECRET-NOTE"], 2), (["due", "--check"], 0), (["show", "--bogus"], 2)):
        r = subprocess.run([sys.executable, "-m", "cno", *argv], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == code, (argv, r.stderr)
        if code == 2:
            assert "Traceback" in r.stderr and r.stderr.strip().splitlines()[-1].startswith("cno: ")
        assert "SECRET-NOTE" not in r.stderr


@pytest.mark.parametrize("argv", [["add", "Ada"], ["log", "ada", "x"]])
def test_a_failed_write_leaves_an_older_journal_byte_identical(tmp_path, argv):
    from sqlite_utils import Database

    from cno.migrations import migrations

    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    migrations.apply(Database(conn), stop_before="m006_strength")
    conn.execute("INSERT INTO contacts (uid, name, name_key, created_on) VALUES ('b3061da9-3c84-46b8-93f6-845025f5f128', 'Ada', 'ada', '2026-01-01')")
    conn.commit()
    conn.close()
    before = _sha(old)
    # refused: Ada exists (add) / --on in the future (log)
    bad = argv + (["--on", "tomorrow"] if argv[0] == "log" else ["--tier", "Z"])
    r = cno("--db", str(old), *bad)
    assert r.code == 2, r.stderr
    assert _sha(old) == before
    refused("--db", str(old), "log", "nobody", journal=old, contains="nobody")
    assert _sha(old) == before


def test_the_rm_prompt_shows_control_characters_escaped(journal_path, monkeypatch):
    from cno.cli import common

    ok("add", "Evil\x1b]0;owned\x07\x9b2J Name")
    monkeypatch.setattr(common, "interactive", lambda: True)
    r = cno("rm", "evil", input="n\n")
    assert r.code == 2 and "nothing changed" in r.stderr
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\x9b" not in r.stderr
    assert "\\x1b]0;owned\\x07" in r.stderr
    assert [c["name"] for c in ok("list", "-f", "json").json()] == ["Evil\x1b]0;owned\x07\x9b2J Name"]


def test_a_dry_run_import_does_not_hold_the_write_lock(tmp_path, journal_path):
    ok("add", "Existing Person")
    big = tmp_path / "Connections.csv"
    rows = [f"First{i},Last{i},https://www.linkedin.com/in/p{i},,Company {i % 97},Role,26 Jul 2025" for i in range(60_000)]
    big.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n" + "\n".join(rows) + "\n")
    env = _env(journal_path)
    p = subprocess.Popen([sys.executable, "-m", "cno", "import", "linkedin", str(big), "--dry-run", "-f", "json"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        time.sleep(1.0)  # well into its planning (60,000 rows take seconds)
        assert p.poll() is None, "the dry run ended before a writer could try"
        start = time.time()
        w = subprocess.run([sys.executable, "-m", "cno", "add", "Writer Meanwhile"], env=env, capture_output=True,
                           text=True, timeout=60)  # fmt: skip
        waited = time.time() - start
    finally:
        p.wait(timeout=120)
    assert w.returncode == 0, w.stderr
    assert waited < 3, f"the writer waited {waited:.1f} s"
    assert p.returncode == 0
    assert sorted(c["name"] for c in ok("list", "-f", "json").json()) == ["Existing Person", "Writer Meanwhile"]


@pytest.mark.parametrize(
    "damage, argv",
    [
        ("UPDATE contacts SET birthday = '9999-12-31'", ["export", "ics"]),
        ("UPDATE contacts SET strength_raw = 'abc'", ["list", "-f", "json"]),
        ("UPDATE contacts SET next_due_on = '2026-02-30'", ["show", "ada", "-f", "json"]),
    ],
)
def test_damaged_records_written_behind_cnos_back_are_exit_3_not_a_bug(journal_path, damage, argv):
    ok("add", "Ada", "--birthday", "1990-12-10", "--tier", "A")
    ok("log", "ada", "coffee")
    conn = sqlite3.connect(journal_path)
    conn.execute(damage)
    conn.commit()
    conn.close()
    r = cno(*argv)
    assert r.code == 3, r.stderr
    assert "cno db check" in r.stderr and "internal error" not in r.stderr
