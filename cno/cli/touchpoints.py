"""Touchpoint commands: log, history, touch edit|rm."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from cno import contacts, followups, render, touchpoints
from cno.cli.common import ContactOpt, ListRef, one_contact, TAGS_COMPLETE, complete_from, UNDO_HINT, MAX_INT, AsOfOpt, FormatOpt, TagsOpt, check_format, complete_ref, note, session, today
from cno.contacts import ContactInput
from cno.dates import day_of, iso, parse_due, parse_minutes, parse_past, parse_since
from cno.errors import CnoError
from cno.refs import NotFound, resolve

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

Via = Annotated[
    Optional[str],
    typer.Option("--via", metavar="CHANNEL", help=f"One of: {', '.join(touchpoints.CHANNELS)}.", autocompletion=complete_from(touchpoints.CHANNELS)),
]
Minutes = Annotated[Optional[str], typer.Option(metavar="DURATION", help="How long it took: 45, 45m, 1h, 1h30m, 1.5h.")]


def _resolve_or_create(conn, ref: str, create: bool, today):
    try:
        return resolve(conn, ref)
    except NotFound as e:
        if not create:
            raise NotFound(f"{e} — or log with --create to add them") from None
    cid = contacts.add_contact(conn, ref, ContactInput(), today)
    note(f"added {contacts.get(conn, cid)['name']} (#{cid})")
    return contacts.get(conn, cid)


@app.command()
def log(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Who: id, e-mail, name or part of it.", shell_complete=complete_ref)],
    text: Annotated[Optional[str], typer.Argument(metavar="NOTE", help="What happened.")] = None,
    with_: Annotated[Optional[List[str]], typer.Option("--with", "-w", metavar="REF", help="Someone else who was there (repeatable).", shell_complete=complete_ref)] = None,
    on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", help="When (default: today); never in the future.")] = None,
    via: Via = None,
    minutes: Minutes = None,
    gave: Annotated[bool, typer.Option("--gave", help="I offered help, an insight or a lead.")] = False,
    asked: Annotated[bool, typer.Option("--asked", help="I asked for a favour.")] = False,
    tag: TagsOpt = None,
    follow_up: Annotated[Optional[str], typer.Option("--follow-up", metavar="DATE", help="Also promise a follow-up by this date.")] = None,
    create: Annotated[bool, typer.Option("--create", help="Add an unknown name as a new contact.")] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Log a touchpoint: a coffee, a call, an e-mail, an introduction.

    Example: cno log ada "coffee, talked about her startup" --via meeting --minutes 45 --on yesterday --gave
    """
    day = today(as_of)
    when = parse_past(on, day) if on is not None else day
    due = parse_due(follow_up, day) if follow_up is not None else None
    minutes = parse_minutes(minutes) if minutes is not None else None
    j = session().journal()
    with j.write() as conn:
        people = [_resolve_or_create(conn, r, create, day) for r in [ref, *(with_ or [])]]
        tid = touchpoints.log_touchpoint(
            conn, [p["id"] for p in people], day, when=when, via=via or "other", minutes=minutes,
            gave=gave, asked=asked, note=text, tags=tag or [],
        )  # fmt: skip
        fid = followups.add_follow_up(conn, people[0]["id"], due, text, day) if due else None
        nxt = contacts.get(conn, people[0]["id"])["next_due_on"]
    names = ", ".join(dict.fromkeys(p["name"] for p in people))
    # the date it used, always: a surprising reading of --on is seen at once
    msg = f"logged #{tid} with {names} on {iso(when).replace('T', ' ')}"
    if fid:
        msg += f"; follow-up #{fid} due {due.isoformat()}"
    elif nxt:
        msg += f"; next check-in {nxt}"
    for p in people:
        if p["archived"]:
            msg += f"\nnote: {p['name']} (#{p['id']}) is archived, so never due — cno unarchive {p['id']} brings them back"
    note(msg)


