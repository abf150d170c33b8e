"""The view of `cno tags`: every tag with its counts."""

from __future__ import annotations

from cno.render import Col, Listing

TAG_KEYS = ["tag", "contacts", "touchpoints"]
TAG_COLS = [
    Col("tag", "tag"),
    Col("contacts", "contacts", justify="right"),
    Col("touchpoints", "touchpoints", justify="right"),
]


def tag_list(rows: list[dict]) -> Listing:
    return Listing(rows, TAG_COLS, title="Tags", keys=TAG_KEYS, empty="no tags yet — add one with: cno edit REF --tag T")
