"""Sync commands: the journal and a vdir that vdirsyncer carries to a server (README "Your phone and other machines")."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cno.cli.common import AsOfOpt, FormatOpt, check_format, note, session, today

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

sync_app = typer.Typer(
    help="Keep the journal and vdir folders (vdirsyncer, khard, khal) in step, both ways.",
    no_args_is_help=True,
)
app.add_typer(sync_app, name="sync")

Dir = Annotated[str, typer.Argument(metavar="DIR", help="The vdir folder: one file per item.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change, on both sides; write nothing.")]


@sync_app.command("contacts")
def sync_contacts(dir: Dir, dry_run: DryRun = False, fmt: FormatOpt = "table", as_of: AsOfOpt = None) -> None:
    """Sync your active contacts with a folder of vCards, both ways.

    Cards changed in DIR change their contacts, contacts changed in cno
    rewrite their cards; changed on both sides, cno's value is kept and the
    conflict listed. A card deleted from DIR archives its contact; archived
    and removed contacts lose their card. New cards are matched like an
    import, else added. One change: cno undo takes it back.

    Example: vdirsyncer sync && cno sync contacts ~/.contacts/cno && vdirsyncer sync
    """
    from cno.db import scratch_copy
    from cno.render import render
    from cno.render import sync as view
    from cno.sync import contacts, vdir

    fmt = check_format(fmt)
    day = today(as_of)
    folder = vdir(dir, contacts.SUFFIX)
    if dry_run:
        # planned on a copy of the journal: no write lock held, nothing written
        scratch = scratch_copy(session().reader())
        try:
            with scratch.write(change=False) as conn:
                res = contacts.sync(conn, folder, day, touch_files=False)
        finally:
            scratch.close()
    else:
        with session().journal().write() as conn:
            res = contacts.sync(conn, folder, day)
    for w in res.warnings:
        note(f"cno: {w}")
    if fmt in ("json", "csv") or not view.quiet(res) or dry_run or sys.stdout.isatty():
        render(view.result(res, "contacts"), fmt)
