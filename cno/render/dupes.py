"""The view of `cno dupes`: pairs of likely duplicates."""

from __future__ import annotations

from cno.render import Col, Listing

# What JSON and CSV hold: SPEC's keys, then the archived flags and the merge line.
KEYS = ["a_id", "a_name", "b_id", "b_name", "reasons", "score", "a_archived", "b_archived", "merge"]

COLS = [
    Col("score", "score", justify="right"),
    Col("a_id", "keep", justify="right", role="id"),
    Col("a_shown", "name"),
    Col("b_id", "merge in", justify="right", role="id"),
    Col("b_shown", "name"),
    Col("reasons", "reasons", role="note"),
    Col("merge", "run", role="note"),
]


def _shown(name: str, archived: bool) -> str:
    return f"{name} (archived)" if archived else name


def _shown_rows(rows: list[dict]) -> list[dict]:
    return [
        {**r, "a_shown": _shown(r["a_name"], r["a_archived"]), "b_shown": _shown(r["b_name"], r["b_archived"])}
        for r in rows
    ]


def dupes(rows: list[dict]) -> Listing:
    return Listing(rows, COLS, title="Likely duplicates", keys=KEYS, empty="no likely duplicates", shown=_shown_rows)
