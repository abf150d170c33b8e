"""Contact commands: add, edit, show, list, archive, rm, merge, milestone."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from cno import contacts, milestones, render
from cno.cli.common import (
    MAX_INT,
    ContactOpt,
    ListRef,
    one_contact,
    complete_from,
    TAGS_COMPLETE,
    TIERS_COMPLETE,
    UNDO_HINT,
    DASH_OK,
    AsOfOpt,
    FormatOpt,
    RefArg,
    TagsOpt,
    check_format,
    complete_ref,
    confirm,
    note,
    now_for,
    session,
    today,
)
from cno.dates import day_of, parse_date
from cno.errors import CnoError
from cno.refs import resolve

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

Company = Annotated[Optional[str], typer.Option(help="Company.")]
Role = Annotated[Optional[str], typer.Option(help="Role or title.")]
Emails = Annotated[Optional[List[str]], typer.Option("--email", "-e", metavar="EMAIL", help="E-mail (repeatable).")]
Phones = Annotated[Optional[List[str]], typer.Option("--phone", metavar="PHONE", help="Phone (repeatable).")]
Tier = Annotated[
    Optional[str], typer.Option(metavar="A|B|C", help="Tier: A 30d, B 90d, C 180d cadence by default.", autocompletion=TIERS_COMPLETE)
]
Every = Annotated[Optional[str], typer.Option(metavar="DURATION", help="Own check-in cadence, e.g. 3w.")]
Birthday = Annotated[Optional[str], typer.Option(metavar="DATE|MM-DD", help="Birthday, with or without year.")]
Tz = Annotated[Optional[str], typer.Option(metavar="ZONE", help="IANA time zone, e.g. Europe/London.")]
Location = Annotated[Optional[str], typer.Option(help="Where they are.")]
Met = Annotated[Optional[str], typer.Option(metavar="TEXT", help="How or where you met.")]
MetOn = Annotated[Optional[str], typer.Option(metavar="DATE", help="When you met (default: today).")]
LinkedIn = Annotated[Optional[str], typer.Option(metavar="URL", help="LinkedIn profile URL.")]
Note = Annotated[Optional[str], typer.Option(metavar="TEXT", help="A note about them.")]
Nicks = Annotated[
    Optional[List[str]], typer.Option("--nick", metavar="NICK", help="A nickname they go by (repeatable); a REF matches it.")
]


@app.command()
def add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Full name.")],
    company: Company = None,
    role: Role = None,
    email: Emails = None,
    phone: Phones = None,
    tag: TagsOpt = None,
    tier: Tier = None,
    every: Every = None,
    birthday: Birthday = None,
    tz: Tz = None,
    location: Location = None,
    met: Met = None,
    met_on: MetOn = None,
    linkedin: LinkedIn = None,
    note_: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="A note about them.")] = None,
    nick: Nicks = None,
    again: Annotated[
        bool, typer.Option("--again", help="Another person with a name a contact already has: add them anyway.")
    ] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Add a contact; a name a contact already has is refused unless --again.

    Example: cno add "Ada Lovelace" --company Analytical --tier A --tag mentor --email ada@example.com --nick Ada
    """
    day = today(as_of)
    data = contacts.ContactInput(
        company=company, role=role, tier=tier, every=every, birthday=birthday, timezone=tz, location=location,
        met=met, met_on=met_on, linkedin=linkedin, note=note_, emails=email or [], phones=phone or [], tags=tag or [],
        nicks=nick or [],
    )  # fmt: skip
    j = session().journal()
    with j.write() as conn:
        cid = contacts.add_contact(conn, name, data, day, again=again)
        row = contacts.get(conn, cid)
    note(f"added {row['name']} (#{cid})" + (f", next check-in {row['next_due_on']}" if row["next_due_on"] else ""))


