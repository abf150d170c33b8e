"""Follow-up and cadence commands: follow-up, followups, done, snooze, due."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from cno import followups, render
from cno.cli.common import ContactOpt, ListRef, one_contact, TAGS_COMPLETE, TIERS_COMPLETE, UNDO_HINT, MAX_INT, DASH_OK, AsOfOpt, FormatOpt, RefArg, check_format, complete_ref, note, session, today
from cno.contacts import parse_tier
from cno.dates import parse_due, parse_duration
from cno.errors import CnoError
from cno.refs import resolve
from cno.settings import normalise_tag

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

IdOrRef = Annotated[
    str,
    typer.Argument(metavar="ID|REF", help="A follow-up id (a bare number), or a contact by name or e-mail.", shell_complete=complete_ref),
]


@app.command("follow-up", context_settings=DASH_OK)
def follow_up(
    ref: RefArg,
    due: Annotated[str, typer.Argument(metavar="DATE", help="Due date: friday, 'in 2 weeks', 2026-12-01, +3d.")],
    text: Annotated[Optional[str], typer.Argument(metavar="NOTE", help="What you promised.")] = None,
    every: Annotated[
        Optional[str], typer.Option("--every", metavar="DURATION", help="Repeat: when it is done, the next is due this much later.")
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Promise a follow-up by a date (a bare duration means from today: 2w).

    Example: cno follow-up ada friday "send the deck"   (or: cno follow-up ada 1m "board report" --every 1m)
    """
    day = today(as_of)
    when = parse_due(due, day)
    period = parse_duration(every) if every is not None else None
    j = session().journal()
    with j.write() as conn:
        c = resolve(conn, ref)
        fid = followups.add_follow_up(conn, c["id"], when, text, day, every=period)
    note(f"follow-up #{fid} with {c['name']} due {when.isoformat()}" + (f", then every {period}" if period else ""))


def _follow_up_id(target: str) -> int | None:
    """A bare number, or #N, is a follow-up id here (README "Cadence, follow-ups and what is due")."""
    t = target.strip().removeprefix("#")
    if t.isascii() and t.isdecimal():
        if len(t.lstrip("0")) > 19 or int(t) > MAX_INT:
            raise CnoError(f"no follow-up #{t}")
        return int(t)
    return None


@app.command()
def done(target: IdOrRef, as_of: AsOfOpt = None) -> None:
    """Close a follow-up, or all open follow-ups of a contact.

    Example: cno done 7   (or: cno done ada)
    """
    day = today(as_of)
    j = session().journal()
    with j.write() as conn:
        fid = _follow_up_id(target)
        if fid is not None:
            row, nxt = followups.close(conn, fid, day)
            closed, name = [(row, nxt)], row["name"]
        else:
            c = resolve(conn, target)
            closed, name = followups.close_follow_ups_of(conn, c, day), c["name"]
    lines = []
    for row, nxt in closed:
        lines.append(f"done: follow-up #{row['id']} with {name} (due {row['due_on']})" + (f": {row['note']}" if row["note"] else ""))
        if nxt:
            lines.append(f"  next: follow-up #{nxt[0]} due {nxt[1].isoformat()} (every {row['every']})")
    if len(closed) > 1:
        lines.append(f"closed {len(closed)} follow-ups with {name} {UNDO_HINT}")
    note("\n".join(lines))


@app.command(context_settings=DASH_OK)
def snooze(
    target: IdOrRef,
    duration: Annotated[str, typer.Argument(metavar="DURATION", help="How long: 3d, 2w, 1m.")],
    as_of: AsOfOpt = None,
) -> None:
    """Move a contact's check-in (or one follow-up) to today + DURATION.

    Example: cno snooze ada 2w   (or: cno snooze 7 3d for follow-up #7)
    """
    day = today(as_of)
    length = parse_duration(duration)
    j = session().journal()
    with j.write() as conn:
        fid = _follow_up_id(target)
        if fid is not None:
            s = followups.snooze_follow_up(conn, fid, length, day)
            what = f"follow-up #{fid} with {s.name}"
        else:
            c = resolve(conn, target)
            s = followups.snooze_contact(conn, c, length, day)
            what = f"{c['name']} (#{c['id']})"
    # never a confirmation of a write that did not happen
    if s.moved:
        note(f"snoozed {what} to {s.until.isoformat()} (was due {s.due.isoformat()})")
    else:
        note(
            f"nothing changed: {what} is due {s.due.isoformat()}, no earlier than"
            f" {s.until.isoformat()} (today + {duration.strip()}): a snooze never brings a date forward"
        )


