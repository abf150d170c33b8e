"""Sync commands: the journal kept in step with vdirs that vdirsyncer carries to a server."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cno.cli.common import AsOfOpt, FormatOpt, check_format, note, session, today

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

sync_app = typer.Typer(
    help="Keep folders of vCards and to-dos (vdirs, as vdirsyncer, khard and khal keep them) in step with the journal.",
    no_args_is_help=True,
)
app.add_typer(sync_app, name="sync")

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing, in the journal or the folder.")]


@sync_app.command("tasks")
def sync_tasks(
    folder: Annotated[str, typer.Argument(metavar="DIR", help="The vdir of to-dos (a folder of .ics files).")],
    dry_run: DryRun = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Write open follow-ups and coming check-ins as to-dos into DIR, and read back what was done.

    Each open follow-up, and each check-in due within 90 days (overdue
    included), is one VTODO file. A to-do completed on your phone closes its
    follow-up, or logs a touchpoint via other for its check-in, on the day it
    was completed; a follow-up's due date moved there moves it in cno. A to-do
    deleted there changes nothing: the next sync writes it again. Run it after
    vdirsyncer sync, from cron.

    Example: vdirsyncer sync && cno sync tasks ~/.local/share/vdir/reminders/cno
    """
    from cno.db import scratch_copy
    from cno.render import render
    from cno.render import sync as view
    from cno.sync import files, tasks

    fmt = check_format(fmt)
    day = today(as_of)
    where = files.folder(folder, items=".ics")
    if dry_run:
        scratch = scratch_copy(session().reader())
        try:
            result = tasks.sync(scratch.conn, where, day, dry_run=True, warn=note)
        finally:
            scratch.close()
    else:
        j = session().journal()
        with j.write() as conn:
            result = tasks.sync(conn, where, day, warn=note)
        tasks.finish(where, result, warn=note)
    data = result.data()
    render(view.report(data, "Synced to-dos"), fmt)
    changed = any(data[k] for k in view.COUNTS) or data["conflicts"] or data["skipped"]
    if changed or dry_run or sys.stderr.isatty():  # from cron, a sync that did nothing says nothing
        note(view.summary(data))
