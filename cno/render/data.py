"""Views of the data commands: an import's dry run, search results, the network map."""

from __future__ import annotations

from cno.render import Col, clean, emit, to_json, write

IMPORT_COLS = [
    Col("action", "action"),
    Col("id", "id", justify="right"),
    Col("name", "name"),
    Col("line", "line", justify="right"),
    Col("fields", "fields"),
]


def import_plan(rows: list[dict], fmt: str) -> None:
    """What an import would do: one row per record."""
    emit(rows, fmt, IMPORT_COLS, title="Import (dry run: nothing written)", empty="nothing to import")


SEARCH_COLS = [
    Col("kind", "kind"),
    Col("id", "id", justify="right"),
    Col("names", "who"),
    Col("date", "date"),
    Col("snippet", "match"),
]


def search_results(rows: list[dict], fmt: str, text: str) -> None:
    emit(rows, fmt, SEARCH_COLS, empty=f"nothing matches {text!r}")


def _dot_string(text: str) -> str:
    # control characters escaped as everywhere else, then DOT's own quoting
    return '"' + clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


_EDGE_STYLE = {
    "intro": 'dir=none, style=dashed, color="#2a9d8f"',
    "referral-given": 'color="#e76f51"',
    "referral-received": 'color="#264653"',
    "prospect": 'style=dotted, color="#8d99ae"',
}


def graph(net: dict, fmt: str) -> None:
    if fmt == "json":
        write(to_json(net))
        return
    lines = [
        "digraph cno {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded"];',
    ]
    for n in net["nodes"]:
        shape = ", shape=doublecircle" if n["contact_id"] is None else ""
        lines.append(f"  {_dot_string(n['id'])} [label={_dot_string(n['name'])}{shape}];")
    for e in net["edges"]:
        label = e["kind"] + (f" ×{e['count']}" if e["count"] > 1 else "")
        lines.append(f"  {_dot_string(e['source'])} -> {_dot_string(e['target'])} [label={_dot_string(label)}, {_EDGE_STYLE[e['kind']]}];")
    lines.append("}")
    write("\n".join(lines))
