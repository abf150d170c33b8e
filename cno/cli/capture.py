"""Capture commands: touchpoints from calendar exports and mail folders."""

from __future__ import annotations

import shlex
import sys

from typing import Annotated, Callable, Optional

import typer

from cno.cli.common import AsOfOpt, FormatOpt, check_format, note, session, today
from cno.errors import CnoError

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

capture_app = typer.Typer(
    help="Turn calendar exports and mail folders into touchpoints with your contacts (matched by e-mail).",
    no_args_is_help=True,
)
app.add_typer(capture_app, name="capture")

Since = Annotated[
    Optional[str], typer.Option(metavar="DATE|DURATION", help="Only items on or after this day, e.g. 30d or 2026-01-01.")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would be logged; write nothing.")]
CreateUnknown = Annotated[
    bool, typer.Option("--create-unknown", help="Add people who are not contacts yet (tagged 'captured').")
]


def _run(make_source: Callable, path: str, since: str | None, dry_run: bool, create_unknown: bool, fmt: str, as_of: str | None) -> None:
    from cno import capture
    from cno.dates import parse_since
    from cno.render import Progress, render
    from cno.render import capture as view

    fmt = check_format(fmt)
    day = today(as_of)
    since_day = parse_since(since, day) if since else None
    j = session().reader()
    if j is None:
        raise CnoError(capture.NO_ME)
    capture.my_addresses(j.conn)  # refuse before reading a large folder
    source = make_source(path)
    with Progress("reading", source.total) as bar:
        plan = capture.plan(j.conn, source, day, since=since_day, create_unknown=create_unknown, warn=note, tick=bar.advance)
    if dry_run:
        rows = capture.preview(j.conn, plan)
    else:
        with j.write() as conn:
            rows = capture.apply(conn, plan, day)
    render(view.touchpoints(rows, dry_run=dry_run), fmt)
    for email, (name, cid) in plan.name_taken.items():
        # never a second contact of the same name: say how to attach the address instead
        ref = str(cid) if cid is not None else shlex.quote(name)
        who = f"{name} (#{cid})" if cid is not None else f"{name}, added for another address,"
        note(f"capture: {email} is not a contact's address and {who} has that name: not adding a second"
             f" {name} — if the address is theirs: cno edit {ref} --email {email}")
    # From cron, a night that logged, added and broke nothing says nothing
    # (cron mails any output); at a terminal or in a dry run the counts show.
    if rows or plan.counts.unparseable or plan.counts.contacts_added or dry_run or sys.stderr.isatty():
        note(view.summary(plan.counts, len(rows), dry_run=dry_run))


@capture_app.command("ics")
def capture_ics(
    file: Annotated[str, typer.Argument(metavar="FILE", help="An iCalendar export (.ics).")],
    since: Since = None,
    dry_run: DryRun = False,
    create_unknown: CreateUnknown = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Log the meetings of a calendar export that include a contact.

    Each event on or before today with an attendee or organizer whose e-mail is
    a contact's becomes one touchpoint with all of them: via video when it has a
    video-call link, else via meeting; its minutes, its summary as the note.
    Recurring events count each occurrence; cancelled events and those you
    declined are skipped. Running it again adds only what is new.

    Example: cno capture ics ~/calendar.ics --since 90d --dry-run
    """
    from cno.capture import ics

    _run(ics.source, file, since, dry_run, create_unknown, fmt, as_of)


@capture_app.command("mbox")
def capture_mbox(
    file: Annotated[str, typer.Argument(metavar="FILE", help="An mbox file.")],
    since: Since = None,
    dry_run: DryRun = False,
    create_unknown: CreateUnknown = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Log the mail between you and your contacts in an mbox file.

    Each thread's messages of one day become one touchpoint via email with the
    contacts in their From, To and Cc, direction out when you wrote the first
    of them. Mailing lists, automatic replies and no-reply senders are skipped.
    Needs your addresses: cno config set me.email "you@example.com".

    Example: cno capture mbox ~/Mail/sent.mbox --since 30d
    """
    from cno.capture import mail

    _run(mail.mbox_source, file, since, dry_run, create_unknown, fmt, as_of)


@capture_app.command("maildir")
def capture_maildir(
    folder: Annotated[str, typer.Argument(metavar="DIR", help="A maildir folder (with cur/ and new/).")],
    since: Since = None,
    dry_run: DryRun = False,
    create_unknown: CreateUnknown = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Log the mail between you and your contacts in a maildir folder.

    As 'cno capture mbox'; a re-run reads only the messages that are new or
    changed since the last one (or all of them after your contacts changed).

    Example: cno capture maildir ~/Mail/INBOX --since 30d
    """
    from cno.capture import mail

    _run(mail.maildir_source, folder, since, dry_run, create_unknown, fmt, as_of)


@capture_app.command("vdir")
def capture_vdir(
    folder: Annotated[str, typer.Argument(metavar="DIR", help="A folder of .ics files, one event each (khal's, vdirsyncer's).")],
    since: Since = None,
    dry_run: DryRun = False,
    create_unknown: CreateUnknown = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Log the meetings of a calendar kept as a folder of .ics files (a vdir) that include a contact.

    As 'cno capture ics', for the folders vdirsyncer fills from a CalDAV
    server and khal reads: every .ics file in DIR and the folders under it.
    A re-run reads only the files that are new or changed.

    Example: vdirsyncer sync && cno capture vdir ~/.local/share/vdir/calendars --since 30d
    """
    from cno.capture import vdir

    _run(vdir.source, folder, since, dry_run, create_unknown, fmt, as_of)
