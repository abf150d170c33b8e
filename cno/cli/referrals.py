"""The Givers Gain ledger: referral give|receive|close|edit|list|rm, intro, referrals."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from cno import referrals
from cno.cli.common import ContactOpt, ListRef, one_contact, complete_from, UNDO_HINT, MAX_INT, AsOfOpt, FormatOpt, RefArg, check_format, complete_ref, note, session, today
from cno.dates import day_of, iso, parse_past, parse_since
from cno.errors import CnoError
from cno.refs import resolve
from cno.touchpoints import CHANNELS, parse_channel

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

referral_app = typer.Typer(help="Referrals given and received: the Givers Gain ledger.", no_args_is_help=True)
app.add_typer(referral_app, name="referral")

IdArg = Annotated[int, typer.Argument(metavar="ID", max=MAX_INT, help="A referral id (see: cno referral list).")]
ValueOpt = Annotated[Optional[str], typer.Option("--value", metavar="N", help="What the business is worth (a non-negative number).")]
OnOpt = Annotated[Optional[str], typer.Option("--on", metavar="DATE", help="When (default: today); never in the future.")]
NoteOpt = Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="A note.")]
SinceOpt = Annotated[Optional[str], typer.Option(metavar="DURATION|DATE", help="From (e.g. 4w or 2026-01-01).")]


def _on(on: str | None, day):
    return day_of(parse_past(on, day)) if on is not None else None


def _value(value: str | None):
    return referrals.parse_value(value) if value is not None else None


def _add(direction: str, ref: str, prospect: str | None, value: str | None, on: str | None, text: str | None, as_of) -> None:
    day = today(as_of)
    when = _on(on, day)
    amount = _value(value)
    j = session().journal()
    with j.write() as conn:
        c = resolve(conn, ref)
        rid = referrals.add_referral(conn, direction, c["id"], day, prospect=prospect, value=amount, on=when, note=text)
        row = referrals.get_referral(conn, rid)
    what = f" for {row['prospect']}" if row["prospect"] else ""
    if direction == "given":
        note(f"referral #{rid} given to {c['name']}{what} ({row['kind']}) on {row['on_date']}")
    else:
        note(f"referral #{rid} received from {c['name']}{what} on {row['on_date']}")


@referral_app.command("give")
def give(
    ref: RefArg,
    prospect: Annotated[
        Optional[str],
        typer.Option("--for", metavar="TEXT|REF", help="Who the business is for: a contact (id, e-mail, exact name) or text."),
    ] = None,
    value: ValueOpt = None,
    on: OnOpt = None,
    text: NoteOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """I passed business to REF: inside (I buy from them), or outside with --for (I sent them someone).

    Example: cno referral give ada --for "Grace Hopper" --value 5000 --on yesterday
    """
    _add("given", ref, prospect, value, on, text, as_of)


@referral_app.command("receive")
def receive(
    ref: RefArg,
    prospect: Annotated[Optional[str], typer.Option("--for", metavar="TEXT", help="What or who the business is.")] = None,
    value: ValueOpt = None,
    on: OnOpt = None,
    text: NoteOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """REF passed business to me.

    Example: cno referral receive grace --for "website rebuild" --value 12000
    """
    _add("received", ref, prospect, value, on, text, as_of)


@referral_app.command("close")
def close(
    referral_id: IdArg,
    won: Annotated[bool, typer.Option("--won", help="The business closed.")] = False,
    lost: Annotated[bool, typer.Option("--lost", help="It came to nothing.")] = False,
    value: Annotated[Optional[str], typer.Option("--value", metavar="N", help="The closed value (default: the recorded one).")] = None,
    on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", help="When it closed (default: today).")] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Close an already closed referral again.")] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Close a referral as won (with its value) or lost.

    Example: cno referral close 7 --won --value 4800
    """
    if won == lost:
        raise CnoError("say how it closed: --won or --lost" if not won else "--won and --lost exclude each other")
    day = today(as_of)
    when = _on(on, day)
    amount = _value(value)
    j = session().journal()
    with j.write() as conn:
        row = referrals.close_referral(conn, referral_id, day, won=won, value=amount, on=when, reopen=reopen)
    worth = f", {referrals.amount(row['closed_value']):,}" if row["closed_value"] is not None else ""
    note(f"referral #{referral_id} {row['status']} on {row['closed_on']}{worth}")


