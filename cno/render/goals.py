"""The goal views: definitions (`cno goal list`) and progress (`cno goals`)."""

from __future__ import annotations

import sys
from datetime import date

from cno.goals import status
from cno.render import Col, console, emit, md_table, plain_table, print_rich, visible, write

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


PROGRESS_COLS = [
    Col("id", "id", justify="right"),
    Col("title", "goal"),
    Col("measures", "metric"),
    Col("label", "period"),
    Col("progress", "progress", justify="right"),
    Col("bar", "bar"),
    Col("percent", "%", lambda v: f"{v}%", "right"),
    Col("pace", "pace", style=_pace_style),
]


def progress(rows: list[dict], fmt: str, today: date) -> None:
    title = f"Goals as of {today.isoformat()}"
    empty = "no goals yet — add one with: cno goal add 'CNO time budget' --metric minutes --target 150"
    if fmt in ("json", "csv") or not rows:
        emit(rows, fmt, PROGRESS_COLS, keys=PROGRESS_KEYS, empty=empty)
    elif fmt == "plain":
        write(plain_table(_shown(rows), PROGRESS_COLS, title=title))
    elif fmt == "md":
        write(md_table(_shown(rows), PROGRESS_COLS, title=title))
    else:
        print_rich(_rich_progress(_shown(rows), title))


def _rich_progress(rows: list[dict], title: str):
    """A Rich table whose bar column is Rich's ProgressBar where colour shows it.

    Without colour Rich draws only the completed part of its bar, so a
    colourless table (a pipe, cron mail, NO_COLOR) keeps the text bar.
    """
    from rich import box
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    out = console(sys.stdout)
    coloured = out.color_system is not None and not out.no_color
    t = Table(
        title=Text(visible(title), style="bold"), box=box.SIMPLE_HEAD, header_style="bold", title_justify="left"
    )
    for c in PROGRESS_COLS:
        t.add_column(c.header, justify=c.justify, width=BAR_WIDTH if c.key == "bar" else None)
    for r in rows:
        cells = []
        for c in PROGRESS_COLS:
            if c.key == "bar" and coloured:
                cells.append(ProgressBar(total=r["target"], completed=r["value"], width=BAR_WIDTH))
            else:
                cells.append(Text(visible(c.text(r)), style=(c.style(r) if c.style else None) or ""))
        t.add_row(*cells)
    return t


GOAL_COLS = [
    Col("id", "id", justify="right"),
    Col("title", "goal"),
    Col("metric", "metric"),
    Col("target", "target", justify="right"),
    Col("period", "per"),
    Col("tag", "tag"),
    Col("tier", "tier"),
    Col("created_on", "created"),
]


def goal_list(rows: list[dict], fmt: str) -> None:
    emit(rows, fmt, GOAL_COLS, empty="no goals yet — add one with: cno goal add TITLE --metric M --target N")
