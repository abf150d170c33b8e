"""Views of the data commands: an import's dry run, search results, the network map."""

from __future__ import annotations

from collections.abc import Iterable

from cno.render import Col, Listing, Report, clean

IMPORT_COLS = [
    Col("action", "action", role="status"),
    Col("id", "id", justify="right", role="id"),
    Col("name", "name"),
    Col("line", "line", justify="right"),
    Col("fields", "fields", role="note"),
]


def import_plan(rows: list[dict]) -> Listing:
    """What an import would do: one row per record."""
    return Listing(rows, IMPORT_COLS, title="Import (dry run: nothing written)", empty="nothing to import")


MATCH_STYLE = "bold red"  # as grep shows a match


def _matched(row: dict) -> list[tuple[str, str | None]]:
    """The snippet as pieces, the matched words styled: colour at a terminal, `**` in md, nothing elsewhere."""
    text, pieces, pos = row["snippet_text"], [], 0
    for start, end in row["snippet_matches"]:
        pieces += [(text[pos:start], None), (text[start:end], MATCH_STYLE)]
        pos = end
    return [*pieces, (text[pos:], None)]


SEARCH_COLS = [
    Col("kind", "kind", role="status"),
    Col("id", "id", justify="right", role="id"),
    Col("names", "who"),
    Col("date", "date", role="date"),
    Col("snippet_text", "match", role="note", spans=_matched),
]
# CSV holds the snippet as text, without markers (JSON keeps `**` in
# `snippet` and adds `snippet_text` and `snippet_matches`).
SEARCH_KEYS = ["kind", "id", "contact_ids", "names", "date", "snippet"]


def search_results(rows: Iterable[dict], text: str) -> Listing:
    return Listing(
        rows, SEARCH_COLS, keys=SEARCH_KEYS, empty=f"nothing matches {text!r}",
        csv_row=lambda r: {**r, "snippet": r["snippet_text"]},
    )  # fmt: skip


def _dot_string(text: str) -> str:
    # control characters escaped as everywhere else, then DOT's own quoting
    return '"' + clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


_EDGE_STYLE = {
    "intro": 'dir=none, style=dashed, color="#2a9d8f"',
    "referral-given": 'color="#e76f51"',
    "referral-received": 'color="#264653"',
    "prospect": 'style=dotted, color="#8d99ae"',
}


def _dot(net: dict) -> str:
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
    return "\n".join(lines)


def graph(net: dict) -> Report:
    """The network as Graphviz DOT, or as JSON."""
    return Report(net, blocks=None, other={"dot": lambda: _dot(net)})
