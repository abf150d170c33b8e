"""Journal-wide commands: config and demo."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cno import followups, render, settings
from cno.cli.common import AsOfOpt, FormatOpt, check_format, note, session, today
from cno.errors import CnoError

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

config_app = typer.Typer(help="Settings kept in the journal, such as cadences per tier and tag.", no_args_is_help=True)
app.add_typer(config_app, name="config")

Key = Annotated[str, typer.Argument(metavar="KEY", help="cadence.A|B|C, cadence.tag.TAG or me.email.")]


@config_app.command("get")
def config_get(key: Key) -> None:
    """Print a setting's value.

    Example: cno config get cadence.A
    """
    j = session().reader()
    value = settings.get(j.conn, key) if j is not None else settings.get_default(key)
    if value is None:
        raise CnoError(f"setting {key!r} is not set")
    print(value)


@config_app.command("set")
def config_set(key: Key, value: Annotated[str, typer.Argument(metavar="VALUE")]) -> None:
    """Change a setting; cadence changes re-date every contact's next check-in.

    Example: cno config set cadence.tag.family 14d
    """
    j = session().journal()
    with j.write() as conn:
        key, value = settings.put(conn, key, value)
        if key.startswith("cadence."):
            followups.refresh(conn)
    note(f"{key} = {value}")


@config_app.command("unset")
def config_unset(key: Key) -> None:
    """Remove a setting (a tier cadence goes back to its default).

    Example: cno config unset cadence.tag.family
    """
    j = session().journal()
    with j.write() as conn:
        key = settings.unset(conn, key)
        if key.startswith("cadence."):
            followups.refresh(conn)
    note(f"unset {key}")


@config_app.command("list")
def config_list(fmt: FormatOpt = "table") -> None:
    """List the settings in effect, defaults included.

    Example: cno config list -f json
    """
    fmt = check_format(fmt)
    j = session().reader()
    rows = settings.listing(j.conn) if j is not None else settings.default_listing()
    render.render(render.settings_list(rows), fmt)


@app.command()
def demo(
    path: Annotated[Optional[str], typer.Argument(metavar="[PATH]", help="Where to write it (default ./cno-demo.db).")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Write a realistic demo journal and print its weekly review.

    The demo never touches your real journal: it ignores --db and CNO_DB.

    Example: cno demo && CNO_DB=cno-demo.db cno list
    """
    from pathlib import Path

    from cno import demo as demo_mod
    from cno import reports
    from cno.render import reports as views

    day = today(as_of)
    target = Path(path or "cno-demo.db")
    summary = demo_mod.write_demo(target, day)
    note(
        f"wrote a demo journal to {target}: {summary['contacts']} contacts, {summary['touchpoints']} touchpoints, "
        f"{summary['follow_ups']} open follow-ups, {summary['referrals']} referrals, {summary['goals']} goals\n"
    )
    journal = summary["journal"]
    try:
        render.render(views.review(reports.review(journal.conn, day, "week")), "table")
    finally:
        journal.close()
    print(demo_mod.explore_text(target))
