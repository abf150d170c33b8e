"""The hot queries stay index lookups: a regression to a full scan fails here.

Plan tests, not timing tests. The SQL each function really runs is captured
with a trace callback on a small generated journal and every statement is
put through EXPLAIN QUERY PLAN. Without ANALYZE statistics SQLite plans the
same way whatever the table sizes, so the plans seen here are the plans of a
100k-contact journal.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from cno import followups, referrals, touchpoints
from cno.dates import Duration
from cno.db import open_journal
from tests.bench import make_journal

TODAY = date(2026, 11, 22)
# tables that grow with a lifetime of use: reading one of them whole is what must not happen
BIG_TABLES = {"contacts", "touchpoints", "touchpoint_contacts", "referrals", "followups"}
_SOURCE = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_]\w*)(?:\s+(?:AS\s+)?([A-Za-z_]\w*))?", re.IGNORECASE)
_NOT_ALIAS = {"where", "join", "left", "inner", "cross", "on", "group", "order", "limit", "union", "natural", "using", "not"}


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "journal.db"
    journal = open_journal(path, create=True)
    with journal.write() as c:
        make_journal.build(c, 200, 2000, 100, seed=3, today=TODAY)
    yield journal.conn
    journal.close()


def traced(conn, call) -> list[str]:
    """The statements `call()` runs (with their parameters written in), SELECTs only."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def plan(conn, sql: str) -> list[str]:
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]


def tables_by_name(sql: str) -> dict[str, str]:
    """Every name a table goes by in `sql` (itself and its aliases) → the table."""
    names = {}
    for table, alias in _SOURCE.findall(sql):
        names[table] = table
        if alias and alias.lower() not in _NOT_ALIAS:
            names[alias] = table
    return names


def full_scans(conn, sql: str) -> list[str]:
    """The plan lines that read a big table whole (SCAN, with or without an index)."""
    names = tables_by_name(sql)
    return [
        line
        for line in plan(conn, sql)
        if (m := re.match(r"SCAN (\w+)", line)) and names.get(m.group(1), m.group(1)) in BIG_TABLES
    ]


def check(conn, call, *expected: str) -> list[str]:
    """Run `call`; assert no statement scans a big table and each expected plan line appears."""
    statements = traced(conn, call)
    assert statements, "nothing was traced"
    lines = []
    for sql in statements:
        assert full_scans(conn, sql) == [], f"full scan in:\n{sql}\n" + "\n".join(plan(conn, sql))
        lines += plan(conn, sql)
    for want in expected:
        assert any(line.startswith(want) for line in lines), f"no {want!r} in the plans:\n" + "\n".join(lines)
    return lines


DUE = ("SEARCH c USING COVERING INDEX contacts_suggest (archived=? AND next_due_on", "SEARCH f USING INDEX followups_open")


@pytest.mark.parametrize(
    "options",
    [{}, {"limit": 50}, {"tier": "A"}, {"tag": "fintech"}, {"tag": "fintech", "tier": "B", "limit": 5}],
    ids=["default", "limit", "tier", "tag", "all-filters"],
)
def test_due_reads_contacts_through_next_due_and_follow_ups_through_open(conn, options):
    items = []
    check(conn, lambda: items.extend(followups.due_items(conn, TODAY, within=Duration(7, "d"), **options)), *DUE)
    if not options:
        assert items, "the generated journal has something due: the query really ran"


def test_due_within_a_long_window_still_uses_the_indexes(conn):
    check(conn, lambda: followups.due_items(conn, TODAY, within=Duration(3, "m")), *DUE)


@pytest.mark.parametrize("days", [7, 30, 365])
def test_referral_report_with_a_window_reads_referrals_by_date(conn, days):
    rows = []
    since = TODAY - timedelta(days=days)
    check(
        conn,
        lambda: rows.extend(referrals.ledger(conn, TODAY, since=since, top=20)[0]),
        "SEARCH referrals USING INDEX referrals_on_date",
        "SEARCH t USING INDEX touchpoints_intro",
    )
    if days == 365:
        assert rows, "the generated journal has referrals in the last year: the query really ran"


def test_referral_report_of_a_past_period_reads_referrals_by_date(conn):
    start, end = TODAY.replace(month=7, day=1), TODAY.replace(month=9, day=30)
    check(conn, lambda: referrals.ledger(conn, TODAY, since=start, until=end), "SEARCH referrals USING INDEX referrals_on_date")


