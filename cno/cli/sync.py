"""Sync commands: the journal kept in step with vdirs that vdirsyncer carries to
a server (README "Your phone and other machines")."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cno.cli.common import AsOfOpt, FormatOpt, check_format, note, today, writing

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

sync_app = typer.Typer(
    help="Keep folders of vCards and to-dos (vdirs, as vdirsyncer, khard and khal keep them) in step with the journal.",
    no_args_is_help=True,
)
app.add_typer(sync_app, name="sync")

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change, on both sides; write nothing.")]


def _show(data: dict, what: str, title: str, fmt: str, dry_run: bool) -> None:
    from cno.render import render
    from cno.render import sync as view

    said = view.changed(data) or dry_run
    if fmt in ("json", "csv") or said or sys.stdout.isatty():  # from cron, a sync that did nothing says nothing
        render(view.report(data, title, dry_run), fmt)
    if said or sys.stderr.isatty():
        note(view.summary(data, what, dry_run))


@sync_app.command("contacts")
def sync_contacts(
    folder: Annotated[str, typer.Argument(metavar="DIR", help="The vdir of contacts (a folder of .vcf files).")],
    dry_run: DryRun = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Sync your active contacts with a folder of vCards, both ways.

    Cards changed in DIR change their contacts, contacts changed in cno
    rewrite their cards; changed on both sides, cno's value is kept and the
    conflict listed. A card deleted from DIR archives its contact; archived
    and removed contacts lose their card. New cards are matched like an
    import, else added. One change: cno undo takes it back.

    Example: vdirsyncer sync && cno sync contacts ~/.contacts/cno && vdirsyncer sync
    """
    from cno.sync import contacts, files

    fmt = check_format(fmt)
    day = today(as_of)
    where = files.folder(folder, items=".vcf")
    with writing(dry_run, change=not dry_run) as conn:
        res = contacts.sync(conn, where, day, touch_files=not dry_run)
    for w in res.warnings:
        note(f"cno: {w}")
    _show(res.data(), "contacts", "Synced contacts", fmt, dry_run)


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
    from cno.sync import files, tasks

    fmt = check_format(fmt)
    day = today(as_of)
    where = files.folder(folder, items=".ics")
    with writing(dry_run, change=not dry_run) as conn:
        result = tasks.sync(conn, where, day, dry_run=dry_run, warn=note)
    if not dry_run:
        tasks.finish(where, result, warn=note)
    _show(result.data(), "tasks", "Synced to-dos", fmt, dry_run)