@referral_app.command("edit")
def edit(
    referral_id: IdArg,
    contact: Annotated[Optional[str], typer.Option("--contact", metavar="REF", help="Who it was passed with.", shell_complete=complete_ref)] = None,
    prospect: Annotated[Optional[str], typer.Option("--for", metavar="TEXT|REF", help="Who or what it is for.")] = None,
    value: ValueOpt = None,
    on: OnOpt = None,
    text: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="Replace the note.")] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Make a won or lost referral open again.")] = False,
    clear: Annotated[Optional[List[str]], typer.Option(metavar="FIELD", help="Empty for, value or note.")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Change a referral.

    Example: cno referral edit 7 --value 6000 --note "signed for two years"
    """
    day = today(as_of)
    when = _on(on, day)
    amount = _value(value)
    j = session().journal()
    with j.write() as conn:
        cid = resolve(conn, contact)["id"] if contact is not None else None
        changed = referrals.edit_referral(
            conn, referral_id, day, contact_id=cid, prospect=prospect, value=amount, on=when, note=text,
            reopen=reopen, clear=clear or [],
        )  # fmt: skip
        if not changed:
            raise CnoError("nothing to change — give an option such as --value, --for, --note or --reopen")
    note(f"updated referral #{referral_id}: {', '.join(changed)}")


@referral_app.command("list")
def list_(
    open_: Annotated[bool, typer.Option("--open", help="Only open referrals.")] = False,
    since: SinceOpt = None,
    ref: ListRef = None,
    contact: ContactOpt = None,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Referrals with their ids, newest first.

    Example: cno referral list --open --since 3m -f json
    """
    fmt = check_format(fmt)
    day = today(as_of)
    start = parse_since(since, day) if since is not None else None
    contact = one_contact(ref, contact)
    j = session().reader()
    rows = []
    if j is not None:
        cid = resolve(j.conn, contact)["id"] if contact is not None else None
        rows = referrals.list_referrals(j.conn, day, open_only=open_, since=start, contact_id=cid)
    from cno.render import referrals as views
    from cno.render import render

    render(views.referral_list(rows), fmt)


@referral_app.command("rm")
def rm(referral_id: IdArg) -> None:
    """Delete a referral.

    Example: cno referral rm 7
    """
    j = session().journal()
    with j.write() as conn:
        row = referrals.remove_referral(conn, referral_id)
    way = "given to" if row["direction"] == "given" else "received from"
    note(f"deleted referral #{referral_id} {way} {row['name']} on {row['on']} {UNDO_HINT}")


@app.command()
def intro(
    a: Annotated[str, typer.Argument(metavar="A", help="One person: id, e-mail, name or part of it.", shell_complete=complete_ref)],
    b: Annotated[str, typer.Argument(metavar="B", help="The other person.", shell_complete=complete_ref)],
    text: Annotated[Optional[str], typer.Argument(metavar="NOTE", help="Why they should meet.")] = None,
    on: OnOpt = None,
    via: Annotated[str, typer.Option("--via", metavar="CHANNEL", help=f"One of: {', '.join(CHANNELS)}.", autocompletion=complete_from(CHANNELS))] = "other",
    as_of: AsOfOpt = None,
) -> None:
    """I introduced A and B: one touchpoint with both, counted as a give to each.

    Example: cno intro ada grace "both building compilers" --via email
    """
    day = today(as_of)
    when = parse_past(on, day) if on is not None else day
    via = parse_channel(via)
    j = session().journal()
    with j.write() as conn:
        pa, pb = resolve(conn, a), resolve(conn, b)
        tid = referrals.intro(conn, pa["id"], pb["id"], day, when=when, via=via, note=text)
    note(f"introduced {pa['name']} and {pb['name']} on {iso(when).replace('T', ' ')} (touchpoint #{tid})")


@app.command("referrals")
def report(
    since: SinceOpt = None,
    period: Annotated[Optional[str], typer.Option(metavar="PERIOD", help="The current week, month, quarter or year.")] = None,
    top: Annotated[Optional[int], typer.Option("--top", "-n", metavar="N", max=MAX_INT, help="Only the N most active contacts.")] = None,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Who gives and who receives: per contact given, received, intros, won value and balance.

    Example: cno referrals --period quarter --top 10
    """
    fmt = check_format(fmt)
    day = today(as_of)
    if since is not None and period is not None:
        raise CnoError("--since and --period exclude each other")
    referrals.check_top(top)
    start = end = None
    window = f"all time to {day.isoformat()}"
    if since is not None:
        start = parse_since(since, day)
        window = f"{start.isoformat()} to {day.isoformat()}"
    elif period is not None:
        from cno.goals import parse_period, period_bounds

        period = parse_period(period)
        start, end = period_bounds(period, day)
        window = f"this {period}, {start.isoformat()} to {end.isoformat()}"
    j = session().reader()
    rows, totals = [], None
    if j is not None:
        rows, totals = referrals.ledger(j.conn, day, since=start, until=end, top=top)
    from cno.render import referrals as views
    from cno.render import render

    render(views.report(rows, totals, window=window), fmt)
