"""The view of `cno dupes`: pairs of likely duplicates."""

from __future__ import annotations

from cno.render import Col, emit

# What JSON and CSV hold: SPEC's keys, then the archived flags and the merge line.
KEYS = ["a_id", "a_name", "b_id", "b_name", "reasons", "score", "a_archived", "b_archived", "merge"]

COLS = [
    Col("score", "score", justify="right"),
    Col("a_id", "keep", justify="right"),
    Col("a_shown", "name"),
    Col("b_id", "merge in", justify="right"),
    Col("b_shown", "name"),
    Col("reasons", "reasons"),
    Col("merge", "run"),
]


def _shown(name: str, archived: bool) -> str:
    return f"{name} (archived)" if archived else name


def dupes(rows: list[dict], fmt: str) -> None:
    if fmt in ("json", "csv"):
        emit(rows, fmt, COLS, keys=KEYS)
        return
    shown = [
        {**r, "a_shown": _shown(r["a_name"], r["a_archived"]), "b_shown": _shown(r["b_name"], r["b_archived"])}
        for r in rows
    ]
    emit(shown, fmt, COLS, title="Likely duplicates", empty="no likely duplicates")
