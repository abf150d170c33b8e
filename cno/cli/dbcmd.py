"""`cno db`: where the journal is, and whether it is whole."""

from __future__ import annotations

import typer

from cno import integrity
from cno.cli.common import note, session
from cno.errors import JournalError

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

db_app = typer.Typer(help="The journal file itself: where it is, and whether it is whole.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("path")
def db_path() -> None:
    """Print the journal's path (from --db, CNO_DB or the default).

    Example: cno db path
    """
    print(session().path)


@db_app.command("check")
def db_check() -> None:
    """Check the journal, reading only: SQLite's integrity and foreign keys, the
    search indexes, dates, text, settings and every maintained column.

    Exit 3 when anything is wrong, each problem on a line of its own.

    Example: cno db check && echo ok
    """
    path = session().path
    conn = integrity.open_read_only(path)
    if conn is None:
        if path.exists():
            note(f"{path} is empty (zero bytes): no journal yet, nothing to check")
        else:
            note(f"no journal yet at {path} (add a contact to start one)")
        return
    try:
        problems = integrity.check(conn)
    finally:
        conn.close()
    if problems:
        for p in problems:
            note(p)
        raise JournalError(f"{len(problems)} problem(s) in {path}, listed above")
    note(f"{path}: ok")