@app.command()
def due(
    within: Annotated[str, typer.Option(metavar="DURATION", help="Also what is due by today + this.")] = "7d",
    tag: Annotated[Optional[str], typer.Option("--tag", "-t", metavar="TAG", help="Only contacts with this tag.", autocompletion=TAGS_COMPLETE)] = None,
    tier: Annotated[Optional[str], typer.Option(metavar="A|B|C", help="Only this tier.", autocompletion=TIERS_COMPLETE)] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", metavar="N", max=MAX_INT, help="At most N items.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when anything is overdue.")] = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Who is overdue for a check-in or a follow-up, most overdue first, then what is coming up.

    Example: cno due --within 2w --tier A -f json
    """
    fmt = check_format(fmt)
    day = today(as_of)
    window = parse_duration(within, positive=False)
    tier = parse_tier(tier) if tier is not None else None
    tag = normalise_tag(tag) if tag is not None else None
    if limit is not None and limit < 1:
        raise CnoError("--limit must be at least 1")
    j = session().reader()
    items = [] if j is None else followups.due_items(j.conn, day, within=window, tag=tag, tier=tier, limit=limit)
    render.render(render.due(items, day), fmt)
    if check and any(i["days_overdue"] > 0 for i in items):
        raise typer.Exit(1)


fu_app = typer.Typer(help="List, edit or delete follow-ups (create one with: cno follow-up).", no_args_is_help=True)
app.add_typer(fu_app, name="followups")


@fu_app.command("list")
def followups_list(
    ref: ListRef = None,
    contact: ContactOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Done ones too.")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """List open follow-ups (with --all, done ones too).

    Example: cno followups list --all -f csv
    """
    fmt = check_format(fmt)
    contact = one_contact(ref, contact)
    j = session().reader()
    rows = []
    if j is not None:
        cid = resolve(j.conn, contact)["id"] if contact else None
        rows = followups.list_follow_ups(j.conn, contact_id=cid, include_done=all_)
    render.render(render.follow_up_list(rows), fmt)


@fu_app.command("edit", context_settings=DASH_OK)
def followups_edit(
    follow_up_id: Annotated[int, typer.Argument(metavar="ID", max=MAX_INT)],
    due_on: Annotated[Optional[str], typer.Option("--due", metavar="DATE", help="New due date.")] = None,
    text: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="New note.")] = None,
    clear: Annotated[Optional[List[str]], typer.Option("--clear", metavar="FIELD", help="Empty a field: note.")] = None,
    clear_note: Annotated[bool, typer.Option("--clear-note", hidden=True)] = False,  # the first edition's spelling
    reopen: Annotated[bool, typer.Option("--reopen", help="Open a done follow-up again.")] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Change a follow-up's date or note, or reopen it.

    Example: cno followups edit 7 --due "next monday"
    """
    day = today(as_of)
    when = parse_due(due_on, day) if due_on is not None else None
    for field in clear or []:
        if field.strip().lower() != "note":
            raise CnoError(f"can't clear {field!r} — clearable: note")
        clear_note = True
    if when is None and text is None and not clear_note and not reopen:
        raise CnoError("nothing to change — give --due, --note, --clear note or --reopen")
    j = session().journal()
    with j.write() as conn:
        followups.edit_follow_up(conn, follow_up_id, due_on=when, note=text, clear_note=clear_note, reopen=reopen)
    note(f"updated follow-up #{follow_up_id}")


@fu_app.command("rm")
def followups_rm(follow_up_id: Annotated[int, typer.Argument(metavar="ID", max=MAX_INT)]) -> None:
    """Delete a follow-up.

    Example: cno followups rm 7
    """
    j = session().journal()
    with j.write() as conn:
        row = followups.remove_follow_up(conn, follow_up_id)
    note(f"deleted follow-up #{follow_up_id} with {row['name']} {UNDO_HINT}")
