"""The view of `cno changes`."""

from __future__ import annotations

from cno.render import Col, emit

CHANGE_COLS = [
    Col("id", "id", justify="right"),
    Col("at", "at", lambda v: v.replace("T", " ")),
    Col("command", "command", lambda v: f"cno {v}"),
    Col("summary", "what it did"),
    Col("rows", "rows", lambda v: f"{v:,}", "right"),
    Col("undone", "undone", lambda v: "undone" if v else ""),
]
CHANGE_KEYS = ["id", "at", "command", "summary", "rows", "undone"]


def changes(rows: list[dict], fmt: str) -> None:
    emit(rows, fmt, CHANGE_COLS, keys=CHANGE_KEYS, empty="no changes yet")
