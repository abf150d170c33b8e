"""`cno dupes`: likely duplicate contacts and the merge that joins each pair."""

from __future__ import annotations

import shlex

import typer

from cno import dupes
from cno.cli.common import FormatOpt, check_format, session
from cno.db import empty_journal
from cno.render import dupes as views
from cno.render import render

# The command of this module; cno.cli loads it when it is run. Alone in its
# app, it would be the app itself and show Typer's completion options in its
# --help: those belong to `cno`.
app = typer.Typer(add_completion=False)


@app.command("dupes")
def dupes_command(fmt: FormatOpt = "table") -> None:
    """Likely duplicate contacts, most likely first, with the reasons and the merge line to run.

    Reasons: the same e-mail (ignoring case), phone (its digits), or LinkedIn
    URL; or the same or a near-identical name with the same company or
    e-mail domain. Each row keeps the first contact and merges the second
    into it; run cno dupes again after a merge.

    Example: cno dupes -f json | jq -r '.[0].merge'
    """
    fmt = check_format(fmt)
    s = session()
    j = s.reader()
    conn = j.conn if j is not None else empty_journal().conn
    # the merge line must reach the same journal this listing read
    command = shlex.join(["cno", "--db", s.db_option]) if s.db_option else "cno"
    render(views.dupes(dupes.find_dupes(conn, command=command)), fmt)
