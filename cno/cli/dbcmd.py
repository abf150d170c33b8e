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
    """Check the journal: SQLite integrity, foreign keys, the search index, due dates.

    Exit 3 when anything is wrong.

    Example: cno db check && echo ok
    """
    j = session().reader()
    if j is None:
        return
    problems = integrity.check(j.conn)
    if problems:
        for p in problems[:-1]:
            note(p)
        raise JournalError(f"{len(problems)} problem(s) in {j.path}: {problems[-1]}")
    note(f"{j.path}: ok")
