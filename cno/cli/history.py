"""The change history: undo, redo, changes."""

from __future__ import annotations

from typing import Annotated

import typer

from cno.cli.common import MAX_INT, FormatOpt, check_format, note, session
from cno.errors import CnoError

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()


def _said(verb: str, change, what: str) -> str:
    when = change.at.replace("T", " ")
    return f"{verb} #{change.id} cno {change.command} ({when}): {what}"


@app.command()
def undo() -> None:
    """Take back the most recent change, whichever cno made it; again for the one before.

    Every command that wrote to the journal is one change (see: cno changes);
    the last 100 can be undone, and 'cno redo' puts one back.

    Example: cno undo
    """
    from cno import history

    j = session().reader()
    if j is None:
        raise CnoError("nothing to undo")
    with j.write(change=False) as conn:
        change = history.undo(conn)
    note(_said("undid", change, change.undo_summary()))


@app.command()
def redo() -> None:
    """Re-apply the change most recently undone (until a new change is made).

    Example: cno redo
    """
    from cno import history

    j = session().reader()
    if j is None:
        raise CnoError("nothing to redo")
    with j.write(change=False) as conn:
        change = history.redo(conn)
    note(_said("redid", change, change.summary))


@app.command()
def changes(
    n: Annotated[int, typer.Option("-n", metavar="N", max=MAX_INT, help="How many, newest first.")] = 20,
    fmt: FormatOpt = "table",
) -> None:
    """The recent changes, newest first: what each command wrote, and whether it was undone.

    Example: cno changes -n 5
    """
    from dataclasses import asdict

    from cno import history
    from cno.render import changes as view
    from cno.render import render

    fmt = check_format(fmt)
    if n < 1:
        raise CnoError(f"-n must be at least 1, not {n}")
    j = session().reader()
    rows = [asdict(c) for c in history.changes(j.conn, n)] if j is not None else []
    render(view.changes(rows), fmt)
