"""Report commands: review, suggest, stats."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cno import reports
from cno.cli.common import MAX_INT, AsOfOpt, FormatOpt, check_format, now_for, session, today
from cno.dates import parse_since
from cno.db import empty_journal
from cno.errors import CnoError
from cno.render import render
from cno.render import reports as views

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()


def _conn():
    """The journal's connection, or an empty in-memory one when there is no journal yet."""
    j = session().reader()
    return j.conn if j is not None else empty_journal().conn


@app.command()
def review(
    period: Annotated[str, typer.Option(metavar="PERIOD", help="week (7 days), month (30) or quarter (91).")] = "week",
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, plain, md, html or json.")] = "table",
    quiet_if_empty: Annotated[bool, typer.Option("--quiet-if-empty", help="Print nothing when nothing is overdue or coming up.")] = False,
    as_of: AsOfOpt = None,
) -> None:
    """The digest for cron: overdue, coming up, goals, referrals, time, cooling, new contacts.

    Example: cno review --format html | mail -a 'Content-Type: text/html' -s 'cno review' me@example.com
    """
    fmt = check_format(fmt, views.REVIEW_FORMATS)
    period = reports.parse_review_period(period)
    report = reports.review(_conn(), today(as_of), period)
    if quiet_if_empty and reports.is_empty(report):
        return
    render(views.review(report), fmt)


@app.command()
def suggest(
    n: Annotated[int, typer.Option("-n", metavar="N", max=MAX_INT, help="How many.")] = 5,
    explain: Annotated[bool, typer.Option("--explain", help="Show each term of the score.")] = False,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Who to reach out to today, each with the reason.

    Example: cno suggest -n 3 --explain
    """
    fmt = check_format(fmt)
    if n < 1:
        raise CnoError("-n must be at least 1")
    day = today(as_of)
    render(views.suggestions(reports.suggest(_conn(), day, n=n, now=now_for(day, as_of)), explain), fmt)


@app.command()
def stats(
    since: Annotated[Optional[str], typer.Option(metavar="DURATION|DATE", help="From (default 12w).")] = None,
    by: Annotated[str, typer.Option(metavar="KEY", help="Breakdown: tag, tier, channel or company.")] = "channel",
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Touchpoints per week, engagement with tier A, and a breakdown.

    Example: cno stats --since 6m --by tag
    """
    fmt = check_format(fmt)
    day = today(as_of)
    render(views.stats(reports.stats(_conn(), day, parse_since(since or "12w", day), by.strip().lower())), fmt)
