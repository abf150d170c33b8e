"""The sync views: what a sync did (or would do), and the conflicts it settled
(README "Your phone and other machines")."""

from __future__ import annotations

from cno.render import BLANK, Col, Fields, Heading, Report, Table, cell_text
from cno.sync import COUNTS

CONFLICT_COLS = [
    Col("uid", "uid", role="id"),
    Col("name", "name"),
    Col("field", "field", role="status"),
    Col("kept", "kept (cno)", role="note"),
    Col("other", "other (folder)", role="note"),
]
EXTRA = ("done", "moved", "skipped")  # the counts only some syncs have


def _shown(v) -> str:
    return ", ".join(v) if isinstance(v, list) else cell_text(v)


def report(data: dict, title: str, dry_run: bool) -> Report:
    """`-f json`: the object of counts and conflicts; the text formats: the counts, then the conflicts."""

    def blocks(fmt: str) -> list:
        pairs = [(k, str(data[k])) for k in COUNTS] + [(k, str(data[k])) for k in EXTRA if data.get(k)]
        out = [Heading(title + (" (dry run: nothing written)" if dry_run else "")), Fields(pairs)]
        if data["conflicts"]:
            rows = [{**c, "kept": _shown(c["kept"]), "other": _shown(c["other"])} for c in data["conflicts"]]
            out += [BLANK, Table(CONFLICT_COLS, rows, title=f"Conflicts (cno's value {'would be ' if dry_run else ''}kept)")]
        return out

    row = {k: data[k] for k in COUNTS} | {"conflicts": len(data["conflicts"])}
    return Report(data, blocks, csv=(list(row), [row]))


def changed(data: dict) -> bool:
    """Whether there is anything to say (from cron, a sync that did nothing says nothing)."""
    return any(data[k] for k in COUNTS) or bool(data["conflicts"]) or bool(data.get("skipped"))


def summary(data: dict, what: str, dry_run: bool) -> str:
    """One line for stderr."""
    verb = "would write" if dry_run else "wrote"
    parts = [f"{verb} {data['written']}", f"removed {data['removed']}"]
    if "done" in data:
        parts += [f"closed {data['done']}", f"moved {data['moved']}", f"logged {data['added']}"]
    else:
        parts += [f"added {data['added']}", f"updated {data['updated']}", f"archived {data['archived']}"]
    n = len(data["conflicts"])
    if n:
        parts.append(f"{n} conflict{'' if n == 1 else 's'} (cno's value kept)")
    if data.get("skipped"):
        parts.append(f"{data['skipped']} unreadable file{'' if data['skipped'] == 1 else 's'} skipped")
    return f"sync {what}: " + ", ".join(parts)
