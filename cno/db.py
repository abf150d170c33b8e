"""Open the journal: where it lives, how it is opened, and its one transaction.

The daily commands open the file with the standard library's sqlite3 only;
sqlite-utils (and its import time) is loaded just when the schema has to be
created or upgraded.

The rules this module keeps (README "Your data"):
- a command that writes holds one transaction, and a schema upgrade it needs
  is part of that transaction: a failed command leaves the file as it was;
- a read never changes the file: an older journal is read through an
  upgraded copy in memory, and a zero-byte file is "no journal yet";
- a failed first command removes the journal it created only while holding
  the write lock and only when nobody else has written to it; a command whose
  file was removed that way under it opens the journal again;
- a journal changed by something other than cno is checked by SQLite before
  cno uses it, and a damaged one is exit 3.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cno.errors import CnoError, JournalError

BUSY_TIMEOUT_S = 5.0
MIGRATION_SET = "cno"

# Every migration this cno knows, in order. A test checks it matches
# cno.migrations, which is only imported when something is pending.
KNOWN_MIGRATIONS = (
    "m001_journal",
    "m002_referrals",
    "m003_goals",
    "m004_search",
    "m005_capture",
    "m006_strength",
    "m007_contact_summaries",
    "m008_anniversaries",
    "m009_suggest_index",
    "m010_contact_dates",
    "m011_history",
    "m012_nicknames_and_repeats",
    "m013_sync_contacts",
    "m014_sync_tasks",
)
# Migrations that rewrite a table (copy, drop, rename): an existing journal is
# backed up before one of them runs.
REWRITES_TABLE: frozenset[str] = frozenset({"m011_history"})

# Above this size SQLite's quick_check (structure only) replaces the full
# integrity_check when a journal changed outside cno: the full check of a
# 100k-contact journal takes seconds.
FULL_CHECK_MAX_BYTES = 64 * 1024 * 1024

# Journals this process created (path, inode): a failed command removes them
# again, unless someone else has written to them meanwhile.
CREATED: list[tuple[Path, int]] = []


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("cno", appauthor=False)) / "cno.db"


def resolve_path(option: str | None) -> Path:
    """`--db` wins over `CNO_DB`, which wins over the platform's data folder."""
    if option:
        return Path(option).expanduser()
    env = os.environ.get("CNO_DB")
    if env:
        return Path(env).expanduser()
    return default_path()