def test_history_of_one_contact_goes_through_its_timeline_index(conn):
    (busiest,) = conn.execute(
        "SELECT contact_id FROM touchpoint_contacts GROUP BY contact_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    rows = []
    check(
        conn,
        lambda: rows.extend(touchpoints.history(conn, TODAY, contact_id=busiest)),
        "SEARCH tc USING INDEX touchpoint_contacts_contact",
    )
    assert rows


def test_history_of_one_contact_in_a_window_goes_through_its_timeline_index(conn):
    check(
        conn,
        lambda: list(touchpoints.history(conn, TODAY, contact_id=5, since=TODAY - timedelta(days=90), until=TODAY)),
        "SEARCH tc USING INDEX touchpoint_contacts_contact",
    )


def test_list_in_name_order_reads_the_name_index_without_sorting(conn):
    """`cno list` reads every active contact: in name order the name index gives
    them sorted, where the index on `archived` would need a sort of the whole
    table (0.53 s of SQLite at 100k against 0.18 s)."""
    from cno import contacts

    statements = traced(conn, lambda: list(contacts.list_contacts(conn, TODAY)))
    (listing,) = [s for s in statements if "FROM contacts" in s and "ORDER BY" in s]
    lines = plan(conn, listing)
    assert any("USING INDEX contacts_name_key" in line for line in lines), lines
    assert not any("TEMP B-TREE" in line for line in lines), lines


def test_a_listing_of_few_contacts_reads_only_their_lists(conn):
    """Every active contact: each list table is read whole, once; the archived
    ones (a few) or a filter: only the lists of the contacts listed."""
    from cno import contacts

    for options, whole in (({}, True), ({"archived": "archived"}, False), ({"tier": "A"}, False)):
        statements = traced(conn, lambda: list(contacts.list_contacts(conn, TODAY, **options)))
        lists = [s for s in statements if "FROM contact_tags" in s and "ORDER BY contact_id" in s]
        assert lists, options
        assert all(("IN (" not in s) == whole for s in lists), (options, lists)


def test_the_plan_check_sees_a_full_scan(conn):
    # The all-time report reads every referral on purpose (see referrals._window_sql):
    # the check must notice that, or the tests above could never fail.
    statements = traced(conn, lambda: referrals.ledger(conn, TODAY))
    assert any(full_scans(conn, sql) for sql in statements)


def test_aliases_are_resolved_to_their_tables():
    sql = "SELECT * FROM followups f JOIN contacts AS c ON c.id = f.contact_id LEFT JOIN contacts p ON p.id = f.x WHERE 1"
    assert tables_by_name(sql) == {"followups": "followups", "f": "followups", "contacts": "contacts", "c": "contacts", "p": "contacts"}


# -- planner hints --------------------------------------------------------------------------

_HINT = re.compile(r"\bINDEXED\s+BY\s+([A-Za-z_]\w*)", re.IGNORECASE)


def _hinted_indexes() -> dict[str, list[str]]:
    """Every index an `INDEXED BY` in cno's code names → the files naming it."""
    from pathlib import Path

    import cno

    named: dict[str, list[str]] = {}
    for path in sorted(Path(cno.__file__).parent.rglob("*.py")):
        for name in _HINT.findall(path.read_text(encoding="utf-8")):
            named.setdefault(name, []).append(path.name)
    return named


def test_every_index_a_query_hints_at_exists_in_the_migrated_schema(tmp_path):
    """`INDEXED BY` makes a renamed or dropped index a runtime error ("no such
    index") of the one command that hints at it: a migration that renames one
    fails here instead."""
    journal = open_journal(tmp_path / "fresh.db", create=True)
    try:
        indexes = {r[0] for r in journal.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        journal.close()
    named = _hinted_indexes()
    assert named, "cno hints at an index somewhere: the scan really read the code"
    missing = {name: files for name, files in named.items() if name not in indexes}
    assert not missing, f"INDEXED BY names indexes the migrations don't build: {missing}"


def test_the_all_time_ledger_fails_when_its_hinted_index_is_gone(tmp_path):
    """What the test above guards against, seen: the hinted query stops planning."""
    journal = open_journal(tmp_path / "fresh.db", create=True)
    try:
        with journal.write() as c:
            for name in _hinted_indexes():
                c.execute(f"DROP INDEX {name}")
        with pytest.raises(Exception, match="no such index"):
            referrals.ledger(journal.conn, TODAY)
    finally:
        journal.close()


def test_review_reads_no_table_whole_nor_every_active_contact(conn):
    """A search of `archived = 0` alone reads every active contact, a scan by
    another name: the week's new contacts are read through the met_on index
    (at 100k that one query took 92 ms of review's 180)."""
    from cno import reports

    lines = check(conn, lambda: reports.review(conn, TODAY), "SEARCH contacts USING INDEX contacts_met_on")
    assert not [line for line in lines if line.endswith("(archived=?)")], lines
