"""Open the journal: where it lives, how it is opened, and its one transaction.

The daily commands open the file with the standard library's sqlite3 only;
sqlite-utils (and its import time) is loaded just when the schema has to be
created or upgraded.
"""

from __future__ import annotations

import os
import sqlite3
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
)
# Migrations that rewrite a table (copy, drop, rename): an existing journal is
# backed up before one of them runs. None so far.
REWRITES_TABLE: frozenset[str] = frozenset()


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
    """An open journal file: a sqlite3 connection plus where it came from."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn

    @contextmanager
    def write(self):
        """One transaction per command: everything commits, or nothing does.

        BEGIN IMMEDIATE takes the write lock up front, so a second writer
        waits for the busy timeout instead of failing on a lock upgrade.
        """
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _make_parents(path: Path) -> None:
    """Create missing folders 0700 (whatever the umask); leave existing ones alone."""
    missing = []
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise CnoError(f"can't create journal {path}: {parent} is a file, not a folder")
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
            raise CnoError(f"can't create folder {folder}: {e.strerror or e}") from None


def _create_file(path: Path) -> None:
    """Create the journal 0600 before SQLite does, so it never exists wider."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    except OSError as e:
        raise JournalError(f"can't create journal {path}: {e.strerror or e}") from None
    os.close(fd)


def open_journal(path: Path, *, create: bool) -> Journal | None:
    """Open (and if needed create and migrate) the journal at `path`.

    With create=False a missing file gives None and nothing is written.
    """
    if path.is_dir():
        raise CnoError(f"{path} is a folder, not a journal file")
    if not path.exists():
        if not create:
            return None
        _make_parents(path)
        _create_file(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise JournalError(f"can't open journal {path}: {e}") from None
    try:
        applied = _applied_migrations(conn, path)
        unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
        if unknown:
            raise JournalError(
                f"{path} was written by a newer cno (unknown migration {unknown[0]}); "
                "upgrade cno to use it"
            )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        if len(applied) < len(KNOWN_MIGRATIONS):
            rewrites = [m for m in KNOWN_MIGRATIONS if m not in applied and m in REWRITES_TABLE]
            before = Path(f"{path}.before-{rewrites[0]}") if rewrites else None
            if applied and before and not before.exists():  # an earlier failed try kept it
                backup_to(conn, before)
            _migrate(conn)
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlite3.Row
    return Journal(path, conn)


def empty_journal() -> Journal:
    """A migrated journal in memory: what read-only reports show before the first write."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    _migrate(conn)
    conn.row_factory = sqlite3.Row
    return Journal(Path(":memory:"), conn)


def backup_to(conn: sqlite3.Connection, dest: Path, progress=None) -> None:
    """A consistent copy through SQLite's backup API, created 0600; never over a file.

    `progress(done_pages, total_pages)` is called as the copy goes.
    """
    try:
        fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise CnoError(f"{dest} exists; not overwriting it") from None
    except OSError as e:
        raise CnoError(f"can't create {dest}: {e.strerror or e}") from None
    os.close(fd)
    try:
        target = sqlite3.connect(dest)
        try:
            if progress is None:
                conn.backup(target)
            else:
                # 1,000 pages (~4 MB) a step, so a progress bar can move
                conn.backup(target, pages=1000, progress=lambda _status, left, total: progress(total - left, total))
        finally:
            target.close()
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


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


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply pending migrations under the write lock, so two first runs don't race."""
    from sqlite_utils import Database

    from cno.migrations import migrations

    from cno.migrations import FILLED_BY_REFRESH

    db = Database(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        pending = {m.name for m in migrations.pending(db)}
        migrations.apply(db)  # nested steps become savepoints of this transaction
        if pending & FILLED_BY_REFRESH and conn.execute("SELECT 1 FROM contacts LIMIT 1").fetchone():
            from cno import followups

            conn.row_factory, before = sqlite3.Row, conn.row_factory
            try:
                followups.refresh(conn)
            finally:
                conn.row_factory = before
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")
