"""The sync views: the counts of what a sync did (or would do), and its conflicts."""

from __future__ import annotations

from cno.render import Col, Para, Report, Table, cell_text

CONFLICT_COLS = [
    Col("name", "name"),
    Col("field", "field", role="status"),
    Col("kept", "kept (cno)", role="note"),
    Col("other", "other (card)", role="note"),
    Col("uid", "uid", role="id"),
]


def _shown(v) -> str:
    return ", ".join(v) if isinstance(v, list) else cell_text(v)


def result(res, what: str) -> Report:
    """`-f json`: the object SPEC names; the text formats: one line of counts, then the conflicts."""
    data = res.data()

    def blocks(fmt: str) -> list:
        counts = ", ".join(f"{data[k]} {k}" for k in ("added", "updated", "archived", "removed", "written"))
        head = f"sync {what}{' (dry run, nothing written)' if res.dry_run else ''}: {counts}"
        out = [Para(head)]
        if res.conflicts:
            rows = [{**c, "kept": _shown(c["kept"]), "other": _shown(c["other"])} for c in res.conflicts]
            out.append(Table(CONFLICT_COLS, rows, title=f"Conflicts (cno's value {'would be ' if res.dry_run else ''}kept)"))
        return out

    keys = ["uid", "name", "field", "kept", "other"]
    rows = [{**c, "kept": _shown(c["kept"]), "other": _shown(c["other"])} for c in res.conflicts]
    return Report(data, blocks, csv=(keys, rows))


def quiet(res) -> bool:
    """Nothing to say (for cron): nothing changed, no conflict."""
    d = res.data()
    return not any(d[k] for k in ("added", "updated", "archived", "removed", "written")) and not res.conflicts
