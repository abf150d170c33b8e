"""The view of `cno changes`."""

from __future__ import annotations

from cno.render import Col, Listing

CHANGE_COLS = [
    Col("id", "id", justify="right", role="id"),
    Col("at", "at", lambda v: v.replace("T", " "), role="date"),
    Col("command", "command", lambda v: f"cno {v}", role="note"),
    Col("summary", "what it did", role="note"),
    Col("rows", "rows", lambda v: f"{v:,}", "right"),
    Col("undone", "undone", lambda v: "undone" if v else "", role="status"),
]
CHANGE_KEYS = ["id", "at", "command", "summary", "rows", "undone"]


def changes(rows: list[dict]) -> Listing:
    return Listing(rows, CHANGE_COLS, keys=CHANGE_KEYS, empty="no changes yet")
