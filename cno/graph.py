"""`cno graph`: the network of introductions and referrals, for Graphviz or JSON.

Nodes are "me" and the contacts that take part in an edge. Edges, counted:
`intro` between the two people I introduced (undirected), `referral-given`
from me to the contact I passed business to, `referral-received` from the
contact who passed business to me, and `prospect` from a referral's contact
to its prospect when the prospect is a contact.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from itertools import combinations

from cno.db import in_chunks

ME = "me"


def _node(contact_id: int) -> str:
    return f"c{contact_id}"


def network(conn: sqlite3.Connection) -> dict:
    edges: Counter[tuple[str, str, str]] = Counter()
    pairs: dict[int, list[int]] = {}
    for tid, cid in conn.execute(
        "SELECT x.touchpoint_id, x.contact_id FROM touchpoints t JOIN touchpoint_contacts x ON x.touchpoint_id = t.id"
        " WHERE t.intro = 1 ORDER BY x.touchpoint_id, x.contact_id"
    ):
        pairs.setdefault(tid, []).append(cid)
    for people in pairs.values():
        for a, b in combinations(people, 2):
            edges[(_node(a), _node(b), "intro")] += 1
    for direction, cid, prospect in conn.execute("SELECT direction, contact_id, prospect_id FROM referrals ORDER BY id"):
        if direction == "given":
            edges[(ME, _node(cid), "referral-given")] += 1
        else:
            edges[(_node(cid), ME, "referral-received")] += 1
        if prospect is not None:
            edges[(_node(cid), _node(prospect), "prospect")] += 1
    used = {n for s, t, _ in edges for n in (s, t)}
    ids = sorted(int(n[1:]) for n in used if n != ME)
    names = {}
    for chunk, marks in in_chunks(ids):
        for cid, name in conn.execute(f"SELECT id, name FROM contacts WHERE id IN ({marks})", chunk):
            names[cid] = name
    nodes = ([{"id": ME, "contact_id": None, "name": "me"}] if ME in used else []) + [
        {"id": _node(cid), "contact_id": cid, "name": names[cid]} for cid in sorted(ids, key=lambda i: (names[i].casefold(), i))
    ]
    return {
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "kind": k, "count": n} for (s, t, k), n in sorted(edges.items())],
    }
