"""Goal commands: goal add|edit|rm|list, and goals (progress)."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from cno import goals
from cno.cli.common import TAGS_COMPLETE, TIERS_COMPLETE, complete_from, UNDO_HINT, MAX_INT, AsOfOpt, FormatOpt, check_format, note, session, today

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

GoalId = Annotated[int, typer.Argument(metavar="ID", max=MAX_INT, help="The goal's id (see: cno goal list).")]
Metric = f"One of: {', '.join(goals.METRICS)}."
Per = "The calendar period: week (ISO, Monday–Sunday), month, quarter or year."
Tag = Annotated[
    Optional[str], typer.Option("--tag", "-t", metavar="TAG", help="Count only contacts with this tag.", autocompletion=TAGS_COMPLETE)
]
Tier = Annotated[
    Optional[str], typer.Option("--tier", metavar="A|B|C", help="Count only contacts of this tier.", autocompletion=TIERS_COMPLETE)
]

goal_app = typer.Typer(help="Define networking goals (see their progress with: cno goals).", no_args_is_help=True)
app.add_typer(goal_app, name="goal")


def _describe(row) -> str:
    what = f"{row['target']} {row['metric']} per {row['per']}"
    if row["tag"]:
        what += f" with #{row['tag']}"
    if row["tier"]:
        what += f" in tier {row['tier']}"
    return f"goal #{row['id']} '{row['title']}': {what}"


@goal_app.command("add")
def goal_add(
    title: Annotated[str, typer.Argument(metavar="TITLE", help="What the goal is called.")],
    metric: Annotated[str, typer.Option("--metric", "-m", metavar="METRIC", help=Metric, autocompletion=complete_from(goals.METRICS))],
    target: Annotated[str, typer.Option("--target", metavar="N", help="How many per period (a positive whole number).")],
    per: Annotated[str, typer.Option("--per", metavar="PERIOD", help=Per, autocompletion=complete_from(goals.PERIODS))] = "week",
    tag: Tag = None,
    tier: Tier = None,
    as_of: AsOfOpt = None,
) -> None:
    """Add a goal; its progress is always counted from the journal.

    Example: cno goal add "CNO time budget" --metric minutes --target 150 --per week
    """
    day = today(as_of)
    j = session().journal()
    with j.write() as conn:
        gid = goals.add_goal(conn, title, metric, target, day, per=per, tag=tag, tier=tier)
        row = goals.get_goal(conn, gid)
    note(f"added {_describe(row)}")


@goal_app.command("edit")
def goal_edit(
    goal_id: GoalId,
    title: Annotated[Optional[str], typer.Option("--title", metavar="TITLE", help="Rename.")] = None,
    metric: Annotated[Optional[str], typer.Option("--metric", "-m", metavar="METRIC", help=Metric, autocompletion=complete_from(goals.METRICS))] = None,
    target: Annotated[Optional[str], typer.Option("--target", metavar="N", help="How many per period.")] = None,
    per: Annotated[Optional[str], typer.Option("--per", metavar="PERIOD", help=Per, autocompletion=complete_from(goals.PERIODS))] = None,
    tag: Tag = None,
    tier: Tier = None,
    clear: Annotated[Optional[List[str]], typer.Option("--clear", metavar="FIELD", help="Drop a filter: tag or tier.")] = None,
) -> None:
    """Change a goal's title, metric, target, period or filters.

    Example: cno goal edit 2 --target 200 --clear tag
    """
    j = session().journal()
    with j.write() as conn:
        goals.edit_goal(
            conn, goal_id, title=title, metric=metric, target=target, per=per, tag=tag, tier=tier, clear=clear or []
        )
        row = goals.get_goal(conn, goal_id)
    note(f"updated {_describe(row)}")


@goal_app.command("rm")
def goal_rm(goal_id: GoalId) -> None:
    """Delete a goal (the journal it was measured from is untouched).

    Example: cno goal rm 2
    """
    j = session().journal()
    with j.write() as conn:
        row = goals.remove_goal(conn, goal_id)
    note(f"deleted {_describe(row)} {UNDO_HINT}")


@goal_app.command("list")
def goal_list(fmt: FormatOpt = "table") -> None:
    """List goal definitions with their ids.

    Example: cno goal list -f json
    """
    from cno.render import goals as view
    from cno.render import render

    fmt = check_format(fmt)
    j = session().reader()
    render(view.goal_list([] if j is None else goals.list_goals(j.conn)), fmt)


@app.command("goals")
def goals_progress(
    history: Annotated[int, typer.Option("--history", metavar="N", max=MAX_INT, help="Also the N previous periods of each goal.")] = 0,
    fmt: FormatOpt = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Each goal in its current period: value/target, percent, a bar, and whether it is on pace.

    On pace means value ≥ target × the elapsed share of the period, today
    counted (on a Monday 1/7 of a weekly goal is due).

    Example: cno goals --history 4 -f json
    """
    from cno.render import goals as view
    from cno.render import render

    fmt = check_format(fmt)
    day = today(as_of)
    goals.check_history(history)
    j = session().reader()
    render(view.progress([] if j is None else goals.progress(j.conn, day, history), day), fmt)
