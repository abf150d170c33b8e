"""The goal views: definitions (`cno goal list`) and progress (`cno goals`)."""

from __future__ import annotations

import sys
from datetime import date

from cno.goals import status
from cno.render import Col, Listing, Table, console, rich_table

BAR_WIDTH = 10
# The pinned `goals` keys first (SPEC "Output"), then what cno adds.
PROGRESS_KEYS = [
    "id", "title", "metric", "target", "period", "period_start", "period_end", "value", "percent", "on_pace",
    "expected", "tag", "tier", "periods_ago",
]  # fmt: skip


def text_bar(value: int, target: int, width: int = BAR_WIDTH) -> str:
    """`██████░░░░`: full only once the target is met (rounded down, like percent)."""
    filled = min(width, value * width // target)
    return "█" * filled + "░" * (width - filled)


def period_label(per: str, start: str) -> str:
    """2026-W47, 2026-11, 2026-Q4 or 2026 — the name of the period starting on `start`."""
    d = date.fromisoformat(start)
    if per == "week":
        year, week, _ = d.isocalendar()
        return f"{year}-W{week:02d}"
    if per == "month":
        return f"{d.year}-{d.month:02d}"
    if per == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return str(d.year)


def _measures(row: dict) -> str:
    """The metric with its filter: `gives · #fintech · tier A`."""
    parts = [row["metric"]]
    if row.get("tag"):
        parts.append(f"#{row['tag']}")
    if row.get("tier"):
        parts.append(f"tier {row['tier']}")
    return " · ".join(parts)


PACE_STYLES = {"reached": "bold green", "on pace": "green", "behind": "yellow", "missed": "red"}


def _pace_style(row: dict) -> str | None:
    return PACE_STYLES[row["pace"]]


def _shown(rows: list[dict]) -> list[dict]:
    """Rows with the display-only cells that table, plain and md share."""
    return [
        {
            **r,
            "measures": _measures(r),
            "label": period_label(r["period"], r["period_start"]),
            "progress": f"{r['value']}/{r['target']}",
            "bar": text_bar(r["value"], r["target"]),
            "pace": status(r),
        }
        for r in rows
    ]


def _rich_bar(row: dict):
    from rich.progress_bar import ProgressBar

    return ProgressBar(total=row["target"], completed=row["value"], width=BAR_WIDTH)


# At a colour terminal the bar is Rich's ProgressBar; without colour Rich
# draws only the completed part of its bar, so a colourless table (a pipe,
# cron mail, NO_COLOR) keeps the text bar. At a narrow terminal the bar is the
# first to go: the percentage says the same.
PROGRESS_COLS = [
    Col("id", "id", justify="right", role="id"),
    Col("title", "goal"),
    Col("measures", "metric"),
    Col("label", "period", role="date"),
    Col("progress", "progress", justify="right", short="done"),
    Col("bar", "bar", role="status", optional=True, rich=_rich_bar),
    Col("percent", "%", lambda v: f"{v}%", "right"),
    Col("pace", "pace", style=_pace_style, role="status"),
]


def progress(rows: list[dict], today: date) -> Listing:
    empty = "no goals yet — add one with: cno goal add 'CNO time budget' --metric minutes --target 150"
    return Listing(rows, PROGRESS_COLS, title=f"Goals as of {today.isoformat()}", keys=PROGRESS_KEYS, empty=empty, shown=_shown)


def _rich_progress(rows: list[dict], title: str):
    """The goals as one Rich table, with Rich's bar where colour shows it (for Rich-composing callers)."""
    out = console(sys.stdout)
    return rich_table(Table(PROGRESS_COLS, rows, title=title), out.color_system is not None and not out.no_color)


GOAL_COLS = [
    Col("id", "id", justify="right", role="id"),
    Col("title", "goal"),
    Col("metric", "metric"),
    Col("target", "target", justify="right"),
    Col("period", "per", role="status"),
    Col("tag", "tag"),
    Col("tier", "tier", role="tier"),
    Col("created_on", "created", role="date"),
]


def goal_list(rows: list[dict]) -> Listing:
    return Listing(rows, GOAL_COLS, empty="no goals yet — add one with: cno goal add TITLE --metric M --target N")
