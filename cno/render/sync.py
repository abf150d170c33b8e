"""The sync views: what a sync did (or would do), and the conflicts it settled."""

from __future__ import annotations

from cno.render import BLANK, Col, Fields, Heading, Report, Table

COUNTS = ("added", "updated", "archived", "removed", "written")
CONFLICT_COLS = [
    Col("uid", "uid", role="id"),
    Col("name", "name"),
    Col("field", "field", role="status"),
    Col("kept", "kept (cno)", role="date"),
    Col("other", "other (folder)", role="date"),
]


def report(data: dict, title: str) -> Report:
    """`data` holds the integer counts and `conflicts` (README "Reminders: cno sync tasks")."""

    def blocks(fmt: str) -> list:
        heading = title + (" (dry run: nothing written)" if data.get("dry_run") else "")
        pairs = [(k, str(data[k])) for k in COUNTS] + [
            (k, str(data[k])) for k in ("done", "moved", "skipped") if k in data and data[k]
        ]
        out = [Heading(heading), Fields(pairs)]
        if data["conflicts"]:
            out += [BLANK, Table(CONFLICT_COLS, data["conflicts"], title="Conflicts (cno's value kept)")]
        return out

    row = {k: data[k] for k in COUNTS} | {"conflicts": len(data["conflicts"])}
    return Report(data, blocks, csv=(list(row), [row]))


def summary(data: dict) -> str:
    """One line for stderr."""
    verb = "would write" if data.get("dry_run") else "wrote"
    parts = [f"{verb} {data['written']}", f"removed {data['removed']}", f"closed {data.get('done', 0)}",
             f"moved {data.get('moved', 0)}", f"logged {data['added']}"]  # fmt: skip
    if data["conflicts"]:
        parts.append(f"{len(data['conflicts'])} conflict{'' if len(data['conflicts']) == 1 else 's'} (cno's value kept)")
    if data.get("skipped"):
        parts.append(f"{data['skipped']} unreadable file{'' if data['skipped'] == 1 else 's'} skipped")
    return "sync tasks: " + ", ".join(parts)