@app.command()
def history(
    ref: ListRef = None,
    contact: ContactOpt = None,
    since: Annotated[Optional[str], typer.Option(metavar="DURATION|DATE", help="From (e.g. 4w or 2026-01-01).")] = None,
    until: Annotated[Optional[str], typer.Option(metavar="DATE", help="Up to and including.")] = None,
    via: Via = None,
    tag: Annotated[Optional[str], typer.Option("--tag", "-t", metavar="TAG", help="Touchpoints tagged so, or with a contact tagged so.", autocompletion=TAGS_COMPLETE)] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", metavar="N", max=MAX_INT, help="At most N.")] = None,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Touchpoints, newest first.

    Example: cno history ada --since 3m -f json
    """
    fmt = check_format(fmt)
    day = today(as_of)
    start = parse_since(since, day) if since is not None else None
    end = day_of(parse_past(until, day)) if until is not None else None
    if via is not None:
        touchpoints.parse_channel(via)
    if limit is not None and limit < 1:
        raise CnoError("--limit must be at least 1")
    ref = one_contact(ref, contact)
    j = session().reader()
    rows = []
    if j is not None:
        cid = resolve(j.conn, ref)["id"] if ref else None
        rows = touchpoints.history(j.conn, day, contact_id=cid, since=start, until=end, via=via, tag=tag, limit=limit)
    render.render(render.history(rows), fmt)


touch_app = typer.Typer(help="Edit or delete a logged touchpoint.", no_args_is_help=True)
app.add_typer(touch_app, name="touch")


@touch_app.command("edit")
def touch_edit(
    touchpoint_id: Annotated[int, typer.Argument(metavar="ID", max=MAX_INT)],
    on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", help="When it happened.")] = None,
    via: Via = None,
    minutes: Minutes = None,
    gave: Annotated[Optional[bool], typer.Option("--gave/--no-gave", help="I offered help.")] = None,
    asked: Annotated[Optional[bool], typer.Option("--asked/--no-asked", help="I asked for a favour.")] = None,
    text: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="Replace the note.")] = None,
    tag: TagsOpt = None,
    untag: Annotated[Optional[List[str]], typer.Option(metavar="TAG", help="Remove a tag.")] = None,
    with_: Annotated[Optional[List[str]], typer.Option("--with", "-w", metavar="REF", help="Add someone who was there.", shell_complete=complete_ref)] = None,
    without: Annotated[Optional[List[str]], typer.Option("--without", metavar="REF", help="Remove someone.", shell_complete=complete_ref)] = None,
    clear: Annotated[Optional[List[str]], typer.Option(metavar="FIELD", help="Empty minutes, note or tags.")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Change a touchpoint.

    Example: cno touch edit 42 --on "last friday" --via call --minutes 20
    """
    day = today(as_of)
    when = parse_past(on, day) if on is not None else None
    minutes = parse_minutes(minutes) if minutes is not None else None
    if all(v in (None, []) for v in (on, via, minutes, gave, asked, text, tag, untag, with_, without, clear)):
        raise CnoError("nothing to change — give an option such as --on, --via or --note")
    j = session().journal()
    with j.write() as conn:
        add = [resolve(conn, r)["id"] for r in with_ or []]
        drop = [resolve(conn, r)["id"] for r in without or []]
        touchpoints.edit_touchpoint(
            conn, touchpoint_id, day, when=when, via=via, minutes=minutes, gave=gave, asked=asked, note=text,
            add_tags=tag or [], remove_tags=untag or [], add_contacts=add, remove_contacts=drop, clear=clear or [],
        )  # fmt: skip
        row = touchpoints.get_touchpoint(conn, touchpoint_id)
    note(f"updated touchpoint #{touchpoint_id}, on {row['happened_at'].replace('T', ' ')}")


@touch_app.command("rm")
def touch_rm(touchpoint_id: Annotated[int, typer.Argument(metavar="ID", max=MAX_INT)]) -> None:
    """Delete a touchpoint (the contacts' check-ins are recomputed).

    Example: cno touch rm 42
    """
    j = session().journal()
    with j.write() as conn:
        row = touchpoints.remove_touchpoint(conn, touchpoint_id)
    note(f"deleted touchpoint #{touchpoint_id} of {row['happened_at']} {UNDO_HINT}")