@app.command()
def edit(
    ref: RefArg,
    name: Annotated[Optional[str], typer.Option("--name", metavar="NEW", help="Rename.")] = None,
    company: Company = None,
    role: Role = None,
    email: Emails = None,
    phone: Phones = None,
    tag: TagsOpt = None,
    untag: Annotated[Optional[List[str]], typer.Option(metavar="TAG", help="Remove a tag (repeatable).")] = None,
    tier: Tier = None,
    every: Every = None,
    birthday: Birthday = None,
    tz: Tz = None,
    location: Location = None,
    met: Met = None,
    met_on: MetOn = None,
    linkedin: LinkedIn = None,
    note_: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="Replace the note.")] = None,
    nick: Nicks = None,
    remove_email: Annotated[Optional[List[str]], typer.Option(metavar="EMAIL", help="Remove one e-mail (repeatable).")] = None,
    remove_phone: Annotated[Optional[List[str]], typer.Option(metavar="PHONE", help="Remove one phone, by its digits (repeatable).")] = None,
    remove_nick: Annotated[Optional[List[str]], typer.Option(metavar="NICK", help="Remove a nickname (repeatable).")] = None,
    clear: Annotated[
        Optional[List[str]],
        typer.Option(metavar="FIELD", help="Empty a field: company, role, tier, every, birthday, tz, ..., emails, phones, tags, nicks."),
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Change a contact's fields; --email, --phone, --tag and --nick add to what is there.

    Example: cno edit ada --company "Babbage & Co" --tag advisor --remove-email old@example.com --clear every
    """
    day = today(as_of)
    data = contacts.ContactInput(
        company=company, role=role, tier=tier, every=every, birthday=birthday, timezone=tz, location=location,
        met=met, met_on=met_on, linkedin=linkedin, note=note_, emails=email or [], phones=phone or [], tags=tag or [],
        nicks=nick or [],
    )  # fmt: skip
    j = session().journal()
    with j.write() as conn:
        contact = resolve(conn, ref)
        changed = contacts.edit_contact(
            conn, contact["id"], data, day, new_name=name, untag=untag or [], clear=clear or [],
            remove_emails=remove_email or [], remove_phones=remove_phone or [], remove_nicks=remove_nick or [],
        )  # fmt: skip
        if not changed:
            raise CnoError("nothing to change — give an option such as --company, --tag or --clear FIELD")
        row = contacts.get(conn, contact["id"])
    note(f"updated {row['name']} (#{row['id']}): {', '.join(changed)}")


@app.command()
def show(ref: RefArg, fmt: FormatOpt = "table", as_of: AsOfOpt = None) -> None:
    """Show a contact's card: fields, cadence, follow-ups, milestones and timeline.

    Example: cno show ada -f json
    """
    fmt = check_format(fmt)
    day = today(as_of)
    j = session().reader()
    if j is None:
        raise CnoError(f"no contact matches {ref!r} (the journal is empty)")
    contact = resolve(j.conn, ref)
    card = contacts.card(j.conn, contact["id"], day, now=now_for(day, as_of))
    render.render(render.card(card), fmt)


def _list(tag, tier, company, archived, all_, sort, fmt, as_of):
    fmt = check_format(fmt)
    if archived and all_:
        raise CnoError("--archived and --all exclude each other")
    which = "archived" if archived else "all" if all_ else "active"
    if sort not in contacts.SORTS:
        raise CnoError(f"unknown sort {sort!r} — use {', '.join(contacts.SORTS)}")
    j = session().reader()
    day = today(as_of)
    rows = [] if j is None else contacts.list_contacts(
        j.conn, day, tag=tag, tier=tier, company=company, archived=which, sort=sort, addresses=render.every_key(fmt)
    )
    render.render(render.contact_list(rows), fmt)


Sort = Annotated[str, typer.Option(metavar="KEY", help="name, last, next or strength.", autocompletion=complete_from(contacts.SORTS))]


@app.command("list")
def list_(
    tag: Annotated[Optional[str], typer.Option("--tag", "-t", metavar="TAG", help="Only contacts with this tag.", autocompletion=TAGS_COMPLETE)] = None,
    tier: Annotated[Optional[str], typer.Option(metavar="A|B|C", help="Only this tier.", autocompletion=TIERS_COMPLETE)] = None,
    company: Annotated[Optional[str], typer.Option(help="Only companies containing this.")] = None,
    archived: Annotated[bool, typer.Option("--archived", help="Only archived contacts.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Active and archived contacts.")] = False,
    sort: Sort = "name",
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """List contacts (alias: ls).

    Example: cno list --tier A --sort next -f csv
    """
    _list(tag, tier, company, archived, all_, sort, fmt, as_of)


app.command("ls", hidden=True, help="Alias of list.\n\nExample: cno ls --tag mentor")(list_)


@app.command()
def archive(ref: RefArg) -> None:
    """Archive a contact: kept, but never due and out of lists.

    Example: cno archive "old colleague"
    """
    j = session().journal()
    with j.write() as conn:
        c = resolve(conn, ref)
        contacts.set_archived(conn, c, True)
    note(f"archived {c['name']} (#{c['id']})")


@app.command()
def unarchive(ref: RefArg) -> None:
    """Bring an archived contact back.

    Example: cno unarchive 12
    """
    j = session().journal()
    with j.write() as conn:
        c = resolve(conn, ref)
        contacts.set_archived(conn, c, False)
    note(f"unarchived {c['name']} (#{c['id']})")


@app.command()
def rm(ref: RefArg, yes: Annotated[bool, typer.Option("--yes", "-y", help="Don't ask.")] = False) -> None:
    """Delete a contact and what is only theirs (asks first on a terminal).

    Example: cno rm "Test Person" --yes
    """
    j = session().journal()
    c = resolve(j.conn, ref)
    # ask before taking the write lock, so a slow answer blocks no other cno
    confirm(
        f"Delete {c['name']} (#{c['id']}) and their touchpoints, follow-ups and milestones?",
        yes,
        f"not deleting {c['name']} (#{c['id']}) without --yes (no terminal to ask on)",
    )
    with j.write() as conn:
        gone = contacts.remove_contact(conn, c["id"])
    note(f"deleted {c['name']} (#{c['id']}){_with(gone)} {UNDO_HINT}")


def _with(counts: dict[str, int]) -> str:
    """', with 3 touchpoints and 1 follow-up' — what went along with a contact."""
    nouns = {"touchpoints": "touchpoint", "followups": "follow-up", "milestones": "milestone", "referrals": "referral"}
    parts = [f"{n} {nouns[k]}{'s' * (n != 1)}" for k, n in counts.items() if n]
    return f", with {', '.join(parts[:-1]) + ' and ' + parts[-1] if len(parts) > 1 else parts[0]}" if parts else ""


@app.command()
def merge(
    ref: RefArg,
    into: Annotated[str, typer.Argument(metavar="INTO", help="The contact to keep.", shell_complete=complete_ref)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Don't ask.")] = False,
) -> None:
    """Merge a duplicate into another contact: moves everything, fills empty fields (asks first on a terminal).

    The earlier of the two met-on dates is kept. Without a terminal it needs --yes.

    Example: cno merge "A. Lovelace" "Ada Lovelace" --yes
    """
    j = session().journal()
    src = resolve(j.conn, ref)
    dst = resolve(j.conn, into)
    contacts.check_mergeable(src, dst)
    # ask before taking the write lock, so a slow answer blocks no other cno
    confirm(
        f"Merge {src['name']} (#{src['id']}) into {dst['name']} (#{dst['id']}), deleting #{src['id']}?",
        yes,
        f"not merging {src['name']} (#{src['id']}) into {dst['name']} (#{dst['id']}) without --yes (no terminal to ask on)",
    )
    with j.write() as conn:
        src, dst = contacts.get(conn, src["id"]), contacts.get(conn, dst["id"])
        filled = contacts.merge_contacts(conn, src, dst)
    note(
        f"merged {src['name']} (#{src['id']}) into {dst['name']} (#{dst['id']})"
        + (f"; filled {', '.join(filled)}" if filled else "") + f"; #{src['id']} deleted {UNDO_HINT}"
    )


# -- milestones ---------------------------------------------------------------

milestone_app = typer.Typer(help="Personal details worth remembering: a new job, an anniversary.", no_args_is_help=True)
app.add_typer(milestone_app, name="milestone")


@milestone_app.command("add", context_settings=DASH_OK)
def milestone_add(
    ref: RefArg,
    label: Annotated[str, typer.Argument(metavar="LABEL", help="What happened.")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="When.")],
    yearly: Annotated[bool, typer.Option("--yearly", help="Comes back every year (an anniversary).")] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Remember a milestone of a contact.

    Example: cno milestone add ada "wedding anniversary" 2019-06-14 --yearly
    """
    day = today(as_of)
    when = day_of(parse_date(on, day))
    j = session().journal()
    with j.write() as conn:
        c = resolve(conn, ref)
        mid = milestones.add_milestone(conn, c["id"], label, when, yearly)
    note(f"added milestone #{mid} for {c['name']} on {when.isoformat()}" + (", every year" if yearly else ""))


@milestone_app.command("list")
def milestone_list(
    ref: ListRef = None,
    contact: ContactOpt = None,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """List milestones with ids and their next date.

    Example: cno milestone list ada   (or: -c ada)
    """
    fmt = check_format(fmt)
    day = today(as_of)
    contact = one_contact(ref, contact)
    j = session().reader()
    rows = []
    if j is not None:
        cid = resolve(j.conn, contact)["id"] if contact else None
        rows = milestones.list_milestones(j.conn, day, contact_id=cid)
    render.render(render.milestone_list(rows), fmt)


@milestone_app.command("edit", context_settings=DASH_OK)
def milestone_edit(
    milestone_id: Annotated[int, typer.Argument(metavar="ID", max=MAX_INT)],
    label: Annotated[Optional[str], typer.Option(help="New label.")] = None,
    on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", help="New date.")] = None,
    yearly: Annotated[Optional[bool], typer.Option("--yearly/--once", help="Every year, or once.")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Change a milestone.

    Example: cno milestone edit 3 --on 2020-06-14
    """
    day = today(as_of)
    when = day_of(parse_date(on, day)) if on is not None else None
    if label is None and when is None and yearly is None:
        raise CnoError("nothing to change — give --label, --on or --yearly/--once")
    j = session().journal()
    with j.write() as conn:
        milestones.edit_milestone(conn, milestone_id, label=label, on=when, yearly=yearly)
    note(f"updated milestone #{milestone_id}")


@milestone_app.command("rm")
def milestone_rm(milestone_id: Annotated[int, typer.Argument(metavar="ID", max=MAX_INT)]) -> None:
    """Delete a milestone.

    Example: cno milestone rm 3
    """
    j = session().journal()
    with j.write() as conn:
        row = milestones.remove_milestone(conn, milestone_id)
    note(f"deleted milestone #{milestone_id} ({row['label']}) of {row['name']} {UNDO_HINT}")