class Journal:
    """An open journal file: a sqlite3 connection plus where it came from.

    `copy` is set when the connection is an upgraded copy in memory (a read of
    an older journal); the first write opens the file itself.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, *, ino: int | None = None, copy: bool = False,
                 upgrade_open: bool = False, verified: bool = False):  # fmt: skip
        self.path = path
        self.conn = conn
        self.ino = ino
        self.copy = copy
        self.verified = verified
        # an upgrade applied in a transaction that the command's write completes
        self._upgrade_open = upgrade_open
        # what the command's change is recorded as (cno.history); None: not a change
        self.command: str | None = None
        self.at: str | None = None

    @contextmanager
    def write(self, *, change: bool = True):
        """One transaction per command: everything commits, or nothing does.

        BEGIN IMMEDIATE takes the write lock up front, so a second writer
        waits for the busy timeout instead of failing on a lock upgrade.
        The transaction is one change of the history (README "Made a
        mistake?") when the journal was opened for a command and `change`.
        """
        if self.copy:
            self._reopen()
        conn = self.conn
        if self._upgrade_open:
            self._upgrade_open = False
        elif conn.in_transaction:
            yield conn
            return
        else:
            self._begin()
            conn = self.conn
        change_id = None
        try:
            if change and self.command is not None:
                from cno import history

                change_id = history.begin(conn, self.command, self.at or "")
            yield conn
            if change_id is not None:
                history.end(conn, change_id)
        except BaseException:
            conn.rollback()
            raise
        conn.execute("COMMIT")
        _use_wal(conn)
        self.record()

    def _begin(self) -> None:
        """BEGIN IMMEDIATE on the file that is still at `path`; reopen if it was replaced."""
        for _ in range(3):
            self.conn.execute("BEGIN IMMEDIATE")
            if _same_file(self.path, self.ino):
                return
            self.conn.rollback()
            self._reopen()
            if self._upgrade_open:
                self._upgrade_open = False
                return
        raise JournalError(f"{self.path} keeps being replaced by another program; try again")

    def _reopen(self) -> None:
        fresh = open_journal(self.path, create=True, hold_upgrade=True)
        self.conn.close()
        self.conn, self.ino, self.copy = fresh.conn, fresh.ino, False  # command and at stay
        self.verified, self._upgrade_open = fresh.verified, fresh._upgrade_open

    def record(self) -> None:
        """Remember the file's state as checked: cno's own writes need no new check."""
        if self.verified and not self.copy:
            _record_checked(self.path)

    def close(self) -> None:
        self.conn.close()
        self.record()  # the last connection's checkpoint changes the file


# -- the file ---------------------------------------------------------------------


def _make_parents(path: Path) -> None:
    """Create missing folders 0700 (whatever the umask); leave existing ones alone."""
    missing = []
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise JournalError(f"can't create journal {path}: {parent} is a file, not a folder")
    while not parent.exists():
        missing.append(parent)
        if parent.parent == parent:
            break
        parent = parent.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
        except FileExistsError:
            pass
        except OSError as e:
            raise JournalError(f"can't create folder {folder}: {e.strerror or e}") from None


def _create_file(path: Path) -> bool:
    """Create the journal 0600 before SQLite does, so it never exists wider.

    True when this process made it (O_EXCL), False when another just did.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    except OSError as e:
        raise JournalError(f"can't create journal {path}: {e.strerror or e}") from None
    CREATED.append((path, os.fstat(fd).st_ino))
    os.close(fd)
    return True


def _same_file(path: Path, ino: int | None) -> bool:
    try:
        return ino is None or os.stat(path).st_ino == ino
    except OSError:
        return False


def _connect(path: Path) -> tuple[sqlite3.Connection, int]:
    """A connection to the file at `path`, and that file's inode."""
    for _ in range(3):
        try:
            before = os.stat(path).st_ino
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise JournalError(f"can't open journal {path}: {e}") from None
        except OSError:
            raise JournalError(f"can't open journal {path}: it disappeared while opening") from None
        if _same_file(path, before):
            return conn, before
        conn.close()
    raise JournalError(f"{path} keeps being replaced by another program; try again")


def _checked_marker(path: Path) -> Path:
    return path.with_name(path.name + "-checked")


def _file_state(path: Path) -> str:
    """What changes whenever anything writes the journal: the journal's and its
    WAL's inode, size, mtime and ctime (ctime can't be set back by a program)."""
    parts = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            s = os.stat(p)
            parts.append(f"{s.st_ino}:{s.st_size}:{s.st_mtime_ns}:{s.st_ctime_ns}")
        except OSError:
            parts.append("-")
    return " ".join(parts)


def _record_checked(path: Path) -> None:
    marker = _checked_marker(path)
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with open(fd, "w") as f:
            f.write(_file_state(path) + "\n")
        os.replace(tmp, marker)
    except OSError:  # a read-only folder: the next command checks again
        try:
            tmp.unlink()
        except OSError:
            pass


def _verify(conn: sqlite3.Connection, path: Path) -> bool:
    """Let SQLite check a journal that changed since cno last saw it; exit 3 when damaged.

    Returns whether the file's state may be recorded as checked.
    """
    try:
        if _checked_marker(path).read_text().strip() == _file_state(path):
            return True
    except OSError:
        pass
    try:
        size = os.stat(path).st_size
        pragma = "integrity_check" if size <= FULL_CHECK_MAX_BYTES else "quick_check"
        conn.text_factory = bytes  # SQLite's report can quote damaged bytes
        try:
            first = conn.execute(f"PRAGMA {pragma}(1)").fetchone()
        finally:
            conn.text_factory = str
    except (sqlite3.DatabaseError, UnicodeDecodeError):  # SQLite's message may quote damaged bytes
        raise JournalError(f"the journal {path} is damaged; restore a backup (cno db check lists what is wrong)") from None
    if first is None or first[0] != b"ok":
        raise JournalError(f"the journal {path} is damaged; restore a backup (cno db check lists what is wrong)")
    return True


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the journal in WAL mode (README "Your data"), if no other cno is using it.

    The switch needs the file to itself; waiting for it could deadlock with
    another cno that is creating the same new journal (it holds the write lock
    and waits for our read lock to go), so it is tried without waiting, and
    left to the next commit when the file is busy: every write tries again.
    """
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def open_journal(path: Path, *, create: bool, hold_upgrade: bool = False) -> Journal | None:
    """Open the journal at `path` (create=True: created and upgraded if needed).

    With create=False nothing is ever written: a missing or zero-byte file
    gives None, and an older journal is upgraded in a copy in memory.
    With hold_upgrade, a pending upgrade is left in an open transaction that
    the command's first `write()` commits or rolls back with its own work.
    """
    if path.is_dir():
        raise JournalError(f"{path} is a folder, not a journal file")
    made = False
    if not path.exists():
        if not create:
            return None
        _make_parents(path)
        made = _create_file(path)
    elif not create and path.stat().st_size == 0:
        return None  # a zero-byte file stays one: reads don't turn it into a journal
    conn, ino = _connect(path)
    try:
        verified = made or _verify(conn, path)
        applied = _applied_migrations(conn, path)
        unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
        if unknown:
            raise JournalError(
                f"{path} was written by a newer cno (unknown migration {unknown[0]}); "
                "upgrade cno to use it"
            )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # a row that INSERT OR REPLACE deletes fires its DELETE triggers, so the history sees it
        conn.execute("PRAGMA recursive_triggers = ON")
        if made:
            _use_wal(conn)
        if len(applied) < len(KNOWN_MIGRATIONS):
            if not create:
                return _upgraded_copy(path, conn)
            rewrites = [m for m in KNOWN_MIGRATIONS if m not in applied and m in REWRITES_TABLE]
            before = Path(f"{path}.before-{rewrites[0]}") if rewrites else None
            if applied and before and not before.exists():  # an earlier failed try kept it
                # before the write lock: SQLite's backup can't read through our own open write
                backup_to(conn, before)
            conn.execute("BEGIN IMMEDIATE")
            if not _same_file(path, ino):
                conn.rollback()
                conn.close()
                return open_journal(path, create=create, hold_upgrade=hold_upgrade)
            try:
                _migrate(conn, begin=False)  # it reads what is pending under the lock
            except BaseException:
                conn.rollback()
                raise
            if not hold_upgrade:
                conn.execute("COMMIT")
                _use_wal(conn)
            conn.row_factory = sqlite3.Row
            return Journal(path, conn, ino=ino, upgrade_open=hold_upgrade, verified=verified)
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlite3.Row
    return Journal(path, conn, ino=ino, verified=verified)


def _upgraded_copy(path: Path, conn: sqlite3.Connection) -> Journal:
    """An older journal, read: its rows in memory, upgraded there; the file is untouched."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.backup(mem)
    finally:
        conn.close()
    mem.execute("PRAGMA foreign_keys = ON")
    _migrate(mem)
    mem.row_factory = sqlite3.Row
    return Journal(path, mem, copy=True)


def empty_journal() -> Journal:
    """A migrated journal in memory: what read-only reports show before the first write."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    _migrate(conn)
    conn.row_factory = sqlite3.Row
    return Journal(Path(":memory:"), conn)


def scratch_copy(journal: Journal | None) -> Journal:
    """A throwaway copy of the journal in memory, for a dry run: it plans against
    the real rows without holding the journal's write lock."""
    if journal is None:
        return empty_journal()
    mem = sqlite3.connect(":memory:", isolation_level=None)
    journal.conn.backup(mem)
    mem.execute("PRAGMA foreign_keys = ON")
    mem.row_factory = sqlite3.Row
    return Journal(journal.path, mem, copy=False)


# Each full-text search index (FTS5, README "Search") and the table whose text
# it holds, kept by that table's triggers TABLE_fts_ai, _ad and _au.
SEARCH_INDEXES = {"contacts_fts": "contacts", "touchpoints_fts": "touchpoints", "referrals_fts": "referrals"}

# Host parameters per `IN (…)`: well under the 999 of older SQLite builds.
IN_CHUNK = 500
# What joins a row's list (e-mails, tags, people) in one SQL value:
# `group_concat(x, char(31))`. No one types the unit separator.
LIST_SEP = "\x1f"


def in_chunks(ids) -> Iterator[tuple[list, str]]:
    """`ids` in runs of IN_CHUNK, each with its `?,?,…` for an `IN (…)`."""
    ids = list(ids)
    for i in range(0, len(ids), IN_CHUNK):
        chunk = ids[i : i + IN_CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def split_list(value: str | None) -> list[str]:
    """A list joined with LIST_SEP back into its items; NULL is the empty list."""
    return value.split(LIST_SEP) if value else []


def record_tables(conn: sqlite3.Connection) -> list[str]:
    """The journal's own tables, by name: not SQLite's, not a search index or
    its storage, not the bookkeeping tables named `_…` (schema, history,
    demo mark, Litestream's)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return sorted(
        n for n, _ in rows
        if not n.startswith(("sqlite_", "_")) and n not in virtual and not any(n.startswith(v + "_") for v in virtual)
    )  # fmt: skip


def _holds_records(conn: sqlite3.Connection) -> bool:
    """Whether any table of the journal has a row (the schema's own bookkeeping aside)."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            " AND name <> '_sqlite_migrations' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE '%\\_fts\\_%' ESCAPE '\\'"
        )
    ]
    return any(conn.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone() for n in names)


def discard_created() -> None:
    """Remove the journals this (failed) invocation created, with their side files.

    Only under the journal's write lock, only if it is still the file this
    process made, and only if it holds no record: another cno that wrote to
    it in the meantime keeps what it wrote.
    """
    while CREATED:
        path, ino = CREATED.pop()
        if not _same_file(path, ino):
            continue
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error:
            continue
        try:
            conn.execute("BEGIN IMMEDIATE")
            if _same_file(path, ino) and not _holds_records(conn):
                for suffix in ("", "-wal", "-shm", "-checked"):
                    try:
                        os.unlink(f"{path}{suffix}")
                    except OSError:  # never made, or already gone
                        pass
        except sqlite3.Error:
            pass  # damaged or locked: leave it
        finally:
            conn.close()


# -- files written whole ------------------------------------------------------------

_TMP_SUFFIX = ".cno-tmp"
_TMP_SIDE_FILES = (_TMP_SUFFIX + "-journal", _TMP_SUFFIX + "-wal", _TMP_SUFFIX + "-shm")


def temp_beside(dest: Path) -> Path:
    """A hidden temporary name in dest's folder, naming this process
    (so a later run can tell a killed run's leftovers from a running one's)."""
    return dest.with_name(f".{dest.name}.{os.getpid()}{_TMP_SUFFIX}")


def sweep_leftovers(folder: Path) -> None:
    """Remove temporary files that killed cno runs left in `folder`."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        # the temporary file, and the side files SQLite gave it (-journal, -wal, -shm)
        name = entry.name.rsplit("-", 1)[0] if entry.name.endswith(_TMP_SIDE_FILES) else entry.name
        if not (name.startswith(".") and name.endswith(_TMP_SUFFIX)):
            continue
        pid = name[: -len(_TMP_SUFFIX)].rpartition(".")[2]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def publish(tmp: Path, dest: Path, *, replace: bool) -> bool:
    """Put a finished temporary file at `dest` in one step.

    replace=False never overwrites: False when dest exists (tmp is kept).
    """
    if replace:
        os.replace(tmp, dest)
    else:
        try:
            os.link(tmp, dest)
        except FileExistsError:
            return False
        except OSError:  # no hard links here: rename, having checked
            if dest.exists() or dest.is_symlink():
                return False
            os.rename(tmp, dest)
            return True
        os.unlink(tmp)
    sweep_leftovers(dest.parent)
    return True


def backup_to(conn: sqlite3.Connection, dest: Path, progress=None, *, numbered: bool = False) -> Path:
    """A consistent copy through SQLite's backup API, created 0600; never over a file.

    The copy is written under a temporary name and appears at `dest` whole.
    With `numbered`, an existing dest `x.db` moves on to `x-2.db`, `x-3.db`, …
    `progress(done_pages, total_pages)` is called as the copy goes.
    Returns where the copy is.
    """
    if not numbered and (dest.exists() or dest.is_symlink()):
        raise CnoError(f"{dest} already exists — choose another PATH; a backup never overwrites a file")
    tmp = temp_beside(dest)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    except OSError as e:
        raise CnoError(f"can't create {dest}: {e.strerror or e}") from None
    os.close(fd)
    try:
        target = sqlite3.connect(tmp)
        try:
            if progress is None:
                conn.backup(target)
            else:
                # 1,000 pages (~4 MB) a step, so a progress bar can move
                conn.backup(target, pages=1000, progress=lambda _status, left, total: progress(total - left, total))
            # the copy is a journal of its own: whole on disk before it is given its name
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        n = 1
        while not publish(tmp, dest if n == 1 else dest.with_name(f"{dest.stem}-{n}{dest.suffix}"), replace=False):
            if not numbered:
                raise CnoError(f"{dest} already exists — choose another PATH; a backup never overwrites a file")
            n += 1
        return dest if n == 1 else dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
    finally:
        tmp.unlink(missing_ok=True)


# -- the schema ---------------------------------------------------------------------


def _applied_migrations(conn: sqlite3.Connection, path: Path) -> list[str]:
    try:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchall()
        if not rows:
            return []
        return [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                (MIGRATION_SET,),
            )
        ]
    except sqlite3.DatabaseError as e:
        raise JournalError(f"{path} is not a usable cno journal ({e})") from None


def _migrate(conn: sqlite3.Connection, *, begin: bool = True) -> None:
    """Apply pending migrations under the write lock, so two first runs don't race.

    With begin=False the caller holds the transaction (and commits it).
    """
    from sqlite_utils import Database

    from cno.migrations import FILLED_BY_REFRESH, migrations

    db = Database(conn)
    if begin:
        conn.execute("BEGIN IMMEDIATE")
    try:
        pending = {m.name for m in migrations.pending(db)}
        migrations.apply(db)  # nested steps become savepoints of this transaction
        if pending:
            from cno import history

            history.install(conn)  # the history's triggers follow the upgraded tables
            if "m011_history" not in pending:
                history.forget(conn)  # an old row image may not fit the new tables
        if pending & FILLED_BY_REFRESH and conn.execute("SELECT 1 FROM contacts LIMIT 1").fetchone():
            from cno import followups

            conn.row_factory, before = sqlite3.Row, conn.row_factory
            try:
                followups.refresh(conn)
            finally:
                conn.row_factory = before
    except BaseException:
        if begin:
            conn.rollback()
        raise
    if begin:
        conn.execute("COMMIT")
