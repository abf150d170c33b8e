"""`cno graph` (SPEC "Reports"): introductions and referrals as DOT or JSON."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from cno.db import open_journal
from cno.touchpoints import log_touchpoint
from tests.conftest import ok, refused


def referral(conn, uid: str, direction: str, contact_id: int, prospect_id: int | None = None) -> None:
    conn.execute(
        "INSERT INTO referrals (uid, direction, contact_id, prospect_id, status, on_date, created_on)"
        " VALUES (?, ?, ?, ?, 'open', '2026-11-01', '2026-11-01')",
        (uid, direction, contact_id, prospect_id),
    )


@pytest.fixture
def network(journal_path):
    for name in ("Ada Lovelace", "Grace Hopper", 'Alan "the" Turing', "Joan Clarke"):
        ok("add", name)
    j = open_journal(journal_path, create=False)
    with j.write() as conn:
        log_touchpoint(conn, [1, 2], date(2026, 11, 22), gave=True, intro=True, note="you two should talk")
        log_touchpoint(conn, [1, 2], date(2026, 11, 22), gave=True, intro=True)
        log_touchpoint(conn, [3, 4], date(2026, 11, 22))  # not an introduction
        referral(conn, "r1", "given", 1)
        referral(conn, "r2", "given", 1)
        referral(conn, "r3", "received", 3, prospect_id=2)
    j.close()
    return journal_path


def test_json_has_nodes_and_counted_edges(network):
    net = ok("graph", "-f", "json").json()
    assert {n["id"]: n["name"] for n in net["nodes"]} == {
        "me": "me", "c1": "Ada Lovelace", "c2": "Grace Hopper", "c3": 'Alan "the" Turing',
    }  # fmt: skip
    edges = {(e["source"], e["target"], e["kind"]): e["count"] for e in net["edges"]}
    assert edges == {
        ("c1", "c2", "intro"): 2,
        ("me", "c1", "referral-given"): 2,
        ("c3", "me", "referral-received"): 1,
        ("c3", "c2", "prospect"): 1,
    }


def test_dot_is_a_digraph_with_quoted_labels(network):
    dot = ok("graph").stdout
    assert dot.startswith("digraph cno {") and dot.rstrip().endswith("}")
    assert '"c3" [label="Alan \\"the\\" Turing"];' in dot
    assert '"c1" -> "c2" [label="intro ×2", dir=none' in dot
    assert '"me" -> "c1"' in dot and '"c3" -> "me"' in dot and '"c3" -> "c2"' in dot
    assert '"c4"' not in dot  # a plain touchpoint is no edge
    assert ok("graph", "-f", "dot").stdout == dot


def test_only_dot_and_json(network):
    refused("graph", "-f", "csv", journal=network, contains="use dot, json")
    refused("graph", "-f", "table", journal=network, contains="use dot, json")


def test_empty_journal_is_an_empty_graph(journal_path):
    assert ok("graph", "-f", "json").json() == {"nodes": [], "edges": []}
    assert ok("graph").stdout.startswith("digraph cno {")
    assert not journal_path.exists()
    ok("add", "Ada Lovelace")
    assert ok("graph", "-f", "json").json() == {"nodes": [], "edges": []}


def test_control_characters_in_names_are_escaped_in_dot(journal_path):
    ok("add", "Eve\x1b[31m")
    ok("add", "Bob")
    conn = sqlite3.connect(journal_path)
    referral(conn, "r1", "given", 1)
    conn.commit()
    conn.close()
    dot = ok("graph").stdout
    assert "\x1b" not in dot and "Eve\\\\x1b[31m" in dot
